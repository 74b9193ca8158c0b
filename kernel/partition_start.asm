; Entry of a partition kernel (the root's mgmt image, guest/testos).  hv
; enters it in 64-bit long mode with RDI = the start-info page (defined
; with the partition start-up, issue 3); the kernel moves to its own stack
; and calls kernel_main(start_info), which never returns.

default rel
bits 64

extern kernel_main
global partition_start

KERNEL_STACK_SIZE equ 65536

section .text
partition_start:
	cli
	lea rsp, [kernel_stack_top]
	xor ebp, ebp
	call kernel_main
.halt:
	hlt
	jmp .halt

section .bss
align 16
kernel_stack:
	resb KERNEL_STACK_SIZE
kernel_stack_top:
