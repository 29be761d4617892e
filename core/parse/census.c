/*
 * The goroutine census (census.h): the runtime's layout from the
 * executable's DWARF, then runtime.allgs walked through a reader.
 */
#include "parse/census.h"
#include "base/sort.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <libelf.h>

/* Go's g status values (runtime/runtime2.go, unchanged since Go 1.14) */
#define G_IDLE 0
#define G_RUNNABLE 1
#define G_RUNNING 2
#define G_SYSCALL 3
#define G_WAITING 4
#define G_DEAD 6
#define G_SCAN 0x1000

#define MAX_SYMBOLS 4000000
#define MAX_NAME 1024		/* a Go string read from the target */

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

static int read_symbols(Elf *e, struct census_symbols *s, struct strbuf *err)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t i, n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d)
			continue;
		n = sh.sh_size / sh.sh_entsize;
		for (i = 0; i < n && s->nr < MAX_SYMBOLS; i++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(d, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
			    !sym.st_value)
				continue;
			name = elf_strptr(e, sh.sh_link, sym.st_name);
			if (!name || !*name)
				continue;
			ALLOC_GROW(s->items, s->nr + 1, s->alloc);
			s->items[s->nr].addr = sym.st_value;
			s->items[s->nr].size = sym.st_size;
			s->items[s->nr].name = s->names.len;
			strbuf_add(&s->names, name, strnlen(name, MAX_NAME));
			strbuf_addch(&s->names, '\0');
			s->nr++;
		}
	}
	if (!s->nr)
		return error_set(err, "the executable has no symbol table (built with -ldflags=-s?)");
	sort_array(s->items, s->nr, sizeof(*s->items), cmp_sym);
	return 0;
}

/* ---- DWARF: where runtime.g's fields and the runtime's variables are ---- */

static int die_type(Dwarf_Die *die, Dwarf_Die *type)
{
	Dwarf_Attribute a;

	/* Go names its struct types through a typedef ("runtime.gobuf") */
	if (!dwarf_attr(die, DW_AT_type, &a) || !dwarf_formref_die(&a, type))
		return -1;
	return dwarf_peel_type(type, type) == 0 ? 0 : -1;
}

/* The offset of member name in struct die, CENSUS_NONE without it; its type in *type if asked. */
static uint32_t member_offset(Dwarf_Die *st, const char *name, Dwarf_Die *type)
{
	Dwarf_Die m;
	Dwarf_Attribute a;
	Dwarf_Word off;

	if (dwarf_child(st, &m) != 0)
		return CENSUS_NONE;
	do {
		const char *n;

		if (dwarf_tag(&m) != DW_TAG_member || !(n = dwarf_diename(&m)) || strcmp(n, name))
			continue;
		if (!dwarf_attr(&m, DW_AT_data_member_location, &a) || dwarf_formudata(&a, &off) != 0 ||
		    off > CENSUS_MAX_G_SIZE)
			return CENSUS_NONE;
		if (type && die_type(&m, type) < 0)
			return CENSUS_NONE;
		return (uint32_t)off;
	} while (dwarf_siblingof(&m, &m) == 0);
	return CENSUS_NONE;
}

/* base + the offset of name in the struct type t, CENSUS_NONE if either is missing */
static uint32_t sub_offset(uint32_t base, Dwarf_Die *t, const char *name)
{
	uint32_t o;

	if (base == CENSUS_NONE || (o = member_offset(t, name, NULL)) == CENSUS_NONE)
		return CENSUS_NONE;
	return base + o;
}

/*
 * A variable's address: its location is one DW_OP_addr. Go writes it as a
 * DW_FORM_block1 in version 4 units, which dwarf_getlocation refuses (it
 * wants DW_FORM_exprloc there), so the block is read as bytes.
 */
static uint64_t var_address(Dwarf_Die *v)
{
	Dwarf_Attribute a;
	Dwarf_Block b;
	Dwarf_Op *ops;
	size_t nops, i;
	uint64_t addr = 0;

	if (!dwarf_attr(v, DW_AT_location, &a))
		return 0;
	if (dwarf_getlocation(&a, &ops, &nops) == 0)
		return nops == 1 && ops[0].atom == DW_OP_addr ? ops[0].number : 0;
	if (dwarf_formblock(&a, &b) != 0 || b.length != 9 || b.data[0] != DW_OP_addr)
		return 0;
	/* the target's byte order: the census reads little-endian 64-bit programs */
	for (i = 8; i > 0; i--)
		addr = addr << 8 | b.data[i];
	return addr;
}

/* How many elements the array variable v has, 0 when not an array. */
static uint32_t var_array_len(Dwarf_Die *v)
{
	Dwarf_Die t, sub;
	Dwarf_Attribute a;
	Dwarf_Word w;

	if (die_type(v, &t) < 0 || dwarf_tag(&t) != DW_TAG_array_type || dwarf_child(&t, &sub) != 0)
		return 0;
	do {
		if (dwarf_tag(&sub) != DW_TAG_subrange_type)
			continue;
		if (dwarf_attr(&sub, DW_AT_count, &a) && dwarf_formudata(&a, &w) == 0)
			return w > CENSUS_MAX_REASONS ? CENSUS_MAX_REASONS : (uint32_t)w;
		if (dwarf_attr(&sub, DW_AT_upper_bound, &a) && dwarf_formudata(&a, &w) == 0)
			return w >= CENSUS_MAX_REASONS ? CENSUS_MAX_REASONS : (uint32_t)w + 1;
	} while (dwarf_siblingof(&sub, &sub) == 0);
	return 0;
}

