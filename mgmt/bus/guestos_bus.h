/*
 * The seam between the integration services on the bus (bus_ic.c) and
 * guestos (guestos.c): bus_ic.c tells guestos when a channel becomes
 * ready or stops and hands it the answers on the channels guestos asks
 * on (Shutdown, KVP, Sessions, Exec); guestos owns the time-sync switch.
 * Partitions are named by id; relids are enum bus_service.
 */
#ifndef MGMT_GUESTOS_BUS_H
#define MGMT_GUESTOS_BUS_H

#include <stdbool.h>
#include <stdint.h>

#include "vmbus_ic.h"

void guestos_channel_ready(uint32_t id, uint32_t relid);
/* Fails what waits on the channel (VM_E_VM_NOT_RUNNING) and forgets its facts. */
void guestos_channel_down(uint32_t id, uint32_t relid);
/*
 * An answer (IC_FLAG_RESPONSE, the channel's type) on relid.  Returns NULL,
 * or the reason to close the channel when the answer is malformed.
 */
const char *guestos_answer(uint32_t id, uint32_t relid, const struct ic_msg *m);
/* IsHostTimeSyncEnabled: TimeSync sends nothing while false. */
bool guestos_time_sync_enabled(uint32_t id);

#endif
