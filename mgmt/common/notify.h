/*
 * notify: how the root's parts learn what happened elsewhere without
 * depending on each other.  The event ring (events.c) posts partition
 * state changes, the bus (bus_ic.c, guestos.c) heartbeat and additions
 * changes; the management API listens (tasks, GET /api/v1/events).
 * Listeners run synchronously inside notify_post, in the root's single
 * thread, so they must not block and must not post recursively.
 */
#ifndef MGMT_NOTIFY_H
#define MGMT_NOTIFY_H

#include <stdint.h>

enum notify_kind {
	NOTIFY_STATE,           /* arg: HV_PARTITION_* after the change, arg2: HV_EVENT_* cause */
	NOTIFY_HEARTBEAT,       /* arg: 1 restored (or first beat), 0 stopped (3 missed) */
	NOTIFY_ADDITIONS,       /* arg: 1 every channel negotiated, 0 bus gone (reset, rescind) */
	NOTIFY_FACTS,           /* KVP or Sessions facts of the guest changed */
};

struct notify {
	uint32_t id;            /* partition id */
	enum notify_kind kind;
	uint32_t arg, arg2;
};

typedef void (*notify_fn)(const struct notify *n);

#define NOTIFY_MAX_LISTENERS 4u

/* Adds a listener; false when NOTIFY_MAX_LISTENERS are registered. */
_Bool notify_listen(notify_fn fn);
void notify_post(uint32_t id, enum notify_kind kind, uint32_t arg, uint32_t arg2);
const char *notify_kind_name(enum notify_kind kind);

#endif
