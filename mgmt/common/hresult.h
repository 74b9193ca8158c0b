/*
 * HRESULTs of the IVMGuestOS / IVMTask API (reference.md) and task
 * results.  One table (hresult.c) names them for JSON errors and logs.
 * Integration-service answers already carry Win32 HRESULTs
 * (IC_E_MACHINE_LOCKED is ERROR_MACHINE_LOCKED), so they pass through.
 */
#ifndef MGMT_HRESULT_H
#define MGMT_HRESULT_H

#include <stdint.h>

#define S_OK 0x00000000u
#define E_POINTER 0x80004003u
#define E_INVALIDARG 0x80070057u
#define E_ACCESSDENIED 0x80070005u
#define E_FAIL 0x80004005u
#define E_OUTOFMEMORY 0x8007000Eu
#define HR_ERROR_NOT_READY 0x80070015u
#define HR_ERROR_MACHINE_LOCKED 0x800704F7u
#define HR_ERROR_SHUTDOWN_IN_PROGRESS 0x8007045Bu
#define HR_ERROR_NO_SUCH_LOGON_SESSION 0x80070520u
#define HR_ERROR_NOT_SUPPORTED 0x80070032u
#define VM_E_TIMED_OUT 0xA0040202u
#define VM_E_OUT_OF_RESOURCE 0xA0040203u
#define VM_E_VM_NOT_RUNNING 0xA0040206u
#define VM_E_VM_UNKNOWN 0xA0040207u
#define VM_E_VM_RUNNING_OR_SAVED 0xA004020Bu
#define VM_E_PREF_NOT_FOUND 0xA0040300u
#define VM_E_PREF_ILLEGAL_VALUE 0xA0040301u
#define VM_E_VM_RUNNING 0xA0040500u
#define VM_E_ADDITIONS_NOT_AVAIL 0xA0040504u
#define VM_E_ADDITIONS_FEATURE_NOT_AVAIL 0xA0040505u

/* VMTaskResult */
enum task_result {
	TASK_SUCCESS = 0,
	TASK_CANCELLED = 1,
	TASK_UNEXPECTED_ERROR = 2,
	TASK_OUT_OF_MEMORY = 3,
	TASK_DISK_RELATED = 4,
	TASK_INCOMPATIBLE_SAVED_STATE = 5,
	TASK_TIMEOUT = 6,
	TASK_ILLEGAL_VALUE = 7,
	TASK_THREAD_CRASH = 8,
	TASK_SHUTDOWN_ABORT = 9,
};

/*
 * The HRESULT for a hypercall's HV_STATUS (include/hv/hypercall.h):
 * success S_OK, an unknown partition VM_E_VM_UNKNOWN, the partition in
 * the wrong state wrong_state (what that means depends on the call), a
 * refused argument E_INVALIDARG, a call hv lacks ERROR_NOT_SUPPORTED,
 * anything else E_FAIL.
 */
uint32_t hresult_from_hv(uint16_t hv_status, uint32_t wrong_state);
/* "VM_E_VM_NOT_RUNNING", ...; NULL for an HRESULT the table lacks. */
const char *hresult_name(uint32_t hr);
/* "Success", "TimeOutError", ...; "?" outside the enum. */
const char *task_result_name(uint32_t result);

#endif
