/*
 * State-change events for the root partition: a ring in one page of the
 * root's RAM (layout and ordering rules in include/hv/hypercall.h) and an
 * interrupt vector the root chose.  Events before the root registered its
 * ring are only logged.
 */
#ifndef HV_EVENTS_H
#define HV_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

struct partition;

/* Registers the root's ring; returns an HV_STATUS. */
uint16_t events_set_ring(struct partition *root, uint64_t gpa, uint64_t vector);

/*
 * Appends one event; returns true when the root must be interrupted
 * (events_notify), which the caller does after releasing its own locks,
 * since notifying waits for the root's CPU.
 */
bool events_push(const struct partition *p, uint32_t previous, uint32_t state, uint32_t cause);
void events_notify(void);

/* Forgets the ring (the root restarted: its RAM was cleared). */
void events_reset(void);

#endif
