/*
 * testos's side of the guest additions (guest/additions/os.h) and the
 * simulated machine the integration services report on: logged-on users,
 * a locked screen, a wall clock, a small command set for Exec.
 *
 * Knobs: additions            start the bus client and answer the root
 *        locked               the screen is locked: unforced shutdowns and
 *                             log-offs are refused (MACHINE_LOCKED)
 *        ignore_shutdown      answer shutdown requests, then do nothing (later
 *                             ones are answered SHUTDOWN_IN_PROGRESS)
 *        version_ex           also report a Windows guest's KVP items (CSDVersion,
 *                             ServicePackMajor/Minor, SuiteMask, ProductType,
 *                             OSPlatformId), as Windows Server 2008 R2 SP1 would
 *        hang_after=<s>       stop answering (spin with interrupts off) after s seconds
 *        clock_offset=<s>     start the wall clock s seconds ahead of the root's
 *                             host time; TimeSync's SYNC must correct it
 *        bus_corrupt_ring     after the first heartbeat, corrupt the heartbeat
 *                             channel's guest->root write_index and signal
 *        bus_malformed        after the first heartbeat, send a packet too
 *                             short for an IC message on that channel
 *        bus_silent           never answer the root's IC NEGOTIATE
 *        bus_flood            after the first heartbeat, 6 s of HvSignalEvent on
 *                             the heartbeat channel, then 6 s of HvPostMessage
 *                             (MODIFYCHANNEL) as fast as possible; logs what hv said
 *        bus_oversized        after the first heartbeat, a heartbeat packet whose
 *                             length exceeds the ring, a 9000-byte kvp packet
 *        bus_foreign_flags    after the first heartbeat, HvSignalEvent on the
 *                             heartbeat channel naming flags 128, 256, ... (the
 *                             root's numbering gives the next guests' flags there);
 *                             logs what hv said
 *        bus_short            after the first heartbeat, packets shorter than their
 *                             descriptor or with a payload offset outside it, on
 *                             heartbeat, kvp, sessions and exec (one variant each)
 */
#include "testos.h"

#include "additions.h"
#include "os.h"
#include "vmbus_ic.h"
#include "vmbus_ic_util.h"
#include "vmbus_sessions.h"

#include <kernel/canary.h>
#include <kernel/cmdline.h>
#include <kernel/console.h>
#include <kernel/hypercall.h>
#include <kernel/interrupts.h>
#include <kernel/power.h>
#include <kernel/probe.h>
#include <kernel/reftime.h>
#include <kernel/synic.h>
#include <kernel/time.h>
#include <lib/format.h>
#include <lib/string.h>

#define POOL_PAGES 64u
#define SINT_VECTOR 0x52u

static uint8_t pool[POOL_PAGES][4096] __attribute__((aligned(4096)));
static uint32_t pool_used;
static char partition_name[64] = "testos";
static bool sim_locked, sim_ignore_shutdown, sim_version_ex;
static bool sim_shutting_down;  /* a shutdown was accepted (and ignored) */

static struct {
	uint32_t id;
	bool on;
	const char *name;
} sim_users[] = { { 1, true, "alice" }, { 2, true, "bob" } };
#define SIM_USERS (sizeof(sim_users) / sizeof(sim_users[0]))

/* Wall clock: 100 ns units since 1601 at boot-relative millisecond clock_base_ms. */
static uint64_t clock_base, clock_base_ms;
static bool clock_set;
/* The root's host time is this date plus reference time (mgmt/bus/bus_ic.c). */
#define HOST_EPOCH_UNIX 1767225600ull /* 2026-01-01 00:00:00 UTC */

void *os_alloc_pages(size_t n)
{
	void *p;

	if (n > POOL_PAGES - pool_used)
		return NULL;
	p = pool[pool_used];
	pool_used += (uint32_t)n;
	memset(p, 0, n * 4096u);
	return p;
}

uint64_t os_gpa(const void *p)
{
	return hv_gpa(p);
}

uint64_t os_time_ms(void)
{
	return tsc_to_ms(tsc_read());
}

void os_log(const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	kprintf("testos: %s\n", line);
}

static void sint_interrupt(struct trap_frame *frame)
{
	(void)frame;  /* polled: the interrupt only wakes a halted CPU */
}

bool os_synic_init(uint8_t sint)
{
	interrupt_set_handler(SINT_VECTOR, sint_interrupt);
	if (!hv_hypercall_ready() && !hv_hypercall_enable())
		return false;
	return synic_enable() && synic_sint_route(sint, SINT_VECTOR);
}

bool os_synic_peek(uint8_t sint, void *buf)
{
	volatile struct hv_message *m = synic_message_slot(sint);

	if (__atomic_load_n(&m->message_type, __ATOMIC_ACQUIRE) == HV_MESSAGE_NONE)
		return false;
	memcpy(buf, (const void *)m, sizeof(*m));
	return true;
}

void os_synic_done(uint8_t sint)
{
	synic_message_done(sint);
}

bool os_synic_event(uint8_t sint, uint32_t n)
{
	return synic_event_test_and_clear(sint, n);
}

