/*
 * A JSON writer into a caller's buffer: values are escaped as RFC 8259
 * asks, commas are placed by the writer, and running out of room sets
 * `overflow` instead of writing past the end (the caller answers 500 or
 * retries with a bigger buffer).  Parsing is jsmn's job, never ours.
 */
#ifndef MGMT_JSON_WRITE_H
#define MGMT_JSON_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JW_MAX_DEPTH 16

struct jw {
	char *buf;
	size_t cap, len;
	bool overflow;
	unsigned depth;
	bool need_comma[JW_MAX_DEPTH];
};

void jw_init(struct jw *w, char *buf, size_t cap);
void jw_obj_begin(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w);
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *key);      /* inside an object, before its value */
void jw_str(struct jw *w, const char *s);
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, int64_t v);
void jw_uint(struct jw *w, uint64_t v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* A property the guest or hv may not have reported yet: the value, or null. */
void jw_str_or_null(struct jw *w, const char *s);          /* NULL: null */
void jw_uint_or_null(struct jw *w, bool known, uint64_t v);
void jw_bool_or_null(struct jw *w, bool known, bool v);
void jw_hresult(struct jw *w, uint32_t hr);      /* "0x80070057" */
/* Raw text already in JSON form (a nested object written elsewhere). */
void jw_raw(struct jw *w, const char *json, size_t n);

#endif
