/*
 * Hostile knobs (hostile=<kind>[:<arg>], may repeat): a guest reaching
 * for what belongs to others.  Two kinds must be refused without a fault
 * and run first; the others must fault this partition (hv's report is
 * the test's marker), so only the first of them normally runs:
 *   pcicfg:bb:dd.f  another partition's device: invisible, writes dropped
 *   hypercall       each root-only call 0x8010-0x8019: ACCESS_DENIED
 *   mem:ADDR        read, then write, GPA ADDR (someone else's memory)
 *   bar:ADDR        the same for a device BAR address
 *   ipi             xAPIC ICR write: INIT to all-excluding-self
 *   msr             write IA32_FEATURE_CONTROL
 */
#include "testos.h"

#include <arch/x86.h>
#include <kernel/cmdline.h>
#include <kernel/console.h>
#include <kernel/hvmgmt.h>
#include <kernel/hypercall.h>
#include <kernel/paging.h>
#include <kernel/pci.h>
#include <kernel/probe.h>

#define XAPIC_BASE 0xfee00000ull
#define XAPIC_ICR_LOW 0x300u
/* Shorthand all-excluding-self (19:18 = 11), assert (14), INIT (10:8 = 101). */
#define ICR_INIT_ALL_BUT_SELF 0x000c4500u
#define EVENT_VECTOR 0x50
#define FOREIGN_BAR0 0x12345000u

static uint8_t ring_page[4096] __attribute__((aligned(4096)));

/* HVCALL_MGMT_FILE for the TLS key: the root's alone. */
uint64_t mgmt_file_call(void)
{
	static struct hv_mgmt_file_chunk chunk;

	return hv_mgmt_file(HV_MGMT_FILE_TLS_KEY, 0, &chunk);
}

uint64_t mgmt_call(uint16_t code)
{
	static struct hv_partition_list list;
	static struct hv_partition_status status;
	static struct hv_info info;
	static struct hv_mgmt_config mgmt;
	const uint32_t root = 0; /* the aim: the root's own partition */

	switch (code) {
	case HVCALL_PARTITION_LIST:
		return hv_partition_list(&list);
	case HVCALL_PARTITION_STATUS:
		return hv_partition_status(root, &status);
	case HVCALL_PARTITION_START:
		return hv_partition_start(root);
	case HVCALL_PARTITION_STOP:
		return hv_partition_stop(root);
	case HVCALL_PARTITION_RESET:
		return hv_partition_reset(root);
	case HVCALL_EVENT_RING_SET:
		return hv_event_ring_set(hv_gpa(ring_page), EVENT_VECTOR);
	case HVCALL_HV_INFO:
		return hv_info(&info);
	case HVCALL_MGMT_CONFIG:
		return hv_mgmt_config(&mgmt);
	default:
		return HV_CALL_NOT_READY;
	}
}

static void hostile_hypercall(const char *arg, size_t len)
{
	unsigned int denied = 0;

	(void)arg, (void)len;
	if (!hv_hypercall_ready() && !hv_hypercall_enable()) {
		kputs("testos: FAIL hostile hypercall: no hypercall page\n");
		return;
	}
	for (uint16_t code = HVCALL_PARTITION_LIST; code <= HVCALL_MGMT_CONFIG; code++) {
		uint64_t r = mgmt_call(code);

		if (r != HV_CALL_NOT_READY && hv_status(r) == HV_STATUS_ACCESS_DENIED)
			denied++;
		else
			kprintf("testos: FAIL hostile hypercall 0x%x: status 0x%x, expected 0x%x\n",
				code, hv_status(r), HV_STATUS_ACCESS_DENIED);
	}
	/* Inserting media is the root's too (aimed at partition 0, like the above). */
	if (hv_status(hv_media_attach(0, HV_MEDIA_ADDITIONS)) == HV_STATUS_ACCESS_DENIED)
		denied++;
	else
		kputs("testos: FAIL hostile hypercall 0x8018 (media attach) not denied\n");
	/* And the TLS files, the root's private key among them. */
	if (hv_status(mgmt_file_call()) == HV_STATUS_ACCESS_DENIED)
		denied++;
	else
		kputs("testos: FAIL hostile hypercall 0x8019 (management file) not denied\n");
	if (denied == HVCALL_MGMT_CONFIG - HVCALL_PARTITION_LIST + 3)
		kputs("testos: hostile hypercalls denied\n");
}

