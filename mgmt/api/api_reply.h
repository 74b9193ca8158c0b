/*
 * Internal to mgmt/api: the answer counts GET /metrics reports and the
 * number of requests waiting for a deferred answer.
 */
#ifndef MGMT_API_REPLY_H
#define MGMT_API_REPLY_H

#include <http/http.h>

#include <stdint.h>

/* Counts one answer with this HTTP status (the API's own answers count themselves). */
void api_count_response(int status);
/* The counts so far, in first-seen order; *n entries. */
const struct http_status_count *api_response_counts(unsigned *n);
unsigned api_deferred_count(void);

#endif
