/*
 * Reading guest memory by guest-virtual address, for the few places hv
 * must look at what the guest executes (instruction decoding on CPUs
 * without next-RIP reporting).  Walks the guest's own 4-level page tables
 * inside the partition's RAM; never follows a table outside it.
 */
#ifndef HV_GUEST_MEM_H
#define HV_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

#include <part/vcpu.h>

/* Copies len bytes at guest-virtual va; returns 0, or -1 when unmapped. */
int guest_read_virt(struct vcpu *v, const struct vcpu_state *state, uint64_t va,
		    void *buf, size_t len);

#endif
