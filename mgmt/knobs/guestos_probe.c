/*
 * guestos_probe=<guest> (repeatable, up to 4): a system test of guestos
 * from inside the root.  Before the bus starts (or, for a guest not yet
 * running then, as soon as it runs) one request is made that its
 * additions cannot be ready for (refused at call time); once they
 * are and the facts are known, a fixed script of requests runs one after
 * the other, each result logged as
 *   root: guestos <guest>: probe <step> 0x<hresult> <NAME> [key=value...]
 * and notifications about the guest are logged as
 *   root: guestos <guest>: notify <kind> <arg> <arg2>
 * The script ends with an unforced shutdown (a locked guest vetoes it),
 * a request right behind it and two forced shutdowns (refused at the call
 * once the guest is off; a guest that ignores shutdowns answers the second
 * with SHUTDOWN_IN_PROGRESS); afterwards, if the guest's heartbeat is
 * lost, one more request shows the timeout.  The probes are read with
 * partition management up (configure hook) and step from the root's
 * poll loop.
 */
#include "knobs.h"

#include <bus/bus.h>
#include <bus/guestos.h>
#include <common/notify.h>
#include <events/events.h>

#include <kernel/cmdline.h>
#include <kernel/console.h>
#include <kernel/hvmgmt.h>
#include <lib/format.h>
#include <lib/string.h>
#include <stdarg.h>

#define PROBES 4u
#define QUEUE_TRIES 9u               /* one more than a channel's queue */
#define FACTS_WAIT_MS 2500u          /* longer than the Sessions refresh */

enum probe_state { P_START, P_READY_WAIT, P_SCRIPT, P_LOST_WAIT, P_END };

enum step_kind { S_REQUEST, S_QUEUE, S_FACTS, S_TS_OFF, S_TS_ON };

static const struct step {
	const char *label;
	enum step_kind kind;
	struct guestos_args a;
} script[] = {
	{ "users", S_REQUEST, { .op = GUESTOS_USERS } },
	{ "execute", S_REQUEST, { .op = GUESTOS_EXECUTE, .text = "echo hello from the root" } },
	{ "execute_false", S_REQUEST, { .op = GUESTOS_EXECUTE, .text = "false" } },
	{ "execute_missing", S_REQUEST, { .op = GUESTOS_EXECUTE, .text = "no-such-command" } },
	{ "param_set", S_REQUEST,
	  { .op = GUESTOS_PARAM_SET, .text = "probe_key", .value = "probe value 42" } },
	{ "param_get", S_REQUEST, { .op = GUESTOS_PARAM_GET, .text = "probe_key" } },
	{ "param_missing", S_REQUEST, { .op = GUESTOS_PARAM_GET, .text = "no_such_key" } },
	{ "param_bad", S_REQUEST, { .op = GUESTOS_PARAM_GET, .text = "bad\\name" } },
	{ "param_empty", S_REQUEST, { .op = GUESTOS_PARAM_SET, .text = "", .value = "x" } },
	{ "queue", S_QUEUE, { .op = GUESTOS_EXECUTE, .text = "true" } },
	{ "after_cancel", S_REQUEST, { .op = GUESTOS_EXECUTE, .text = "echo after cancel" } },
	{ "logoff", S_REQUEST, { .op = GUESTOS_LOGOFF } },
	{ "logoff_forced", S_REQUEST, { .op = GUESTOS_LOGOFF, .forced = true } },
	{ "logoff_again", S_REQUEST, { .op = GUESTOS_LOGOFF, .forced = true } },
	{ "facts", S_FACTS, { .op = GUESTOS_USERS } },
	{ "time_sync_off", S_TS_OFF, { .op = GUESTOS_USERS } },
	{ "time_sync_on", S_TS_ON, { .op = GUESTOS_USERS } },
	{ "shutdown", S_REQUEST, { .op = GUESTOS_SHUTDOWN, .text = "guestos probe" } },
	{ "after_shutdown", S_REQUEST, { .op = GUESTOS_EXECUTE, .text = "echo after shutdown" } },
	/* a guest still up (it vetoed, or ignores shutdowns) */
	{ "shutdown_forced", S_REQUEST,
	  { .op = GUESTOS_SHUTDOWN, .forced = true, .text = "guestos probe, forced" } },
	{ "shutdown_again", S_REQUEST,
	  { .op = GUESTOS_SHUTDOWN, .forced = true, .text = "guestos probe, again" } },
};
#define STEPS (sizeof(script) / sizeof(script[0]))

static struct probe {
	char name[HV_NAME_LEN];
	int id;
	enum probe_state st;
	uint32_t step;
	bool waiting;                /* a request of ours is out */
	uint64_t step_ms;
	char junk;                   /* ctx of the requests the queue step cancels */
} probes[PROBES];
static uint32_t nprobes;

static const char *hr_name(uint32_t hr)
{
	const char *n = hresult_name(hr);

	return n != NULL ? n : "?";
}

