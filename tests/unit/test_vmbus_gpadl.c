/*
 * Unit tests of GPADL splitting (client) and reassembly with bounds
 * (server): message counts at the 26/28-PFN boundaries, the 512-page
 * limit, multi-range descriptors and every malformed-range refusal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../vmbus/vmbus_err.h"
#include "../../vmbus/vmbus_gpadl.h"

static struct vmbus_outbox ob;
static struct vmbus_gpadl g;
static uint64_t pfns[VMBUS_GPADL_MAX_PAGES + 1];

static void fill_pfns(void)
{
	for (uint32_t i = 0; i <= VMBUS_GPADL_MAX_PAGES; i++)
		pfns[i] = 0x100000 + i * 3;
}

/* Feeds every message of the outbox to g; returns the last step's result. */
static int reassemble(void)
{
	struct vmbus_msg m;
	int rc = -1;

	for (uint32_t i = 0; i < ob.count; i++) {
		assert_int_equal(vmbus_msg_parse(ob.msg[i].data, ob.msg[i].len, &m), 0);
		rc = i == 0 ? vmbus_gpadl_begin(&g, &m) : vmbus_gpadl_add(&g, &m);
		if (rc != 0)
			break;
	}
	return rc;
}

static void round_trip(uint32_t npages, uint32_t expect_msgs)
{
	vmbus_outbox_reset(&ob);
	memset(&g, 0, sizeof(g));
	assert_int_equal(vmbus_gpadl_msg_count(npages), expect_msgs);
	assert_int_equal(vmbus_gpadl_build(&ob, 4, 7, 0xe1e10, pfns, npages), (int)expect_msgs);
	assert_int_equal(ob.count, expect_msgs);
	assert_int_equal(reassemble(), 1);
	assert_int_equal(g.state, VMBUS_GPADL_CREATED);
	assert_int_equal(g.page_count, npages);
	assert_int_equal(g.handle, 0xe1e10);
	assert_int_equal(g.child_relid, 7);
	for (uint32_t i = 0; i < npages; i++)
		assert_int_equal(vmbus_gpadl_pfn(&g, i), pfns[i]);
	assert_int_equal(vmbus_gpadl_pfn(&g, npages), VMBUS_PFN_LIMIT);
}

static void test_split_and_reassemble(void **state)
{
	(void)state;
	fill_pfns();
	round_trip(1, 1);
	round_trip(26, 1);
	round_trip(27, 2);
	round_trip(26 + 28, 2);
	round_trip(26 + 28 + 1, 3);
	round_trip(512, 19);
}

static void test_message_shapes(void **state)
{
	struct vmbus_msg m;

	(void)state;
	fill_pfns();
	vmbus_outbox_reset(&ob);
	assert_int_equal(vmbus_gpadl_build(&ob, 4, 1, 9, pfns, 100), 4);
	assert_int_equal(ob.msg[0].len, 20 + 8 + 26 * 8);   /* 236: Linux's header size */
	assert_int_equal(ob.msg[1].len, 16 + 28 * 8);       /* 240 */
	assert_int_equal(ob.msg[3].len, 16 + (100 - 26 - 56) * 8);
	assert_int_equal(vmbus_msg_parse(ob.msg[0].data, ob.msg[0].len, &m), 0);
	assert_int_equal(m.u.gpadl_header.range_buflen, 8 * 101);
	assert_int_equal(m.u.gpadl_header.range_count, 1);
	assert_int_equal(vmbus_msg_word(&m, 0), 100 * 4096);   /* byte_count, offset 0 */
	assert_int_equal(ob.msg[2].conn_id, 4);
}

static void test_build_limits(void **state)
{
	(void)state;
	fill_pfns();
	vmbus_outbox_reset(&ob);
	assert_int_equal(vmbus_gpadl_build(&ob, 4, 1, 9, pfns, 0), -VMBUS_E_INVAL);
	assert_int_equal(vmbus_gpadl_build(&ob, 4, 1, 9, pfns, 513), -VMBUS_E_LIMIT);
	ob.count = VMBUS_OUTBOX_MAX - 2;
	assert_int_equal(vmbus_gpadl_build(&ob, 4, 1, 9, pfns, 100), -VMBUS_E_NOSPACE);
	assert_int_equal(ob.count, VMBUS_OUTBOX_MAX - 2);   /* nothing half-sent */
}

