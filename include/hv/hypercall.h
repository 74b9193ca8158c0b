/*
 * The hypercall ABI (docs/hypercalls.md), shared by hv and partitions.
 *
 * TLFS conventions: the guest writes HV_X64_MSR_GUEST_OS_ID, then enables
 * the hypercall page through HV_X64_MSR_HYPERCALL; hv fills that page
 * with VMCALL or VMMCALL followed by RET.  A call puts the input value in
 * RCX (call code, fast flag, rep count and start), the input and output
 * GPAs in RDX and R8, and gets the result value back in RAX (HV_STATUS in
 * bits 15:0, reps completed in bits 43:32).
 */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include <stdint.h>

/* Synthetic MSRs (TLFS). */
#define HV_X64_MSR_GUEST_OS_ID 0x40000000u
#define HV_X64_MSR_HYPERCALL 0x40000001u
#define HV_X64_MSR_VP_INDEX 0x40000002u
#define HV_X64_MSR_TSC_FREQUENCY 0x40000022u

#define HV_HYPERCALL_ENABLE (1ull << 0)
#define HV_HYPERCALL_LOCKED (1ull << 1)
#define HV_HYPERCALL_GPA_MASK (~0xfffull)

/* CPUID leaves presented to partitions. */
#define HV_CPUID_VENDOR 0x40000000u    /* EAX max leaf, EBX:ECX:EDX "Microsoft Hv" */
#define HV_CPUID_INTERFACE 0x40000001u /* EAX "Hv#1" */
#define HV_CPUID_VERSION 0x40000002u
#define HV_CPUID_FEATURES 0x40000003u
#define HV_CPUID_RECOMMENDATIONS 0x40000004u
#define HV_CPUID_LIMITS 0x40000005u
#define HV_CPUID_MAX_LEAF HV_CPUID_LIMITS
#define HV_CPUID_INTERFACE_HV1 0x31237648u /* "Hv#1" */
/* Benchmark only: answered by the backend's shortest exit path. */
#define HV_CPUID_BENCH_NULL 0x400000ffu

/* CPUID 0x40000003 EAX: partition privileges we grant (TLFS bit names). */
#define HV_ACCESS_HYPERCALL_MSRS (1u << 5)
#define HV_ACCESS_VP_INDEX (1u << 6)
#define HV_ACCESS_FREQUENCY_MSRS (1u << 11)
/* CPUID 0x40000003 EDX: features. */
#define HV_FEATURE_FREQUENCY_MSRS_AVAILABLE (1u << 8)

/* Input value (RCX). */
#define HV_HYPERCALL_CODE_MASK 0xffffull
#define HV_HYPERCALL_FAST (1ull << 16)
#define HV_HYPERCALL_REP_COUNT_SHIFT 32
#define HV_HYPERCALL_REP_START_SHIFT 48
#define HV_HYPERCALL_REP_MASK 0xfffull
/* Bits that must be zero in the input value (variable header size, nesting, reserved). */
#define HV_HYPERCALL_RSVD_MASK 0xf000f000fffe0000ull

/* HV_STATUS values (TLFS). */
#define HV_STATUS_SUCCESS 0x0000u
#define HV_STATUS_INVALID_HYPERCALL_CODE 0x0002u
#define HV_STATUS_INVALID_HYPERCALL_INPUT 0x0003u
#define HV_STATUS_INVALID_ALIGNMENT 0x0004u
#define HV_STATUS_INVALID_PARAMETER 0x0005u
#define HV_STATUS_ACCESS_DENIED 0x0006u
#define HV_STATUS_INVALID_PARTITION_STATE 0x0007u
#define HV_STATUS_OPERATION_DENIED 0x0008u
#define HV_STATUS_INSUFFICIENT_MEMORY 0x000bu
#define HV_STATUS_INVALID_PARTITION_ID 0x000du
#define HV_STATUS_INVALID_VP_INDEX 0x000eu

/*
 * Private calls of this hypervisor.  TLFS call codes never set bit 15,
 * so the range 0x8000-0x80ff cannot collide with a standard call.
 */
#define HVCALL_CONSOLE_WRITE 0x8001u /* input: struct hv_console_write */
#define HVCALL_SELF_INFO 0x8002u     /* output: struct hv_self_info */
/* Diagnostics: fast call, RDX = vector 32-255 to inject into the caller. */
#define HVCALL_TEST_INJECT 0x8003u

#define HV_CONSOLE_WRITE_MAX 1024u

struct hv_console_write {
	uint32_t length; /* bytes of text, at most HV_CONSOLE_WRITE_MAX */
	uint32_t reserved;
	char text[HV_CONSOLE_WRITE_MAX];
};

struct hv_self_info {
	uint32_t partition_id;
	uint32_t vp_index;
	uint32_t vp_count;
	uint32_t flags;          /* START_INFO_FLAG_* */
	uint64_t memory_size;
	char name[32];
};

#endif
