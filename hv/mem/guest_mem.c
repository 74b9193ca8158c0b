/*
 * Guest page-table walk (see guest_mem.h).  Long mode with 4-level paging
 * only, 4 KiB, 2 MiB and 1 GiB pages; with paging off, virtual equals
 * physical.  Every table is read through partition_gpa_to_host, so a
 * guest pointing its CR3 at memory it does not own gets "unmapped".
 */
#include <mem/guest_mem.h>

#include <part/partition.h>

#include <lib/string.h>

#define PTE_P 1ull
#define PTE_PS (1ull << 7)
#define ADDR_MASK 0x000ffffffffff000ull
#define CR0_PG (1ull << 31)

/* Translates va to a GPA; false when not mapped. */
static bool translate(struct partition *p, const struct vcpu_state *st, uint64_t va,
		      uint64_t *gpa)
{
	uint64_t table = st->cr3 & ADDR_MASK;

	if (!(st->cr0 & CR0_PG)) {
		*gpa = va;
		return true;
	}
	if (!st->long_mode)
		return false; /* legacy and PAE paging: not needed by hv yet */
	for (int level = 4; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		uint64_t *entries = partition_gpa_to_host(p, table, PAGE_SIZE);
		uint64_t e;

		if (entries == NULL)
			return false;
		e = entries[(va >> shift) & 511];
		if (!(e & PTE_P))
			return false;
		if (level == 1 || ((level == 2 || level == 3) && (e & PTE_PS))) {
			uint64_t page_mask = (1ull << shift) - 1;

			*gpa = (e & ADDR_MASK & ~page_mask) | (va & page_mask);
			return true;
		}
		table = e & ADDR_MASK;
	}
	return false;
}

int guest_read_virt(struct vcpu *v, const struct vcpu_state *state, uint64_t va,
		    void *buf, size_t len)
{
	uint8_t *out = buf;

	while (len > 0) {
		size_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		uint64_t gpa;
		void *src;

		if (chunk > len)
			chunk = len;
		if (!translate(v->partition, state, va, &gpa))
			return -1;
		src = partition_gpa_to_host(v->partition, gpa, chunk);
		if (src == NULL)
			return -1;
		memcpy(out, src, chunk);
		out += chunk, va += chunk, len -= chunk;
	}
	return 0;
}
