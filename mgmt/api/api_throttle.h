/*
 * Failed authentications (api_throttle.c): counted for /metrics, logged
 * without flooding the console, and slowed down per source address.
 */
#ifndef MGMT_API_THROTTLE_H
#define MGMT_API_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

struct api_throttle_stats {
	uint64_t failures;      /* requests whose token was unknown or malformed */
	uint64_t throttled;     /* requests refused with 429 while their address was blocked */
};

/*
 * Whether peer (http_request.peer) is blocked now; if so *retry_s is the
 * Retry-After in seconds and the refusal is counted.
 */
bool api_throttle_blocked(uint32_t peer, uint64_t now_ms, uint32_t *retry_s);
/* A presented token that is unknown or malformed, from peer (0: unknown address). */
void api_throttle_failure(uint32_t peer, uint64_t now_ms);
void api_throttle_stats(struct api_throttle_stats *out);
/* Forgets every address and count (unit tests). */
void api_throttle_reset(void);

#endif
