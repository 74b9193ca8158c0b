/*
 * The handshake budget: a token bucket of CPU time.  It fills at
 * share_permille of wall time up to burst_ms; every TLS handshake step is
 * charged what it took, after it ran; a new handshake starts only while
 * the balance is positive.  So over any stretch of time, handshakes take
 * at most share_permille of the root's CPU plus one burst, and the
 * root's poll loop (the guests' bus service, the API) keeps the rest.
 * Pure: mgmt/tls/tls_handshake.c applies it, tests/unit test it.
 */
#ifndef MGMT_TLS_BUDGET_H
#define MGMT_TLS_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

struct tls_budget {
	int64_t balance_us;       /* may go below zero: steps are charged after they ran */
	uint64_t last_ms;         /* when it was last refilled */
	uint32_t share_permille;  /* CPU time handshakes may have, per 1000 of wall time */
	uint32_t burst_ms;        /* the most it holds */
};

/* Full at now_ms. */
void tls_budget_init(struct tls_budget *b, uint32_t share_permille, uint32_t burst_ms,
		     uint64_t now_ms);
/* Refills up to now_ms; whether a new handshake may start (balance above zero). */
bool tls_budget_admit(struct tls_budget *b, uint64_t now_ms);
/* A step took spent_us of CPU time. */
void tls_budget_charge(struct tls_budget *b, uint64_t spent_us);

#endif
