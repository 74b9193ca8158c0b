/*
 * The management API's Redfish face (docs/redfish.md): DMTF Redfish 1.x
 * resources under /redfish, served by the same HTTP server, over the same
 * task engine, tokens and rights as the native API (mgmt/api).  The
 * native router hands every path under /redfish to redfish_handle;
 * api_init and api_poll call redfish_init and redfish_poll.
 */
#ifndef MGMT_REDFISH_H
#define MGMT_REDFISH_H

#include <stdbool.h>
#include <stdint.h>

#include <http/http.h>

/* Whether path ("/redfish/v1/Systems") is the Redfish face's: /redfish or below it. */
bool redfish_owns(const char *path);
/* One complete request for a path redfish_owns: exactly as api_handle. */
enum api_disposition redfish_handle(struct http_conn *c, const struct http_request *rq);

/* Start-up: empties the sessions and event streams, listens to the events log. */
void redfish_init(void);
/* Session expiry and the event streams' keep-alives; from api_poll. */
void redfish_poll(uint64_t now_ms);

#endif
