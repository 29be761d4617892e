/*
 * The goroutine census (census.h): the runtime's layout from the
 * executable's DWARF, then runtime.allgs walked through a reader.
 */
#include "parse/census.h"
#include "base/sort.h"
#include "parse/elf.h"
#include "parse/godwarf.h"

#include <limits.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* Go's g status values (runtime/runtime2.go, unchanged since Go 1.14) */
#define G_IDLE 0
#define G_RUNNABLE 1
#define G_RUNNING 2
#define G_SYSCALL 3
#define G_WAITING 4
#define G_DEAD 6
#define G_SCAN 0x1000

#define MAX_SYMBOLS 4000000
#define MAX_NAME 1024		/* a Go string read from the target, a symbol name */
#define SHORT_NAME 128

void census_symbols_init(struct census_symbols *s)
{
	memset(s, 0, sizeof(*s));
	strbuf_init(&s->names);
}

void census_symbols_release(struct census_symbols *s)
{
	free(s->items);
	strbuf_release(&s->names);
	census_symbols_init(s);
}

const char *census_symbol(const struct census_symbols *s, uint64_t pc, uint64_t *off)
{
	size_t lo = 0, hi = s->nr;

	/* the last symbol starting at or below pc */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->items[mid].addr <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	lo--;
	if (pc - s->items[lo].addr >= (s->items[lo].size ? s->items[lo].size : 1))
		return NULL;
	if (off)
		*off = pc - s->items[lo].addr;
	return s->names.buf + s->items[lo].name;
}

static int cmp_sym(const void *a, const void *b)
{
	const struct census_sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

#define SYM64_SIZE 24
#define SYM32_SIZE 16
#define STT_FUNC_ 2

/* The function symbols of .symtab, by address (link-time). */
static int read_symbols(struct elf_file *ef, struct census_symbols *s, struct strbuf *err)
{
	struct elf_shdr sh, str;
	unsigned char buf[SYM64_SIZE * 256];
	char name[MAX_NAME + 1];
	size_t esz = ef->is64 ? SYM64_SIZE : SYM32_SIZE;
	uint64_t nr, i;
	int found;

	if (elf_find_section(ef, ".symtab", &sh, &found, err) < 0)
		return -1;
	if (!found || sh.type != ELF_SHT_SYMTAB)
		return elf_error(ef, err, "no symbol table (built with -ldflags=-s?)");
	if (elf_section_at(ef, sh.link, &str, err) < 0)
		return -1;
	if (sh.offset > ef->size || sh.size > ef->size - sh.offset || str.offset > ef->size ||
	    str.size > ef->size - str.offset)
		return elf_error(ef, err, "the symbol table runs past the end of the file");
	nr = sh.size / esz;
	for (i = 0; i < nr && s->nr < MAX_SYMBOLS; i++) {
		const unsigned char *p;
		uint64_t value, size, nameoff;
		unsigned info;
		size_t k, n;

		if (i % 256 == 0) {
			n = (size_t)((nr - i < 256 ? nr - i : 256) * esz);
			if (elf_read(ef, sh.offset + i * esz, n, buf, ".symtab", err) < 0)
				return -1;
		}
		p = buf + (i % 256) * esz;
		nameoff = elf_u32(ef, p);
		if (ef->is64) {
			info = p[4];
			value = elf_addr(ef, p + 8);
			size = elf_addr(ef, p + 16);
		} else {
			value = elf_u32(ef, p + 4);
			size = elf_u32(ef, p + 8);
			info = p[12];
		}
		if ((info & 0xf) != STT_FUNC_ || !value || nameoff >= str.size)
			continue;
		/* most names are short: 128 bytes first, the rest of MAX_NAME only when no NUL came */
		n = str.size - nameoff < SHORT_NAME ? (size_t)(str.size - nameoff) : SHORT_NAME;
		if (elf_read(ef, str.offset + nameoff, n, name, ".strtab", err) < 0)
			return -1;
		if (!memchr(name, '\0', n) && n == SHORT_NAME) {
			n = str.size - nameoff < MAX_NAME ? (size_t)(str.size - nameoff) : MAX_NAME;
			if (elf_read(ef, str.offset + nameoff, n, name, ".strtab", err) < 0)
				return -1;
		}
		name[n] = '\0';
		k = strlen(name);
		if (!k)
			continue;
		ALLOC_GROW(s->items, s->nr + 1, s->alloc);
		s->items[s->nr].addr = value;
		s->items[s->nr].size = size;
		s->items[s->nr].name = s->names.len;
		strbuf_add(&s->names, name, k);
		strbuf_addch(&s->names, '\0');
		s->nr++;
	}
	if (!s->nr)
		return elf_error(ef, err, "no function symbols (built with -ldflags=-s?)");
	sort_array(s->items, s->nr, sizeof(*s->items), cmp_sym);
	return 0;
}

static uint32_t field(uint32_t base, uint32_t off)
{
	if (base == GODWARF_NONE || off == GODWARF_NONE || base > CENSUS_MAX_G_SIZE ||
	    off > CENSUS_MAX_G_SIZE - base)
		return CENSUS_NONE;
	return base + off;
}

/* Where the last field the walk reads ends (each is read as up to 8 bytes); 0 for none. */
static uint32_t fields_end(const struct census_layout *l)
{
	const uint32_t all[] = { l->goid, l->gopc, l->startpc, l->atomicstatus, l->waitreason,
				 l->waitsince, l->lockedm, l->sched_pc, l->sched_sp, l->sched_bp,
				 l->stack_lo, l->stack_hi };
	uint32_t end = 0;
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (all[i] == CENSUS_NONE)
			continue;
		if (all[i] > UINT32_MAX - 8)
			return UINT32_MAX;	/* never inside any g_size */
		if (all[i] + 8 > end)
			end = all[i] + 8;
	}
	return end;
}

