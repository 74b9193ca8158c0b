/*
 * printf-style formatting without a C library.  Output goes through a sink
 * callback so the same engine writes to a serial port, a UEFI console or a
 * buffer.  Conversions are those listed in include/lib/format.h.
 */
#include <lib/format.h>
#include <lib/string.h>
#include <stdbool.h>
#include <stdint.h>

struct fmt_spec {
	bool left;       /* '-' flag */
	bool zero;       /* '0' flag */
	int width;
	int precision;   /* -1 = none */
	int length;      /* 0 int, 1 long, 2 long long/size_t/intmax_t, -1 short, -2 char */
	char conv;
};

struct fmt_out {
	fmt_sink sink;
	void *ctx;
	size_t count;
};

static void out_chars(struct fmt_out *o, const char *s, size_t n)
{
	if (n > 0)
		o->sink(o->ctx, s, n);
	o->count += n;
}

static void out_repeat(struct fmt_out *o, char c, int n)
{
	while (n-- > 0)
		out_chars(o, &c, 1);
}

static const char *parse_spec(const char *p, struct fmt_spec *sp, va_list *ap)
{
	*sp = (struct fmt_spec){ .precision = -1 };
	for (;; p++) {
		if (*p == '-')
			sp->left = true;
		else if (*p == '0')
			sp->zero = true;
		else if (*p != ' ' && *p != '+' && *p != '#')
			break;
	}
	if (*p == '*') {
		sp->width = va_arg(*ap, int);
		p++;
	}
	for (; *p >= '0' && *p <= '9'; p++)
		sp->width = sp->width * 10 + (*p - '0');
	if (*p == '.') {
		sp->precision = 0;
		if (*++p == '*') {
			sp->precision = va_arg(*ap, int);
			p++;
		}
		for (; *p >= '0' && *p <= '9'; p++)
			sp->precision = sp->precision * 10 + (*p - '0');
	}
	for (;; p++) {
		if (*p == 'l')
			sp->length++;
		else if (*p == 'h')
			sp->length--;
		else if (*p == 'z' || *p == 'j' || *p == 't')
			sp->length = 2;
		else
			break;
	}
	sp->conv = *p;
	return p;
}

static void out_padded(struct fmt_out *o, const struct fmt_spec *sp,
		       const char *s, size_t n)
{
	int pad = sp->width > (int)n ? sp->width - (int)n : 0;

	if (!sp->left)
		out_repeat(o, ' ', pad);
	out_chars(o, s, n);
	if (sp->left)
		out_repeat(o, ' ', pad);
}

static uintmax_t fetch_unsigned(const struct fmt_spec *sp, va_list *ap)
{
	if (sp->length >= 2)
		return va_arg(*ap, unsigned long long);
	if (sp->length == 1)
		return va_arg(*ap, unsigned long);
	if (sp->length == -1)
		return (unsigned short)va_arg(*ap, unsigned int);
	if (sp->length <= -2)
		return (unsigned char)va_arg(*ap, unsigned int);
	return va_arg(*ap, unsigned int);
}

static intmax_t fetch_signed(const struct fmt_spec *sp, va_list *ap)
{
	if (sp->length >= 2)
		return va_arg(*ap, long long);
	if (sp->length == 1)
		return va_arg(*ap, long);
	if (sp->length == -1)
		return (short)va_arg(*ap, int);
	if (sp->length <= -2)
		return (signed char)va_arg(*ap, int);
	return va_arg(*ap, int);
}

static void out_number(struct fmt_out *o, const struct fmt_spec *sp,
		       uintmax_t value, bool negative, unsigned base)
{
	const char *digits = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int n = 0, total, zeros = 0;

	do {
		buf[sizeof(buf) - 1 - n++] = digits[value % base];
		value /= base;
	} while (value != 0);
	if (sp->precision > n)
		zeros = sp->precision - n;
	total = n + zeros + (negative ? 1 : 0);
	if (sp->zero && !sp->left && sp->precision < 0 && sp->width > total)
		zeros += sp->width - total, total = sp->width;
	if (!sp->left)
		out_repeat(o, ' ', sp->width - total);
	if (negative)
		out_chars(o, "-", 1);
	out_repeat(o, '0', zeros);
	out_chars(o, &buf[sizeof(buf) - n], (size_t)n);
	if (sp->left)
		out_repeat(o, ' ', sp->width - total);
}

static void out_conversion(struct fmt_out *o, struct fmt_spec *sp, va_list *ap)
{
	intmax_t sv;
	const char *s;
	char c;

	switch (sp->conv) {
	case 'd': case 'i':
		sv = fetch_signed(sp, ap);
		out_number(o, sp, sv < 0 ? -(uintmax_t)sv : (uintmax_t)sv, sv < 0, 10);
		break;
	case 'u':
		out_number(o, sp, fetch_unsigned(sp, ap), false, 10);
		break;
	case 'x': case 'X':
		out_number(o, sp, fetch_unsigned(sp, ap), false, 16);
		break;
	case 'o':
		out_number(o, sp, fetch_unsigned(sp, ap), false, 8);
		break;
	case 'p':
		out_chars(o, "0x", 2);
		sp->length = 2;
		out_number(o, sp, (uintptr_t)va_arg(*ap, void *), false, 16);
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		out_padded(o, sp, &c, 1);
		break;
	case 's':
		s = va_arg(*ap, const char *);
		if (s == NULL)
			s = "(null)";
		out_padded(o, sp, s, sp->precision >= 0 ?
			   strnlen(s, (size_t)sp->precision) : strlen(s));
		break;
	default: /* '%' and unknown conversions print themselves */
		out_chars(o, &sp->conv, 1);
		break;
	}
}

size_t fmt_vprintf(fmt_sink sink, void *ctx, const char *fmt, va_list ap)
{
	struct fmt_out o = { .sink = sink, .ctx = ctx };
	struct fmt_spec sp;
	va_list args;

	va_copy(args, ap);
	while (*fmt != '\0') {
		const char *run = fmt;

		while (*fmt != '\0' && *fmt != '%')
			fmt++;
		out_chars(&o, run, (size_t)(fmt - run));
		if (*fmt == '\0')
			break;
		fmt = parse_spec(fmt + 1, &sp, &args);
		if (sp.conv == '\0')
			break;
		out_conversion(&o, &sp, &args);
		fmt++;
	}
	va_end(args);
	return o.count;
}

struct fmt_buffer {
	char *buf;
	size_t size;
	size_t used;
};

static void buffer_sink(void *ctx, const char *s, size_t n)
{
	struct fmt_buffer *b = ctx;

	for (size_t i = 0; i < n; i++, b->used++) {
		if (b->used + 1 < b->size)
			b->buf[b->used] = s[i];
	}
}

size_t fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_buffer b = { .buf = buf, .size = size };
	size_t n = fmt_vprintf(buffer_sink, &b, fmt, ap);

	if (size > 0)
		buf[n < size ? n : size - 1] = '\0';
	return n;
}

size_t fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
