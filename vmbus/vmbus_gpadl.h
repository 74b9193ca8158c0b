/*
 * GPADLs (guest physical address descriptor lists): how a guest lends
 * pages to the server.  The server side reassembles GPADL_HEADER and
 * GPADL_BODY messages into a bounded descriptor and checks its ranges;
 * the client side splits a page list into those messages.
 */
#ifndef VMBUS_GPADL_H
#define VMBUS_GPADL_H

#include <stdint.h>

#include "vmbus_msg.h"

#define VMBUS_GPADL_MAX_PAGES 512u   /* 2 MiB: more than any ring we offer needs */
#define VMBUS_GPADL_MAX_RANGES 8u
#define VMBUS_GPADL_MAX_WORDS (VMBUS_GPADL_MAX_PAGES + VMBUS_GPADL_MAX_RANGES)
#define VMBUS_PFN_LIMIT (1ull << 40) /* 52-bit physical addresses */

enum vmbus_gpadl_state {
	VMBUS_GPADL_FREE = 0,
	VMBUS_GPADL_RECEIVING,  /* header seen, body words outstanding */
	VMBUS_GPADL_CREATED,    /* complete and checked */
};

/* Server-side descriptor; the caller provides an array of them. */
struct vmbus_gpadl {
	uint8_t state;
	uint16_t range_count;
	uint32_t handle;
	uint32_t child_relid;
	uint32_t words_expected;   /* range_buflen / 8 */
	uint32_t words_received;
	uint32_t page_count;       /* set once complete */
	/* The range buffer as 8-byte words: per range {byte_count | byte_offset << 32, pfn...}. */
	uint64_t words[VMBUS_GPADL_MAX_WORDS];
};

struct vmbus_gpadl_range {
	uint32_t byte_count;
	uint32_t byte_offset;      /* into the first page */
	uint32_t first_word;       /* index of the first PFN in words[] */
	uint32_t page_count;
};

/*
 * Starts g from a decoded GPADL_HEADER.  Returns 1 when the header held
 * the whole range buffer (g is then CREATED and checked), 0 when body
 * messages must follow, or -VMBUS_E_LIMIT / -VMBUS_E_MALFORMED.
 */
int vmbus_gpadl_begin(struct vmbus_gpadl *g, const struct vmbus_msg *m);

/* Adds a decoded GPADL_BODY to a RECEIVING g; same returns as vmbus_gpadl_begin. */
int vmbus_gpadl_add(struct vmbus_gpadl *g, const struct vmbus_msg *m);

/* Range idx of a CREATED g.  Returns 0 or -VMBUS_E_NOTFOUND. */
int vmbus_gpadl_get_range(const struct vmbus_gpadl *g, uint32_t idx, struct vmbus_gpadl_range *r);

/* PFN of page i counting across ranges, or VMBUS_PFN_LIMIT when i is out of range. */
uint64_t vmbus_gpadl_pfn(const struct vmbus_gpadl *g, uint32_t i);

/*
 * Client side: appends the GPADL_HEADER and GPADL_BODY messages describing
 * one range of npages whole pages (byte offset 0) to ob, all posted on
 * conn_id.  Checks the outbox has room for all of them first.  Returns the
 * number of messages or -VMBUS_E_INVAL / -VMBUS_E_LIMIT / -VMBUS_E_NOSPACE.
 */
int vmbus_gpadl_build(struct vmbus_outbox *ob, uint32_t conn_id, uint32_t child_relid,
		      uint32_t handle, const uint64_t *pfns, uint32_t npages);

/* Messages vmbus_gpadl_build needs for npages. */
uint32_t vmbus_gpadl_msg_count(uint32_t npages);

#endif
