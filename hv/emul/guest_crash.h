/*
 * Hyper-V's guest crash registers (TLFS "Guest Crash Enlightenment"): a
 * guest that panics writes five words of its own meaning to
 * HV_X64_MSR_CRASH_P0..P4 (Linux: the error, its guest OS id, RIP, RAX,
 * RSP; Windows: the bug check code and its four parameters), then
 * CRASH_NOTIFY to HV_X64_MSR_CRASH_CTL.  hv keeps the words per partition
 * run and reports the crash once, so that a guest's panic is seen at
 * once, not only when its heartbeat stops.  CRASH_CTL reads back what hv
 * supports: the notification, not the message page (CRASH_NOTIFY_MSG).
 * Pure, so the host tests check it (tests/unit/test_guest_crash.c).
 */
#ifndef HV_GUEST_CRASH_H
#define HV_GUEST_CRASH_H

#include <stdbool.h>
#include <stdint.h>

#define HV_X64_MSR_CRASH_P0 0x40000100u
#define HV_X64_MSR_CRASH_P4 0x40000104u
#define HV_X64_MSR_CRASH_CTL 0x40000105u
#define HV_CRASH_CTL_CRASH_NOTIFY (1ull << 63)
#define GUEST_CRASH_PARAMS 5u

struct guest_crash {
	uint64_t params[GUEST_CRASH_PARAMS];
	bool reported;            /* CRASH_NOTIFY seen in this run */
};

enum guest_crash_write {
	GUEST_CRASH_NOT_MINE,     /* not a crash register */
	GUEST_CRASH_STORED,
	GUEST_CRASH_REPORTED,     /* the first notification of this run: report it */
	GUEST_CRASH_REFUSED,      /* a CRASH_CTL bit hv does not support: #GP */
};

bool guest_crash_msr_claims(uint32_t msr);
/* False unless msr is a crash register. */
bool guest_crash_msr_read(const struct guest_crash *c, uint32_t msr, uint64_t *value);
enum guest_crash_write guest_crash_msr_write(struct guest_crash *c, uint32_t msr, uint64_t value);

#endif
