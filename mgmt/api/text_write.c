/*
 * The text appender of text_write.h: one fmt_vsnprintf per call into the
 * room left; a piece that does not fit whole ends the text (overflow).
 */
#include "text_write.h"

#include <lib/format.h>
#include <stdarg.h>

void text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (t->overflow)
		return;
	va_start(ap, fmt);
	n = fmt_vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n >= t->cap - t->len)
		t->overflow = true;
	else
		t->len += n;
}