/* Every field the walk reads lies inside the g_size bytes it reads of each runtime.g. */
static int layout_usable(const struct census_layout *l)
{
	return l->g_size && l->g_size <= CENSUS_MAX_G_SIZE && l->atomicstatus != CENSUS_NONE &&
	       l->goid != CENSUS_NONE && fields_end(l) <= l->g_size;
}

static void fill_layout(struct census_layout *l, const struct godwarf *gw)
{
	const uint32_t *g = gw->g.off;
	uint32_t need;

	l->allgs = gw->allgs.addr;
	l->wait_reasons = gw->wait_reasons.addr;
	/* without the array's length (its type is often in another unit), up to the cap, read lazily */
	l->nr_wait_reasons = gw->wait_reasons.count ? gw->wait_reasons.count : CENSUS_MAX_REASONS;
	l->status_names = gw->status_names.addr;
	l->nr_status_names = gw->status_names.count;
	l->goid = field(0, g[GW_G_GOID]);
	l->gopc = field(0, g[GW_G_GOPC]);
	l->startpc = field(0, g[GW_G_STARTPC]);
	l->atomicstatus = field(0, g[GW_G_ATOMICSTATUS]);
	l->waitreason = field(0, g[GW_G_WAITREASON]);
	l->waitsince = field(0, g[GW_G_WAITSINCE]);
	l->lockedm = field(0, g[GW_G_LOCKEDM]);
	l->sched_pc = field(g[GW_G_SCHED], gw->gobuf.off[GW_GOBUF_PC]);
	l->sched_sp = field(g[GW_G_SCHED], gw->gobuf.off[GW_GOBUF_SP]);
	l->sched_bp = field(g[GW_G_SCHED], gw->gobuf.off[GW_GOBUF_BP]);
	l->stack_lo = field(g[GW_G_STACK], gw->stack.off[GW_STACK_LO]);
	l->stack_hi = field(g[GW_G_STACK], gw->stack.off[GW_STACK_HI]);
	/* read up to the last field used */
	need = fields_end(l);
	/* past runtime.g's own size a field is not runtime.g's: the DWARF contradicts itself */
	if (gw->g.byte_size != GODWARF_NONE && gw->g.byte_size < need)
		need = 0;
	l->g_size = need;
}

static int layout_read(struct elf_file *ef, struct census_layout *l, struct census_symbols *s,
		       struct strbuf *err)
{
	struct godwarf gw;
	size_t i;
	int ret = -1;

