/*
 * libFuzzer target: any hypercall input value and any guest memory
 * contents against hv's hypercall code (hv/hypercall/, with the SynIC,
 * connections, the state machine, the event ring and stage-2 mapping it
 * reaches) on the fake machine of tests/unit/hv_fake.h: a root and two
 * guests, each with 32 KiB of RAM between guard pages, hypercalls
 * enabled, the SynICs of the root and g1 on, and four connections.
 *
 * The input is a script: a backend and platform choice, RAM contents (a
 * pattern of up to 255 bytes, repeated), then operations (a hypercall from
 * any vCPU with any RCX/RDX/R8, CPL and mode; bytes written into a
 * partition's RAM; a synthetic MSR write; the run loop's next step).
 * What must hold whatever the script does:
 *   - hv never touches memory outside a partition (the guard pages and
 *     AddressSanitizer fault the target);
 *   - a call changes no other partition's RAM except the SynIC message
 *     and event-flag pages its vCPUs named and the root's event ring;
 *   - every stage-2 mapping hv creates is in the root's window and
 *     points at a page of a guest's RAM; guests get none;
 *   - the answer is #UD with RAX untouched, or an HV_STATUS hv documents.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/hv_fake.h"
#include "fuzz_input.h"

#include <synic/connection.h>

#include <hv/hypercall.h>

#define RAM (32u * 1024u)
#define PARTS 3u
#define PAGE 0x1000u       /* hypercall page */
#define SIMP 0x2000u
#define SIEFP 0x3000u
#define WINDOW HV_ROOT_MAP_WINDOW_BASE
#define WINDOW_END (HV_ROOT_MAP_WINDOW_BASE + HV_ROOT_MAP_WINDOW_SIZE)

static struct partition *parts[PARTS];
static uint8_t before[PARTS][RAM];
static uint64_t ring_gpa = ~0ull; /* the root's event ring, once registered */

static const uint16_t codes[] = {
	HVCALL_POST_MESSAGE, HVCALL_SIGNAL_EVENT, HVCALL_CONSOLE_WRITE, HVCALL_SELF_INFO,
	HVCALL_TEST_INJECT, HVCALL_MEDIA_QUERY, HVCALL_PARTITION_LIST, HVCALL_PARTITION_STATUS,
	HVCALL_PARTITION_START, HVCALL_PARTITION_STOP, HVCALL_PARTITION_RESET,
	HVCALL_EVENT_RING_SET, HVCALL_HV_INFO, HVCALL_MGMT_CONFIG, HVCALL_MEDIA_ATTACH,
	HVCALL_CONNECTION_CREATE, HVCALL_CONNECTION_DELETE, HVCALL_MAP_GUEST_PAGES,
	HVCALL_UNMAP_GUEST_PAGES,
};

static const uint32_t msrs[] = {
	HV_X64_MSR_GUEST_OS_ID, HV_X64_MSR_HYPERCALL, HV_X64_MSR_SCONTROL, HV_X64_MSR_SIMP,
	HV_X64_MSR_SIEFP, HV_X64_MSR_EOM, HV_X64_MSR_SINT0 + 1, HV_X64_MSR_SINT0 + 2,
	HV_X64_MSR_VP_ASSIST_PAGE, HV_X64_MSR_REFERENCE_TSC,
};

static void connect(uint32_t id, uint32_t source, uint32_t target, uint8_t sint, uint8_t type,
		    uint16_t base, uint16_t count)
{
	struct hv_connection c = { id, source, target, 0, sint, type, base, count, 0 };

	if (connection_create(&c) != HV_STATUS_SUCCESS)
		abort();
}

static void msr(struct vcpu *v, uint32_t index, uint64_t value)
{
	regs_set_edx_eax(&v->regs, value);
	guest_msr_write(v, index);
}

