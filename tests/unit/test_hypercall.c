/*
 * The hypercall argument checks (hv/hypercall/), on the fake machine
 * (hv_fake.h) with three partitions: the root (id 0), a running guest g1
 * (id 1) and g2 (id 2, Off), each with 2 MiB of RAM between guard pages,
 * so an access hv made past a caller's RAM would fault the test.  One
 * row per case: caller, RCX input value, RDX and R8, the input block,
 * and the HV_STATUS hv must return.  Bad input values (reserved bits, rep
 * counts, the fast flag), unknown codes, parameter blocks misaligned,
 * outside the caller's RAM or straddling its end, bad lengths, rep-less
 * calls with counts, GPAs outside the partition named, overlapping
 * mappings, root-only calls from a guest.  Then the effects of calls that
 * succeed: what is written, mapped or refused as a whole.
 *
 * Where the truth comes from: docs/hypercalls.md (calling convention,
 * status codes and when each is returned, every call's parameters and
 * refusals, the root map window and "all or nothing"), which follows the
 * TLFS "Hypercall interface" (input value layout: code 15:0, fast 16, rep
 * count 43:32, rep start 59:48; HvPostMessage and HvSignalEvent).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "hv_fake.h"

#include <synic/connection.h>

#include <hv/hypercall.h>
#include <hv/mgmtcfg.h>
#include <hv/start_info.h>

enum who { ROOT, GUEST };

#define RAM (2ull << 20)
#define PAGE 0x1000ull        /* the hypercall page */
#define IN 0x10000ull         /* the input block */
#define OUT 0x20000ull        /* the output block */
#define SIMP 0x30000ull       /* the root's SynIC pages */
#define SIEFP 0x31000ull
#define HOLE (3ull << 30)     /* the MMIO hole: never RAM */
#define HIGH (4ull << 30)     /* RAM above 3 GiB would be here: these partitions have none */
#define WINDOW HV_ROOT_MAP_WINDOW_BASE
#define WINDOW_END (HV_ROOT_MAP_WINDOW_BASE + HV_ROOT_MAP_WINDOW_SIZE)

#define FAST(code) ((code) | HV_HYPERCALL_FAST)
#define REP_COUNT(n) ((uint64_t)(n) << 32)
#define REP_START(n) ((uint64_t)(n) << 48)

/* The connections the fixture creates (docs/hypercalls.md "Synthetic bus"). */
#define CONN_MSG 7u         /* g1 -> root vCPU 0, SINT 2, messages */
#define CONN_EVENT 8u       /* g1 -> root vCPU 0, SINT 3, flags 100..101 */
#define CONN_OFF 9u         /* g1 -> g2 (Off), messages */

/* Input blocks: each fills the block at the row's RDX. */
typedef void fill_fn(uint8_t *block);

static void console_5(uint8_t *b) { *(uint32_t *)b = 5; memcpy(b + 8, "hello", 5); }
static void console_1024(uint8_t *b) { *(uint32_t *)b = 1024; memset(b + 8, 'x', 1024); }
static void console_1025(uint8_t *b) { *(uint32_t *)b = 1025; }
static void console_0(uint8_t *b) { *(uint32_t *)b = 0; }
static void console_1(uint8_t *b) { *(uint32_t *)b = 1; }
static void ref_1(uint8_t *b) { *(uint32_t *)b = 1; }
static void ref_3(uint8_t *b) { *(uint32_t *)b = 3; }
static void ref_all_ones(uint8_t *b) { *(uint32_t *)b = 0xffffffffu; }

static void post(uint8_t *b, uint32_t conn, uint32_t reserved, uint32_t type, uint32_t size)
{
	struct hv_post_message m = { conn, reserved, type, size, "hi" };

	memcpy(b, &m, sizeof(m));
}
static void post_ok(uint8_t *b) { post(b, CONN_MSG, 0, 1, 2); }
static void post_240(uint8_t *b) { post(b, CONN_MSG, 0, 1, 240); }
static void post_241(uint8_t *b) { post(b, CONN_MSG, 0, 1, 241); }
static void post_reserved(uint8_t *b) { post(b, CONN_MSG, 1, 1, 2); }
static void post_type_0(uint8_t *b) { post(b, CONN_MSG, 0, 0, 2); }
static void post_type_hv(uint8_t *b) { post(b, CONN_MSG, 0, 0x80000001u, 2); }
static void post_unknown(uint8_t *b) { post(b, 99, 0, 1, 2); }
static void post_on_event(uint8_t *b) { post(b, CONN_EVENT, 0, 1, 2); }
static void post_target_off(uint8_t *b) { post(b, CONN_OFF, 0, 1, 2); }
static void post_id_high_bits(uint8_t *b) { post(b, 0xff000000u | CONN_MSG, 0, 1, 2); }

static void conn(uint8_t *b, struct hv_connection c) { memcpy(b, &c, sizeof(c)); }
static void conn_ok(uint8_t *b) { conn(b, (struct hv_connection){ 20, 1, 0, 0, 4, 0, 0, 0, 0 }); }
static void conn_dup(uint8_t *b) { conn(b, (struct hv_connection){ CONN_MSG, 1, 0, 0, 4, 0, 0, 0, 0 }); }
static void conn_bad_part(uint8_t *b) { conn(b, (struct hv_connection){ 20, 1, 3, 0, 4, 0, 0, 0, 0 }); }
static void conn_bad_source(uint8_t *b) { conn(b, (struct hv_connection){ 20, 3, 0, 0, 4, 0, 0, 0, 0 }); }
static void conn_bad_vp(uint8_t *b) { conn(b, (struct hv_connection){ 20, 1, 0, 1, 4, 0, 0, 0, 0 }); }
static void conn_bad_sint(uint8_t *b) { conn(b, (struct hv_connection){ 20, 1, 0, 0, 16, 0, 0, 0, 0 }); }
static void conn_bad_type(uint8_t *b) { conn(b, (struct hv_connection){ 20, 1, 0, 0, 4, 2, 0, 0, 0 }); }
static void conn_no_flags(uint8_t *b) { conn(b, (struct hv_connection){ 20, 1, 0, 0, 4, 1, 0, 0, 0 }); }
static void conn_flags_past(uint8_t *b) { conn(b, (struct hv_connection){ 20, 1, 0, 0, 4, 1, 2000, 49, 0 }); }
static void conn_flags_end(uint8_t *b) { conn(b, (struct hv_connection){ 20, 1, 0, 0, 4, 1, 2000, 48, 0 }); }
static void conn_msg_flags(uint8_t *b) { conn(b, (struct hv_connection){ 20, 1, 0, 0, 4, 0, 0, 1, 0 }); }
static void conn_reserved(uint8_t *b) { conn(b, (struct hv_connection){ 20, 1, 0, 0, 4, 0, 0, 0, 1 }); }
static void conn_id_25_bits(uint8_t *b) { conn(b, (struct hv_connection){ 1u << 24, 1, 0, 0, 4, 0, 0, 0, 0 }); }
static void conn_unknown(uint8_t *b) { conn(b, (struct hv_connection){ 99, 1, 0, 0, 0, 0, 0, 0, 0 }); }

