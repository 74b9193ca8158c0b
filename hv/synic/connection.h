/*
 * Connections: the routes of HvPostMessage and HvSignalEvent between
 * partitions (struct hv_connection in include/hv/hypercall.h).  Only the
 * root creates them; a call on a connection that does not exist for the
 * caller is refused with HV_STATUS_INVALID_CONNECTION_ID.
 */
#ifndef HV_CONNECTION_H
#define HV_CONNECTION_H

#include <hv/hypercall.h>
#include <stdbool.h>

uint16_t connection_create(const struct hv_connection *c);
uint16_t connection_delete(uint32_t connection_id, uint32_t source);
/* Copies the route of (source, id) of the given type into *out; false if none. */
bool connection_find(uint32_t source, uint32_t connection_id, uint8_t type,
		     struct hv_connection *out);
/*
 * The SIEFP flag that flag number `flag` of event connection c names:
 * HV_STATUS_INVALID_PARAMETER past the connection's flag_count, so a
 * caller never reaches another connection's flags.
 */
uint16_t connection_event_flag(const struct hv_connection *c, uint32_t flag, uint32_t *siefp_flag);
/* Drops every connection from or to a partition (it is being restarted). */
void connection_drop_partition(uint32_t partition);

#endif
