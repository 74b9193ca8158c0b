/*
 * Validation of ELF64 x86-64 headers (include/lib/elf64.h).  Offsets and sizes come from
 * files on a FAT partition anybody can write, so every sum is checked
 * against overflow before it is compared with the file size.
 */
#include <lib/elf64.h>

#include <stddef.h>

int elf_inside(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static const char *check_ident(const struct elf64_ehdr *eh, uint16_t type)
{
	const unsigned char *id = eh->e_ident;

	if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
		return "not an ELF file (bad magic)";
	if (id[4] != 2)
		return "not a 64-bit ELF file";
	if (id[5] != 1)
		return "not a little-endian ELF file";
	if (id[6] != 1 || eh->e_version != 1)
		return "unknown ELF version";
	if (eh->e_machine != EM_X86_64)
		return "not an x86-64 ELF file";
	if (eh->e_type != type)
		return type == ET_EXEC ? "not an ELF executable (ET_EXEC)"
				       : "not a position-independent ELF (ET_DYN)";
	return NULL;
}

static const char *check_segment(const struct elf64_phdr *ph, uint64_t size)
{
	if (ph->p_type != PT_LOAD)
		return NULL;
	if (!elf_inside(ph->p_offset, ph->p_filesz, size))
		return "PT_LOAD segment extends past the end of the file";
	if (ph->p_filesz > ph->p_memsz)
		return "PT_LOAD segment with p_filesz > p_memsz";
	if (ph->p_vaddr + ph->p_memsz < ph->p_vaddr)
		return "PT_LOAD segment wraps around the address space";
	return NULL;
}

static int entry_in(const struct elf64_phdr *ph, uint64_t entry)
{
	return ph->p_type == PT_LOAD && (ph->p_flags & PF_X) &&
	       entry >= ph->p_vaddr && entry - ph->p_vaddr < ph->p_memsz;
}

const char *elf_check(const void *file, uint64_t size, uint16_t type)
{
	const struct elf64_ehdr *eh = file;
	const struct elf64_phdr *ph;
	const char *why;
	int loads = 0, entry_ok = 0;
	unsigned int i;

	if (size < sizeof(*eh))
		return "file too small for an ELF header";
	why = check_ident(eh, type);
	if (why)
		return why;
	if (eh->e_phentsize != sizeof(*ph) || eh->e_phnum == 0 ||
	    eh->e_phoff % 8 ||
	    !elf_inside(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(*ph), size))
		return "bad program header table";
	for (i = 0; i < eh->e_phnum; i++) {
		ph = elf_phdr(file, i);
		why = check_segment(ph, size);
		if (why)
			return why;
		loads += ph->p_type == PT_LOAD;
		entry_ok |= entry_in(ph, eh->e_entry);
	}
	if (!loads)
		return "no PT_LOAD segment";
	if (!entry_ok)
		return "entry point outside the executable segments";
	return NULL;
}

const struct elf64_phdr *elf_phdr(const void *file, unsigned int i)
{
	const struct elf64_ehdr *eh = file;

	return (const struct elf64_phdr *)((const char *)file + eh->e_phoff) + i;
}
