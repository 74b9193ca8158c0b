/*
 * The exception-fixup table (see fixup.h): the linker gathers the entries
 * between __start_hv_fixups and __stop_hv_fixups (hv/hv.ld).
 */
#include <core/fixup.h>

#include <core/console.h>
#include <core/trap.h>

extern const struct fixup_entry __start_hv_fixups[], __stop_hv_fixups[];

static uint64_t target(const int32_t *field)
{
	return (uint64_t)field + (uint64_t)(int64_t)*field;
}

bool fixup_apply(struct trap_frame *frame)
{
	for (const struct fixup_entry *e = __start_hv_fixups; e < __stop_hv_fixups; e++) {
		if (target(&e->insn) != frame->rip)
			continue;
		frame->rip = target(&e->resume);
		frame->rsi = FIXUP_FAULTED | frame->vector;
		return true;
	}
	return false;
}

void fixup_self_test(void)
{
	uint64_t fault = fixup_xsetbv(1, 1);

	if (fault != 0)
		log_info("exception fixup: XSETBV of XCR1 took vector %llu and resumed",
			 (unsigned long long)(fault & 0xff));
	else
		log_error("exception fixup: XSETBV of XCR1 did not fault");
}
