/*
 * The messages of DMTF's registries that the Redfish face sends (in
 * errors, in tasks' Messages, in events): their ids, the registry's text
 * with %1, %2, ... for the arguments, severity and resolution, so that a
 * client that knows the registry reads the same words we send.  Base
 * 1.16, TaskEvent 1.0 and ResourceEvent 1.3 (docs/redfish.md).
 */
#include "redfish_int.h"

#include <lib/format.h>
#include <lib/string.h>

#define BASE "Base.1.16"
#define TASK_EVENT "TaskEvent.1.0"
#define RESOURCE_EVENT "ResourceEvent.1.3"
#define MESSAGE_MAX 320u

static const struct {
	const char *registry;
	const char *key;
	const char *text;
	const char *severity;   /* OK, Warning, Critical */
	const char *resolution;
} msgs[RF_M_COUNT] = {
	[RF_M_GENERAL_ERROR] = { BASE, "GeneralError",
		"A general error has occurred.  See Resolution for information on how to resolve "
		"the error, or @Message.ExtendedInfo if Resolution is not provided.", "Critical",
		"See the error message and the HRESULT in Oem.Hv; docs/redfish.md lists each." },
	[RF_M_INTERNAL_ERROR] = { BASE, "InternalError",
		"The request failed due to an internal service error.  The service is still "
		"operational.", "Critical",
		"Resubmit the request.  If the problem persists, consider resetting the service." },
	[RF_M_INVALID_URI] = { BASE, "InvalidURI", "The URI %1 was not found.", "Critical",
		"Provide a valid URI and resubmit the request." },
	[RF_M_RESOURCE_NOT_FOUND] = { BASE, "ResourceNotFound",
		"The requested resource of type %1 named '%2' was not found.", "Critical",
		"Provide a valid resource identifier and resubmit the request." },
	[RF_M_OPERATION_NOT_ALLOWED] = { BASE, "OperationNotAllowed",
		"The HTTP method is not allowed on this resource.", "Critical", "None." },
	[RF_M_NO_VALID_SESSION] = { BASE, "NoValidSession",
		"There is no valid session established with the implementation.", "Critical",
		"Establish a session before attempting any operations." },
	[RF_M_RESOURCE_AT_URI_UNAUTHORIZED] = { BASE, "ResourceAtUriUnauthorized",
		"While accessing the resource at '%1', the service received an authorization "
		"error '%2'.", "Critical",
		"Ensure that the appropriate access is provided for the service in order for it "
		"to access the URI." },
	[RF_M_INSUFFICIENT_PRIVILEGE] = { BASE, "InsufficientPrivilege",
		"There are insufficient privileges for the account or credentials associated "
		"with the current session to perform the requested operation.", "Critical",
		"Either abandon the operation or change the associated access rights and "
		"resubmit the request if the operation failed." },
	[RF_M_MALFORMED_JSON] = { BASE, "MalformedJSON",
		"The request body submitted was malformed JSON and could not be parsed by the "
		"receiving service.", "Critical",
		"Ensure that the request body is valid JSON and resubmit the request." },
	[RF_M_PROPERTY_MISSING] = { BASE, "PropertyMissing",
		"The property %1 is a required property and must be included in the request.",
		"Warning",
		"Ensure that the property is in the request body and has a valid value and "
		"resubmit the request if the operation failed." },
	[RF_M_PROPERTY_VALUE_TYPE_ERROR] = { BASE, "PropertyValueTypeError",
		"The value '%1' for the property %2 is of a different type than the property can "
		"accept.", "Warning",
		"Correct the value for the property in the request body and resubmit the request "
		"if the operation failed." },
	[RF_M_ACTION_NOT_SUPPORTED] = { BASE, "ActionNotSupported",
		"The action %1 is not supported by the resource.", "Critical",
		"The action supplied cannot be resubmitted to the implementation.  Perhaps the "
		"action was invalid, the wrong resource was the target or the implementation "
		"documentation may be of assistance." },
	[RF_M_ACTION_PARAMETER_MISSING] = { BASE, "ActionParameterMissing",
		"The action %1 requires the parameter %2 to be present in the request body.",
		"Critical",
		"Supply the action with the required parameter in the request body when the "
		"request is resubmitted." },
	[RF_M_ACTION_PARAMETER_VALUE_NOT_IN_LIST] = { BASE, "ActionParameterValueNotInList",
		"The value '%1' for the parameter %2 in the action %3 is not in the list of "
		"acceptable values.", "Warning",
		"Choose a value from the enumeration list that the implementation can support and "
		"resubmit the request if the operation failed." },
	[RF_M_ACTION_PARAMETER_VALUE_TYPE_ERROR] = { BASE, "ActionParameterValueTypeError",
		"The value '%1' for the parameter %2 in the action %3 is of a different type than "
		"the parameter can accept.", "Warning",
		"Correct the value for the parameter in the request body and resubmit the request "
		"if the operation failed." },
	[RF_M_RESOURCE_IN_USE] = { BASE, "ResourceInUse",
		"The change to the requested resource failed because the resource is in use or "
		"in transition.", "Warning",
		"Remove the condition and resubmit the request if the operation failed." },
	[RF_M_RESOURCE_IN_STANDBY] = { BASE, "ResourceInStandby",
		"The request could not be performed because the resource is in standby.",
		"Critical",
		"Ensure that the resource is in the correct power state and resubmit the "
		"request." },
	[RF_M_SERVICE_TEMPORARILY_UNAVAILABLE] = { BASE, "ServiceTemporarilyUnavailable",
		"The service is temporarily unavailable.  Retry in %1 seconds.", "Critical",
		"Wait for the indicated retry duration and retry the operation." },
	[RF_M_OPERATION_TIMEOUT] = { BASE, "OperationTimeout",
		"A timeout internal to the service occured as part of the request.  Partial "
		"results may have been returned.", "Warning",
		"Resubmit the request.  If the problem persists, consider resetting the service "
		"or provider." },
	[RF_M_EVENT_SUBSCRIPTION_LIMIT_EXCEEDED] = { BASE, "EventSubscriptionLimitExceeded",
		"The event subscription failed due to the number of simultaneous subscriptions "
		"exceeding the limit of the implementation.", "Critical",
		"Reduce the number of other subscriptions before trying to establish the event "
		"subscription or increase the limit of simultaneous subscriptions, if supported." },
	[RF_M_QUERY_NOT_SUPPORTED] = { BASE, "QueryNotSupported",
		"Querying is not supported by the implementation.", "Warning",
		"Remove the query parameters and resubmit the request if the operation failed." },
	[RF_M_TASK_STARTED] = { TASK_EVENT, "TaskStarted", "The task with Id '%1' has started.",
		"OK", "None." },
	[RF_M_TASK_COMPLETED_OK] = { TASK_EVENT, "TaskCompletedOK",
		"The task with Id '%1' has completed.", "OK", "None." },
	[RF_M_TASK_ABORTED] = { TASK_EVENT, "TaskAborted",
		"The task with Id '%1' has completed with errors.", "Critical", "None." },
	[RF_M_TASK_CANCELLED] = { TASK_EVENT, "TaskCancelled",
		"Work on the task with Id '%1' has been halted prior to completion due to an "
		"explicit request.", "Warning", "None." },
	[RF_M_RESOURCE_POWERED_ON] = { RESOURCE_EVENT, "ResourcePoweredOn",
		"The resource `%1` has powered on.", "OK", "None." },
	[RF_M_RESOURCE_POWERED_OFF] = { RESOURCE_EVENT, "ResourcePoweredOff",
		"The resource `%1` has powered off.", "OK", "None." },
	[RF_M_RESOURCE_POWERING_ON] = { RESOURCE_EVENT, "ResourcePoweringOn",
		"The resource `%1` is powering on.", "OK", "None." },
	[RF_M_RESOURCE_POWERING_OFF] = { RESOURCE_EVENT, "ResourcePoweringOff",
		"The resource `%1` is powering off.", "OK", "None." },
	[RF_M_STATUS_CHANGED_OK] = { RESOURCE_EVENT, "ResourceStatusChangedOK",
		"The health of resource '%1' has changed to %2.", "OK", "None." },
	[RF_M_STATUS_CHANGED_WARNING] = { RESOURCE_EVENT, "ResourceStatusChangedWarning",
		"The health of resource `%1` has changed to %2.", "Warning", "None." },
	[RF_M_STATUS_CHANGED_CRITICAL] = { RESOURCE_EVENT, "ResourceStatusChangedCritical",
		"The health of resource `%1` has changed to %2.", "Critical", "None." },
	[RF_M_RESOURCE_CHANGED] = { RESOURCE_EVENT, "ResourceChanged",
		"One or more resource properties have changed.", "OK", "None." },
};

