/*
 * A printf-style appender into a caller's buffer, for the answers that
 * are text rather than JSON (GET /metrics, the Redfish face's $metadata):
 * running out of room sets `overflow` and writes nothing more, as the
 * JSON writer does; the caller answers 500 then.
 */
#ifndef MGMT_TEXT_WRITE_H
#define MGMT_TEXT_WRITE_H

#include <stdbool.h>
#include <stddef.h>

struct text {
	char *buf;
	size_t cap, len;
	bool overflow;
};

/* Appends the formatted text (lib/format.h's conversions) after what t holds. */
void text_add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
