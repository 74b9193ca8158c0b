/*
 * guestos (mgmt/bus/guestos.c, guestos_wire.c) against a fake bus: what the
 * root sends is captured, and the test answers as a guest would, with the
 * guest-side builders of vmbus/.  Covers the call-time refusals, each
 * request's round trip, the queue (order, one in flight, full), timeouts
 * and late answers, cancel (queued and in flight), a channel going away,
 * malformed answers, the KVP and Sessions refresh rounds and their
 * notifications, and the time-sync switch.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <string.h>

#include <bus/bus_int.h>
#include <bus/guestos.h>
#include <bus/guestos_bus.h>
#include <common/notify.h>
#include <events/events.h>
#include "../../vmbus/vmbus_err.h"
#include "../../vmbus/vmbus_exec.h"
#include "../../vmbus/vmbus_ic_util.h"
#include "../../vmbus/vmbus_kvp.h"
#include "../../vmbus/vmbus_sessions.h"

#define G 3u            /* the guest's partition id */

/* ---- the fake root around guestos ---- */

static uint64_t now = 1000;
static uint32_t ready_mask;               /* bit relid: the channel is ready */
static uint8_t tids[BUS_SERVICES + 1];
static struct sent {
	uint32_t relid, len;
	uint8_t data[IC_MSG_MAX];
} sent[64];
static unsigned nsent, nread;
static unsigned time_syncs;
static bool hb_known = true, hb_beating = true;

size_t kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	return 0;
}

uint64_t bus_now_ms(void) { return now; }
bool events_is_guest(uint32_t id) { return id == G; }
uint32_t events_state(uint32_t id) { return id == G ? HV_PARTITION_RUNNING : HV_PARTITION_OFF; }
const char *events_name(uint32_t id) { return id == G ? "g" : "?"; }
const char *bus_service_name(uint32_t relid) { (void)relid; return "svc"; }
void bus_ic_time_sync_now(uint32_t id) { if (id == G) time_syncs++; }

bool bus_ic_heartbeat(uint32_t id, struct bus_ic_heartbeat *out)
{
	memset(out, 0, sizeof(*out));
	if (id != G || !(ready_mask & (1u << BUS_HEARTBEAT)))
		return false;
	out->known = hb_known;
	out->beating = hb_beating;
	out->percentage = 100;
	return true;
}

static uint16_t type_of(uint32_t relid)
{
	switch (relid) {
	case BUS_SHUTDOWN: return IC_MSGTYPE_SHUTDOWN;
	case BUS_KVP: return IC_MSGTYPE_KVPEXCHANGE;
	case BUS_SESSIONS: return IC_MSGTYPE_SESSIONS;
	case BUS_EXEC: return IC_MSGTYPE_EXEC;
	default: return 0;
	}
}

bool bus_ic_request_hdr(uint32_t id, uint32_t relid, struct ic_hdr_info *h)
{
	if (id != G || relid > BUS_SERVICES || !(ready_mask & (1u << relid)))
		return false;
	*h = (struct ic_hdr_info){ .type = type_of(relid), .fw = { 3, 0 }, .msgver = { 1, 0 },
				   .trans_id = ++tids[relid],
				   .flags = IC_FLAG_TRANSACTION | IC_FLAG_REQUEST };
	return true;
}

int bus_ic_send(uint32_t id, uint32_t relid, const void *buf, uint32_t len, uint8_t tid)
{
	(void)tid;
	if (id != G || nsent == 64 || len > IC_MSG_MAX)
		return -VMBUS_E_STATE;
	sent[nsent].relid = relid;
	sent[nsent].len = len;
	memcpy(sent[nsent].data, buf, len);
	nsent++;
	return 0;
}

/* ---- notifications and results ---- */

static struct notify notes[64];
static unsigned nnotes;

static void listener(const struct notify *n)
{
	if (nnotes < 64)
		notes[nnotes++] = *n;
}

static unsigned count_notes(enum notify_kind kind, uint32_t arg)
{
	unsigned c = 0;

	for (unsigned i = 0; i < nnotes; i++)
		c += notes[i].kind == kind && notes[i].arg == arg;
	return c;
}

static struct done_rec {
	int tag;
	struct guestos_result r;
} dones[32];
static unsigned ndones;
static int tags[32];

static void on_done(void *ctx, const struct guestos_result *r)
{
	if (ndones < 32) {
		dones[ndones].tag = *(int *)ctx;
		dones[ndones].r = *r;
		ndones++;
	}
}

/* ---- the fake guest ---- */