static void map(uint8_t *b, uint32_t partition, uint32_t count, uint64_t root_gpa, uint64_t first)
{
	struct hv_map_guest_pages *m = (struct hv_map_guest_pages *)b;

	m->partition = partition;
	m->count = count;
	m->root_gpa = root_gpa;
	for (uint32_t i = 0; i < HV_MAP_MAX_PAGES; i++)
		m->guest_gpa[i] = first + i * PAGE_SIZE;
}
static void map_ok(uint8_t *b) { map(b, 1, 4, WINDOW, 0x40000); }
static void map_max(uint8_t *b) { map(b, 1, HV_MAP_MAX_PAGES, WINDOW_END - HV_MAP_MAX_PAGES * PAGE_SIZE, 0); }
static void map_0(uint8_t *b) { map(b, 1, 0, WINDOW, 0x40000); }
static void map_481(uint8_t *b) { map(b, 1, HV_MAP_MAX_PAGES + 1, WINDOW, 0); }
static void map_self(uint8_t *b) { map(b, 0, 1, WINDOW, 0x40000); }
static void map_no_part(uint8_t *b) { map(b, 3, 1, WINDOW, 0x40000); }
static void map_unaligned(uint8_t *b) { map(b, 1, 1, WINDOW + 8, 0x40000); }
static void map_below(uint8_t *b) { map(b, 1, 1, WINDOW - PAGE_SIZE, 0x40000); }
static void map_past(uint8_t *b) { map(b, 1, 2, WINDOW_END - PAGE_SIZE, 0x40000); }
static void map_wrap(uint8_t *b) { map(b, 1, 1, ~0xfffull, 0x40000); }
static void map_guest_out(uint8_t *b) { map(b, 1, 2, WINDOW, RAM - PAGE_SIZE); }
static void map_guest_hole(uint8_t *b) { map(b, 1, 1, WINDOW, HOLE); }
static void map_guest_unaligned(uint8_t *b) { map(b, 1, 1, WINDOW, 0x40008); }

struct call_row {
	enum who caller;
	uint64_t input;   /* RCX */
	uint64_t rdx, r8;
	fill_fn *fill;    /* the block at RDX, or NULL */
	uint16_t status;
	const char *why;
};

