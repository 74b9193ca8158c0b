/*
 * Command-line parsing for partition kernels: the command line from
 * start_info is words separated by blanks, each `key` or `key=value`.
 * When a key appears more than once, the last word wins.
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

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

#endif