/* The next unread message the root sent, parsed into *m (its bytes stay in sent[]). */
static struct sent *next_sent(struct ic_msg *m)
{
	struct sent *s;

	assert_true(nread < nsent);
	s = &sent[nread++];
	assert_int_equal(ic_parse(s->data, s->len, m), 0);
	assert_true(m->hdr.flags & IC_FLAG_REQUEST);
	return s;
}

static uint8_t ans[IC_MSG_MAX];
static const char *answer_status(struct sent *s, uint32_t status);
static const char *answer_sessions(struct sent *s, const struct ic_msg *req, uint32_t status,
				   uint32_t value, unsigned nusers);

/* Answers a refresh (KVP: end of the pool; Sessions: nobody, unlocked). */
static void answer_refresh(struct sent *s, const struct ic_msg *m)
{
	if (s->relid == BUS_KVP)
		assert_null(answer_status(s, IC_S_CONT));
	else
		assert_null(answer_sessions(s, m, IC_S_OK, 0, 0));
}

/* The next message on relid; refreshes on the other channels are answered on the way. */
static struct sent *next_on(uint32_t relid, struct ic_msg *m)
{
	for (;;) {
		struct sent *s = next_sent(m);

		if (s->relid == relid)
			return s;
		answer_refresh(s, m);
	}
}

/* Nothing was sent on relid (refreshes elsewhere are answered). */
static void assert_quiet(uint32_t relid)
{
	struct ic_msg m;

	while (nread < nsent) {
		struct sent *s = next_sent(&m);

		assert_int_not_equal(s->relid, relid);
		answer_refresh(s, &m);
	}
}

/* Hands an answer of len bytes (in ans) to guestos; returns its verdict. */
static const char *deliver(uint32_t relid, int len)
{
	struct ic_msg m;

	assert_true(len > 0);
	assert_int_equal(ic_parse(ans, (size_t)len, &m), 0);
	return guestos_answer(G, relid, &m);
}

/* Answers the request in s in place with status (body unchanged). */
static const char *answer_status(struct sent *s, uint32_t status)
{
	memcpy(ans, s->data, s->len);
	return deliver(s->relid, ic_answer_inplace(ans, s->len, status));
}

static const char *answer_exec(struct sent *s, const struct ic_msg *req, int32_t exit_status,
			       const char *out)
{
	return deliver(s->relid, ic_exec_build_answer(ans, sizeof(ans), req, IC_S_OK, exit_status,
						       0, out, (uint32_t)strlen(out)));
}

static const char *answer_kvp_sz(struct sent *s, uint32_t status, const char *key,
				 const char *value)
{
	uint8_t k[IC_KVP_MAX_KEY], v[IC_KVP_MAX_VALUE];
	int kn = key ? ic_utf16_from_ascii(key, strlen(key), k, sizeof(k)) : 0;
	int vn = ic_utf16_from_ascii(value, strlen(value), v, sizeof(v));

	memcpy(ans, s->data, s->len);
	return deliver(s->relid, ic_kvp_answer(ans, s->len, status, IC_KVP_REG_SZ, k, (uint32_t)kn,
					       v, (uint32_t)vn));
}

static const char *answer_sessions(struct sent *s, const struct ic_msg *req, uint32_t status,
				   uint32_t value, unsigned nusers)
{
	struct ic_sessions_user_info u[2] = { { 1, IC_SESSIONS_USER_ACTIVE, "alice" },
					      { 2, IC_SESSIONS_USER_LOCKED, "bob" } };

	return deliver(s->relid, ic_sessions_build_answer(ans, sizeof(ans), req, status, value, u,
							  (uint16_t)nusers));
}

/* Channels 1..6 ready as bus_ic.c would report them; no refreshes answered yet. */
static void all_ready(void)
{
	for (uint32_t r = 1; r <= BUS_SERVICES; r++) {
		ready_mask |= 1u << r;
		guestos_channel_ready(G, r);
	}
}

/* Lets guestos start its refresh rounds and answers them (KVP ends at once). */
static void settle_refreshes(void)
{
	struct ic_msg m;

	guestos_poll(now);
	while (nread < nsent) {
		answer_refresh(next_sent(&m), &m);
		guestos_poll(now);
	}
}

static int setup(void **state)
{
	(void)state;
	/* Channels of an earlier test go down first: guestos keeps state per partition. */
	for (uint32_t r = 1; r <= BUS_SERVICES; r++)
		guestos_channel_down(G, r);
	guestos_set_time_sync(G, true);
	ready_mask = 0;
	nsent = nread = ndones = nnotes = 0;
	time_syncs = 0;
	now += 100000;
	hb_known = hb_beating = true;
	for (int i = 0; i < 32; i++)
		tags[i] = i;
	return 0;
}

