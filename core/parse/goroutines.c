/*
 * goroutine?debug=2 dumps; see goroutines.h.
 *
 * The parser is line based with one goroutine open at a time: a header
 * opens one, a blank line (or the next header) closes it, function lines
 * add frames, tab-indented lines give the file of the frame (or of the
 * "created by" line) just before. Lines that fit nowhere are counted and
 * skipped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/goroutines.h"
#include "base/hash.h"
#include "base/quantity.h"
#include "base/sort.h"
#include "base/strbuf.h"

/* ---- interned strings ---------------------------------------------------------- */

struct interned {
	char *s;
	size_t len;
	uint64_t hash;
};

struct goroutine_strings {
	struct interned *slots;	/* open addressing; s == NULL is empty */
	size_t cap, nr;
};

static void strings_grow(struct goroutine_strings *t)
{
	size_t cap = t->cap ? t->cap * 2 : 1024, i;
	struct interned *slots = xcalloc(cap, sizeof(*slots));

	for (i = 0; i < t->cap; i++) {
		size_t j;

		if (!t->slots[i].s)
			continue;
		for (j = t->slots[i].hash & (cap - 1); slots[j].s; j = (j + 1) & (cap - 1))
			;
		slots[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
}

static const char *intern(struct goroutine_strings *t, const char *p, size_t len)
{
	uint64_t h = fnv1a64(p, len);
	size_t i;

	if ((t->nr + 1) * 2 > t->cap)
		strings_grow(t);
	for (i = h & (t->cap - 1); t->slots[i].s; i = (i + 1) & (t->cap - 1)) {
		struct interned *e = &t->slots[i];

		if (e->hash == h && e->len == len && !memcmp(e->s, p, len))
			return e->s;
	}
	t->slots[i].s = xstrndup(p, len);
	t->slots[i].len = len;
	t->slots[i].hash = h;
	t->nr++;
	return t->slots[i].s;
}

static void strings_free(struct goroutine_strings *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->cap; i++)
		free(t->slots[i].s);
	free(t->slots);
	free(t);
}

/* ---- the dump ------------------------------------------------------------------ */

void goroutine_dump_init(struct goroutine_dump *d)
{
	memset(d, 0, sizeof(*d));
}

void goroutine_dump_release(struct goroutine_dump *d)
{
	free(d->items);
	free(d->pool);
	strings_free(d->strings);
	goroutine_dump_init(d);
}

/* Where the next tab-indented file line belongs. */
enum pending {
	PENDING_NONE,
	PENDING_FRAME,		/* the last frame */
	PENDING_CREATED_BY,
};

struct parser {
	struct goroutine_dump *d;
	struct goroutine *g;	/* the open goroutine, NULL between goroutines */
	enum pending pending;
};

static int has_prefix(const char *p, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(p, prefix, n);
}

/* One item after the state: ", 5 minutes", ", locked to thread", or unknown. */
static void header_item(struct goroutine *g, const char *p, size_t len)
{
	const char *sp = memchr(p, ' ', len);
	size_t rest;
	uint64_t n;

	if (len == 16 && !memcmp(p, "locked to thread", 16)) {
		g->locked = 1;
		return;
	}
	if (!sp)
		return;
	rest = len - (size_t)(sp - p);
	if (((rest == 8 && !memcmp(sp, " minutes", 8)) || (rest == 7 && !memcmp(sp, " minute", 7))) &&
	    !parse_u64_n(p, (size_t)(sp - p), &n) && n <= INT64_MAX)
		g->wait_minutes = (int64_t)n;
}

/*
 * "goroutine 18 [chan receive, 5 minutes]:" into a new goroutine; -1 when
 * the line is not a header. Text between the id and '[' is ignored (Go's
 * crash tracebacks put "gp=... m=..." there).
 */
static int parse_header(struct parser *ps, const char *p, size_t len)
{
	const char *end = p + len, *id, *open, *close, *item;
	struct goroutine *g;
	uint64_t gid;

	p += strlen("goroutine ");
	for (id = p; p < end && *p >= '0' && *p <= '9'; p++)
		;
	if (parse_u64_n(id, (size_t)(p - id), &gid) < 0 || (p < end && *p != ' '))
		return -1;
	if (end - p < 3 || end[-1] != ':' || end[-2] != ']')
		return -1;
	close = end - 2;
	open = memchr(p, '[', (size_t)(close - p));
	if (!open)
		return -1;
	open++;

	ALLOC_GROW(ps->d->items, ps->d->nr + 1, ps->d->alloc);
	g = &ps->d->items[ps->d->nr++];
	memset(g, 0, sizeof(*g));
	g->id = gid;
	g->first_frame = ps->d->nr_pool;
	for (item = open; item <= close; ) {
		const char *comma = item;
		size_t n;

		while (comma < close && !(comma[0] == ',' && comma + 1 < close && comma[1] == ' '))
			comma++;
		n = (size_t)(comma - item);
		if (item == open)
			g->state = intern(ps->d->strings, item, n);
		else
			header_item(g, item, n);
		item = comma + 2;
	}
	ps->g = g;
	ps->pending = PENDING_NONE;
	return 0;
}

/* "pkg.(*T).Method(0xc000, ...)" -> "pkg.(*T).Method": drops the last balanced "(...)". */
static size_t func_name_len(const char *p, size_t len)
{
	size_t i = len;
	int depth = 0;

	if (!len || p[len - 1] != ')')
		return len;
	while (i-- > 0) {
		if (p[i] == ')')
			depth++;
		else if (p[i] == '(' && --depth == 0)
			return i ? i : len;
	}
	return len;
}

/* "\t/src/main.go:12 +0x35" */
static void parse_file_line(struct parser *ps, struct goroutine_frame *f, const char *p, size_t len)
{
	const char *end = p + len, *colon, *q;
	uint64_t line;

	while (p < end && *p == '\t')
		p++;
	/* drop " +0x35", the pc offset */
	for (q = end; q > p; q--)
		if (q[-1] == ' ')
			break;
	if (q > p && end - q > 3 && !memcmp(q, "+0x", 3))
		end = q - 1;
	for (colon = end; colon > p && colon[-1] != ':'; colon--)
		;
	if (colon > p && !parse_u64_n(colon, (size_t)(end - colon), &line) && line <= INT32_MAX) {
		f->file = intern(ps->d->strings, p, (size_t)(colon - 1 - p));
		f->line = (int)line;
	} else {
		f->file = intern(ps->d->strings, p, (size_t)(end - p));
		f->line = 0;
	}
}

/* "created by main.main in goroutine 1" */
static void parse_created_by(struct parser *ps, const char *p, size_t len)
{
	static const char in[] = " in goroutine ";
	const char *end = p + len, *q;
	struct goroutine *g = ps->g;
	uint64_t creator;

	p += strlen("created by ");
	for (q = end; q > p && q[-1] >= '0' && q[-1] <= '9'; q--)
		;
	if (q < end && (size_t)(q - p) > sizeof(in) - 1 &&
	    !memcmp(q - (sizeof(in) - 1), in, sizeof(in) - 1) &&
	    !parse_u64_n(q, (size_t)(end - q), &creator)) {
		g->creator_id = creator;
		end = q - (sizeof(in) - 1);
	}
	g->created_by.func = intern(ps->d->strings, p, (size_t)(end - p));
	g->created_by.file = NULL;
	g->created_by.line = 0;
	ps->pending = PENDING_CREATED_BY;
}

static void add_frame(struct parser *ps, const char *p, size_t len)
{
	struct goroutine_dump *d = ps->d;
	struct goroutine *g = ps->g;
	struct goroutine_frame *f;

	if (g->nr_frames >= GOROUTINES_MAX_FRAMES) {
		g->elided = 1;
		ps->pending = PENDING_NONE;
		return;
	}
	ALLOC_GROW(d->pool, d->nr_pool + 1, d->alloc_pool);
	f = &d->pool[d->nr_pool++];
	f->func = intern(d->strings, p, func_name_len(p, len));
	f->file = NULL;
	f->line = 0;
	g->nr_frames++;
	ps->pending = PENDING_FRAME;
}

static void line_in_goroutine(struct parser *ps, const char *p, size_t len)
{
	struct goroutine *g = ps->g;

	if (p[0] == '\t') {
		if (ps->pending == PENDING_FRAME)
			parse_file_line(ps, &ps->d->pool[ps->d->nr_pool - 1], p, len);
		else if (ps->pending == PENDING_CREATED_BY)
			parse_file_line(ps, &g->created_by, p, len);
		else
			ps->d->nr_skipped++;
		ps->pending = PENDING_NONE;
	} else if (has_prefix(p, len, "created by ")) {
		parse_created_by(ps, p, len);
	} else if (has_prefix(p, len, "...additional frames elided...")) {
		g->elided = 1;
		ps->pending = PENDING_NONE;
	} else if (g->created_by.func) {
		/* nothing follows "created by" but its file */
		ps->d->nr_skipped++;
	} else {
		add_frame(ps, p, len);
	}
}

/* Whether the open goroutine looks cut short: no frame, or a frame without its file. */
static int looks_cut(const struct parser *ps)
{
	return !ps->g->nr_frames || ps->pending != PENDING_NONE;
}

int goroutines_parse(struct goroutine_dump *d, const char *text, size_t len,
		     struct strbuf *err)
{
	struct parser ps = { d, NULL, PENDING_NONE };
	/* no arithmetic on a NULL text (an empty strbuf's), even + 0: UB */
	const char *p = text, *end = text ? text + len : NULL;
	size_t i;
	int ret = -1;

	if (len > GOROUTINES_MAX_INPUT) {
		error_set(err, "goroutine dump is too large (%zu bytes)", len);
		goto cleanup;
	}
	d->strings = xcalloc(1, sizeof(*d->strings));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		size_t line_len = (size_t)(eol - p);

		while (line_len && p[line_len - 1] == '\r')
			line_len--;
		if (!line_len) {
			ps.g = NULL;
		} else if (line_len > GOROUTINES_MAX_LINE || memchr(p, '\0', line_len)) {
			d->nr_skipped++;
		} else if (line_len > 10 && has_prefix(p, line_len, "goroutine ") &&
			   p[10] >= '0' && p[10] <= '9') {
			if (d->nr >= GOROUTINES_MAX) {
				d->truncated = 1;
				break;
			}
			if (parse_header(&ps, p, line_len) < 0) {
				ps.g = NULL;
				d->nr_skipped++;
			}
		} else if (!ps.g) {
			d->nr_skipped++;
		} else if (d->nr_pool >= GOROUTINES_MAX_TOTAL_FRAMES) {
			d->truncated = 1;
			ps.g->truncated = 1;
			break;
		} else {
			line_in_goroutine(&ps, p, line_len);
		}
		p = eol + (nl ? 1 : 0);
	}
	/* the runtime's 64 MiB cap cuts mid-line; a cut at a line end leaves a frame without file */
	if (len && text[len - 1] != '\n')
		d->truncated = 1;
	if (ps.g && (looks_cut(&ps) || d->truncated)) {
		ps.g->truncated = 1;
		d->truncated = 1;
	}
	if (!d->nr) {
		error_set(err, "goroutine dump has no goroutine");
		goto cleanup;
	}
	for (i = 0; i < d->nr; i++)
		d->items[i].frames = d->items[i].nr_frames ? d->pool + d->items[i].first_frame : NULL;
	ret = 0;
cleanup:
	if (ret < 0)
		goroutine_dump_release(d);
	return ret;
}

