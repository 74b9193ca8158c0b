/*
 * ivmctl's view of a JSON document: jsmn tokenizes it (no tokenizer of
 * our own), these helpers walk the tokens by key and index and decode
 * strings; ivm_json_quote is the small writer for request bodies.
 */
#ifndef IVMCTL_JSON_H
#define IVMCTL_JSON_H

#include <stdbool.h>
#include <stddef.h>

enum ivm_json_type {
	IVM_JSON_NONE,   /* no such token (index -1) */
	IVM_JSON_OBJECT,
	IVM_JSON_ARRAY,
	IVM_JSON_STRING,
	IVM_JSON_NUMBER,
	IVM_JSON_BOOL,
	IVM_JSON_NULL,
};

struct ivm_json {
	const char *text;
	size_t len;
	void *tokens;  /* jsmntok_t[count], kept out of this header */
	int count;
};

/* 0, or -1 when text is not one complete JSON value. Token 0 is the root. */
int ivm_json_parse(struct ivm_json *j, const char *text, size_t len);
void ivm_json_free(struct ivm_json *j);

enum ivm_json_type ivm_json_type(const struct ivm_json *j, int idx);
/* The value of member `key` of object obj, or -1. */
int ivm_json_key(const struct ivm_json *j, int obj, const char *key);
/* Element n of array arr, or -1. */
int ivm_json_elem(const struct ivm_json *j, int arr, int n);
/* Member n of object obj: its value (key index in *key), or -1. */
int ivm_json_member(const struct ivm_json *j, int obj, int n, int *key);
/* Elements of an array or members of an object; 0 for anything else. */
int ivm_json_count(const struct ivm_json *j, int idx);
/*
 * A token as text (malloc'd): a string decoded (escapes, \u with
 * surrogate pairs to UTF-8; a lone surrogate becomes U+FFFD), a number,
 * true/false/null as written; NULL for idx -1 or a container.
 */
char *ivm_json_text(const struct ivm_json *j, int idx);
bool ivm_json_int(const struct ivm_json *j, int idx, long long *out);
bool ivm_json_bool(const struct ivm_json *j, int idx, bool *out);
/* The member as text, or `fallback` (copied) when absent or null. */
char *ivm_json_get_text(const struct ivm_json *j, int obj, const char *key,
			const char *fallback);

/* s as a quoted JSON string (malloc'd), every control character escaped. */
char *ivm_json_quote(const char *s);

#endif