static const struct call_row rows[] = {
	/* the input value (TLFS; docs: every other bit must be zero) */
	{ GUEST, 0x0000, IN, OUT, NULL, HV_STATUS_INVALID_HYPERCALL_CODE, "code 0" },
	{ GUEST, 0x0001, IN, OUT, NULL, HV_STATUS_INVALID_HYPERCALL_CODE, "a TLFS call hv lacks" },
	{ GUEST, 0x005e, IN, OUT, NULL, HV_STATUS_INVALID_HYPERCALL_CODE, "past HvSignalEvent" },
	{ GUEST, 0x8000, IN, OUT, NULL, HV_STATUS_INVALID_HYPERCALL_CODE, "first private code" },
	{ GUEST, 0x8005, IN, OUT, NULL, HV_STATUS_INVALID_HYPERCALL_CODE, "a gap" },
	{ GUEST, 0x80ff, IN, OUT, NULL, HV_STATUS_INVALID_HYPERCALL_CODE, "last private code" },
	{ GUEST, 0xffff, IN, OUT, NULL, HV_STATUS_INVALID_HYPERCALL_CODE, "code 0xffff" },
	{ GUEST, HVCALL_SELF_INFO | REP_COUNT(1), IN, OUT, NULL, HV_STATUS_INVALID_HYPERCALL_INPUT, "a rep count" },
	{ GUEST, HVCALL_SELF_INFO | REP_COUNT(0xfff), IN, OUT, NULL, HV_STATUS_INVALID_HYPERCALL_INPUT, "rep count 4095" },
	{ GUEST, HVCALL_SELF_INFO | REP_START(1), IN, OUT, NULL, HV_STATUS_INVALID_HYPERCALL_INPUT, "a rep start" },
	{ GUEST, HVCALL_SELF_INFO | 1ull << 17, IN, OUT, NULL, HV_STATUS_INVALID_HYPERCALL_INPUT, "bit 17" },
	{ GUEST, HVCALL_SELF_INFO | 1ull << 31, IN, OUT, NULL, HV_STATUS_INVALID_HYPERCALL_INPUT, "bit 31" },
	{ GUEST, HVCALL_SELF_INFO | 1ull << 44, IN, OUT, NULL, HV_STATUS_INVALID_HYPERCALL_INPUT, "bit 44" },
	{ GUEST, HVCALL_SELF_INFO | 1ull << 63, IN, OUT, NULL, HV_STATUS_INVALID_HYPERCALL_INPUT, "bit 63" },
	{ GUEST, FAST(HVCALL_SELF_INFO), IN, OUT, NULL, HV_STATUS_INVALID_HYPERCALL_INPUT, "memory call made fast" },
	{ GUEST, HVCALL_TEST_INJECT, 0x40, 0, NULL, HV_STATUS_INVALID_HYPERCALL_INPUT, "fast call without the flag" },
	{ GUEST, HVCALL_SELF_INFO, IN, OUT, NULL, HV_STATUS_SUCCESS, "a well-formed call" },
	/* parameter blocks: 8-byte aligned, inside the caller's RAM */
	{ GUEST, HVCALL_SELF_INFO, 0, OUT + 4, NULL, HV_STATUS_INVALID_ALIGNMENT, "output at +4" },
	{ GUEST, HVCALL_SELF_INFO, 0, OUT + 1, NULL, HV_STATUS_INVALID_ALIGNMENT, "output at +1" },
	{ GUEST, HVCALL_SELF_INFO, 0, RAM - sizeof(struct hv_self_info), NULL, HV_STATUS_SUCCESS, "output ends at the end of RAM" },
	{ GUEST, HVCALL_SELF_INFO, 0, RAM - sizeof(struct hv_self_info) + 8, NULL, HV_STATUS_INVALID_PARAMETER, "output straddles the end" },
	{ GUEST, HVCALL_SELF_INFO, 0, RAM, NULL, HV_STATUS_INVALID_PARAMETER, "output past RAM" },
	{ GUEST, HVCALL_SELF_INFO, 0, HOLE, NULL, HV_STATUS_INVALID_PARAMETER, "output in the MMIO hole" },
	{ GUEST, HVCALL_SELF_INFO, 0, HIGH, NULL, HV_STATUS_INVALID_PARAMETER, "output at 4 GiB" },
	{ GUEST, HVCALL_SELF_INFO, 0, ~7ull, NULL, HV_STATUS_INVALID_PARAMETER, "output at the top: would wrap" },
	{ GUEST, HVCALL_MEDIA_QUERY, 0, OUT, NULL, HV_STATUS_SUCCESS, "media query" },
	{ GUEST, HVCALL_MEDIA_QUERY, 0, RAM - 8, NULL, HV_STATUS_SUCCESS, "media query: last 8 bytes" },
	{ GUEST, HVCALL_MEDIA_QUERY, 0, RAM - 4, NULL, HV_STATUS_INVALID_ALIGNMENT, "media query misaligned" },
	{ GUEST, HVCALL_MEDIA_QUERY, 0, RAM, NULL, HV_STATUS_INVALID_PARAMETER, "media query past RAM" },
	/* console write: length at most 1024, text inside RAM */
	{ GUEST, HVCALL_CONSOLE_WRITE, IN, 0, console_5, HV_STATUS_SUCCESS, "5 bytes" },
	{ GUEST, HVCALL_CONSOLE_WRITE, IN, 0, console_1024, HV_STATUS_SUCCESS, "1024 bytes" },
	{ GUEST, HVCALL_CONSOLE_WRITE, IN, 0, console_1025, HV_STATUS_INVALID_PARAMETER, "1025 bytes" },
	{ GUEST, HVCALL_CONSOLE_WRITE, RAM - 8, 0, console_0, HV_STATUS_SUCCESS, "header in the last 8 bytes, no text" },
	{ GUEST, HVCALL_CONSOLE_WRITE, RAM - 8, 0, console_1, HV_STATUS_INVALID_PARAMETER, "text past RAM" },
	{ GUEST, HVCALL_CONSOLE_WRITE, RAM, 0, NULL, HV_STATUS_INVALID_PARAMETER, "header past RAM" },
	{ GUEST, HVCALL_CONSOLE_WRITE, IN + 2, 0, NULL, HV_STATUS_INVALID_ALIGNMENT, "header misaligned" },
	{ GUEST, FAST(HVCALL_CONSOLE_WRITE), IN, 0, console_5, HV_STATUS_INVALID_HYPERCALL_INPUT, "made fast" },
	/* test injection: vectors 32-255 */
	{ GUEST, FAST(HVCALL_TEST_INJECT), 32, 0, NULL, HV_STATUS_SUCCESS, "vector 32" },
	{ GUEST, FAST(HVCALL_TEST_INJECT), 255, 0, NULL, HV_STATUS_SUCCESS, "vector 255" },
	{ GUEST, FAST(HVCALL_TEST_INJECT), 31, 0, NULL, HV_STATUS_INVALID_PARAMETER, "vector 31: an exception" },
	{ GUEST, FAST(HVCALL_TEST_INJECT), 256, 0, NULL, HV_STATUS_INVALID_PARAMETER, "vector 256" },
	{ GUEST, FAST(HVCALL_TEST_INJECT), 1ull << 32 | 64, 0, NULL, HV_STATUS_INVALID_PARAMETER, "vector with high bits" },
	/* root-only calls from a guest: denied whatever the parameters */
	{ GUEST, HVCALL_PARTITION_LIST, 0, OUT, NULL, HV_STATUS_ACCESS_DENIED, "list" },
	{ GUEST, HVCALL_PARTITION_LIST | REP_COUNT(3), 0, RAM, NULL, HV_STATUS_ACCESS_DENIED, "list, bad input and block" },
	{ GUEST, HVCALL_PARTITION_STATUS, IN, OUT, ref_1, HV_STATUS_ACCESS_DENIED, "status of itself" },
	{ GUEST, FAST(HVCALL_PARTITION_START), 2, 0, NULL, HV_STATUS_ACCESS_DENIED, "start g2" },
	{ GUEST, FAST(HVCALL_PARTITION_STOP), 0, 0, NULL, HV_STATUS_ACCESS_DENIED, "stop the root" },
	{ GUEST, FAST(HVCALL_PARTITION_RESET), 1, 0, NULL, HV_STATUS_ACCESS_DENIED, "reset itself" },
	{ GUEST, FAST(HVCALL_EVENT_RING_SET), OUT, 0x40, NULL, HV_STATUS_ACCESS_DENIED, "event ring" },
	{ GUEST, HVCALL_HV_INFO, 0, OUT, NULL, HV_STATUS_ACCESS_DENIED, "hv's figures" },
	{ GUEST, HVCALL_MGMT_CONFIG, 0, OUT, NULL, HV_STATUS_ACCESS_DENIED, "the token hashes" },
	{ GUEST, FAST(HVCALL_MEDIA_ATTACH), 1, 1, NULL, HV_STATUS_ACCESS_DENIED, "media for itself" },
	{ GUEST, HVCALL_CONNECTION_CREATE, IN, 0, conn_ok, HV_STATUS_ACCESS_DENIED, "a connection" },
	{ GUEST, HVCALL_CONNECTION_DELETE, IN, 0, conn_dup, HV_STATUS_ACCESS_DENIED, "delete a connection" },
	{ GUEST, HVCALL_MAP_GUEST_PAGES, IN, 0, map_ok, HV_STATUS_ACCESS_DENIED, "map pages" },
	{ GUEST, HVCALL_UNMAP_GUEST_PAGES, IN, 0, map_ok, HV_STATUS_ACCESS_DENIED, "unmap pages" },
	/* the root's partition management */
	{ ROOT, HVCALL_PARTITION_LIST, 0, OUT, NULL, HV_STATUS_SUCCESS, "list" },
	{ ROOT, HVCALL_PARTITION_LIST, 0, RAM - 8, NULL, HV_STATUS_INVALID_PARAMETER, "list straddles the end" },
	{ ROOT, HVCALL_PARTITION_STATUS, IN, OUT, ref_1, HV_STATUS_SUCCESS, "status of g1" },
	{ ROOT, HVCALL_PARTITION_STATUS, IN, IN, ref_1, HV_STATUS_SUCCESS, "input and output overlap: read once" },
	{ ROOT, HVCALL_PARTITION_STATUS, IN, OUT, ref_3, HV_STATUS_INVALID_PARTITION_ID, "status of id 3" },
	{ ROOT, HVCALL_PARTITION_STATUS, IN, OUT, ref_all_ones, HV_STATUS_INVALID_PARTITION_ID, "status of id 0xffffffff" },
	{ ROOT, HVCALL_PARTITION_STATUS, RAM, OUT, NULL, HV_STATUS_INVALID_PARAMETER, "status: input past RAM" },
	{ ROOT, HVCALL_PARTITION_STATUS, IN, RAM - 8, ref_1, HV_STATUS_INVALID_PARAMETER, "status: output straddles" },
	{ ROOT, HVCALL_PARTITION_STATUS, IN + 4, OUT, NULL, HV_STATUS_INVALID_ALIGNMENT, "status: input misaligned" },
	{ ROOT, FAST(HVCALL_PARTITION_START), 0, 0, NULL, HV_STATUS_INVALID_PARAMETER, "start the root itself" },
	{ ROOT, FAST(HVCALL_PARTITION_START), 3, 0, NULL, HV_STATUS_INVALID_PARTITION_ID, "start id 3" },
	{ ROOT, FAST(HVCALL_PARTITION_START), 1ull << 32 | 2, 0, NULL, HV_STATUS_INVALID_PARTITION_ID, "start: RDX is the whole id" },
	{ ROOT, FAST(HVCALL_PARTITION_START), 1, 0, NULL, HV_STATUS_INVALID_PARTITION_STATE, "start g1, running" },
	{ ROOT, FAST(HVCALL_PARTITION_START), 2, 0, NULL, HV_STATUS_SUCCESS, "start g2, off" },
	{ ROOT, FAST(HVCALL_PARTITION_STOP), 2, 0, NULL, HV_STATUS_INVALID_PARTITION_STATE, "stop g2, off" },
	{ ROOT, FAST(HVCALL_PARTITION_STOP), 1, 0, NULL, HV_STATUS_SUCCESS, "stop g1" },
	{ ROOT, FAST(HVCALL_PARTITION_RESET), 0, 0, NULL, HV_STATUS_INVALID_PARAMETER, "reset the root itself" },
	{ ROOT, FAST(HVCALL_PARTITION_RESET), 1, 0, NULL, HV_STATUS_SUCCESS, "reset g1" },
	{ ROOT, HVCALL_PARTITION_START, 2, 0, NULL, HV_STATUS_INVALID_HYPERCALL_INPUT, "start without the fast flag" },
	{ ROOT, FAST(HVCALL_EVENT_RING_SET), OUT, 0x40, NULL, HV_STATUS_SUCCESS, "event ring" },
	{ ROOT, FAST(HVCALL_EVENT_RING_SET), OUT + 8, 0x40, NULL, HV_STATUS_INVALID_ALIGNMENT, "ring not page-aligned" },
	{ ROOT, FAST(HVCALL_EVENT_RING_SET), RAM, 0x40, NULL, HV_STATUS_INVALID_PARAMETER, "ring past RAM" },
	{ ROOT, FAST(HVCALL_EVENT_RING_SET), OUT, 31, NULL, HV_STATUS_INVALID_PARAMETER, "ring vector 31" },
	{ ROOT, FAST(HVCALL_EVENT_RING_SET), OUT, 256, NULL, HV_STATUS_INVALID_PARAMETER, "ring vector 256" },
	{ ROOT, HVCALL_HV_INFO, 0, OUT, NULL, HV_STATUS_SUCCESS, "hv's figures" },
	{ ROOT, HVCALL_HV_INFO, 0, RAM - 8, NULL, HV_STATUS_INVALID_PARAMETER, "hv's figures straddle" },
	{ ROOT, HVCALL_MGMT_CONFIG, 0, OUT, NULL, HV_STATUS_SUCCESS, "management configuration" },
	{ ROOT, HVCALL_MGMT_CONFIG, 0, RAM - 2048, NULL, HV_STATUS_INVALID_PARAMETER, "2912 bytes do not fit in 2048" },
	{ ROOT, FAST(HVCALL_MEDIA_ATTACH), 1, HV_MEDIA_ADDITIONS, NULL, HV_STATUS_SUCCESS, "attach to g1" },
	{ ROOT, FAST(HVCALL_MEDIA_ATTACH), 1, 2, NULL, HV_STATUS_INVALID_PARAMETER, "unknown medium" },
	{ ROOT, FAST(HVCALL_MEDIA_ATTACH), 0, 1, NULL, HV_STATUS_INVALID_PARAMETER, "the root's own drive" },
	{ ROOT, FAST(HVCALL_MEDIA_ATTACH), 3, 1, NULL, HV_STATUS_INVALID_PARTITION_ID, "id 3" },
	/* HvPostMessage (TLFS; docs "Synthetic bus") */
	{ GUEST, HVCALL_POST_MESSAGE, IN, 0, post_ok, HV_STATUS_SUCCESS, "a message to the root" },
	{ GUEST, HVCALL_POST_MESSAGE, IN, 0, post_240, HV_STATUS_SUCCESS, "240-byte payload" },
	{ GUEST, HVCALL_POST_MESSAGE, IN, 0, post_241, HV_STATUS_INVALID_PARAMETER, "241-byte payload" },
	{ GUEST, HVCALL_POST_MESSAGE, IN, 0, post_reserved, HV_STATUS_INVALID_PARAMETER, "reserved field set" },
	{ GUEST, HVCALL_POST_MESSAGE, IN, 0, post_type_0, HV_STATUS_INVALID_PARAMETER, "message type 0" },
	{ GUEST, HVCALL_POST_MESSAGE, IN, 0, post_type_hv, HV_STATUS_INVALID_PARAMETER, "hv's message types" },
	{ GUEST, HVCALL_POST_MESSAGE, IN, 0, post_unknown, HV_STATUS_INVALID_CONNECTION_ID, "no such connection" },
	{ GUEST, HVCALL_POST_MESSAGE, IN, 0, post_on_event, HV_STATUS_INVALID_CONNECTION_ID, "an event connection" },
	{ GUEST, HVCALL_POST_MESSAGE, IN, 0, post_target_off, HV_STATUS_INVALID_PARTITION_STATE, "target not running" },
	{ GUEST, HVCALL_POST_MESSAGE, IN, 0, post_id_high_bits, HV_STATUS_SUCCESS, "the id is 24 bits" },
	{ ROOT, HVCALL_POST_MESSAGE, IN, 0, post_ok, HV_STATUS_INVALID_CONNECTION_ID, "g1's connection, not the root's" },
	{ GUEST, HVCALL_POST_MESSAGE, RAM - 8, 0, NULL, HV_STATUS_INVALID_PARAMETER, "input straddles the end" },
	{ GUEST, HVCALL_POST_MESSAGE, IN + 4, 0, post_ok, HV_STATUS_INVALID_ALIGNMENT, "input misaligned" },
	{ GUEST, FAST(HVCALL_POST_MESSAGE), IN, 0, post_ok, HV_STATUS_INVALID_HYPERCALL_INPUT, "made fast" },
	/* HvSignalEvent: RDX = connection id 23:0 | flag number 47:32 */
	{ GUEST, FAST(HVCALL_SIGNAL_EVENT), CONN_EVENT, 0, NULL, HV_STATUS_SUCCESS, "flag 0" },
	{ GUEST, FAST(HVCALL_SIGNAL_EVENT), CONN_EVENT | 1ull << 32, 0, NULL, HV_STATUS_SUCCESS, "flag 1 of 2" },
	{ GUEST, FAST(HVCALL_SIGNAL_EVENT), CONN_EVENT | 2ull << 32, 0, NULL, HV_STATUS_INVALID_PARAMETER, "flag 2: past the count" },
	{ GUEST, FAST(HVCALL_SIGNAL_EVENT), CONN_EVENT | 0xffffull << 32, 0, NULL, HV_STATUS_INVALID_PARAMETER, "flag 65535" },
	{ GUEST, FAST(HVCALL_SIGNAL_EVENT), CONN_EVENT | 1ull << 24, 0, NULL, HV_STATUS_INVALID_PARAMETER, "reserved bit 24" },
	{ GUEST, FAST(HVCALL_SIGNAL_EVENT), CONN_EVENT | 1ull << 48, 0, NULL, HV_STATUS_INVALID_PARAMETER, "reserved bit 48" },
	{ GUEST, FAST(HVCALL_SIGNAL_EVENT), CONN_MSG, 0, NULL, HV_STATUS_INVALID_CONNECTION_ID, "a message connection" },
	{ GUEST, FAST(HVCALL_SIGNAL_EVENT), 99, 0, NULL, HV_STATUS_INVALID_CONNECTION_ID, "no such connection" },
	{ ROOT, FAST(HVCALL_SIGNAL_EVENT), CONN_EVENT, 0, NULL, HV_STATUS_INVALID_CONNECTION_ID, "g1's connection" },
	{ GUEST, HVCALL_SIGNAL_EVENT, CONN_EVENT, 0, NULL, HV_STATUS_INVALID_HYPERCALL_INPUT, "without the fast flag" },
	/* the root's connections */
	{ ROOT, HVCALL_CONNECTION_CREATE, IN, 0, conn_ok, HV_STATUS_SUCCESS, "a new route" },
	{ ROOT, HVCALL_CONNECTION_CREATE, IN, 0, conn_dup, HV_STATUS_INVALID_CONNECTION_ID, "duplicate (source, id)" },
	{ ROOT, HVCALL_CONNECTION_CREATE, IN, 0, conn_bad_part, HV_STATUS_INVALID_PARAMETER, "target partition 3" },
	{ ROOT, HVCALL_CONNECTION_CREATE, IN, 0, conn_bad_source, HV_STATUS_INVALID_PARAMETER, "source partition 3" },
	{ ROOT, HVCALL_CONNECTION_CREATE, IN, 0, conn_bad_vp, HV_STATUS_INVALID_PARAMETER, "target vCPU 1 of 1" },
	{ ROOT, HVCALL_CONNECTION_CREATE, IN, 0, conn_bad_sint, HV_STATUS_INVALID_PARAMETER, "SINT 16" },
	{ ROOT, HVCALL_CONNECTION_CREATE, IN, 0, conn_bad_type, HV_STATUS_INVALID_PARAMETER, "type 2" },
	{ ROOT, HVCALL_CONNECTION_CREATE, IN, 0, conn_no_flags, HV_STATUS_INVALID_PARAMETER, "event with no flags" },
	{ ROOT, HVCALL_CONNECTION_CREATE, IN, 0, conn_flags_past, HV_STATUS_INVALID_PARAMETER, "flags past 2048" },
	{ ROOT, HVCALL_CONNECTION_CREATE, IN, 0, conn_flags_end, HV_STATUS_SUCCESS, "flags up to 2048" },
	{ ROOT, HVCALL_CONNECTION_CREATE, IN, 0, conn_msg_flags, HV_STATUS_INVALID_PARAMETER, "message with flags" },
	{ ROOT, HVCALL_CONNECTION_CREATE, IN, 0, conn_reserved, HV_STATUS_INVALID_PARAMETER, "reserved set" },
	{ ROOT, HVCALL_CONNECTION_CREATE, IN, 0, conn_id_25_bits, HV_STATUS_INVALID_PARAMETER, "id past 24 bits" },
	{ ROOT, HVCALL_CONNECTION_CREATE, RAM - 8, 0, NULL, HV_STATUS_INVALID_PARAMETER, "input straddles" },
	{ ROOT, HVCALL_CONNECTION_DELETE, IN, 0, conn_dup, HV_STATUS_SUCCESS, "delete g1's route" },
	{ ROOT, HVCALL_CONNECTION_DELETE, IN, 0, conn_unknown, HV_STATUS_INVALID_CONNECTION_ID, "delete no route" },
	/* mapping guest pages into the root's window */
	{ ROOT, HVCALL_MAP_GUEST_PAGES, IN, 0, map_ok, HV_STATUS_SUCCESS, "4 pages of g1" },
	{ ROOT, HVCALL_MAP_GUEST_PAGES, IN, 0, map_max, HV_STATUS_SUCCESS, "480 pages at the window's end" },
	{ ROOT, HVCALL_MAP_GUEST_PAGES, IN, 0, map_0, HV_STATUS_INVALID_PARAMETER, "count 0" },
	{ ROOT, HVCALL_MAP_GUEST_PAGES, IN, 0, map_481, HV_STATUS_INVALID_PARAMETER, "count 481" },
	{ ROOT, HVCALL_MAP_GUEST_PAGES, IN, 0, map_self, HV_STATUS_INVALID_PARTITION_ID, "the root's own pages" },
	{ ROOT, HVCALL_MAP_GUEST_PAGES, IN, 0, map_no_part, HV_STATUS_INVALID_PARTITION_ID, "partition 3" },
	{ ROOT, HVCALL_MAP_GUEST_PAGES, IN, 0, map_unaligned, HV_STATUS_INVALID_PARAMETER, "window GPA misaligned" },
	{ ROOT, HVCALL_MAP_GUEST_PAGES, IN, 0, map_below, HV_STATUS_INVALID_PARAMETER, "below the window" },
	{ ROOT, HVCALL_MAP_GUEST_PAGES, IN, 0, map_past, HV_STATUS_INVALID_PARAMETER, "past the window" },
	{ ROOT, HVCALL_MAP_GUEST_PAGES, IN, 0, map_wrap, HV_STATUS_INVALID_PARAMETER, "window GPA wraps" },
	{ ROOT, HVCALL_MAP_GUEST_PAGES, IN, 0, map_guest_out, HV_STATUS_INVALID_PARAMETER, "a page past g1's RAM" },
	{ ROOT, HVCALL_MAP_GUEST_PAGES, IN, 0, map_guest_hole, HV_STATUS_INVALID_PARAMETER, "a page in g1's hole" },
	{ ROOT, HVCALL_MAP_GUEST_PAGES, IN, 0, map_guest_unaligned, HV_STATUS_INVALID_PARAMETER, "g1 GPA misaligned" },
	{ ROOT, HVCALL_MAP_GUEST_PAGES, RAM - 1024, 0, NULL, HV_STATUS_INVALID_PARAMETER, "request straddles" },
	{ ROOT, HVCALL_UNMAP_GUEST_PAGES, IN, 0, map_ok, HV_STATUS_SUCCESS, "unmap 4 pages" },
	{ ROOT, HVCALL_UNMAP_GUEST_PAGES, IN, 0, map_self, HV_STATUS_INVALID_PARTITION_ID, "unmap: the root itself" },
	{ ROOT, HVCALL_UNMAP_GUEST_PAGES, IN, 0, map_past, HV_STATUS_INVALID_PARAMETER, "unmap past the window" },
	{ ROOT, HVCALL_UNMAP_GUEST_PAGES, IN, 0, map_481, HV_STATUS_INVALID_PARAMETER, "unmap 481" },
};

