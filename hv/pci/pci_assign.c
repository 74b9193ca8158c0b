/*
 * Giving a partition its devices: each memory BAR mapped 1:1 (GPA = HPA),
 * uncached, read/write, never executable, into the partition's stage-2
 * tables; each I/O BAR opened in its vCPUs' I/O permission maps.  Mapping
 * is by whole pages, so a BAR smaller than a page is mapped only when no
 * other function's BAR shares that page.
 */
#include <pci/pci.h>
#include <pci/pci_dev.h>

#include <core/console.h>
#include <core/vendor.h>
#include <part/partition.h>

#include <lib/format.h>

#define PAGE_MASK (PAGE_SIZE - 1)
#define GPA_LIMIT (1ull << 48)         /* what 4-level stage-2 tables reach */
#define RAM_HIGH_START (4ull << 30)    /* partition RAM beyond the hole resumes here */

struct span {
	uint64_t base, end;
};

static char problem[PARTITION_FAULT_LEN];

static bool overlap(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end)
{
	return a < b_end && b < a_end;
}

/*
 * Whether [base, end) touches p's RAM.  RAM is two intervals (from GPA 0,
 * and from 4 GiB); a range overlapping one either has an end inside it or
 * contains its start.
 */
static bool overlaps_ram(struct partition *p, uint64_t base, uint64_t end)
{
	return partition_gpa_to_host(p, base, 1) != NULL ||
	       partition_gpa_to_host(p, end - 1, 1) != NULL ||
	       (base <= RAM_HIGH_START && end > RAM_HIGH_START &&
		partition_gpa_to_host(p, RAM_HIGH_START, 1) != NULL);
}

/* Another function with a memory BAR inside [base, end), or NULL. */
static const struct pci_function *sharer(const struct pci_function *f, uint64_t base,
					 uint64_t end)
{
	for (uint32_t i = 0; i < pci_function_count; i++) {
		const struct pci_function *g = &pci_functions[i];

		for (uint32_t s = 0; g != f && s < g->bar_count; s++) {
			const struct pci_bar *b = &g->bars[s];

			if (!b->upper && !b->io && b->size != 0 &&
			    overlap(b->base, b->base + b->size, base, end))
				return g;
		}
	}
	return NULL;
}

/* Why BAR s of f cannot be mapped for p as the page span *span, or NULL. */
static const char *check_bar(struct partition *p, const struct pci_function *f, uint32_t s,
			     struct span *span)
{
	const struct pci_bar *bar = &f->bars[s];
	const struct pci_function *other = NULL;
	char bdf[8], other_bdf[8];

	hvcfg_format_bdf(f->bdf, bdf);
	span->base = bar->base & ~PAGE_MASK;
	span->end = (bar->base + bar->size + PAGE_MASK) & ~PAGE_MASK;
	if (bar->base == 0 || span->end > GPA_LIMIT || span->end <= span->base)
		fmt_snprintf(problem, sizeof(problem), "pci %s BAR%u at 0x%llx has no usable address",
			     bdf, s, (unsigned long long)bar->base);
	else if (overlaps_ram(p, span->base, span->end))
		fmt_snprintf(problem, sizeof(problem),
			     "pci %s BAR%u [0x%llx-0x%llx) overlaps the partition's RAM", bdf, s,
			     (unsigned long long)span->base, (unsigned long long)span->end);
	else if ((other = sharer(f, span->base, span->end)) == NULL)
		return NULL;
	if (other != NULL) {
		hvcfg_format_bdf(other->bdf, other_bdf);
		fmt_snprintf(problem, sizeof(problem),
			     "pci %s BAR%u shares its page at 0x%llx with a BAR of pci %s", bdf, s,
			     (unsigned long long)span->base, other_bdf);
	}
	return problem;
}

/* Adds span to spans[0..*n), merging with one it overlaps (sub-page BARs of one function). */
static void add_span(struct span *spans, uint32_t *n, struct span span)
{
	for (uint32_t i = 0; i < *n; i++) {
		if (overlap(spans[i].base, spans[i].end, span.base, span.end)) {
			spans[i].base = span.base < spans[i].base ? span.base : spans[i].base;
			spans[i].end = span.end > spans[i].end ? span.end : spans[i].end;
			return;
		}
	}
	spans[(*n)++] = span;
}

static const char *map_function(struct partition *p, const struct pci_function *f,
				struct page_pool *pool)
{
	struct span spans[PCI_BARS], span;
	uint32_t n = 0;
	char bdf[8];

	for (uint32_t s = 0; s < f->bar_count; s++) {
		const struct pci_bar *bar = &f->bars[s];

		if (bar->upper || bar->io || bar->size == 0)
			continue;
		if (check_bar(p, f, s, &span) != NULL)
			return problem;
		add_span(spans, &n, span);
	}
	hvcfg_format_bdf(f->bdf, bdf);
	for (uint32_t i = 0; i < n; i++) {
		if (stage2_map(&p->stage2, pool, spans[i].base, spans[i].base,
			       spans[i].end - spans[i].base, STAGE2_READ | STAGE2_WRITE,
			       STAGE2_UC) != 0)
			return "out of hv memory for stage-2 tables, or a BAR mapped twice";
		log_info("partition %s: pci %s MMIO [0x%llx-0x%llx) mapped 1:1, uncached",
			 p->cfg->name, bdf, (unsigned long long)spans[i].base,
			 (unsigned long long)spans[i].end);
	}
	return NULL;
}

const char *pci_assign(struct partition *p, struct page_pool *pool)
{
	for (uint32_t i = 0; i < pci_function_count; i++) {
		const char *why;

		if (pci_functions[i].owner != p->id)
			continue;
		why = map_function(p, &pci_functions[i], pool);
		if (why != NULL)
			return why;
	}
	return NULL;
}

void pci_open_ports(struct vcpu *v)
{
	if (v->vp_index == 0)
		pci_cfg_restart(v->partition->id);
	if (vendor->io_allow == NULL)
		return; /* the ports keep exiting and read all ones: the device's I/O BAR is dead */
	for (uint32_t i = 0; i < pci_function_count; i++) {
		const struct pci_function *f = &pci_functions[i];

		for (uint32_t s = 0; f->owner == v->partition->id && s < f->bar_count; s++) {
			const struct pci_bar *bar = &f->bars[s];

			if (bar->io && bar->size != 0)
				vendor->io_allow(v, (uint16_t)bar->base, (uint16_t)bar->size);
		}
	}
}
