/*
 * Unit test of the Go build info reader (core/parse/buildinfo.c) on hostile and
 * synthetic input. Real Go binaries are compared with "go version -m" in
 * tests/buildinfo.sh; here we build small ELF images in memory, by hand, to
 * reach the cases no toolchain produces: the pre-1.18 pointer format,
 * big-endian, truncated and corrupted headers, absurd lengths.
 *
 * Prints every failed check and exits non-zero if there was one.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse/buildinfo.h"
#include "base/strbuf.h"
#include "check.h"

/* --- building synthetic ELF images ---------------------------------------- */

#define SYNTH_TEXT_VADDR 0x10000u
#define SYNTH_DATA_VADDR 0x20000u
#define SYNTH_DATA_OFF 0x200u
#define PT_LOAD 1
#define PF_X 1
#define PF_W 2
#define PF_R 4

/* A hand-made ELF image and where its patchable fields are. */
struct synth_elf {
	unsigned char *buf;
	size_t len;
	int is64, big;
	size_t shoff;		/* 0 without section headers */
	size_t buildinfo_shdr;	/* file offset of the .go.buildinfo section header */
};

static void put(unsigned char *p, uint64_t v, unsigned width, int big)
{
	unsigned i;

	for (i = 0; i < width; i++)
		p[big ? width - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/*
 * An executable with a text segment (headers) and a writable data segment
 * holding blob at SYNTH_DATA_VADDR; with_sections adds a section table
 * naming the blob .go.buildinfo.
 */
static void synth_elf_build(struct synth_elf *e, int is64, int big,
			    const unsigned char *blob, size_t blob_len, int with_sections)
{
	static const char shstrtab[] = "\0.go.buildinfo\0.shstrtab";
	size_t ehsize = is64 ? 64 : 52, phentsize = is64 ? 56 : 32;
	size_t shentsize = is64 ? 64 : 40, w = is64 ? 8 : 4;
	size_t strtab_off = align8(SYNTH_DATA_OFF + blob_len);
	size_t shoff = align8(strtab_off + sizeof(shstrtab));
	size_t len = with_sections ? shoff + 3 * shentsize : SYNTH_DATA_OFF + blob_len;
	unsigned char *b = calloc(1, len);
	unsigned char *ph, *sh;
	int i;

	if (!b)
		abort();
	memcpy(b, "\x7f" "ELF", 4);
	b[4] = is64 ? 2 : 1;
	b[5] = big ? 2 : 1;
	b[6] = 1;
	put(b + 16, 2, 2, big);			/* ET_EXEC */
	put(b + 18, is64 ? 62 : 3, 2, big);	/* x86-64 / i386: any will do */
	put(b + 20, 1, 4, big);
	put(b + (is64 ? 32 : 28), ehsize, w, big);		/* e_phoff */
	put(b + (is64 ? 40 : 32), with_sections ? shoff : 0, w, big);
	put(b + (is64 ? 52 : 40), ehsize, 2, big);
	put(b + (is64 ? 54 : 42), phentsize, 2, big);
	put(b + (is64 ? 56 : 44), 2, 2, big);
	put(b + (is64 ? 58 : 46), shentsize, 2, big);
	put(b + (is64 ? 60 : 48), with_sections ? 3 : 0, 2, big);
	put(b + (is64 ? 62 : 50), with_sections ? 2 : 0, 2, big);

	for (i = 0; i < 2; i++) {
		uint64_t off = i ? SYNTH_DATA_OFF : 0;
		uint64_t vaddr = i ? SYNTH_DATA_VADDR : SYNTH_TEXT_VADDR;
		uint64_t size = i ? blob_len : SYNTH_DATA_OFF;
		uint32_t flags = i ? PF_R | PF_W : PF_R | PF_X;

		ph = b + ehsize + i * phentsize;
		put(ph, PT_LOAD, 4, big);
		if (is64) {
			put(ph + 4, flags, 4, big);
			put(ph + 8, off, 8, big);
			put(ph + 16, vaddr, 8, big);
			put(ph + 24, vaddr, 8, big);
			put(ph + 32, size, 8, big);
			put(ph + 40, size, 8, big);
			put(ph + 48, 0x1000, 8, big);
		} else {
			put(ph + 4, off, 4, big);
			put(ph + 8, vaddr, 4, big);
			put(ph + 12, vaddr, 4, big);
			put(ph + 16, size, 4, big);
			put(ph + 20, size, 4, big);
			put(ph + 24, flags, 4, big);
			put(ph + 28, 0x1000, 4, big);
		}
	}
	memcpy(b + SYNTH_DATA_OFF, blob, blob_len);

	e->shoff = 0;
	e->buildinfo_shdr = 0;
	if (with_sections) {
		memcpy(b + strtab_off, shstrtab, sizeof(shstrtab));
		for (i = 1; i < 3; i++) {
			sh = b + shoff + i * shentsize;
			put(sh, i == 1 ? 1 : 15, 4, big);	/* name offsets */
			put(sh + 4, i == 1 ? 1 : 3, 4, big);	/* PROGBITS, STRTAB */
			if (is64) {
				put(sh + 16, i == 1 ? SYNTH_DATA_VADDR : 0, 8, big);
				put(sh + 24, i == 1 ? SYNTH_DATA_OFF : strtab_off, 8, big);
				put(sh + 32, i == 1 ? blob_len : sizeof(shstrtab), 8, big);
			} else {
				put(sh + 12, i == 1 ? SYNTH_DATA_VADDR : 0, 4, big);
				put(sh + 16, i == 1 ? SYNTH_DATA_OFF : strtab_off, 4, big);
				put(sh + 20, i == 1 ? blob_len : sizeof(shstrtab), 4, big);
			}
		}
		e->shoff = shoff;
		e->buildinfo_shdr = shoff + shentsize;
	}
	e->buf = b;
	e->len = len;
	e->is64 = is64;
	e->big = big;
}

static void synth_elf_release(struct synth_elf *e)
{
	free(e->buf);
	e->buf = NULL;
}

/* Any 16 bytes do: the reader only checks the framing's length and newline. */
static const char sentinel_start[] = "synthetic-start>";
static const char sentinel_end[] = "<synthetic-end..";

static const char synth_modinfo[] =
	"path\texample.com/synthetic/cmd\n"
	"mod\texample.com/synthetic\tv0.1.0\th1:abc=\n"
	"dep\texample.com/a\tv1.0.0\th1:aaa=\n"
	"dep\texample.com/b\tv2.0.0\n"
	"=>\t../b\t\t\n"
	"build\t-compiler=gc\n"
	"build\t-ldflags=\"-X main.v=1 -s\"\n"
	"build\t\"odd key\"=`raw\tvalue`\n"
	"build\tGOOS=linux\n";

static const char synth_expected[] =
	"NAME: go1.16.15\n"
	"\tpath\texample.com/synthetic/cmd\n"
	"\tmod\texample.com/synthetic\tv0.1.0\th1:abc=\n"
	"\tdep\texample.com/a\tv1.0.0\th1:aaa=\n"
	"\tdep\texample.com/b\tv2.0.0\n"
	"\t=>\t../b\t\t\n"
	"\t\n"
	"\tbuild\t-compiler=gc\n"
	"\tbuild\t-ldflags=\"-X main.v=1 -s\"\n"
	"\tbuild\t\"odd key\"=\"raw\\tvalue\"\n"
	"\tbuild\tGOOS=linux\n";

static void framed_modinfo(struct strbuf *mod)
{
	strbuf_add(mod, sentinel_start, 16);
	strbuf_addstr(mod, synth_modinfo);
	strbuf_add(mod, sentinel_end, 16);
}

/*
 * The pre-1.18 layout: a decoy magic at an unaligned offset, the header at
 * offset 48, then two Go string headers {ptr, len}, then the bytes.
 */
static void pointer_blob(struct strbuf *blob, unsigned ptrsize, int big, const char *vers)
{
	struct strbuf mod = STRBUF_INIT;
	unsigned char *b;
	size_t hdr = 48, strhdr = hdr + 32, bytes = strhdr + 4 * ptrsize;
	size_t vlen = strlen(vers);

	framed_modinfo(&mod);
	strbuf_reset(blob);
	strbuf_grow(blob, bytes + vlen + mod.len);
	memset(blob->buf, 0, bytes);
	blob->len = bytes;
	b = (unsigned char *)blob->buf;
	memcpy(b + 3, "\xff Go buildinf:", 14);
	memcpy(b + hdr, "\xff Go buildinf:", 14);
	b[hdr + 14] = (unsigned char)ptrsize;
	b[hdr + 15] = big ? 1 : 0;
	put(b + hdr + 16, SYNTH_DATA_VADDR + strhdr, ptrsize, big);
	put(b + hdr + 16 + ptrsize, SYNTH_DATA_VADDR + strhdr + 2 * ptrsize, ptrsize, big);
	put(b + strhdr, SYNTH_DATA_VADDR + bytes, ptrsize, big);
	put(b + strhdr + ptrsize, vlen, ptrsize, big);
	put(b + strhdr + 2 * ptrsize, SYNTH_DATA_VADDR + bytes + vlen, ptrsize, big);
	put(b + strhdr + 3 * ptrsize, mod.len, ptrsize, big);
	strbuf_add(blob, vers, vlen);
	strbuf_add(blob, mod.buf, mod.len);
	strbuf_release(&mod);
}

static void add_uvarint(struct strbuf *sb, uint64_t v)
{
	while (v >= 0x80) {
		strbuf_addch(sb, (char)(v | 0x80));
		v >>= 7;
	}
	strbuf_addch(sb, (char)v);
}

/* The Go >= 1.18 layout: header, then two uvarint-prefixed strings. */
static void inline_blob(struct strbuf *blob, const char *vers, const char *mod, size_t mod_len)
{
	static const unsigned char hdr[32] = "\xff Go buildinf:\x08\x02";

	strbuf_reset(blob);
	strbuf_add(blob, hdr, sizeof(hdr));
	add_uvarint(blob, strlen(vers));
	strbuf_addstr(blob, vers);
	add_uvarint(blob, mod_len);
	strbuf_add(blob, mod, mod_len);
}

/* --- helpers --------------------------------------------------------------- */

static void expect_error(const unsigned char *data, size_t len, const char *want,
			 const char *what)
{
	struct buildinfo bi;
	struct strbuf err = STRBUF_INIT;

	buildinfo_init(&bi);
	CHECK(buildinfo_parse(&bi, data, len, "NAME", &err) < 0,
	      "%s: parsed without error", what);
	CHECK(strstr(strbuf_str(&err), want) != NULL,
	      "%s: error '%s' does not contain '%s'", what, strbuf_str(&err), want);
	CHECK(!strncmp(strbuf_str(&err), "cannot read build info from 'NAME': ", 36),
	      "%s: error '%s' does not name the input", what, strbuf_str(&err));
	CHECK(!bi.go_version && !bi.nr_deps && !bi.nr_settings,
	      "%s: result not released after failure", what);
	buildinfo_release(&bi);
	strbuf_release(&err);
}

/* Parses without judging the outcome: hostile input must only not crash or leak. */
static int parse_quietly(const unsigned char *data, size_t len)
{
	struct buildinfo bi;
	struct strbuf err = STRBUF_INIT;
	int ret;

	buildinfo_init(&bi);
	ret = buildinfo_parse(&bi, data, len, "fuzz", &err);
	if (ret < 0)
		CHECK(err.len > 0, "failure without a message");
	else
		CHECK(bi.go_version != NULL, "success without a go version");
	buildinfo_release(&bi);
	strbuf_release(&err);
	return ret;
}

static void expect_format(const struct buildinfo *bi, const char *want, const char *what)
{
	struct strbuf out = STRBUF_INIT;

	buildinfo_format(bi, "NAME", &out);
	CHECK(!strcmp(strbuf_str(&out), want), "%s: formatted as\n%s\nwanted\n%s",
	      what, strbuf_str(&out), want);
	strbuf_release(&out);
}

/* A small deterministic generator, so a failure reproduces. */
static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Truncates at every length and flips random bytes: nothing may crash. */
static void mutate_all(const struct synth_elf *e, const char *what)
{
	unsigned char *copy = malloc(e->len);
	size_t n;
	int round, k;

	if (!copy)
		abort();
	for (n = 0; n < e->len; n++) {
		memcpy(copy, e->buf, n);
		CHECK(parse_quietly(copy, n) < 0, "%s: truncated to %zu bytes parsed", what, n);
	}
	for (round = 0; round < 3000; round++) {
		memcpy(copy, e->buf, e->len);
		for (k = 0; k < 1 + (int)(rng() % 4); k++)
			copy[rng() % e->len] = (unsigned char)rng();
		parse_quietly(copy, e->len);
	}
	free(copy);
}

/* --- the tests ------------------------------------------------------------- */

static void test_garbage(void)
{
	static const unsigned char empty[1];
	unsigned char buf[4096];
	size_t i;
	int round;

	expect_error(empty, 0, "not an ELF file", "empty buffer");
	expect_error(NULL, 0, "not an ELF file", "NULL buffer");
	expect_error((const unsigned char *)"MZ\x90\x00", 4, "not an ELF file", "PE file");
	expect_error((const unsigned char *)"\x7f" "ELF\x02\x01\x01", 7,
		     "truncated ELF header", "identification cut short");

	for (round = 0; round < 200; round++) {
		size_t len = rng() % sizeof(buf);

		for (i = 0; i < len; i++)
			buf[i] = (unsigned char)rng();
		/* half the rounds get past the magic check into the header parser */
		if (round % 2 && len >= 6) {
			memcpy(buf, "\x7f" "ELF", 4);
			buf[4] = (unsigned char)(1 + rng() % 2);
			buf[5] = (unsigned char)(1 + rng() % 2);
		}
		CHECK(parse_quietly(buf, len) < 0, "random bytes (round %d) parsed", round);
	}
}

static void test_truncated_header(void)
{
	unsigned char buf[64] = "\x7f" "ELF\x02\x01\x01";

	expect_error(buf, 40, "truncated ELF header", "ELF64 header of 40 bytes");
	buf[4] = 1;
	expect_error(buf, 51, "truncated ELF header", "ELF32 header of 51 bytes");
	buf[4] = 3;
	expect_error(buf, 64, "unsupported ELF class 3", "ELF class 3");
	buf[4] = 2;
	buf[5] = 7;
	expect_error(buf, 64, "unsupported ELF byte order 7", "ELF byte order 7");
}

static void test_synthetic_pointer_format(int is64, int big)
{
	struct strbuf blob = STRBUF_INIT, what = STRBUF_INIT;
	struct synth_elf e;
	struct buildinfo bi;
	struct strbuf err = STRBUF_INIT;
	int with_sections;

	strbuf_addf(&what, "synthetic pointer-format ELF%d %s", is64 ? 64 : 32,
		    big ? "big-endian" : "little-endian");
	pointer_blob(&blob, is64 ? 8 : 4, big, "go1.16.15");
	for (with_sections = 0; with_sections < 2; with_sections++) {
		synth_elf_build(&e, is64, big, (unsigned char *)blob.buf, blob.len, with_sections);
		buildinfo_init(&bi);
		if (buildinfo_parse(&bi, e.buf, e.len, "NAME", &err) < 0) {
			CHECK(0, "%s: %s", what.buf, err.buf);
		} else {
			CHECK(!strcmp(bi.go_version, "go1.16.15"), "%s: go version %s",
			      what.buf, bi.go_version);
			CHECK(bi.path && !strcmp(bi.path, "example.com/synthetic/cmd"),
			      "%s: path", what.buf);
			CHECK(bi.main.path && !strcmp(bi.main.path, "example.com/synthetic") &&
			      !strcmp(bi.main.version, "v0.1.0") &&
			      !strcmp(bi.main.sum, "h1:abc=") && !bi.main.replace,
			      "%s: main module", what.buf);
			CHECK(bi.nr_deps == 2, "%s: %zu deps", what.buf, bi.nr_deps);
			if (bi.nr_deps == 2) {
				CHECK(!strcmp(bi.deps[0].path, "example.com/a") &&
				      !strcmp(bi.deps[0].sum, "h1:aaa=") && !bi.deps[0].replace,
				      "%s: first dep", what.buf);
				CHECK(!strcmp(bi.deps[1].path, "example.com/b") &&
				      !strcmp(bi.deps[1].sum, "") && bi.deps[1].replace &&
				      !strcmp(bi.deps[1].replace->path, "../b") &&
				      !strcmp(bi.deps[1].replace->version, ""),
				      "%s: replaced dep", what.buf);
			}
			CHECK(bi.nr_settings == 4, "%s: %zu settings", what.buf, bi.nr_settings);
			if (bi.nr_settings == 4) {
				CHECK(!strcmp(bi.settings[1].key, "-ldflags") &&
				      !strcmp(bi.settings[1].value, "-X main.v=1 -s"),
				      "%s: quoted value", what.buf);
				CHECK(!strcmp(bi.settings[2].key, "odd key") &&
				      !strcmp(bi.settings[2].value, "raw\tvalue"),
				      "%s: quoted key, raw value", what.buf);
			}
			expect_format(&bi, synth_expected, what.buf);
		}
		buildinfo_release(&bi);
		if (with_sections)
			mutate_all(&e, what.buf);
		synth_elf_release(&e);
	}
	strbuf_release(&err);
	strbuf_release(&what);
	strbuf_release(&blob);
}

static void test_synthetic_inline_format(void)
{
	struct strbuf blob = STRBUF_INIT, mod = STRBUF_INIT, err = STRBUF_INIT;
	struct synth_elf e;
	struct buildinfo bi;
	char path[] = "/tmp/unit-buildinfo.XXXXXX";
	int fd;

	framed_modinfo(&mod);
	inline_blob(&blob, "go1.16.15", mod.buf, mod.len);
	synth_elf_build(&e, 1, 0, (unsigned char *)blob.buf, blob.len, 1);
	buildinfo_init(&bi);
	if (buildinfo_parse(&bi, e.buf, e.len, "NAME", &err) < 0)
		CHECK(0, "synthetic inline ELF: %s", err.buf);
	else
		expect_format(&bi, synth_expected, "synthetic inline ELF");

	/* the same image through a file: the pread path */
	fd = mkstemp(path);
	CHECK(fd >= 0, "cannot create %s", path);
	if (fd >= 0) {
		CHECK(write(fd, e.buf, e.len) == (ssize_t)e.len, "cannot write %s", path);
		close(fd);
		if (buildinfo_read_file(&bi, path, &err) < 0)
			CHECK(0, "synthetic inline ELF file: %s", err.buf);
		else
			CHECK(bi.nr_deps == 2 && !strcmp(bi.go_version, "go1.16.15"),
			      "synthetic inline ELF file: wrong content");
		/* and truncated on disk, so reads run past the end of the file */
		CHECK(truncate(path, (off_t)(e.len - 8)) == 0, "cannot truncate %s", path);
		CHECK(buildinfo_read_file(&bi, path, &err) < 0 &&
		      strstr(err.buf, "past end of file"),
		      "synthetic inline ELF file truncated: %s", strbuf_str(&err));
		unlink(path);
	}
	mutate_all(&e, "synthetic inline ELF");
	synth_elf_release(&e);

	/* module info without its framing counts as none, as in Go */
	inline_blob(&blob, "go1.20", "path\tx\n", 7);
	synth_elf_build(&e, 1, 0, (unsigned char *)blob.buf, blob.len, 1);
	CHECK(buildinfo_parse(&bi, e.buf, e.len, "NAME", &err) == 0 &&
	      !bi.path && !bi.nr_settings, "unframed module info: %s", strbuf_str(&err));
	expect_format(&bi, "NAME: go1.20\n", "unframed module info");
	synth_elf_release(&e);

	/* an empty go version is no Go binary */
	inline_blob(&blob, "", "", 0);
	synth_elf_build(&e, 1, 0, (unsigned char *)blob.buf, blob.len, 1);
	expect_error(e.buf, e.len, "not a Go binary (empty go version)", "empty go version");
	synth_elf_release(&e);

	buildinfo_release(&bi);
	strbuf_release(&err);
	strbuf_release(&mod);
	strbuf_release(&blob);
}

static void test_huge_lengths(void)
{
	static const unsigned char hdr[32] = "\xff Go buildinf:\x08\x02";
	struct strbuf blob = STRBUF_INIT;
	struct synth_elf e;
	int i;

	/* 2^64-1: ten bytes */
	strbuf_add(&blob, hdr, 32);
	for (i = 0; i < 9; i++)
		strbuf_addch(&blob, (char)0xff);
	strbuf_addch(&blob, 0x01);
	strbuf_addstr(&blob, "go1.21");
	synth_elf_build(&e, 1, 0, (unsigned char *)blob.buf, blob.len, 1);
	expect_error(e.buf, e.len, "go version length 18446744073709551615 over the",
		     "varint length 2^64-1");
	synth_elf_release(&e);

	/* a varint that overflows 64 bits */
	strbuf_reset(&blob);
	strbuf_add(&blob, hdr, 32);
	for (i = 0; i < 12; i++)
		strbuf_addch(&blob, (char)0xff);
	synth_elf_build(&e, 1, 0, (unsigned char *)blob.buf, blob.len, 1);
	expect_error(e.buf, e.len, "malformed go version length", "overlong varint");
	synth_elf_release(&e);

	/* within the cap but past the end of the file */
	strbuf_reset(&blob);
	strbuf_add(&blob, hdr, 32);
	add_uvarint(&blob, 1000000);
	strbuf_addstr(&blob, "go1.21");
	synth_elf_build(&e, 1, 0, (unsigned char *)blob.buf, blob.len, 1);
	expect_error(e.buf, e.len, "past end of file", "varint length past the end");
	synth_elf_release(&e);

	/* pointer format: a string header claiming 4 GiB */
	pointer_blob(&blob, 8, 0, "go1.16");
	put((unsigned char *)blob.buf + 48 + 32 + 8, 0xffffffffu, 8, 0);
	synth_elf_build(&e, 1, 0, (unsigned char *)blob.buf, blob.len, 0);
	expect_error(e.buf, e.len, "go version length 4294967295 over the", "huge Go string length");
	synth_elf_release(&e);

	/* pointer format: a string header outside every segment */
	pointer_blob(&blob, 8, 0, "go1.16");
	put((unsigned char *)blob.buf + 48 + 16 + 8, 0xdead0000u, 8, 0);
	synth_elf_build(&e, 1, 0, (unsigned char *)blob.buf, blob.len, 0);
	expect_error(e.buf, e.len, "module info header address 0xdead0000 is not in the file",
		     "unmapped string header");
	synth_elf_release(&e);

	/* pointer format: string bytes outside every segment */
	pointer_blob(&blob, 8, 0, "go1.16");
	put((unsigned char *)blob.buf + 48 + 32 + 16, 0xdead0000u, 8, 0);
	synth_elf_build(&e, 1, 0, (unsigned char *)blob.buf, blob.len, 0);
	expect_error(e.buf, e.len, "module info address 0xdead0000 (", "unmapped string bytes");
	synth_elf_release(&e);

	/* pointer format: a pointer size that is neither 4 nor 8 */
	pointer_blob(&blob, 8, 0, "go1.16");
	blob.buf[48 + 14] = 5;
	synth_elf_build(&e, 1, 0, (unsigned char *)blob.buf, blob.len, 0);
	expect_error(e.buf, e.len, "unsupported pointer size 5", "pointer size 5");
	synth_elf_release(&e);

	strbuf_release(&blob);
}

static void test_offsets_past_end(void)
{
	struct strbuf blob = STRBUF_INIT;
	struct synth_elf e;
	size_t off;

	pointer_blob(&blob, 8, 0, "go1.16");

	synth_elf_build(&e, 1, 0, (unsigned char *)blob.buf, blob.len, 1);
	put(e.buf + 40, 0x7fffffffffffull, 8, 0);	/* e_shoff */
	expect_error(e.buf, e.len, "section headers at offset", "e_shoff past the end");
	synth_elf_release(&e);

	synth_elf_build(&e, 1, 0, (unsigned char *)blob.buf, blob.len, 1);
	put(e.buf + 32, UINT64_MAX - 8, 8, 0);		/* e_phoff, wrapping */
	expect_error(e.buf, e.len, "program headers at offset", "e_phoff past the end");
	synth_elf_release(&e);

	synth_elf_build(&e, 1, 0, (unsigned char *)blob.buf, blob.len, 1);
	off = e.buildinfo_shdr + 24;			/* sh_offset of .go.buildinfo */
	put(e.buf + off, UINT64_MAX - 4, 8, 0);
	expect_error(e.buf, e.len, "section .go.buildinfo (offset", "section offset past the end");
	synth_elf_release(&e);

	synth_elf_build(&e, 1, 0, (unsigned char *)blob.buf, blob.len, 1);
	put(e.buf + e.buildinfo_shdr + 32, 1u << 30, 8, 0);	/* sh_size */
	expect_error(e.buf, e.len, "past end of file", "section size past the end");
	synth_elf_release(&e);

	/* no sections: the data segment's filesz past the end */
	synth_elf_build(&e, 0, 1, (unsigned char *)blob.buf, blob.len, 0);
	put(e.buf + 52 + 32 + 16, 0xfffffff0u, 4, 1);
	expect_error(e.buf, e.len, "data segment (offset", "segment size past the end");
	synth_elf_release(&e);

	/* 65535 section headers of garbage size: refused before reading */
	synth_elf_build(&e, 1, 0, (unsigned char *)blob.buf, blob.len, 1);
	put(e.buf + 58, 0xffff, 2, 0);
	expect_error(e.buf, e.len, "bad section header size 65535", "e_shentsize 65535");
	synth_elf_release(&e);

	strbuf_release(&blob);
}

static void test_magic_at_end(void)
{
	struct strbuf blob = STRBUF_INIT;
	struct synth_elf e;
	int with_sections;

	/* aligned magic with fewer than 32 bytes after it */
	strbuf_grow(&blob, 64);
	memset(blob.buf, 0, 48);
	blob.len = 48;
	strbuf_add(&blob, "\xff Go buildinf:\x08\x02", 16);
	for (with_sections = 0; with_sections < 2; with_sections++) {
		synth_elf_build(&e, 1, 0, (unsigned char *)blob.buf, blob.len, with_sections);
		expect_error(e.buf, e.len, "not a Go binary (no build info magic)",
			     "magic at the end of the area");
		synth_elf_release(&e);
	}

	/* the magic as the very last bytes of the buffer */
	blob.len = 48 + 14;
	synth_elf_build(&e, 1, 0, (unsigned char *)blob.buf, blob.len, 0);
	expect_error(e.buf, e.len, "not a Go binary", "magic at the end of the buffer");
	synth_elf_release(&e);

	/* no writable segment, no section: nowhere to look */
	synth_elf_build(&e, 1, 0, (unsigned char *)blob.buf, blob.len, 0);
	put(e.buf + 64 + 56 + 4, PF_R | PF_X, 4, 0);
	expect_error(e.buf, e.len, "not a Go binary (no .go.buildinfo section and no data segment)",
		     "no data segment");
	synth_elf_release(&e);
	strbuf_release(&blob);
}

static void test_non_go_elf(void)
{
	struct buildinfo bi;
	struct strbuf err = STRBUF_INIT, data = STRBUF_INIT;
	const char *true_path = access("/bin/true", R_OK) ? "/usr/bin/true" : "/bin/true";

	buildinfo_init(&bi);
	CHECK(buildinfo_read_file(&bi, true_path, &err) < 0, "%s parsed", true_path);
	CHECK(strstr(strbuf_str(&err), "not a Go binary") != NULL &&
	      strstr(strbuf_str(&err), true_path) != NULL,
	      "%s: error '%s'", true_path, strbuf_str(&err));
	if (strbuf_read_file(&data, true_path, 16u << 20) == 0)
		expect_error((unsigned char *)data.buf, data.len, "not a Go binary",
			     "non-Go ELF in memory");
	else
		CHECK(0, "cannot read %s", true_path);

	CHECK(buildinfo_read_file(&bi, "/nonexistent/triage-binary", &err) < 0 &&
	      !strcmp(err.buf, "cannot read build info from '/nonexistent/triage-binary': "
			       "No such file or directory"),
	      "missing file: '%s'", strbuf_str(&err));
	CHECK(buildinfo_read_file(&bi, "/", &err) < 0 && strstr(err.buf, "not a regular file"),
	      "directory: '%s'", strbuf_str(&err));
	buildinfo_release(&bi);
	strbuf_release(&data);
	strbuf_release(&err);
}

static void expect_modinfo_error(const char *text, const char *want)
{
	struct buildinfo bi;
	struct strbuf err = STRBUF_INIT;

	buildinfo_init(&bi);
	CHECK(buildinfo_parse_modinfo(&bi, text, strlen(text), "NAME", &err) < 0,
	      "module info '%s' parsed", text);
	CHECK(!strcmp(strbuf_str(&err), want), "module info '%s': error '%s', wanted '%s'",
	      text, strbuf_str(&err), want);
	buildinfo_release(&bi);
	strbuf_release(&err);
}

static void test_modinfo_lines(void)
{
	struct buildinfo bi;
	struct strbuf err = STRBUF_INIT;
	static const char ok[] =
		"future\tline kinds are ignored\n"
		"mod\tm\tv1\n"
		"=>\tr\tv2\th1:r=\n"
		"build\tK=\"\\u00e9 \\x01\\101\"\n"
		"build\tE=\n"
		"build\tno newline=at end";

	expect_modinfo_error("=>\ta\tb\tc\n",
		"cannot parse build info in 'NAME': line 1: replacement with no module on previous line");
	expect_modinfo_error("dep\ta\tb\n=>\ta\tb\tc\n=>\ta\tb\tc\n",
		"cannot parse build info in 'NAME': line 3: replacement with no module on previous line");
	expect_modinfo_error("path\tp\ndep\ta\n",
		"cannot parse build info in 'NAME': line 2: expected 2 or 3 columns");
	expect_modinfo_error("dep\ta\tb\tc\td\n",
		"cannot parse build info in 'NAME': line 1: expected 2 or 3 columns");
	expect_modinfo_error("mod\ta\tb\n=>\ta\tb\n",
		"cannot parse build info in 'NAME': line 2: expected 3 columns for replacement");
	expect_modinfo_error("build\t\n",
		"cannot parse build info in 'NAME': line 1: build line missing '='");
	expect_modinfo_error("build\t=v\n",
		"cannot parse build info in 'NAME': line 1: build line with missing key");
	expect_modinfo_error("build\tkey\n",
		"cannot parse build info in 'NAME': line 1: build line missing '=' after key");
	expect_modinfo_error("build\tk=a b\n",
		"cannot parse build info in 'NAME': line 1: unquoted value must be quoted");
	expect_modinfo_error("build\tk=\"a\" \n",
		"cannot parse build info in 'NAME': line 1: invalid quoted value in build line");
	expect_modinfo_error("build\tk=\"\\q\"\n",
		"cannot parse build info in 'NAME': line 1: invalid quoted value in build line");
	expect_modinfo_error("build\tk=\"\\ud800\"\n",
		"cannot parse build info in 'NAME': line 1: invalid quoted value in build line");
	expect_modinfo_error("build\t\"k\n",
		"cannot parse build info in 'NAME': line 1: invalid quoted key in build line");
	expect_modinfo_error("build\t\"k\"v\n",
		"cannot parse build info in 'NAME': line 1: build line missing '=' after quoted key");

	buildinfo_init(&bi);
	CHECK(buildinfo_parse_modinfo(&bi, ok, strlen(ok), "NAME", &err) == 0,
	      "module info: %s", strbuf_str(&err));
	CHECK(bi.main.replace && !strcmp(bi.main.replace->sum, "h1:r="), "replaced main module");
	CHECK(bi.nr_settings == 2 && !strcmp(bi.settings[0].value, "\xc3\xa9 \x01" "A") &&
	      !strcmp(bi.settings[1].value, ""), "unquoted setting values");
	expect_format(&bi,
		      "NAME: \n"
		      "\tmod\tm\tv1\n"
		      "\t=>\tr\tv2\th1:r=\n"
		      "\t\n"
		      "\tbuild\tK=\"\xc3\xa9 \\x01A\"\n"
		      "\tbuild\tE=\n",
		      "module info with quoting");
	buildinfo_release(&bi);
	strbuf_release(&err);
}

/* Synthetic ELF images as fuzzing seeds (tests/fuzz/corpus/buildinfo). */
static int write_seeds(const char *dir)
{
	struct strbuf blob = STRBUF_INIT, mod = STRBUF_INIT, path = STRBUF_INIT;
	struct synth_elf e;
	int is64, big, ret = 0;

	for (is64 = 0; is64 < 2; is64++) {
		for (big = 0; big < 2; big++) {
			FILE *f;

			pointer_blob(&blob, is64 ? 8 : 4, big, "go1.16.15");
			synth_elf_build(&e, is64, big, (unsigned char *)blob.buf, blob.len, is64 ^ big);
			strbuf_reset(&path);
			strbuf_addf(&path, "%s/elf%d-%s-pointer", dir, is64 ? 64 : 32, big ? "be" : "le");
			f = fopen(path.buf, "wb");
			ret |= !f || fwrite(e.buf, 1, e.len, f) != e.len || fclose(f);
			synth_elf_release(&e);
		}
	}
	framed_modinfo(&mod);
	inline_blob(&blob, "go1.16.15", mod.buf, mod.len);
	synth_elf_build(&e, 1, 0, (unsigned char *)blob.buf, blob.len, 1);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/elf64-le-inline", dir);
	{
		FILE *f = fopen(path.buf, "wb");

		ret |= !f || fwrite(e.buf, 1, e.len, f) != e.len || fclose(f);
	}
	synth_elf_release(&e);
	strbuf_release(&blob);
	strbuf_release(&mod);
	strbuf_release(&path);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write-seeds"))
		return write_seeds(argv[2]);
	test_garbage();
	test_truncated_header();
	test_offsets_past_end();
	test_huge_lengths();
	test_magic_at_end();
	test_non_go_elf();
	test_synthetic_pointer_format(1, 0);
	test_synthetic_pointer_format(0, 1);
	test_synthetic_pointer_format(0, 0);
	test_synthetic_pointer_format(1, 1);
	test_synthetic_inline_format();
	test_modinfo_lines();
	if (failures) {
		fprintf(stderr, "unit-buildinfo: %d check(s) failed\n", failures);
		return 1;
	}
	printf("unit-buildinfo: all checks passed\n");
	return 0;
}
