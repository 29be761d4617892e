#include "profile/aggregate.h"

#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "base/hex.h"
#include "base/satmath.h"
#include "base/sort.h"

void agg_table_init(struct agg_table *t)
{
	memset(t, 0, sizeof(*t));
	strbuf_init(&t->names);
}

void agg_table_release(struct agg_table *t)
{
	free(t->rows);
	free(t->slots);
	free(t->frame_off);
	free(t->frame_keys);
	strbuf_release(&t->names);
	agg_table_init(t);
}

static void rehash(struct agg_table *t)
{
	size_t i, n = t->nr_slots ? t->nr_slots * 2 : 1024;

	free(t->slots);
	t->slots = xmalloc(n * sizeof(*t->slots));
	memset(t->slots, 0xff, n * sizeof(*t->slots));
	t->nr_slots = n;
	for (i = 0; i < t->nr; i++) {
		const char *s = t->names.buf + t->rows[i].name;
		size_t h = (size_t)fnv1a64(s, strlen(s)) & (n - 1);

		while (t->slots[h] != UINT32_MAX)
			h = (h + 1) & (n - 1);
		t->slots[h] = (uint32_t)i;
	}
}

/* Returns the row for name, creating it (zeroed) when new. */
static uint32_t intern(struct agg_table *t, const char *s, size_t len)
{
	size_t h;
	struct agg_row *r;

	if ((t->nr + 1) * 2 > t->nr_slots)
		rehash(t);
	h = (size_t)fnv1a64(s, len) & (t->nr_slots - 1);
	while (t->slots[h] != UINT32_MAX) {
		const char *o = t->names.buf + t->rows[t->slots[h]].name;

		if (!strncmp(o, s, len) && o[len] == '\0')
			return t->slots[h];
		h = (h + 1) & (t->nr_slots - 1);
	}
	ALLOC_GROW(t->rows, t->nr + 1, t->alloc);
	r = &t->rows[t->nr];
	memset(r, 0, sizeof(*r));
	r->id = (uint32_t)t->nr;
	r->name = t->names.len;
	strbuf_add(&t->names, s, len);
	strbuf_addch(&t->names, '\0');
	t->slots[h] = (uint32_t)t->nr;
	return (uint32_t)t->nr++;
}

