/*
 * Bounds-checked ELF64 header validation (see include/lib/elf64.h).  The
 * file may come from a disk we do not control, so every offset and size
 * is checked against the file before it is used, with overflow in mind.
 */
#include <lib/elf64.h>

#include <lib/string.h>

static const char *check_phdr(const struct elf64_phdr *ph, uint64_t size)
{
	if (ph->type != ELF_PT_LOAD)
		return NULL;
	if (ph->filesz > ph->memsz)
		return "a segment's file size exceeds its memory size";
	if (ph->offset > size || ph->filesz > size - ph->offset)
		return "a segment lies outside the file";
	if (ph->vaddr + ph->memsz < ph->vaddr || ph->paddr + ph->memsz < ph->paddr)
		return "a segment's addresses overflow";
	return NULL;
}

const char *elf64_check(const void *file, uint64_t size, uint16_t type)
{
	const struct elf64_ehdr *eh = file;
	unsigned loads = 0;

	if (size < sizeof(*eh) || memcmp(eh->ident, "\177ELF", 4) != 0)
		return "not an ELF file";
	if (eh->ident[4] != 2 || eh->ident[5] != 1)
		return "not a 64-bit little-endian ELF file";
	if (eh->machine != ELF_EM_X86_64)
		return "not an x86-64 ELF file";
	if (eh->type != type)
		return type == ELF_ET_EXEC ? "not an ELF executable (ET_EXEC)"
					   : "not a position-independent ELF (ET_DYN)";
	if (eh->phentsize != sizeof(struct elf64_phdr) || eh->phnum == 0 ||
	    eh->phoff > size || (uint64_t)eh->phnum * sizeof(struct elf64_phdr) > size - eh->phoff)
		return "bad program header table";
	for (uint16_t i = 0; i < eh->phnum; i++) {
		const struct elf64_phdr *ph = elf64_phdr(file, i);
		const char *problem = check_phdr(ph, size);

		if (problem != NULL)
			return problem;
		loads += ph->type == ELF_PT_LOAD;
	}
	return loads > 0 ? NULL : "no loadable segment";
}

const struct elf64_phdr *elf64_phdr(const void *file, uint16_t i)
{
	const struct elf64_ehdr *eh = file;

	return (const struct elf64_phdr *)((const char *)file + eh->phoff) + i;
}
