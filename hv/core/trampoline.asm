; AP start-up trampoline.  hv copies the bytes between trampoline_start and
; trampoline_end to a 4 KiB page below 1 MiB (boot_info.trampoline_phys)
; and fills the parameter block at offset TRAMPOLINE_PARAMS (8, see
; hv/core/smp.c).  A start-up IPI with vector = page >> 12 starts the AP here in
; real mode at CS:0 = page:0.  The code finds its own linear address from
; CS, patches its GDT pointer and far-jump target, and switches straight
; to long mode (PE and PG in one write, PAE and EFER.LME set first) using
; hv's CR3, which hv keeps below 4 GiB for this 32-bit load.  Then it
; calls entry(arg) on the given stack; entry never returns.

bits 16
section .text

global trampoline_start
global trampoline_end

trampoline_start:
	jmp short tramp_code
	align 8, db 0
; --- parameter block, offset 8; hv/core/smp.c writes it ---
tramp_cr3:	dq 0
tramp_stack:	dq 0
tramp_entry:	dq 0
tramp_arg:	dq 0
; --- patched by the code below ---
tramp_gdtr:	dw tramp_gdt_end - tramp_gdt - 1
		dq 0
tramp_farptr:	dd 0
		dw 0x08
	align 8, db 0
tramp_gdt:	dq 0
		dq 0x00af9a000000ffff	; 0x08: 64-bit code
		dq 0x00cf92000000ffff	; 0x10: data
tramp_gdt_end:

%if (tramp_cr3 - trampoline_start) != 8
%error "trampoline parameter block must sit at offset 8"
%endif

%define OFF(x) ((x) - trampoline_start)

tramp_code:
	cli
	cld
	mov ax, cs
	mov ds, ax
	xor ebx, ebx
	mov bx, ax
	shl ebx, 4				; linear address of this page
	lea eax, [ebx + OFF(tramp_gdt)]
	mov [OFF(tramp_gdtr) + 2], eax
	lea eax, [ebx + OFF(tramp_long)]
	mov [OFF(tramp_farptr)], eax
	lgdt [OFF(tramp_gdtr)]
	mov eax, cr4
	or eax, 1 << 5				; PAE
	mov cr4, eax
	mov eax, [OFF(tramp_cr3)]
	mov cr3, eax
	mov ecx, 0xc0000080			; EFER
	rdmsr
	or eax, 1 << 8				; LME
	wrmsr
	mov eax, cr0
	or eax, 0x80000001			; PG | PE
	mov cr0, eax
	jmp dword far [OFF(tramp_farptr)]

bits 64
tramp_long:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov ebx, ebx				; upper halves are undefined after the switch
	mov rsp, [rbx + OFF(tramp_stack)]
	mov rdi, [rbx + OFF(tramp_arg)]
	mov rax, [rbx + OFF(tramp_entry)]
	call rax
.halt:
	cli
	hlt
	jmp .halt
trampoline_end:
