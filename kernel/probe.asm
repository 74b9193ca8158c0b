; Probes: single instructions that may fault, each covered by an
; exception-table entry.  Every probe returns PROBE_OK (0x100) when the
; instruction completed, or the exception vector it raised; results go
; through pointer arguments only when there is no fault.

default rel
bits 64

%include "kernel/extable.inc"

PROBE_OK equ 0x100

section .text

; unsigned probe_rdmsr(uint32_t msr, uint64_t *value)
global probe_rdmsr
probe_rdmsr:
	mov ecx, edi
.insn:	rdmsr
	shl rdx, 32
	or rax, rdx
	mov [rsi], rax
	mov eax, PROBE_OK
.fixup:	ret
	EXTABLE .insn, .fixup

; unsigned probe_xsetbv(uint32_t xcr, uint64_t value)
global probe_xsetbv
probe_xsetbv:
	mov ecx, edi
	mov eax, esi
	mov rdx, rsi
	shr rdx, 32
.insn:	xsetbv
	mov eax, PROBE_OK
.fixup:	ret
	EXTABLE .insn, .fixup

; unsigned probe_wrmsr(uint32_t msr, uint64_t value)
global probe_wrmsr
probe_wrmsr:
	mov ecx, edi
	mov eax, esi
	mov rdx, rsi
	shr rdx, 32
.insn:	wrmsr
	mov eax, PROBE_OK
.fixup:	ret
	EXTABLE .insn, .fixup

; unsigned probe_vmcall_raw(uint64_t rcx, uint64_t rdx, uint64_t r8, uint64_t *rax)
; VMCALL (Intel's hypercall instruction) with the TLFS registers.
global probe_vmcall_raw
probe_vmcall_raw:
	mov r9, rcx
	mov rcx, rdi
	mov r8, rdx
	mov rdx, rsi
	xor eax, eax
.insn:	vmcall
	mov [r9], rax
	mov eax, PROBE_OK
.fixup:	ret
	EXTABLE .insn, .fixup

; unsigned probe_vmmcall_raw(uint64_t rcx, uint64_t rdx, uint64_t r8, uint64_t *rax)
; VMMCALL (AMD's hypercall instruction) with the TLFS registers.
global probe_vmmcall_raw
probe_vmmcall_raw:
	mov r9, rcx
	mov rcx, rdi
	mov r8, rdx
	mov rdx, rsi
	xor eax, eax
.insn:	vmmcall
	mov [r9], rax
	mov eax, PROBE_OK
.fixup:	ret
	EXTABLE .insn, .fixup

; unsigned probe_inb(uint16_t port, uint8_t *value)
global probe_inb
probe_inb:
	mov edx, edi
.insn:	in al, dx
	mov [rsi], al
	mov eax, PROBE_OK
.fixup:	ret
	EXTABLE .insn, .fixup

; unsigned probe_inw(uint16_t port, uint16_t *value)
global probe_inw
probe_inw:
	mov edx, edi
.insn:	in ax, dx
	mov [rsi], ax
	mov eax, PROBE_OK
.fixup:	ret
	EXTABLE .insn, .fixup

; unsigned probe_inl(uint16_t port, uint32_t *value)
global probe_inl
probe_inl:
	mov edx, edi
.insn:	in eax, dx
	mov [rsi], eax
	mov eax, PROBE_OK
.fixup:	ret
	EXTABLE .insn, .fixup

; unsigned probe_outl(uint16_t port, uint32_t value)
global probe_outl
probe_outl:
	mov edx, edi
	mov eax, esi
.insn:	out dx, eax
	mov eax, PROBE_OK
.fixup:	ret
	EXTABLE .insn, .fixup

; unsigned probe_outsb(uint16_t port, const void *byte): one OUTSB
global probe_outsb
probe_outsb:
	mov edx, edi
	cld
.insn:	outsb
	mov eax, PROBE_OK
.fixup:	ret
	EXTABLE .insn, .fixup

; unsigned probe_read64(const volatile void *address, uint64_t *value)
global probe_read64
probe_read64:
.insn:	mov rax, [rdi]
	mov [rsi], rax
	mov eax, PROBE_OK
.fixup:	ret
	EXTABLE .insn, .fixup

; unsigned probe_ud2(void): always #UD; proves the fixup machinery
global probe_ud2
probe_ud2:
.insn:	ud2
	mov eax, PROBE_OK
.fixup:	ret
	EXTABLE .insn, .fixup

; unsigned probe_vmxon(uint64_t region_pa_location): VMXON [rdi]
global probe_vmxon
probe_vmxon:
.insn:	vmxon [rdi]
	mov eax, PROBE_OK
.fixup:	ret
	EXTABLE .insn, .fixup

; unsigned probe_vmrun(uint64_t vmcb_pa): VMRUN with RAX = vmcb_pa
global probe_vmrun
probe_vmrun:
	mov rax, rdi
.insn:	vmrun
	mov eax, PROBE_OK
.fixup:	ret
	EXTABLE .insn, .fixup
