/*
 * kernel_init: IDT first (nothing may fault before it), then the console,
 * then the start_info checks (address, signature, revision, size, name and
 * cmdline terminated, plausible memory size and VP count).  The record is
 * copied so the kernel never depends on hv's page again.
 */
#include <kernel/start.h>

#include <kernel/console.h>
#include <kernel/exceptions.h>
#include <kernel/time.h>
#include <lib/string.h>

#define MIN_MEMORY (4ull << 20) /* start-up data + a kernel at 2 MiB */

static struct start_info info;

static void check_start_info(const struct start_info *si)
{
	if ((uint64_t)si != START_INFO_GPA)
		kpanic("start_info at 0x%lx, expected 0x%llx", (uint64_t)si, START_INFO_GPA);
	if (si->signature != START_INFO_SIGNATURE)
		kpanic("start_info signature 0x%lx, expected 0x%llx", si->signature,
		       START_INFO_SIGNATURE);
	if (si->revision != START_INFO_REVISION)
		kpanic("start_info revision %u, expected %u", si->revision, START_INFO_REVISION);
	if (si->size != sizeof(struct start_info))
		kpanic("start_info size %u, expected %zu", si->size, sizeof(struct start_info));
	if (strnlen(si->name, START_INFO_NAME_LEN) == START_INFO_NAME_LEN)
		kpanic("start_info name is not terminated");
	if (strnlen(si->cmdline, START_INFO_CMDLINE_LEN) == START_INFO_CMDLINE_LEN)
		kpanic("start_info cmdline is not terminated");
	if (si->memory_size < MIN_MEMORY)
		kpanic("start_info memory_size 0x%lx is below 0x%llx", si->memory_size, MIN_MEMORY);
	if (si->vp_count == 0)
		kpanic("start_info vp_count is 0");
}

const struct start_info *kernel_init(void *start_info, const char *name)
{
	exceptions_init();
	console_init(name);
	check_start_info(start_info);
	memcpy(&info, start_info, sizeof(info));
	time_init();
	return &info;
}
