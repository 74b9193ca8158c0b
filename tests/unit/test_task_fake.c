/*
 * The test double described in test_task_fake.h: a backend whose VMs,
 * clock and guest answers the tests set, and reply functions that record
 * what the engine answered.
 */
#include "test_task_fake.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../mgmt/api/task_media.h"

struct fake_vm fake_vms[FAKE_VMS];
uint64_t fake_now;
uint32_t fake_request_refusal;
struct fake_request fake_requests[FAKE_REQUESTS];
unsigned fake_nrequests;
uint32_t fake_media_hr;
unsigned fake_media_calls;
struct fake_reply fake_replies[FAKE_REPLIES];
unsigned fake_nreplies;
struct api_event fake_events[FAKE_EVENTS];
unsigned fake_nevents;
bool fake_defer_full;
struct fake_defer fake_defers[FAKE_REQUESTS];
unsigned fake_ndefers;
char fake_audit[8][160];
unsigned fake_naudit;
static char pending_header[128];

static void guest_vm(struct fake_vm *v)
{
	v->exists = true;
	v->guest = true;
	v->state = HV_PARTITION_RUNNING;
	v->facts.additions = true;
	v->facts.can_shutdown = true;
	v->facts.kvp_known = true;
	snprintf(v->facts.additions_version, sizeof(v->facts.additions_version), "1.0.0");
}

void fake_reset(void)
{
	memset(fake_vms, 0, sizeof(fake_vms));
	fake_vms[0].exists = true;
	fake_vms[0].root = true;
	fake_vms[0].state = HV_PARTITION_RUNNING;
	guest_vm(&fake_vms[1]);
	guest_vm(&fake_vms[2]);
	fake_now = 1000;
	fake_request_refusal = 0;
	memset(fake_requests, 0, sizeof(fake_requests));
	fake_nrequests = 0;
	fake_media_hr = S_OK;
	fake_media_calls = 0;
	fake_nreplies = 0;
	fake_nevents = 0;
	fake_defer_full = false;
	fake_ndefers = 0;
	fake_naudit = 0;
	pending_header[0] = '\0';
}

void fake_state(uint32_t vm, uint32_t state, uint32_t cause)
{
	fake_vms[vm].state = state;
	notify_post(vm, NOTIFY_STATE, state, cause);
}

void fake_answer_result(unsigned i, const struct guestos_result *r)
{
	struct fake_request *q = &fake_requests[i];

	if (!q->live)
		return;
	q->live = false;
	q->done(q->ctx, r);
}

void fake_answer(unsigned i, uint32_t hr)
{
	static struct guestos_result r;

	memset(&r, 0, sizeof(r));
	r.hresult = hr;
	fake_answer_result(i, &r);
}

struct fake_request *fake_last_request(void)
{
	return fake_nrequests ? &fake_requests[fake_nrequests - 1] : NULL;
}

const struct fake_reply *fake_last_reply(void)
{
	return fake_nreplies ? &fake_replies[fake_nreplies - 1] : NULL;
}

/* ---- backend.h ---- */

bool backend_vm_get(uint32_t id, struct backend_vm *out)
{
	if (id >= FAKE_VMS || !fake_vms[id].exists)
		return false;
	memset(out, 0, sizeof(*out));
	out->id = id;
	out->state = fake_vms[id].state;
	out->root = fake_vms[id].root;
	snprintf(out->name, sizeof(out->name), id ? "testos%u" : "root", id);
	return true;
}

uint32_t backend_vm_start(uint32_t id)
{
	fake_vms[id].starts++;
	return fake_vms[id].start_hr;
}

uint32_t backend_vm_stop(uint32_t id)
{
	fake_vms[id].stops++;
	return fake_vms[id].stop_hr;
}

uint32_t backend_vm_reset(uint32_t id)
{
	fake_vms[id].resets++;
	return fake_vms[id].reset_hr;
}

