; Exception entry stubs for hv's IDT.
; Stub n sits at isr_stubs + n * ISR_STUB_SIZE, so the IDT is filled by
; arithmetic and needs no table of addresses (hv is position-independent).
; Stubs 32 to 34 stand for vectors above 31 (see trap.h).
; Each stub pushes a zero where the CPU pushes no error code, then the
; vector, and joins isr_common, which saves the general registers in the
; order of struct trap_frame (hv/core/trap.h) and calls trap_dispatch(frame).
; The CPU aligned RSP to 16 bytes before pushing its frame, and the 22
; quadwords pushed in all keep it aligned for the C call.

%include "arch/trapframe.inc"

default rel
bits 64

ISR_STUB_SIZE equ 16
extern trap_dispatch
global isr_stubs

; Vectors for which the CPU pushes an error code.
%define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

section .text
align ISR_STUB_SIZE
isr_stubs:
%assign v 0
%rep 35
	align ISR_STUB_SIZE
%if HAS_ERROR(v) == 0
	push qword 0
%endif
	push qword v            ; 32: any other vector, 33: hv's own, 34: spurious
	jmp isr_common
%assign v v + 1
%endrep

isr_common:
	PUSH_GPRS
	mov rdi, rsp
	call trap_dispatch      ; returns only for events hv survives (NMI)
	POP_GPRS
	add rsp, 16             ; vector and error code
	iretq
