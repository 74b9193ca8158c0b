; svm_vmrun(vmcb_pa, host_vmcb_pa, regs): one trip into the guest.
; VMRUN switches only part of the CPU state (APM Vol. 2, 15.5): FS, GS,
; TR, LDTR and the SYSCALL/SYSENTER MSRs are moved with VMSAVE/VMLOAD, so
; the host's are saved around the run (hv's TR matters: its TSS holds the
; IST stacks for NMI and #DF).  Guest RAX and RSP live in the VMCB; the
; other general registers are loaded from and stored to *regs (struct
; vcpu_regs, hv/part/vcpu.h: rax rbx rcx rdx rsi rdi rbp r8..r15).  GIF is
; cleared around the switch so no NMI lands between the steps, and set
; again afterwards so hv sees NMIs (it runs with IF = 0).

bits 64
section .text
global svm_vmrun

%define REG(n) [rsp + 8 * (n)]

svm_vmrun:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	push rdx                ; regs
	push rdi                ; guest VMCB
	push rsi                ; host VMCB
	clgi
	mov rax, rsi
	vmsave			; [rax]
	mov rax, rdi
	vmload			; [rax]
	mov rax, rdx
	mov rbx, [rax + 8]
	mov rcx, [rax + 16]
	mov rdx, [rax + 24]
	mov rsi, [rax + 32]
	mov rdi, [rax + 40]
	mov rbp, [rax + 48]
	mov r8,  [rax + 56]
	mov r9,  [rax + 64]
	mov r10, [rax + 72]
	mov r11, [rax + 80]
	mov r12, [rax + 88]
	mov r13, [rax + 96]
	mov r14, [rax + 104]
	mov r15, [rax + 112]
	mov rax, REG(1)         ; guest VMCB
	vmrun			; [rax]
	vmsave			; [rax]
	mov rax, REG(2)         ; regs
	mov [rax + 8], rbx
	mov [rax + 16], rcx
	mov [rax + 24], rdx
	mov [rax + 32], rsi
	mov [rax + 40], rdi
	mov [rax + 48], rbp
	mov [rax + 56], r8
	mov [rax + 64], r9
	mov [rax + 72], r10
	mov [rax + 80], r11
	mov [rax + 88], r12
	mov [rax + 96], r13
	mov [rax + 104], r14
	mov [rax + 112], r15
	mov rax, REG(0)         ; host VMCB
	vmload			; [rax]
	stgi
	add rsp, 24
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret
