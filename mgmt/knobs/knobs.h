/*
 * The root's knobs: words of its command line (`name` or `name=value`)
 * that tune it or make it run a test (docs/testing.md, "Partition
 * kernels").  Each knob is a file in mgmt/knobs/ that registers a struct
 * root_knob with ROOT_KNOB; the linker gathers the registrations (section
 * root_knobs, kernel/partition.ld), so the root's main names no knob and a
 * new knob touches no other file.
 *
 * The hooks are optional and run for every registered knob, in the order
 * of their rank, whether its word was given or not: each knob reads the
 * command line for its own word(s), as a knob that may repeat has to.
 */
#ifndef MGMT_KNOBS_H
#define MGMT_KNOBS_H

#include <hv/hypercall.h>
#include <hv/start_info.h>
#include <kernel/cmdline.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the root tells its knobs. */
struct knob_env {
	const struct start_info *si;
	const char *cmdline;            /* si->cmdline */
	bool managed;                   /* partition management (hypercalls, event ring) is up */
};

struct root_knob {
	/* The word; the root warns about words no knob names. */
	const char *name;
	/* Only when managed, before the bus, the API and the network start. */
	void (*configure)(const struct knob_env *env);
	/* The network is up: true if the knob serves the management port (instead of the API). */
	bool (*serve)(const struct knob_env *env, uint16_t port);
	/* Before the main loop; may take long, calling root_poll meanwhile. */
	void (*start)(const struct knob_env *env);
	/* Every root_poll, after the bus and guestos. */
	void (*poll)(uint64_t now_ms);
	/* Once a second, after the "root: alive" line. */
	void (*second)(void);
};

/*
 * Registers knob (a struct root_knob) with a two-digit rank: hooks run
 * in rank order (linker sort by section name), so one that must come
 * first takes a lower rank.
 */
#define ROOT_KNOB(knob, rank) \
	static const struct root_knob *const root_knob_##knob \
	__attribute__((used, section("root_knobs." #rank))) = &(knob)

/*
 * For knobs whose value is <guest>:<seconds>: the guest's name into name
 * (NUL-terminated) and the seconds; false when w has no such value.
 */
bool knob_guest_seconds(const struct cmdline_word *w, char name[HV_NAME_LEN], uint64_t *seconds);

/* For the root's main: is key (len bytes) a knob's word? */
bool knobs_known(const char *key, size_t len);
/* Each runs that hook of every knob. */
void knobs_configure(const struct knob_env *env);
/* true when a knob took the management port. */
bool knobs_serve(const struct knob_env *env, uint16_t port);
void knobs_start(const struct knob_env *env);
void knobs_poll(uint64_t now_ms);
void knobs_second(void);

#endif
