/*
 * guestos internals shared by guestos.c (state, queues, polling) and
 * guestos_wire.c (building requests, decoding answers, the periodic
 * refreshes of the facts).
 */
#ifndef MGMT_GUESTOS_INT_H
#define MGMT_GUESTOS_INT_H

#include <stddef.h>

#include "guestos.h"
#include "vmbus_ic.h"

#define GUESTOS_QUEUE 8u               /* per channel, the request in flight included */
#define GUESTOS_KVP_REFRESH_MS 30000u
#define GUESTOS_SESSIONS_REFRESH_MS 2000u
#define GUESTOS_KVP_MAX_INDEX 32u      /* auto-pool indexes asked per round */
/*
 * A parameter read whose GET came back empty is looked up again by
 * enumerating the external pool: Linux's hv_kvp_daemon answers a host's
 * GET with no value (it copies value_size bytes, and the GET carries 0),
 * but enumerates the pool.  At most this many indexes are asked.
 */
#define GUESTOS_PARAM_ENUM_MAX 256u
/* guestos_decode's answer when the request must be sent again (next index). */
#define GUESTOS_DECODE_AGAIN 0xffffffffu

enum gchan { GC_SHUTDOWN, GC_KVP, GC_SESSIONS, GC_EXEC, GC_COUNT };

enum gjob {
	JOB_NONE,
	JOB_USER,           /* q[0] */
	JOB_KVP_ENUM,       /* auto pool, index gos.kvp_index */
	JOB_SESSIONS_LIST,
	JOB_SESSIONS_LOCKED,
};

/* A queued request, its strings copied: data holds text, then value at value_at. */
struct greq {
	enum guestos_op op;
	bool forced;
	guestos_done_fn done;       /* NULL once cancelled */
	void *ctx;
	uint64_t deadline;          /* bus_now_ms() at the call + GUESTOS_REQUEST_TIMEOUT_MS */
	uint16_t value_at;
	bool enumerating;           /* PARAM_GET: looking the name up by ENUMERATE */
	uint32_t enum_index;        /* the external-pool index asked next */
	char data[GUESTOS_PARAM_NAME + GUESTOS_PARAM_VALUE + 1];
};

_Static_assert(GUESTOS_PARAM_NAME + GUESTOS_PARAM_VALUE + 1 >= 1024 + 1, "Exec command fits");

struct gchan_state {
	struct greq q[GUESTOS_QUEUE];
	uint32_t count;
	bool busy;                  /* a message is in flight */
	enum gjob job;              /* which */
	uint8_t tid;                /* its IC transaction id */
	uint64_t sent_ms;
};

struct gos {
	struct gchan_state ch[GC_COUNT];
	uint32_t ready;             /* bit relid: channel negotiated */
	bool additions_posted;      /* NOTIFY_ADDITIONS 1 posted, 0 not yet */
	bool beating;               /* as last posted with NOTIFY_HEARTBEAT */
	bool ts_disabled;           /* IsHostTimeSyncEnabled false (kept across runs) */
	struct guestos_facts facts; /* the KVP and Sessions parts */
	/* KVP auto-pool round */
	bool kvp_round;
	uint32_t kvp_index;
	uint64_t kvp_due;
	struct guestos_kvp kvp_new;
	bool kvp_timeout_logged;
	/* Sessions round: LIST then LOCKED */
	bool sessions_round;
	bool sessions_listed;       /* LIST answered, LOCKED next */
	uint32_t sessions_users;
	uint64_t sessions_due;
	bool sessions_timeout_logged;
};

/* guestos.c */
void guestos_kvp_commit(uint32_t id, const struct guestos_kvp *k);
void guestos_sessions_commit(uint32_t id, uint32_t users, bool locked);

/* guestos_wire.c */
bool guestos_param_name_ok(const char *name);
bool guestos_param_value_ok(const char *value);
/* Builds and sends r on relid; *tid gets its IC transaction id.  Negative on failure. */
int guestos_send_request(uint32_t id, uint32_t relid, const struct greq *r, uint64_t now,
			 uint8_t *tid);
/* The answer to r: the HRESULT, res filled; *why set when the answer is malformed. */
uint32_t guestos_decode(struct greq *r, const struct ic_msg *m, struct guestos_result *res,
			const char **why);
/* Sends the next refresh message due on channel k, or returns JOB_NONE. */
enum gjob guestos_refresh_next(struct gos *g, uint32_t id, int k, uint64_t now, uint8_t *tid);
const char *guestos_refresh_answer(struct gos *g, uint32_t id, int k, enum gjob job,
				   const struct ic_msg *m);
void guestos_refresh_timeout(struct gos *g, uint32_t id, int k, uint64_t now);

#endif