/* Three partitions; RAM from the input's first bytes (repeated), then the fixed set-up. */
static void machine(struct fuzz_input *in)
{
	uint8_t config = (uint8_t)fuzz_take(in, 1);
	size_t n = (size_t)fuzz_take(in, 1); /* this many bytes, repeated, are every partition's RAM */

	fake_machine_reset(config & 1 ? &fake_amdv_ops : &fake_vtx_ops, &fake_cpu_intel);
	parts[0] = fake_partition_add("root", HVCFG_ROLE_ROOT, PLATFORM_HV_KERNEL, RAM, 1);
	parts[1] = fake_partition_add("g1", HVCFG_ROLE_GUEST, config & 2 ? PLATFORM_PC :
				      PLATFORM_HV_KERNEL, RAM, 2);
	parts[2] = fake_partition_add("g2", HVCFG_ROLE_GUEST, PLATFORM_PC, RAM, 1);
	n = n < in->left ? n : in->left;
	for (uint32_t i = 0; i < PARTS && n != 0; i++) {
		uint8_t *ram = fake_ram(parts[i], 0);

		for (uint32_t off = 0; off < RAM; off += (uint32_t)n)
			memcpy(ram + off, in->p, RAM - off < n ? RAM - off : n);
	}
	in->p += n;
	in->left -= n;
	for (uint32_t i = 0; i < PARTS; i++)
		fake_enable_hypercalls(partition_vcpu(parts[i], 0), PAGE);
	fake_enable_hypercalls(partition_vcpu(parts[1], 1), PAGE);
	for (uint32_t i = 0; i < 2; i++) {
		struct vcpu *v = partition_vcpu(parts[i], 0);

		msr(v, HV_X64_MSR_SIMP, SIMP | 1);
		msr(v, HV_X64_MSR_SIEFP, SIEFP | 1);
		msr(v, HV_X64_MSR_SINT0 + 1, 0x50);
		msr(v, HV_X64_MSR_SINT0 + 2, 0x51);
		msr(v, HV_X64_MSR_SCONTROL, 1);
	}
	connect(1, 1, 0, 1, HV_CONNECTION_MESSAGE, 0, 0);
	connect(2, 1, 0, 2, HV_CONNECTION_EVENT, 0, 4);
	connect(3, 0, 1, 1, HV_CONNECTION_MESSAGE, 0, 0);
	connect(4, 2, 1, 2, HV_CONNECTION_EVENT, 100, 2);
	ring_gpa = ~0ull;
}

/* A parameter GPA: mostly somewhere in (or just past) the caller's RAM, sometimes anything. */
static uint64_t gpa(struct fuzz_input *in)
{
	uint8_t how = (uint8_t)fuzz_take(in, 1);

	if (how < 0xe0)
		return fuzz_take(in, 2) % (RAM + 0x100);
	return fuzz_take(in, 8);
}

static uint64_t input_value(struct fuzz_input *in)
{
	uint8_t pick = (uint8_t)fuzz_take(in, 1), flags = (uint8_t)fuzz_take(in, 1);
	uint64_t value = codes[pick % (sizeof(codes) / sizeof(codes[0]))];

	if (pick >= 0xf0)
		return fuzz_take(in, 8); /* any value at all */
	if (flags & 1)
		value |= HV_HYPERCALL_FAST;
	if (flags & 2)
		value |= fuzz_take(in, 8) & ~HV_HYPERCALL_CODE_MASK; /* reserved bits, rep fields */
	return value;
}

/* Whether [a, a + len) overlaps a page hv may write in another partition: SynIC pages, the ring. */
static bool may_change(const struct partition *p, const uint8_t *host, uint32_t len)
{
	for (uint32_t vp = 0; vp < p->vp_count; vp++) {
		const struct vcpu *v = partition_vcpu(p, vp);
		const uint8_t *pages[] = { (const uint8_t *)v->synic.simp_page, v->synic.siefp_page };

		for (uint32_t i = 0; i < 2; i++)
			if (pages[i] != NULL && host < pages[i] + 4096 && pages[i] < host + len)
				return true;
	}
	if (p == parts[0] && ring_gpa < RAM) {
		const uint8_t *ring = fake_ram(parts[0], ring_gpa);

		return host < ring + 4096 && ring < host + len;
	}
	return false;
}

static void snapshot(void)
{
	for (uint32_t i = 0; i < PARTS; i++)
		memcpy(before[i], fake_ram(parts[i], 0), RAM);
}

/* Every 4 KiB-aligned chunk of another partition that changed must be one hv may write. */
static void check_others(const struct partition *caller)
{
	for (uint32_t i = 0; i < PARTS; i++) {
		const uint8_t *now = fake_ram(parts[i], 0);

		if (parts[i] == caller)
			continue;
		if (memcmp(now, before[i], RAM) == 0)
			continue;
		for (uint32_t off = 0; off < RAM; off += 256)
			if (memcmp(now + off, before[i] + off, 256) != 0 &&
			    !may_change(parts[i], now + off, 256))
				abort();
	}
}

/*
 * Every 4 KiB leaf of a stage-2 tree (the fake format): only the root has
 * any, each in its window and on a page of a guest's RAM.
 */
static void walk(const uint64_t *table, int level, uint64_t base, bool root)
{
	for (uint64_t i = 0; i < 512; i++) {
		uint64_t e = table[i], at = base + (i << (12 + 9 * (level - 1)));
		const void *page = (const void *)(e & 0x000ffffffffff000ull);

		if (!(e & 1))
			continue;
		if (level > 1) {
			walk(page, level - 1, at, root);
			continue;
		}
		if (!root || at < WINDOW || at >= WINDOW_END ||
		    !(fake_in_ram(parts[1], page, 4096) || fake_in_ram(parts[2], page, 4096)))
			abort();
	}
}

