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
#define HV_X64_MSR_TIME_REF_COUNT 0x40000020u
#define HV_X64_MSR_REFERENCE_TSC 0x40000021u
#define HV_X64_MSR_TSC_FREQUENCY 0x40000022u
#define HV_X64_MSR_APIC_FREQUENCY 0x40000023u
#define HV_X64_MSR_VP_ASSIST_PAGE 0x40000073u

/* Synthetic interrupt controller (TLFS "Virtual Interrupt Controller"). */
#define HV_X64_MSR_SCONTROL 0x40000080u
#define HV_X64_MSR_SVERSION 0x40000081u
#define HV_X64_MSR_SIEFP 0x40000082u
#define HV_X64_MSR_SIMP 0x40000083u
#define HV_X64_MSR_EOM 0x40000084u
#define HV_X64_MSR_SINT0 0x40000090u
#define HV_X64_MSR_SINT15 0x4000009fu
#define HV_SYNIC_SINT_COUNT 16u
#define HV_SYNIC_ENABLE (1ull << 0)
#define HV_SYNIC_SINT_VECTOR_MASK 0xffull
#define HV_SYNIC_SINT_MASKED (1ull << 16)
#define HV_SYNIC_SINT_AUTO_EOI (1ull << 17)
#define HV_SYNIC_VERSION 1u

/*
 * A SynIC message: the SIMP page holds one 256-byte slot per SINT.  hv
 * fills the payload and header, then stores message_type last (release);
 * the guest handles the slot, stores message_type = HV_MESSAGE_NONE, and
 * only then (after a full barrier) reads message_flags: if
 * HV_MESSAGE_FLAG_PENDING is set it writes HV_X64_MSR_EOM so hv delivers
 * the next queued message.  `sender` is the id of the sending partition.
 */
#define HV_MESSAGE_NONE 0u
#define HV_MESSAGE_PAYLOAD_SIZE 240u
#define HV_MESSAGE_FLAG_PENDING 1u

struct hv_message {
	volatile uint32_t message_type;
	uint8_t payload_size;
	volatile uint8_t message_flags;
	uint8_t reserved[2];
	uint64_t sender;
	uint8_t payload[HV_MESSAGE_PAYLOAD_SIZE];
};

_Static_assert(sizeof(struct hv_message) == 256, "SynIC message slot");

/* SIEFP: 2048 event flags (256 bytes) per SINT. */
#define HV_EVENT_FLAGS_PER_SINT 2048u

/* HvPostMessage input (TLFS): message types with bit 31 set are hv's own. */
struct hv_post_message {
	uint32_t connection_id;
	uint32_t reserved;
	uint32_t message_type;
	uint32_t payload_size;
	uint8_t payload[HV_MESSAGE_PAYLOAD_SIZE];
};

/*
 * Reference TSC page (TLFS 12.7): reference time in 100 ns units =
 * ((TSC * tsc_scale) >> 64) + tsc_offset.  A sequence of 0 means "use the
 * reference counter MSR instead"; readers retry while it changes.
 */
struct hv_reference_tsc_page {
	volatile uint32_t tsc_sequence;
	uint32_t reserved1;
	volatile uint64_t tsc_scale;
	volatile int64_t tsc_offset;
};