/* ---- tests ---- */

static void test_refusals(void **state)
{
	char longname[300];
	struct guestos_args a = { .op = GUESTOS_PARAM_GET, .text = "x" };

	(void)state;
	assert_int_equal(guestos_request(7, &a, on_done, &tags[0]), VM_E_VM_UNKNOWN);
	assert_int_equal(guestos_request(G, NULL, on_done, &tags[0]), E_POINTER);
	assert_int_equal(guestos_request(G, &a, on_done, &tags[0]), VM_E_ADDITIONS_FEATURE_NOT_AVAIL);
	all_ready();
	a.text = "";
	assert_int_equal(guestos_request(G, &a, on_done, &tags[0]), E_INVALIDARG);
	a.text = "a\\b";
	assert_int_equal(guestos_request(G, &a, on_done, &tags[0]), E_INVALIDARG);
	a.text = "caf\xc3\xa9";
	assert_int_equal(guestos_request(G, &a, on_done, &tags[0]), E_INVALIDARG);
	memset(longname, 'n', sizeof(longname));
	longname[256] = '\0';
	a.text = longname;
	assert_int_equal(guestos_request(G, &a, on_done, &tags[0]), E_INVALIDARG);
	longname[255] = '\0';
	assert_int_equal(guestos_request(G, &a, on_done, &tags[0]), S_OK);
	a.op = GUESTOS_PARAM_SET;
	a.value = NULL;
	assert_int_equal(guestos_request(G, &a, on_done, &tags[0]), E_POINTER);
	a.op = GUESTOS_EXECUTE;
	a.text = "";
	assert_int_equal(guestos_request(G, &a, on_done, &tags[0]), E_INVALIDARG);
	a.op = (enum guestos_op)99;
	assert_int_equal(guestos_request(G, &a, on_done, &tags[0]), E_INVALIDARG);
	assert_int_equal(ndones, 0);
	assert_int_equal(guestos_set_time_sync(7, false), VM_E_VM_UNKNOWN);
}

static void test_execute_round_trip(void **state)
{
	struct guestos_args a = { .op = GUESTOS_EXECUTE, .text = "echo hi" };
	struct ic_exec_req req;
	struct ic_msg m;
	struct sent *s;

	(void)state;
	all_ready();
	settle_refreshes();
	assert_int_equal(guestos_request(G, &a, on_done, &tags[1]), S_OK);
	assert_int_equal(nsent, nread); /* nothing goes out before guestos_poll */
	guestos_poll(now);
	s = next_sent(&m);
	assert_int_equal(s->relid, BUS_EXEC);
	assert_int_equal(ic_exec_parse_request(&m, &req), 0);
	assert_int_equal(req.command_len, 7);
	assert_memory_equal(req.command, "echo hi", 7);
	assert_true(req.timeout_ms > 0 && req.timeout_ms < GUESTOS_REQUEST_TIMEOUT_MS);
	assert_int_equal(req.max_output, GUESTOS_OUTPUT);
	assert_null(answer_exec(s, &m, 3, "hi\n"));
	assert_int_equal(ndones, 1);
	assert_int_equal(dones[0].tag, 1);
	assert_int_equal(dones[0].r.hresult, S_OK);
	assert_int_equal(dones[0].r.exit_status, 3);
	assert_int_equal(dones[0].r.output_len, 3);
	assert_string_equal(dones[0].r.output, "hi\n");
}

static void test_params(void **state)
{
	struct guestos_args set = { .op = GUESTOS_PARAM_SET, .text = "k", .value = "v 1" };
	struct guestos_args get = { .op = GUESTOS_PARAM_GET, .text = "k" };
	struct ic_kvp k;
	struct ic_msg m;
	struct sent *s;
	char text[64];

	(void)state;
	all_ready();
	settle_refreshes();
	assert_int_equal(guestos_request(G, &set, on_done, &tags[0]), S_OK);
	assert_int_equal(guestos_request(G, &get, on_done, &tags[1]), S_OK);
	assert_int_equal(guestos_request(G, &get, on_done, &tags[2]), S_OK);
	guestos_poll(now);
	guestos_poll(now);
	s = next_sent(&m);
	assert_int_equal(nsent, nread); /* one at a time */
	assert_int_equal(ic_kvp_parse(&m, &k), 0);
	assert_int_equal(k.op, IC_KVP_OP_SET);
	assert_int_equal(k.pool, IC_KVP_POOL_EXTERNAL);
	assert_int_equal(ic_utf16_to_ascii(k.value, k.value_size, text, sizeof(text)), 3);
	assert_string_equal(text, "v 1");
	assert_null(answer_status(s, IC_S_OK));
	guestos_poll(now);
	s = next_sent(&m);
	assert_null(answer_kvp_sz(s, IC_S_OK, NULL, "v 1"));
	guestos_poll(now);
	s = next_sent(&m);
	assert_null(answer_status(s, IC_E_FAIL));
	assert_int_equal(ndones, 3);
	assert_int_equal(dones[0].r.hresult, S_OK);
	assert_int_equal(dones[1].r.hresult, S_OK);
	assert_string_equal(dones[1].r.value, "v 1");
	assert_int_equal(dones[2].r.hresult, VM_E_PREF_NOT_FOUND);
}