/* out (n bytes) as a quoted, escaped string of at most about 120 characters. */
static void quote(char *dst, size_t cap, const char *s, uint32_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t at = 0;

	dst[at++] = '"';
	for (uint32_t i = 0; i < n && at + 6 < cap; i++) {
		uint8_t c = (uint8_t)s[i];

		if (c == '\n' || c == '"' || c == '\\') {
			dst[at++] = '\\';
			dst[at++] = c == '\n' ? 'n' : (char)c;
		} else if (c < 0x20 || c > 0x7e) {
			dst[at++] = '\\';
			dst[at++] = 'x';
			dst[at++] = hex[c >> 4];
			dst[at++] = hex[c & 15];
		} else {
			dst[at++] = (char)c;
		}
	}
	dst[at++] = '"';
	dst[at] = '\0';
}

static char line[512];
static size_t line_at;

static void line_add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void line_add(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line_at += fmt_vsnprintf(line + line_at, sizeof(line) - line_at, fmt, ap);
	va_end(ap);
	if (line_at >= sizeof(line))
		line_at = sizeof(line) - 1;
}

/* One result line, built whole so that nothing can cut into it. */
static void log_result(const struct probe *p, const char *label, const struct guestos_args *a,
		       const struct guestos_result *r)
{
	char q[128];

	line_at = 0;
	line_add("root: guestos %s: probe %s 0x%08x %s", p->name, label, r->hresult,
		 hr_name(r->hresult));
	if (r->hresult == S_OK && a->op == GUESTOS_EXECUTE) {
		quote(q, sizeof(q), r->output, r->output_len);
		line_add(" exit=%d flags=%u output=%s", r->exit_status, r->exec_flags, q);
	} else if (r->hresult == S_OK && a->op == GUESTOS_PARAM_GET) {
		quote(q, sizeof(q), r->value, (uint32_t)strlen(r->value));
		line_add(" value=%s", q);
	} else if (r->hresult == S_OK && (a->op == GUESTOS_LOGOFF || a->op == GUESTOS_USERS)) {
		line_add(" n=%u", r->nusers);
	}
	for (uint32_t i = 0; a->op == GUESTOS_USERS && r->hresult == S_OK && i < r->nusers &&
			     i < GUESTOS_MAX_USERS; i++)
		line_add("%s%s:%u", i ? "," : " users=", r->users[i].name, r->users[i].session_id);
	kprintf("%s\n", line);
}

static void step_done(void *ctx, const struct guestos_result *r)
{
	struct probe *p = ctx;

	if (p->st == P_SCRIPT && p->step < STEPS) {
		log_result(p, script[p->step].label, &script[p->step].a, r);
		p->step++;
		p->step_ms = bus_now_ms();
	} else {
		static const struct guestos_args other = { .op = GUESTOS_EXECUTE };

		log_result(p, p->st == P_END ? "late" : "early", &other, r);
	}
	p->waiting = false;
}

static void cancelled_done(void *ctx, const struct guestos_result *r)
{
	for (uint32_t i = 0; i < nprobes; i++)
		if (ctx == &probes[i].junk)
			kprintf("root: guestos %s: probe FAIL a cancelled request completed (0x%x)\n",
				probes[i].name, r->hresult);
}

static void log_facts(const struct probe *p, const char *label)
{
	struct guestos_facts f;

	if (!guestos_facts((uint32_t)p->id, &f))
		return;
	/* Two lines: hv keeps 159 characters of a partition's line. */
	kprintf("root: guestos %s: probe %s os_name=%s computer_name=%s additions_version=%s "
		"os_version=%s os_major=%u os_minor=%u\n", p->name, label, f.kvp.os_name, f.kvp.computer_name,
		f.kvp.additions_version, f.kvp.os_version, f.kvp.os_major, f.kvp.os_minor);
	kprintf("root: guestos %s: probe %s screen_locked=%u users=%u heartbeating=%u "
		"heartbeat_percentage=%u time_sync=%u\n", p->name, label, f.screen_locked, f.users,
		f.heartbeating, f.heartbeat_percentage, f.time_sync_enabled);
}

/* The queue step: one request more than a queue holds, then all of them cancelled. */
static void queue_step(struct probe *p, const struct step *s)
{
	uint32_t accepted = 0, hr = S_OK;

	for (uint32_t i = 0; i < QUEUE_TRIES && hr == S_OK; i++) {
		hr = guestos_request((uint32_t)p->id, &s->a, cancelled_done, &p->junk);
		if (hr == S_OK)
			accepted++;
	}
	guestos_cancel(&p->junk);
	kprintf("root: guestos %s: probe %s accepted=%u then 0x%08x %s\n", p->name, s->label,
		accepted, hr, hr_name(hr));
	p->step++;
}

