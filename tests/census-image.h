#ifndef TRIAGE_TESTS_CENSUS_IMAGE_H
#define TRIAGE_TESTS_CENSUS_IMAGE_H

/*
 * A fixture for the goroutine census (core/parse/census.h): a made-up
 * memory image laid out as a Go 1.19 amd64 process keeps its goroutines
 * (runtime.allgs, runtime.g at the offsets Go 1.19's DWARF gives, stacks
 * chained by frame pointers), and the function symbols that go with it.
 * tests/census.sh checks the census on real Go processes; this image is
 * for what a real process cannot be made to show on purpose (a frame
 * pointer off the stack, a NULL g, a system goroutine) and for the fuzz
 * harness, which reads its input as such an image.
 */

#include <stdint.h>
#include <string.h>

#include "parse/census.h"

#define IMG_BASE 0x10000ULL
#define IMG_SIZE 0x10000
#define IMG_ALLGS (IMG_BASE + 0x0)
#define IMG_PTRS (IMG_BASE + 0x100)
#define IMG_REASONS (IMG_BASE + 0x800)	/* [4]string */
#define IMG_REASON_TEXT (IMG_BASE + 0xa00)
#define IMG_G(i) (IMG_BASE + 0x1000 + 0x200 * (uint64_t)(i))
#define IMG_STACK(i) (IMG_BASE + 0x8000 + 0x800 * (uint64_t)(i))	/* 2 KiB each */

/* function symbols (link addresses; the image's layout has no bias) */
#define SYM_GOPARK 0x401000ULL
#define SYM_CHANRECV 0x401100ULL
#define SYM_WORKER 0x402000ULL
#define SYM_MAIN_MAIN 0x402100ULL
#define SYM_RUNTIME_MAIN 0x403000ULL
#define SYM_GOEXIT 0x403100ULL
#define SYM_BGSWEEP 0x403200ULL
#define SYM_SERVE 0x402200ULL

static inline void img_layout(struct census_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->allgs = IMG_ALLGS;
	l->wait_reasons = IMG_REASONS;
	l->nr_wait_reasons = 4;
	l->g_size = 320;
	l->stack_lo = 0;
	l->stack_hi = 8;
	l->sched_sp = 56;
	l->sched_pc = 64;
	l->sched_bp = 104;
	l->atomicstatus = 144;
	l->goid = 152;
	l->waitsince = 168;
	l->waitreason = 176;
	l->lockedm = 232;
	l->gopc = 296;
	l->startpc = 312;
	l->frame_pointers = 1;
}

static inline void img_add_sym(struct census_symbols *s, uint64_t addr, uint64_t size, const char *name)
{
	ALLOC_GROW(s->items, s->nr + 1, s->alloc);
	s->items[s->nr].addr = addr;
	s->items[s->nr].size = size;
	s->items[s->nr].name = s->names.len;
	strbuf_addstr(&s->names, name);
	strbuf_addch(&s->names, '\0');
	s->nr++;
}

/* in address order, as census_layout_read leaves them */
static inline void img_symbols(struct census_symbols *s)
{
	census_symbols_init(s);
	img_add_sym(s, SYM_GOPARK, 0x100, "runtime.gopark");
	img_add_sym(s, SYM_CHANRECV, 0x100, "runtime.chanrecv1");
	img_add_sym(s, SYM_WORKER, 0x100, "main.worker");
	img_add_sym(s, SYM_MAIN_MAIN, 0x100, "main.main");
	img_add_sym(s, SYM_SERVE, 0x100, "main.(*server).Serve");
	img_add_sym(s, SYM_RUNTIME_MAIN, 0x100, "runtime.main");
	img_add_sym(s, SYM_GOEXIT, 0x10, "runtime.goexit.abi0");
	img_add_sym(s, SYM_BGSWEEP, 0x100, "runtime.bgsweep");
}

static inline void img_put(uint8_t *img, uint64_t addr, uint64_t v)
{
	memcpy(img + (addr - IMG_BASE), &v, sizeof(v));
}

static inline void img_put32(uint8_t *img, uint64_t addr, uint32_t v)
{
	memcpy(img + (addr - IMG_BASE), &v, sizeof(v));
}

/*
 * One goroutine: g number i, its fields, and (when frames) a stack of
 * frames whose frame pointers chain up to runtime.goexit: ret[0] is the
 * PC it parked at, ret[1..] the return addresses.
 */
struct img_g {
	uint64_t goid;
	uint32_t status;
	uint8_t reason;
	int64_t waitsince;
	uint64_t lockedm, gopc, startpc;
	const uint64_t *pcs;	/* pcs[0] parked at, then return addresses; 0 ends */
	int bad_bp;		/* the first frame pointer points off the stack */
};