static void test_sessions_requests(void **state)
{
	struct guestos_args users = { .op = GUESTOS_USERS };
	struct guestos_args logoff = { .op = GUESTOS_LOGOFF, .forced = true };
	struct ic_sessions_request req;
	struct ic_msg m;
	struct sent *s;

	(void)state;
	all_ready();
	settle_refreshes();
	assert_int_equal(guestos_request(G, &users, on_done, &tags[0]), S_OK);
	assert_int_equal(guestos_request(G, &logoff, on_done, &tags[1]), S_OK);
	guestos_poll(now);
	s = next_sent(&m);
	assert_null(answer_sessions(s, &m, IC_S_OK, 2, 2));
	guestos_poll(now);
	s = next_sent(&m);
	assert_int_equal(ic_sessions_parse_request(&m, &req), 0);
	assert_int_equal(req.op, IC_SESSIONS_OP_LOGOFF);
	assert_int_equal(req.flags, IC_SESSIONS_LOGOFF_FORCE);
	assert_int_equal(req.session_id, IC_SESSIONS_ALL);
	assert_null(answer_sessions(s, &m, IC_E_NO_SUCH_LOGON_SESSION, 0, 0));
	assert_int_equal(ndones, 2);
	assert_int_equal(dones[0].r.nusers, 2);
	assert_string_equal(dones[0].r.users[0].name, "alice");
	assert_true(dones[0].r.users[0].active);
	assert_true(dones[0].r.users[1].locked);
	assert_int_equal(dones[0].r.users[1].session_id, 2);
	assert_int_equal(dones[1].r.hresult, HR_ERROR_NO_SUCH_LOGON_SESSION);
}

static void test_shutdown_flags(void **state)
{
	struct guestos_args a = { .op = GUESTOS_RESTART, .forced = true, .text = "why" };
	struct ic_shutdown_req req;
	struct ic_msg m;
	struct sent *s;

	(void)state;
	all_ready();
	settle_refreshes();
	assert_int_equal(guestos_request(G, &a, on_done, &tags[0]), S_OK);
	guestos_poll(now);
	s = next_sent(&m);
	assert_int_equal(ic_shutdown_parse(&m, &req), 0);
	assert_int_equal(req.action, IC_SHUTDOWN_REBOOT);
	assert_true(req.force);
	assert_int_equal(req.message_len, 3);
	assert_memory_equal(req.message, "why", 3);
	assert_null(answer_status(s, IC_E_MACHINE_LOCKED));
	assert_int_equal(dones[0].r.hresult, HR_ERROR_MACHINE_LOCKED);
}

static void test_queue_full_and_order(void **state)
{
	struct guestos_args a = { .op = GUESTOS_EXECUTE, .text = "true" };
	struct ic_msg m;

	(void)state;
	all_ready();
	settle_refreshes();
	for (int i = 0; i < 8; i++)
		assert_int_equal(guestos_request(G, &a, on_done, &tags[i]), S_OK);
	assert_int_equal(guestos_request(G, &a, on_done, &tags[8]), VM_E_OUT_OF_RESOURCE);
	for (int i = 0; i < 8; i++) {
		struct sent *s;

		guestos_poll(now);
		s = next_sent(&m);
		assert_int_equal(nsent, nread);
		assert_null(answer_exec(s, &m, i, ""));
	}
	assert_int_equal(ndones, 8);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(dones[i].tag, i);
		assert_int_equal(dones[i].r.exit_status, i);
	}
}

