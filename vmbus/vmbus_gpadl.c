/*
 * GPADL reassembly with bounds (server) and splitting (client).  The range
 * buffer is treated as a stream of 8-byte words: a range header is one
 * word, so body messages simply continue the stream wherever the header
 * message stopped.
 */
#include "vmbus_gpadl.h"
#include "vmbus_err.h"

#include <lib/string.h>

static uint32_t pages_spanned(uint32_t byte_offset, uint32_t byte_count)
{
	uint64_t end = (uint64_t)byte_offset + byte_count;

	return (uint32_t)((end + VMBUS_PAGE_SIZE - 1) >> VMBUS_PAGE_SHIFT);
}

/* Walks the complete word stream: ranges must consume it exactly. */
static int check_ranges(struct vmbus_gpadl *g)
{
	uint32_t w = 0, pages = 0;

	for (uint32_t r = 0; r < g->range_count; r++) {
		uint32_t count, offset, n;

		if (w >= g->words_expected)
			return -VMBUS_E_MALFORMED;
		count = (uint32_t)g->words[w];
		offset = (uint32_t)(g->words[w] >> 32);
		if (count == 0 || offset >= VMBUS_PAGE_SIZE)
			return -VMBUS_E_MALFORMED;
		n = pages_spanned(offset, count);
		w++;
		if (n > g->words_expected - w)
			return -VMBUS_E_MALFORMED;
		for (uint32_t i = 0; i < n; i++)
			if (g->words[w + i] >= VMBUS_PFN_LIMIT)
				return -VMBUS_E_MALFORMED;
		w += n;
		pages += n;
	}
	if (w != g->words_expected)
		return -VMBUS_E_MALFORMED;
	g->page_count = pages;
	g->state = VMBUS_GPADL_CREATED;
	return 1;
}

static int take_words(struct vmbus_gpadl *g, const struct vmbus_msg *m)
{
	size_t n = m->tail_len / 8;

	if (n > g->words_expected - g->words_received)
		return -VMBUS_E_MALFORMED;
	for (size_t i = 0; i < n; i++)
		g->words[g->words_received + i] = vmbus_msg_word(m, i);
	g->words_received += (uint32_t)n;
	if (g->words_received < g->words_expected)
		return 0;
	return check_ranges(g);
}

int vmbus_gpadl_begin(struct vmbus_gpadl *g, const struct vmbus_msg *m)
{
	const struct vmbus_msg_gpadl_header *h = &m->u.gpadl_header;

	if (m->type != VMBUS_MSG_GPADL_HEADER)
		return -VMBUS_E_INVAL;
	if (h->range_count == 0 || h->range_buflen % 8 != 0 || h->range_buflen < 16)
		return -VMBUS_E_MALFORMED;
	if (h->range_count > VMBUS_GPADL_MAX_RANGES ||
	    h->range_buflen / 8u > VMBUS_GPADL_MAX_WORDS)
		return -VMBUS_E_LIMIT;
	g->state = VMBUS_GPADL_RECEIVING;
	g->handle = h->gpadl;
	g->child_relid = h->child_relid;
	g->range_count = h->range_count;
	g->words_expected = h->range_buflen / 8u;
	g->words_received = 0;
	g->page_count = 0;
	return take_words(g, m);
}

int vmbus_gpadl_add(struct vmbus_gpadl *g, const struct vmbus_msg *m)
{
	if (m->type != VMBUS_MSG_GPADL_BODY || g->state != VMBUS_GPADL_RECEIVING)
		return -VMBUS_E_INVAL;
	return take_words(g, m);
}

int vmbus_gpadl_get_range(const struct vmbus_gpadl *g, uint32_t idx, struct vmbus_gpadl_range *r)
{
	uint32_t w = 0;

	if (g->state != VMBUS_GPADL_CREATED || idx >= g->range_count)
		return -VMBUS_E_NOTFOUND;
	/* Ranges were checked when the GPADL completed, so the walk stays inside words[]. */
	for (uint32_t i = 0;; i++) {
		r->byte_count = (uint32_t)g->words[w];
		r->byte_offset = (uint32_t)(g->words[w] >> 32);
		r->first_word = w + 1;
		r->page_count = pages_spanned(r->byte_offset, r->byte_count);
		if (i == idx)
			return 0;
		w += 1 + r->page_count;
	}
}

uint64_t vmbus_gpadl_pfn(const struct vmbus_gpadl *g, uint32_t i)
{
	struct vmbus_gpadl_range r;

	if (g->state != VMBUS_GPADL_CREATED || i >= g->page_count)
		return VMBUS_PFN_LIMIT;
	for (uint32_t idx = 0; vmbus_gpadl_get_range(g, idx, &r) == 0; idx++) {
		if (i < r.page_count)
			return g->words[r.first_word + i];
		i -= r.page_count;
	}
	return VMBUS_PFN_LIMIT;
}

uint32_t vmbus_gpadl_msg_count(uint32_t npages)
{
	if (npages <= VMBUS_GPADL_HEADER_PFNS)
		return 1;
	return 1 + (npages - VMBUS_GPADL_HEADER_PFNS + VMBUS_GPADL_BODY_WORDS - 1) /
		   VMBUS_GPADL_BODY_WORDS;
}

int vmbus_gpadl_build(struct vmbus_outbox *ob, uint32_t conn_id, uint32_t child_relid,
		      uint32_t handle, const uint64_t *pfns, uint32_t npages)
{
	uint64_t words[1 + VMBUS_GPADL_HEADER_PFNS];
	struct vmbus_msg m;
	uint32_t done, n;
	int err;

	if (npages == 0)
		return -VMBUS_E_INVAL;
	if (npages > VMBUS_GPADL_MAX_PAGES)
		return -VMBUS_E_LIMIT;
	if (vmbus_outbox_room(ob) < vmbus_gpadl_msg_count(npages))
		return -VMBUS_E_NOSPACE;
	memset(&m, 0, sizeof(m));
	m.type = VMBUS_MSG_GPADL_HEADER;
	m.u.gpadl_header.child_relid = child_relid;
	m.u.gpadl_header.gpadl = handle;
	m.u.gpadl_header.range_count = 1;
	m.u.gpadl_header.range_buflen = (uint16_t)(8u * (1u + npages));
	n = npages < VMBUS_GPADL_HEADER_PFNS ? npages : VMBUS_GPADL_HEADER_PFNS;
	words[0] = (uint64_t)npages * VMBUS_PAGE_SIZE;   /* byte_count, byte_offset 0 */
	memcpy(&words[1], pfns, n * sizeof(uint64_t));
	m.tail = (const uint8_t *)words;
	m.tail_len = 8u * (1u + n);
	err = vmbus_outbox_push(ob, conn_id, &m);
	for (done = n; err == 0 && done < npages; done += n) {
		n = npages - done < VMBUS_GPADL_BODY_WORDS ? npages - done : VMBUS_GPADL_BODY_WORDS;
		memset(&m, 0, sizeof(m));
		m.type = VMBUS_MSG_GPADL_BODY;
		m.u.gpadl_body.gpadl = handle;
		m.tail = (const uint8_t *)&pfns[done];
		m.tail_len = 8u * n;
		err = vmbus_outbox_push(ob, conn_id, &m);
	}
	return err < 0 ? err : (int)vmbus_gpadl_msg_count(npages);
}
