/*
 * Partitions: the unit of isolation.  Each owns whole CPUs (one vCPU per
 * CPU) and one contiguous block of host RAM mapped from GPA 0 by its own
 * stage-2 tables.  State changes are logged and reported to the root; a
 * fault stops only the partition that caused it.  The state machine is
 * partition_state.c, creation partition_create.c (partition_create.h),
 * the guest-physical layout partition_gpa.c, the run loop partition_run.c.
 */
#ifndef HV_PARTITION_H
#define HV_PARTITION_H

#include <hv/boot_info.h>
#include <hv/config_desc.h>
#include <lib/rate_limit.h>
#include <stdbool.h>
#include <stdint.h>

#include <core/spinlock.h>
#include <emul/exit.h>
#include <emul/guest_crash.h>
#include <mem/stage2.h>
#include <part/vcpu.h>
#include <plat/cmos_rtc.h>
#include <plat/uart16550.h>

/* Values match HV_PARTITION_* of the hypercall ABI. */
enum partition_state {
	PARTITION_OFF,
	PARTITION_STARTING,
	PARTITION_RUNNING,
	PARTITION_STOPPING,
	PARTITION_FAULTED,
};

#define PARTITION_FAULT_LEN 160u
#define PARTITION_CONSOLE_LEN 160u

/* Line buffer for what the partition writes to its console. */
struct partition_console {
	char line[PARTITION_CONSOLE_LEN];
	uint32_t used;
	uint8_t uart_lcr; /* emulated COM1 line control: DLAB routes 0x3f8 to the divisor */
	struct rate_limit rate; /* partition_console_admit; kept across restarts */
};

/*
 * What a partition's machine looks like beyond the CPU.  Our own kernels
 * (an ELF image) get start_info and a minimal platform: SynIC vectors
 * injected directly, COM1 transmit only.  A PC guest (a Linux bzImage)
 * gets the boot protocol, ACPI tables, a virtual x2APIC per vCPU,
 * synthetic timers and a 16550 (hv/plat/).
 */
/* Guest-physical RAM above this moves to PARTITION_MMIO_HOLE_END (4 GiB). */
#define PARTITION_MMIO_HOLE_START (3ull << 30)
#define PARTITION_MMIO_HOLE_END (4ull << 30)

enum partition_platform {
	PLATFORM_HV_KERNEL,
	PLATFORM_PC,
};

struct partition {
	uint32_t id;                          /* index in hv.cfg */
	const struct hvcfg_partition *cfg;
	const struct boot_image *image;       /* pristine image from the loader */
	enum partition_platform platform;
	volatile uint32_t state;              /* shared: enum partition_state */
	char fault_reason[PARTITION_FAULT_LEN];
	uint64_t ram_hpa;                     /* host-physical base of its RAM */
	uint64_t ram_size;
	struct stage2 stage2;
	uint32_t vp_count;
	uint64_t exits[EXIT_REASON_COUNT];    /* shared: updated atomically */
	uint32_t resets;                      /* restarts after a reset */
	bool guest_reset;                     /* running since the guest reset itself */
	struct rate_limit life_lines;         /* partition_life_line; kept across restarts */
	uint32_t starts;                      /* times it entered Running */
	uint64_t run_start;                   /* reference time it last entered Running */
	/* Partition-wide synthetic MSRs (TLFS): any vCPU writes, all see them. */
	uint64_t guest_os_id;                 /* HV_X64_MSR_GUEST_OS_ID value */
	uint64_t hypercall_msr;               /* HV_X64_MSR_HYPERCALL value */
	uint64_t reference_tsc;               /* HV_X64_MSR_REFERENCE_TSC value */
	uint32_t msr_refusals;                /* since the last start, for the log */
	struct guest_crash crash;             /* the guest's crash registers, this run */
	uint32_t aps_running;                 /* shared: APs between look and park */
	struct partition_console console;
	struct spinlock com1_lock;            /* PC platform: its vCPUs share COM1 */
	struct uart_port com1;
	struct cmos_rtc rtc;                  /* PC platform, under com1_lock */
};

extern struct partition partitions[HVCFG_MAX_PARTITIONS];
extern uint32_t partition_count;

/* The partition owning physical CPU `cpu`, or NULL. */
struct partition *partition_of_cpu(uint32_t cpu);

/* The vCPU with index vp of p. */
struct vcpu *partition_vcpu(const struct partition *p, uint32_t vp);

/* What a CPU does for its partition from start-up on; never returns. */
__attribute__((noreturn)) void partition_cpu_run(struct partition *p, uint32_t cpu,
						 struct page_pool *pool);

/* Marks p Faulted with the reason and logs it; the caller parks its vCPU. */
void partition_fault(struct partition *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Changes state from whatever it is, logs it and tells the root; cause is
 * an HV_EVENT_* value.  For creation and faults: every other change below
 * applies only from the states it names.
 */
void partition_set_state(struct partition *p, enum partition_state state, uint32_t cause);
const char *partition_state_name(uint32_t state);

/*
 * vCPU 0 has prepared a start: Starting -> Running, counted in `starts`
 * before Running shows.  False (nothing changes, the caller must not run
 * the guest) when the state moved on meanwhile, e.g. the root stopped
 * the partition while it was prepared.
 */
bool partition_started(struct partition *p);

/*
 * Its vCPUs have parked after a stop request: Stopping -> Off, logged and
 * told to the root, unless the state moved on meanwhile.
 */
void partition_settle_stop(struct partition *p);

/*
 * The partition turned itself off (e.g. ACPI S5): Running -> Off; the
 * caller parks its vCPU.  In any other state (the root stopped or reset
 * it, another vCPU faulted) nothing changes: the root's request wins.
 */
void partition_power_off(struct partition *p, const char *how);

/*
 * The partition asked for a reset: Running -> Starting, and it restarts
 * from a fresh copy of its image once the caller has parked its vCPU.
 * In any other state nothing changes, as for power-off.
 */
void partition_request_reset(struct partition *p, const char *how);
/*
 * Whether a life-cycle line about p (a state change, a stopped vCPU and
 * its exit counters) may be logged.  Always, unless p is starting or
 * running again because the guest reset itself: a guest that resets in a
 * loop may log PARTITION_LIFE_BURST such lines at once and
 * PARTITION_LIFE_PER_S a second after that; the first line after a gap
 * says how many were dropped.  Faults and power-off are always logged.
 */
#define PARTITION_LIFE_BURST 30u
#define PARTITION_LIFE_PER_S 2u
bool partition_life_line(struct partition *p);

/* The root's life-cycle requests; each returns an HV_STATUS. */
uint16_t partition_root_start(struct partition *p);
uint16_t partition_root_stop(struct partition *p);
uint16_t partition_root_reset(struct partition *p);

/* Host address of guest-physical [gpa, gpa + len) when it lies in the RAM, else NULL. */
void *partition_gpa_to_host(struct partition *p, uint64_t gpa, uint64_t len);

/* Appends guest console output; complete lines go to hv's console. */
void partition_console_write(struct partition *p, const char *s, uint64_t len);

/*
 * A guest's lines share hv's one UART with everyone: each partition may
 * log PARTITION_CONSOLE_BURST lines at once and PARTITION_CONSOLE_PER_S a
 * second after that (a Linux boot logs about 600); lines beyond are
 * dropped and counted.  True if a line may go out at reference time now.
 */
#define PARTITION_CONSOLE_BURST 2000u
#define PARTITION_CONSOLE_PER_S 50u
bool partition_console_admit(struct partition_console *c, uint64_t now);

#endif
