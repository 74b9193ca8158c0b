/*
 * Failed authentications: counted, logged without flooding the console,
 * and slowed down per source address so that guessing tokens over the
 * network is slow (docs/api.md, "Authentication and rights").
 *
 * The back-off: an address's failures are counted in runs (a failure more
 * than API_THROTTLE_RUN_MS after the previous one starts a new run).  From
 * the API_THROTTLE_FREE-th failure of a run on, the address is blocked for
 * 1 s, then 2, 4, ... up to API_THROTTLE_MAX_MS: while blocked, a request
 * presenting a token is answered 429 without its token being checked, so
 * a correct guess is not even noticed.  A success does not clear the run
 * (one valid low-right token must not reset the count for guessing
 * others).  The table remembers API_THROTTLE_ADDRS addresses; when full,
 * the one that failed longest ago is forgotten.
 */
#include "api_throttle.h"

#include <backend/backend.h>

#include <lib/format.h>
#include <lib/string.h>

#define API_THROTTLE_ADDRS 32u
#define API_THROTTLE_FREE 10u
#define API_THROTTLE_RUN_MS 60000u
#define API_THROTTLE_MAX_MS 60000u
/* At most one summary line per this much time, besides each address's first failure. */
#define API_THROTTLE_LOG_MS 10000u

struct throttle_addr {
	uint32_t peer;                  /* 0: slot free */
	uint32_t failures;              /* in the current run */
	uint64_t last_fail_ms;
	uint64_t blocked_until_ms;
};

static struct throttle_addr addrs[API_THROTTLE_ADDRS];
static struct api_throttle_stats stats;
static uint64_t unlogged, last_log_ms;
static bool logged_once;

static struct throttle_addr *addr_find(uint32_t peer)
{
	struct throttle_addr *a = NULL;

	for (unsigned i = 0; i < API_THROTTLE_ADDRS && !a; i++)
		if (addrs[i].peer == peer && peer != 0)
			a = &addrs[i];
	return a;
}

/* A slot for peer: a free one, else the one whose last failure is oldest. */
static struct throttle_addr *addr_take(uint32_t peer)
{
	struct throttle_addr *a = &addrs[0];

	for (unsigned i = 0; i < API_THROTTLE_ADDRS && a->peer != 0; i++)
		if (addrs[i].peer == 0 || addrs[i].last_fail_ms < a->last_fail_ms)
			a = &addrs[i];
	memset(a, 0, sizeof(*a));
	a->peer = peer;
	return a;
}

/* lwIP keeps the address in network order: the first byte in memory is the first octet. */
static void peer_text(uint32_t peer, char *out, size_t cap)
{
	const uint8_t *b = (const uint8_t *)&peer;

	fmt_snprintf(out, cap, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

static uint64_t block_ms(uint32_t failures)
{
	uint32_t step = failures - API_THROTTLE_FREE;
	uint64_t ms = step < 16 ? 1000ull << step : API_THROTTLE_MAX_MS;

	return ms < API_THROTTLE_MAX_MS ? ms : API_THROTTLE_MAX_MS;
}

bool api_throttle_blocked(uint32_t peer, uint64_t now_ms, uint32_t *retry_s)
{
	struct throttle_addr *a = addr_find(peer);
	bool blocked = a && now_ms < a->blocked_until_ms;

	if (blocked) {
		*retry_s = (uint32_t)((a->blocked_until_ms - now_ms + 999) / 1000);
		stats.throttled++;
	}
	return blocked;
}

/*
 * The first failure of a run, and the one that starts the back-off, are
 * logged with the address; the rest in a summary at most every
 * API_THROTTLE_LOG_MS.  failures is 0 for an unknown address.
 */
static void log_failure(uint32_t peer, uint32_t failures, uint64_t now_ms)
{
	char ip[16] = "?";

	if (peer)
		peer_text(peer, ip, sizeof(ip));
	if (failures == 1 || failures == API_THROTTLE_FREE) {
		backend_log("root: api: authentication failed from %s%s\n", ip,
			    failures == API_THROTTLE_FREE ? "; slowing that address down" : "");
	} else if (!logged_once || now_ms - last_log_ms >= API_THROTTLE_LOG_MS) {
		backend_log("root: api: %llu more failed authentications (latest from %s)\n",
			    (unsigned long long)unlogged + 1, ip);
		unlogged = 0;
		last_log_ms = now_ms;
		logged_once = true;
	} else {
		unlogged++;
	}
}

void api_throttle_failure(uint32_t peer, uint64_t now_ms)
{
	struct throttle_addr *a = peer ? addr_find(peer) : NULL;

	stats.failures++;
	if (peer && !a)
		a = addr_take(peer);
	if (a && a->failures > 0 && now_ms - a->last_fail_ms > API_THROTTLE_RUN_MS)
		a->failures = 0;
	if (a) {
		a->failures++;
		a->last_fail_ms = now_ms;
		if (a->failures >= API_THROTTLE_FREE)
			a->blocked_until_ms = now_ms + block_ms(a->failures);
	}
	log_failure(peer, a ? a->failures : 0, now_ms);
}

void api_throttle_stats(struct api_throttle_stats *out)
{
	*out = stats;
}

void api_throttle_reset(void)
{
	memset(addrs, 0, sizeof(addrs));
	memset(&stats, 0, sizeof(stats));
	unlogged = 0;
	last_log_ms = 0;
	logged_once = false;
}
