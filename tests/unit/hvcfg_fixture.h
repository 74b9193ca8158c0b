/*
 * What the hv.cfg unit tests (test_hvcfg.c, test_hvcfg_mgmt.c) share: the
 * parse result and error of the last parse, parsing a text with one line
 * replaced, and checking that an error names the right line.  Include it
 * once, after cmocka.h.
 */
#ifndef TESTS_UNIT_HVCFG_FIXTURE_H
#define TESTS_UNIT_HVCFG_FIXTURE_H

#include <hv/config_desc.h>
#include <stdio.h>
#include <string.h>

static struct hvcfg cfg;
static struct hvcfg_error err;

static inline int parse(const char *text)
{
	return hvcfg_parse(text, strlen(text), &cfg, &err);
}

/* Parses `base` with line `number` (1-based) replaced by `line`. */
static inline int parse_replacing(const char *base, unsigned number, const char *line)
{
	static char text[4096];
	const char *src = base;
	char *dst = text;

	for (unsigned n = 1; *src != '\0'; n++) {
		const char *end = strchr(src, '\n');

		if (n == number)
			dst += sprintf(dst, "%s\n", line);
		else
			dst += sprintf(dst, "%.*s\n", (int)(end - src), src);
		src = end + 1;
	}
	return parse(text);
}

/* The last parse failed on `line` with a message containing `fragment`. */
static inline void expect_error(unsigned line, const char *fragment)
{
	assert_int_equal(err.line, line);
	if (strstr(err.message, fragment) == NULL)
		fail_msg("message '%s' lacks '%s'", err.message, fragment);
}

/* `base` with line `number` replaced by `line` is refused on err_line, for fragment. */
static inline void expect_refused_in(const char *base, unsigned number, const char *line,
				     unsigned err_line, const char *fragment)
{
	if (parse_replacing(base, number, line) != -1)
		fail_msg("'%s' on line %u was accepted", line, number);
	expect_error(err_line, fragment);
}

#endif