/* ---- the fixture ---- */

static struct partition *root, *g1, *g2;

static void connect(uint32_t id, uint32_t source, uint32_t target, uint8_t sint, uint8_t type,
		    uint16_t base, uint16_t count)
{
	struct hv_connection c = { id, source, target, 0, sint, type, base, count, 0 };

	assert_int_equal(connection_create(&c), HV_STATUS_SUCCESS);
}

static void msr(struct vcpu *v, uint32_t index, uint64_t value)
{
	regs_set_edx_eax(&v->regs, value);
	assert_int_equal(guest_msr_write(v, index), ACTION_NEXT);
}

static void machine(void)
{
	struct vcpu *r;

	fake_machine_reset(&fake_vtx_ops, &fake_cpu_intel);
	root = fake_partition_add("root", HVCFG_ROLE_ROOT, PLATFORM_HV_KERNEL, RAM, 1);
	g1 = fake_partition_add("g1", HVCFG_ROLE_GUEST, PLATFORM_HV_KERNEL, RAM, 1);
	g2 = fake_partition_add("g2", HVCFG_ROLE_GUEST, PLATFORM_PC, RAM, 1);
	g2->state = PARTITION_OFF;
	for (uint32_t i = 0; i < partition_count; i++)
		fake_enable_hypercalls(partition_vcpu(&partitions[i], 0), PAGE);
	r = partition_vcpu(root, 0);
	msr(r, HV_X64_MSR_SIMP, SIMP | 1);
	msr(r, HV_X64_MSR_SIEFP, SIEFP | 1);
	msr(r, HV_X64_MSR_SINT0 + 2, 0x50);
	msr(r, HV_X64_MSR_SINT0 + 3, 0x51);
	msr(r, HV_X64_MSR_SCONTROL, 1);
	connect(CONN_MSG, 1, 0, 2, HV_CONNECTION_MESSAGE, 0, 0);
	connect(CONN_EVENT, 1, 0, 3, HV_CONNECTION_EVENT, 100, 2);
	connect(CONN_OFF, 1, 2, 2, HV_CONNECTION_MESSAGE, 0, 0);
}

