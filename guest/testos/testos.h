/*
 * testos's parts: the self-test suite, the exit-cost benchmark and the
 * crash knobs, each run from kernel_main according to the command line.
 */
#ifndef TESTOS_H
#define TESTOS_H

#include <hv/start_info.h>
#include <stdbool.h>
#include <stddef.h>

/* isolation: end with the stage-2 check that must fault the partition. */
void selftest_run(const struct start_info *si, bool isolation);
void bench_run(void);
/* Returns only if the crash did not stop the partition (or kind is unknown). */
void crash_run(const struct start_info *si, const char *kind, size_t kind_len);

#endif