	memset(l, 0, sizeof(*l));
	if (elf_read_header(ef, err) < 0 || elf_read_segments(ef, err) < 0)
		goto out;
	if (!ef->is64 || ef->big_endian) {
		elf_error(ef, err, "not a little-endian 64-bit executable: the census reads those only");
		goto out;
	}
	l->frame_pointers = ef->machine == ELF_EM_X86_64;
	l->pie = ef->type == ELF_ET_DYN;
	l->link_base = UINT64_MAX;
	for (i = 0; i < ef->nr_loads; i++)
		if (ef->loads[i].vaddr < l->link_base)
			l->link_base = ef->loads[i].vaddr & ~(uint64_t)0xfff;
	if (l->link_base == UINT64_MAX)
		l->link_base = 0;
	if (godwarf_read(ef, &gw, err) < 0)
		goto out;
	if (!gw.g.found || !gw.allgs.addr) {
		elf_error(ef, err, "the DWARF has no %s", gw.g.found ? "runtime.allgs" : "runtime.g");
		goto out;
	}
	fill_layout(l, &gw);
	if (l->atomicstatus == CENSUS_NONE || l->goid == CENSUS_NONE) {
		elf_error(ef, err, "runtime.g in the DWARF has no %s",
			  l->goid == CENSUS_NONE ? "goid" : "atomicstatus");
		goto out;
	}
	if (!layout_usable(l)) {
		elf_error(ef, err, "runtime.g in the DWARF has fields past its own size");
		goto out;
	}
	if (read_symbols(ef, s, err) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		census_symbols_release(s);
	return ret;
}

int census_layout_read(struct census_layout *l, struct census_symbols *s,
		       const void *data, size_t len, struct strbuf *err)
{
	struct elf_file ef;
	int ret;

	elf_file_init(&ef, "the executable", "the runtime's layout");
	ef.mem = data;
	ef.size = data ? len : 0;
	ret = layout_read(&ef, l, s, err);
	elf_file_release(&ef);
	return ret;
}

int census_layout_read_file(struct census_layout *l, struct census_symbols *s,
			    const char *path, int fd, struct strbuf *err)
{
	struct elf_file ef;
	struct stat st;
	int ret = -1;

	elf_file_init(&ef, path, "the runtime's layout");
	ef.fd = fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		elf_error(&ef, err, "not a regular file");
		goto out;
	}
	ef.size = (uint64_t)st.st_size;
	ret = layout_read(&ef, l, s, err);
out:
	elf_file_release(&ef);
	return ret;
}

/* ---- the walk ---- */

struct walk {
	const struct census_layout *l;
	const struct census_symbols *s;
	census_read_fn rd;
	void *rd_ctx;
	char reasons[CENSUS_MAX_REASONS][48];	/* "" where unknown */
	char statuses[16][16];
	unsigned char *stack;			/* CENSUS_MAX_STACK_READ bytes */
	struct strbuf out;
	size_t written;
};

static uint64_t word_at(const unsigned char *p, uint32_t off)
{
	uint64_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

/* A Go string (pointer, length) read from the target into out (at most max-1 bytes, printable only). */
static void read_go_string(struct walk *w, uint64_t addr, char *out, size_t max)
{
	unsigned char hdr[16];
	uint64_t p, n;
	size_t i;

	out[0] = '\0';
	if (w->rd(w->rd_ctx, addr, hdr, sizeof(hdr)) < 0)
		return;
	p = word_at(hdr, 0);
	n = word_at(hdr, 8);
	if (!p || !n)
		return;
	if (n > max - 1)
		n = max - 1;
	if (w->rd(w->rd_ctx, p, out, (size_t)n) < 0) {
		out[0] = '\0';
		return;
	}
	out[n] = '\0';
	/*
	 * The runtime's names are plain ASCII; anything else is not one (the
	 * table's length may be unknown, so entries past its end are read
	 * too) and is left unknown. ']' would end the dump header it goes in.
	 */
	for (i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] >= 0x7f || out[i] == ']') {
			out[0] = '\0';
			return;
		}
}

static void read_names(struct walk *w)
{
	static const char *const fallback[] = {
		"idle", "runnable", "running", "syscall", "waiting", "moribund_unused",
		"dead", "enqueue_unused", "copystack", "preempted",
	};
	const struct census_layout *l = w->l;
	uint32_t i;

	for (i = 0; i < l->nr_wait_reasons && i < CENSUS_MAX_REASONS && l->wait_reasons; i++)
		read_go_string(w, l->wait_reasons + l->bias + 16ULL * i, w->reasons[i], sizeof(w->reasons[i]));
	for (i = 0; i < 16; i++) {
		if (l->status_names && i < l->nr_status_names)
			read_go_string(w, l->status_names + l->bias + 16ULL * i, w->statuses[i],
				       sizeof(w->statuses[i]));
		if (!w->statuses[i][0] && i < sizeof(fallback) / sizeof(fallback[0]))
			snprintf(w->statuses[i], sizeof(w->statuses[i]), "%s", fallback[i]);
	}
}

/*
 * Whether the runtime's traceback shows a frame (showfuncinfo, Go >= 1.x
 * at the default GOTRACEBACK): not the runtime's unexported functions, so
 * a goroutine's stack starts where the program waits, as in the dump.
 */
static int shown(const char *name)
{
	return strncmp(name, "runtime.", 8) || (name[8] >= 'A' && name[8] <= 'Z');
}