static uint16_t call(struct partition *p, uint64_t input, uint64_t rdx, uint64_t r8)
{
	struct vcpu *v = partition_vcpu(p, 0);

	assert_int_equal(fake_hypercall(v, input, rdx, r8), ACTION_NEXT);
	return (uint16_t)v->regs.rax;
}

/* Runs one row on a fresh machine; false (after printing why) when hv's answer differs. */
static bool row_holds(const struct call_row *r)
{
	struct partition *caller;
	uint16_t status;

	machine();
	caller = r->caller == ROOT ? root : g1;
	if (r->fill != NULL)
		r->fill(fake_ram(caller, r->rdx));
	status = call(caller, r->input, r->rdx, r->r8);
	if (status != r->status) {
		print_error("%s: call 0x%llx RDX 0x%llx R8 0x%llx (%s) returned 0x%x, expected 0x%x\n",
			    r->caller == ROOT ? "root" : "guest", (unsigned long long)r->input,
			    (unsigned long long)r->rdx, (unsigned long long)r->r8, r->why, status,
			    r->status);
		return false;
	}
	if (status != HV_STATUS_SUCCESS &&
	    (g1->state != PARTITION_RUNNING || g2->state != PARTITION_OFF)) {
		print_error("%s: a refused call changed a partition's state\n", r->why);
		return false;
	}
	return true;
}

