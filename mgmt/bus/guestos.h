/*
 * guestos: the root's view of each guest's operating system as its
 * integration services report it, and the requests the management API
 * makes of it (Shutdown, Restart, Logoff, ExecuteCommand, Get/SetParameter,
 * the user list).  Facts are cached: KVP's auto pool is read when the KVP
 * channel becomes ready and again every 30 s, Sessions (users, locked
 * screen) every 2 s, so reading them never waits for the guest.  The
 * KVP and Sessions facts are forgotten when their channel stops (the
 * partition stopped or restarted, the bus went away); the heartbeat facts
 * are read live from the Heartbeat channel.  Changes are posted with
 * notify.h: NOTIFY_FACTS, NOTIFY_ADDITIONS, NOTIFY_HEARTBEAT.
 *
 * Requests are asynchronous: guestos_request either refuses at once
 * (returns an HRESULT, done is never called) or returns S_OK and calls
 * done exactly once later, from guestos_poll or a bus callback, unless
 * the request is cancelled first.  At most one request per channel is in
 * flight; later ones wait in a short queue in order (8 per channel, the
 * one in flight included).  A request that is not answered within
 * GUESTOS_REQUEST_TIMEOUT_MS of the call (queued time included) completes
 * with VM_E_TIMED_OUT; a late answer is ignored.  When the channel stops
 * (partition stopped or reset, channel closed) what waits on it completes
 * with VM_E_VM_NOT_RUNNING.  done may make or cancel requests.
 *
 * Strings: parameter names are 1-255 ASCII characters without a
 * backslash, values 0-1023 ASCII characters (KVP carries them as UTF-16
 * with a NUL in 512 / 2048 bytes); commands 1-1024 bytes of UTF-8; a
 * shutdown reason is cut to 1024 bytes.
 */
#ifndef MGMT_GUESTOS_H
#define MGMT_GUESTOS_H

#include <stdbool.h>
#include <stdint.h>

#include <common/hresult.h>

#define GUESTOS_STR 128u
#define GUESTOS_PARAM_NAME 256u     /* 1-255 characters, no backslash */
#define GUESTOS_PARAM_VALUE 1024u
#define GUESTOS_OUTPUT 2048u        /* Exec output kept, bytes */
#define GUESTOS_MAX_USERS 16u
#define GUESTOS_REQUEST_TIMEOUT_MS 10000u  /* guest silent this long: VM_E_TIMED_OUT */

/*
 * What the guest's KVP auto pool reported: Hyper-V's intrinsic exchange
 * items.  Windows guests add their OSVERSIONINFOEX (CSDVersion and the
 * numbers after it); each of those counts only if its key came, as the
 * GUESTOS_KVP_* bit in `reported` says.  Built from a zeroed struct, so
 * two can be compared with memcmp.
 */
enum {
	GUESTOS_KVP_CSD_VERSION = 1u << 0,
	GUESTOS_KVP_SP_MAJOR = 1u << 1,
	GUESTOS_KVP_SP_MINOR = 1u << 2,
	GUESTOS_KVP_SUITE_MASK = 1u << 3,
	GUESTOS_KVP_PRODUCT_TYPE = 1u << 4,
	GUESTOS_KVP_PLATFORM_ID = 1u << 5,
};

struct guestos_kvp {
	char os_name[GUESTOS_STR];          /* OSName */
	char computer_name[GUESTOS_STR];    /* ComputerName (FullyQualifiedDomainName) */
	char additions_version[GUESTOS_STR];/* AdditionsVersion (IntegrationServicesVersion) */
	char os_version[GUESTOS_STR];       /* OSVersion, e.g. "1.0.0" */
	char os_build[GUESTOS_STR];         /* OSBuildNumber as reported */
	uint32_t os_major, os_minor;        /* OSMajorVersion, OSMinorVersion */
	uint32_t reported;                  /* GUESTOS_KVP_* bits for the fields below */
	char csd_version[GUESTOS_STR];      /* CSDVersion: "" without a service pack */
	uint32_t sp_major, sp_minor;        /* ServicePackMajor, ServicePackMinor */
	uint32_t suite_mask;                /* SuiteMask */
	uint32_t product_type;              /* ProductType: 1 workstation, 2 DC, 3 server */
	uint32_t platform_id;               /* OSPlatformId: 2 for Windows NT */
};
/* guestos_kvp_commit compares with memcmp: there must be no padding. */
_Static_assert(sizeof(struct guestos_kvp) == 6 * GUESTOS_STR + 8 * sizeof(uint32_t),
	       "struct guestos_kvp has padding");

/* guestos_facts.services: bit n is the channel of relid n (bus.h's enum bus_service). */
#define GUESTOS_SVC_SHUTDOWN (1u << 1)
#define GUESTOS_SVC_TIMESYNC (1u << 2)
#define GUESTOS_SVC_HEARTBEAT (1u << 3)
#define GUESTOS_SVC_KVP (1u << 4)
#define GUESTOS_SVC_SESSIONS (1u << 5)
#define GUESTOS_SVC_EXEC (1u << 6)