/* "main.worker(...)\n\t? +0x35\n" for a PC of the target */
static void add_frame(struct walk *w, uint64_t pc, int is_return)
{
	uint64_t off = 0, link = pc - w->l->bias;
	const char *name = census_symbol(w->s, is_return ? link - 1 : link, &off);

	if (is_return)
		off++;
	if (name && !shown(name))
		return;
	if (name)
		strbuf_addf(&w->out, "%s(...)\n\t? +0x%llx\n", name, (unsigned long long)off);
	else
		strbuf_addf(&w->out, "?(...)\n\t? pc=0x%llx\n", (unsigned long long)pc);
}

static int is_goexit(const struct walk *w, uint64_t ret)
{
	const char *n = census_symbol(w->s, ret - w->l->bias - 1, NULL);

	/* "runtime.goexit.abi0" in Go >= 1.17's symbol table */
	return n && !strncmp(n, "runtime.goexit", 14) && (!n[14] || n[14] == '.');
}

/*
 * The frames of a goroutine that is not running, by its saved frame
 * pointers: the PC it stopped at, then each frame's return address. A
 * frame pointer that leaves the stack read, goes down or is misaligned
 * ends the walk (the goroutine may have run, or moved, under us).
 */
static size_t walk_frames(struct walk *w, const unsigned char *g)
{
	const struct census_layout *l = w->l;
	uint64_t pc, sp, bp, lo, hi, top;
	size_t n = 0, len;

	if (l->sched_pc == CENSUS_NONE || l->sched_sp == CENSUS_NONE)
		return 0;
	pc = word_at(g, l->sched_pc);
	sp = word_at(g, l->sched_sp);
	if (!pc)
		return 0;
	add_frame(w, pc, 0);
	n++;
	if (!l->frame_pointers || l->sched_bp == CENSUS_NONE || l->stack_hi == CENSUS_NONE ||
	    l->stack_lo == CENSUS_NONE)
		return n;
	bp = word_at(g, l->sched_bp);
	lo = word_at(g, l->stack_lo);
	hi = word_at(g, l->stack_hi);
	if (!sp || sp < lo || sp >= hi)
		return n;
	top = hi - sp > CENSUS_MAX_STACK_READ ? sp + CENSUS_MAX_STACK_READ : hi;
	len = (size_t)(top - sp);
	if (len < 16 || w->rd(w->rd_ctx, sp, w->stack, len) < 0)
		return n;
	while (n < CENSUS_MAX_FRAMES) {
		uint64_t next, ret;

		/* the record (saved frame pointer, return address) lies inside what was read */
		if (bp < sp || bp - sp > len - 16 || (bp & 7))
			break;
		next = word_at(w->stack, (uint32_t)(bp - sp));
		ret = word_at(w->stack, (uint32_t)(bp - sp + 8));
		if (!ret || is_goexit(w, ret))
			break;
		add_frame(w, ret, 1);
		n++;
		if (next <= bp)
			break;
		bp = next;
	}
	if (n >= CENSUS_MAX_FRAMES)
		strbuf_addstr(&w->out, "...additional frames elided...\n");
	return n;
}

static const char *entry_name(const struct walk *w, const unsigned char *g)
{
	if (w->l->startpc == CENSUS_NONE)
		return NULL;
	return census_symbol(w->s, word_at(g, w->l->startpc) - w->l->bias, NULL);
}