/* ---- grouping ------------------------------------------------------------------ */

void goroutine_groups_init(struct goroutine_groups *g)
{
	g->items = NULL;
	g->nr = g->alloc = 0;
}

void goroutine_groups_release(struct goroutine_groups *g)
{
	free(g->items);
	goroutine_groups_init(g);
}

/* Interned strings make these pointer comparisons. */
static uint64_t group_hash(const struct goroutine *g)
{
	uint64_t h = FNV1A64_INIT;
	size_t i;

	h = fnv1a64_word(h, (uintptr_t)g->state);
	h = fnv1a64_word(h, (uintptr_t)g->created_by.func);
	h = fnv1a64_word(h, g->nr_frames);
	for (i = 0; i < g->nr_frames; i++)
		h = fnv1a64_word(h, (uintptr_t)g->frames[i].func);
	return h ^ (h >> 29);
}

static int same_group(const struct goroutine *a, const struct goroutine *b)
{
	size_t i;

	if (a->state != b->state || a->created_by.func != b->created_by.func ||
	    a->nr_frames != b->nr_frames)
		return 0;
	for (i = 0; i < a->nr_frames; i++)
		if (a->frames[i].func != b->frames[i].func)
			return 0;
	return 1;
}

static int group_cmp(const void *va, const void *vb)
{
	const struct goroutine_group *a = va, *b = vb;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if (a->first->id != b->first->id)
		return a->first->id < b->first->id ? -1 : 1;
	return 0;
}

