/*
 * A fuzz input read as a script (fuzz_hypercall.c, fuzz_pci_cfg.c,
 * fuzz_nic_rings.c): little-endian fields taken from the front, each
 * reading 0 for the bytes past the end, so every input is a whole script.
 * Include it once per target.
 */
#ifndef TESTS_FUZZ_FUZZ_INPUT_H
#define TESTS_FUZZ_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct fuzz_input {
	const uint8_t *p;
	size_t left;
};

/* The next `bytes` bytes (at most 8) as a little-endian number. */
static inline uint64_t fuzz_take(struct fuzz_input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && in->left != 0; i++, in->left--)
		v |= (uint64_t)*in->p++ << (8 * i);
	return v;
}

#endif