static void test_timeout_and_late_answer(void **state)
{
	struct guestos_args a = { .op = GUESTOS_EXECUTE, .text = "true" };
	struct ic_msg m1, m2;
	struct sent *s1, *s2;

	(void)state;
	all_ready();
	settle_refreshes();
	assert_int_equal(guestos_request(G, &a, on_done, &tags[0]), S_OK);
	assert_int_equal(guestos_request(G, &a, on_done, &tags[1]), S_OK);
	guestos_poll(now);
	s1 = next_sent(&m1);
	now += GUESTOS_REQUEST_TIMEOUT_MS - 1;
	guestos_poll(now);
	assert_int_equal(ndones, 0);
	now += 1;
	guestos_poll(now); /* both were made at the same time: both time out */
	assert_int_equal(ndones, 2);
	assert_int_equal(dones[0].r.hresult, VM_E_TIMED_OUT);
	assert_int_equal(dones[1].r.hresult, VM_E_TIMED_OUT);
	assert_quiet(BUS_EXEC);
	/* A new request goes out; the late answer to the first is not taken for it. */
	assert_int_equal(guestos_request(G, &a, on_done, &tags[2]), S_OK);
	guestos_poll(now);
	s2 = next_on(BUS_EXEC, &m2);
	assert_null(answer_exec(s1, &m1, 9, "late"));
	assert_int_equal(ndones, 2);
	assert_null(answer_exec(s2, &m2, 0, "ok"));
	assert_int_equal(ndones, 3);
	assert_int_equal(dones[2].tag, 2);
	assert_string_equal(dones[2].r.output, "ok");
}

static void test_cancel(void **state)
{
	struct guestos_args a = { .op = GUESTOS_EXECUTE, .text = "true" };
	int other = 100, mine = 200;
	struct ic_msg m;
	struct sent *s;

	(void)state;
	all_ready();
	settle_refreshes();
	assert_int_equal(guestos_request(G, &a, on_done, &mine), S_OK);
	assert_int_equal(guestos_request(G, &a, on_done, &other), S_OK);
	assert_int_equal(guestos_request(G, &a, on_done, &mine), S_OK);
	guestos_poll(now);          /* the first of `mine` is in flight */
	s = next_sent(&m);
	guestos_cancel(&mine);
	assert_null(answer_exec(s, &m, 0, ""));
	assert_int_equal(ndones, 0);  /* answered, but cancelled */
	guestos_poll(now);
	s = next_sent(&m);
	assert_null(answer_exec(s, &m, 5, ""));
	guestos_poll(now);
	assert_int_equal(nsent, nread);  /* the second of `mine` was dropped unsent */
	assert_int_equal(ndones, 1);
	assert_int_equal(dones[0].tag, 100);
	assert_int_equal(dones[0].r.exit_status, 5);
}

static void test_channel_down(void **state)
{
	struct guestos_args a = { .op = GUESTOS_EXECUTE, .text = "true" };

	(void)state;
	all_ready();
	settle_refreshes();
	assert_int_equal(guestos_request(G, &a, on_done, &tags[0]), S_OK);
	guestos_poll(now);
	assert_int_equal(guestos_request(G, &a, on_done, &tags[1]), S_OK);
	now += GUESTOS_REQUEST_TIMEOUT_MS / 2;
	assert_int_equal(guestos_request(G, &a, on_done, &tags[2]), S_OK);
	now += GUESTOS_REQUEST_TIMEOUT_MS / 2; /* the first two are overdue, not the third */
	ready_mask &= ~(1u << BUS_EXEC);
	guestos_channel_down(G, BUS_EXEC);
	assert_int_equal(ndones, 3);
	assert_int_equal(dones[0].r.hresult, VM_E_TIMED_OUT);
	assert_int_equal(dones[1].r.hresult, VM_E_TIMED_OUT);
	assert_int_equal(dones[2].r.hresult, VM_E_VM_NOT_RUNNING);
	/* Exec is not one of the standard services: the additions stay present */
	assert_int_equal(count_notes(NOTIFY_ADDITIONS, 0), 0);
	assert_int_equal(guestos_request(G, &a, on_done, &tags[3]), VM_E_ADDITIONS_FEATURE_NOT_AVAIL);
}