/* Formats one goroutine into w->out; 0 if it was a user goroutine, 1 if skipped (dead, the runtime's). */
static int format_g(struct walk *w, const unsigned char *g, int64_t now_ns)
{
	const struct census_layout *l = w->l;
	uint32_t status, st;
	const char *state, *entry = entry_name(w, g);
	int64_t minutes = 0;
	uint64_t goid;

	memcpy(&status, g + l->atomicstatus, sizeof(status));
	st = status & ~(uint32_t)G_SCAN;
	if (st == G_DEAD || st == G_IDLE)
		return 1;
	/* the runtime's own goroutines, left out of the dump too (isSystemGoroutine) */
	if (entry && !strncmp(entry, "runtime.", 8) && strcmp(entry, "runtime.main"))
		return 2;
	state = st < 16 ? w->statuses[st] : "???";
	if (st == G_WAITING && l->waitreason != CENSUS_NONE) {
		unsigned reason = g[l->waitreason];

		if (reason && reason < CENSUS_MAX_REASONS && w->reasons[reason][0])
			state = w->reasons[reason];
	}
	if ((st == G_WAITING || st == G_SYSCALL) && l->waitsince != CENSUS_NONE) {
		int64_t since = (int64_t)word_at(g, l->waitsince);

		if (since > 0 && now_ns > since)
			minutes = (now_ns - since) / 60000000000LL;
	}
	/* an int64 in Go, never negative there; unsigned here so garbage still parses */
	goid = word_at(g, l->goid);
	strbuf_addf(&w->out, "goroutine %llu [%s", (unsigned long long)goid, state);
	if (minutes >= 1)
		strbuf_addf(&w->out, ", %lld minutes", (long long)minutes);
	if (l->lockedm != CENSUS_NONE && word_at(g, l->lockedm))
		strbuf_addstr(&w->out, ", locked to thread");
	strbuf_addstr(&w->out, "]:\n");
	if (st == G_RUNNING || st == G_SYSCALL || !walk_frames(w, g)) {
		/* its saved registers are stale while it runs: name where it started */
		strbuf_addf(&w->out, "%s(...)\n\t? (stack not read: %s)\n", entry ? entry : "?",
			    st == G_RUNNING ? "running" : st == G_SYSCALL ? "in a system call" : "unreadable");
	}
	/* as the runtime's traceback: goroutine 1 was started by the runtime itself */
	if (l->gopc != CENSUS_NONE && goid != 1) {
		uint64_t gopc = word_at(g, l->gopc), off = 0;
		const char *creator = gopc ? census_symbol(w->s, gopc - l->bias - 1, &off) : NULL;

		if (creator)
			strbuf_addf(&w->out, "created by %s\n\t? +0x%llx\n", creator, (unsigned long long)off + 1);
	}
	strbuf_addch(&w->out, '\n');
	return 0;
}

#define PTR_CHUNK 4096


int census_walk(const struct census_layout *l, const struct census_symbols *s,
		census_read_fn rd, void *rd_ctx, int64_t now_ns,
		census_emit_fn emit, void *emit_ctx, struct census_stats *st, struct strbuf *err)
{
	struct walk *w = xcalloc(1, sizeof(*w));
	unsigned char hdr[24], g[CENSUS_MAX_G_SIZE];
	uint64_t *ptrs = xcalloc(PTR_CHUNK, sizeof(*ptrs));
	uint64_t base, n, i;
	int ret = -1;

	memset(st, 0, sizeof(*st));
	w->l = l;
	w->s = s;
	w->rd = rd;
	w->rd_ctx = rd_ctx;
	w->stack = xcalloc(1, CENSUS_MAX_STACK_READ);
	strbuf_init(&w->out);
	if (!layout_usable(l)) {
		error_set(err, "no usable runtime.g layout");
		goto out;
	}
	if (rd(rd_ctx, l->allgs + l->bias, hdr, sizeof(hdr)) < 0) {
		error_set(err, "cannot read runtime.allgs at 0x%llx", (unsigned long long)(l->allgs + l->bias));
		goto out;
	}
	base = word_at(hdr, 0);
	n = word_at(hdr, 8);
	st->slots = n > SIZE_MAX ? SIZE_MAX : (size_t)n;
	if (n > CENSUS_MAX_GOROUTINES) {
		n = CENSUS_MAX_GOROUTINES;
		st->truncated = 1;
	}
	read_names(w);
	for (i = 0; i < n; i++) {
		uint64_t gp;

		if (i % PTR_CHUNK == 0) {
			uint64_t k = n - i < PTR_CHUNK ? n - i : PTR_CHUNK;

			if (rd(rd_ctx, base + 8 * i, ptrs, (size_t)k * 8) < 0) {
				/* the slice moved (allgs grew) or is garbage: what was read stays */
				st->unreadable += (size_t)(n - i);
				st->truncated = 1;
				break;
			}
		}
		gp = ptrs[i % PTR_CHUNK];
		if (!gp || rd(rd_ctx, gp, g, l->g_size) < 0) {
			st->unreadable++;
			continue;
		}
		strbuf_reset(&w->out);
		switch (format_g(w, g, now_ns)) {
		case 0:
			break;
		case 2:
			st->system++;
			/* fall through */
		default:
			continue;
		}
		if (w->written + w->out.len > CENSUS_MAX_OUTPUT) {
			st->truncated = 1;
			break;
		}
		if (emit(emit_ctx, w->out.buf, w->out.len) < 0) {
			error_set(err, "the census could not be written");
			goto out;
		}
		w->written += w->out.len;
		st->goroutines++;
	}
	ret = 0;
out:
	strbuf_release(&w->out);
	free(w->stack);
	free(w);
	free(ptrs);
	return ret;
}
