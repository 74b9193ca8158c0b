/*
 * The events log behind GET /api/v1/events: a ring of the last
 * API_EVENTS_KEPT events, fed by a notify listener (state, heartbeat,
 * additions changes) and by api_event_post (the task engine's
 * taskCompleted).  Sequence numbers start at 1 and never repeat.
 */
#ifndef MGMT_API_EVENTS_H
#define MGMT_API_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#define API_EVENTS_KEPT 256u
#define API_EVENTS_WAIT_DEFAULT_MS 25000
#define API_EVENTS_WAIT_MAX_MS 60000

enum api_event_type {
	API_EV_STATE_CHANGED,       /* state: HV_PARTITION_*, cause: HV_EVENT_* */
	API_EV_HEARTBEAT_STOPPED,
	API_EV_HEARTBEAT_RESTORED,
	API_EV_ADDITIONS_READY,
	API_EV_ADDITIONS_LOST,
	API_EV_TASK_COMPLETED,      /* task, result (enum task_result), hresult */
};

struct api_event {
	enum api_event_type type;
	uint32_t vm_id;
	uint32_t state, cause;      /* API_EV_STATE_CHANGED */
	uint32_t task;              /* API_EV_TASK_COMPLETED */
	uint32_t result;
	uint32_t hresult;
};

/* Appends e (seq and time are stamped here) and answers waiting long-polls. */
void api_event_post(const struct api_event *e);

/*
 * Who else hears of each event as it is logged (the Redfish face's
 * Server-Sent Events): fn(seq, time_ms, vm name, event) after it is
 * stored.  One listener; a later call replaces it.
 */
typedef void (*api_event_fn)(uint64_t seq, uint64_t time_ms, const char *vm,
			     const struct api_event *e);
void api_events_listen(api_event_fn fn);

/* The last state-change cause seen for partition id (HV_EVENT_*); false if none yet. */
bool api_events_last_cause(uint32_t id, uint32_t *cause);

/* Internal to mgmt/api: the notify listener (api_init) and the wait deadlines (api_poll). */
void api_events_init(void);
void api_events_poll(uint64_t now_ms);
/* Test hook: forgets every event and waiter (host unit tests only). */
void api_events_reset(void);

#endif