static void test_malformed_answer(void **state)
{
	struct guestos_args a = { .op = GUESTOS_EXECUTE, .text = "true" };
	struct ic_hdr_info h;
	struct ic_msg m;
	struct sent *s;
	uint8_t junk[4] = { 1, 2, 3, 4 };

	(void)state;
	all_ready();
	settle_refreshes();
	assert_int_equal(guestos_request(G, &a, on_done, &tags[0]), S_OK);
	guestos_poll(now);
	s = next_sent(&m);
	h = (struct ic_hdr_info){ .type = IC_MSGTYPE_EXEC, .fw = { 3, 0 }, .msgver = { 1, 0 },
				  .trans_id = m.hdr.trans_id,
				  .flags = IC_FLAG_TRANSACTION | IC_FLAG_RESPONSE };
	(void)s;
	/* S_OK with a body too short for an Exec answer */
	assert_non_null(deliver(BUS_EXEC, ic_build(ans, sizeof(ans), &h, junk, sizeof(junk))));
	assert_int_equal(ndones, 1);
	assert_int_equal(dones[0].r.hresult, E_FAIL);
}

/* Done callbacks may make requests: the next goes out on the next poll. */
static void chain_done(void *ctx, const struct guestos_result *r)
{
	static const struct guestos_args a = { .op = GUESTOS_EXECUTE, .text = "again" };

	on_done(ctx, r);
	if (ndones == 1)
		assert_int_equal(guestos_request(G, &a, on_done, &tags[9]), S_OK);
}

static void test_done_chains(void **state)
{
	struct guestos_args a = { .op = GUESTOS_EXECUTE, .text = "first" };
	struct ic_msg m;
	struct sent *s;

	(void)state;
	all_ready();
	settle_refreshes();
	assert_int_equal(guestos_request(G, &a, chain_done, &tags[0]), S_OK);
	guestos_poll(now);
	s = next_sent(&m);
	assert_null(answer_exec(s, &m, 0, ""));
	guestos_poll(now);
	s = next_sent(&m);
	assert_null(answer_exec(s, &m, 0, ""));
	assert_int_equal(ndones, 2);
	assert_int_equal(dones[1].tag, 9);
}

static void kvp_round(const char *const *kv, unsigned n)
{
	struct ic_kvp k;
	struct ic_msg m;

	for (unsigned i = 0; i <= n; i++) {
		struct sent *s;

		guestos_poll(now);
		s = next_sent(&m);
		assert_int_equal(s->relid, BUS_KVP);
		assert_int_equal(ic_kvp_parse(&m, &k), 0);
		assert_int_equal(k.op, IC_KVP_OP_ENUMERATE);
		assert_int_equal(k.pool, IC_KVP_POOL_AUTO);
		assert_int_equal(k.index, i);
		if (i == n)
			assert_null(answer_status(s, IC_S_CONT));
		else if (kv[2 * i] == NULL)
			assert_null(answer_status(s, IC_E_FAIL)); /* an unset index is skipped */
		else
			assert_null(answer_kvp_sz(s, IC_S_OK, kv[2 * i], kv[2 * i + 1]));
	}
}

static void test_kvp_facts(void **state)
{
	static const char *const kv[] = {
		"FullyQualifiedDomainName", "host.example", "IntegrationServicesVersion", "0.1.0",
		NULL, NULL, "OSName", "testos", "OSMajorVersion", "6", "OSMinorVersion", "12",
		"OSVersion", "6.12", "OSBuildNumber", "6.12.7-1",
	};
	/* What a Windows guest adds (its OSVERSIONINFOEX), and a key nobody keeps. */
	static const char *const windows[] = {
		"OSName", "Windows Server 2008 R2 Enterprise", "CSDVersion", "Service Pack 1",
		"ServicePackMajor", "1", "ServicePackMinor", "0", "SuiteMask", "274",
		"ProductType", "3", "OSPlatformId", "2", "ProcessorArchitecture", "9",
	};
	struct guestos_facts f;

	(void)state;
	ready_mask |= 1u << BUS_KVP;
	guestos_channel_ready(G, BUS_KVP);
	assert_true(guestos_facts(G, &f));
	assert_false(f.kvp_known);
	assert_false(f.additions);
	kvp_round(kv, 8);
	assert_true(guestos_facts(G, &f));
	assert_true(f.kvp_known);
	assert_string_equal(f.kvp.computer_name, "host.example");
	assert_string_equal(f.kvp.additions_version, "0.1.0");
	assert_string_equal(f.kvp.os_name, "testos");
	assert_string_equal(f.kvp.os_version, "6.12");
	assert_string_equal(f.kvp.os_build, "6.12.7-1");
	assert_int_equal(f.kvp.os_major, 6);
	assert_int_equal(f.kvp.os_minor, 12);
	assert_int_equal(f.kvp.reported, 0);
	assert_int_equal(count_notes(NOTIFY_FACTS, 0), 1);
	/* Nothing until the next round is due; the same values post nothing. */
	now += 29000;
	guestos_poll(now);
	assert_int_equal(nsent, nread);
	now += 1000;
	kvp_round(kv, 8);
	assert_int_equal(count_notes(NOTIFY_FACTS, 0), 1);
	/* A round with other keys replaces every KVP fact and posts once. */
	now += 30000;
	kvp_round(windows, 8);
	assert_true(guestos_facts(G, &f));
	assert_int_equal(count_notes(NOTIFY_FACTS, 0), 2);
	assert_string_equal(f.kvp.os_name, "Windows Server 2008 R2 Enterprise");
	assert_string_equal(f.kvp.computer_name, "");
	assert_string_equal(f.kvp.csd_version, "Service Pack 1");
	assert_int_equal(f.kvp.reported, GUESTOS_KVP_CSD_VERSION | GUESTOS_KVP_SP_MAJOR |
			 GUESTOS_KVP_SP_MINOR | GUESTOS_KVP_SUITE_MASK | GUESTOS_KVP_PRODUCT_TYPE |
			 GUESTOS_KVP_PLATFORM_ID);
	assert_int_equal(f.kvp.sp_major, 1);
	assert_int_equal(f.kvp.sp_minor, 0);
	assert_int_equal(f.kvp.suite_mask, 274);
	assert_int_equal(f.kvp.product_type, 3);
	assert_int_equal(f.kvp.platform_id, 2);
	/* The channel goes: the facts are forgotten. */
	ready_mask &= ~(1u << BUS_KVP);
	guestos_channel_down(G, BUS_KVP);
	assert_true(guestos_facts(G, &f));
	assert_false(f.kvp_known);
	assert_string_equal(f.kvp.os_name, "");
	assert_int_equal(f.kvp.reported, 0);
	assert_int_equal(count_notes(NOTIFY_FACTS, 0), 3);
	assert_false(guestos_facts(7, &f));
}

