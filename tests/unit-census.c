/*
 * The goroutine census's walk (core/parse/census.c) over a made-up memory
 * image (tests/census-image.h): what it writes for each kind of goroutine,
 * what it leaves out, how it survives bad pointers, and that the dump
 * parser reads what it writes. tests/census.sh checks it against real Go
 * processes and their own goroutine dumps.
 *
 *   unit-census                  the checks
 *   unit-census --write-seed F   writes the image to F (the fuzz seed)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "base/strbuf.h"
#include "parse/census.h"
#include "parse/goroutines.h"

#include "check.h"
#include "census-image.h"

#define NOW_NS 1000000000000000LL

static int emit_buf(void *ctx, const char *text, size_t len)
{
	strbuf_add(ctx, text, len);
	return 0;
}

static int emit_fail(void *ctx, const char *text, size_t len)
{
	(void)ctx;
	(void)text;
	(void)len;
	return -1;
}

static void test_walk(void)
{
	static uint8_t img[IMG_SIZE];
	struct img_reader rd = { img, IMG_SIZE, 0 };
	struct census_layout l;
	struct census_symbols s;
	struct census_stats st;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct goroutine_dump d;
	const struct goroutine *g;

	img_build(img, NOW_NS);
	img_layout(&l);
	img_symbols(&s);
	CHECK_INT(census_walk(&l, &s, img_read, &rd, NOW_NS, emit_buf, &out, &st, &err), 0);
	CHECK_INT(st.slots, 8);
	CHECK_INT(st.goroutines, 5);	/* 1, 7, 8, 11, 12 */
	CHECK_INT(st.system, 1);	/* 10, started in runtime.bgsweep */
	CHECK_INT(st.unreadable, 1);	/* the NULL slot */
	CHECK(!st.truncated, "not truncated");

	goroutine_dump_init(&d);
	CHECK_INT(goroutines_parse(&d, out.buf, out.len, &err), 0);
	CHECK_INT(d.nr, 5);
	CHECK(!d.truncated, "the parser takes the census whole:\n%s", out.buf);
	CHECK(!goroutines_find(&d, 9), "the dead goroutine is left out");
	CHECK(!goroutines_find(&d, 10), "the runtime's own goroutine is left out");

	/* goroutine 1: the runtime's unexported frames hidden, as the runtime's traceback does; no creator */
	g = goroutines_find(&d, 1);
	CHECK(g && g->nr_frames == 2, "goroutine 1 has 2 frames:\n%s", out.buf);
	if (g && g->nr_frames == 2) {
		CHECK_STR(g->frames[0].func, "main.(*server).Serve");
		CHECK_STR(g->frames[1].func, "main.main");
		CHECK_STR(g->state, "IO wait");
		CHECK(!g->created_by.func, "goroutine 1 has no creator");
	}
	/* goroutine 7: its wait reason, minutes from waitsince, its creator */
	g = goroutines_find(&d, 7);
	CHECK(g != NULL, "goroutine 7");
	if (g) {
		CHECK_STR(g->state, "chan receive");
		CHECK_INT(g->wait_minutes, 5);
		CHECK_INT(g->nr_frames, 1);
		CHECK_STR(g->frames[0].func, "main.worker");
		CHECK_STR(g->created_by.func, "main.main");
		CHECK(!g->locked, "not locked");
	}
	/* goroutine 8: the GC's scan bit is not a state; locked to its thread */
	g = goroutines_find(&d, 8);
	CHECK(g && g->locked && g->state && !strcmp(g->state, "chan receive"), "goroutine 8: locked, chan receive");
	/* goroutine 11 runs: its saved registers are stale, so only where it started */
	g = goroutines_find(&d, 11);
	CHECK(g && g->state && !strcmp(g->state, "running") && g->nr_frames == 1 &&
	      !strcmp(g->frames[0].func, "main.worker"), "goroutine 11: running in main.worker");
	CHECK(strstr(out.buf, "stack not read: running") != NULL, "says why the stack is missing");
	/* goroutine 12: a frame pointer off the stack ends the walk after the PC it parked at */
	g = goroutines_find(&d, 12);
	CHECK(g != NULL, "goroutine 12 is kept");
	goroutine_dump_release(&d);

	/* what the emitter refuses fails the walk */
	strbuf_reset(&err);
	CHECK_INT(census_walk(&l, &s, img_read, &rd, NOW_NS, emit_fail, NULL, &st, &err), -1);
	CHECK(strstr(err.buf, "could not be written") != NULL, "err: %s", err.buf);

	/* allgs unreadable: an error naming the address */
	strbuf_reset(&err);
	l.allgs = 0x10;
	CHECK_INT(census_walk(&l, &s, img_read, &rd, NOW_NS, emit_buf, &out, &st, &err), -1);
	CHECK(strstr(err.buf, "runtime.allgs at 0x10") != NULL, "err: %s", err.buf);

	/* a length past the cap: read up to the cap, marked truncated, no crash on the garbage */
	img_layout(&l);
	img_put(img, IMG_ALLGS + 8, (uint64_t)CENSUS_MAX_GOROUTINES * 4);
	strbuf_reset(&out);
	CHECK_INT(census_walk(&l, &s, img_read, &rd, NOW_NS, emit_buf, &out, &st, &err), 0);
	CHECK(st.truncated, "a huge allglen is cut");
	CHECK(st.goroutines == 5, "the readable goroutines are still there (%zu)", st.goroutines);

	/* no layout: refused */
	l.g_size = 0;
	CHECK_INT(census_walk(&l, &s, img_read, &rd, NOW_NS, emit_buf, &out, &st, &err), -1);
	/* a field past the bytes read of each runtime.g (hostile DWARF): refused, not read off the buffer */
	img_layout(&l);
	l.sched_pc = 8000;
	CHECK_INT(census_walk(&l, &s, img_read, &rd, NOW_NS, emit_buf, &out, &st, &err), -1);
	img_layout(&l);
	l.goid = l.g_size - 4;
	CHECK_INT(census_walk(&l, &s, img_read, &rd, NOW_NS, emit_buf, &out, &st, &err), -1);
	img_layout(&l);
	l.lockedm = UINT32_MAX - 4;	/* + 8 would wrap to a small end */
	CHECK_INT(census_walk(&l, &s, img_read, &rd, NOW_NS, emit_buf, &out, &st, &err), -1);

	strbuf_release(&out);
	strbuf_release(&err);
	census_symbols_release(&s);
}

