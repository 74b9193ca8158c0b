/*
 * SHA-256 (FIPS 180-4) for the freestanding runtime and host tools: the
 * management API compares the hash of a presented bearer token with the
 * hashes in hv.cfg, and `hvcfg hash-token` computes them.  Streaming
 * interface plus a one-shot helper; no allocation, no libc.
 */
#ifndef LIB_SHA256_H
#define LIB_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32u
#define SHA256_BLOCK_LEN 64u

struct sha256 {
	uint32_t h[8];
	uint64_t total;                 /* bytes hashed so far */
	uint8_t block[SHA256_BLOCK_LEN];
	size_t fill;                    /* bytes waiting in block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Writes the digest; s must be re-initialised before further use. */
void sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST_LEN]);
void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_LEN]);

#endif