bool backend_guestos_facts(uint32_t id, struct guestos_facts *out)
{
	if (id >= FAKE_VMS || !fake_vms[id].guest)
		return false;
	*out = fake_vms[id].facts;
	return true;
}

uint32_t backend_guestos_request(uint32_t id, const struct guestos_args *a, guestos_done_fn done,
				 void *ctx)
{
	struct fake_request *q;

	if (fake_request_refusal)
		return fake_request_refusal;
	if (fake_nrequests == FAKE_REQUESTS)
		return VM_E_OUT_OF_RESOURCE;
	q = &fake_requests[fake_nrequests++];
	memset(q, 0, sizeof(*q));
	q->live = true;
	q->vm = id;
	q->op = a->op;
	q->forced = a->forced;
	snprintf(q->text, sizeof(q->text), "%s", a->text ? a->text : "");
	q->done = done;
	q->ctx = ctx;
	return S_OK;
}

void backend_guestos_cancel(void *ctx)
{
	for (unsigned i = 0; i < fake_nrequests; i++) {
		if (fake_requests[i].live && fake_requests[i].ctx == ctx) {
			fake_requests[i].live = false;
			fake_requests[i].cancelled = true;
		}
	}
}

uint64_t backend_now_ms(void)
{
	return fake_now;
}

void backend_log(const char *fmt, ...)
{
	va_list ap;

	if (!getenv("TASK_TEST_VERBOSE"))
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

uint32_t task_media_attach(uint32_t vm, uint32_t media)
{
	fake_media_calls++;
	if (fake_media_hr == S_OK)
		fake_vms[vm].media_attached = media;
	return fake_media_hr;
}

/* ---- the events log and the API's answers ---- */

void api_event_post(const struct api_event *e)
{
	if (fake_nevents < FAKE_EVENTS)
		fake_events[fake_nevents++] = *e;
}

static void record(struct http_conn *c, int status, uint32_t hr, const char *body, size_t len)
{
	struct fake_reply *r;

	if (fake_nreplies == FAKE_REPLIES)
		fake_nreplies = 0;  /* tests look at the last few answers only */
	r = &fake_replies[fake_nreplies++];
	r->conn = c;
	r->status = status;
	r->hresult = hr;
	if (len >= sizeof(r->body))
		len = sizeof(r->body) - 1;
	memcpy(r->body, body, len);
	r->body[len] = '\0';
	snprintf(r->header, sizeof(r->header), "%s", pending_header);
	pending_header[0] = '\0';
}

void http_add_header(struct http_conn *c, const char *line)
{
	(void)c;
	snprintf(pending_header, sizeof(pending_header), "%s", line);
}

enum api_disposition api_reply_json(struct api_ctx *ctx, int status, const struct jw *body)
{
	record(ctx->conn, status, S_OK, body->buf, body->len);
	return API_ANSWERED;
}

void api_reply_json_conn(struct http_conn *c, int status, const struct jw *body)
{
	record(c, status, S_OK, body->buf, body->len);
}

enum api_disposition api_reply_error(struct api_ctx *ctx, int status, uint32_t hresult,
				     const char *message)
{
	record(ctx->conn, status, hresult, message, strlen(message));
	return API_ANSWERED;
}

void api_reply_error_conn(struct http_conn *c, int status, uint32_t hresult, const char *message)
{
	record(c, status, hresult, message, strlen(message));
}

bool api_defer(struct api_ctx *ctx, api_gone_fn gone, void *arg)
{
	if (fake_defer_full || fake_ndefers == FAKE_REQUESTS)
		return false;
	fake_defers[fake_ndefers++] = (struct fake_defer){ ctx->conn, gone, arg };
	return true;
}

void api_audit(const struct api_ctx *ctx, const char *action, const char *detail)
{
	if (fake_naudit < 8)
		snprintf(fake_audit[fake_naudit++], sizeof(fake_audit[0]), "%s %s %s", action,
			 ctx->vm_name, detail);
}
