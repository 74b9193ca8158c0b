/*
 * Command-line parsing: words separated by spaces or tabs, each `key` or
 * `key=value` (the first '=' splits).  No quoting; hv hands the kernel the
 * unquoted cmdline string from hv.cfg.
 */
#include <kernel/cmdline.h>
#include <lib/ctype.h>

#include <lib/string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool cmdline_eq(const char *s, size_t len, const char *text)
{
	return strlen(text) == len && memcmp(s, text, len) == 0;
}

bool cmdline_next(const char **cursor, struct cmdline_word *word)
{
	const char *p = *cursor, *start, *eq = NULL;

	while (*p != '\0' && is_blank(*p))
		p++;
	if (*p == '\0') {
		*cursor = p;
		return false;
	}
	start = p;
	for (; *p != '\0' && !is_blank(*p); p++) {
		if (*p == '=' && eq == NULL)
			eq = p;
	}
	word->key = start;
	if (eq != NULL) {
		word->key_len = (size_t)(eq - start);
		word->value = eq + 1;
		word->value_len = (size_t)(p - eq - 1);
	} else {
		word->key_len = (size_t)(p - start);
		word->value = NULL;
		word->value_len = 0;
	}
	*cursor = p;
	return true;
}

bool cmdline_find(const char *cmdline, const char *key, struct cmdline_word *word)
{
	struct cmdline_word w;
	bool found = false;

	while (cmdline_next(&cmdline, &w)) {
		if (cmdline_eq(w.key, w.key_len, key)) {
			*word = w;
			found = true;
		}
	}
	return found;
}

bool cmdline_has(const char *cmdline, const char *key)
{
	struct cmdline_word w;

	return cmdline_find(cmdline, key, &w);
}

bool cmdline_is(const char *cmdline, const char *key, const char *value)
{
	struct cmdline_word w;

	return cmdline_find(cmdline, key, &w) && w.value != NULL &&
	       cmdline_eq(w.value, w.value_len, value);
}

bool cmdline_get(const char *cmdline, const char *key, char *buf, size_t size)
{
	struct cmdline_word w;
	size_t n;

	if (size == 0 || !cmdline_find(cmdline, key, &w) || w.value == NULL)
		return false;
	n = w.value_len < size - 1 ? w.value_len : size - 1;
	memcpy(buf, w.value, n);
	buf[n] = '\0';
	return true;
}

bool cmdline_next_unknown(const char **cursor, const char *const *known, size_t n,
			  struct cmdline_word *word)
{
	while (cmdline_next(cursor, word)) {
		size_t i = 0;

		while (i < n && !cmdline_eq(word->key, word->key_len, known[i]))
			i++;
		if (i == n)
			return true;
	}
	return false;
}

size_t cmdline_split(const char *s, size_t len, char sep, const char **rest, size_t *rest_len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == sep) {
			*rest = s + i + 1;
			*rest_len = len - i - 1;
			return i;
		}
	}
	*rest = NULL;
	*rest_len = 0;
	return len;
}

bool cmdline_parse_u64(const char *s, size_t len, unsigned int base, uint64_t *out)
{
	uint64_t v = 0;
	bool prefixed = len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');

	if (prefixed && (base == 0 || base == 16)) {
		base = 16;
		s += 2;
		len -= 2;
	} else if (base == 0) {
		base = 10;
	}
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		int d = lib_hex_digit(s[i]);

		if (d < 0 || d >= (int)base || v > (UINT64_MAX - (uint64_t)d) / base)
			return false;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return true;
}
