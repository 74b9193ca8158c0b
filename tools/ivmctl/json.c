/*
 * JSON for ivmctl: jsmn (strict mode) tokenizes the server's answers;
 * this file walks its tokens and decodes string escapes, and quotes the
 * strings ivmctl puts into request bodies.  Nothing here trusts the
 * server: every index is checked, and nesting depth costs no stack.
 */
#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include "json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const jsmntok_t *tok(const struct ivm_json *j, int idx)
{
	return idx >= 0 && idx < j->count ? &((const jsmntok_t *)j->tokens)[idx] : NULL;
}

static bool only_space(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	}
	return true;
}

int ivm_json_parse(struct ivm_json *j, const char *text, size_t len)
{
	jsmn_parser p;
	int n;

	*j = (struct ivm_json){ .text = text, .len = len };
	jsmn_init(&p);
	n = jsmn_parse(&p, text, len, NULL, 0);
	if (n <= 0)
		return -1;
	j->tokens = calloc((size_t)n, sizeof(jsmntok_t));
	if (j->tokens == NULL)
		return -1;
	jsmn_init(&p);
	j->count = jsmn_parse(&p, text, len, j->tokens, (unsigned)n);
	/* One value and nothing after it (jsmn would read on). */
	if (j->count != n || !only_space(text + tok(j, 0)->end, len - (size_t)tok(j, 0)->end)) {
		ivm_json_free(j);
		return -1;
	}
	return 0;
}

void ivm_json_free(struct ivm_json *j)
{
	free(j->tokens);
	j->tokens = NULL;
	j->count = 0;
}

enum ivm_json_type ivm_json_type(const struct ivm_json *j, int idx)
{
	const jsmntok_t *t = tok(j, idx);
	char c;

	if (t == NULL)
		return IVM_JSON_NONE;
	if (t->type == JSMN_OBJECT)
		return IVM_JSON_OBJECT;
	if (t->type == JSMN_ARRAY)
		return IVM_JSON_ARRAY;
	if (t->type == JSMN_STRING)
		return IVM_JSON_STRING;
	c = j->text[t->start];
	return c == 'n' ? IVM_JSON_NULL : c == 't' || c == 'f' ? IVM_JSON_BOOL : IVM_JSON_NUMBER;
}

/* The token after idx's whole subtree: tokens are in text order. */
static int after(const struct ivm_json *j, int idx)
{
	const jsmntok_t *t = tok(j, idx);
	int next = idx + 1;

	if (t == NULL)
		return j->count;
	while (next < j->count && tok(j, next)->start < t->end)
		next++;
	return next;
}

int ivm_json_count(const struct ivm_json *j, int idx)
{
	enum ivm_json_type type = ivm_json_type(j, idx);

	return type == IVM_JSON_OBJECT || type == IVM_JSON_ARRAY ? tok(j, idx)->size : 0;
}

int ivm_json_elem(const struct ivm_json *j, int arr, int n)
{
	int idx = arr + 1;

	if (ivm_json_type(j, arr) != IVM_JSON_ARRAY || n < 0 || n >= tok(j, arr)->size)
		return -1;
	for (int i = 0; i < n && idx < j->count; i++)
		idx = after(j, idx);
	return idx < j->count ? idx : -1;
}

int ivm_json_member(const struct ivm_json *j, int obj, int n, int *key)
{
	int idx = obj + 1;

	if (ivm_json_type(j, obj) != IVM_JSON_OBJECT || n < 0 || n >= tok(j, obj)->size)
		return -1;
	for (int i = 0; i < n && idx < j->count; i++)
		idx = after(j, idx + 1);
	if (idx + 1 >= j->count)
		return -1;
	*key = idx;
	return idx + 1;
}

/* A key token equal to key, escapes decoded. */
static bool key_is(const struct ivm_json *j, int idx, const char *key)
{
	char *text = ivm_json_text(j, idx);
	bool same = text != NULL && strcmp(text, key) == 0;

	free(text);
	return same;
}