static void fill_g(struct census_layout *l, Dwarf_Die *g)
{
	Dwarf_Die sched, stack;
	uint32_t o, need = 0;
	int64_t size = dwarf_bytesize(g);

	l->goid = member_offset(g, "goid", NULL);
	l->gopc = member_offset(g, "gopc", NULL);
	l->startpc = member_offset(g, "startpc", NULL);
	l->atomicstatus = member_offset(g, "atomicstatus", NULL);
	l->waitreason = member_offset(g, "waitreason", NULL);
	l->waitsince = member_offset(g, "waitsince", NULL);
	l->lockedm = member_offset(g, "lockedm", NULL);
	o = member_offset(g, "sched", &sched);
	l->sched_pc = sub_offset(o, &sched, "pc");
	l->sched_sp = sub_offset(o, &sched, "sp");
	l->sched_bp = sub_offset(o, &sched, "bp");
	o = member_offset(g, "stack", &stack);
	l->stack_lo = sub_offset(o, &stack, "lo");
	l->stack_hi = sub_offset(o, &stack, "hi");
	/* read up to the last field used (all are at most 8 bytes) */
	{
		const uint32_t all[] = { l->goid, l->gopc, l->startpc, l->atomicstatus, l->waitreason,
					 l->waitsince, l->lockedm, l->sched_pc, l->sched_sp, l->sched_bp,
					 l->stack_lo, l->stack_hi };
		size_t i;

		for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
			if (all[i] != CENSUS_NONE && all[i] + 8 > need)
				need = all[i] + 8;
	}
	if (size > 0 && size < (int64_t)need)
		need = (uint32_t)size;
	l->g_size = need;
}

/* Scans the top-level entries of the CUs named "runtime" for what the census needs. */
static void scan_runtime(Dwarf *dw, struct census_layout *l, int *have_g)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	uint64_t allgs_addr = 0;

	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;
		const char *cu_name;

		if (!dwarf_offdie(dw, off + hsize, &cu) || !(cu_name = dwarf_diename(&cu)) ||
		    strcmp(cu_name, "runtime") || dwarf_child(&cu, &die) != 0) {
			off = next;
			continue;
		}
		do {
			int tag = dwarf_tag(&die);
			const char *n = dwarf_diename(&die);

			if (!n || strncmp(n, "runtime.", 8))
				continue;
			if (tag == DW_TAG_structure_type && !strcmp(n, "runtime.g") && !*have_g) {
				fill_g(l, &die);
				*have_g = 1;
			} else if (tag == DW_TAG_variable && !strcmp(n, "runtime.allgs")) {
				allgs_addr = var_address(&die);
			} else if (tag == DW_TAG_variable && !strcmp(n, "runtime.waitReasonStrings")) {
				l->wait_reasons = var_address(&die);
				l->nr_wait_reasons = var_array_len(&die);
			} else if (tag == DW_TAG_variable && !strcmp(n, "runtime.gStatusStrings")) {
				l->status_names = var_address(&die);
				l->nr_status_names = var_array_len(&die);
			}
		} while (dwarf_siblingof(&die, &die) == 0);
		off = next;
	}
	l->allgs = allgs_addr;
}

int census_layout_read(struct census_layout *l, struct census_symbols *s,
		       const void *data, size_t len, struct strbuf *err)
{
	Elf *e = NULL;
	Dwarf *dw = NULL;
	GElf_Ehdr eh;
	int have_g = 0, ret = -1;

	memset(l, 0, sizeof(*l));
	elf_version(EV_CURRENT);
	/* libelf takes a char *, but with ELF_K_ELF read-only use it writes nothing */
	e = elf_memory((char *)(uintptr_t)data, len);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		error_set(err, "not an ELF executable");
		goto out;
	}
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB) {
		error_set(err, "not a little-endian 64-bit executable: the census reads those only");
		goto out;
	}
	l->frame_pointers = eh.e_machine == EM_X86_64;
	l->pie = eh.e_type == ET_DYN;
	l->link_base = UINT64_MAX;
	{
		size_t i, nph;

		if (elf_getphdrnum(e, &nph) == 0)
			for (i = 0; i < nph; i++) {
				GElf_Phdr ph;

				if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD &&
				    ph.p_vaddr < l->link_base)
					l->link_base = ph.p_vaddr & ~(uint64_t)0xfff;
			}
		if (l->link_base == UINT64_MAX)
			l->link_base = 0;
	}
	dw = dwarf_begin_elf(e, DWARF_C_READ, NULL);
	if (!dw) {
		error_set(err, "the executable has no DWARF (built with -ldflags=-w?)");
		goto out;
	}
	scan_runtime(dw, l, &have_g);
	if (!have_g || !l->allgs) {
		error_set(err, "the executable's DWARF has no %s", have_g ? "runtime.allgs" : "runtime.g");
		goto out;
	}
	if (l->atomicstatus == CENSUS_NONE || l->goid == CENSUS_NONE) {
		error_set(err, "runtime.g in the executable's DWARF has no %s",
			  l->goid == CENSUS_NONE ? "goid" : "atomicstatus");
		goto out;
	}
	if (read_symbols(e, s, err) < 0)
		goto out;
	ret = 0;
out:
	if (dw)
		dwarf_end(dw);
	if (e)
		elf_end(e);
	if (ret < 0)
		census_symbols_release(s);
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
	/* it goes into a text format: nothing that would end a header */
	for (i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == ']' || out[i] == 0x7f)
			out[i] = '?';
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
	if (w->rd(w->rd_ctx, sp, w->stack, len) < 0)
		return n;
	while (n < CENSUS_MAX_FRAMES) {
		uint64_t next, ret;

		if (bp < sp || bp > top - 16 || (bp & 7))
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
	if (!l->g_size || l->g_size > CENSUS_MAX_G_SIZE ||
	    l->atomicstatus == CENSUS_NONE || l->goid == CENSUS_NONE) {
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
