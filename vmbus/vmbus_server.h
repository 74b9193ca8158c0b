/*
 * The root's side of the bus as a pure state machine: it takes one
 * channel message from a guest at a time and answers with messages to
 * post (an outbox) and at most one event for its owner (mgmt/).  It does
 * no I/O and trusts nothing in the messages; a message in the wrong state
 * is refused with a reason to log, and the state does not change.
 */
#ifndef VMBUS_SERVER_H
#define VMBUS_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "vmbus_gpadl.h"
#include "vmbus_msg.h"

#define VMBUS_MAX_CHANNELS 32u   /* relids 1..32 */

enum vmbus_srv_conn {
	VMBUS_SRV_DISCONNECTED = 0,
	VMBUS_SRV_CONNECTED,
};

enum vmbus_srv_chan_state {
	VMBUS_SRV_CHAN_FREE = 0,
	VMBUS_SRV_CHAN_OFFERED,      /* registered; offered once the guest asks */
	VMBUS_SRV_CHAN_RESCINDED,    /* rescind sent, waiting for RELID_RELEASED */
};

enum vmbus_srv_open_state {
	VMBUS_SRV_CLOSED = 0,
	VMBUS_SRV_OPENING,           /* OPENCHANNEL checked; owner must call vmbus_server_open_done */
	VMBUS_SRV_OPEN,
};

struct vmbus_srv_channel {
	uint8_t state;               /* enum vmbus_srv_chan_state */
	uint8_t open_state;          /* enum vmbus_srv_open_state */
	bool offer_sent;             /* offered in the current connection */
	struct vmbus_msg_offer offer;
	uint32_t open_id;
	uint32_t ring_gpadl;
	uint32_t downstream_offset;  /* pages of the guest->server ring */
	uint32_t target_vp;
	uint8_t userdata[VMBUS_USER_DEFINED_BYTES];
};

/* What the owner offers; relid is assigned by vmbus_server_add_channel. */
struct vmbus_offer_desc {
	struct vmbus_guid if_type;
	struct vmbus_guid if_instance;
	uint16_t chn_flags;
	uint16_t mmio_megabytes;
	uint16_t sub_channel_index;
	bool dedicated_interrupt;
	uint32_t connection_id;      /* event connection the guest signals us on */
	const uint8_t *user_def;     /* may be NULL */
	uint32_t user_def_len;       /* at most 120 */
};

struct vmbus_server_config {
	const uint32_t *versions;    /* accepted versions; NULL: vmbus_server_default_versions */
	uint32_t version_count;
	uint32_t msg_conn_id;        /* told to guests >= 5.0; 0: VMBUS_MESSAGE_CONNECTION_ID_4 */
	uint32_t vcpu_count;         /* bounds target_vcpu / target_vp; 0: unchecked */
};

struct vmbus_server {
	uint8_t conn;                /* enum vmbus_srv_conn */
	bool offers_requested;
	uint32_t version;
	uint32_t target_vcpu;        /* where our messages go ... */
	uint8_t msg_sint;            /* ... and on which SINT */
	uint64_t interrupt_page;     /* versions < 5.0 only */
	uint64_t monitor_page1, monitor_page2;
	struct vmbus_server_config cfg;
	struct vmbus_srv_channel chan[VMBUS_MAX_CHANNELS];
	struct vmbus_gpadl *gpadls;  /* owner's array */
	uint32_t gpadl_slots;
};

enum vmbus_srv_event_type {
	VMBUS_SRV_EV_NONE = 0,
	VMBUS_SRV_EV_CONNECTED,      /* version negotiated (ev.version) */
	VMBUS_SRV_EV_VERSION_REFUSED,/* guest asked for ev.version; it will try a lower one */
	VMBUS_SRV_EV_OFFERS_SENT,
	VMBUS_SRV_EV_GPADL_CREATED,  /* ev.gpadl complete: the owner may map it */
	VMBUS_SRV_EV_GPADL_TORNDOWN, /* ev.gpadl gone: unmap it */
	VMBUS_SRV_EV_OPEN_REQUEST,   /* ev.relid: map the rings, then vmbus_server_open_done */
	VMBUS_SRV_EV_CLOSED,         /* ev.relid: stop using its rings */
	VMBUS_SRV_EV_RELEASED,       /* ev.relid freed after a rescind (rings and GPADLs gone) */
	VMBUS_SRV_EV_MODIFIED,       /* ev.relid has a new target_vp */
	VMBUS_SRV_EV_UNLOADED,       /* everything closed and unmapped; guest disconnected */
};

struct vmbus_srv_event {
	uint32_t type;               /* enum vmbus_srv_event_type */
	uint32_t relid;
	uint32_t gpadl;
	uint32_t version;
	const char *reason;          /* set when a call fails: why, for the log */
};

/* Where a channel's rings sit in its GPADL, for the owner to map. */
struct vmbus_srv_rings {
	const struct vmbus_gpadl *gpadl;
	uint32_t in_first_page, in_pages;    /* guest -> server ring (we read), header page first */
	uint32_t out_first_page, out_pages;  /* server -> guest ring (we write) */
	uint32_t target_vp;
};

extern const uint32_t vmbus_server_default_versions[];
extern const uint32_t vmbus_server_default_version_count;

/* gpadls: the owner's array of nslots descriptors (about 4 KiB each). */
void vmbus_server_init(struct vmbus_server *s, const struct vmbus_server_config *cfg,
		       struct vmbus_gpadl *gpadls, uint32_t nslots);

/*
 * Registers a channel.  Returns its relid (1..VMBUS_MAX_CHANNELS) or
 * -VMBUS_E_LIMIT / -VMBUS_E_INVAL; when the guest has already asked for
 * offers, the OFFERCHANNEL goes into ob at once.
 */
int vmbus_server_add_channel(struct vmbus_server *s, const struct vmbus_offer_desc *d,
			     struct vmbus_outbox *ob);

/* Withdraws a channel: RESCIND now, slot freed on RELID_RELEASED (at once if never offered). */
int vmbus_server_rescind(struct vmbus_server *s, uint32_t relid, struct vmbus_outbox *ob,
			 struct vmbus_srv_event *ev);

/*
 * Handles one message from the guest (a SynIC payload of len bytes).
 * Returns 0 with replies in ob and ev filled, or a negated error with
 * ev->reason set.  Some refusals still carry a failure reply in ob (an
 * OPENCHANNEL_RESULT or GPADL_CREATED with a non-zero status), so the
 * guest does not wait forever: always post what ob holds.
 */
int vmbus_server_handle(struct vmbus_server *s, const void *msg, uint32_t len,
			struct vmbus_outbox *ob, struct vmbus_srv_event *ev);

/* Finishes an OPEN_REQUEST: status 0 opens, anything else refuses. */
int vmbus_server_open_done(struct vmbus_server *s, uint32_t relid, uint32_t status,
			   struct vmbus_outbox *ob);

/* Forgets the guest (partition reset): channels stay registered, GPADLs are freed. */
void vmbus_server_reset(struct vmbus_server *s);

const struct vmbus_srv_channel *vmbus_server_channel(const struct vmbus_server *s, uint32_t relid);
const struct vmbus_gpadl *vmbus_server_gpadl(const struct vmbus_server *s, uint32_t handle);
/* Ring placement of an OPENING or OPEN channel.  Returns 0, -VMBUS_E_NOTFOUND or -VMBUS_E_STATE. */
int vmbus_server_rings(const struct vmbus_server *s, uint32_t relid, struct vmbus_srv_rings *r);

#endif
