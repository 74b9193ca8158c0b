/*
 * guestos on the wire: each request as the IC message of its channel
 * (docs/bus.md: Shutdown, KVP, Sessions, Exec), each answer decoded into
 * a guestos_result, and the refresh rounds that keep the facts: the KVP
 * auto pool (ENUMERATE from index 0 until S_CONT) and Sessions (LIST,
 * then LOCKED).  Everything in an answer is the guest's and checked by
 * the vmbus parsers; an answer that is malformed closes the channel.
 */
#include "guestos_int.h"
#include "bus_int.h"

#include <events/events.h>

#include <kernel/console.h>
#include <stddef.h>
#include <lib/format.h>
#include <lib/string.h>

#include "vmbus_err.h"
#include "vmbus_exec.h"
#include "vmbus_ic_util.h"
#include "vmbus_kvp.h"
#include "vmbus_sessions.h"

_Static_assert(GUESTOS_EXEC_TRUNCATED == IC_EXEC_TRUNCATED &&
		       GUESTOS_EXEC_TIMED_OUT == IC_EXEC_TIMED_OUT &&
		       GUESTOS_EXEC_NOT_FOUND == IC_EXEC_NOT_FOUND,
	       "guestos passes the Exec answer's flags through");

#define SHUTDOWN_TIMEOUT_S 30u        /* what the guest may take (Shutdown's timeout field) */
#define EXEC_MIN_TIMEOUT_MS 100u

static uint8_t out[IC_MSG_MAX] __attribute__((aligned(8)));
static uint8_t key16[IC_KVP_MAX_KEY], value16[IC_KVP_MAX_VALUE];
static struct ic_sessions_user_info users[IC_SESSIONS_MAX_USERS];

/* ---- parameters: what KVP can carry ---- */

/* ASCII (UTF-16 as the library writes it), 1 <= length <= max. */
static bool ascii_len_ok(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	for (size_t i = 0; i < n; i++)
		if ((uint8_t)s[i] > 0x7f)
			return false;
	return n >= 1 && n <= max;
}

bool guestos_param_name_ok(const char *name)
{
	/* 255 characters + NUL in UTF-16 fill the 512-byte key exactly. */
	return ascii_len_ok(name, GUESTOS_PARAM_NAME - 1) && strchr(name, '\\') == NULL;
}

bool guestos_param_value_ok(const char *value)
{
	/* 2048 bytes of UTF-16 with the NUL: 1023 characters; empty is fine. */
	return value[0] == '\0' || ascii_len_ok(value, IC_KVP_MAX_VALUE / 2 - 1);
}

/* ---- requests ---- */

static int kvp_build(const struct ic_hdr_info *h, uint8_t op, uint8_t pool, uint32_t index,
		     const char *key, const char *value)
{
	struct ic_kvp k = { .op = op, .pool = pool, .index = index, .value_type = IC_KVP_REG_SZ };
	int n;

	if (key != NULL) {
		n = ic_utf16_from_ascii(key, strlen(key), key16, sizeof(key16));
		if (n < 0)
			return n;
		k.key = key16;
		k.key_size = (uint32_t)n;
	}
	if (value != NULL) {
		n = ic_utf16_from_ascii(value, strlen(value), value16, sizeof(value16));
		if (n < 0)
			return n;
		k.value = value16;
		k.value_size = (uint32_t)n;
	}
	return ic_kvp_build(out, sizeof(out), h, &k);
}

static uint32_t exec_timeout(const struct greq *r, uint64_t now)
{
	/* The guest should give up (and answer) before we do. */
	int64_t left = (int64_t)(r->deadline - now) - 500;

	return left < EXEC_MIN_TIMEOUT_MS ? EXEC_MIN_TIMEOUT_MS : (uint32_t)left;
}

