/*
 * The backend.h test double (api_fake_backend.h): plain data steered by
 * the test, calls recorded.  Host only.
 */
#include "api_fake_backend.h"

#include <task/task_media.h>

#include <lib/sha256.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct fake_backend fake;

void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.config.revision = HV_MGMT_REVISION;
	fake.config.size = sizeof(fake.config);
	fake.config.http_port = 80;
}

struct fake_vm *fake_vm_add(uint32_t id, const char *name, uint32_t state, bool root)
{
	struct fake_vm *v = &fake.vms[id];

	memset(v, 0, sizeof(*v));
	v->present = true;
	v->vm.id = id;
	v->vm.state = state;
	v->vm.root = root;
	v->vm.vp_count = 1;
	v->vm.memory_bytes = root ? 256u << 20 : 64u << 20;
	snprintf(v->vm.name, sizeof(v->vm.name), "%s", name);
	v->has_facts = !root;
	v->facts.time_sync_enabled = true;
	return v;
}

void fake_token_grant(struct hv_mgmt_token *t, const char *vm, uint32_t rights)
{
	struct hv_mgmt_grant *g = &t->grants[t->ngrants++];

	snprintf(g->vm, sizeof(g->vm), "%s", vm);
	g->rights = rights;
}

struct hv_mgmt_token *fake_token_add(const char *name, const char *secret, const char *vm,
				     uint32_t rights)
{
	struct hv_mgmt_token *t = &fake.config.tokens[fake.config.ntokens++];

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	sha256(secret, strlen(secret), t->sha256);
	fake_token_grant(t, vm, rights);
	return t;
}

struct fake_request *fake_last_request(void)
{
	struct fake_request *r = NULL;

	for (uint32_t i = fake.nrequests; i > 0 && !r; i--) {
		struct fake_request *q = &fake.requests[(i - 1) % FAKE_MAX_REQUESTS];

		if (q->pending)
			r = q;
	}
	return r;
}

void fake_complete(struct fake_request *r, const struct guestos_result *res)
{
	r->pending = false;
	r->done(r->ctx, res);
}

uint32_t backend_vm_list(struct backend_vm *out, uint32_t max)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < HV_MAX_PARTITIONS && n < max; i++)
		if (fake.vms[i].present)
			out[n++] = fake.vms[i].vm;
	return n;
}

bool backend_vm_get(uint32_t id, struct backend_vm *out)
{
	bool ok = id < HV_MAX_PARTITIONS && fake.vms[id].present;

	if (ok)
		*out = fake.vms[id].vm;
	return ok;
}

const char *backend_vm_name(uint32_t id)
{
	return id < HV_MAX_PARTITIONS && fake.vms[id].present ? fake.vms[id].vm.name : NULL;
}

int32_t backend_vm_find(const char *name, size_t len)
{
	for (uint32_t i = 0; i < HV_MAX_PARTITIONS; i++)
		if (fake.vms[i].present && strlen(fake.vms[i].vm.name) == len &&
		    memcmp(fake.vms[i].vm.name, name, len) == 0)
			return (int32_t)i;
	return -1;
}

/* Accepted requests move the fake at once to where hv would end up. */
static uint32_t lifecycle(uint32_t id, uint32_t *count, uint32_t new_state)
{
	if (id >= HV_MAX_PARTITIONS || !fake.vms[id].present)
		return VM_E_VM_UNKNOWN;
	if (fake.lifecycle_refuse != S_OK)
		return fake.lifecycle_refuse;
	(*count)++;
	fake.vms[id].vm.state = new_state;
	return S_OK;
}

uint32_t backend_vm_start(uint32_t id)
{
	return lifecycle(id, &fake.starts, HV_PARTITION_STARTING);
}

uint32_t backend_vm_stop(uint32_t id)
{
	return lifecycle(id, &fake.stops, HV_PARTITION_OFF);
}

uint32_t backend_vm_reset(uint32_t id)
{
	return lifecycle(id, &fake.resets, HV_PARTITION_STARTING);
}

bool backend_vm_exits(uint32_t id, uint64_t exits[HV_EXIT_COUNTERS])
{
	bool ok = id < HV_MAX_PARTITIONS && fake.vms[id].present && fake.vms[id].has_exits;

	if (ok)
		memcpy(exits, fake.vms[id].exits, sizeof(fake.vms[id].exits));
	return ok;
}

bool backend_guestos_facts(uint32_t id, struct guestos_facts *out)
{
	bool ok = id < HV_MAX_PARTITIONS && fake.vms[id].present && fake.vms[id].has_facts;

	if (ok)
		*out = fake.vms[id].facts;
	return ok;
}

uint32_t backend_guestos_request(uint32_t id, const struct guestos_args *a, guestos_done_fn done,
				 void *ctx)
{
	struct fake_request *r;

	if (id >= HV_MAX_PARTITIONS || !fake.vms[id].present)
		return VM_E_VM_UNKNOWN;
	if (fake.refuse != S_OK)
		return fake.refuse;
	r = &fake.requests[fake.nrequests++ % FAKE_MAX_REQUESTS];
	memset(r, 0, sizeof(*r));
	r->pending = true;
	r->id = id;
	r->args = *a;
	snprintf(r->text, sizeof(r->text), "%s", a->text ? a->text : "");
	snprintf(r->value, sizeof(r->value), "%s", a->value ? a->value : "");
	r->args.text = r->text;
	r->args.value = r->value;
	r->done = done;
	r->ctx = ctx;
	return S_OK;
}

void backend_guestos_cancel(void *ctx)
{
	for (uint32_t i = 0; i < FAKE_MAX_REQUESTS; i++) {
		if (fake.requests[i].pending && fake.requests[i].ctx == ctx) {
			fake.requests[i].pending = false;
			fake.cancels++;
		}
	}
}

uint32_t backend_guestos_set_time_sync(uint32_t id, bool enabled)
{
	if (id >= HV_MAX_PARTITIONS || !fake.vms[id].has_facts)
		return VM_E_VM_UNKNOWN;
	fake.time_sync_calls++;
	fake.vms[id].facts.time_sync_enabled = enabled;
	return S_OK;
}

const struct hv_mgmt_config *backend_mgmt_config(void)
{
	return &fake.config;
}

bool backend_heap_used(uint64_t *bytes)
{
	if (fake.heap_known)
		*bytes = fake.heap_used;
	return fake.heap_known;
}

bool backend_tls(struct backend_tls *out)
{
	if (fake.tls_known)
		*out = fake.tls;
	return fake.tls_known;
}

bool backend_net(struct backend_net *out)
{
	if (fake.net_known)
		*out = fake.net;
	return fake.net_known;
}

/* Deterministic: tests compare keys only with themselves. */
void backend_entropy(uint8_t out[32])
{
	static uint32_t counter;

	for (unsigned i = 0; i < 32; i++)
		out[i] = (uint8_t)(counter * 131u + i * 7u);
	counter++;
}

uint64_t backend_now_ms(void)
{
	return fake.now_ms;
}

void backend_log(const char *fmt, ...)
{
	size_t len = strlen(fake.log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fake.log + len, sizeof(fake.log) - len, fmt, ap);
	va_end(ap);
}

uint32_t task_media_attach(uint32_t vm, uint32_t media)
{
	(void)media;
	if (vm >= HV_MAX_PARTITIONS || !fake.vms[vm].present)
		return VM_E_VM_UNKNOWN;
	fake.media_calls++;
	return fake.media_hr;
}
