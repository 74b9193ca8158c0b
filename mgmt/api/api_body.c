/*
 * Request bodies (api_body.h).  jsmn tokenises; this file only checks
 * what jsmn leaves to its user: that the body is exactly one object, that
 * primitives are true, false, null or RFC 8259 numbers, that strings hold
 * no raw control characters, and it unescapes the strings handlers read.
 * The only translation unit that compiles jsmn's implementation.
 */
#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include "api_body.h"

#include <lib/ctype.h>
#include <lib/format.h>
#include <lib/string.h>

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 8259 section 6: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool valid_number(const char *s, size_t n)
{
	size_t i = 0;
	bool ok;

	i += i < n && s[i] == '-';
	ok = i < n && is_digit(s[i]);
	if (ok && s[i] == '0')
		i++;
	else
		while (i < n && is_digit(s[i]))
			i++;
	if (ok && i < n && s[i] == '.') {
		ok = ++i < n && is_digit(s[i]);
		while (i < n && is_digit(s[i]))
			i++;
	}
	if (ok && i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		i += i < n && (s[i] == '+' || s[i] == '-');
		ok = i < n && is_digit(s[i]);
		while (i < n && is_digit(s[i]))
			i++;
	}
	return ok && i == n;
}

static bool text_is(const struct api_body *b, int t, const char *lit)
{
	size_t n = (size_t)(b->tok[t].end - b->tok[t].start);

	return strlen(lit) == n && memcmp(b->js + b->tok[t].start, lit, n) == 0;
}

/* What jsmn accepts but RFC 8259 does not. */
static bool tokens_valid(const struct api_body *b)
{
	bool ok = true;

	for (int t = 0; t < b->ntok && ok; t++) {
		const char *s = b->js + b->tok[t].start;
		size_t n = (size_t)(b->tok[t].end - b->tok[t].start);

		if (b->tok[t].type == JSMN_PRIMITIVE)
			ok = text_is(b, t, "true") || text_is(b, t, "false") || text_is(b, t, "null") ||
			     valid_number(s, n);
		else if (b->tok[t].type == JSMN_STRING)
			for (size_t i = 0; i < n && ok; i++)
				ok = (unsigned char)s[i] >= 0x20;
	}
	return ok;
}

/* Index of the token after t and everything inside it. */
static int skip(const struct api_body *b, int t)
{
	int pending = 1;

	while (pending > 0 && t < b->ntok) {
		pending += b->tok[t].size;
		pending--;
		t++;
	}
	return t;
}

static bool keys_unique(struct api_body *b)
{
	bool ok = true;

	for (int k = 1; k < b->ntok && ok; k = skip(b, k + 1)) {
		for (int j = skip(b, k + 1); j < b->ntok && ok; j = skip(b, j + 1)) {
			ok = !(b->tok[j].end - b->tok[j].start == b->tok[k].end - b->tok[k].start &&
			       memcmp(b->js + b->tok[j].start, b->js + b->tok[k].start,
				      (size_t)(b->tok[k].end - b->tok[k].start)) == 0);
			if (!ok)
				fmt_snprintf(b->err, sizeof(b->err), "member \"%.*s\" appears twice",
					     b->tok[k].end - b->tok[k].start, b->js + b->tok[k].start);
		}
	}
	return ok;
}

static bool only_space(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && is_space(s[i]))
		i++;
	return i == n;
}

bool api_body_parse(struct api_body *b, const struct http_request *rq, bool empty_ok)
{
	jsmntok_t tok[API_BODY_TOKENS];
	jsmn_parser p;
	int n;
	bool ok;

	b->js = rq->body ? rq->body : "";
	b->len = rq->body ? rq->body_len : 0;
	b->ntok = 0;
	b->err[0] = '\0';
	if (only_space(b->js, b->len)) {
		if (!empty_ok)
			fmt_snprintf(b->err, sizeof(b->err), "a JSON object body is required");
		return empty_ok;
	}
	jsmn_init(&p);
	n = jsmn_parse(&p, b->js, b->len, tok, API_BODY_TOKENS);
	for (int i = 0; i < n; i++) {
		b->tok[i].type = tok[i].type;
		b->tok[i].start = tok[i].start;
		b->tok[i].end = tok[i].end;
		b->tok[i].size = tok[i].size;
	}
	b->ntok = n > 0 ? n : 0;
	ok = n > 0 && tok[0].type == JSMN_OBJECT && skip(b, 0) == n &&
	     only_space(b->js + tok[0].end, b->len - (size_t)tok[0].end) && tokens_valid(b);
	if (n == JSMN_ERROR_NOMEM)
		fmt_snprintf(b->err, sizeof(b->err), "the body has more than %d JSON tokens",
			     API_BODY_TOKENS);
	else if (!ok)
		fmt_snprintf(b->err, sizeof(b->err), "the body is not one valid JSON object");
	ok = ok && keys_unique(b);
	if (!ok)
		b->ntok = 0;
	return ok;
}

/* The value token of top-level member key, or -1. */
static int member(const struct api_body *b, const char *key)
{
	size_t klen = strlen(key);
	int found = -1;

	for (int k = 1; k < b->ntok && found < 0; k = skip(b, k + 1))
		if ((size_t)(b->tok[k].end - b->tok[k].start) == klen &&
		    memcmp(b->js + b->tok[k].start, key, klen) == 0)
			found = k + 1;
	return found;
}

