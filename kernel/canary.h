/*
 * The memory canary (knob `canary` of the root and testos): the last MiB
 * of the partition's RAM holds an address-dependent pattern and its
 * checksum; canary_check re-verifies both, so a write into this
 * partition's RAM from anywhere else (another partition, hv restarting
 * a neighbour) shows up as "<kernel>: canary CORRUPTED ...".
 */
#ifndef KERNEL_CANARY_H
#define KERNEL_CANARY_H

#include <hv/start_info.h>
#include <stdbool.h>

#define CANARY_BYTES (1ull << 20)

/* Fills the pattern and prints "<kernel>: canary armed at 0x...". */
void canary_init(const struct start_info *si);
bool canary_armed(void);
/* Prints "<kernel>: canary ok <n>" or the CORRUPTED line; false if corrupted. */
bool canary_check(void);

#endif
