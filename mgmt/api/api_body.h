/*
 * Request bodies: one JSON object, tokenised by jsmn (never by hand), its
 * members read by name with type checks.  Unknown members are ignored
 * (API_SPEC), a member whose value is null counts as absent, duplicates
 * and trailing bytes are refused.  On any refusal
 * `err` holds the 400 message ("timeoutSeconds must be an integer").
 */
#ifndef MGMT_API_BODY_H
#define MGMT_API_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"

#define API_BODY_TOKENS 64

struct api_body {
	const char *js;
	size_t len;
	int ntok;                   /* 0 for an empty body */
	struct api_body_tok { int type, start, end, size; } tok[API_BODY_TOKENS];
	char err[128];
};

/*
 * Tokenises rq's body.  An empty body counts as {} when empty_ok, else
 * it is refused.  false (with err) when the body is not one JSON object.
 */
bool api_body_parse(struct api_body *b, const struct http_request *rq, bool empty_ok);

/* Member lookups: API_FIELD_BAD (with err) when present with another type or out of range. */
enum api_field api_body_bool(struct api_body *b, const char *key, bool *out);
enum api_field api_body_int(struct api_body *b, const char *key, int64_t min, int64_t max,
			    int64_t *out);
/*
 * A string member, unescaped to UTF-8 into out (NUL-terminated); BAD if
 * it holds more than max_chars bytes (after unescaping), fewer than
 * min_chars, or a NUL.
 */
enum api_field api_body_str(struct api_body *b, const char *key, size_t min_chars,
			    size_t max_chars, char *out, size_t cap);

#endif
