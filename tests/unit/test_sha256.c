/*
 * Unit tests of lib/sha256.c with the FIPS 180-4 example messages (NIST
 * CSRC examples): "abc", the empty string, the 448-bit message, a million
 * 'a's, plus the padding boundaries (55, 56 and 64 bytes) and streaming in
 * odd pieces, which must give the one-shot digest.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <lib/sha256.h>
#include <stdio.h>
#include <string.h>

static void hex(const uint8_t d[SHA256_DIGEST_LEN], char out[65])
{
	for (unsigned i = 0; i < SHA256_DIGEST_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void check(const void *msg, size_t len, const char *expect)
{
	uint8_t d[SHA256_DIGEST_LEN];
	char text[65];

	sha256(msg, len, d);
	hex(d, text);
	assert_string_equal(text, expect);
}

static void test_abc(void **state)
{
	(void)state;
	check("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_empty(void **state)
{
	(void)state;
	check("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_448_bits(void **state)
{
	static const char m[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	(void)state;
	check(m, strlen(m), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_million_a(void **state)
{
	struct sha256 s;
	uint8_t d[SHA256_DIGEST_LEN], piece[1000];
	char text[65];

	(void)state;
	memset(piece, 'a', sizeof(piece));
	sha256_init(&s);
	for (unsigned i = 0; i < 1000; i++)
		sha256_update(&s, piece, sizeof(piece));
	sha256_final(&s, d);
	hex(d, text);
	assert_string_equal(text, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* 55 bytes: the length still fits the block; 56: it needs a second block; 64: a full block. */
static void test_padding_boundaries(void **state)
{
	char m[64];

	(void)state;
	memset(m, 'a', sizeof(m));
	check(m, 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	check(m, 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
	check(m, 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

static void test_streaming_matches_one_shot(void **state)
{
	uint8_t msg[300], one[SHA256_DIGEST_LEN], streamed[SHA256_DIGEST_LEN];
	struct sha256 s;

	(void)state;
	for (unsigned i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 3);
	sha256(msg, sizeof(msg), one);
	for (size_t step = 1; step < 70; step += 3) {
		sha256_init(&s);
		for (size_t off = 0; off < sizeof(msg); off += step)
			sha256_update(&s, msg + off, off + step > sizeof(msg) ? sizeof(msg) - off : step);
		sha256_final(&s, streamed);
		assert_memory_equal(one, streamed, SHA256_DIGEST_LEN);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abc),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_448_bits),
		cmocka_unit_test(test_million_a),
		cmocka_unit_test(test_padding_boundaries),
		cmocka_unit_test(test_streaming_matches_one_shot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