int guestos_send_request(uint32_t id, uint32_t relid, const struct greq *r, uint64_t now,
			 uint8_t *tid)
{
	struct ic_hdr_info h;
	int len;

	if (!bus_ic_request_hdr(id, relid, &h))
		return -VMBUS_E_STATE;
	*tid = h.trans_id;
	switch (r->op) {
	case GUESTOS_SHUTDOWN:
	case GUESTOS_RESTART:
		len = ic_shutdown_build(out, sizeof(out), &h,
					r->op == GUESTOS_RESTART ? IC_SHUTDOWN_REBOOT
								 : IC_SHUTDOWN_SHUTDOWN,
					r->forced, 0, SHUTDOWN_TIMEOUT_S, r->data);
		break;
	case GUESTOS_LOGOFF:
		len = ic_sessions_build_request(out, sizeof(out), &h, IC_SESSIONS_OP_LOGOFF,
						r->forced ? IC_SESSIONS_LOGOFF_FORCE : 0,
						IC_SESSIONS_ALL);
		break;
	case GUESTOS_USERS:
		len = ic_sessions_build_request(out, sizeof(out), &h, IC_SESSIONS_OP_LIST, 0, 0);
		break;
	case GUESTOS_EXECUTE:
		len = ic_exec_build_request(out, sizeof(out), &h, r->data, exec_timeout(r, now),
					    GUESTOS_OUTPUT);
		break;
	case GUESTOS_PARAM_GET:
		len = r->enumerating ?
			kvp_build(&h, IC_KVP_OP_ENUMERATE, IC_KVP_POOL_EXTERNAL, r->enum_index,
				  NULL, NULL) :
			kvp_build(&h, IC_KVP_OP_GET, IC_KVP_POOL_EXTERNAL, 0, r->data, NULL);
		break;
	case GUESTOS_PARAM_SET:
		len = kvp_build(&h, IC_KVP_OP_SET, IC_KVP_POOL_EXTERNAL, 0, r->data,
				r->data + r->value_at);
		break;
	default:
		len = -VMBUS_E_INVAL;
		break;
	}
	return len < 0 ? len : bus_ic_send(id, relid, out, (uint32_t)len, h.trans_id);
}

/* ---- answers ---- */

/* A KVP value as text: REG_SZ to ASCII, numbers in decimal.  False if malformed. */
static bool kvp_text(const struct ic_kvp *k, char *dst, size_t cap)
{
	static char tmp[IC_KVP_MAX_VALUE / 2 + 1];
	uint64_t v = 0;

	if (k->value_size == 0) {
		dst[0] = '\0';
		return true;
	}
	switch (k->value_type) {
	case IC_KVP_REG_SZ:
		if (ic_utf16_to_ascii(k->value, k->value_size, tmp, sizeof(tmp)) < 0)
			return false;
		lib_strlcpy(dst, tmp, cap);
		return true;
	case IC_KVP_REG_U32:
	case IC_KVP_REG_U64:
		memcpy(&v, k->value, k->value_size); /* 4 or 8, checked by ic_kvp_parse */
		fmt_snprintf(dst, cap, "%lu", (unsigned long)v);
		return true;
	default:
		return false;
	}
}

/*
 * One answer of the external-pool enumeration a PARAM_GET falls back to:
 * the value when the entry's name is the one asked for, else the next
 * index; the end of the pool (a failure status) means no such name.
 */
static uint32_t decode_kvp_enumerate(struct greq *r, const struct ic_msg *m,
				     struct guestos_result *res, const char **why)
{
	static char name[IC_KVP_MAX_KEY / 2 + 1];
	struct ic_kvp k;

	if (m->hdr.status != IC_S_OK)
		return VM_E_PREF_NOT_FOUND;
	if (ic_kvp_parse(m, &k) < 0 || k.op != IC_KVP_OP_ENUMERATE ||
	    k.pool != IC_KVP_POOL_EXTERNAL ||
	    ic_utf16_to_ascii(k.key, k.key_size, name, sizeof(name)) < 0) {
		*why = "malformed KVP answer";
		return E_FAIL;
	}
	if (strcmp(name, r->data) == 0) {
		if (!kvp_text(&k, res->value, sizeof(res->value))) {
			*why = "malformed KVP value";
			return E_FAIL;
		}
		return S_OK;
	}
	if (++r->enum_index >= GUESTOS_PARAM_ENUM_MAX)
		return VM_E_PREF_NOT_FOUND;
	return GUESTOS_DECODE_AGAIN;
}

static uint32_t decode_kvp(struct greq *r, const struct ic_msg *m,
			   struct guestos_result *res, const char **why)
{
	uint8_t op = r->op == GUESTOS_PARAM_GET ? IC_KVP_OP_GET : IC_KVP_OP_SET;
	struct ic_kvp k;

