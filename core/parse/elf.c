/*
 * Reading ELF files as hostile input: every read goes through elf_read(),
 * which checks the range against the input size, and every count taken
 * from the input is capped before anything is allocated for it. 32 and 64
 * bit, both byte orders. Used by the build info reader and the goroutine
 * census (its symbol table and DWARF).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse/elf.h"
#include "base/io.h"
#include "base/strbuf.h"

void elf_file_init(struct elf_file *ef, const char *name, const char *what)
{
	memset(ef, 0, sizeof(*ef));
	ef->name = name;
	ef->what = what;
	ef->fd = -1;
}

void elf_file_release(struct elf_file *ef)
{
	free(ef->loads);
	ef->loads = NULL;
	ef->nr_loads = ef->alloc_loads = 0;
}

int elf_error(const struct elf_file *ef, struct strbuf *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	error_set(err, "cannot read %s from '%s': ", ef->what, ef->name);
	va_start(ap, fmt);
	strbuf_vaddf(err, fmt, ap);
	va_end(ap);
	return -1;
}

/* Reads exactly len bytes at off; what names them in the error. */
int elf_read(const struct elf_file *ef, uint64_t off, size_t len,
		    void *buf, const char *what, struct strbuf *err)
{
	unsigned char *p = buf;
	ssize_t done;

	if (off > ef->size || len > ef->size - off)
		return elf_error(ef, err, "%s at offset %llu (%zu bytes) past end of file (%llu bytes)",
				what, (unsigned long long)off, len,
				(unsigned long long)ef->size);
	if (ef->mem) {
		memcpy(buf, ef->mem + off, len);
		return 0;
	}
	done = pread_full(ef->fd, p, len, off);
	if (done < 0)
		return elf_error(ef, err, "cannot read %s: %s", what, strerror(errno));
	if ((size_t)done < len)
		return elf_error(ef, err, "cannot read %s: file shrank while reading", what);
	return 0;
}

uint64_t elf_get_uint(const unsigned char *p, unsigned width, int big_endian)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < width; i++) {
		unsigned shift = big_endian ? 8 * (width - 1 - i) : 8 * i;

		v |= (uint64_t)p[i] << shift;
	}
	return v;
}

uint64_t elf_u16(const struct elf_file *ef, const unsigned char *p)
{
	return elf_get_uint(p, 2, ef->big_endian);
}

uint64_t elf_u32(const struct elf_file *ef, const unsigned char *p)
{
	return elf_get_uint(p, 4, ef->big_endian);
}

/* An address, offset or size: Elf32_Addr/Off/Word or their 64-bit forms. */
uint64_t elf_addr(const struct elf_file *ef, const unsigned char *p)
{
	return elf_get_uint(p, ef->is64 ? 8 : 4, ef->big_endian);
}

/* p points at a section header of at least 40 (ELF32) or 64 (ELF64) bytes. */
static void elf_decode_shdr(const struct elf_file *ef, const unsigned char *p,
			    struct elf_shdr *sh)
{
	sh->name = (uint32_t)elf_u32(ef, p);
	sh->type = (uint32_t)elf_u32(ef, p + 4);
	sh->flags = elf_addr(ef, p + 8);
	if (ef->is64) {
		sh->offset = elf_addr(ef, p + 24);
		sh->size = elf_addr(ef, p + 32);
		sh->link = (uint32_t)elf_u32(ef, p + 40);
		sh->info = (uint32_t)elf_u32(ef, p + 44);
		sh->entsize = elf_addr(ef, p + 56);
	} else {
		sh->offset = elf_addr(ef, p + 16);
		sh->size = elf_addr(ef, p + 20);
		sh->link = (uint32_t)elf_u32(ef, p + 24);
		sh->info = (uint32_t)elf_u32(ef, p + 28);
		sh->entsize = elf_addr(ef, p + 36);
	}
}

