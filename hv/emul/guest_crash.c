/*
 * The guest crash registers (guest_crash.h): stored words, one report
 * per partition run.
 */
#include <emul/guest_crash.h>

bool guest_crash_msr_claims(uint32_t msr)
{
	return msr >= HV_X64_MSR_CRASH_P0 && msr <= HV_X64_MSR_CRASH_CTL;
}

bool guest_crash_msr_read(const struct guest_crash *c, uint32_t msr, uint64_t *value)
{
	if (!guest_crash_msr_claims(msr))
		return false;
	*value = msr == HV_X64_MSR_CRASH_CTL ? HV_CRASH_CTL_CRASH_NOTIFY
					     : c->params[msr - HV_X64_MSR_CRASH_P0];
	return true;
}

enum guest_crash_write guest_crash_msr_write(struct guest_crash *c, uint32_t msr, uint64_t value)
{
	enum guest_crash_write result = GUEST_CRASH_STORED;

	if (!guest_crash_msr_claims(msr))
		result = GUEST_CRASH_NOT_MINE;
	else if (msr != HV_X64_MSR_CRASH_CTL)
		c->params[msr - HV_X64_MSR_CRASH_P0] = value;
	else if (value & ~HV_CRASH_CTL_CRASH_NOTIFY)
		result = GUEST_CRASH_REFUSED;
	else if ((value & HV_CRASH_CTL_CRASH_NOTIFY) && !c->reported) {
		c->reported = true;
		result = GUEST_CRASH_REPORTED;
	}
	return result;
}
