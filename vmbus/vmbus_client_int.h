/*
 * Internals shared by the client's connection code (vmbus_client.c) and
 * its channel/GPADL code (vmbus_client_chan.c).  Not for the owner.
 */
#ifndef VMBUS_CLIENT_INT_H
#define VMBUS_CLIENT_INT_H

#include "vmbus_client.h"
#include "vmbus_err.h"

static inline int vmbus_cli_fail(struct vmbus_cli_event *ev, int err, const char *reason)
{
	if (ev)
		ev->reason = reason;
	return err;
}

static inline bool vmbus_cli_connected(const struct vmbus_client *c)
{
	return c->conn == VMBUS_CLI_REQUESTING || c->conn == VMBUS_CLI_READY;
}

struct vmbus_cli_channel *vmbus_cli_chan(struct vmbus_client *c, uint32_t relid);
struct vmbus_cli_gpadl *vmbus_cli_find_gpadl(struct vmbus_client *c, uint32_t handle);
/* Pushes a message on the negotiated connection id. */
int vmbus_cli_push(struct vmbus_client *c, struct vmbus_outbox *ob, const struct vmbus_msg *m);

int vmbus_cli_on_gpadl_created(struct vmbus_client *c, const struct vmbus_msg *m,
			       struct vmbus_cli_event *ev);
int vmbus_cli_on_gpadl_torndown(struct vmbus_client *c, const struct vmbus_msg *m,
				struct vmbus_cli_event *ev);
int vmbus_cli_on_open_result(struct vmbus_client *c, const struct vmbus_msg *m,
			     struct vmbus_cli_event *ev);
int vmbus_cli_on_modify_response(struct vmbus_client *c, const struct vmbus_msg *m,
				 struct vmbus_cli_event *ev);

#endif
