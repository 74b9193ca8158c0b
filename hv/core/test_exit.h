/*
 * Test-only power-off: with `test_exit = yes` in hv.cfg, hv ends the
 * emulator run itself when start-up is done (or fails), so system tests
 * finish without waiting for a timeout.  Without the flag these calls do
 * nothing and a stopped hv simply halts.
 */
#ifndef HV_POWER_H
#define HV_POWER_H

#include <stdbool.h>

enum power_exit_code {
	POWER_EXIT_SUCCESS = 0x10, /* QEMU exit status 0x21 */
	POWER_EXIT_FAILURE = 0x11, /* QEMU exit status 0x23 */
};

void power_set_test_exit(bool enabled);
void power_test_exit(enum power_exit_code code);

#endif
