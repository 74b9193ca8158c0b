/*
 * The root partition's kernel (management OS).  For now it announces
 * itself and prints "root: alive <n>" about once a second, so tests can
 * see the root keep running while a guest faults.  The management
 * service (partition control, VMBus server, network API) grows here.
 */
#include <kernel/console.h>
#include <kernel/start.h>
#include <kernel/time.h>

void kernel_main(void *start_info)
{
	const struct start_info *si = kernel_init(start_info, "root");

	kprintf("root: started (%s, %lu MiB, %s)\n", si->name, si->memory_size >> 20, si->cmdline);
	if (!(si->flags & START_INFO_FLAG_ROOT))
		kputs("root: warning: start_info does not flag this partition as the root\n");
	for (unsigned long n = 1;; n++) {
		delay_ms(1000);
		kprintf("root: alive %lu\n", n);
	}
}