/*
 * A Linux guest: hv_utils negotiates Shutdown, TimeSync, Heartbeat and KVP
 * but nothing claims Sessions or Exec.  Its integration services count as
 * present (additionsReady once); Logoff and Execute are refused per service.
 */
static void test_standard_services_only(void **state)
{
	static const uint32_t standard[] = { BUS_SHUTDOWN, BUS_TIMESYNC, BUS_HEARTBEAT, BUS_KVP };
	struct guestos_args logoff = { .op = GUESTOS_LOGOFF };
	struct guestos_args exec = { .op = GUESTOS_EXECUTE, .text = "true" };
	struct guestos_facts f;

	(void)state;
	for (size_t i = 0; i < sizeof(standard) / sizeof(standard[0]); i++) {
		assert_true(guestos_facts(G, &f));
		assert_false(f.additions);
		ready_mask |= 1u << standard[i];
		guestos_channel_ready(G, standard[i]);
	}
	assert_true(guestos_facts(G, &f));
	assert_true(f.additions && f.can_shutdown);
	assert_int_equal(f.services, GUESTOS_SVC_SHUTDOWN | GUESTOS_SVC_TIMESYNC |
				     GUESTOS_SVC_HEARTBEAT | GUESTOS_SVC_KVP);
	assert_int_equal(count_notes(NOTIFY_ADDITIONS, 1), 1);
	assert_int_equal(guestos_request(G, &logoff, on_done, &tags[0]),
			 VM_E_ADDITIONS_FEATURE_NOT_AVAIL);
	assert_int_equal(guestos_request(G, &exec, on_done, &tags[1]),
			 VM_E_ADDITIONS_FEATURE_NOT_AVAIL);
	/* Sessions or Exec going down leaves the additions present */
	ready_mask |= 1u << BUS_EXEC;
	guestos_channel_ready(G, BUS_EXEC);
	guestos_channel_down(G, BUS_EXEC);
	assert_int_equal(count_notes(NOTIFY_ADDITIONS, 0), 0);
	guestos_channel_down(G, BUS_KVP);
	assert_true(guestos_facts(G, &f));
	assert_false(f.additions);
	assert_int_equal(count_notes(NOTIFY_ADDITIONS, 0), 1);
	assert_int_equal(count_notes(NOTIFY_ADDITIONS, 1), 1);
}

