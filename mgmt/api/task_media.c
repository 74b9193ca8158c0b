/*
 * task_media_attach on the root: HVCALL_MEDIA_ATTACH (0x8018,
 * docs/hypercalls.md) through lib/kernel's wrapper, hv's status mapped to
 * the API's HRESULTs.
 */
#include "task_media.h"

#include <kernel/hvmgmt.h>
#include <kernel/hypercall.h>

#include "../hresult.h"

uint32_t task_media_attach(uint32_t vm, uint32_t media)
{
	uint64_t r = hv_media_attach(vm, media);
	uint16_t status = r == HV_CALL_NOT_READY ? HV_STATUS_INVALID_HYPERCALL_CODE : hv_status(r);
	uint32_t hr;

	switch (status) {
	case HV_STATUS_SUCCESS:
		hr = S_OK;
		break;
	case HV_STATUS_INVALID_PARTITION_ID:
		hr = VM_E_VM_UNKNOWN;
		break;
	case HV_STATUS_INVALID_PARTITION_STATE:
		hr = VM_E_VM_NOT_RUNNING;
		break;
	case HV_STATUS_INVALID_PARAMETER:   /* the root itself, or no such medium */
		hr = E_INVALIDARG;
		break;
	case HV_STATUS_INVALID_HYPERCALL_CODE:
		hr = HR_ERROR_NOT_SUPPORTED;
		break;
	default:
		hr = E_FAIL;
		break;
	}
	return hr;
}
