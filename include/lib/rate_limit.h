/*
 * A token bucket for log lines a guest can cause at will (its console,
 * its reset loops, the root's bus and event lines): burst lines at once,
 * then one per interval; what is refused is counted so that the next line
 * that goes out can say how many were dropped.  Time is in the caller's
 * units (hv: reference time, 100 ns; the root: milliseconds), never 0 for
 * a real reading.  Not locked: the caller serialises use of one bucket.
 */
#ifndef LIB_RATE_LIMIT_H
#define LIB_RATE_LIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct rate_limit {
	uint32_t tokens;
	uint32_t dropped;   /* refused since the caller last cleared it */
	uint64_t stamp;     /* the time the bucket was last filled to; 0: full */
};

/* True if a line may go out at time now; else counts it in dropped. */
bool rate_limit_admit(struct rate_limit *r, uint64_t now, uint64_t interval, uint32_t burst);

#endif
