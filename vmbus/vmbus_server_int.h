/*
 * Internals shared by the server's connection code (vmbus_server.c) and
 * its channel/GPADL code (vmbus_server_chan.c).  Not for the owner.
 */
#ifndef VMBUS_SERVER_INT_H
#define VMBUS_SERVER_INT_H

#include "vmbus_server.h"
#include "vmbus_err.h"

/* Records why a message was refused; returns err (negative). */
static inline int vmbus_srv_fail(struct vmbus_srv_event *ev, int err, const char *reason)
{
	ev->reason = reason;
	return err;
}

struct vmbus_srv_channel *vmbus_srv_chan(struct vmbus_server *s, uint32_t relid);
struct vmbus_gpadl *vmbus_srv_gpadl(struct vmbus_server *s, uint32_t handle);
void vmbus_srv_free_gpadls_of(struct vmbus_server *s, uint32_t relid);

int vmbus_srv_on_gpadl_header(struct vmbus_server *s, const struct vmbus_msg *m,
			      struct vmbus_outbox *ob, struct vmbus_srv_event *ev);
int vmbus_srv_on_gpadl_body(struct vmbus_server *s, const struct vmbus_msg *m,
			    struct vmbus_outbox *ob, struct vmbus_srv_event *ev);
int vmbus_srv_on_gpadl_teardown(struct vmbus_server *s, const struct vmbus_msg *m,
				struct vmbus_outbox *ob, struct vmbus_srv_event *ev);
int vmbus_srv_on_open(struct vmbus_server *s, const struct vmbus_msg *m,
		      struct vmbus_outbox *ob, struct vmbus_srv_event *ev);
int vmbus_srv_on_close(struct vmbus_server *s, const struct vmbus_msg *m,
		       struct vmbus_srv_event *ev);
int vmbus_srv_on_modify(struct vmbus_server *s, const struct vmbus_msg *m,
			struct vmbus_outbox *ob, struct vmbus_srv_event *ev);

#endif