/* After every operation: SynIC pages inside their own partition. */
static void check_synic_pages(void)
{
	for (uint32_t i = 0; i < PARTS; i++) {
		for (uint32_t vp = 0; vp < parts[i]->vp_count; vp++) {
			const struct vcpu *v = partition_vcpu(parts[i], vp);

			if ((v->synic.simp_page != NULL &&
			     !fake_in_ram(parts[i], v->synic.simp_page, 4096)) ||
			    (v->synic.siefp_page != NULL &&
			     !fake_in_ram(parts[i], v->synic.siefp_page, 4096)))
				abort();
		}
	}
}

/* The stage-2 tables: after each root call (only the root maps) and at the end. */
static void check_mappings(void)
{
	for (uint32_t i = 0; i < PARTS; i++)
		walk((const uint64_t *)parts[i]->stage2.root, 4, 0, i == 0);
}

static bool documented(uint16_t status)
{
	static const uint16_t ok[] = { 0x0, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xd, 0x12, 0x13 };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (status == ok[i])
			return true;
	return false;
}

static void op_call(struct fuzz_input *in)
{
	uint8_t who = (uint8_t)fuzz_take(in, 1), mode = (uint8_t)fuzz_take(in, 1);
	struct partition *p = parts[who % PARTS];
	struct vcpu *v = partition_vcpu(p, (who / PARTS) % p->vp_count);
	uint64_t input = input_value(in), rdx = gpa(in), r8 = gpa(in), rax = 0x1234;
	enum exit_action action;

	fake_backend(v)->state.cpl = (mode & 0x30) == 0x30 ? 3 : 0;
	fake_backend(v)->state.long_mode = (mode & 0xc0) != 0xc0;
	if ((input & HV_HYPERCALL_CODE_MASK) == HVCALL_EVENT_RING_SET && mode & 8)
		r8 = 32 + (mode & 7); /* a valid vector now and then */
	v->regs.rax = rax;
	action = fake_hypercall(v, input, rdx, r8);
	if (action == ACTION_INJECT_UD ? v->regs.rax != rax
				       : action != ACTION_NEXT || !documented((uint16_t)v->regs.rax))
		abort();
	if (p == parts[0] && action == ACTION_NEXT && v->regs.rax == HV_STATUS_SUCCESS &&
	    (input & HV_HYPERCALL_CODE_MASK) == HVCALL_EVENT_RING_SET)
		ring_gpa = rdx;
	if (p == parts[0] && ((input & HV_HYPERCALL_CODE_MASK) == HVCALL_MAP_GUEST_PAGES ||
			      (input & HV_HYPERCALL_CODE_MASK) == HVCALL_UNMAP_GUEST_PAGES))
		walk((const uint64_t *)p->stage2.root, 4, 0, true); /* the only calls that map */
	check_others(p);
}

static void op_poke(struct fuzz_input *in)
{
	struct partition *p = parts[fuzz_take(in, 1) % PARTS];
	uint32_t off = (uint32_t)fuzz_take(in, 2) % RAM, len = (uint32_t)fuzz_take(in, 1) + 1;

	for (uint32_t i = 0; i < len && off + i < RAM && in->left != 0; i++)
		*(uint8_t *)fake_ram(p, off + i) = (uint8_t)fuzz_take(in, 1);
}

static void op_msr(struct fuzz_input *in)
{
	uint8_t who = (uint8_t)fuzz_take(in, 1), which = (uint8_t)fuzz_take(in, 1);
	struct partition *p = parts[who % PARTS];
	struct vcpu *v = partition_vcpu(p, (who / PARTS) % p->vp_count);
	uint64_t value = which & 0x80 ? fuzz_take(in, 8) : (gpa(in) & ~0xfffull) | (which & 1);

	msr(v, msrs[which % (sizeof(msrs) / sizeof(msrs[0]))], value);
	check_others(p);
}

/* What a partition's CPUs would do next: start a Starting one, settle a Stopping one. */
static void op_run_loop(struct fuzz_input *in)
{
	struct partition *p = parts[fuzz_take(in, 1) % PARTS];

	if (p->state == PARTITION_STARTING)
		partition_started(p);
	else if (p->state == PARTITION_STOPPING)
		partition_settle_stop(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	machine(&in);
	snapshot();
	for (uint32_t ops = 0; in.left != 0 && ops < 64; ops++) {
		switch (fuzz_take(&in, 1) % 8) {
		case 0: case 1: case 2: case 3: op_call(&in); break;
		case 4: case 5: op_poke(&in); break;
		case 6: op_msr(&in); break;
		default: op_run_loop(&in); break;
		}
		check_synic_pages();
		snapshot();
	}
	check_mappings();
	return 0;
}
