/*
 * libFuzzer target for the management API's request path: a synthesised
 * http_request (method, path, query, Authorization, body from the input)
 * goes through the real router, authentication, jsmn body parsing and
 * every resource and task handler, on the fake backend; then the input
 * drives what happens next (the guest answers, events arrive, time
 * passes, the client goes away).  Oracles: every answer is exactly one
 * per request, and every JSON answer is one strict JSON value.
 *
 * Input: control bytes, then '\n'-separated path, query, Authorization,
 * and the body (the rest).  Control byte 0: method; 1: token choice
 * (0-3 a configured token, else the raw field); 2: what follows.
 */
#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include "../unit/api_fake_backend.h"

#include "../../mgmt/api/api.h"
#include "../../mgmt/api/api_events.h"
#include "../../mgmt/api/api_routes.h"
#include "../../mgmt/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CONNS 4u

static const char *const tokens[] = {
	"Bearer admin-secret", "Bearer reader-secret", "Bearer operator-secret", "",
};
static const uint32_t answers[] = {
	S_OK, VM_E_PREF_NOT_FOUND, VM_E_TIMED_OUT, VM_E_VM_NOT_RUNNING, HR_ERROR_MACHINE_LOCKED,
	E_FAIL, 0x8000FFFFu,
};

static struct http_request rq;
static char body[HTTP_MAX_BODY];

static void world(void)
{
	struct hv_mgmt_token *op;

	fake_reset();
	fake_http_reset();
	api_events_reset();
	if (task_init)
		task_init();
	fake_vm_add(0, "root", HV_PARTITION_RUNNING, true);
	fake_vm_add(1, "testos1", HV_PARTITION_RUNNING, false)->facts.can_shutdown = true;
	fake_vm_add(2, "testos2", HV_PARTITION_OFF, false);
	fake.vms[1].facts.kvp_known = true;
	fake.vms[1].facts.heartbeat_known = true;
	fake.vms[1].has_exits = true;
	fake_token_add("admin", "admin-secret", "*", 7);
	fake_token_add("reader", "reader-secret", "testos1", HV_MGMT_RIGHT_READ);
	op = fake_token_add("operator", "operator-secret", "testos1", 3);
	fake_token_grant(op, "testos2", HV_MGMT_RIGHT_READ);
}

/* Copies the next '\n'-terminated field (or the rest) into out; advances *p. */
static void field(const uint8_t **p, const uint8_t *end, char *out, size_t cap)
{
	size_t n = 0;

	while (*p < end && **p != '\n') {
		if (n + 1 < cap)
			out[n++] = (char)**p;
		(*p)++;
	}
	if (*p < end)
		(*p)++;
	out[n] = '\0';
}

static void check_answer(const struct fake_answer *a)
{
	jsmntok_t tok[2048];
	jsmn_parser p;
	int n;

	if (a->status < 200 || a->status > 599)
		abort();
	if (strcmp(a->content_type, "application/json") != 0)
		return;
	jsmn_init(&p);
	n = jsmn_parse(&p, a->body, a->len, tok, 2048);
	if (n <= 0 || (size_t)tok[0].end != a->len) {
		fprintf(stderr, "invalid JSON answer: %s\n", a->body);
		abort();
	}
}

/* One request on conn; exactly one answer now unless deferred. */
static void request(unsigned conn)
{
	struct fake_answer *a = fake_answer(fake_conn(conn));
	unsigned before = a->answers;
	enum api_disposition d = api_handle(fake_conn(conn), &rq);

	if (a->answers != before + (d == API_ANSWERED ? 1u : 0u))
		abort();
	if (d == API_ANSWERED)
		check_answer(a);
}

/* What happens after the request, one step per remaining control bit. */
static void aftermath(uint8_t what, unsigned conn)
{
	struct fake_answer *a = fake_answer(fake_conn(conn));
	struct fake_request *r = fake_last_request();
	static struct guestos_result res;
	unsigned before = a->answers;

	if ((what & 1) && r) {
		memset(&res, 0, sizeof(res));
		res.hresult = answers[(what >> 4) % (sizeof(answers) / sizeof(answers[0]))];
		res.nusers = what >> 3;
		snprintf(res.value, sizeof(res.value), "%s", body);
		snprintf(res.output, sizeof(res.output), "%s", body);
		res.output_len = (uint32_t)strlen(res.output);
		snprintf(res.users[0].name, sizeof(res.users[0].name), "%s", rq.query);
		fake_complete(r, &res);
	}
	if (what & 2)
		notify_post(what % 3, (enum notify_kind)((what >> 2) % 4), (what >> 4) % 5, what % 9);
	if (what & 4) {
		fake.now_ms += 1000u * what;
		api_poll(fake.now_ms);
	}
	if (a->answers > before + 1)
		abort();
	if (a->answers > before)
		check_answer(a);
	if (what & 8)
		api_conn_gone(fake_conn(conn));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool started;
	const uint8_t *p = data, *end = data + size;
	uint8_t ctl[3] = { 0 };
	size_t blen;

	if (!started) {
		world();
		api_init();
		started = true;
	}
	world();
	for (unsigned i = 0; i < 3 && p < end; i++)
		ctl[i] = *p++;
	memset(&rq, 0, sizeof(rq));
	rq.method = (enum http_method)(ctl[0] % 7);
	field(&p, end, rq.path, sizeof(rq.path));
	field(&p, end, rq.query, sizeof(rq.query));
	field(&p, end, rq.authorization, sizeof(rq.authorization));
	if (ctl[1] < 4)
		snprintf(rq.authorization, sizeof(rq.authorization), "%s", tokens[ctl[1]]);
	blen = (size_t)(end - p) < sizeof(body) ? (size_t)(end - p) : sizeof(body) - 1;
	memcpy(body, p, blen);
	body[blen] = '\0';
	/* An exact-size copy, so ASan flags a read past the body. */
	rq.body = blen ? memcpy(malloc(blen), body, blen) : NULL;
	rq.body_len = blen;
	rq.keep_alive = true;
	request(ctl[2] % CONNS);
	/* The same request again on another connection: a second waiter, a second task. */
	request((ctl[2] + 1) % CONNS);
	aftermath(ctl[2], ctl[2] % CONNS);
	aftermath((uint8_t)(ctl[2] >> 1 | 1), (ctl[2] + 1) % CONNS);
	free((void *)rq.body);
	/* Everything still waiting goes away, as the server would report on close. */
	for (unsigned c = 0; c < CONNS; c++)
		api_conn_gone(fake_conn(c));
	return 0;
}
