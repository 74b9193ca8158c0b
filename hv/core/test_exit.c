/*
 * hv's test mode (test_exit.h).  Emulator power-off: QEMU's
 * isa-debug-exit device at port 0xf4 exits with status (value << 1) | 1;
 * Bochs powers off when the string "Shutdown" is written to port 0x8900.
 * Each port is ignored by the other emulator, so hv tries both.
 */
#include <core/test_exit.h>

#include <core/console.h>
#include <core/timer.h>
#include <part/partition.h>
#include <plat/reftime.h>

#include <arch/x86.h>

#define QEMU_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900
#define TEST_EXIT_GRACE_US 2000000u /* lets tests see the root still running */
#define ROOT_WAIT_STEP_US 100000u
#define ROOT_WAIT_STEPS 600u       /* 60 s for the root to have run a grace period */

static bool test_exit_enabled;

void test_exit_enable(bool enabled)
{
	test_exit_enabled = enabled;
}

void test_exit_power_off(enum test_exit_code code)
{
	static const char bochs_word[] = "Shutdown";

	if (!test_exit_enabled)
		return;
	log_info("test_exit: powering off (%s)",
		 code == TEST_EXIT_SUCCESS ? "success" : "failure");
	console_flush(); /* the emulator stops at once: let the log out first */
	outl(QEMU_DEBUG_EXIT_PORT, code);
	for (const char *c = bochs_word; *c != '\0'; c++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*c);
}

static bool guests_stopped(void)
{
	for (uint32_t i = 0; i < partition_count; i++) {
		uint32_t state = __atomic_load_n(&partitions[i].state, __ATOMIC_ACQUIRE);

		if (partitions[i].cfg->role != HVCFG_ROLE_ROOT &&
		    state != PARTITION_OFF && state != PARTITION_FAULTED)
			return false;
	}
	return true;
}

/*
 * The run ends when no guest runs any more and none is started again
 * within a grace period (the root may be cycling one), so a system test
 * finishes as soon as its guests have done their part.
 */
/* Whether the root has been Running for a grace period (or there is none). */
static bool root_settled(void)
{
	bool settled = true;

	for (uint32_t i = 0; i < partition_count; i++) {
		const struct partition *p = &partitions[i];

		if (p->cfg->role == HVCFG_ROLE_ROOT)
			settled = __atomic_load_n(&p->state, __ATOMIC_ACQUIRE) == PARTITION_RUNNING &&
				  reftime_now() - p->run_start >= TEST_EXIT_GRACE_US * 10ull;
	}
	return settled;
}

/*
 * On a loaded host a quick guest can end before the root has even
 * started (seen: a self-test done while the root still cleared its RAM),
 * so the grace counts from the root's start too, not only from the end of
 * the last guest.
 */
void test_exit_if_guests_stopped(void)
{
	if (!test_exit_enabled || !guests_stopped())
		return;
	for (uint32_t i = 0; i < ROOT_WAIT_STEPS && !root_settled(); i++)
		timer_delay_us(ROOT_WAIT_STEP_US);
	timer_delay_us(TEST_EXIT_GRACE_US);
	if (guests_stopped())
		test_exit_power_off(TEST_EXIT_SUCCESS);
}