int elf_read_header(struct elf_file *ef, struct strbuf *err)
{
	unsigned char eh[64];
	unsigned char sh0[64];
	size_t have = ef->size < sizeof(eh) ? (size_t)ef->size : sizeof(eh);
	size_t ehsize, min_phent, min_shent;
	struct elf_shdr first;

	if (elf_read(ef, 0, have, eh, "ELF header", err) < 0)
		return -1;
	if (have < 4 || memcmp(eh, "\x7f" "ELF", 4))
		return elf_error(ef, err, "not an ELF file");
	if (have < 16)
		return elf_error(ef, err, "truncated ELF header");
	switch (eh[4]) {
	case 1: ef->is64 = 0; break;
	case 2: ef->is64 = 1; break;
	default: return elf_error(ef, err, "unsupported ELF class %u", eh[4]);
	}
	switch (eh[5]) {
	case 1: ef->big_endian = 0; break;
	case 2: ef->big_endian = 1; break;
	default: return elf_error(ef, err, "unsupported ELF byte order %u", eh[5]);
	}
	ehsize = ef->is64 ? 64 : 52;
	if (have < ehsize)
		return elf_error(ef, err, "truncated ELF header");

	ef->type = (unsigned)elf_u16(ef, eh + 16);
	ef->machine = (unsigned)elf_u16(ef, eh + 18);
	if (ef->is64) {
		ef->phoff = elf_addr(ef, eh + 32);
		ef->shoff = elf_addr(ef, eh + 40);
		ef->phentsize = (unsigned)elf_u16(ef, eh + 54);
		ef->phnum = elf_u16(ef, eh + 56);
		ef->shentsize = (unsigned)elf_u16(ef, eh + 58);
		ef->shnum = elf_u16(ef, eh + 60);
		ef->shstrndx = elf_u16(ef, eh + 62);
	} else {
		ef->phoff = elf_addr(ef, eh + 28);
		ef->shoff = elf_addr(ef, eh + 32);
		ef->phentsize = (unsigned)elf_u16(ef, eh + 42);
		ef->phnum = elf_u16(ef, eh + 44);
		ef->shentsize = (unsigned)elf_u16(ef, eh + 46);
		ef->shnum = elf_u16(ef, eh + 48);
		ef->shstrndx = elf_u16(ef, eh + 50);
	}
	min_phent = ef->is64 ? 56 : 32;
	min_shent = ef->is64 ? 64 : 40;
	if (ef->phnum && (ef->phentsize < min_phent || ef->phentsize > ELF_MAX_ENTSIZE))
		return elf_error(ef, err, "bad program header size %u", ef->phentsize);
	if (!ef->shoff) {
		ef->shnum = 0;
		return 0;
	}
	if (ef->shentsize < min_shent || ef->shentsize > ELF_MAX_ENTSIZE)
		return elf_error(ef, err, "bad section header size %u", ef->shentsize);

	/*
	 * Counts too large for the 16-bit header fields live in section 0
	 * (extended numbering); read it only when one of them needs it.
	 */
	if (ef->shnum && ef->phnum != ELF_PN_XNUM && ef->shstrndx != ELF_SHN_XINDEX)
		return 0;
	if (elf_read(ef, ef->shoff, min_shent, sh0, "section header 0", err) < 0)
		return -1;
	elf_decode_shdr(ef, sh0, &first);
	if (!ef->shnum)
		ef->shnum = first.size;
	if (ef->shstrndx == ELF_SHN_XINDEX)
		ef->shstrndx = first.link;
	if (ef->phnum == ELF_PN_XNUM)
		ef->phnum = first.info;
	return 0;
}

/*
 * Reads a header table (nr entries of entsize bytes at off) into a new
 * *tab; the bound on nr keeps a hostile count from allocating gigabytes.
 */
static int elf_read_table(const struct elf_file *ef, uint64_t off, uint64_t nr, unsigned entsize,
			  uint64_t max, const char *what, unsigned char **tab, struct strbuf *err)
{
	size_t tabsize;

	*tab = NULL;
	if (nr > max)
		return elf_error(ef, err, "too many %s (%llu)", what, (unsigned long long)nr);
	tabsize = (size_t)nr * entsize;
	*tab = xmalloc(tabsize);
	return elf_read(ef, off, tabsize, *tab, what, err);
}