static inline void img_goroutine(uint8_t *img, int i, const struct img_g *g)
{
	uint64_t a = IMG_G(i), lo = IMG_STACK(i), hi = lo + 0x800, sp = hi - 0x200, bp;
	size_t k;

	img_put(img, IMG_PTRS + 8 * (uint64_t)i, a);
	img_put(img, a + 0, lo);
	img_put(img, a + 8, hi);
	img_put32(img, a + 144, g->status);
	img_put(img, a + 152, g->goid);
	img_put(img, a + 168, (uint64_t)g->waitsince);
	img[a + 176 - IMG_BASE] = g->reason;
	img_put(img, a + 232, g->lockedm);
	img_put(img, a + 296, g->gopc);
	img_put(img, a + 312, g->startpc);
	img_put(img, a + 56, sp);
	if (!g->pcs)
		return;
	img_put(img, a + 64, g->pcs[0]);
	/* frame k's record at sp + 0x20 * k: [bp] = next record, [bp+8] = return address */
	bp = sp + 0x10;
	img_put(img, a + 104, g->bad_bp ? hi + 0x1000 : bp);
	for (k = 1; g->pcs[k]; k++) {
		uint64_t next = bp + 0x20;

		img_put(img, bp, g->pcs[k + 1] ? next : 0);
		img_put(img, bp + 8, g->pcs[k]);
		bp = next;
	}
}

static inline void img_string(uint8_t *img, uint64_t hdr, uint64_t text, const char *s)
{
	img_put(img, hdr, text);
	img_put(img, hdr + 8, strlen(s));
	memcpy(img + (text - IMG_BASE), s, strlen(s));
}

/* The image the unit test checks and the fuzz harness starts from; now_ns is the reader's clock. */
static inline void img_build(uint8_t *img, int64_t now_ns)
{
	static const uint64_t park[] = { SYM_GOPARK + 0x20, SYM_CHANRECV + 0x18, SYM_WORKER + 0x40,
					 SYM_GOEXIT + 1, 0 };
	static const uint64_t serve[] = { SYM_GOPARK + 0x20, SYM_SERVE + 0x30, SYM_MAIN_MAIN + 0x50,
					  SYM_RUNTIME_MAIN + 0x60, SYM_GOEXIT + 1, 0 };
	const struct img_g gs[] = {
		{ 1, 4, 2, 0, 0, SYM_GOEXIT + 1, SYM_RUNTIME_MAIN, serve, 0 },	/* IO wait */
		{ 7, 4, 1, now_ns - 5 * 60000000000LL - 1, 0, SYM_MAIN_MAIN + 0x31, SYM_WORKER, park, 0 },
		{ 8, 4 | 0x1000, 1, 0, 0xc000, SYM_MAIN_MAIN + 0x31, SYM_WORKER, park, 0 },
		{ 9, 6, 0, 0, 0, SYM_MAIN_MAIN + 0x31, SYM_WORKER, NULL, 0 },		/* dead */
		{ 10, 4, 3, 0, 0, SYM_RUNTIME_MAIN + 0x10, SYM_BGSWEEP, park, 0 },	/* the runtime's */
		{ 11, 2, 0, 0, 0, SYM_MAIN_MAIN + 0x31, SYM_WORKER, NULL, 0 },		/* running */
		{ 12, 4, 1, 0, 0, SYM_MAIN_MAIN + 0x31, SYM_WORKER, park, 1 },		/* bp off the stack */
	};
	size_t i, n = sizeof(gs) / sizeof(gs[0]);

	memset(img, 0, IMG_SIZE);
	img_put(img, IMG_ALLGS, IMG_PTRS);
	img_put(img, IMG_ALLGS + 8, n + 1);	/* and one NULL slot */
	img_put(img, IMG_ALLGS + 16, n + 1);
	img_string(img, IMG_REASONS + 16, IMG_REASON_TEXT, "chan receive");
	img_string(img, IMG_REASONS + 32, IMG_REASON_TEXT + 0x20, "IO wait");
	img_string(img, IMG_REASONS + 48, IMG_REASON_TEXT + 0x40, "GC sweep wait");
	for (i = 0; i < n; i++)
		img_goroutine(img, (int)i, &gs[i]);
}

/* A census_read_fn over an image of len bytes at IMG_BASE. */
struct img_reader {
	const uint8_t *img;
	size_t len;
	size_t reads;
};

static inline int img_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct img_reader *r = ctx;

	r->reads++;
	if (addr < IMG_BASE || addr - IMG_BASE > r->len || len > r->len - (addr - IMG_BASE))
		return -1;
	memcpy(buf, r->img + (addr - IMG_BASE), len);
	return 0;
}

#endif
