/*
 * The handshake budget's arithmetic (tls_budget.h).  Time only moves
 * forward here: a clock reading older than the last refill refills
 * nothing.
 */
#include "tls_budget.h"

void tls_budget_init(struct tls_budget *b, uint32_t share_permille, uint32_t burst_ms,
		     uint64_t now_ms)
{
	*b = (struct tls_budget){
		.balance_us = (int64_t)burst_ms * 1000,
		.last_ms = now_ms,
		.share_permille = share_permille,
		.burst_ms = burst_ms,
	};
}

static void refill(struct tls_budget *b, uint64_t now_ms)
{
	int64_t cap = (int64_t)b->burst_ms * 1000;
	uint64_t elapsed;

	if (now_ms <= b->last_ms)
		return;
	elapsed = now_ms - b->last_ms;
	b->last_ms = now_ms;
	/* ms x permille = us; an hour's refill cannot overflow, a longer gap just fills it. */
	if (elapsed > 3600000u || b->balance_us + (int64_t)(elapsed * b->share_permille) >= cap)
		b->balance_us = cap;
	else
		b->balance_us += (int64_t)(elapsed * b->share_permille);
}

bool tls_budget_admit(struct tls_budget *b, uint64_t now_ms)
{
	refill(b, now_ms);
	return b->balance_us > 0;
}

void tls_budget_charge(struct tls_budget *b, uint64_t spent_us)
{
	/* A single step is never near this; the cap keeps the sum in range. */
	if (spent_us > 3600000000u)
		spent_us = 3600000000u;
	b->balance_us -= (int64_t)spent_us;
	if (b->balance_us < -(int64_t)3600000000)
		b->balance_us = -(int64_t)3600000000;
}
