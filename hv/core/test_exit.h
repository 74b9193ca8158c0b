/*
 * hv's test mode, all of it: with `test_exit = yes` in hv.cfg, hv ends
 * the emulator run itself when start-up is done or fails, when the root
 * powers off, or when no guest runs any more, so system tests finish
 * without waiting for a timeout.  Without the flag these calls do nothing
 * and a stopped hv simply halts.
 */
#ifndef HV_TEST_EXIT_H
#define HV_TEST_EXIT_H

#include <stdbool.h>

enum test_exit_code {
	TEST_EXIT_SUCCESS = 0x10, /* QEMU exit status 0x21 */
	TEST_EXIT_FAILURE = 0x11, /* QEMU exit status 0x23 */
};

void test_exit_enable(bool enabled);

/* Powers the emulator off with code (test mode only). */
void test_exit_power_off(enum test_exit_code code);

/*
 * Ends the run when no guest partition runs (or there is none), unless
 * one starts again within a grace period.
 */
void test_exit_if_guests_stopped(void);

#endif
