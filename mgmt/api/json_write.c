/*
 * The JSON writer of json_write.h.  Strings are escaped as RFC 8259
 * section 7 asks (quote, backslash, every control character as \u00XX);
 * bytes that are not valid UTF-8 (a guest's computer name may hold
 * anything) become U+FFFD, so every document we send is valid JSON.
 * The buffer always stays NUL-terminated: content uses at most cap - 1
 * bytes, and a write that does not fit sets overflow and writes nothing
 * more.
 */
#include "json_write.h"

static void put(struct jw *w, const char *s, size_t n)
{
	if (w->overflow)
		return;
	if (w->cap == 0 || n >= w->cap - w->len) {
		w->overflow = true;
		return;
	}
	for (size_t i = 0; i < n; i++)
		w->buf[w->len + i] = s[i];
	w->len += n;
	w->buf[w->len] = '\0';
}

static void put_c(struct jw *w, char c)
{
	put(w, &c, 1);
}

/* Before any value: the comma that separates it from its predecessor. */
static void value_begin(struct jw *w)
{
	if (w->need_comma[w->depth])
		put_c(w, ',');
	w->need_comma[w->depth] = true;
}

void jw_init(struct jw *w, char *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->overflow = false;
	w->depth = 0;
	for (unsigned i = 0; i < JW_MAX_DEPTH; i++)
		w->need_comma[i] = false;
	if (cap > 0)
		buf[0] = '\0';
}

static void container_open(struct jw *w, char c)
{
	value_begin(w);
	if (w->depth + 1 >= JW_MAX_DEPTH) {
		w->overflow = true;
		return;
	}
	put_c(w, c);
	w->depth++;
	w->need_comma[w->depth] = false;
}

static void container_close(struct jw *w, char c)
{
	if (w->depth == 0) {
		w->overflow = true;     /* unbalanced: a caller bug, never valid output */
		return;
	}
	put_c(w, c);
	w->depth--;
}

void jw_obj_begin(struct jw *w)
{
	container_open(w, '{');
}

void jw_obj_end(struct jw *w)
{
	container_close(w, '}');
}

void jw_arr_begin(struct jw *w)
{
	container_open(w, '[');
}

void jw_arr_end(struct jw *w)
{
	container_close(w, ']');
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	uint32_t cp;

	if (c < 0xC2 || c > 0xF4 || len > n)
		return 0;
	cp = c & (0x7F >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	/* Overlong forms, UTF-16 surrogates and code points past U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

static void put_escaped(struct jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	put_c(w, '"');
	while (i < n && !w->overflow) {
		size_t run = i, len;

		/* Copy plain ASCII in runs. */
		while (run < n && u[run] >= 0x20 && u[run] < 0x80 && u[run] != '"' && u[run] != '\\')
			run++;
		put(w, s + i, run - i);
		i = run;
		if (i == n)
			break;
		if (u[i] == '"' || u[i] == '\\') {
			char esc[2] = { '\\', (char)u[i] };

			put(w, esc, 2);
			i++;
		} else if (u[i] < 0x20) {
			char esc[6] = { '\\', 'u', '0', '0', hex[u[i] >> 4], hex[u[i] & 15] };

			put(w, esc, 6);
			i++;
		} else if ((len = utf8_seq(u + i, n - i)) != 0) {
			put(w, s + i, len);
			i += len;
		} else {
			put(w, "\\ufffd", 6);
			i++;
		}
	}
	put_c(w, '"');
}

void jw_key(struct jw *w, const char *key)
{
	size_t n = 0;

	while (key[n])
		n++;
	value_begin(w);
	put_escaped(w, key, n);
	put_c(w, ':');
	/* The value that follows belongs to this member: no comma before it. */
	w->need_comma[w->depth] = false;
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	value_begin(w);
	put_escaped(w, s, n);
}

void jw_str(struct jw *w, const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	jw_strn(w, s, n);
}

static void put_u64(struct jw *w, uint64_t v)
{
	char digits[20];
	size_t n = sizeof(digits);

	do {
		digits[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	put(w, digits + n, sizeof(digits) - n);
}

void jw_uint(struct jw *w, uint64_t v)
{
	value_begin(w);
	put_u64(w, v);
}

void jw_int(struct jw *w, int64_t v)
{
	value_begin(w);
	if (v < 0) {
		put_c(w, '-');
		/* Negate in unsigned arithmetic: INT64_MIN has no positive twin. */
		put_u64(w, (uint64_t)0 - (uint64_t)v);
	} else {
		put_u64(w, (uint64_t)v);
	}
}

void jw_bool(struct jw *w, bool v)
{
	value_begin(w);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void jw_null(struct jw *w)
{
	value_begin(w);
	put(w, "null", 4);
}

void jw_str_or_null(struct jw *w, const char *s)
{
	if (s)
		jw_str(w, s);
	else
		jw_null(w);
}

void jw_uint_or_null(struct jw *w, bool known, uint64_t v)
{
	if (known)
		jw_uint(w, v);
	else
		jw_null(w);
}

void jw_bool_or_null(struct jw *w, bool known, bool v)
{
	if (known)
		jw_bool(w, v);
	else
		jw_null(w);
}

void jw_hresult(struct jw *w, uint32_t hr)
{
	static const char hex[] = "0123456789ABCDEF";
	char text[12] = { '"', '0', 'x' };

	for (unsigned i = 0; i < 8; i++)
		text[3 + i] = hex[(hr >> (28 - 4 * i)) & 15];
	text[11] = '"';
	value_begin(w);
	put(w, text, sizeof(text));
}

void jw_raw(struct jw *w, const char *json, size_t n)
{
	value_begin(w);
	put(w, json, n);
}