int elf_read_segments(struct elf_file *ef, struct strbuf *err)
{
	unsigned char *tab = NULL;
	size_t i;
	int ret = -1;

	if (!ef->phnum)
		return 0;
	if (elf_read_table(ef, ef->phoff, ef->phnum, ef->phentsize, ELF_MAX_PHDRS,
			   "program headers", &tab, err) < 0)
		goto cleanup;
	for (i = 0; i < ef->phnum; i++) {
		const unsigned char *p = tab + i * ef->phentsize;
		struct elf_load *l;

		if (elf_u32(ef, p) != ELF_PT_LOAD)
			continue;
		ALLOC_GROW(ef->loads, ef->nr_loads + 1, ef->alloc_loads);
		l = &ef->loads[ef->nr_loads++];
		if (ef->is64) {
			l->flags = (uint32_t)elf_u32(ef, p + 4);
			l->offset = elf_addr(ef, p + 8);
			l->vaddr = elf_addr(ef, p + 16);
			l->filesz = elf_addr(ef, p + 32);
		} else {
			l->offset = elf_addr(ef, p + 4);
			l->vaddr = elf_addr(ef, p + 8);
			l->filesz = elf_addr(ef, p + 16);
			l->flags = (uint32_t)elf_u32(ef, p + 24);
		}
	}
	ret = 0;
cleanup:
	free(tab);
	return ret;
}

/*
 * Looks up the section called name. *found stays 0 when the file has no
 * section headers, no usable name table or no such section: the caller
 * then falls back to the segments, as the Go toolchain does.
 */
int elf_find_section(struct elf_file *ef, const char *name,
			    struct elf_shdr *out, int *found, struct strbuf *err)
{
	unsigned char *tab = NULL;
	char *names = NULL;
	size_t namesize, want = strlen(name) + 1;
	struct elf_shdr strtab, sh;
	uint64_t i;
	int ret = -1;

	*found = 0;
	if (!ef->shnum)
		return 0;
	if (elf_read_table(ef, ef->shoff, ef->shnum, ef->shentsize, ELF_MAX_SHDRS,
			   "section headers", &tab, err) < 0)
		goto cleanup;
	if (!ef->shstrndx || ef->shstrndx >= ef->shnum) {
		ret = 0;
		goto cleanup;
	}
	elf_decode_shdr(ef, tab + ef->shstrndx * ef->shentsize, &strtab);
	if (strtab.type == ELF_SHT_NOBITS) {
		ret = 0;
		goto cleanup;
	}
	/* Names past the cap simply never match. */
	namesize = strtab.size < ELF_SHSTRTAB_MAX ? (size_t)strtab.size : ELF_SHSTRTAB_MAX;
	names = xmalloc(namesize + 1);
	if (elf_read(ef, strtab.offset, namesize, names, "section name table", err) < 0)
		goto cleanup;
	names[namesize] = '\0';

	for (i = 1; i < ef->shnum; i++) {
		elf_decode_shdr(ef, tab + i * ef->shentsize, &sh);
		if (sh.name >= namesize || namesize - sh.name < want ||
		    memcmp(names + sh.name, name, want))
			continue;
		*out = sh;
		*found = 1;
		break;
	}
	ret = 0;
cleanup:
	free(names);
	free(tab);
	return ret;
}

/* Maps a virtual address range to a file offset through the PT_LOAD segments. */
int elf_vaddr_to_offset(const struct elf_file *ef, uint64_t addr, uint64_t len,
			       uint64_t *off)
{
	size_t i;

	for (i = 0; i < ef->nr_loads; i++) {
		const struct elf_load *l = &ef->loads[i];
		uint64_t rel;

		if (addr < l->vaddr)
			continue;
		rel = addr - l->vaddr;
		if (rel >= l->filesz || len > l->filesz - rel)
			continue;
		if (l->offset > UINT64_MAX - rel)
			return -1;
		*off = l->offset + rel;
		return 0;
	}
	return -1;
}

int elf_section_at(struct elf_file *ef, uint64_t idx, struct elf_shdr *out, struct strbuf *err)
{
	unsigned char buf[ELF_MAX_ENTSIZE];

	if (!idx || idx >= ef->shnum)
		return elf_error(ef, err, "no section %llu", (unsigned long long)idx);
	if (ef->shoff > UINT64_MAX - idx * ef->shentsize ||
	    elf_read(ef, ef->shoff + idx * ef->shentsize, ef->shentsize, buf, "section header", err) < 0)
		return -1;
	elf_decode_shdr(ef, buf, out);
	return 0;
}
