/*
 * The one thing the task engine asks of hv that the API backend
 * (backend.h) does not carry: attaching the additions media to a
 * partition for InstallAdditions.  task_media.c implements it on the
 * root (HVCALL_MEDIA_ATTACH); host tests provide a double.
 */
#ifndef MGMT_TASK_MEDIA_H
#define MGMT_TASK_MEDIA_H

#include <hv/hypercall.h>
#include <stdint.h>

/*
 * media is HV_MEDIA_ADDITIONS or HV_MEDIA_NONE (eject).  S_OK when hv
 * attached or ejected it; VM_E_VM_UNKNOWN, VM_E_VM_NOT_RUNNING,
 * E_INVALIDARG (the root, or no such medium), HR_ERROR_NOT_SUPPORTED (hv
 * without the call) or E_FAIL otherwise.
 */
uint32_t task_media_attach(uint32_t vm, uint32_t media);

#endif
