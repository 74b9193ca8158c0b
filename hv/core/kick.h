/*
 * Kicks: making another CPU look at its partition's state now.  hv takes
 * no interrupts, so the kicker sends NMIs; an NMI can be swallowed in host
 * mode just before the target enters its guest (or goes idle), so the
 * kicker repeats it until the target acknowledges, bounded in time.
 *
 * Ordering rule: the kicker changes the state first, then kicks; the
 * target acknowledges first, then reads the state.  So a target that
 * acknowledges a kick always sees the state that caused it.
 */
#ifndef HV_KICK_H
#define HV_KICK_H

#include <stdbool.h>
#include <stdint.h>

/* Kicks CPU `cpu` and waits (at most about 100 ms) for its acknowledgement. */
void cpu_kick(uint32_t cpu);

/* Whether CPU `cpu` has a kick it has not acknowledged yet. */
bool cpu_kick_pending(uint32_t cpu);

/* Called by CPU `cpu` before it looks at its partition's state. */
void cpu_kick_ack(uint32_t cpu);

#endif
