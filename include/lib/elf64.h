/*
 * ELF64 definitions and a bounds-checked reader, shared by the loader
 * (checking hv.elf and partition images) and hv (loading partition
 * images into partition RAM).  Only what x86-64 executables need.
 */
#ifndef LIB_ELF64_H
#define LIB_ELF64_H

#include <stddef.h>
#include <stdint.h>

#define ELF_ET_EXEC 2
#define ELF_ET_DYN 3
#define ELF_EM_X86_64 62
#define ELF_PT_LOAD 1
#define ELF_PT_DYNAMIC 2

struct elf64_ehdr {
	unsigned char ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

/*
 * Checks an ELF64 little-endian x86-64 file of the given type: header,
 * program header table and every PT_LOAD inside the file, filesz <=
 * memsz, no address overflow, at least one PT_LOAD.  Returns NULL when
 * the file is fine, else a message naming the problem.
 */
const char *elf64_check(const void *file, uint64_t size, uint16_t type);

/* The i-th program header of a checked file. */
const struct elf64_phdr *elf64_phdr(const void *file, uint16_t i);

#endif