uint16_t os_post_message(uint32_t conn_id, uint32_t type, const void *payload, uint32_t len)
{
	return synic_post_message(conn_id, type, payload, len);
}

uint16_t os_signal_event(uint32_t conn_id)
{
	return synic_signal_event(conn_id, 0);
}

uint16_t os_signal_event_flag(uint32_t conn_id, uint16_t flag)
{
	return synic_signal_event(conn_id, flag);
}

const char *os_computer_name(void)
{
	return partition_name;
}

const char *os_name(void)
{
	return "testos";
}

const char *os_version(void)
{
	return "0.1";
}

/* Only with the version_ex knob: the items a Windows Server 2008 R2 SP1 guest reports. */
const struct os_version_ex *os_version_ex(void)
{
	static const struct os_version_ex windows_like = {
		.csd_version = "Service Pack 1", .sp_major = 1, .sp_minor = 0,
		.suite_mask = 0x112, .product_type = 3, .platform_id = 2,
	};

	return sim_version_ex ? &windows_like : NULL;
}

uint32_t os_shutdown_check(uint32_t action, bool force)
{
	if (action == IC_SHUTDOWN_HIBERNATE)
		return IC_E_NOT_SUPPORTED;
	if (sim_shutting_down)
		return IC_E_SHUTDOWN_IN_PROGRESS;
	if (sim_locked && !force)
		return IC_E_MACHINE_LOCKED;
	return IC_S_OK;
}

void os_shutdown_do(uint32_t action)
{
	sim_shutting_down = true;
	if (sim_ignore_shutdown) {
		kputs("testos: ignoring the shutdown request\n");
		return;
	}
	delay_ms(100);  /* let the root read the answer first */
	if (action == IC_SHUTDOWN_REBOOT) {
		kputs("testos: rebooting\n");
		power_reset();
	} else {
		kputs("testos: powering off\n");
		power_off();
	}
	kputs("testos: FAIL power transition returned\n");
}

/* Reference time now (100 ns), 0 when the MSR is unavailable. */
static uint64_t ref_now(void)
{
	uint64_t t;

	return reftime_read_msr(&t) == PROBE_OK ? t : 0;
}

/* The host's time now: its sample t plus the sample's age on the reference clock. */
static uint64_t host_now(uint64_t t, uint64_t ref_time)
{
	uint64_t now = ref_time != 0 ? ref_now() : 0;

	return ref_time != 0 && now >= ref_time ? t + (now - ref_time) : t;
}

static uint64_t clock_now(void)
{
	return clock_base + (os_time_ms() - clock_base_ms) * 10000u;
}

/*
 * After a SYNC: our clock minus the host's, measured against reference
 * time at once.  Our clock runs on our own TSC calibration, reference time
 * on hv's; under emulation the two may differ by several percent, so the
 * measurement must not wait out a console line first, or it would report
 * that drift over the line's printing rather than the sync.
 */
static int64_t clock_offset_us(uint64_t t, uint64_t ref_time)
{
	return (int64_t)(clock_now() - host_now(t, ref_time)) / 10;
}

void os_clock_set(uint64_t sample, uint64_t ref_time, bool step)
{
	uint64_t t, now;

	if (sample < IC_TIME_UNIX_EPOCH)
		return;
	t = host_now(sample, ref_time);
	now = os_time_ms();
	if (step || !clock_set) {
		int64_t off;

		clock_base = t;
		clock_base_ms = now;
		off = clock_offset_us(sample, ref_time);
		kprintf("testos: wall clock set to %lu s since 1970\n",
			(unsigned long)((t - IC_TIME_UNIX_EPOCH) / 10000000u));
		clock_set = true;
		if (step && ref_time != 0)
			kprintf("testos: clock synced, off by %ld us\n", (long)off);
		return;
	}
	/* Sample: move halfway towards the host's time. */
	{
		uint64_t ours = clock_base + (now - clock_base_ms) * 10000u;
		int64_t diff = (int64_t)(t - ours);

		clock_base = ours + (uint64_t)(diff / 2);
		clock_base_ms = now;
	}
}

uint32_t os_users(struct os_user *users, uint32_t max)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < SIM_USERS; i++) {
		if (!sim_users[i].on)
			continue;
		if (n < max) {
			users[n].session_id = sim_users[i].id;
			users[n].flags = IC_SESSIONS_USER_ACTIVE |
					 (sim_locked ? IC_SESSIONS_USER_LOCKED : 0);
			users[n].name = sim_users[i].name;
		}
		n++;
	}
	return n;
}

bool os_locked(void)
{
	return sim_locked;
}

uint32_t os_logoff(uint32_t session_id, bool force, uint32_t *count)
{
	*count = 0;
	if (sim_locked && !force)
		return IC_E_MACHINE_LOCKED;
	for (uint32_t i = 0; i < SIM_USERS; i++)
		if (sim_users[i].on &&
		    (session_id == IC_SESSIONS_ALL || sim_users[i].id == session_id)) {
			sim_users[i].on = false;
			(*count)++;
		}
	return *count ? IC_S_OK : IC_E_NO_SUCH_LOGON_SESSION;
}