struct guestos_facts {
	/*
	 * The guest's integration services are up: Shutdown, TimeSync,
	 * Heartbeat and KVP negotiated, the set every Hyper-V guest offers
	 * (Linux's hv_utils, Windows' integration services, our additions).
	 * Sessions and Exec are ours alone: judged per service (services).
	 */
	bool additions;
	uint32_t services;          /* GUESTOS_SVC_* bits: that service is ready */
	bool can_shutdown;          /* Shutdown channel ready */
	bool heartbeat_known;       /* at least one heartbeat exchanged since start */
	bool heartbeating;          /* false after 3 missed beats */
	uint32_t heartbeat_percentage;  /* answered share of the last 60 s, 0-100 */
	bool time_sync_enabled;     /* IsHostTimeSyncEnabled (default true) */
	bool kvp_known;             /* kvp holds a finished enumeration */
	struct guestos_kvp kvp;
	bool sessions_known;        /* ScreenLocked and users below have been reported */
	bool screen_locked;
	uint32_t users;             /* logged-on sessions */
};

enum guestos_op {
	GUESTOS_SHUTDOWN,
	GUESTOS_RESTART,
	GUESTOS_LOGOFF,
	GUESTOS_EXECUTE,
	GUESTOS_PARAM_GET,
	GUESTOS_PARAM_SET,
	GUESTOS_USERS,
};

struct guestos_args {
	enum guestos_op op;
	bool forced;                        /* SHUTDOWN, RESTART, LOGOFF */
	const char *text;                   /* EXECUTE: command; PARAM_*: name; SHUTDOWN/RESTART: reason (may be NULL) */
	const char *value;                  /* PARAM_SET; copied at the call, like text */
};

struct guestos_user {
	uint32_t session_id;
	bool active, locked, remote;
	char name[65];
};

/*
 * guestos_result.exec_flags: what became of an EXECUTE.  The values are
 * the Exec service's wire flags (guestos_wire.c checks), so the API needs
 * no vmbus header to read them.
 */
#define GUESTOS_EXEC_TRUNCATED 0x1u     /* the output was cut */
#define GUESTOS_EXEC_TIMED_OUT 0x2u     /* killed at the guest's time limit */
#define GUESTOS_EXEC_NOT_FOUND 0x4u     /* no such command (exit_status meaningless) */

struct guestos_result {
	/*
	 * S_OK, the guest's IC status (SHUTDOWN/RESTART: HR_ERROR_MACHINE_LOCKED
	 * when an unforced one is vetoed, HR_ERROR_SHUTDOWN_IN_PROGRESS; LOGOFF:
	 * HR_ERROR_NO_SUCH_LOGON_SESSION when nobody is logged on), PARAM_GET:
	 * VM_E_PREF_NOT_FOUND, VM_E_TIMED_OUT, VM_E_VM_NOT_RUNNING (bus lost),
	 * E_FAIL (malformed answer: the channel is closed).
	 */
	uint32_t hresult;
	int32_t exit_status;        /* EXECUTE */
	uint32_t output_len;        /* EXECUTE, bytes in output */
	uint32_t exec_flags;        /* EXECUTE: GUESTOS_EXEC_* */
	char output[GUESTOS_OUTPUT + 1];
	char value[GUESTOS_PARAM_VALUE + 1];  /* PARAM_GET */
	uint32_t nusers;            /* USERS: entries in users[]; LOGOFF: sessions logged off */
	struct guestos_user users[GUESTOS_MAX_USERS];
};

typedef void (*guestos_done_fn)(void *ctx, const struct guestos_result *r);

/* false for an id that is not a guest partition. */
bool guestos_facts(uint32_t id, struct guestos_facts *out);

/*
 * Refusals at call time, in this order: VM_E_VM_UNKNOWN, E_POINTER (a or
 * a string it needs is NULL), E_INVALIDARG (bad op, parameter name or
 * value, empty or too long command), VM_E_VM_NOT_RUNNING,
 * VM_E_ADDITIONS_FEATURE_NOT_AVAIL (that service's channel is not ready),
 * VM_E_OUT_OF_RESOURCE (queue full).  The strings are copied.
 * SHUTDOWN/RESTART only ask the guest: that it then powers off or
 * resets is for the caller to watch (notify.h NOTIFY_STATE).
 */
uint32_t guestos_request(uint32_t id, const struct guestos_args *a, guestos_done_fn done, void *ctx);
/* Forgets every request made with ctx, in every queue; done is not called for them. */
void guestos_cancel(void *ctx);
/*
 * IsHostTimeSyncEnabled, kept per partition across its runs: while false
 * TimeSync sends no SYNC or SAMPLE; enabling sends a SYNC at once.
 * VM_E_VM_UNKNOWN or S_OK.
 */
uint32_t guestos_set_time_sync(uint32_t id, bool enabled);

/* Sends queued requests, timeouts and periodic refreshes; called from root_poll. */
void guestos_poll(uint64_t now_ms);

#endif
