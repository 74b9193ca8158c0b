/*
 * ELF64: the structures and the checks every image goes through before
 * anyone trusts an offset or size in it: the loader for hv.elf and the
 * partition images, hv again when it copies a partition image into
 * partition RAM.
 */
#ifndef LIB_ELF64_H
#define LIB_ELF64_H

#include <stdint.h>

#define ET_EXEC 2
#define ET_DYN 3
#define EM_X86_64 62

#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PF_X 1u

#define DT_NULL 0
#define DT_PLTRELSZ 2
#define DT_RELA 7
#define DT_RELASZ 8
#define DT_RELAENT 9
#define DT_REL 17
#define DT_RELR 36

#define R_X86_64_NONE 0
#define R_X86_64_RELATIVE 8

struct elf64_ehdr {
	unsigned char e_ident[16];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

struct elf64_dyn {
	int64_t d_tag;
	uint64_t d_val;
};

struct elf64_rela {
	uint64_t r_offset;
	uint64_t r_info;
	int64_t r_addend;
};

/*
 * Checks that file (size bytes, 8-byte aligned) is an ELF64 little-endian
 * x86-64 image of the given e_type whose program header table and PT_LOAD
 * segments lie inside the file, with at least one PT_LOAD and the entry
 * point inside an executable one.  Returns NULL or the reason.
 */
const char *elf_check(const void *file, uint64_t size, uint16_t type);

/* True when [off, off + len) lies inside [0, size), without overflow. */
int elf_inside(uint64_t off, uint64_t len, uint64_t size);

/* The i-th program header of a file elf_check accepted. */
const struct elf64_phdr *elf_phdr(const void *file, unsigned int i);

#endif
