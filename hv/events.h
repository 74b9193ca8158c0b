/*
 * State-change events for the root partition: a ring in one page of the
 * root's RAM (layout and ordering rules in include/hv/hypercall.h) and an
 * interrupt vector the root chose.  Events before the root registered its
 * ring are only logged.
 */
#ifndef HV_EVENTS_H
#define HV_EVENTS_H

#include <stdint.h>

struct partition;

/* Registers the root's ring; returns an HV_STATUS. */
uint16_t events_set_ring(struct partition *root, uint64_t gpa, uint64_t vector);

/* Appends one event and interrupts the root. */
void events_emit(const struct partition *p, uint32_t previous, uint32_t state, uint32_t cause);

/* Forgets the ring (the root restarted: its RAM was cleared). */
void events_reset(void);

#endif