static enum api_field bad(struct api_body *b, const char *key, const char *what)
{
	fmt_snprintf(b->err, sizeof(b->err), "%s must be %s", key, what);
	return API_FIELD_BAD;
}

enum api_field api_body_bool(struct api_body *b, const char *key, bool *out)
{
	int v = member(b, key);

	if (v < 0 || (b->tok[v].type == JSMN_PRIMITIVE && text_is(b, v, "null")))
		return API_FIELD_ABSENT;
	if (b->tok[v].type != JSMN_PRIMITIVE || !(text_is(b, v, "true") || text_is(b, v, "false")))
		return bad(b, key, "true or false");
	*out = text_is(b, v, "true");
	return API_FIELD_OK;
}

enum api_field api_body_int(struct api_body *b, const char *key, int64_t min, int64_t max,
			    int64_t *out)
{
	int v = member(b, key);
	const char *s;
	size_t n, i;
	bool neg;
	uint64_t mag = 0;
	char what[80];

	if (v < 0 || (b->tok[v].type == JSMN_PRIMITIVE && text_is(b, v, "null")))
		return API_FIELD_ABSENT;
	fmt_snprintf(what, sizeof(what), "an integer from %lld to %lld", (long long)min,
		     (long long)max);
	s = b->js + b->tok[v].start;
	n = (size_t)(b->tok[v].end - b->tok[v].start);
	neg = n > 0 && s[0] == '-';
	if (b->tok[v].type != JSMN_PRIMITIVE || !valid_number(s, n))
		return bad(b, key, what);
	/* Digits only (no fraction or exponent), at most 19 so mag cannot overflow. */
	for (i = neg; i < n && is_digit(s[i]) && i - neg < 19; i++)
		mag = mag * 10 + (uint64_t)(s[i] - '0');
	if (i != n || (neg && mag > (uint64_t)INT64_MAX + 1) || (!neg && mag > (uint64_t)INT64_MAX))
		return bad(b, key, what);
	*out = neg ? (int64_t)((uint64_t)0 - mag) : (int64_t)mag;
	return *out < min || *out > max ? bad(b, key, what) : API_FIELD_OK;
}

/* Appends code point cp as UTF-8; false if out has no room. */
static bool put_utf8(char *out, size_t cap, size_t *o, uint32_t cp)
{
	uint8_t u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (uint8_t)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (uint8_t)(0xC0 | cp >> 6);
		u[1] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (uint8_t)(0xE0 | cp >> 12);
		u[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (uint8_t)(0xF0 | cp >> 18);
		u[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 4;
	}
	if (cap - *o <= n)
		return false;
	memcpy(out + *o, u, n);
	*o += n;
	return true;
}

/* Four hex digits at s (n bytes left) as a number, or -1. */
static int32_t hex4(const char *s, size_t n)
{
	int32_t v = 0;

	for (size_t i = 0; i < 4; i++) {
		int d = i < n ? lib_hex_digit(s[i]) : -1;

		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/*
 * One escape at s[0] == '\\' (n bytes left): the code point it stands for
 * (a surrogate pair counts as one) and how many bytes it used; -1 if invalid.
 */
static int32_t unescape_one(const char *s, size_t n, size_t *used)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e = n > 1 ? strchr(from, s[1]) : NULL;
	int32_t cp = -1, lo;

	*used = 2;
	if (e && *e)
		cp = (unsigned char)to[e - from];
	else if (n > 1 && s[1] == 'u')
		cp = hex4(s + 2, n - 2);
	if (n > 1 && s[1] == 'u')
		*used = 6;
	/* A high surrogate must be followed by \u and a low one. */
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		lo = n >= 12 && s[6] == '\\' && s[7] == 'u' ? hex4(s + 8, n - 8) : -1;
		cp = lo >= 0xDC00 && lo <= 0xDFFF ? 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00) : -1;
		*used = 12;
	} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
		cp = -1;
	}
	return cp;
}

/* Unescapes string token t into out; false on a bad escape, a NUL or no room. */
static bool unescape(const struct api_body *b, int t, char *out, size_t cap, size_t *len)
{
	const char *s = b->js + b->tok[t].start;
	size_t n = (size_t)(b->tok[t].end - b->tok[t].start), o = 0, used;
	bool ok = cap > 0;

	for (size_t i = 0; i < n && ok; i += used) {
		used = 1;
		if (s[i] == '\\') {
			int32_t cp = unescape_one(s + i, n - i, &used);

			/* \u0000 would cut the C string the value travels as. */
			ok = cp > 0 && put_utf8(out, cap, &o, (uint32_t)cp);
		} else {
			ok = cap - o > 1;
			if (ok)
				out[o++] = s[i];
		}
	}
	if (cap > 0)
		out[o < cap ? o : cap - 1] = '\0';
	*len = o;
	return ok;
}

enum api_field api_body_str(struct api_body *b, const char *key, size_t min_chars,
			    size_t max_chars, char *out, size_t cap)
{
	int v = member(b, key);
	size_t len = 0;
	char what[64];

	if (v < 0 || (b->tok[v].type == JSMN_PRIMITIVE && text_is(b, v, "null")))
		return API_FIELD_ABSENT;
	fmt_snprintf(what, sizeof(what), "a string of %zu to %zu bytes", min_chars, max_chars);
	if (b->tok[v].type != JSMN_STRING || !unescape(b, v, out, cap, &len) || len < min_chars ||
	    len > max_chars)
		return bad(b, key, what);
	return API_FIELD_OK;
}
