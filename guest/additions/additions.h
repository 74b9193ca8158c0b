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

#endif
