/*
 * mpsvc: asks the firmware which processors it started during boot.  The
 * protocol is defined by the PI specification, not UEFI, so GNU-EFI has
 * no header for it; the few pieces used are declared here.
 */
#include "mpsvc.h"

#include "fw.h"

#define MP_SERVICES_GUID \
	{ 0x3fdda605, 0xa76e, 0x4f46, \
	  { 0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08 } }

#define PROCESSOR_ENABLED_BIT 0x2u

struct processor_info {
	UINT64 processor_id; /* the local APIC id */
	UINT32 status_flag;
	UINT32 location[3];  /* package, core, thread */
	UINT32 extended[6];  /* PI 1.7 extension, only written on request */
};

/* The leading members of EFI_MP_SERVICES_PROTOCOL, in their order. */
struct mp_services {
	EFI_STATUS (*get_number_of_processors)(struct mp_services *self,
					       UINTN *total, UINTN *enabled);
	EFI_STATUS (*get_processor_info)(struct mp_services *self, UINTN index,
					 struct processor_info *info);
};

static EFI_GUID mp_services_guid = MP_SERVICES_GUID;

int mpsvc_add_cpus(struct cpu_list *l)
{
	struct mp_services *mp = NULL;
	struct processor_info info;
	UINTN total, enabled, i;
	EFI_STATUS status;

	status = uefi_call_wrapper(fw_bs->LocateProtocol, 3, &mp_services_guid,
				   NULL, (void **)&mp);
	if (EFI_ERROR(status) || !mp)
		return 0;
	status = uefi_call_wrapper(mp->get_number_of_processors, 3, mp,
				   &total, &enabled);
	if (EFI_ERROR(status))
		return 0;
	for (i = 0; i < total; i++) {
		status = uefi_call_wrapper(mp->get_processor_info, 3, mp, i,
					   &info);
		if (!EFI_ERROR(status) &&
		    (info.status_flag & PROCESSOR_ENABLED_BIT))
			cpus_add(l, (UINT32)info.processor_id);
	}
	return 1;
}
