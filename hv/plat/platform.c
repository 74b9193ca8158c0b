/*
 * The PC platform glue (platform.h): connects the vCPU's virtual x2APIC
 * and synthetic timers and the partition's COM1 to hv's exits, IPIs and
 * physical timer.  Every function here runs on the CPU that owns the
 * vCPU, except what vcpu_raise_interrupt() does for other CPUs.
 */
#include <plat/platform.h>

#include <core/apic.h>
#include <core/console.h>
#include <core/kick.h>
#include <core/timer.h>
#include <core/vendor.h>
#include <part/partition.h>
#include <plat/reftime.h>

#include <arch/x86.h>

#define COM1_BASE 0x3f8u
#define COM1_PORTS 8u
#define REFTIME_HZ 10000000ull /* reference time counts 100 ns units */
/*
 * AMD's interrupt-pending-message MSR: Linux reads it without a fault
 * handler on CPUs with erratum 400 (QEMU TCG's family 0xf model) to see
 * whether C1E is active.  It reads 0 here: no C1E.
 */
#define MSR_AMD_INT_PENDING_MSG 0xc0010055u
/*
 * The microcode update signature: Linux writes 0 to it and then reads the
 * loaded revision, without a fault handler, on Intel CPUs.  No microcode
 * is loaded here: writes vanish, reads say revision 0.
 */
#define MSR_UCODE_REV 0x8bu

/* TSC ticks per reference-time unit, 32.32 fixed point (set by the first reset). */
static uint64_t tsc_per_ref_q32;

static bool is_pc(const struct vcpu *v)
{
	return v->partition->platform == PLATFORM_PC;
}

void platform_vcpu_reset(struct vcpu *v)
{
	struct partition *p = v->partition;

	if (tsc_per_ref_q32 == 0)
		tsc_per_ref_q32 = (timer_tsc_hz() << 32) / REFTIME_HZ;
	vapic_init(&v->vapic, v->vp_index, v->vp_index == 0, PLATFORM_APIC_HZ, timer_tsc_hz());
	stimer_init(&v->stimers);
	v->timer_armed = VAPIC_NO_DEADLINE;
	if (v->vp_index == 0) {
		spin_lock(&p->com1_lock);
		uart_port_init(&p->com1);
		spin_unlock(&p->com1_lock);
	}
}

/*
 * INIT and start-up IPIs start an application processor once per run of
 * its partition (partition_run.c parks it again); an INIT to a running
 * vCPU or to vCPU 0 is not emulated and ignored.
 */
static void deliver_init(struct vcpu *to)
{
	uint32_t expected = AP_WAIT_INIT;

	if (to->vp_index != 0 &&
	    (__atomic_compare_exchange_n(&to->ap_state, &expected, AP_WAIT_SIPI, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) ||
	     expected == AP_WAIT_SIPI))
		return;
	log_warn("partition %s: INIT to vCPU %u, which is running; ignored",
		 to->partition->cfg->name, to->vp_index);
}

static void deliver_startup(struct vcpu *to, uint8_t page)
{
	if (__atomic_load_n(&to->ap_state, __ATOMIC_ACQUIRE) != AP_WAIT_SIPI)
		return; /* the SDM: a start-up IPI without INIT before it is ignored */
	to->sipi_page = page;
	__atomic_store_n(&to->ap_state, AP_STARTING, __ATOMIC_RELEASE);
	cpu_kick(to->cpu);
}

/* One IPI to one vCPU of the sender's partition. */
static void deliver_ipi(struct vcpu *to, const struct vapic_ipi *ipi)
{
	switch (ipi->delivery) {
	case VAPIC_DM_FIXED:
	case VAPIC_DM_LOWEST:
		vcpu_raise_interrupt(to, ipi->vector);
		break;
	case VAPIC_DM_INIT:
		deliver_init(to);
		break;
	case VAPIC_DM_SIPI:
		deliver_startup(to, ipi->vector);
		break;
	default:
		log_warn("partition %s: vCPU %u sent an IPI with delivery mode %u to vCPU %u; "
			 "ignored", to->partition->cfg->name, ipi->source, ipi->delivery,
			 to->vp_index);
		break;
	}
}

/* Routes an IPI to the matching vCPUs of the sender's own partition, never beyond. */
static void route_ipi(struct vcpu *from, const struct vapic_ipi *ipi)
{
	struct partition *p = from->partition;

	for (uint32_t i = 0; i < p->vp_count; i++) {
		struct vcpu *to = partition_vcpu(p, i);

		if (!vapic_ipi_matches(ipi, to->vp_index))
			continue;
		deliver_ipi(to, ipi);
		if (ipi->delivery == VAPIC_DM_LOWEST)
			break;
	}
}

int platform_msr_read(struct vcpu *v, uint32_t msr, uint64_t *value)
{
	if (!is_pc(v))
		return 1;
	if (vapic_msr_claims(msr))
		return vapic_msr_read(&v->vapic, msr, rdtsc(), value) == VAPIC_OK ? 0 : -1;
	if (stimer_msr_claims(msr))
		return stimer_msr_read(&v->stimers, msr, value) ? 0 : -1;
	if (msr == MSR_AMD_INT_PENDING_MSG || msr == MSR_UCODE_REV) {
		*value = 0;
		return 0;
	}
	return 1;
}