const char *rf_msg_id(enum rf_msg m, char *buf, size_t cap)
{
	fmt_snprintf(buf, cap, "%s.%s", msgs[m].registry, msgs[m].key);
	return buf;
}

/* The registry's text with args[n - 1] for each %n; a %n without an argument stays. */
static void format_text(char *out, size_t cap, const char *text, const char *const *args,
			unsigned nargs)
{
	size_t o = 0;

	for (const char *p = text; *p && o + 1 < cap; p++) {
		unsigned a = p[0] == '%' && p[1] >= '1' && p[1] <= '9' ? (unsigned)(p[1] - '1') : 9;
		const char *s = a < nargs && args[a] ? args[a] : NULL;

		if (s) {
			size_t k = fmt_snprintf(out + o, cap - o, "%s", s);

			o += k < cap - o ? k : cap - o - 1;
			p++;
		} else {
			out[o++] = *p;
		}
	}
	out[o < cap ? o : cap - 1] = '\0';
}

void rf_msg_fields(struct jw *w, enum rf_msg m, const char *const *args, unsigned nargs)
{
	static char text[MESSAGE_MAX];
	char id[64];

	format_text(text, sizeof(text), msgs[m].text, args, nargs);
	jw_key(w, "MessageId");
	jw_str(w, rf_msg_id(m, id, sizeof(id)));
	jw_key(w, "Message");
	jw_str(w, text);
	jw_key(w, "MessageArgs");
	jw_arr_begin(w);
	for (unsigned i = 0; i < nargs; i++)
		jw_str(w, args[i] ? args[i] : "");
	jw_arr_end(w);
	jw_key(w, "MessageSeverity");
	jw_str(w, msgs[m].severity);
	jw_key(w, "Severity");
	jw_str(w, msgs[m].severity);
	jw_key(w, "Resolution");
	jw_str(w, msgs[m].resolution);
}

void rf_msg_write(struct jw *w, enum rf_msg m, const char *const *args, unsigned nargs,
		  uint32_t hresult, const char *detail)
{
	char type[64];

	jw_obj_begin(w);
	jw_key(w, "@odata.type");
	jw_str(w, rf_odata_type(RF_T_MESSAGE, type, sizeof(type)));
	rf_msg_fields(w, m, args, nargs);
	if (hresult != S_OK || detail) {
		jw_key(w, "Oem");
		jw_obj_begin(w);
		jw_key(w, "Hv");
		jw_obj_begin(w);
		jw_key(w, "@odata.type");
		jw_str(w, "#Hv.v1_0_0.Message");
		jw_key(w, "HResult");
		jw_hresult(w, hresult);
		jw_key(w, "HResultName");
		jw_str_or_null(w, hresult_name(hresult));
		jw_key(w, "Description");
		jw_str_or_null(w, detail);
		jw_obj_end(w);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}
