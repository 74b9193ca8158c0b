/*
 * mpsvc: the CPU list from the firmware's EFI_MP_SERVICES_PROTOCOL (PI
 * specification), for firmware that boots without ACPI tables, such as
 * OVMF on Bochs.
 */
#ifndef BOOT_MPSVC_H
#define BOOT_MPSVC_H

#include "cpus.h"

/* Adds the enabled processors; 0 when the protocol is not there. */
int mpsvc_add_cpus(struct cpu_list *l);

#endif
