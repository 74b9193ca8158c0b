/*
 * The root's view of partition life cycles (events.c): hv's state-change
 * event ring, drained in the interrupt handler and by events_poll, and
 * per partition its name, its last state and a count of events per cause.
 * Each change is also posted as NOTIFY_STATE (common/notify.h).
 */
#ifndef MGMT_EVENTS_H
#define MGMT_EVENTS_H

#include <hv/hypercall.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Registers the ring with hv, its interrupt on vector; false (and a console line) on failure. */
bool events_init(uint8_t vector);
/* Seeds names and states from a partition list (before interrupts open). */
void events_track(const struct hv_partition_list *list);
/* Last state an event reported (or the list said) for partition id. */
uint32_t events_state(uint32_t id);
/* Events seen for partition id with this cause (HV_EVENT_*). */
uint32_t events_count(uint32_t id, uint32_t cause);
/* Events hv has written that the root has not read yet. */
uint32_t events_unread(void);
/* The partition id with this name, or -1. */
int events_find(const char *name, size_t len);
const char *events_name(uint32_t id);
/* A listed partition other than the root. */
bool events_is_guest(uint32_t id);
/* Posts NOTIFY_STATE for the changes the handler saw; from root_poll. */
void events_poll(void);

#endif
