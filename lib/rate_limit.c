/*
 * The token bucket of lib/rate_limit.h.  Tokens are earned in whole units
 * and the stamp advances only by the time those units took, so a steady
 * trickle below one token per call still earns its tokens.
 */
#include <lib/rate_limit.h>

bool rate_limit_admit(struct rate_limit *r, uint64_t now, uint64_t interval, uint32_t burst)
{
	uint64_t earned;
	bool admit;

	if (r->stamp == 0 || now < r->stamp) {
		r->tokens = burst; /* a fresh start */
		r->stamp = now;
	}
	earned = (now - r->stamp) / interval;
	if (earned > 0) {
		uint64_t room = burst - r->tokens;

		r->stamp += earned * interval;
		r->tokens += (uint32_t)(earned < room ? earned : room);
	}
	admit = r->tokens > 0;
	if (admit)
		r->tokens--;
	else
		r->dropped++;
	return admit;
}
