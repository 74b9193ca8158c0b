; hv's entry point on the bootstrap CPU.  The loader calls hv_entry as a
; SysV function with RDI = struct boot_info *, interrupts off, on the
; firmware's page tables (identity map) and stack.  hv moves to its own
; stack at once: the firmware's stack lives in memory hv does not own.

default rel
bits 64

extern hv_main
global hv_entry

HV_BSP_STACK_SIZE equ 16384

section .text
hv_entry:
	cli
	cld
	lea rsp, [bsp_stack_top]
	xor ebp, ebp
	call hv_main		; never returns
.halt:
	cli
	hlt
	jmp .halt

section .bss
align 16
bsp_stack:
	resb HV_BSP_STACK_SIZE
bsp_stack_top:
