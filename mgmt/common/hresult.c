/*
 * Names of the HRESULTs and task results in hresult.h, for JSON error
 * bodies and console lines, and the HRESULT of a hypercall's status.
 */
#include "hresult.h"

#include <hv/hypercall.h>
#include <stddef.h>

static const struct {
	uint32_t hr;
	const char *name;
} names[] = {
	{ S_OK, "S_OK" },
	{ E_POINTER, "E_POINTER" },
	{ E_INVALIDARG, "E_INVALIDARG" },
	{ E_ACCESSDENIED, "E_ACCESSDENIED" },
	{ E_FAIL, "E_FAIL" },
	{ E_OUTOFMEMORY, "E_OUTOFMEMORY" },
	{ HR_ERROR_NOT_READY, "ERROR_NOT_READY" },
	{ HR_ERROR_MACHINE_LOCKED, "ERROR_MACHINE_LOCKED" },
	{ HR_ERROR_SHUTDOWN_IN_PROGRESS, "ERROR_SHUTDOWN_IN_PROGRESS" },
	{ HR_ERROR_NO_SUCH_LOGON_SESSION, "ERROR_NO_SUCH_LOGON_SESSION" },
	{ HR_ERROR_NOT_SUPPORTED, "ERROR_NOT_SUPPORTED" },
	{ VM_E_TIMED_OUT, "VM_E_TIMED_OUT" },
	{ VM_E_OUT_OF_RESOURCE, "VM_E_OUT_OF_RESOURCE" },
	{ VM_E_VM_NOT_RUNNING, "VM_E_VM_NOT_RUNNING" },
	{ VM_E_VM_UNKNOWN, "VM_E_VM_UNKNOWN" },
	{ VM_E_VM_RUNNING_OR_SAVED, "VM_E_VM_RUNNING_OR_SAVED" },
	{ VM_E_PREF_NOT_FOUND, "VM_E_PREF_NOT_FOUND" },
	{ VM_E_PREF_ILLEGAL_VALUE, "VM_E_PREF_ILLEGAL_VALUE" },
	{ VM_E_VM_RUNNING, "VM_E_VM_RUNNING" },
	{ VM_E_ADDITIONS_NOT_AVAIL, "VM_E_ADDITIONS_NOT_AVAIL" },
	{ VM_E_ADDITIONS_FEATURE_NOT_AVAIL, "VM_E_ADDITIONS_FEATURE_NOT_AVAIL" },
};

static const char *const results[] = {
	"Success", "Cancelled", "UnexpectedError", "OutOfMemoryError", "DiskRelatedError",
	"IncompatibleSavedStateError", "TimeOutError", "IllegalValueError", "ThreadCrashError",
	"ShutdownAbort",
};

const char *hresult_name(uint32_t hr)
{
	const char *name = NULL;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !name; i++)
		if (names[i].hr == hr)
			name = names[i].name;
	return name;
}

const char *task_result_name(uint32_t result)
{
	return result < sizeof(results) / sizeof(results[0]) ? results[result] : "?";
}

uint32_t hresult_from_hv(uint16_t hv_status, uint32_t wrong_state)
{
	switch (hv_status) {
	case HV_STATUS_SUCCESS:
		return S_OK;
	case HV_STATUS_INVALID_PARTITION_ID:
		return VM_E_VM_UNKNOWN;
	case HV_STATUS_INVALID_PARTITION_STATE:
		return wrong_state;
	case HV_STATUS_INVALID_PARAMETER:
		return E_INVALIDARG;
	case HV_STATUS_INVALID_HYPERCALL_CODE:
		return HR_ERROR_NOT_SUPPORTED;
	default:
		return E_FAIL;
	}
}
