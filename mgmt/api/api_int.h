/*
 * Helpers shared inside mgmt/api (not part of the contract with http/ or
 * the task engine): names of partition states and event causes as the
 * JSON uses them, and the VM object every resource embeds.
 */
#ifndef MGMT_API_INT_H
#define MGMT_API_INT_H

#include "api.h"

#include <backend/backend.h>

/* "Off", "Starting", "Running", "Stopping", "Faulted"; "Unknown" otherwise. */
const char *api_state_name(uint32_t state);
/* hv's HV_EVENT_* causes: "created", "root start", ...; "unknown" otherwise. */
const char *api_cause_name(uint32_t cause);
/* The VM object of docs/api.md. */
void api_write_vm(struct jw *w, const struct backend_vm *vm);

#endif
