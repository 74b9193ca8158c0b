; VT-x guest entry and exit.  vmx_run(regs, launched) saves hv's callee-saved
; registers, points HOST_RSP at them, loads the guest GPRs from struct
; vcpu_regs and runs VMLAUNCH/VMRESUME.  A VM exit lands at vmx_exit_stub
; (HOST_RIP), stores the guest GPRs back and returns 0; a failing VMLAUNCH/
; VMRESUME falls through and returns 1 (VMfailInvalid) or 2 (VMfailValid).

default rel
bits 64

VMCS_HOST_RSP equ 0x6c14

; struct vcpu_regs
R_RAX equ 0
R_RBX equ 8
R_RCX equ 16
R_RDX equ 24
R_RSI equ 32
R_RDI equ 40
R_RBP equ 48
R_R8 equ 56
R_R9 equ 64
R_R10 equ 72
R_R11 equ 80
R_R12 equ 88
R_R13 equ 96
R_R14 equ 104
R_R15 equ 112

global vmx_run:function hidden
global vmx_exit_stub:function hidden
global vmx_unblock_nmi:function hidden

section .text

; int vmx_run(struct vcpu_regs *regs [rdi], uint32_t launched [esi])
vmx_run:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	push rdi			; regs: at [HOST_RSP] when the guest exits
	mov eax, VMCS_HOST_RSP
	vmwrite rax, rsp
	test esi, esi			; MOV leaves the flags alone until the jump
	mov rax, [rdi + R_RAX]
	mov rbx, [rdi + R_RBX]
	mov rcx, [rdi + R_RCX]
	mov rdx, [rdi + R_RDX]
	mov rsi, [rdi + R_RSI]
	mov rbp, [rdi + R_RBP]
	mov r8, [rdi + R_R8]
	mov r9, [rdi + R_R9]
	mov r10, [rdi + R_R10]
	mov r11, [rdi + R_R11]
	mov r12, [rdi + R_R12]
	mov r13, [rdi + R_R13]
	mov r14, [rdi + R_R14]
	mov r15, [rdi + R_R15]
	mov rdi, [rdi + R_RDI]
	jnz .resume
	vmlaunch
	jmp .failed
.resume:
	vmresume
.failed:
	mov eax, 1			; CF = 1: VMfailInvalid
	jc vmx_run_return
	mov eax, 2			; ZF = 1: VMfailValid
	jmp vmx_run_return

vmx_exit_stub:
	push rdi			; the guest's RDI, to free a register
	mov rdi, [rsp + 8]		; regs
	mov [rdi + R_RAX], rax
	mov [rdi + R_RBX], rbx
	mov [rdi + R_RCX], rcx
	mov [rdi + R_RDX], rdx
	mov [rdi + R_RSI], rsi
	mov [rdi + R_RBP], rbp
	mov [rdi + R_R8], r8
	mov [rdi + R_R9], r9
	mov [rdi + R_R10], r10
	mov [rdi + R_R11], r11
	mov [rdi + R_R12], r12
	mov [rdi + R_R13], r13
	mov [rdi + R_R14], r14
	mov [rdi + R_R15], r15
	pop rax
	mov [rdi + R_RDI], rax
	xor eax, eax
vmx_run_return:
	add rsp, 8			; regs
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret

; void vmx_unblock_nmi(void): a VM exit caused by an NMI leaves NMIs blocked
; until the next IRET, and hv itself never executes one on that path.  An
; IRET to the next instruction, on the same stack, ends the blocking, so
; later NMIs (kicks) reach this CPU even while it idles in hv.
vmx_unblock_nmi:
	mov rax, rsp
	mov ecx, ss
	push rcx			; SS
	push rax			; RSP as it was before this frame
	pushfq
	mov ecx, cs
	push rcx			; CS
	lea rcx, [rel .resume]
	push rcx			; RIP
	iretq
.resume:
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
