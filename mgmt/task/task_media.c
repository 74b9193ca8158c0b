/*
 * task_media_attach on the root: HVCALL_MEDIA_ATTACH (0x8018,
 * docs/hypercalls.md) through kernel/'s wrapper, hv's status mapped to
 * the API's HRESULTs.
 */
#include "task_media.h"

#include <kernel/hvmgmt.h>
#include <kernel/hypercall.h>

#include <common/hresult.h>

uint32_t task_media_attach(uint32_t vm, uint32_t media)
{
	uint64_t r = hv_media_attach(vm, media);
	uint16_t status = r == HV_CALL_NOT_READY ? HV_STATUS_INVALID_HYPERCALL_CODE : hv_status(r);

	/*
	 * INVALID_PARAMETER: the root itself, or no such medium; a Stopping
	 * partition is "not running" for the API.
	 */
	return hresult_from_hv(status, VM_E_VM_NOT_RUNNING);
}
