/*
 * Guest additions: the VMBus client and the integration services
 * (Heartbeat, Shutdown, TimeSync, KVP, Sessions, Exec) over os.h.
 */
#ifndef ADDITIONS_H
#define ADDITIONS_H

#include <stdbool.h>

/* Enables the SynIC and sends INITIATE_CONTACT; false on failure (logged). */
bool additions_start(void);
/* Handles pending bus messages and channel packets; call often. Returns true if it did work. */
bool additions_poll(void);

/* Deliberate misbehaviour on the heartbeat channel, for robustness tests. */
enum additions_fault {
	ADDITIONS_FAULT_CORRUPT_RING,  /* out-of-range write_index in the guest->root ring */
	ADDITIONS_FAULT_MALFORMED,     /* a packet too short to be an IC message */
	ADDITIONS_FAULT_SILENT,        /* never answer the root's NEGOTIATE (set at once) */
	ADDITIONS_FAULT_FLOOD,         /* ~10 s of HvSignalEvent, then HvPostMessage, flat out */
	ADDITIONS_FAULT_OVERSIZED,     /* heartbeat: a length beyond the ring; kvp: 9000 bytes */
	ADDITIONS_FAULT_SHORT,         /* a packet shorter than its descriptor, one variant per channel */
	ADDITIONS_FAULT_FOREIGN_FLAGS, /* HvSignalEvent naming flags beyond the connection's own */
};
/*
 * Once the first heartbeat was answered, commits fault f on the heartbeat
 * channel and signals the root; true when done (call until it is).  The
 * flood returns after its ~10 s, having logged what hv answered.
 */
bool additions_misbehave(enum additions_fault f);

#endif
