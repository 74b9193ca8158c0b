/*
 * Emulated device memory (MMIO).  Ranges registered here are never mapped
 * in any partition's stage-2 tables, so a guest access to one exits as a
 * stage-2 fault; hv fetches the instruction at RIP, decodes it
 * (mmio_decode.h), performs the access against the range's handlers and
 * steps over the instruction.  Today the only range is the PCI ECAM window.
 */
#ifndef HV_MMIO_H
#define HV_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include <emul/exit.h>
#include <part/vcpu.h>

/* Handlers get naturally aligned 1-, 2-, 4- or 8-byte accesses inside their range. */
typedef uint64_t (*mmio_read_fn)(struct vcpu *v, uint64_t gpa, uint8_t size);
typedef void (*mmio_write_fn)(struct vcpu *v, uint64_t gpa, uint8_t size, uint64_t value);

/* Emulates [base, base + size) for every partition; start-up only. Returns 0 or -1 (full). */
int mmio_register(uint64_t base, uint64_t size, mmio_read_fn read, mmio_write_fn write);

/*
 * Handles a stage-2 fault inside a registered range: emulates the access
 * and sets exit->insn_len_override (action ACTION_NEXT), or faults the
 * partition (ACTION_PARK) when the instruction cannot be emulated.
 * Returns false, touching nothing, when no range contains the GPA.
 */
bool mmio_handle(struct vcpu *v, struct exit_info *exit, enum exit_action *action);

#endif