void go_package_of(const char *func, struct strbuf *out)
{
	size_t end = strcspn(func, "[");	/* generic arguments hold any path */
	size_t i, slash = 0, dot;

	for (i = 0; i < end; i++)
		if (func[i] == '/')
			slash = i + 1;
	for (dot = slash; dot < end && func[dot] != '.'; dot++)
		;
	strbuf_reset(out);
	/* the linker escapes dots of the last path element as %2e */
	for (i = 0; i < dot; i++) {
		if (func[i] == '%' && i + 2 < dot && hex_value(func[i + 1]) >= 0 && hex_value(func[i + 2]) >= 0) {
			strbuf_addch(out, (char)(hex_value(func[i + 1]) * 16 + hex_value(func[i + 2])));
			i += 2;
		} else {
			strbuf_addch(out, func[i]);
		}
	}
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* go tool pprof's name for a frame it knows nothing about but the binary */
static void objfile_name(const struct profile *p, const struct profile_location *l, struct strbuf *out)
{
	const char *f = l->mapping != PROFILE_NONE ? profile_str(p, p->mappings[l->mapping].filename) : "";

	strbuf_reset(out);
	if (*f)
		strbuf_addf(out, "[%s]", base_name(f));
	else
		strbuf_addstr(out, "<unknown>");
}

static void group_name(const struct agg_options *o, const char *fname, struct strbuf *out)
{
	size_t i, best = 0;
	const char *mod = NULL;

	if (o->group == AGG_FUNCTION) {
		strbuf_reset(out);
		strbuf_addstr(out, fname);
		return;
	}
	go_package_of(fname, out);
	if (o->group != AGG_MODULE)
		return;
	for (i = 0; i < o->nr_modules; i++) {
		size_t n = strlen(o->modules[i]);

		if (n > best && !strncmp(out->buf, o->modules[i], n) &&
		    (out->buf[n] == '\0' || out->buf[n] == '/')) {
			best = n;
			mod = o->modules[i];
		}
	}
	if (mod) {
		strbuf_reset(out);
		strbuf_addstr(out, mod);
	}
}

/*
 * Frame keys: frames of location l are frame_keys[frame_off[l] ..
 * frame_off[l+1]), innermost first; a location without lines is one frame.
 */
struct frames {
	uint32_t *off;
	uint32_t *keys;
};

static void frames_build(const struct profile *p, const struct agg_options *o,
			 struct agg_table *t, struct frames *fr)
{
	struct strbuf name = STRBUF_INIT;
	uint32_t *fn_key = xmalloc((p->nr_functions ? p->nr_functions : 1) * sizeof(*fn_key));
	size_t i, nr = 0;

	for (i = 0; i < p->nr_functions; i++)
		fn_key[i] = UINT32_MAX;
	fr->off = xmalloc((p->nr_locations + 1) * sizeof(*fr->off));
	for (i = 0; i < p->nr_locations; i++) {
		fr->off[i] = (uint32_t)nr;
		nr += p->locations[i].nr_lines ? p->locations[i].nr_lines : 1;
	}
	fr->off[p->nr_locations] = (uint32_t)nr;
	fr->keys = xmalloc((nr ? nr : 1) * sizeof(*fr->keys));
	for (i = 0; i < p->nr_locations; i++) {
		const struct profile_location *l = &p->locations[i];
		uint32_t j, *k = fr->keys + fr->off[i];

		if (!l->nr_lines) {
			objfile_name(p, l, &name);
			k[0] = intern(t, name.buf, name.len);
			continue;
		}
		for (j = 0; j < l->nr_lines; j++) {
			uint32_t fn = p->lines[l->line_off + j].function;
			const char *fname = fn != PROFILE_NONE ? profile_str(p, p->functions[fn].name) : "";

			if (!*fname) {
				objfile_name(p, l, &name);
				k[j] = intern(t, name.buf, name.len);
				continue;
			}
			if (fn_key[fn] == UINT32_MAX) {
				group_name(o, fname, &name);
				fn_key[fn] = intern(t, name.buf, name.len);
			}
			k[j] = fn_key[fn];
		}
	}
	free(fn_key);
	strbuf_release(&name);
}

/* An open-addressing map of (caller, callee) edges: weight and inline state. */
struct edges {
	uint64_t *keys;		/* caller << 32 | callee, UINT64_MAX empty */
	int64_t *weight;
	uint32_t *stamp;	/* last sample that added weight: once per sample */
	unsigned char *noinline;
	size_t nr, cap;
};

static size_t edge_hash(uint64_t k, size_t cap)
{
	return (size_t)(k * 0x9E3779B97F4A7C15ULL >> 20) & (cap - 1);
}

static void edges_grow(struct edges *e)
{
	struct edges n = { 0 };
	size_t i;

	n.cap = e->cap ? e->cap * 2 : 4096;
	n.keys = xmalloc(n.cap * sizeof(*n.keys));
	memset(n.keys, 0xff, n.cap * sizeof(*n.keys));
	n.weight = xcalloc(n.cap, sizeof(*n.weight));
	n.stamp = xcalloc(n.cap, sizeof(*n.stamp));
	n.noinline = xcalloc(n.cap, 1);
	for (i = 0; i < e->cap; i++) {
		size_t h;

		if (e->keys[i] == UINT64_MAX)
			continue;
		h = edge_hash(e->keys[i], n.cap);
		while (n.keys[h] != UINT64_MAX)
			h = (h + 1) & (n.cap - 1);
		n.keys[h] = e->keys[i];
		n.weight[h] = e->weight[i];
		n.stamp[h] = e->stamp[i];
		n.noinline[h] = e->noinline[i];
	}
	n.nr = e->nr;
	free(e->keys);
	free(e->weight);
	free(e->stamp);
	free(e->noinline);
	*e = n;
}

static void edges_add(struct edges *e, uint32_t from, uint32_t to, int inlined,
		      int64_t w, uint32_t stamp)
{
	uint64_t k = (uint64_t)from << 32 | to;
	size_t h;

	if ((e->nr + 1) * 2 > e->cap)
		edges_grow(e);
	h = edge_hash(k, e->cap);
	while (e->keys[h] != UINT64_MAX && e->keys[h] != k)
		h = (h + 1) & (e->cap - 1);
	if (e->keys[h] == UINT64_MAX) {
		e->keys[h] = k;
		e->nr++;
	}
	if (e->stamp[h] != stamp) {
		e->stamp[h] = stamp;
		e->weight[h] = sat_add64(e->weight[h], w, NULL);
	}
	/* pprof marks an edge inline only if every traversal of it was inlined */
	if (!inlined)
		e->noinline[h] = 1;
}

static void edges_release(struct edges *e)
{
	free(e->keys);
	free(e->weight);
	free(e->stamp);
	free(e->noinline);
}

void agg_table_mark_inline(struct agg_table *t, const struct profile *p, size_t nr_kept)
{
	struct edges e = { 0 };
	uint32_t *row_of = xmalloc((t->nr ? t->nr : 1) * sizeof(*row_of));
	unsigned char *inlinable, *loc_inl;
	size_t s, i, nr_ids = 0;
	int64_t flat_sum = 0, cutoff;

	if (!t->frame_keys) {
		free(row_of);
		return;
	}
	for (i = 0; i < t->nr; i++) {
		flat_sum = sat_add64(flat_sum, t->rows[i].flat, NULL);
		if (t->rows[i].id + 1 > nr_ids)
			nr_ids = t->rows[i].id + 1;
	}
	row_of = xreallocarray(row_of, nr_ids ? nr_ids : 1, sizeof(*row_of));
	for (i = 0; i < nr_ids; i++)
		row_of[i] = UINT32_MAX;
	for (i = 0; i < nr_kept && i < t->nr; i++)
		row_of[t->rows[i].id] = (uint32_t)i;
	/*
	 * Only a row that some location holds as an inlined frame (not the
	 * location's outermost line) can be reached through an inlined call,
	 * and only such rows print a marker: edges into the others need not
	 * be counted. Most rows of a big profile are never inlined, so this
	 * spares most of the edge table's work.
	 */
	inlinable = xcalloc(nr_ids ? nr_ids : 1, 1);
	for (i = 0; i < p->nr_locations; i++) {
		uint32_t f;

		for (f = t->frame_off[i]; f + 1 < t->frame_off[i + 1]; f++)
			if (t->frame_keys[f] < nr_ids)
				inlinable[t->frame_keys[f]] = 1;
	}
	/* go tool pprof's -edgefraction default, 0.001 of the flat total */
	cutoff = (int64_t)((double)flat_sum * 0.001);
	if (cutoff < 0)
		cutoff = -cutoff;

	/* locations holding a kept row that can be inlined: other samples add no edge worth counting */
	loc_inl = xcalloc(p->nr_locations ? p->nr_locations : 1, 1);
	for (i = 0; i < p->nr_locations; i++) {
		uint32_t f;

		for (f = t->frame_off[i]; f < t->frame_off[i + 1]; f++) {
			uint32_t id = t->frame_keys[f];

			if (id < nr_ids && inlinable[id] && row_of[id] != UINT32_MAX)
				loc_inl[i] = 1;
		}
	}
	for (s = 0; s < p->nr_samples; s++) {
		int64_t w = profile_value(p, s, t->sample_index);
		uint32_t parent = UINT32_MAX, k;

		if (!w)
			continue;
		for (k = p->loc_off[s]; k < p->loc_off[s + 1] && !loc_inl[profile_loc(p, k)]; k++)
			;
		if (k == p->loc_off[s + 1])
			continue;
		/* root to leaf, as pprof builds its graph; rows not kept are bridged */
		for (k = p->loc_off[s + 1]; k-- > p->loc_off[s];) {
			uint32_t loc = profile_loc(p, k);
			uint32_t a = t->frame_off[loc], b = t->frame_off[loc + 1], f;

			for (f = b; f-- > a;) {
				uint32_t id = t->frame_keys[f];

				if (id >= nr_ids || row_of[id] == UINT32_MAX)
					continue;
				if (parent != UINT32_MAX && id != parent && inlinable[id])
					edges_add(&e, parent, id, f != b - 1, w, (uint32_t)s + 1);
				parent = id;
			}
		}
	}
	for (i = 0; i < t->nr; i++)
		t->rows[i].inline_in = t->rows[i].noinline_in = 0;
	for (i = 0; i < e.cap; i++) {
		struct agg_row *r;
		int64_t w;

		if (e.keys[i] == UINT64_MAX)
			continue;
		w = sat_abs64(e.weight[i], NULL);
		if (w < cutoff)
			continue;
		r = &t->rows[row_of[(uint32_t)e.keys[i]]];
		if (e.noinline[i])
			r->noinline_in = 1;
		else
			r->inline_in = 1;
	}
	edges_release(&e);
	free(row_of);
	free(inlinable);
	free(loc_inl);
}

int profile_aggregate(const struct profile *p, const struct agg_options *o,
		      struct agg_table *t, struct strbuf *err)
{
	struct frames fr = { 0 };
	uint32_t *seen = NULL;
	size_t s;
	int64_t total = 0;

	if (o->sample_index >= p->nr_sample_types)
		return error_set(err, "sample index %zu out of range (the profile has %zu sample types)",
				 o->sample_index, p->nr_sample_types);
	frames_build(p, o, t, &fr);
	seen = xcalloc(t->nr ? t->nr : 1, sizeof(*seen));
	for (s = 0; s < p->nr_samples; s++) {
		int64_t w = profile_value(p, s, o->sample_index);
		uint32_t stamp = (uint32_t)s + 1, k, leaf = UINT32_MAX;

		total = sat_add64(total, sat_abs64(w, &t->saturated), &t->saturated);
		if (!w)
			continue;
		for (k = p->loc_off[s]; k < p->loc_off[s + 1]; k++) {
			uint32_t loc = profile_loc(p, k), f;

			for (f = fr.off[loc]; f < fr.off[loc + 1]; f++) {
				uint32_t key = fr.keys[f];

				if (leaf == UINT32_MAX)
					leaf = key;
				if (seen[key] != stamp) {
					seen[key] = stamp;
					t->rows[key].cum = sat_add64(t->rows[key].cum, w, &t->saturated);
				}
			}
		}
		if (leaf != UINT32_MAX)
			t->rows[leaf].flat = sat_add64(t->rows[leaf].flat, w, &t->saturated);
	}
	t->total = sat_add64(t->total, total, &t->saturated);
	free(seen);
	/* kept for agg_table_mark_inline; a second aggregate replaces them */
	free(t->frame_off);
	free(t->frame_keys);
	t->frame_off = fr.off;
	t->frame_keys = fr.keys;
	t->sample_index = o->sample_index;
	return 0;
}

int agg_table_subtract(struct agg_table *t, const struct agg_table *base, struct strbuf *err)
{
	size_t i;

	if (t->sorted)
		return error_set(err, "cannot subtract from a sorted table");
	for (i = 0; i < base->nr; i++) {
		const char *name = agg_row_name(base, &base->rows[i]);
		uint32_t r = intern(t, name, strlen(name));

		t->rows[r].flat = sat_sub64(t->rows[r].flat, base->rows[i].flat, &t->saturated);
		t->rows[r].cum = sat_sub64(t->rows[r].cum, base->rows[i].cum, &t->saturated);
	}
	t->total = sat_sub64(t->total, base->total, &t->saturated);
	t->saturated |= base->saturated;
	return 0;
}

static const struct agg_table *sort_table;
static int sort_cum;

static int64_t abs64(int64_t v)
{
	return sat_abs64(v, NULL);
}

static int row_cmp(const void *a, const void *b)
{
	const struct agg_row *x = a, *y = b;
	int64_t p1 = sort_cum ? abs64(x->cum) : abs64(x->flat);
	int64_t p2 = sort_cum ? abs64(y->cum) : abs64(y->flat);
	int64_t s1 = sort_cum ? abs64(x->flat) : abs64(x->cum);
	int64_t s2 = sort_cum ? abs64(y->flat) : abs64(y->cum);
	int c;

	if (p1 != p2)
		return p1 > p2 ? -1 : 1;
	c = strcmp(agg_row_name(sort_table, x), agg_row_name(sort_table, y));
	if (c)
		return c;
	if (s1 != s2)
		return s1 > s2 ? -1 : 1;
	return 0;
}

void agg_table_sort(struct agg_table *t, int by_cum)
{
	sort_table = t;
	sort_cum = by_cum;
	sort_array(t->rows, t->nr, sizeof(*t->rows), row_cmp);
	sort_table = NULL;
	t->sorted = 1;
}

void agg_table_drop_empty(struct agg_table *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->nr; i++)
		if (t->rows[i].flat || t->rows[i].cum)
			t->rows[n++] = t->rows[i];
	t->nr = n;
	/* row numbers moved: the name index no longer applies */
	t->sorted = 1;
}