static void test_every_row(void **state)
{
	(void)state;
	assert_int_equal(FAKE_FAILING_ROWS(rows, row_holds), 0);
}

/* docs/hypercalls.md "Calling convention": #UD unless enabled, CPL 0 and 64-bit; RAX untouched. */
static void test_undefined_opcode_cases(void **state)
{
	struct vcpu *v;

	(void)state;
	machine();
	v = partition_vcpu(g1, 0);
	fake_backend(v)->state.cpl = 3;
	v->regs.rax = 0x77;
	assert_int_equal(fake_hypercall(v, HVCALL_SELF_INFO, 0, OUT), ACTION_INJECT_UD);
	assert_int_equal(v->regs.rax, 0x77);
	fake_backend(v)->state.cpl = 0;
	fake_backend(v)->state.long_mode = false;
	assert_int_equal(fake_hypercall(v, HVCALL_SELF_INFO, 0, OUT), ACTION_INJECT_UD);
	fake_backend(v)->state.long_mode = true;
	regs_set_edx_eax(&v->regs, 0);
	assert_int_equal(guest_msr_write(v, HV_X64_MSR_HYPERCALL), ACTION_NEXT);
	assert_int_equal(fake_hypercall(v, HVCALL_SELF_INFO, 0, OUT), ACTION_INJECT_UD);
	/* a partition that never enabled its page: #UD, root or not */
	g2->state = PARTITION_RUNNING;
	partitions[2].hypercall_msr = 0;
	assert_int_equal(fake_hypercall(partition_vcpu(g2, 0), HVCALL_SELF_INFO, 0, OUT),
			 ACTION_INJECT_UD);
}

