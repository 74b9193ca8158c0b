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

#include <arch/x86.h>

#define QEMU_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900
#define TEST_EXIT_GRACE_US 2000000u /* lets tests see the root still running */

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
void test_exit_if_guests_stopped(void)
{
	if (!test_exit_enabled || !guests_stopped())
		return;
	timer_delay_us(TEST_EXIT_GRACE_US);
	if (guests_stopped())
		test_exit_power_off(TEST_EXIT_SUCCESS);
}