	if (m->hdr.status != IC_S_OK)
		/* A GET the guest cannot answer is a name it does not have. */
		return op == IC_KVP_OP_GET && m->hdr.status == IC_E_FAIL ? VM_E_PREF_NOT_FOUND
									 : m->hdr.status;
	if (ic_kvp_parse(m, &k) < 0 || k.op != op || k.pool != IC_KVP_POOL_EXTERNAL) {
		*why = "malformed KVP answer";
		return E_FAIL;
	}
	if (op == IC_KVP_OP_GET && !kvp_text(&k, res->value, sizeof(res->value))) {
		*why = "malformed KVP value";
		return E_FAIL;
	}
	if (op == IC_KVP_OP_GET && res->value[0] == '\0') {
		r->enumerating = true; /* perhaps Linux's daemon: look it up by ENUMERATE */
		r->enum_index = 0;
		return GUESTOS_DECODE_AGAIN;
	}
	return S_OK;
}

static uint32_t decode_sessions(const struct greq *r, const struct ic_msg *m,
				struct guestos_result *res, const char **why)
{
	uint16_t op = r->op == GUESTOS_LOGOFF ? IC_SESSIONS_OP_LOGOFF : IC_SESSIONS_OP_LIST;
	struct ic_sessions_answer a;
	uint32_t n;

	if (m->hdr.status != IC_S_OK)
		return m->hdr.status;
	if (ic_sessions_parse_answer(m, &a, users, IC_SESSIONS_MAX_USERS) < 0 || a.op != op) {
		*why = "malformed sessions answer";
		return E_FAIL;
	}
	if (op == IC_SESSIONS_OP_LOGOFF) {
		res->nusers = a.value;
		return S_OK;
	}
	n = a.count < GUESTOS_MAX_USERS ? a.count : GUESTOS_MAX_USERS;
	for (uint32_t i = 0; i < n; i++) {
		res->users[i].session_id = users[i].session_id;
		res->users[i].active = (users[i].flags & IC_SESSIONS_USER_ACTIVE) != 0;
		res->users[i].locked = (users[i].flags & IC_SESSIONS_USER_LOCKED) != 0;
		res->users[i].remote = (users[i].flags & IC_SESSIONS_USER_REMOTE) != 0;
		lib_strlcpy(res->users[i].name, users[i].name, sizeof(res->users[i].name));
	}
	res->nusers = n;
	return S_OK;
}

static uint32_t decode_exec(const struct ic_msg *m, struct guestos_result *res, const char **why)
{
	struct ic_exec_result x;
	uint32_t n;

	if (m->hdr.status != IC_S_OK)
		return m->hdr.status;
	if (ic_exec_parse_answer(m, &x) < 0) {
		*why = "malformed exec answer";
		return E_FAIL;
	}
	n = x.output_len < GUESTOS_OUTPUT ? x.output_len : GUESTOS_OUTPUT;
	res->exit_status = x.exit_status;
	res->exec_flags = x.flags | (n < x.output_len ? GUESTOS_EXEC_TRUNCATED : 0);
	memcpy(res->output, x.output, n);
	res->output[n] = '\0';
	res->output_len = n;
	return S_OK;
}

uint32_t guestos_decode(struct greq *r, const struct ic_msg *m, struct guestos_result *res,
			const char **why)
{
	switch (r->op) {
	case GUESTOS_LOGOFF:
	case GUESTOS_USERS:
		return decode_sessions(r, m, res, why);
	case GUESTOS_EXECUTE:
		return decode_exec(m, res, why);
	case GUESTOS_PARAM_GET:
		if (r->enumerating)
			return decode_kvp_enumerate(r, m, res, why);
		return decode_kvp(r, m, res, why);
	case GUESTOS_PARAM_SET:
		return decode_kvp(r, m, res, why);
	default:
		/* Shutdown, Restart: the guest's verdict is the status. */
		return m->hdr.status;
	}
}

/* ---- refreshes ---- */

static void kvp_round_end(struct gos *g, uint32_t id)
{
	guestos_kvp_commit(id, &g->kvp_new);
	g->kvp_round = false;
	g->kvp_due = bus_now_ms() + GUESTOS_KVP_REFRESH_MS;
	g->kvp_timeout_logged = false;
}

