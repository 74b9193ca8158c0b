; Entry stubs for all 256 vectors (exceptions 0-31, interrupts 32-255):
; each pushes a zero error code when the CPU pushes none, then its vector,
; and joins exception_common, which saves the general registers as a
; struct trap_frame (kernel/exceptions.h), calls exception_dispatch
; and returns.

%include "arch/trapframe.inc"

default rel
bits 64

extern exception_dispatch
global exception_stub_table

section .text

%macro STUB 1
stub_%1:
%if %1 >= 32
	push 0
%elif %1 == 8 || %1 == 10 || %1 == 11 || %1 == 12 || %1 == 13 || %1 == 14 || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30
	; the CPU pushed an error code
%else
	push 0
%endif
	push %1
	jmp exception_common
%endmacro

%assign vec 0
%rep 256
	STUB vec
%assign vec vec + 1
%endrep

exception_common:
	PUSH_GPRS
	; 22 quadwords on a stack the CPU aligned to 16: the call is aligned
	mov rdi, rsp
	cld
	call exception_dispatch
	POP_GPRS
	add rsp, 16 ; vector and error code
	iretq

section .rodata
align 8
exception_stub_table:
%assign vec 0
%rep 256
	dq stub_ %+ vec
%assign vec vec + 1
%endrep
