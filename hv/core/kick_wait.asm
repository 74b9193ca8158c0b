; The idle wait of a CPU until its next kick (hv/core/kick.c).  A kick is
; an NMI, which interrupts flags cannot hold pending: one that lands after
; the last look at the kick counter but before HLT would be lost, and the
; CPU would sleep through the request that caused it.  So the look and the
; HLT form a window, and the NMI handler (hv/core/trap.c) moves a CPU it
; interrupts inside the window to its end: the HLT is skipped and the
; caller looks at its state again.
;
; void kick_wait_window(const uint32_t *requested, uint32_t acked,
;                       uint32_t open_interrupts)
; Sleeps unless *requested differs from acked; with open_interrupts, hv's
; own interrupts (wake-up IPI, timer) end the sleep too (STI's shadow
; covers the HLT).  Returns with interrupts off.

default rel
bits 64

global kick_wait_window
global kick_window_start
global kick_window_end

section .text
kick_wait_window:
kick_window_start:
	cmp [rdi], esi
	jne kick_window_end     ; a kick arrived since the caller's acknowledgement
	test edx, edx
	jz .halt
	sti
.halt:
	hlt
kick_window_end:
	cli
	ret
