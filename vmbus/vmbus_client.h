/*
 * The guest's side of the bus as a pure state machine: requests (contact,
 * GPADLs, open, close, unload) become messages in an outbox, and each
 * message from the server becomes at most one event.  Version fallback
 * follows Linux: propose the highest version, step down on each refusal.
 */
#ifndef VMBUS_CLIENT_H
#define VMBUS_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "vmbus_gpadl.h"
#include "vmbus_msg.h"
#include "vmbus_server.h"   /* VMBUS_MAX_CHANNELS */

#define VMBUS_CLIENT_MAX_GPADLS 32u
#define VMBUS_CLIENT_FIRST_GPADL 0xe1e10u  /* where Linux starts its handles */

enum vmbus_cli_conn {
	VMBUS_CLI_IDLE = 0,
	VMBUS_CLI_CONTACTING,    /* INITIATE_CONTACT sent */
	VMBUS_CLI_REQUESTING,    /* connected, REQUESTOFFERS sent, offers arriving */
	VMBUS_CLI_READY,         /* ALLOFFERS_DELIVERED seen */
	VMBUS_CLI_UNLOADING,     /* UNLOAD sent */
	VMBUS_CLI_FAILED,        /* no common version */
};

enum vmbus_cli_chan_state {
	VMBUS_CLI_CHAN_FREE = 0,
	VMBUS_CLI_CHAN_OFFERED,
	VMBUS_CLI_CHAN_RESCINDED, /* close if open, tear down GPADLs, then release */
};

enum vmbus_cli_open_state {
	VMBUS_CLI_CLOSED = 0,
	VMBUS_CLI_OPENING,
	VMBUS_CLI_OPEN,
};

struct vmbus_cli_channel {
	uint8_t state;           /* enum vmbus_cli_chan_state */
	uint8_t open_state;      /* enum vmbus_cli_open_state */
	struct vmbus_msg_offer offer;
	uint32_t open_id;
	uint32_t ring_gpadl;
};

enum vmbus_cli_gpadl_state {
	VMBUS_CLI_GPADL_FREE = 0,
	VMBUS_CLI_GPADL_PENDING,  /* header/body sent, waiting for GPADL_CREATED */
	VMBUS_CLI_GPADL_CREATED,
	VMBUS_CLI_GPADL_TEARING,  /* teardown sent, waiting for GPADL_TORNDOWN */
};

struct vmbus_cli_gpadl {
	uint8_t state;
	uint32_t handle;
	uint32_t relid;
};

struct vmbus_client_config {
	const uint32_t *versions;  /* proposals, highest first; NULL: Linux 6.1's list */
	uint32_t version_count;
	uint32_t target_vcpu;      /* vCPU (VP index) the server's messages go to */
	uint8_t msg_sint;          /* >= 5.0: our message SINT (Linux uses 2) */
	uint64_t interrupt_page;   /* < 5.0: GPA of our interrupt page */
	uint64_t monitor_page1, monitor_page2;
};

struct vmbus_client {
	uint8_t conn;              /* enum vmbus_cli_conn */
	uint32_t version_index;    /* proposal being tried */
	uint32_t version;          /* negotiated */
	uint32_t msg_conn_id;      /* where our messages go once connected */
	uint32_t next_gpadl;
	struct vmbus_client_config cfg;
	struct vmbus_cli_channel chan[VMBUS_MAX_CHANNELS];
	struct vmbus_cli_gpadl gpadl[VMBUS_CLIENT_MAX_GPADLS];
};

enum vmbus_cli_event_type {
	VMBUS_CLI_EV_NONE = 0,
	VMBUS_CLI_EV_CONNECTED,      /* ev.version; REQUESTOFFERS is in the outbox */
	VMBUS_CLI_EV_VERSION_RETRY,  /* refused; INITIATE_CONTACT for ev.version is in the outbox */
	VMBUS_CLI_EV_VERSION_FAILED, /* every proposal refused */
	VMBUS_CLI_EV_OFFER,          /* ev.relid offered */
	VMBUS_CLI_EV_ALL_OFFERS,
	VMBUS_CLI_EV_RESCINDED,      /* ev.relid withdrawn */
	VMBUS_CLI_EV_GPADL_CREATED,  /* ev.gpadl, ev.status (0 = created) */
	VMBUS_CLI_EV_GPADL_TORNDOWN, /* ev.gpadl */
	VMBUS_CLI_EV_OPENED,         /* ev.relid, ev.status (0 = open) */
	VMBUS_CLI_EV_MODIFIED,       /* ev.relid, ev.status */
	VMBUS_CLI_EV_UNLOADED,
};

struct vmbus_cli_event {
	uint32_t type;               /* enum vmbus_cli_event_type */
	uint32_t relid;
	uint32_t gpadl;
	uint32_t status;
	uint32_t version;
	const char *reason;          /* set when a call fails */
};

void vmbus_client_init(struct vmbus_client *c, const struct vmbus_client_config *cfg);

/* IDLE -> CONTACTING with the highest proposal. */
int vmbus_client_connect(struct vmbus_client *c, struct vmbus_outbox *ob);

/* Handles one message from the server.  Returns 0 or a negated error with ev->reason. */
int vmbus_client_handle(struct vmbus_client *c, const void *msg, uint32_t len,
			struct vmbus_outbox *ob, struct vmbus_cli_event *ev);

/* Lends npages pages to the server for relid; *handle gets the GPADL handle. */
int vmbus_client_create_gpadl(struct vmbus_client *c, uint32_t relid, const uint64_t *pfns,
			      uint32_t npages, struct vmbus_outbox *ob, uint32_t *handle);
int vmbus_client_teardown_gpadl(struct vmbus_client *c, uint32_t handle, struct vmbus_outbox *ob);

/*
 * Opens relid on ring GPADL gpadl: the first downstream_offset pages are
 * our outbound ring (header page first), the rest the inbound ring.
 */
int vmbus_client_open(struct vmbus_client *c, uint32_t relid, uint32_t gpadl,
		      uint32_t downstream_offset, uint32_t target_vp, const uint8_t *userdata,
		      uint32_t userdata_len, struct vmbus_outbox *ob);
int vmbus_client_close(struct vmbus_client *c, uint32_t relid, struct vmbus_outbox *ob);
int vmbus_client_modify(struct vmbus_client *c, uint32_t relid, uint32_t target_vp,
			struct vmbus_outbox *ob);
/* After a rescind, once closed: RELID_RELEASED and the slot is forgotten. */
int vmbus_client_release(struct vmbus_client *c, uint32_t relid, struct vmbus_outbox *ob);
int vmbus_client_unload(struct vmbus_client *c, struct vmbus_outbox *ob);

const struct vmbus_cli_channel *vmbus_client_channel(const struct vmbus_client *c, uint32_t relid);
/* First offered, not rescinded channel of type t, or 0. */
uint32_t vmbus_client_find(const struct vmbus_client *c, const struct vmbus_guid *t);

#endif
