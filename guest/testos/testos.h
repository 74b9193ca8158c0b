/*
 * testos's parts: the self-test suite, the exit-cost benchmark, the
 * crash and hostile knobs, each run from kernel_main according to the
 * command line.
 */
#ifndef TESTOS_H
#define TESTOS_H

#include <hv/start_info.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* isolation: end with the stage-2 check that must fault the partition. */
void selftest_run(const struct start_info *si, bool isolation);
void bench_run(void);
/* Returns only if the crash did not stop the partition (or kind is unknown). */
void crash_run(const struct start_info *si, const char *kind, size_t kind_len);
/* Every hostile= word: the refused kinds first, then the faulting ones. */
void hostile_run(const char *cmdline);
/*
 * Root-only call `code` (0x8010-0x8017) with well-formed arguments aimed
 * at partition 0: the full result, HV_CALL_NOT_READY for other codes.
 */
uint64_t mgmt_call(uint16_t code);
uint64_t mgmt_file_call(void);
/* The guest additions with the simulated machine (additions_os.c); returns only on failure. */
void additions_run(const struct start_info *si, const char *cmdline);

#endif