static void script_step(struct probe *p, uint64_t now)
{
	const struct step *s = &script[p->step];
	uint32_t hr;

	if (s->kind == S_QUEUE) {
		queue_step(p, s);
		return;
	}
	if (s->kind == S_TS_OFF || s->kind == S_TS_ON) {
		struct guestos_facts f;

		hr = guestos_set_time_sync((uint32_t)p->id, s->kind == S_TS_ON);
		guestos_facts((uint32_t)p->id, &f);
		kprintf("root: guestos %s: probe %s 0x%08x %s time_sync=%u\n", p->name, s->label, hr,
			hr_name(hr), f.time_sync_enabled);
		p->step++;
		return;
	}
	if (s->kind == S_FACTS) {
		if (now - p->step_ms < FACTS_WAIT_MS)
			return;
		log_facts(p, s->label);
		p->step++;
		return;
	}
	hr = guestos_request((uint32_t)p->id, &s->a, step_done, p);
	if (hr == S_OK) {
		p->waiting = true;
		return;
	}
	kprintf("root: guestos %s: probe %s 0x%08x %s at the call\n", p->name, s->label, hr,
		hr_name(hr));
	p->step++;
	p->step_ms = now;
}

static void probe_early(struct probe *p)
{
	static const struct guestos_args a = { .op = GUESTOS_EXECUTE, .text = "echo early" };
	uint32_t hr = guestos_request((uint32_t)p->id, &a, step_done, p);

	if (hr == S_OK)
		p->waiting = true;
	else
		kprintf("root: guestos %s: probe early 0x%08x %s at the call\n", p->name, hr,
			hr_name(hr));
	p->st = P_READY_WAIT;
}

static void probe_poll(struct probe *p, uint64_t now)
{
	struct guestos_facts f;

	if (p->waiting || p->id < 0 || !guestos_facts((uint32_t)p->id, &f))
		return;
	switch (p->st) {
	case P_START:
		if (events_state((uint32_t)p->id) == HV_PARTITION_RUNNING)
			probe_early(p);
		break;
	case P_READY_WAIT:
		if (f.additions && f.kvp_known && f.sessions_known) {
			log_facts(p, "facts");
			p->st = P_SCRIPT;
			p->step_ms = now;
		}
		break;
	case P_SCRIPT:
		if (p->step < STEPS) {
			script_step(p, now);
		} else {
			kprintf("root: guestos %s: probe done\n", p->name);
			p->st = P_LOST_WAIT;
		}
		break;
	case P_LOST_WAIT:
		if (f.heartbeat_known && !f.heartbeating) {
			static const struct guestos_args a = { .op = GUESTOS_EXECUTE,
							       .text = "echo late" };
			uint32_t hr = guestos_request((uint32_t)p->id, &a, step_done, p);

			p->st = P_END;
			p->waiting = hr == S_OK;
			if (hr != S_OK)
				kprintf("root: guestos %s: probe late 0x%08x %s at the call\n",
					p->name, hr, hr_name(hr));
		}
		break;
	default:
		break;
	}
}

static void probes_poll(uint64_t now_ms)
{
	for (uint32_t i = 0; i < nprobes; i++)
		probe_poll(&probes[i], now_ms);
}

static void on_notify(const struct notify *n)
{
	for (uint32_t i = 0; i < nprobes; i++) {
		if (probes[i].id < 0 || (uint32_t)probes[i].id != n->id)
			continue;
		if (n->kind == NOTIFY_STATE)
			kprintf("root: guestos %s: notify state %s %s\n", probes[i].name,
				hv_partition_state_name(n->arg), hv_event_cause_name(n->arg2));
		else
			kprintf("root: guestos %s: notify %s %u\n", probes[i].name,
				notify_kind_name(n->kind), n->arg);
	}
}

static void probes_configure(const struct knob_env *env)
{
	const char *cur = env->cmdline;
	struct cmdline_word w;

	while (cmdline_next(&cur, &w)) {
		struct probe *p = &probes[nprobes];
		int id;

		if (!cmdline_eq(w.key, w.key_len, "guestos_probe"))
			continue;
		id = w.value != NULL ? events_find(w.value, w.value_len) : -1;
		if (id < 0 || !events_is_guest((uint32_t)id) || nprobes == PROBES) {
			kprintf("root: guestos_probe wants the name of a guest (at most %u)\n", PROBES);
			continue;
		}
		memset(p, 0, sizeof(*p));
		memcpy(p->name, w.value, w.value_len < HV_NAME_LEN ? w.value_len : HV_NAME_LEN - 1);
		p->id = id;
		nprobes++;
		/*
		 * Now, before bus_init: from the poll loop the request raced the
		 * guest's bus (a loaded host once let one bus_poll take the whole
		 * negotiation before the first knob poll).
		 */
		if (events_state((uint32_t)id) == HV_PARTITION_RUNNING)
			probe_early(p);
	}
	if (nprobes != 0 && !notify_listen(on_notify))
		kputs("root: guestos_probe: no room for a notify listener\n");
}

static const struct root_knob guestos_probe_knob = {
	.name = "guestos_probe",
	.configure = probes_configure,
	.poll = probes_poll,
};
ROOT_KNOB(guestos_probe_knob, 50);
