/*
 * CPU facts a partition kernel asks for: the vendor (which hypercall
 * instruction hv writes, which virtualization instructions exist) and
 * whether it runs under a Hyper-V compatible hypervisor.
 */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

#include <stdbool.h>

enum cpu_vendor {
	CPU_VENDOR_OTHER,
	CPU_VENDOR_INTEL,
	CPU_VENDOR_AMD,
};

enum cpu_vendor cpu_vendor(void);
const char *cpu_vendor_name(enum cpu_vendor vendor);

/* CPUID.1:ECX[31] and "Microsoft Hv" / "Hv#1" at 0x40000000/1. */
bool cpu_hyperv_interface(void);

#endif
