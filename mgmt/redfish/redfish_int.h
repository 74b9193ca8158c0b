/*
 * Inside the Redfish face: the route tables (one per resource file,
 * listed once in redfish_router.c), the caller of the request being
 * handled, the OData helpers every resource writes with, the message
 * registries' messages, Redfish-shaped errors, and what the sessions and
 * event streams offer each other.  Route handlers take the native API's
 * struct api_ctx (mgmt/api/api.h); everything runs in the root's one
 * thread, one request at a time.
 */
#ifndef MGMT_REDFISH_INT_H
#define MGMT_REDFISH_INT_H

#include <api/api.h>
#include <api/api_int.h>
#include <api/api_tasks.h>

#include "redfish.h"

#define RF_ROOT "/redfish/v1"
/* api_route.right bit: the route needs no credentials (service root, $metadata, login). */
#define RF_PUBLIC 0x80000000u
/* The one manager: hv itself, running in the root partition. */
#define RF_MANAGER_ID "hv"

/* ---- route tables (api_routes.h's convention) ---- */

extern const struct api_route rf_root_routes[];        /* redfish_root.c */
extern const size_t rf_root_routes_count;
extern const struct api_route rf_metadata_routes[];    /* redfish_metadata.c */
extern const size_t rf_metadata_routes_count;
extern const struct api_route rf_systems_routes[];     /* redfish_systems.c */
extern const size_t rf_systems_routes_count;
extern const struct api_route rf_tasks_routes[];       /* redfish_tasks.c */
extern const size_t rf_tasks_routes_count;
extern const struct api_route rf_sessions_routes[];    /* redfish_sessions.c */
extern const size_t rf_sessions_routes_count;
extern const struct api_route rf_managers_routes[];    /* redfish_managers.c */
extern const size_t rf_managers_routes_count;
extern const struct api_route rf_events_routes[];      /* redfish_events.c */
extern const size_t rf_events_routes_count;

/* ---- the caller (redfish_router.c, redfish_auth.c) ---- */

/* Who sent the request being handled: ctx->token, and the session it used (0: none). */
uint32_t rf_caller_session(void);

/*
 * The token of rq's credentials: X-Auth-Token (a session; *session is
 * its id), else Authorization Basic (user name = the token's name,
 * password = the token) or Bearer.  NULL when there are none or they are
 * wrong.
 */
const struct hv_mgmt_token *rf_authenticate(const struct http_request *rq, uint32_t *session);
/* The token whose name is user and whose secret is password (login, Basic); NULL otherwise. */
const struct hv_mgmt_token *rf_check_password(const char *user, const char *password);
/*
 * While ctx's address is slowed down after failed authentications
 * (api_throttle.h, shared with the native API): answers 429 with
 * Retry-After and returns true.  Only a request that presents
 * credentials (or attempt: a login) is held back or counted.
 */
bool rf_throttled(struct api_ctx *ctx, bool attempt, enum api_disposition *d);
/* Counts a failed authentication of rq (credentials presented, or attempt). */
void rf_auth_failed(const struct http_request *rq, bool attempt);

/* ---- OData (redfish_odata.c) ---- */

/* The resource types served, each with the CSDL namespace $metadata references. */
enum rf_type {
	RF_T_SERVICE_ROOT,
	RF_T_SYSTEM_COLLECTION,
	RF_T_SYSTEM,
	RF_T_MANAGER_COLLECTION,
	RF_T_MANAGER,
	RF_T_NETWORK_PROTOCOL,
	RF_T_TASK_SERVICE,
	RF_T_TASK_COLLECTION,
	RF_T_TASK,
	RF_T_SESSION_SERVICE,
	RF_T_SESSION_COLLECTION,
	RF_T_SESSION,
	RF_T_EVENT_SERVICE,
	RF_T_EVENT,
	RF_T_MESSAGE,
	RF_T_COUNT,
};
/* "ComputerSystem", and its version "v1_13_0" (NULL: an unversioned collection). */
const char *rf_type_name(enum rf_type t);
const char *rf_type_version(enum rf_type t);
/* "#ComputerSystem.v1_13_0.ComputerSystem" into buf. */
const char *rf_odata_type(enum rf_type t, char *buf, size_t cap);

