/*
 * Command-line parsing for partition kernels: the command line from
 * start_info is words separated by blanks, each `key` or `key=value`.
 * When a key appears more than once, the last word wins (cmdline_find);
 * knobs that may repeat walk the words with cmdline_next.  Values are
 * counted strings into the command line, parsed by the helpers below.
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cmdline_word {
	const char *key;
	size_t key_len;
	const char *value; /* NULL for a bare `key` */
	size_t value_len;
};

/* Iterates: *cursor starts at the command line; false after the last word. */
bool cmdline_next(const char **cursor, struct cmdline_word *word);

/* The last word with this key; false if there is none. */
bool cmdline_find(const char *cmdline, const char *key, struct cmdline_word *word);
/* The key is present (as `key` or `key=anything`). */
bool cmdline_has(const char *cmdline, const char *key);
/* The key's last word is exactly `key=value`. */
bool cmdline_is(const char *cmdline, const char *key, const char *value);
/* Copies the last value of key into buf (terminated); false if absent or bare. */
bool cmdline_get(const char *cmdline, const char *key, char *buf, size_t size);

/* Compares a counted word (key or value) with a C string. */
bool cmdline_eq(const char *s, size_t len, const char *text);

/* Like cmdline_next, but skips words whose key is one of known[0..n). */
bool cmdline_next_unknown(const char **cursor, const char *const *known, size_t n,
			  struct cmdline_word *word);

/*
 * Splits s[0..len) at the first sep: returns the length of the part
 * before it; *rest and *rest_len get the part after it (NULL, 0 if no sep).
 */
size_t cmdline_split(const char *s, size_t len, char sep, const char **rest, size_t *rest_len);

/*
 * An unsigned number filling all of s[0..len): base 10, or 16 with a
 * "0x" prefix; base 16 reads hexadecimal with or without the prefix.
 * False on no digits, a bad digit or overflow.
 */
bool cmdline_parse_u64(const char *s, size_t len, unsigned int base, uint64_t *out);

#endif
