/*
 * Query strings and percent-encoding (RFC 3986 section 2.1): the router
 * decodes path segments, handlers read query parameters.  '+' is kept as
 * is (RFC 3986 gives it no meaning; none of our values are form text).
 * A decoded NUL is refused everywhere: names travel as C strings.
 */
#include "api.h"

#include <lib/ctype.h>
#include <lib/string.h>

bool api_percent_decode(const char *in, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	bool ok = cap > 0;

	for (size_t i = 0; ok && i < n; i++) {
		int c = (unsigned char)in[i];

		if (c == '%') {
			/* Both digits must be inside in[0..n). */
			ok = n - i > 2 && lib_hex_digit(in[i + 1]) >= 0 && lib_hex_digit(in[i + 2]) >= 0;
			if (ok) {
				c = lib_hex_digit(in[i + 1]) << 4 | lib_hex_digit(in[i + 2]);
				i += 2;
			}
		}
		ok = ok && c != '\0' && o + 1 < cap;
		if (ok)
			out[o++] = (char)c;
	}
	if (cap > 0)
		out[ok ? o : 0] = '\0';
	return ok;
}

enum api_field api_query(const struct http_request *rq, const char *key, char *out, size_t cap)
{
	const char *p = rq->query;
	size_t klen = strlen(key);
	enum api_field f = API_FIELD_ABSENT;

	while (*p && f == API_FIELD_ABSENT) {
		const char *end = strchr(p, '&'), *eq;

		if (!end)
			end = p + strlen(p);
		for (eq = p; eq < end && *eq != '='; eq++)
			;       /* "flag" alone: eq == end, an empty value */
		if ((size_t)(eq - p) == klen && memcmp(p, key, klen) == 0) {
			const char *v = eq < end ? eq + 1 : end;

			f = api_percent_decode(v, (size_t)(end - v), out, cap) ? API_FIELD_OK
									       : API_FIELD_BAD;
		}
		p = *end ? end + 1 : end;
	}
	return f;
}

/* A decimal integer in [min, max], optional '-', nothing else; false otherwise. */
static bool parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	bool neg = *s == '-';
	uint64_t v = 0, limit = neg ? (uint64_t)0 - (uint64_t)min : (uint64_t)max;
	bool ok;

	s += neg;
	ok = *s != '\0' && (neg ? min < 0 : max >= 0);
	for (; ok && *s; s++) {
		uint64_t d = (uint64_t)(*s - '0');

		ok = *s >= '0' && *s <= '9' && v <= (UINT64_MAX - d) / 10;
		v = v * 10 + d;
	}
	ok = ok && v <= limit;
	if (ok)
		*out = neg ? (int64_t)((uint64_t)0 - v) : (int64_t)v;
	return ok && *out >= min && *out <= max;
}

enum api_field api_query_int(const struct http_request *rq, const char *key, int64_t min,
			     int64_t max, int64_t *out)
{
	char text[24];
	enum api_field f = api_query(rq, key, text, sizeof(text));

	if (f == API_FIELD_OK && !parse_int(text, min, max, out))
		f = API_FIELD_BAD;
	return f;
}