/* The reply being built: a JSON writer on the face's one response buffer. */
struct jw *rf_json(void);
/* Opens a resource: '{', @odata.id (printf-style), @odata.type, @odata.context. */
void rf_resource_begin(struct jw *w, enum rf_type t, const char *id_fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "key":{"@odata.id":"<uri>"} (printf-style uri). */
void rf_link(struct jw *w, const char *key, const char *uri_fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* {"@odata.id":"<uri>"} as an array element. */
void rf_link_item(struct jw *w, const char *uri_fmt, ...) __attribute__((format(printf, 2, 3)));
/* "Status":{"State":state,"Health":health}. */
void rf_status(struct jw *w, const char *state, const char *health);
/* "Id" and "Name", which every resource but a collection carries. */
void rf_id_name(struct jw *w, const char *id, const char *name);
/* A service's "ServiceEnabled": true and its Status, enabled and healthy. */
void rf_service_enabled(struct jw *w);
/* Opens a collection at uri: the resource, Name, Members@odata.count, then "Members":[. */
void rf_collection_begin(struct jw *w, enum rf_type t, const char *uri, const char *name,
			 uint64_t count);
/* Closes what rf_collection_begin opened. */
void rf_collection_end(struct jw *w);
/*
 * 200 with the resource in w, its ETag (a hash of the body) as header and
 * "@odata.etag"; 304 without a body when If-None-Match names that ETag.
 */
enum api_disposition rf_reply_resource(struct api_ctx *ctx, const struct jw *w);
/* status with w's JSON as it is (created, accepted). */
enum api_disposition rf_reply(struct api_ctx *ctx, int status, const struct jw *w);

/* ---- messages (redfish_messages.c) ---- */

/* The messages of DMTF's registries this face sends (Base 1.16, TaskEvent 1.0, ResourceEvent 1.3). */
enum rf_msg {
	RF_M_GENERAL_ERROR,
	RF_M_INTERNAL_ERROR,
	RF_M_INVALID_URI,
	RF_M_RESOURCE_NOT_FOUND,            /* type, name */
	RF_M_OPERATION_NOT_ALLOWED,
	RF_M_NO_VALID_SESSION,
	RF_M_RESOURCE_AT_URI_UNAUTHORIZED,  /* uri, error */
	RF_M_INSUFFICIENT_PRIVILEGE,
	RF_M_MALFORMED_JSON,
	RF_M_PROPERTY_MISSING,              /* property */
	RF_M_PROPERTY_VALUE_TYPE_ERROR,     /* value, property */
	RF_M_ACTION_NOT_SUPPORTED,          /* action */
	RF_M_ACTION_PARAMETER_MISSING,      /* action, parameter */
	RF_M_ACTION_PARAMETER_VALUE_NOT_IN_LIST,    /* value, parameter, action */
	RF_M_ACTION_PARAMETER_VALUE_TYPE_ERROR,     /* value, parameter, action */
	RF_M_RESOURCE_IN_USE,
	RF_M_RESOURCE_IN_STANDBY,
	RF_M_SERVICE_TEMPORARILY_UNAVAILABLE,       /* seconds */
	RF_M_OPERATION_TIMEOUT,
	RF_M_EVENT_SUBSCRIPTION_LIMIT_EXCEEDED,
	RF_M_QUERY_NOT_SUPPORTED,
	RF_M_TASK_STARTED,                  /* task id */
	RF_M_TASK_COMPLETED_OK,             /* task id */
	RF_M_TASK_ABORTED,                  /* task id */
	RF_M_TASK_CANCELLED,                /* task id */
	RF_M_RESOURCE_POWERED_ON,           /* resource */
	RF_M_RESOURCE_POWERED_OFF,
	RF_M_RESOURCE_POWERING_ON,
	RF_M_RESOURCE_POWERING_OFF,
	RF_M_STATUS_CHANGED_OK,             /* resource, health */
	RF_M_STATUS_CHANGED_WARNING,
	RF_M_STATUS_CHANGED_CRITICAL,
	RF_M_RESOURCE_CHANGED,
	RF_M_COUNT,
};
/* "Base.1.16.ResourceNotFound" into buf. */
const char *rf_msg_id(enum rf_msg m, char *buf, size_t cap);
/*
 * The members every message and event record carries: MessageId,
 * Message (the registry's text with args for %1, %2, ...), MessageArgs,
 * MessageSeverity (and Severity, for older clients), Resolution.
 */
void rf_msg_fields(struct jw *w, enum rf_msg m, const char *const *args, unsigned nargs);
/*
 * A Message object ("@odata.type":"#Message...") with, in Oem.Hv, the
 * HRESULT behind it, its name and detail (omitted when detail is NULL
 * and hresult is S_OK).
 */
void rf_msg_write(struct jw *w, enum rf_msg m, const char *const *args, unsigned nargs,
		  uint32_t hresult, const char *detail);

/* ---- errors (redfish_errors.c) ---- */

/*
 * {"error":{"code":MessageId,"message":detail or the message,
 * "@Message.ExtendedInfo":[the message, with the HRESULT in Oem.Hv]}}
 * with status.
 */
enum api_disposition rf_error(struct api_ctx *ctx, int status, uint32_t hresult, enum rf_msg m,
			      const char *const *args, unsigned nargs, const char *detail);
/* The error answer for an HRESULT the task engine or the API gave (its status as api_status_of). */
enum api_disposition rf_error_hr(struct api_ctx *ctx, uint32_t hresult, const char *detail);
/* 404 ResourceNotFound(type, name). */
enum api_disposition rf_not_found(struct api_ctx *ctx, const char *type, const char *name);
/* 400 for a request body api_body refused (err says why). */
enum api_disposition rf_bad_body(struct api_ctx *ctx, const char *err);

/* ---- tasks (redfish_tasks.c), for the actions that start them ---- */

/* The task monitor of task id: "/redfish/v1/TaskService/TaskMonitors/<id>". */
#define RF_TASK_MONITOR RF_ROOT "/TaskService/TaskMonitors/"
/* The Task resource. */
void rf_write_task(struct jw *w, const struct task *t);
/* 202 Accepted with t, Location: its task monitor (and Allow: DELETE while t is cancelable). */
enum api_disposition rf_reply_accepted(struct api_ctx *ctx, const struct task *t);

/* ---- sessions (redfish_sessions.c) and event streams (redfish_events.c) ---- */

/* The token of the live session whose key is key (touched: its idle time restarts); *id its id. */
const struct hv_mgmt_token *rf_session_check(const char *key, uint32_t *id);
/* Whether session id still exists. */
bool rf_session_alive(uint32_t id);
void rf_sessions_init(void);
/* Forgets sessions idle longer than their timeout. */
void rf_sessions_poll(uint64_t now_ms);
void rf_events_init(void);
/* Keep-alives, and streams whose session ended. */
void rf_events_poll(uint64_t now_ms);

#endif