void goroutines_group(const struct goroutine_dump *d, struct goroutine_groups *out)
{
	size_t cap = 16, i, *slots;	/* slot: group index + 1; 0 is empty */

	while (cap < 2 * d->nr + 2)
		cap *= 2;
	slots = xcalloc(cap, sizeof(*slots));
	for (i = 0; i < d->nr; i++) {
		const struct goroutine *g = &d->items[i];
		struct goroutine_group *grp;
		size_t j;

		for (j = group_hash(g) & (cap - 1); slots[j]; j = (j + 1) & (cap - 1))
			if (same_group(out->items[slots[j] - 1].first, g))
				break;
		if (slots[j]) {
			grp = &out->items[slots[j] - 1];
			grp->count++;
			if (g->wait_minutes < grp->min_wait_minutes)
				grp->min_wait_minutes = g->wait_minutes;
			if (g->wait_minutes > grp->max_wait_minutes)
				grp->max_wait_minutes = g->wait_minutes;
		} else {
			ALLOC_GROW(out->items, out->nr + 1, out->alloc);
			grp = &out->items[out->nr++];
			grp->first = g;
			grp->count = 1;
			grp->min_wait_minutes = grp->max_wait_minutes = g->wait_minutes;
			grp->nr_locked = 0;
			slots[j] = out->nr;
		}
		grp->nr_locked += g->locked;
	}
	free(slots);
	sort_array(out->items, out->nr, sizeof(*out->items), group_cmp);
}

const struct goroutine *goroutines_find(const struct goroutine_dump *d, uint64_t id)
{
	size_t i;

	for (i = 0; i < d->nr; i++)
		if (d->items[i].id == id)
			return &d->items[i];
	return NULL;
}
