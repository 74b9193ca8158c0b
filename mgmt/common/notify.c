/*
 * The listener list behind notify.h: a fixed array, filled at start-up.
 */
#include "notify.h"

#include <stdbool.h>

static notify_fn listeners[NOTIFY_MAX_LISTENERS];
static unsigned nlisteners;

bool notify_listen(notify_fn fn)
{
	if (nlisteners == NOTIFY_MAX_LISTENERS)
		return false;
	listeners[nlisteners++] = fn;
	return true;
}

void notify_post(uint32_t id, enum notify_kind kind, uint32_t arg, uint32_t arg2)
{
	struct notify n = { .id = id, .kind = kind, .arg = arg, .arg2 = arg2 };

	for (unsigned i = 0; i < nlisteners; i++)
		listeners[i](&n);
}

const char *notify_kind_name(enum notify_kind kind)
{
	static const char *const names[] = { "state", "heartbeat", "additions", "facts" };

	return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}
