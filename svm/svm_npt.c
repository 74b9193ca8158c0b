/*
 * Nested page table entries for the core's stage-2 builder.  NPT uses the
 * ordinary long-mode page-table format (AMD APM Vol. 2, 15.25): present,
 * writable and, required for guest accesses that hardware treats as user
 * accesses, the U/S bit on every level.
 */
#include "svm.h"

#include <mem/stage2.h>

#define NPT_P (1ull << 0)
#define NPT_RW (1ull << 1)
#define NPT_US (1ull << 2)
#define NPT_PWT (1ull << 3)
#define NPT_PCD (1ull << 4)
#define NPT_PS (1ull << 7)
#define NPT_NX (1ull << 63)

static uint64_t npt_table(uint64_t table_hpa)
{
	return table_hpa | NPT_P | NPT_RW | NPT_US;
}

static uint64_t npt_leaf(uint64_t hpa, unsigned perms, enum stage2_memtype type, unsigned level)
{
	uint64_t e = hpa | NPT_P | NPT_US;

	if (perms & STAGE2_WRITE)
		e |= NPT_RW;
	if (!(perms & STAGE2_EXEC))
		e |= NPT_NX;
	if (type == STAGE2_UC)
		e |= NPT_PCD | NPT_PWT;
	if (level == 2)
		e |= NPT_PS;
	return e;
}

static bool npt_present(uint64_t entry)
{
	return (entry & NPT_P) != 0;
}

const struct stage2_format svm_npt_format = {
	.table = npt_table,
	.leaf = npt_leaf,
	.present = npt_present,
};
