/*
 * A partition's guest-physical layout: its one block of host RAM from
 * GPA 0, with the MMIO hole below 4 GiB (RAM above 3 GiB continues at
 * 4 GiB), and the translation of guest-physical ranges through it that
 * every access hv makes on a guest's behalf goes through.  Pure: the
 * host tests link it unchanged.
 */
#include <part/partition.h>

/* Offset of gpa in the RAM block: RAM below 3 GiB is at its GPA, the rest above 4 GiB. */
static bool gpa_to_offset(const struct partition *p, uint64_t gpa, uint64_t *offset)
{
	uint64_t low = p->ram_size < PARTITION_MMIO_HOLE_START ? p->ram_size : PARTITION_MMIO_HOLE_START;

	if (gpa < low) {
		*offset = gpa;
		return true;
	}
	if (gpa >= PARTITION_MMIO_HOLE_END && gpa - PARTITION_MMIO_HOLE_END < p->ram_size - low) {
		*offset = gpa - PARTITION_MMIO_HOLE_END + low;
		return true;
	}
	return false;
}

void *partition_gpa_to_host(struct partition *p, uint64_t gpa, uint64_t len)
{
	uint64_t first, last;

	if (len == 0 || gpa + len < gpa || !gpa_to_offset(p, gpa, &first) ||
	    !gpa_to_offset(p, gpa + len - 1, &last) || last - first != len - 1)
		return NULL;
	return (void *)(p->ram_hpa + first);
}
