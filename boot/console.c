/*
 * console: formats loader messages with the shared lib/format code and
 * writes them through the firmware's text output protocol, which wants
 * UCS-2 strings, so each line is widened in small chunks.
 */
#include "console.h"

#include <stdarg.h>

#include <lib/format.h>

#include "fw.h"

#define LINE_MAX 512
#define CHUNK 128

static void write_wide(const char *s, size_t len)
{
	SIMPLE_TEXT_OUTPUT_INTERFACE *out = fw_st ? fw_st->ConOut : NULL;
	CHAR16 chunk[CHUNK + 1];
	size_t i, n;

	if (!out)
		return;
	while (len) {
		n = len < CHUNK ? len : CHUNK;
		for (i = 0; i < n; i++)
			chunk[i] = (CHAR16)(unsigned char)s[i];
		chunk[n] = 0;
		uefi_call_wrapper(out->OutputString, 2, out, chunk);
		s += n;
		len -= n;
	}
}

/* One line: prefix, the formatted text (truncated to fit), CRLF. */
static void vline(const char *prefix, const char *fmt, va_list ap)
{
	char line[LINE_MAX];
	size_t len = fmt_snprintf(line, sizeof(line), "%s", prefix);

	if (len < sizeof(line))
		len += fmt_vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	if (len > sizeof(line) - 3)
		len = sizeof(line) - 3;
	line[len++] = '\r';
	line[len++] = '\n';
	write_wide(line, len);
}

void boot_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("boot: ", fmt, ap);
	va_end(ap);
}

void boot_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("boot: warning: ", fmt, ap);
	va_end(ap);
}

void boot_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("boot: error: ", fmt, ap);
	va_end(ap);
}
