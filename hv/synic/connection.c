/*
 * The connection table (see connection.h): a small fixed array under one
 * lock.  Lookups copy the route out, so a concurrent delete never leaves
 * a caller holding a dangling entry.
 */
#include <synic/connection.h>

#include <core/spinlock.h>
#include <part/partition.h>

#define MAX_CONNECTIONS 128u
#define CONNECTION_ID_MASK 0x00ffffffu /* TLFS: connection ids are 24 bits */

struct slot {
	bool used;
	struct hv_connection c;
};

static struct slot table[MAX_CONNECTIONS];
static struct spinlock table_lock;

static struct slot *lookup(uint32_t source, uint32_t id)
{
	for (uint32_t i = 0; i < MAX_CONNECTIONS; i++) {
		if (table[i].used && table[i].c.source_partition == source &&
		    table[i].c.connection_id == id)
			return &table[i];
	}
	return NULL;
}

/* An event connection owns flags [base_flag, base_flag + flag_count) of its SINT. */
static bool flags_valid(const struct hv_connection *c)
{
	if (c->type == HV_CONNECTION_MESSAGE)
		return c->base_flag == 0 && c->flag_count == 0;
	return c->flag_count >= 1 &&
	       (uint32_t)c->base_flag + c->flag_count <= HV_EVENT_FLAGS_PER_SINT;
}

static bool route_valid(const struct hv_connection *c)
{
	return c->source_partition < partition_count && c->target_partition < partition_count &&
	       c->target_vp < partitions[c->target_partition].vp_count &&
	       c->target_sint < HV_SYNIC_SINT_COUNT && c->type <= HV_CONNECTION_EVENT &&
	       flags_valid(c) && c->reserved == 0 && (c->connection_id & ~CONNECTION_ID_MASK) == 0;
}

uint16_t connection_event_flag(const struct hv_connection *c, uint32_t flag, uint32_t *siefp_flag)
{
	if (flag >= c->flag_count)
		return HV_STATUS_INVALID_PARAMETER;
	*siefp_flag = c->base_flag + flag;
	return HV_STATUS_SUCCESS;
}

uint16_t connection_create(const struct hv_connection *c)
{
	uint16_t status = HV_STATUS_INSUFFICIENT_MEMORY;

	if (!route_valid(c))
		return HV_STATUS_INVALID_PARAMETER;
	spin_lock(&table_lock);
	if (lookup(c->source_partition, c->connection_id) != NULL) {
		status = HV_STATUS_INVALID_CONNECTION_ID;
	} else {
		for (uint32_t i = 0; i < MAX_CONNECTIONS; i++) {
			if (!table[i].used) {
				table[i] = (struct slot){ true, *c };
				status = HV_STATUS_SUCCESS;
				break;
			}
		}
	}
	spin_unlock(&table_lock);
	return status;
}

uint16_t connection_delete(uint32_t connection_id, uint32_t source)
{
	struct slot *s;

	spin_lock(&table_lock);
	s = lookup(source, connection_id);
	if (s != NULL)
		s->used = false;
	spin_unlock(&table_lock);
	return s != NULL ? HV_STATUS_SUCCESS : HV_STATUS_INVALID_CONNECTION_ID;
}

bool connection_find(uint32_t source, uint32_t connection_id, uint8_t type,
		     struct hv_connection *out)
{
	struct slot *s;
	bool found;

	spin_lock(&table_lock);
	s = lookup(source, connection_id & CONNECTION_ID_MASK);
	found = s != NULL && s->c.type == type;
	if (found)
		*out = s->c;
	spin_unlock(&table_lock);
	return found;
}

void connection_drop_partition(uint32_t partition)
{
	spin_lock(&table_lock);
	for (uint32_t i = 0; i < MAX_CONNECTIONS; i++) {
		if (table[i].c.source_partition == partition || table[i].c.target_partition == partition)
			table[i].used = false;
	}
	spin_unlock(&table_lock);
}
