#ifndef TRIAGE_ELF_H
#define TRIAGE_ELF_H

#include <stddef.h>
#include <stdint.h>

struct strbuf;

/* An ELF file read as hostile input (elf.c): the build info and the census read Go binaries. */

#define ELF_PT_LOAD 1
#define ELF_PF_X 0x1
#define ELF_PF_W 0x2
#define ELF_SHT_SYMTAB 2
#define ELF_SHT_NOBITS 8
#define ELF_SHF_COMPRESSED 0x800
#define ELF_ET_DYN 3
#define ELF_EM_X86_64 62
#define ELF_PN_XNUM 0xffff
#define ELF_SHN_XINDEX 0xffff
/* Far beyond any real binary, small enough that reading the tables is cheap. */
#define ELF_MAX_PHDRS 65536
#define ELF_MAX_SHDRS 65536
#define ELF_MAX_ENTSIZE 1024
#define ELF_SHSTRTAB_MAX (1u << 20)

struct elf_load {
	uint64_t vaddr;
	uint64_t offset;
	uint64_t filesz;
	uint32_t flags;
};

/* One ELF image, either in memory (mem) or behind a file descriptor. */
struct elf_file {
	const char *name;
	const char *what;	/* what is being read from it, for messages ("build info") */
	const unsigned char *mem;
	int fd;
	uint64_t size;

	int is64;
	int big_endian;
	unsigned type, machine;	/* e_type (ELF_ET_DYN: position independent), e_machine */
	uint64_t phoff, shoff;
	uint64_t phnum, shnum, shstrndx;
	unsigned phentsize, shentsize;

	struct elf_load *loads;
	size_t nr_loads, alloc_loads;
};

struct elf_shdr {
	uint32_t name;
	uint32_t type;
	uint64_t flags;
	uint64_t offset;
	uint64_t size;
	uint32_t link;
	uint32_t info;
	uint64_t entsize;
};

void elf_file_init(struct elf_file *ef, const char *name, const char *what);
void elf_file_release(struct elf_file *ef);
/* err = "cannot read WHAT from 'NAME': " and the rest; returns -1. */
int elf_error(const struct elf_file *ef, struct strbuf *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Reads exactly len bytes at off; what names them in the error. */
int elf_read(const struct elf_file *ef, uint64_t off, size_t len,
	     void *buf, const char *what, struct strbuf *err);
uint64_t elf_get_uint(const unsigned char *p, unsigned width, int big_endian);
uint64_t elf_u16(const struct elf_file *ef, const unsigned char *p);
uint64_t elf_u32(const struct elf_file *ef, const unsigned char *p);
/* An address, offset or size: Elf32_Addr/Off/Word or their 64-bit forms. */
uint64_t elf_addr(const struct elf_file *ef, const unsigned char *p);
int elf_read_header(struct elf_file *ef, struct strbuf *err);
/* The PT_LOAD segments into ef->loads. */
int elf_read_segments(struct elf_file *ef, struct strbuf *err);
/*
 * Looks up the section called name. *found stays 0 when the file has no
 * section headers, no usable name table or no such section.
 */
int elf_find_section(struct elf_file *ef, const char *name,
		     struct elf_shdr *out, int *found, struct strbuf *err);
/* Section number idx; -1 with err when there is none. */
int elf_section_at(struct elf_file *ef, uint64_t idx, struct elf_shdr *out, struct strbuf *err);
/* Maps a virtual address range to a file offset through the PT_LOAD segments. */
int elf_vaddr_to_offset(const struct elf_file *ef, uint64_t addr, uint64_t len, uint64_t *off);

#endif
