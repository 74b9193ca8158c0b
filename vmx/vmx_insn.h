/*
 * One-instruction wrappers for the VMX instructions and the few other
 * instructions the backend needs that include/arch/x86.h lacks.  VMX
 * instructions report failure in RFLAGS (SDM Vol. 3, "VMX Instruction
 * Reference", Conventions): CF = 1 is VMfailInvalid (no current VMCS),
 * ZF = 1 is VMfailValid (the reason is in the VM-instruction error field).
 */
#ifndef VMX_INSN_H
#define VMX_INSN_H

#include <stdbool.h>
#include <stdint.h>

enum vmx_status { VMX_OK = 0, VMX_FAIL_INVALID = 1, VMX_FAIL_VALID = 2 };

static inline enum vmx_status vmx_status(uint8_t cf, uint8_t zf)
{
	return cf ? VMX_FAIL_INVALID : zf ? VMX_FAIL_VALID : VMX_OK;
}

/* VMXON, VMCLEAR and VMPTRLD take the physical address from memory. */
#define VMX_PTR_INSN(name, insn) \
	static inline enum vmx_status name(uint64_t pa) \
	{ \
		uint8_t cf, zf; \
		__asm__ volatile(insn " %2\n\tsetc %0\n\tsetz %1" \
				 : "=qm"(cf), "=qm"(zf) : "m"(pa) : "cc", "memory"); \
		return vmx_status(cf, zf); \
	}
VMX_PTR_INSN(vmxon, "vmxon")
VMX_PTR_INSN(vmclear, "vmclear")
VMX_PTR_INSN(vmptrld, "vmptrld")
#undef VMX_PTR_INSN

/* Reads a field of the current VMCS; 0 when the read fails. */
static inline uint64_t vmread(uint32_t field)
{
	uint64_t value = 0;

	__asm__ volatile("vmread %1, %0" : "+r"(value) : "r"((uint64_t)field) : "cc");
	return value;
}

static inline bool vmwrite(uint32_t field, uint64_t value)
{
	uint8_t fail;

	__asm__ volatile("vmwrite %1, %2\n\tsetna %0"
			 : "=qm"(fail) : "r"(value), "r"((uint64_t)field) : "cc");
	return !fail;
}

struct invept_desc {
	uint64_t eptp, reserved;
};

struct invvpid_desc {
	uint64_t vpid, linear;
};

static inline bool invept(uint64_t type, uint64_t eptp)
{
	struct invept_desc d = { eptp, 0 };
	uint8_t fail;

	__asm__ volatile("invept %1, %2\n\tsetna %0"
			 : "=qm"(fail) : "m"(d), "r"(type) : "cc", "memory");
	return !fail;
}

static inline bool invvpid(uint64_t type, uint16_t vpid)
{
	struct invvpid_desc d = { vpid, 0 };
	uint8_t fail;

	__asm__ volatile("invvpid %1, %2\n\tsetna %0"
			 : "=qm"(fail) : "m"(d), "r"(type) : "cc", "memory");
	return !fail;
}

#define INVEPT_SINGLE 1u
#define INVEPT_ALL 2u
#define INVVPID_SINGLE 1u
#define INVVPID_ALL 2u

static inline void write_cr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static inline struct desc_ptr read_gdtr(void)
{
	struct desc_ptr p;

	__asm__ volatile("sgdt %0" : "=m"(p));
	return p;
}

static inline struct desc_ptr read_idtr(void)
{
	struct desc_ptr p;

	__asm__ volatile("sidt %0" : "=m"(p));
	return p;
}

static inline uint16_t read_tr(void)
{
	uint16_t sel;

	__asm__ volatile("str %0" : "=r"(sel));
	return sel;
}

#define DEFINE_READ_SEG(name) \
	static inline uint16_t read_##name(void) \
	{ \
		uint16_t sel; \
		__asm__ volatile("mov %%" #name ", %0" : "=r"(sel)); \
		return sel; \
	}
DEFINE_READ_SEG(cs)
DEFINE_READ_SEG(ss)
DEFINE_READ_SEG(ds)
DEFINE_READ_SEG(es)
DEFINE_READ_SEG(fs)
DEFINE_READ_SEG(gs)
#undef DEFINE_READ_SEG

#endif