/* What a successful call writes: the caller's own facts, the list of everyone, a console line. */
static void test_outputs(void **state)
{
	struct hv_self_info *self;
	struct hv_partition_list *list;
	struct hv_partition_status *st;

	(void)state;
	machine();
	assert_int_equal(call(g1, HVCALL_SELF_INFO, 0, OUT), HV_STATUS_SUCCESS);
	self = fake_ram(g1, OUT);
	assert_int_equal(self->partition_id, 1);
	assert_int_equal(self->vp_count, 1);
	assert_int_equal(self->flags, 0);
	assert_int_equal(self->memory_size, RAM);
	assert_string_equal(self->name, "g1");
	assert_int_equal(call(root, HVCALL_SELF_INFO, 0, OUT), HV_STATUS_SUCCESS);
	assert_int_equal(((struct hv_self_info *)fake_ram(root, OUT))->flags, START_INFO_FLAG_ROOT);

	assert_int_equal(call(root, HVCALL_PARTITION_LIST, 0, OUT), HV_STATUS_SUCCESS);
	list = fake_ram(root, OUT);
	assert_int_equal(list->count, 3);
	assert_int_equal(list->entries[2].state, HV_PARTITION_OFF);
	assert_string_equal(list->entries[1].name, "g1");

	*(uint32_t *)fake_ram(root, IN) = 1;
	assert_int_equal(call(root, HVCALL_PARTITION_STATUS, IN, OUT), HV_STATUS_SUCCESS);
	st = fake_ram(root, OUT);
	assert_int_equal(st->entry.id, 1);
	assert_int_equal(st->entry.state, HV_PARTITION_RUNNING);
	/* the output over the input: hv read the id before it wrote (docs: read once) */
	*(uint32_t *)fake_ram(root, IN) = 2;
	assert_int_equal(call(root, HVCALL_PARTITION_STATUS, IN, IN), HV_STATUS_SUCCESS);
	assert_int_equal(((struct hv_partition_status *)fake_ram(root, IN))->entry.id, 2);

	console_5(fake_ram(g1, IN));
	assert_int_equal(call(g1, HVCALL_CONSOLE_WRITE, IN, 0), HV_STATUS_SUCCESS);
	memcpy(fake_ram(g1, IN + 8), "\n", 1);
	*(uint32_t *)fake_ram(g1, IN) = 1;
	assert_int_equal(call(g1, HVCALL_CONSOLE_WRITE, IN, 0), HV_STATUS_SUCCESS);
	assert_int_equal(fake_log_count("[g1] hello"), 1);
}

/* A message lands in the root's SIMP slot with the sender's id; an event sets base + flag. */
static void test_bus_delivery(void **state)
{
	struct hv_message *slot;
	uint8_t *flags;

	(void)state;
	machine();
	post_ok(fake_ram(g1, IN));
	assert_int_equal(call(g1, HVCALL_POST_MESSAGE, IN, 0), HV_STATUS_SUCCESS);
	slot = (struct hv_message *)fake_ram(root, SIMP) + 2;
	assert_int_equal(slot->message_type, 1);
	assert_int_equal(slot->sender, 1);
	assert_int_equal(slot->payload_size, 2);
	assert_memory_equal(slot->payload, "hi", 2);
	assert_int_equal(call(g1, FAST(HVCALL_SIGNAL_EVENT), CONN_EVENT | 1ull << 32, 0),
			 HV_STATUS_SUCCESS);
	flags = (uint8_t *)fake_ram(root, SIEFP) + 3 * HV_EVENT_FLAGS_PER_SINT / 8;
	assert_int_equal(flags[101 / 8], 1u << (101 % 8)); /* base 100 + flag 1 */
}

/* Which root GPAs map to which host page: walks the fake format's tables. */
static uint64_t mapped_at(struct partition *p, uint64_t gpa)
{
	uint64_t *table = (uint64_t *)p->stage2.root;

	for (int level = 4; level >= 1; level--) {
		uint64_t e = table[(gpa >> (12 + 9 * (level - 1))) & 511];

		if (!(e & 1))
			return 0;
		if (level == 1)
			return e & 0x000ffffffffff000ull;
		table = (uint64_t *)(e & 0x000ffffffffff000ull);
	}
	return 0;
}

/* docs/hypercalls.md: the pages of g1 named, at the window GPA; all or nothing. */
static void test_map_is_all_or_nothing(void **state)
{
	struct hv_map_guest_pages *m;
	struct fake_backend_vcpu *b;

	(void)state;
	machine();
	b = fake_backend(partition_vcpu(root, 0));
	m = fake_ram(root, IN);
	map_ok((uint8_t *)m);
	assert_int_equal(call(root, HVCALL_MAP_GUEST_PAGES, IN, 0), HV_STATUS_SUCCESS);
	for (uint32_t i = 0; i < 4; i++)
		assert_ptr_equal((void *)mapped_at(root, WINDOW + i * PAGE_SIZE),
				 fake_ram(g1, 0x40000 + i * PAGE_SIZE));
	assert_int_equal(mapped_at(root, WINDOW + 4 * PAGE_SIZE), 0);

	/* overlapping the pages mapped: refused, the new pages undone, the old ones kept */
	map((uint8_t *)m, 1, 8, WINDOW - 0 + 2 * PAGE_SIZE, 0x80000);
	assert_int_equal(call(root, HVCALL_MAP_GUEST_PAGES, IN, 0), HV_STATUS_INVALID_PARAMETER);
	assert_ptr_equal((void *)mapped_at(root, WINDOW + 3 * PAGE_SIZE), fake_ram(g1, 0x43000));
	for (uint32_t i = 4; i < 10; i++)
		assert_int_equal(mapped_at(root, WINDOW + i * PAGE_SIZE), 0);
	/* the last page outside g1's RAM: nothing of the request stays */
	map((uint8_t *)m, 1, 3, WINDOW + 16 * PAGE_SIZE, RAM - 2 * PAGE_SIZE);
	assert_int_equal(call(root, HVCALL_MAP_GUEST_PAGES, IN, 0), HV_STATUS_INVALID_PARAMETER);
	for (uint32_t i = 16; i < 19; i++)
		assert_int_equal(mapped_at(root, WINDOW + i * PAGE_SIZE), 0);
	assert_true(b->stage2_flushes >= 2); /* each undo flushed */
	/* unmapping clears them and flushes the root's translations */
	map_ok((uint8_t *)m);
	b->stage2_flushes = 0;
	assert_int_equal(call(root, HVCALL_UNMAP_GUEST_PAGES, IN, 0), HV_STATUS_SUCCESS);
	assert_int_equal(mapped_at(root, WINDOW), 0);
	assert_int_equal(b->stage2_flushes, 1);
	/* the guest's stage-2 tables are never touched */
	assert_int_equal(g1->stage2.table_pages, 1);
}

/* Leaves of p's stage-2 tables outside [lo, hi): 4 KiB mappings only (the fake format). */
static uint32_t leaves_outside(const uint64_t *table, int level, uint64_t base, uint64_t lo,
			       uint64_t hi)
{
	uint32_t n = 0;

	for (uint64_t i = 0; i < 512; i++) {
		uint64_t e = table[i], gpa = base + (i << (12 + 9 * (level - 1)));

		if (!(e & 1))
			continue;
		if (level > 1)
			n += leaves_outside((const uint64_t *)(e & 0x000ffffffffff000ull), level - 1,
					    gpa, lo, hi);
		else
			n += gpa < lo || gpa >= hi;
	}
	return n;
}

/*
 * docs/hypercalls.md: root_gpa must lie in the window, whose clearing on a
 * root restart then removes every guest page the old root had mapped.  A
 * request whose end wraps past 2^64 must not slip a mapping outside it.
 */
static void test_mappings_stay_in_the_window(void **state)
{
	static const uint64_t gpas[] = { ~0xfffull, 0ull - 8 * PAGE_SIZE, 0ull - WINDOW };
	uint32_t root_pages;

	(void)state;
	for (size_t i = 0; i < sizeof(gpas) / sizeof(gpas[0]); i++) {
		machine();
		root_pages = (uint32_t)root->stage2.table_pages;
		map(fake_ram(root, IN), 1, 8, gpas[i], 0x40000);
		assert_int_equal(call(root, HVCALL_MAP_GUEST_PAGES, IN, 0), HV_STATUS_INVALID_PARAMETER);
		assert_int_equal(leaves_outside((const uint64_t *)root->stage2.root, 4, 0, WINDOW,
						WINDOW_END), 0);
		assert_int_equal(root->stage2.table_pages, root_pages);
	}
}

/* Start, stop and reset reach the target's state machine and its CPUs (kicks). */
static void test_lifecycle_requests_act(void **state)
{
	uint32_t g1_cpu;

	(void)state;
	machine();
	g1_cpu = partition_vcpu(g1, 0)->cpu;
	assert_int_equal(call(root, FAST(HVCALL_PARTITION_STOP), 1, 0), HV_STATUS_SUCCESS);
	assert_int_equal(g1->state, PARTITION_STOPPING);
	assert_true(fake_kicks[g1_cpu] >= 1);
	assert_int_equal(call(root, FAST(HVCALL_PARTITION_START), 2, 0), HV_STATUS_SUCCESS);
	assert_int_equal(g2->state, PARTITION_STARTING);
	assert_int_equal(root->state, PARTITION_RUNNING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_row),
		cmocka_unit_test(test_undefined_opcode_cases),
		cmocka_unit_test(test_outputs),
		cmocka_unit_test(test_bus_delivery),
		cmocka_unit_test(test_map_is_all_or_nothing),
		cmocka_unit_test(test_mappings_stay_in_the_window),
		cmocka_unit_test(test_lifecycle_requests_act),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