int platform_msr_write(struct vcpu *v, uint32_t msr, uint64_t value)
{
	struct vapic_effect effect;

	if (!is_pc(v))
		return 1;
	if (vapic_msr_claims(msr)) {
		if (vapic_msr_write(&v->vapic, msr, value, rdtsc(), &effect) != VAPIC_OK)
			return -1;
		if (effect.ipi_valid)
			route_ipi(v, &effect.ipi);
		return 0;
	}
	if (stimer_msr_claims(msr))
		return stimer_msr_write(&v->stimers, msr, value, reftime_now()) ? 0 : -1;
	if (msr == MSR_UCODE_REV)
		return 0;
	return 1;
}

/* Raises what is due: the APIC timer's vector, direct-mode synthetic timers. */
static void tick(struct vcpu *v)
{
	struct stimer_expiry due[STIMER_COUNT];
	uint32_t count;

	vapic_timer_tick(&v->vapic, rdtsc());
	count = stimer_tick(&v->stimers, reftime_now(), due);
	for (uint32_t i = 0; i < count; i++) {
		if (due[i].direct)
			vapic_accept_interrupt(&v->vapic, due[i].vector);
		else
			log_warn("partition %s: synthetic timer %u in message mode is not "
				 "supported; expiry dropped", v->partition->cfg->name,
				 due[i].timer);
	}
}

/* The next virtual deadline of v on the TSC, or VAPIC_NO_DEADLINE. */
static uint64_t next_deadline(const struct vcpu *v)
{
	uint64_t deadline = vapic_timer_deadline(&v->vapic);
	uint64_t ref_deadline = stimer_deadline(&v->stimers), ref_now, tsc;

	if (ref_deadline == STIMER_NO_DEADLINE)
		return deadline;
	ref_now = reftime_now();
	tsc = rdtsc();
	if (ref_deadline > ref_now)
		tsc += (uint64_t)(((unsigned __int128)(ref_deadline - ref_now) * tsc_per_ref_q32) >>
				  32) + 1;
	return tsc < deadline ? tsc : deadline;
}

void platform_before_entry(struct vcpu *v)
{
	uint64_t deadline;

	if (!is_pc(v))
		return;
	tick(v);
	deadline = next_deadline(v);
	if (deadline == v->timer_armed)
		return;
	if (deadline == VAPIC_NO_DEADLINE)
		apic_timer_disarm();
	else
		apic_timer_arm(deadline);
	v->timer_armed = deadline;
}

void platform_interrupted(struct vcpu *v)
{
	v->timer_armed = VAPIC_NO_DEADLINE;
}

/* Something the halted guest must see: a deliverable interrupt, a kick, a state change. */
static bool halt_ends(struct vcpu *v)
{
	struct vcpu_state state;

	if (__atomic_load_n(&v->partition->state, __ATOMIC_ACQUIRE) != PARTITION_RUNNING ||
	    cpu_kick_pending(v->cpu))
		return true;
	if (vapic_pending_vector(&v->vapic) == 0)
		return false;
	vendor->get_state(v, &state);
	return (state.rflags & RFLAGS_IF) != 0; /* with IF = 0 only an NMI ends HLT */
}

/*
 * HLT on the PC platform: the vCPU waits in host mode with this CPU's
 * interrupts open, so its timer, a wake-up IPI (an interrupt or IPI for
 * it) or a kick ends the wait; STI's shadow closes the window between
 * the last look and HLT for interrupts, cpu_kick_wait's window for the
 * kick's NMI.  The guest then resumes after its HLT.
 */
enum exit_action platform_halt(struct vcpu *v)
{
	for (;;) {
		platform_before_entry(v);
		if (halt_ends(v))
			return ACTION_NEXT;
		cpu_kick_wait(v->cpu, true); /* a kick's NMI before the HLT skips it */
		platform_interrupted(v);
	}
}

static void uart_io(struct partition *p, uint16_t port, bool in, uint8_t *value)
{
	uint8_t sent;
	bool transmitted = false;

	if (in)
		*value = uart_port_read(&p->com1, (uint8_t)(port - COM1_BASE));
	else
		transmitted = uart_port_write(&p->com1, (uint8_t)(port - COM1_BASE), *value, &sent);
	if (transmitted)
		partition_console_write(p, (const char *)&sent, 1);
}

bool platform_port_io(struct vcpu *v, uint16_t port, bool in, uint8_t *value)
{
	struct partition *p = v->partition;
	bool uart = port >= COM1_BASE && port < COM1_BASE + COM1_PORTS;
	bool rtc = port == CMOS_RTC_INDEX_PORT || port == CMOS_RTC_DATA_PORT;

	if (!is_pc(v) || (!uart && !rtc))
		return false;
	spin_lock(&p->com1_lock);
	if (uart)
		uart_io(p, port, in, value);
	else if (in)
		*value = cmos_rtc_read(&p->rtc, port);
	else
		cmos_rtc_write(&p->rtc, port, *value);
	spin_unlock(&p->com1_lock);
	return true;
}
