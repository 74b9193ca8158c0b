/*
 * The root kernel's main loop (main.c): root_poll is the one place where
 * the root takes interrupts and keeps its once-a-second duties; a knob
 * that waits a long time keeps calling it.
 */
#ifndef ROOT_H
#define ROOT_H

/* The vector of hv's state-change events (events/events.h). */
#define ROOT_EVENT_VECTOR 0x50

/* Waits about 1 ms with interrupts open, then does the per-second work. */
void root_poll(void);

#endif