/* A reader that also "reads" every address below the image as zeros: a stack at address 0. */
static int low_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	if (addr < IMG_BASE && len <= IMG_BASE - addr) {
		memset(buf, 0, len);
		return 0;
	}
	return img_read(ctx, addr, buf, len);
}

/*
 * A stack of fewer than 16 bytes ending below address 16, and a frame
 * pointer far above it: the walk once computed top - 16 as a huge number
 * and read the frame record 2^40 bytes into its 64 KiB buffer (ASan).
 */
static void test_tiny_stack(void)
{
	static uint8_t img[IMG_SIZE];
	struct img_reader rd = { img, IMG_SIZE, 0 };
	struct census_layout l;
	struct census_symbols s;
	struct census_stats st;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	uint64_t g = IMG_G(1);

	img_build(img, NOW_NS);
	img_put(img, g + 0, 0);			/* stack.lo */
	img_put(img, g + 8, 15);		/* stack.hi */
	img_put(img, g + 56, 8);		/* sched.sp */
	img_put(img, g + 104, 1ULL << 40);	/* sched.bp */
	img_layout(&l);
	img_symbols(&s);
	CHECK_INT(census_walk(&l, &s, low_read, &rd, NOW_NS, emit_buf, &out, &st, &err), 0);
	CHECK_INT(st.goroutines, 5);
	CHECK(strstr(out.buf, "goroutine 7 [chan receive, 5 minutes]:\n") != NULL, "goroutine 7 still written:\n%s", out.buf);
	census_symbols_release(&s);
	strbuf_release(&out);
	strbuf_release(&err);
}

static void test_symbols(void)
{
	struct census_symbols s;
	uint64_t off = 0;

	img_symbols(&s);
	CHECK_STR(census_symbol(&s, SYM_WORKER, &off), "main.worker");
	CHECK_INT(off, 0);
	CHECK_STR(census_symbol(&s, SYM_WORKER + 0xff, &off), "main.worker");
	CHECK_INT(off, 0xff);
	CHECK(!census_symbol(&s, SYM_GOPARK - 1, NULL), "below the first symbol");
	CHECK(!census_symbol(&s, SYM_GOEXIT + 0x10, NULL), "past a symbol's size");
	census_symbols_release(&s);
}