static uint32_t put(char *out, uint32_t cap, uint32_t at, const char *s, size_t n)
{
	for (size_t i = 0; i < n && at < cap; i++)
		out[at++] = s[i];
	return at;
}

bool os_exec(const char *cmd, uint32_t len, int32_t *exit_status, char *out, uint32_t cap,
	     uint32_t *out_len)
{
	const char *args = cmd;
	size_t name_len = 0, args_len;
	char buf[96];
	uint32_t at = 0;

	while (name_len < len && cmd[name_len] != ' ')
		name_len++;
	args = cmd + name_len + (name_len < len ? 1 : 0);
	args_len = len - (size_t)(args - cmd);
	*exit_status = 0;
	if (cmdline_eq(cmd, name_len, "echo")) {
		at = put(out, cap, at, args, args_len);
		at = put(out, cap, at, "\n", 1);
	} else if (cmdline_eq(cmd, name_len, "true")) {
	} else if (cmdline_eq(cmd, name_len, "false")) {
		*exit_status = 1;
	} else if (cmdline_eq(cmd, name_len, "users")) {
		for (uint32_t i = 0; i < SIM_USERS; i++)
			if (sim_users[i].on) {
				at = put(out, cap, at, sim_users[i].name, strlen(sim_users[i].name));
				at = put(out, cap, at, "\n", 1);
			}
	} else if (cmdline_eq(cmd, name_len, "uptime")) {
		size_t n = fmt_snprintf(buf, sizeof(buf), "%lu\n", (unsigned long)(os_time_ms() / 1000u));

		at = put(out, cap, at, buf, n < sizeof(buf) ? n : sizeof(buf) - 1);
	} else {
		return false;
	}
	*out_len = at;
	return true;
}

/* clock_offset=<s>: the wall clock starts s seconds ahead of the host's. */
static void clock_start(const char *cmdline)
{
	struct cmdline_word w;
	uint64_t s;

	if (!cmdline_find(cmdline, "clock_offset", &w))
		return;
	if (w.value == NULL || !cmdline_parse_u64(w.value, w.value_len, 10, &s)) {
		kputs("testos: clock_offset needs a number of seconds\n");
		return;
	}
	clock_base = IC_TIME_UNIX_EPOCH + (HOST_EPOCH_UNIX + s) * 10000000ull + ref_now();
	clock_base_ms = os_time_ms();
	clock_set = true;
	kprintf("testos: wall clock starts %lu s off\n", (unsigned long)s);
}

/* The misbehaviour knob on the command line: 0 none, else 1 + enum additions_fault. */
static int fault_knob(const char *cmdline)
{
	if (cmdline_has(cmdline, "bus_corrupt_ring"))
		return 1 + ADDITIONS_FAULT_CORRUPT_RING;
	if (cmdline_has(cmdline, "bus_malformed"))
		return 1 + ADDITIONS_FAULT_MALFORMED;
	if (cmdline_has(cmdline, "bus_silent"))
		return 1 + ADDITIONS_FAULT_SILENT;
	if (cmdline_has(cmdline, "bus_flood"))
		return 1 + ADDITIONS_FAULT_FLOOD;
	if (cmdline_has(cmdline, "bus_oversized"))
		return 1 + ADDITIONS_FAULT_OVERSIZED;
	if (cmdline_has(cmdline, "bus_short"))
		return 1 + ADDITIONS_FAULT_SHORT;
	if (cmdline_has(cmdline, "bus_foreign_flags"))
		return 1 + ADDITIONS_FAULT_FOREIGN_FLAGS;
	return 0;
}

void additions_run(const struct start_info *si, const char *cmdline)
{
	int fault = fault_knob(cmdline);
	struct cmdline_word w;
	uint64_t hang_ms = 0, start, last_alive;
	unsigned long alive = 0;

	if (si->name[0] != 0)
		lib_strlcpy(partition_name, si->name, sizeof(partition_name));
	sim_locked = cmdline_has(cmdline, "locked");
	sim_ignore_shutdown = cmdline_has(cmdline, "ignore_shutdown");
	sim_version_ex = cmdline_has(cmdline, "version_ex");
	if (cmdline_find(cmdline, "hang_after", &w)) {
		uint64_t s;

		if (w.value != NULL && cmdline_parse_u64(w.value, w.value_len, 0, &s))
			hang_ms = s * 1000u;
		else
			kputs("testos: hang_after needs a number of seconds\n");
	}
	clock_start(cmdline);
	if (!additions_start())
		return;
	start = last_alive = os_time_ms();
	for (;;) {
		uint64_t now = os_time_ms();

		if (!additions_poll())
			delay_ms(1);
		if (fault != 0 && additions_misbehave((enum additions_fault)(fault - 1)))
			fault = 0;
		if (hang_ms != 0 && now - start >= hang_ms) {
			kputs("testos: hanging (hang_after)\n");
			interrupts_disable();
			for (;;)
				__asm__ volatile("pause");
		}
		if (now - last_alive >= 2000u) {
			last_alive = now;
			if (canary_armed())
				canary_check();
			kprintf("testos: alive %lu\n", ++alive);
		}
	}
}
