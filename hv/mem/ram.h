/*
 * Host RAM for partitions: carved from the regions the loader reported
 * free, in 2 MiB-aligned blocks, never below 16 MiB (firmware and legacy
 * devices live there).  Blocks are handed out once at start-up; each
 * partition keeps its block for hv's lifetime.
 */
#ifndef HV_RAM_H
#define HV_RAM_H

#include <hv/boot_info.h>
#include <stdint.h>

void ram_init(const struct boot_info *bi);

/* A block of `size` bytes at `base` (0 = anywhere); returns its address or 0. */
uint64_t ram_claim(uint64_t base, uint64_t size);

/* Bytes still free in blocks of at least 2 MiB. */
uint64_t ram_free_bytes(void);

#endif