#define HV_HYPERCALL_ENABLE (1ull << 0)
#define HV_HYPERCALL_LOCKED (1ull << 1)
#define HV_HYPERCALL_GPA_MASK (~0xfffull)
#define HV_REFERENCE_TSC_ENABLE (1ull << 0)

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
#define HV_ACCESS_PARTITION_REFERENCE_COUNTER (1u << 1)
#define HV_ACCESS_SYNIC_REGS (1u << 2)
#define HV_ACCESS_SYNTHETIC_TIMERS (1u << 3)
#define HV_ACCESS_HYPERCALL_MSRS (1u << 5)
#define HV_ACCESS_VP_INDEX (1u << 6)
#define HV_ACCESS_PARTITION_REFERENCE_TSC (1u << 9)
#define HV_ACCESS_FREQUENCY_MSRS (1u << 11)
/* CPUID 0x40000003 EBX: partition flags we grant. */
#define HV_FLAG_POST_MESSAGES (1u << 4)
#define HV_FLAG_SIGNAL_EVENTS (1u << 5)
/* CPUID 0x40000003 EDX: features. */
#define HV_FEATURE_FREQUENCY_MSRS_AVAILABLE (1u << 8)
#define HV_FEATURE_GUEST_CRASH_MSRS_AVAILABLE (1u << 10)
#define HV_FEATURE_STIMER_DIRECT_MODE (1u << 19)

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
#define HV_STATUS_INVALID_CONNECTION_ID 0x0012u
#define HV_STATUS_INSUFFICIENT_BUFFERS 0x0013u

/* Standard TLFS calls. */
#define HVCALL_POST_MESSAGE 0x005cu  /* input: struct hv_post_message */
#define HVCALL_SIGNAL_EVENT 0x005du  /* fast: RDX = connection id | flag number << 32 */

/*
 * Private calls of this hypervisor.  TLFS call codes never set bit 15,
 * so the range 0x8000-0x80ff cannot collide with a standard call.
 */
#define HVCALL_CONSOLE_WRITE 0x8001u /* input: struct hv_console_write */
#define HVCALL_SELF_INFO 0x8002u     /* output: struct hv_self_info */
/* Diagnostics: fast call, RDX = vector 32-255 to inject into the caller. */
#define HVCALL_TEST_INJECT 0x8003u
/* The caller's own media (any partition): output struct hv_media_info; not fast. */
#define HVCALL_MEDIA_QUERY 0x8004u

#define HV_CONSOLE_WRITE_MAX 1024u

/*
 * Root-only partition management (docs/hypercalls.md).  Any other caller
 * gets HV_STATUS_ACCESS_DENIED.  Partition ids are hv.cfg's order.
 */
#define HVCALL_PARTITION_LIST 0x8010u   /* output: struct hv_partition_list */
#define HVCALL_PARTITION_STATUS 0x8011u /* input: struct hv_partition_ref; output: struct hv_partition_status */
#define HVCALL_PARTITION_START 0x8012u  /* fast: RDX = id; Off or Faulted -> Starting */
#define HVCALL_PARTITION_STOP 0x8013u   /* fast: RDX = id; forced turn-off -> Off */
#define HVCALL_PARTITION_RESET 0x8014u  /* fast: RDX = id; restart from a fresh image */
#define HVCALL_EVENT_RING_SET 0x8015u   /* fast: RDX = ring GPA (page), R8 = vector */
#define HVCALL_HV_INFO 0x8016u          /* output: struct hv_info */
/* output: struct hv_mgmt_config (hv/mgmtcfg.h), hv.cfg's [management] and [token] sections */
#define HVCALL_MGMT_CONFIG 0x8017u
/* fast: RDX = guest id, R8 = HV_MEDIA_*; kept across the guest's restarts until ejected */
#define HVCALL_MEDIA_ATTACH 0x8018u
/* input: struct hv_mgmt_file_read; output: struct hv_mgmt_file_chunk (hv.cfg's TLS files) */
#define HVCALL_MGMT_FILE 0x8019u
#define HVCALL_CONNECTION_CREATE 0x8020u /* input: struct hv_connection */
#define HVCALL_CONNECTION_DELETE 0x8021u /* input: struct hv_connection (id, source) */
#define HVCALL_MAP_GUEST_PAGES 0x8022u   /* input: struct hv_map_guest_pages */
#define HVCALL_UNMAP_GUEST_PAGES 0x8023u /* input: struct hv_map_guest_pages (count, root_gpa) */