static void hostile_pcicfg(const char *arg, size_t len)
{
	struct pci_bdf d;
	uint32_t id, cmd, bar;

	if (!pci_parse_bdf(arg, len, &d)) {
		kprintf("testos: FAIL hostile pcicfg: bad address '%.*s'\n", (int)len, arg);
		return;
	}
	id = pci_config_read32(d, PCI_VENDOR_DEVICE);
	kprintf("testos: hostile pcicfg %02x:%02x.%x: vendor 0x%04x, writing command and bar0\n",
		d.bus, d.dev, d.fn, id & 0xffff);
	pci_config_write32(d, PCI_COMMAND_STATUS,
			   PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	pci_config_write32(d, PCI_BAR0, FOREIGN_BAR0);
	cmd = pci_config_read32(d, PCI_COMMAND_STATUS);
	bar = pci_config_read32(d, PCI_BAR0);
	if ((id & 0xffff) == 0xffff && pci_config_read32(d, PCI_VENDOR_DEVICE) == ~0u &&
	    cmd == ~0u && bar == ~0u)
		kputs("testos: hostile pcicfg invisible\n");
	else
		kprintf("testos: FAIL hostile pcicfg visible: id 0x%08x command 0x%08x bar0 0x%08x\n",
			id, cmd, bar);
}

/* Maps the 2 MiB page around gpa into our own tables and touches it. */
static void touch(const char *what, const char *arg, size_t len)
{
	uint64_t gpa;
	volatile uint64_t *p;
	uint64_t value;

	if (!cmdline_parse_u64(arg, len, 16, &gpa) || (gpa & 7)) {
		kprintf("testos: FAIL hostile %s: bad address '%.*s'\n", what, (int)len, arg);
		return;
	}
	p = paging_map_identity_2m(gpa);
	if (p == NULL) {
		kprintf("testos: FAIL hostile %s: cannot map 0x%lx\n", what, gpa);
		return;
	}
	kprintf("testos: hostile %s 0x%lx read\n", what, gpa);
	value = *p;
	kprintf("testos: hostile %s 0x%lx write (read gave 0x%lx)\n", what, gpa, value);
	*p = ~value;
	kprintf("testos: FAIL hostile %s access returned\n", what);
}

static void hostile_mem(const char *arg, size_t len)
{
	touch("mem", arg, len);
}

static void hostile_bar(const char *arg, size_t len)
{
	touch("bar", arg, len);
}

static void hostile_ipi(const char *arg, size_t len)
{
	volatile uint32_t *apic = paging_map_identity_2m(XAPIC_BASE);

	(void)arg, (void)len;
	if (apic == NULL) {
		kputs("testos: FAIL hostile ipi: cannot map the local APIC page\n");
		return;
	}
	kprintf("testos: hostile ipi: INIT to all-excluding-self through ICR 0x%llx\n",
		XAPIC_BASE + XAPIC_ICR_LOW);
	apic[XAPIC_ICR_LOW / 4] = ICR_INIT_ALL_BUT_SELF;
	kputs("testos: FAIL hostile ipi access returned\n");
}

static void hostile_msr(const char *arg, size_t len)
{
	unsigned int v;

	(void)arg, (void)len;
	kputs("testos: hostile msr: writing IA32_FEATURE_CONTROL\n");
	v = probe_wrmsr(MSR_FEATURE_CONTROL, 0x5);
	kprintf("testos: FAIL hostile msr write returned (%s)\n", probe_name(v));
}

struct hostile_kind {
	const char *name;
	bool faults;
	void (*run)(const char *arg, size_t len);
};

static const struct hostile_kind kinds[] = {
	{ "pcicfg", false, hostile_pcicfg }, { "hypercall", false, hostile_hypercall },
	{ "mem", true, hostile_mem },        { "bar", true, hostile_bar },
	{ "ipi", true, hostile_ipi },        { "msr", true, hostile_msr },
};

/* Runs every hostile= word whose kind faults (or not) as asked. */
static void run_pass(const char *cmdline, bool faulting)
{
	struct cmdline_word w;

	while (cmdline_next(&cmdline, &w)) {
		const char *arg;
		size_t arg_len, kind_len;
		size_t i = 0, n = sizeof(kinds) / sizeof(kinds[0]);

		if (!cmdline_eq(w.key, w.key_len, "hostile") || w.value == NULL)
			continue;
		kind_len = cmdline_split(w.value, w.value_len, ':', &arg, &arg_len);
		while (i < n && !cmdline_eq(w.value, kind_len, kinds[i].name))
			i++;
		if (i == n && !faulting)
			kprintf("testos: unknown hostile kind '%.*s' (pcicfg, hypercall, mem, bar, "
				"ipi, msr)\n", (int)kind_len, w.value);
		else if (i < n && kinds[i].faults == faulting)
			kinds[i].run(arg ? arg : "", arg_len);
	}
}

void hostile_run(const char *cmdline)
{
	run_pass(cmdline, false);
	run_pass(cmdline, true);
}