static void sessions_round_end(struct gos *g)
{
	g->sessions_round = false;
	g->sessions_due = bus_now_ms() + GUESTOS_SESSIONS_REFRESH_MS;
}

static enum gjob send_refresh(uint32_t id, uint32_t relid, enum gjob job, uint32_t index,
			      uint8_t *tid)
{
	struct ic_hdr_info h;
	int len;

	if (!bus_ic_request_hdr(id, relid, &h))
		return JOB_NONE;
	*tid = h.trans_id;
	if (job == JOB_KVP_ENUM)
		len = kvp_build(&h, IC_KVP_OP_ENUMERATE, IC_KVP_POOL_AUTO, index, NULL, NULL);
	else
		len = ic_sessions_build_request(out, sizeof(out), &h,
						job == JOB_SESSIONS_LIST ? IC_SESSIONS_OP_LIST
									 : IC_SESSIONS_OP_LOCKED,
						0, 0);
	if (len >= 0)
		len = bus_ic_send(id, relid, out, (uint32_t)len, h.trans_id);
	return len < 0 ? JOB_NONE : job;
}

enum gjob guestos_refresh_next(struct gos *g, uint32_t id, int k, uint64_t now, uint8_t *tid)
{
	enum gjob j = JOB_NONE;

	if (k == GC_KVP) {
		if (!g->kvp_round && (int64_t)(now - g->kvp_due) >= 0) {
			g->kvp_round = true;
			g->kvp_index = 0;
			memset(&g->kvp_new, 0, sizeof(g->kvp_new));
		}
		if (g->kvp_round)
			j = send_refresh(id, BUS_KVP, JOB_KVP_ENUM, g->kvp_index, tid);
		if (g->kvp_round && j == JOB_NONE) {
			g->kvp_round = false;
			g->kvp_due = now + GUESTOS_KVP_REFRESH_MS;
		}
	} else if (k == GC_SESSIONS) {
		if (!g->sessions_round && (int64_t)(now - g->sessions_due) >= 0) {
			g->sessions_round = true;
			g->sessions_listed = false;
		}
		if (g->sessions_round)
			j = send_refresh(id, BUS_SESSIONS,
					 g->sessions_listed ? JOB_SESSIONS_LOCKED : JOB_SESSIONS_LIST,
					 0, tid);
		if (g->sessions_round && j == JOB_NONE)
			sessions_round_end(g);
	}
	return j;
}