int ivm_json_key(const struct ivm_json *j, int obj, const char *key)
{
	int k, value;

	for (int n = 0; n < ivm_json_count(j, obj) && ivm_json_type(j, obj) == IVM_JSON_OBJECT; n++) {
		value = ivm_json_member(j, obj, n, &k);
		if (value >= 0 && key_is(j, k, key))
			return value;
	}
	return -1;
}

static int hex4(const char *s, size_t left, unsigned *out)
{
	unsigned v = 0;

	if (left < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (d < 0)
			return -1;
		v = v << 4 | (unsigned)d;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *dst, unsigned cp)
{
	if (cp < 0x80) {
		dst[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		dst[0] = (char)(0xc0 | cp >> 6);
		dst[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		dst[0] = (char)(0xe0 | cp >> 12);
		dst[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		dst[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	dst[0] = (char)(0xf0 | cp >> 18);
	dst[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	dst[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	dst[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* \uXXXX at s (after the backslash-u), a surrogate pair taken whole. */
static unsigned read_unicode(const char *s, size_t left, size_t *used)
{
	unsigned hi, lo;

	*used = 4;
	if (hex4(s, left, &hi) != 0) {
		*used = 0;
		return 0xfffd;
	}
	if (hi < 0xd800 || hi > 0xdfff)
		return hi;
	if (hi < 0xdc00 && left >= 10 && s[4] == '\\' && s[5] == 'u' &&
	    hex4(s + 6, left - 6, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
		*used = 10;
		return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	}
	return 0xfffd;
}

/* Decodes a string token's escapes; the result is never longer than the source. */
static char *decode(const char *s, size_t len)
{
	char *out = malloc(len + 1), *d = out;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
		const char *e;
		size_t used;

		if (s[i] != '\\' || i + 1 == len) {
			*d++ = s[i];
			continue;
		}
		i++;
		e = strchr(from, s[i]);
		if (s[i] == 'u') {
			d += put_utf8(d, read_unicode(s + i + 1, len - i - 1, &used));
			i += used;
		} else if (e != NULL && *e != '\0') {
			*d++ = to[e - from];
		} else {
			*d++ = s[i];
		}
	}
	*d = '\0';
	return out;
}

char *ivm_json_text(const struct ivm_json *j, int idx)
{
	const jsmntok_t *t = tok(j, idx);
	size_t len;
	char *out;

	if (t == NULL || t->type == JSMN_OBJECT || t->type == JSMN_ARRAY)
		return NULL;
	len = (size_t)(t->end - t->start);
	if (t->type == JSMN_STRING)
		return decode(j->text + t->start, len);
	out = malloc(len + 1);
	if (out != NULL) {
		memcpy(out, j->text + t->start, len);
		out[len] = '\0';
	}
	return out;
}

bool ivm_json_int(const struct ivm_json *j, int idx, long long *out)
{
	char *text, *end;
	bool ok;

	if (ivm_json_type(j, idx) != IVM_JSON_NUMBER)
		return false;
	text = ivm_json_text(j, idx);
	if (text == NULL)
		return false;
	*out = strtoll(text, &end, 10);
	ok = end != text && *end == '\0';
	free(text);
	return ok;
}

bool ivm_json_bool(const struct ivm_json *j, int idx, bool *out)
{
	if (ivm_json_type(j, idx) != IVM_JSON_BOOL)
		return false;
	*out = j->text[tok(j, idx)->start] == 't';
	return true;
}

char *ivm_json_get_text(const struct ivm_json *j, int obj, const char *key, const char *fallback)
{
	int idx = ivm_json_key(j, obj, key);
	char *text = NULL;

	if (ivm_json_type(j, idx) != IVM_JSON_NULL)
		text = ivm_json_text(j, idx);
	return text != NULL ? text : strdup(fallback);
}

char *ivm_json_quote(const char *s)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (f == NULL)
		return NULL;
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
	fclose(f);
	return buf;
}
