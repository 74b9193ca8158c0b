/*
 * The knob registry (knobs.h): the linker collects every ROOT_KNOB into
 * section root_knobs, sorted by rank, and names its bounds.
 */
#include "knobs.h"

#include <lib/string.h>

extern const struct root_knob *const __start_root_knobs[] __attribute__((visibility("hidden")));
extern const struct root_knob *const __stop_root_knobs[] __attribute__((visibility("hidden")));

#define FOR_EACH_KNOB(k) \
	for (const struct root_knob *const *k = __start_root_knobs; k < __stop_root_knobs; k++)

/* Runs hook(args) of every knob that has it. */
#define CALL_EACH(hook, ...) \
	FOR_EACH_KNOB(k) \
		if ((*k)->hook) \
			(*k)->hook(__VA_ARGS__)

bool knob_guest_seconds(const struct cmdline_word *w, char name[HV_NAME_LEN], uint64_t *seconds)
{
	const char *rest;
	size_t rest_len, n;

	n = w->value ? cmdline_split(w->value, w->value_len, ':', &rest, &rest_len) : 0;
	if (!w->value || rest == NULL || n == 0 || n >= HV_NAME_LEN ||
	    !cmdline_parse_u64(rest, rest_len, 10, seconds))
		return false;
	memcpy(name, w->value, n);
	name[n] = '\0';
	return true;
}

bool knobs_known(const char *key, size_t len)
{
	FOR_EACH_KNOB(k)
		if (cmdline_eq(key, len, (*k)->name))
			return true;
	return false;
}

void knobs_configure(const struct knob_env *env)
{
	CALL_EACH(configure, env);
}

bool knobs_serve(const struct knob_env *env, uint16_t port)
{
	FOR_EACH_KNOB(k)
		if ((*k)->serve && (*k)->serve(env, port))
			return true;
	return false;
}

void knobs_start(const struct knob_env *env)
{
	CALL_EACH(start, env);
}

void knobs_poll(uint64_t now_ms)
{
	CALL_EACH(poll, now_ms);
}

void knobs_second(void)
{
	CALL_EACH(second);
}