static void test_layout_refusals(void)
{
	struct census_layout l;
	struct census_symbols s;
	struct strbuf err = STRBUF_INIT;
	static const char not_elf[] = "#!/bin/sh\necho hi\n";

	census_symbols_init(&s);
	CHECK_INT(census_layout_read(&l, &s, not_elf, sizeof(not_elf), &err), -1);
	CHECK(strstr(err.buf, "not an ELF") != NULL, "err: %s", err.buf);
	census_symbols_release(&s);
	strbuf_release(&err);
}

/*
 * The layout reader on the small ELF files tests/tools/mini-go-elf.py
 * writes (the fuzz seeds): DWARF 4 and 5, 32- and 64-bit units, plain,
 * SHF_COMPRESSED and .zdebug sections give the offsets it put there.
 */
static void test_layout_files(void)
{
	static const char *const seeds[] = { "seed-elf-v4", "seed-elf-v5-shf", "seed-elf-v4-zdebug",
					     "seed-elf-v4-dwarf64" };
	const char *src = getenv("SRCDIR");
	size_t i;

	if (!src)
		src = TRIAGE_SOURCE_DIR;
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		struct strbuf path = STRBUF_INIT, data = STRBUF_INIT, err = STRBUF_INIT;
		struct census_layout l;
		struct census_symbols s;
		size_t cut;

		strbuf_addf(&path, "%s/tests/fuzz/corpus/census/%s", src, seeds[i]);
		if (strbuf_read_file(&data, path.buf, 1 << 20) < 0) {
			CHECK(0, "cannot read %s", path.buf);
			goto next;
		}
		census_symbols_init(&s);
		CHECK(census_layout_read(&l, &s, data.buf, data.len, &err) == 0, "%s: %s", seeds[i], err.buf);
		CHECK_INT(l.allgs, 0x91eb80);
		CHECK_INT(l.wait_reasons, 0x58da40);
		CHECK_INT(l.nr_wait_reasons, 27);
		CHECK_INT(l.goid, 152);
		CHECK_INT(l.gopc, 296);
		CHECK_INT(l.startpc, 312);
		CHECK_INT(l.atomicstatus, 144);
		CHECK_INT(l.waitreason, 176);
		CHECK_INT(l.waitsince, 168);
		CHECK_INT(l.lockedm, 232);
		CHECK_INT(l.sched_pc, 56 + 8);
		CHECK_INT(l.sched_sp, 56 + 0);
		CHECK_INT(l.sched_bp, 56 + 48);
		CHECK_INT(l.stack_lo, 0);
		CHECK_INT(l.stack_hi, 8);
		CHECK_INT(l.g_size, 320);
		CHECK_INT(l.link_base, 0x400000);
		CHECK(l.frame_pointers && !l.pie, "%s: amd64, not PIE", seeds[i]);
		CHECK_INT(s.nr, 3);
		CHECK_STR(census_symbol(&s, 0x402010, NULL), "main.worker");
		census_symbols_release(&s);

		/* every truncation is refused or read, never a crash (ASan runs this) */
		for (cut = 0; cut < data.len; cut += 7) {
			census_symbols_init(&s);
			strbuf_reset(&err);
			if (census_layout_read(&l, &s, data.buf, cut, &err) == 0)
				CHECK(0, "%s cut at %zu bytes read as whole", seeds[i], cut);
			census_symbols_release(&s);
		}
next:
		strbuf_release(&path);
		strbuf_release(&data);
		strbuf_release(&err);
	}
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write-seed")) {
		static uint8_t img[IMG_SIZE];
		FILE *f = fopen(argv[2], "wb");

		img_build(img, NOW_NS);
		if (!f || fwrite(img, 1, sizeof(img), f) != sizeof(img) || fclose(f)) {
			perror(argv[2]);
			return 1;
		}
		return 0;
	}
	test_symbols();
	test_walk();
	test_tiny_stack();
	test_layout_refusals();
	test_layout_files();
	if (failures)
		fprintf(stderr, "%d checks failed\n", failures);
	return failures ? 1 : 0;
}