/* A decimal KVP value as a number: leading digits only, saturated at 2^32-1. */
static uint32_t kvp_number(const char *text)
{
	uint64_t v = 0;

	for (const char *p = text; *p >= '0' && *p <= '9' && v <= 0xffffffffu; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	return v > 0xffffffffu ? 0xffffffffu : (uint32_t)v;
}

/*
 * The auto-pool keys the facts keep: each either a string (str) or a
 * number (num) in struct guestos_kvp, and the GUESTOS_KVP_* bit it sets
 * (0: the field needs none).  Other keys (addresses, architecture, what a
 * later guest adds) are skipped.
 */
#define KVP_STR(key, field, bit) { key, offsetof(struct guestos_kvp, field), true, bit }
#define KVP_NUM(key, field, bit) { key, offsetof(struct guestos_kvp, field), false, bit }
static const struct kvp_key {
	const char *name;
	size_t offset;
	bool str;
	uint32_t bit;
} kvp_keys[] = {
	KVP_STR("OSName", os_name, 0),
	KVP_STR("FullyQualifiedDomainName", computer_name, 0),
	KVP_STR("IntegrationServicesVersion", additions_version, 0),
	KVP_STR("OSVersion", os_version, 0),
	KVP_STR("OSBuildNumber", os_build, 0),
	KVP_NUM("OSMajorVersion", os_major, 0),
	KVP_NUM("OSMinorVersion", os_minor, 0),
	KVP_STR("CSDVersion", csd_version, GUESTOS_KVP_CSD_VERSION),
	KVP_NUM("ServicePackMajor", sp_major, GUESTOS_KVP_SP_MAJOR),
	KVP_NUM("ServicePackMinor", sp_minor, GUESTOS_KVP_SP_MINOR),
	KVP_NUM("SuiteMask", suite_mask, GUESTOS_KVP_SUITE_MASK),
	KVP_NUM("ProductType", product_type, GUESTOS_KVP_PRODUCT_TYPE),
	KVP_NUM("OSPlatformId", platform_id, GUESTOS_KVP_PLATFORM_ID),
};

/* One auto-pool entry into the facts being gathered, by its key. */
static const char *kvp_fact(struct gos *g, const struct ic_kvp *k)
{
	static char name[IC_KVP_MAX_KEY / 2 + 1];
	char text[GUESTOS_STR];
	uint8_t *base = (uint8_t *)&g->kvp_new;
	uint32_t number;

	if (ic_utf16_to_ascii(k->key, k->key_size, name, sizeof(name)) < 0 ||
	    !kvp_text(k, text, sizeof(text)))
		return "malformed KVP enumeration answer";
	number = kvp_number(text);
	for (size_t i = 0; i < sizeof(kvp_keys) / sizeof(kvp_keys[0]); i++) {
		const struct kvp_key *key = &kvp_keys[i];

		if (strcmp(name, key->name) != 0)
			continue;
		if (key->str) {
			/* Clear first: a key sent twice must not leave bytes past the NUL (memcmp). */
			memset(base + key->offset, 0, GUESTOS_STR);
			lib_strlcpy((char *)(base + key->offset), text, GUESTOS_STR);
		} else
			memcpy(base + key->offset, &number, sizeof(number));
		g->kvp_new.reported |= key->bit;
	}
	return NULL;
}

static const char *kvp_answer(struct gos *g, uint32_t id, const struct ic_msg *m)
{
	struct ic_kvp k;
	const char *why = NULL;

	if (m->hdr.status == IC_S_OK) {
		if (ic_kvp_parse(m, &k) < 0 || k.op != IC_KVP_OP_ENUMERATE ||
		    k.pool != IC_KVP_POOL_AUTO || k.index != g->kvp_index)
			why = "malformed KVP enumeration answer";
		else
			why = kvp_fact(g, &k);
	}
	/* S_CONT ends the pool; another failure skips the index (it may be unset). */
	if (why == NULL && (m->hdr.status == IC_S_CONT || ++g->kvp_index >= GUESTOS_KVP_MAX_INDEX))
		kvp_round_end(g, id);
	return why;
}

static const char *sessions_answer(struct gos *g, uint32_t id, enum gjob job,
				   const struct ic_msg *m)
{
	uint16_t op = job == JOB_SESSIONS_LIST ? IC_SESSIONS_OP_LIST : IC_SESSIONS_OP_LOCKED;
	struct ic_sessions_answer a;

	if (m->hdr.status != IC_S_OK) {
		sessions_round_end(g);
		return NULL;
	}
	if (ic_sessions_parse_answer(m, &a, NULL, 0) < 0 || a.op != op) {
		sessions_round_end(g);
		return "malformed sessions answer";
	}
	if (job == JOB_SESSIONS_LIST) {
		g->sessions_users = a.value;
		g->sessions_listed = true;
		return NULL;
	}
	sessions_round_end(g);
	g->sessions_timeout_logged = false;
	guestos_sessions_commit(id, g->sessions_users, a.value != 0);
	return NULL;
}

const char *guestos_refresh_answer(struct gos *g, uint32_t id, int k, enum gjob job,
				   const struct ic_msg *m)
{
	if (k == GC_KVP && job == JOB_KVP_ENUM)
		return kvp_answer(g, id, m);
	if (k == GC_SESSIONS && (job == JOB_SESSIONS_LIST || job == JOB_SESSIONS_LOCKED))
		return sessions_answer(g, id, job, m);
	return NULL;
}

void guestos_refresh_timeout(struct gos *g, uint32_t id, int k, uint64_t now)
{
	bool *logged = k == GC_KVP ? &g->kvp_timeout_logged : &g->sessions_timeout_logged;

	if (k == GC_KVP) {
		g->kvp_round = false;
		g->kvp_due = now + GUESTOS_KVP_REFRESH_MS;
	} else {
		sessions_round_end(g);
	}
	if (!*logged)
		kprintf("root: guestos %s: %s refresh not answered in %u ms\n", events_name(id),
			bus_service_name(k == GC_KVP ? BUS_KVP : BUS_SESSIONS),
			GUESTOS_REQUEST_TIMEOUT_MS);
	*logged = true;
}