/*
 * A connection: the route hv gives HvPostMessage / HvSignalEvent calls.
 * A partition that posts or signals on connection_id reaches SINT
 * target_sint of vCPU target_vp of target_partition; for an event
 * connection, flag (base_flag + the caller's flag number) is set in the
 * target's SIEFP, and the caller's flag number must be below flag_count
 * (at least 1; base_flag + flag_count at most 2048), so a partition sets
 * no flag beyond its own.  A message connection has flag_count 0.  Only
 * the root creates connections, for any source.
 */
#define HV_CONNECTION_MESSAGE 0u
#define HV_CONNECTION_EVENT 1u

struct hv_connection {
	uint32_t connection_id;
	uint32_t source_partition;
	uint32_t target_partition;
	uint32_t target_vp;
	uint8_t target_sint;
	uint8_t type;            /* HV_CONNECTION_* */
	uint16_t base_flag;
	uint16_t flag_count;     /* event: flags the caller may name, from 0 */
	uint16_t reserved;
};

/*
 * Maps pages of a guest's RAM into the root's guest-physical space at
 * root_gpa (which must lie in the window below, outside the root's RAM),
 * so the root can reach ring buffers the guest shared with it.
 */
/*
 * 256 GiB: below 2^39, so the root can page it on every test host (QEMU
 * 7.2 TCG has 40 physical address bits, which makes 1 TiB unreachable).
 */
#define HV_ROOT_MAP_WINDOW_BASE (1ull << 38)  /* 256 GiB */
#define HV_ROOT_MAP_WINDOW_SIZE (1ull << 36)  /* 64 GiB */
#define HV_MAP_MAX_PAGES 480u

struct hv_map_guest_pages {
	uint32_t partition;
	uint32_t count;
	uint64_t root_gpa;
	uint64_t guest_gpa[HV_MAP_MAX_PAGES];
};

/* Partition states as the ABI reports them. */
#define HV_PARTITION_OFF 0u
#define HV_PARTITION_STARTING 1u
#define HV_PARTITION_RUNNING 2u
#define HV_PARTITION_STOPPING 3u
#define HV_PARTITION_FAULTED 4u

#define HV_MAX_PARTITIONS 16u
#define HV_NAME_LEN 32u
#define HV_EXIT_COUNTERS 24u  /* exit reasons reported (hv/emul/exit.h order) */
#define HV_FAULT_REASON_LEN 160u

struct hv_partition_entry {
	uint32_t id;
	uint32_t state;       /* HV_PARTITION_* */
	uint32_t vp_count;
	uint32_t flags;       /* START_INFO_FLAG_ROOT for the root */
	uint64_t memory_size;
	char name[HV_NAME_LEN];
};

struct hv_partition_list {
	uint32_t count;
	uint32_t reserved;
	struct hv_partition_entry entries[HV_MAX_PARTITIONS];
};

struct hv_partition_ref {
	uint32_t id;
	uint32_t reserved;
};

struct hv_partition_status {
	struct hv_partition_entry entry;
	uint32_t resets;      /* restarts since hv started */
	uint32_t starts;      /* times it entered Running */
	uint64_t uptime;      /* 100 ns units in the current run, 0 when not running */
	uint64_t stage2_bytes;
	uint64_t exits[HV_EXIT_COUNTERS];
	char fault_reason[HV_FAULT_REASON_LEN];
};

struct hv_info {
	uint64_t pool_free_pages;   /* hv's own page pool */
	uint64_t pool_total_pages;
	uint64_t ram_free_bytes;    /* host RAM not given to any partition */
	uint32_t partition_count;
	uint32_t cpu_count;
	uint64_t hv_image_bytes;
	uint64_t tsc_hz;
};