/* A GPADL_HEADER carrying the given words in one message. */
static int begin_words(uint16_t range_count, uint16_t buflen, const uint64_t *w, size_t n)
{
	struct vmbus_msg m;

	memset(&m, 0, sizeof(m));
	memset(&g, 0, sizeof(g));
	m.type = VMBUS_MSG_GPADL_HEADER;
	m.u.gpadl_header.gpadl = 5;
	m.u.gpadl_header.child_relid = 2;
	m.u.gpadl_header.range_count = range_count;
	m.u.gpadl_header.range_buflen = buflen;
	m.tail = (const uint8_t *)w;
	m.tail_len = n * 8;
	return vmbus_gpadl_begin(&g, &m);
}

#define RANGE(count, offset) ((uint64_t)(count) | (uint64_t)(offset) << 32)

static void test_multi_range(void **state)
{
	const uint64_t w[] = { RANGE(100, 4000), 10, 11, RANGE(8192, 0), 20, 21 };
	struct vmbus_gpadl_range r;

	(void)state;
	assert_int_equal(begin_words(2, sizeof(w), w, 6), 1);
	assert_int_equal(g.page_count, 4);
	assert_int_equal(vmbus_gpadl_get_range(&g, 0, &r), 0);
	assert_int_equal(r.byte_offset, 4000);
	assert_int_equal(r.page_count, 2);
	assert_int_equal(vmbus_gpadl_get_range(&g, 1, &r), 0);
	assert_int_equal(r.first_word, 4);
	assert_int_equal(r.byte_count, 8192);
	assert_int_equal(vmbus_gpadl_get_range(&g, 2, &r), -VMBUS_E_NOTFOUND);
	assert_int_equal(vmbus_gpadl_pfn(&g, 2), 20);
	assert_int_equal(vmbus_gpadl_pfn(&g, 3), 21);
}

static void test_malformed_ranges(void **state)
{
	const uint64_t one[] = { RANGE(4096, 0), 10 };
	const uint64_t off[] = { RANGE(4096, 4096), 10, 11 };
	const uint64_t zero[] = { RANGE(0, 0), 10 };
	const uint64_t big_pfn[] = { RANGE(4096, 0), 1ull << 40 };
	const uint64_t extra[] = { RANGE(4096, 0), 10, 11 };
	const uint64_t spans[] = { RANGE(4097, 0), 10 };

	(void)state;
	assert_int_equal(begin_words(1, 16, one, 2), 1);
	assert_int_equal(begin_words(2, 16, one, 2), -VMBUS_E_MALFORMED);   /* range missing */
	assert_int_equal(begin_words(1, 24, off, 3), -VMBUS_E_MALFORMED);   /* offset >= page */
	assert_int_equal(begin_words(1, 16, zero, 2), -VMBUS_E_MALFORMED);
	assert_int_equal(begin_words(1, 16, big_pfn, 2), -VMBUS_E_MALFORMED);
	assert_int_equal(begin_words(1, 24, extra, 3), -VMBUS_E_MALFORMED); /* words left over */
	assert_int_equal(begin_words(1, 16, spans, 2), -VMBUS_E_MALFORMED); /* needs 2 PFNs */
	assert_int_equal(begin_words(0, 16, one, 2), -VMBUS_E_MALFORMED);
	assert_int_equal(begin_words(1, 8, one, 1), -VMBUS_E_MALFORMED);    /* no page at all */
	assert_int_equal(begin_words(9, 16, one, 2), -VMBUS_E_LIMIT);
	assert_int_equal(begin_words(1, 8 * (VMBUS_GPADL_MAX_WORDS + 1), one, 2), -VMBUS_E_LIMIT);
}

static void test_body_overflow(void **state)
{
	const uint64_t w[] = { RANGE(3 * 4096, 0), 10 };
	const uint64_t more[] = { 11, 12, 13 };
	struct vmbus_msg m;

	(void)state;
	assert_int_equal(begin_words(1, 32, w, 2), 0);
	assert_int_equal(g.state, VMBUS_GPADL_RECEIVING);
	memset(&m, 0, sizeof(m));
	m.type = VMBUS_MSG_GPADL_BODY;
	m.tail = (const uint8_t *)more;
	m.tail_len = sizeof(more);
	assert_int_equal(vmbus_gpadl_add(&g, &m), -VMBUS_E_MALFORMED);    /* 3 words, 2 missing */
	m.tail_len = 8;
	assert_int_equal(vmbus_gpadl_add(&g, &m), 0);
	assert_int_equal(vmbus_gpadl_add(&g, &m), 1);
	assert_int_equal(vmbus_gpadl_pfn(&g, 2), 11);
	assert_int_equal(vmbus_gpadl_add(&g, &m), -VMBUS_E_INVAL);        /* already complete */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_and_reassemble),
		cmocka_unit_test(test_message_shapes),
		cmocka_unit_test(test_build_limits),
		cmocka_unit_test(test_multi_range),
		cmocka_unit_test(test_malformed_ranges),
		cmocka_unit_test(test_body_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
