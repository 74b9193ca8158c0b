/*
 * Emulator power-off for test runs.  QEMU's isa-debug-exit device at port
 * 0xf4 exits with status (value << 1) | 1; Bochs powers off when the
 * string "Shutdown" is written to port 0x8900.  Each port is ignored by
 * the other emulator, so hv tries both.
 */
#include <core/test_exit.h>

#include <core/console.h>

#include <arch/x86.h>

#define QEMU_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900

static bool test_exit_enabled;

void power_set_test_exit(bool enabled)
{
	test_exit_enabled = enabled;
}

void power_test_exit(enum power_exit_code code)
{
	static const char bochs_word[] = "Shutdown";

	if (!test_exit_enabled)
		return;
	log_info("test_exit: powering off (%s)",
		 code == POWER_EXIT_SUCCESS ? "success" : "failure");
	console_flush(); /* the emulator stops at once: let the log out first */
	outl(QEMU_DEBUG_EXIT_PORT, code);
	for (const char *c = bochs_word; *c != '\0'; c++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*c);
}
