/*
 * Kicks: making another CPU look at its partition's state now.  hv takes
 * no interrupts, so the kicker sends NMIs; an NMI can be swallowed in host
 * mode just before the target enters its guest, so the kicker repeats it
 * until the target acknowledges, bounded in time.
 *
 * Ordering rule: the kicker changes the state first, then kicks; the
 * target acknowledges first, then reads the state.  So a target that
 * acknowledges a kick always sees the state that caused it.
 *
 * An idle target waits with cpu_kick_wait, which loses no kick: a kick
 * counted after the target's last acknowledgement either ends the wait
 * before it sleeps, or its NMI wakes the sleep or skips it
 * (hv/core/kick_wait.asm), however long the target took to get there.
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

/*
 * Called by CPU `cpu` on itself after its last look: sleeps until a kick
 * it has not acknowledged exists (returns at once if one does already),
 * or, with `interrupts`, until one of hv's own interrupts arrives.
 * Returns with interrupts off; the caller acknowledges and looks again.
 */
void cpu_kick_wait(uint32_t cpu, bool interrupts);

/*
 * The NMI handler's part: an NMI that interrupted cpu_kick_wait between
 * its look and its HLT moves *rip past the HLT.  True if it did.
 */
bool kick_nmi_fixup(uint64_t *rip);

#endif
