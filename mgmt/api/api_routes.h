/*
 * The route tables of the management API, one per resource file, listed
 * once in api_router.c.  A table is declared as
 *   extern const struct api_route NAME_routes[];
 *   extern const size_t NAME_routes_count;
 * and defined beside its handlers, e.g. in api_tasks.c:
 *   const struct api_route task_routes[] = {
 *       { HTTP_M_POST, API_PREFIX "/vms/{vm}/start", HV_MGMT_RIGHT_CONTROL, task_start },
 *   };
 *   const size_t task_routes_count = sizeof(task_routes) / sizeof(task_routes[0]);
 * Patterns: literal segments and {captures}; {vm} is resolved to a
 * partition (404 VM_E_VM_UNKNOWN if none) and checked for the route's
 * right; other captures arrive percent-decoded in ctx->captures.
 */
#ifndef MGMT_API_ROUTES_H
#define MGMT_API_ROUTES_H

#include "api.h"

extern const struct api_route vms_routes[];          /* api_vms.c */
extern const size_t vms_routes_count;
extern const struct api_route guestos_routes[];      /* api_guestos.c */
extern const size_t guestos_routes_count;
extern const struct api_route events_routes[];       /* api_events.c */
extern const size_t events_routes_count;
extern const struct api_route metrics_routes[];      /* api_metrics.c */
extern const size_t metrics_routes_count;
extern const struct api_route task_routes[];         /* api_tasks.c */
extern const size_t task_routes_count;

#endif
