/*
 * Test double for the task engine's surroundings: the backend (VMs with a
 * state, hv's answers to start/stop/reset, guestos facts and requests), a
 * clock the test moves, the API's reply functions (answers are recorded,
 * not sent) and the events log.  Tests steer it through these globals.
 */
#ifndef TEST_TASK_FAKE_H
#define TEST_TASK_FAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "../../mgmt/api/api.h"
#include "../../mgmt/api/api_events.h"
#include "../../mgmt/api/backend.h"
#include "../../mgmt/notify.h"

#define FAKE_VMS 4
#define FAKE_REQUESTS 128
#define FAKE_REPLIES 64
#define FAKE_EVENTS 256

struct fake_vm {
	bool exists, root, guest;
	uint32_t state;
	struct guestos_facts facts;
	uint32_t start_hr, stop_hr, reset_hr;   /* what hv answers */
	uint32_t starts, stops, resets;         /* calls made */
	uint32_t media_attached;
};

struct fake_request {
	bool live;                      /* made, neither answered nor cancelled */
	bool cancelled;
	uint32_t vm;
	enum guestos_op op;
	bool forced;
	char text[1100];
	guestos_done_fn done;
	void *ctx;
};

struct fake_reply {
	struct http_conn *conn;
	int status;
	uint32_t hresult;               /* errors */
	char body[40000];
	char header[128];               /* the last http_add_header before it */
};

struct fake_defer {
	struct http_conn *conn;
	api_gone_fn gone;
	void *arg;
};

extern struct fake_vm fake_vms[FAKE_VMS];
extern uint64_t fake_now;
extern uint32_t fake_request_refusal;   /* non-zero: backend_guestos_request refuses with it */
extern struct fake_request fake_requests[FAKE_REQUESTS];
extern unsigned fake_nrequests;
extern uint32_t fake_media_hr;
extern unsigned fake_media_calls;
extern struct fake_reply fake_replies[FAKE_REPLIES];
extern unsigned fake_nreplies;
extern struct api_event fake_events[FAKE_EVENTS];
extern unsigned fake_nevents;
extern bool fake_defer_full;
extern struct fake_defer fake_defers[FAKE_REQUESTS];
extern unsigned fake_ndefers;
extern char fake_audit[8][160];
extern unsigned fake_naudit;

/* Resets everything: vm 0 is the root (Running), 1 and 2 guests (Running, additions up). */
void fake_reset(void);
/* hv reports a state change: the VM's state changes and NOTIFY_STATE is posted. */
void fake_state(uint32_t vm, uint32_t state, uint32_t cause);
/* The guest answers request i with hr (and, for S_OK, users / exit status / output). */
void fake_answer(unsigned i, uint32_t hr);
void fake_answer_result(unsigned i, const struct guestos_result *r);
/* The last request made (NULL if none). */
struct fake_request *fake_last_request(void);
const struct fake_reply *fake_last_reply(void);

#endif
