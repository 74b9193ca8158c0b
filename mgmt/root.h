/*
 * The root kernel's parts: the event ring (events.c) and root_poll
 * (main.c), the one place where the root takes interrupts and
 * keeps its once-a-second duties.
 */
#ifndef ROOT_H
#define ROOT_H

#include <hv/hypercall.h>
#include <hv/start_info.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ROOT_EVENT_VECTOR 0x50

/* Waits about 1 ms with interrupts open, then does the per-second work. */
void root_poll(void);

/* Registers the ring with hv; false (and a console line) on failure. */
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