static void test_sessions_facts_and_notify(void **state)
{
	struct guestos_facts f;
	struct ic_sessions_request req;
	struct ic_msg m;
	struct sent *s;

	(void)state;
	hb_known = hb_beating = false;
	for (uint32_t r = 1; r <= BUS_SERVICES; r++) {
		if (r == BUS_KVP)
			continue;
		ready_mask |= 1u << r;
		guestos_channel_ready(G, r);
	}
	assert_int_equal(count_notes(NOTIFY_ADDITIONS, 1), 0);
	ready_mask |= 1u << BUS_KVP;
	guestos_channel_ready(G, BUS_KVP);
	assert_int_equal(count_notes(NOTIFY_ADDITIONS, 1), 1);
	guestos_poll(now);
	assert_int_equal(count_notes(NOTIFY_HEARTBEAT, 1), 0);
	/* KVP's round first (empty pool), then Sessions LIST and LOCKED. */
	while (nread < nsent) {
		s = next_sent(&m);
		if (s->relid == BUS_KVP) {
			assert_null(answer_status(s, IC_S_CONT));
			continue;
		}
		assert_int_equal(ic_sessions_parse_request(&m, &req), 0);
		assert_int_equal(req.op, IC_SESSIONS_OP_LIST);
		assert_null(answer_sessions(s, &m, IC_S_OK, 2, 2));
		guestos_poll(now);
		s = next_sent(&m);
		assert_int_equal(ic_sessions_parse_request(&m, &req), 0);
		assert_int_equal(req.op, IC_SESSIONS_OP_LOCKED);
		assert_null(answer_sessions(s, &m, IC_S_OK, 1, 0));
	}
	assert_true(guestos_facts(G, &f));
	assert_true(f.additions && f.can_shutdown && f.sessions_known && f.screen_locked);
	assert_int_equal(f.users, 2);
	assert_false(f.heartbeating);
	hb_known = hb_beating = true;
	guestos_poll(now);
	assert_int_equal(count_notes(NOTIFY_HEARTBEAT, 1), 1);
	hb_beating = false;
	guestos_poll(now);
	assert_int_equal(count_notes(NOTIFY_HEARTBEAT, 0), 1);
	assert_true(guestos_facts(G, &f));
	assert_true(f.heartbeat_known);
	assert_false(f.heartbeating);
	/* Sessions asks again 2 s later. */
	now += 2000;
	guestos_poll(now);
	s = next_sent(&m);
	assert_int_equal(s->relid, BUS_SESSIONS);
}

static void test_refresh_timeout(void **state)
{
	struct ic_msg m;
	struct guestos_facts f;

	(void)state;
	ready_mask |= 1u << BUS_SESSIONS;
	guestos_channel_ready(G, BUS_SESSIONS);
	guestos_poll(now);
	next_sent(&m);
	now += GUESTOS_REQUEST_TIMEOUT_MS;
	guestos_poll(now);
	assert_true(guestos_facts(G, &f));
	assert_false(f.sessions_known);
	/* The round is retried after the refresh period. */
	assert_int_equal(nsent, nread);
	now += 2000;
	guestos_poll(now);
	next_sent(&m);
}

static void test_time_sync(void **state)
{
	struct guestos_facts f;

	(void)state;
	assert_true(guestos_time_sync_enabled(G));
	assert_int_equal(guestos_set_time_sync(G, false), S_OK);
	assert_false(guestos_time_sync_enabled(G));
	assert_true(guestos_facts(G, &f));
	assert_false(f.time_sync_enabled);
	assert_int_equal(time_syncs, 0);
	assert_int_equal(guestos_set_time_sync(G, true), S_OK);
	assert_int_equal(time_syncs, 1);
	assert_int_equal(guestos_set_time_sync(G, true), S_OK);
	assert_int_equal(time_syncs, 1); /* already on: no second SYNC */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_refusals, setup),
		cmocka_unit_test_setup(test_execute_round_trip, setup),
		cmocka_unit_test_setup(test_params, setup),
		cmocka_unit_test_setup(test_sessions_requests, setup),
		cmocka_unit_test_setup(test_shutdown_flags, setup),
		cmocka_unit_test_setup(test_queue_full_and_order, setup),
		cmocka_unit_test_setup(test_timeout_and_late_answer, setup),
		cmocka_unit_test_setup(test_cancel, setup),
		cmocka_unit_test_setup(test_channel_down, setup),
		cmocka_unit_test_setup(test_malformed_answer, setup),
		cmocka_unit_test_setup(test_done_chains, setup),
		cmocka_unit_test_setup(test_kvp_facts, setup),
		cmocka_unit_test_setup(test_standard_services_only, setup),
		cmocka_unit_test_setup(test_sessions_facts_and_notify, setup),
		cmocka_unit_test_setup(test_refresh_timeout, setup),
		cmocka_unit_test_setup(test_time_sync, setup),
	};

	notify_listen(listener);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