/*
 * State-change event ring, in one page of the root's RAM.  hv is the only
 * producer, the root the only consumer.  hv writes the event at
 * events[write_index % HV_EVENT_RING_SIZE], then (release) increments
 * write_index, then injects the registered vector into the root's first
 * vCPU.  The root reads events up to write_index (acquire) and then
 * stores read_index.  When write_index - read_index == HV_EVENT_RING_SIZE
 * the ring is full: hv drops the event and increments `dropped`.
 */
#define HV_EVENT_RING_SIZE 160u

/* Why a partition changed state. */
#define HV_EVENT_CREATED 0u        /* at start-up */
#define HV_EVENT_STARTED 1u        /* began running */
#define HV_EVENT_GUEST_POWEROFF 2u /* ACPI S5 */
#define HV_EVENT_GUEST_RESET 3u    /* reset port, keyboard controller */
#define HV_EVENT_FAULTED 4u
#define HV_EVENT_ROOT_START 5u     /* HVCALL_PARTITION_START */
#define HV_EVENT_ROOT_STOP 6u      /* HVCALL_PARTITION_STOP */
#define HV_EVENT_ROOT_RESET 7u     /* HVCALL_PARTITION_RESET */
#define HV_EVENT_STOPPED 8u        /* its vCPUs have parked */

struct hv_event {
	uint32_t partition_id;
	uint32_t state;          /* HV_PARTITION_*, after the change */
	uint32_t previous_state;
	uint32_t cause;          /* HV_EVENT_* */
	uint64_t time;           /* reference time, 100 ns units */
};

struct hv_event_ring {
	volatile uint32_t write_index;
	volatile uint32_t read_index;
	volatile uint32_t dropped;
	uint32_t reserved;
	struct hv_event events[HV_EVENT_RING_SIZE];
};

_Static_assert(sizeof(struct hv_event_ring) <= 4096, "event ring fits one page");

struct hv_console_write {
	uint32_t length; /* bytes of text, at most HV_CONSOLE_WRITE_MAX */
	uint32_t reserved;
	char text[HV_CONSOLE_WRITE_MAX];
};

/*
 * Media: the analogue of a disc in the partition's drive, which its
 * kernel polls for (HVCALL_MEDIA_QUERY); the root inserts and ejects it
 * (HVCALL_MEDIA_ATTACH).  The only medium so far is the guest additions.
 */
#define HV_MEDIA_NONE 0u       /* nothing attached (ATTACH: eject) */
#define HV_MEDIA_ADDITIONS 1u  /* the guest additions disc */

/* HVCALL_MEDIA_QUERY output, 8 bytes at R8 (8-byte aligned, in the caller's RAM). */
struct hv_media_info {
	uint32_t media;          /* HV_MEDIA_* */
	uint32_t reserved;       /* 0 */
};

/*
 * HVCALL_MGMT_FILE: a file [management] names (enum hv_mgmt_file in
 * hv/mgmtcfg.h), as the loader read it from the ESP, one page at a time:
 * the call copies up to HV_MGMT_CHUNK bytes from `offset` and says the
 * file's size (0 with length 0: hv.cfg names no such file).  An offset
 * beyond the end gives length 0.
 */
#define HV_MGMT_CHUNK 4080u
struct hv_mgmt_file_read {
	uint32_t file;           /* HV_MGMT_FILE_* */
	uint32_t reserved;       /* 0 */
	uint64_t offset;
};

struct hv_mgmt_file_chunk {
	uint64_t size;           /* the whole file, bytes */
	uint32_t length;         /* bytes in data */
	uint32_t reserved;
	uint8_t data[HV_MGMT_CHUNK];
};
_Static_assert(sizeof(struct hv_mgmt_file_chunk) == 4096, "one page");

_Static_assert(sizeof(struct hv_media_info) == 8, "media info");

struct hv_self_info {
	uint32_t partition_id;
	uint32_t vp_index;
	uint32_t vp_count;
	uint32_t flags;          /* START_INFO_FLAG_* */
	uint64_t memory_size;
	char name[32];
};

#endif
