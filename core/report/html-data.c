/*
 * The data of the HTML report that the report model does not carry: flame
 * graph trees of the bundle's profiles, the samples over time and MemStats,
 * read again from the bundle (html.h).
 *
 * A flame view, as the page's script reads it (JSON):
 *   id, title, unit          "heap-inuse_space", "heap: inuse_space", "bytes"
 *   total, totalText          what `triage top` calls the total, and as it prints it
 *   minShare, merged          the share below which frames were merged, and how many were
 *   diff                      true for a diff tree (nodes carry the base value)
 *   names, owners             frame names and their owner class (owner.h's enum)
 *   flat, cum, flatv, cumv    per name, `triage top`'s values as it prints them
 *                             and as integers (absent for a diff)
 *   nodes                     preorder, [name, value, depth] per node ([name,
 *                             value, base, depth] for a diff); name -N is a box
 *                             of N merged frames
 */
#include "report/html.h"

#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/json.h"
#include "bundle/vocab.h"
#include "lua/facts.h"
#include "lua/sandbox.h"
#include "profile/aggregate.h"
#include "profile/flame.h"
#include "profile/owner.h"
#include "profile/profile.h"
#include "profile/units.h"

void html_data_init(struct html_data *d)
{
	memset(d, 0, sizeof(*d));
	bundle_init(&d->b);
	memstats_init(&d->ms);
	strbuf_init(&d->notes);
	d->heap_profile = -1;
}

void html_data_release(struct html_data *d)
{
	size_t i;

	bundle_release(&d->b);
	if (d->flames)
		json_object_put(d->flames);
	for (i = 0; i < d->nr_points; i++)
		free(d->points[i].time);
	free(d->points);
	strbuf_release(&d->notes);
	html_data_init(d);
}

/* The main module and its dependencies from build info, the main one first; else the manifest's. */
struct modules {
	const char **names;
	size_t nr;
};

static void modules_add(struct modules *m, const char *s)
{
	if (!s || !*s)
		return;
	m->names = xreallocarray(m->names, m->nr + 1, sizeof(*m->names));
	m->names[m->nr++] = s;
}

static void modules_load(const struct bundle *b, json_object **bi, struct modules *m)
{
	const struct bundle_file *f = bundle_get(b, ART_BUILDINFO_JSON);
	json_object *deps;
	size_t i;

	*bi = f ? json_tokener_parse((const char *)f->data) : NULL;
	if (*bi && !json_object_is_type(*bi, json_type_object)) {
		json_object_put(*bi);
		*bi = NULL;
	}
	modules_add(m, json_get_str(json_get_obj(*bi, "main"), "path", NULL));
	if (!m->nr)
		modules_add(m, json_get_str(json_get_obj(b->manifest, MF_TARGET), MF_TARGET_MAIN_MODULE, NULL));
	deps = json_get_array(*bi, "deps");
	for (i = 0; deps && i < json_object_array_length(deps); i++)
		modules_add(m, json_get_str(json_object_array_get_idx(deps, i), "path", NULL));
}

static int load_profile(const struct bundle *b, const char *path, struct profile *p, struct strbuf *notes)
{
	const struct bundle_file *f = bundle_get(b, path);
	struct profile_options opt = { 0, 1 };
	struct strbuf err = STRBUF_INIT;
	int ret = -1;

	if (!f)
		goto out;
	if (profile_read_mem(p, f->data, f->len, f->path, &opt, &err) < 0) {
		strbuf_addf(notes, "%s: %s\n", path, err.buf);
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&err);
	return ret;
}

/* Preorder over the children links, with an explicit stack (deep stacks exist). */
static void push_nodes(const struct flame_tree *t, const int32_t *name_of, int diff, json_object *nodes)
{
	uint32_t *todo = NULL, *depth = NULL;
	size_t nr = 0, alloc = 0, dalloc = 0;

	ALLOC_GROW(todo, 1, alloc);
	ALLOC_GROW(depth, 1, dalloc);
	todo[nr] = 0;
	depth[nr++] = 0;
	while (nr) {
		uint32_t n = todo[--nr], dp = depth[nr], c, k = 0, j = 0;
		const struct flame_node *x = &t->nodes[n];
		/* the root (depth 0) has no name; the page calls it "all" */
		int64_t name = x->key == FLAME_MERGED ? -(int64_t)x->nr_merged : x->key == FLAME_NONE ? 0 : name_of[x->key];

		json_object_array_add(nodes, json_object_new_int64(name));
		json_object_array_add(nodes, json_object_new_int64(x->value));
		if (diff)
			json_object_array_add(nodes, json_object_new_int64(x->base));
		json_object_array_add(nodes, json_object_new_int64(dp));
		for (c = x->child; c != FLAME_NONE; c = t->nodes[c].sibling)
			k++;
		ALLOC_GROW(todo, nr + k, alloc);
		ALLOC_GROW(depth, nr + k, dalloc);
		/* pushed last first, so the children come out in their order */
		for (c = x->child; c != FLAME_NONE; c = t->nodes[c].sibling, j++) {
			todo[nr + k - 1 - j] = c;
			depth[nr + k - 1 - j] = dp + 1;
		}
		nr += k;
	}
	free(todo);
	free(depth);
}

struct view_spec {
	const char *id, *title;
	const struct profile *p, *base;	/* base: a diff against it */
	size_t si, base_si;
};

static int flame_view(const struct view_spec *v, const struct modules *m, json_object *views,
		      struct strbuf *err)
{
	struct agg_options o = { v->si, AGG_FUNCTION, NULL, 0 }, bo = { v->base_si, AGG_FUNCTION, NULL, 0 };
	struct agg_table t;
	struct flame_tree full, shown;
	json_object *view = NULL, *names, *owners, *nodes;
	int32_t *name_of = NULL;
	int64_t *flat = NULL, *cum = NULL, scale;
	const char *unit = profile_str(v->p, v->p->sample_types[v->si].unit), *ounit = "auto";
	double share = HTML_FLAME_MIN_SHARE;
	size_t i, nr_names = 0;
	char buf[64];
	int ret = -1;

	agg_table_init(&t);
	flame_tree_init(&full);
	flame_tree_init(&shown);
	/* one table for both profiles of a diff, so a name is one row in both */
	if (v->base && (profile_aggregate(v->base, &bo, &t, err) < 0 ||
			flame_tree_add(&full, v->base, v->base_si, &t, 1, err) < 0))
		goto out;
	if (profile_aggregate(v->p, &o, &t, err) < 0 || flame_tree_add(&full, v->p, v->si, &t, 0, err) < 0)
		goto out;
	scale = full.nr ? llabs(full.nodes[0].value) > llabs(full.nodes[0].base) ?
		llabs(full.nodes[0].value) : llabs(full.nodes[0].base) : 0;
	for (;;) {
		flame_tree_merge_small(&full, (int64_t)ceil((double)scale * share), &shown);
		if (shown.nr <= HTML_FLAME_MAX_NODES || share >= 0.5)
			break;
		share *= 2;
	}

	view = json_object_new_object();
	names = json_object_new_array();
	owners = json_object_new_array();
	nodes = json_object_new_array();
	json_object_object_add(view, "id", json_object_new_string(v->id));
	json_object_object_add(view, "title", json_object_new_string(v->title));
	json_object_object_add(view, "unit", json_object_new_string(unit));
	json_object_object_add(view, "minShare", json_object_new_double(share));
	json_object_object_add(view, "merged", json_object_new_int64((int64_t)shown.nr_merged));
	json_object_object_add(view, "diff", json_object_new_boolean(v->base != NULL));
	if (!v->base) {
		/* `triage top` prints a table in one unit chosen from all its rows */
		flat = xmalloc((t.nr ? t.nr : 1) * sizeof(*flat));
		cum = xmalloc((t.nr ? t.nr : 1) * sizeof(*cum));
		for (i = 0; i < t.nr; i++) {
			flat[i] = t.rows[i].flat;
			cum[i] = t.rows[i].cum;
		}
		ounit = units_select(flat, cum, t.nr, t.total, unit);
	}
	json_object_object_add(view, "total", json_object_new_int64(v->base ? full.nodes[0].value : t.total));
	units_label(buf, sizeof(buf), v->base ? full.nodes[0].value : t.total, unit, ounit);
	json_object_object_add(view, "totalText", json_object_new_string(buf));

	name_of = xmalloc((t.nr ? t.nr : 1) * sizeof(*name_of));
	for (i = 0; i < t.nr; i++)
		name_of[i] = -1;
	for (i = 1; i < shown.nr; i++) {
		uint32_t k = shown.nodes[i].key;

		if (k == FLAME_MERGED || k >= t.nr || name_of[k] >= 0)
			continue;
		name_of[k] = (int32_t)nr_names++;
		json_object_array_add(names, json_object_new_string(agg_row_name(&t, &t.rows[k])));
		json_object_array_add(owners, json_object_new_int(owner_class_of(agg_row_name(&t, &t.rows[k]),
										 m->names, m->nr)));
	}
	if (!v->base) {
		json_object *ft = json_object_new_array(), *ct = json_object_new_array();
		json_object *fv = json_object_new_array(), *cv = json_object_new_array();
		int32_t *row_of = xmalloc((nr_names ? nr_names : 1) * sizeof(*row_of));

		for (i = 0; i < t.nr; i++)
			if (name_of[i] >= 0)
				row_of[name_of[i]] = (int32_t)i;
		for (i = 0; i < nr_names; i++) {
			const struct agg_row *r = &t.rows[row_of[i]];

			units_label(buf, sizeof(buf), r->flat, unit, ounit);
			json_object_array_add(ft, json_object_new_string(buf));
			units_label(buf, sizeof(buf), r->cum, unit, ounit);
			json_object_array_add(ct, json_object_new_string(buf));
			json_object_array_add(fv, json_object_new_int64(r->flat));
			json_object_array_add(cv, json_object_new_int64(r->cum));
		}
		free(row_of);
		json_object_object_add(view, "flat", ft);
		json_object_object_add(view, "cum", ct);
		json_object_object_add(view, "flatv", fv);
		json_object_object_add(view, "cumv", cv);
	}
	push_nodes(&shown, name_of, v->base != NULL, nodes);
	json_object_object_add(view, "names", names);
	json_object_object_add(view, "owners", owners);
	json_object_object_add(view, "nodes", nodes);
	json_object_array_add(views, view);
	ret = 0;
out:
	free(name_of);
	free(flat);
	free(cum);
	flame_tree_release(&full);
	flame_tree_release(&shown);
	agg_table_release(&t);
	return ret;
}

static void add_view(struct view_spec *v, const struct modules *m, json_object *views, struct strbuf *notes)
{
	struct strbuf err = STRBUF_INIT;

	if (flame_view(v, m, views, &err) < 0)
		strbuf_addf(notes, "flame graph %s: %s\n", v->title, err.buf);
	strbuf_release(&err);
}

/* The samples' directory names, "000", "001", ... in order (the bundle is sorted by path). */
static size_t sample_ids(const struct bundle *b, char (**ids)[16])
{
	size_t i, n = 0, alloc = 0, len = strlen(ART_SAMPLES_DIR);

	for (i = 0; i < b->nr; i++) {
		const char *p = b->files[i].path;
		size_t w;

		if (strncmp(p, ART_SAMPLES_DIR, len) || (w = strcspn(p + len, "/")) >= 16 || !p[len + w])
			continue;
		if (n && !strncmp((*ids)[n - 1], p + len, w) && !(*ids)[n - 1][w])
			continue;
		ALLOC_GROW(*ids, n + 1, alloc);
		snprintf((*ids)[n], 16, "%.*s", (int)w, p + len);
		n++;
	}
	return n;
}

/* "2026-11-22T04:52:50.739Z" -> seconds since the epoch; -1 when it is not that. */
static double iso_seconds(const char *s)
{
	struct tm tm;
	const char *rest;

	memset(&tm, 0, sizeof(tm));
	if (!s || !(rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)))
		return -1;
	return (double)timegm(&tm) + (*rest == '.' ? atof(rest) : 0);
}

static int64_t lua_field_int(lua_State *L, int idx, const char *table, const char *key)
{
	int64_t v = -1;

	if (lua_getfield(L, idx, table) == LUA_TTABLE) {
		if (lua_getfield(L, -1, key) == LUA_TNUMBER)
			v = (int64_t)lua_tonumber(L, -1);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return v;
}

static int64_t profile_sum(const struct bundle *b, const char *path, struct strbuf *notes)
{
	struct profile p;
	int64_t sum = -1;
	size_t s, si;

	profile_init(&p);
	if (load_profile(b, path, &p, notes) == 0 && p.nr_sample_types) {
		si = profile_default_sample_index(&p);
		for (sum = 0, s = 0; s < p.nr_samples; s++)
			sum += profile_value(&p, s, si);
	}
	profile_release(&p);
	return sum;
}

/*
 * The samples over time, from the same facts the rules see (b.samples):
 * the headline is the cgroup working set when the report's headline is
 * the cgroup's, else the process RSS.
 */
static void load_points(const struct report *r, struct html_data *d)
{
	struct sandbox_limits lim;
	struct strbuf err = STRBUF_INIT, path = STRBUF_INIT;
	json_object *status = json_object_new_object();
	const char *source = json_get_str(json_get_obj(r->ledger, "headline"), "source", "");
	lua_State *L = NULL;
	char (*ids)[16] = NULL;
	size_t i, n = sample_ids(&d->b, &ids);
	int known = 1;

	if (n < 2)
		goto out;
	sandbox_limits_init(&lim);
	L = sandbox_new(&lim, &err);
	if (!L || facts_push(L, &d->b, NULL, NULL, 0, status, &err) < 0) {
		strbuf_addf(&d->notes, "samples over time: %s\n", err.buf);
		goto out;
	}
	if (lua_getfield(L, -1, "samples") != LUA_TTABLE)
		goto out;
	d->points = xcalloc(n, sizeof(*d->points));
	for (i = 0; i < n; i++) {
		struct html_point *pt = &d->points[d->nr_points];
		int64_t ws;

		if (lua_rawgeti(L, -1, (lua_Integer)i + 1) != LUA_TTABLE) {
			lua_pop(L, 1);
			break;
		}
		snprintf(pt->id, sizeof(pt->id), "%s", ids[i]);
		if (lua_getfield(L, -1, "time") == LUA_TSTRING)
			pt->time = xstrdup(lua_tostring(L, -1));
		lua_pop(L, 1);
		pt->rss = lua_field_int(L, -1, "status", "VmRSS");
		pt->heap_inuse = lua_field_int(L, -1, "memstats", "HeapInuse");
		ws = lua_field_int(L, -1, "cgroup", "working_set");
		pt->headline = !strcmp(source, "cgroup") ? ws : pt->rss;
		lua_pop(L, 1);
		strbuf_reset(&path);
		strbuf_addf(&path, ART_SAMPLES_DIR "%s/" ART_PROFILE_GOROUTINE, ids[i]);
		pt->goroutines = profile_sum(&d->b, path.buf, &d->notes);
		pt->seconds = iso_seconds(pt->time);
		d->nr_points++;
	}
	/* seconds since the first sample; if any time is unknown, the page goes by sample number */
	for (i = 0; i < d->nr_points; i++)
		known &= d->points[i].seconds >= 0;
	for (i = d->nr_points; i-- > 0;)	/* backwards: the first is subtracted last */
		d->points[i].seconds = known ? d->points[i].seconds - d->points[0].seconds : -1;
out:
	free(ids);
	sandbox_close(L);
	json_object_put(status);
	strbuf_release(&err);
	strbuf_release(&path);
}

static void load_flames(const struct report *r, struct html_data *d)
{
	static const char *const heap_types[] = { "inuse_space", "inuse_objects", "alloc_space" };
	struct profile heap, cpu, gor, first, last;
	struct modules m = { NULL, 0 };
	json_object *bi = NULL;
	struct strbuf id = STRBUF_INIT, title = STRBUF_INIT;
	char (*ids)[16] = NULL;
	size_t i, n;

	profile_init(&heap);
	profile_init(&cpu);
	profile_init(&gor);
	profile_init(&first);
	profile_init(&last);
	modules_load(&d->b, &bi, &m);
	d->flames = json_object_new_array();
	if (load_profile(&d->b, ART_PROFILE_HEAP, &heap, &d->notes) == 0) {
		for (i = 0; i < sizeof(heap_types) / sizeof(heap_types[0]); i++) {
			int si = profile_sample_index(&heap, heap_types[i]);
			struct view_spec v = { NULL, NULL, &heap, NULL, 0, 0 };

			if (si < 0)
				continue;
			strbuf_reset(&id);
			strbuf_reset(&title);
			strbuf_addf(&id, "heap-%s", heap_types[i]);
			strbuf_addf(&title, "heap: %s", heap_types[i]);
			v.id = id.buf;
			v.title = title.buf;
			v.si = (size_t)si;
			add_view(&v, &m, d->flames, &d->notes);
			if (i == 0) {
				struct agg_options o = { (size_t)si, AGG_FUNCTION, NULL, 0 };
				struct agg_table t;
				struct strbuf err = STRBUF_INIT;

				agg_table_init(&t);
				if (profile_aggregate(&heap, &o, &t, &err) == 0)
					d->heap_profile = t.total;
				agg_table_release(&t);
				strbuf_release(&err);
			}
		}
	}
	if (load_profile(&d->b, ART_PROFILE_CPU, &cpu, &d->notes) == 0 && cpu.nr_sample_types) {
		struct view_spec v = { "cpu", "CPU", &cpu, NULL, profile_default_sample_index(&cpu), 0 };

		add_view(&v, &m, d->flames, &d->notes);
	}
	if (load_profile(&d->b, ART_PROFILE_GOROUTINE, &gor, &d->notes) == 0 && gor.nr_sample_types) {
		struct view_spec v = { "goroutine", "goroutines", &gor, NULL, profile_default_sample_index(&gor), 0 };

		add_view(&v, &m, d->flames, &d->notes);
	}
	/* what grew: this heap against the --base bundle's, else the last sample's against the first's */
	n = sample_ids(&d->b, &ids);
	if (r->base_bundle && heap.nr_sample_types) {
		struct bundle base;
		struct strbuf err = STRBUF_INIT;

		bundle_init(&base);
		if (bundle_load(&base, r->base_bundle, &err) < 0)
			strbuf_addf(&d->notes, "--base %s: %s\n", r->base_bundle, err.buf);
		else if (load_profile(&base, ART_PROFILE_HEAP, &first, &d->notes) == 0) {
			int fs = profile_sample_index(&first, "inuse_space"), ls = profile_sample_index(&heap, "inuse_space");

			strbuf_reset(&title);
			strbuf_addf(&title, "heap growth: against --base %s", r->base_bundle);
			if (fs >= 0 && ls >= 0) {
				struct view_spec v = { "diff", title.buf, &heap, &first, (size_t)ls, (size_t)fs };

				add_view(&v, &m, d->flames, &d->notes);
			}
		}
		bundle_release(&base);
		strbuf_release(&err);
	} else if (n >= 2) {
		struct strbuf a = STRBUF_INIT, z = STRBUF_INIT;

		strbuf_addf(&a, ART_SAMPLES_DIR "%s/" ART_PROFILE_HEAP, ids[0]);
		strbuf_addf(&z, ART_SAMPLES_DIR "%s/" ART_PROFILE_HEAP, ids[n - 1]);
		if (load_profile(&d->b, a.buf, &first, &d->notes) == 0 &&
		    load_profile(&d->b, z.buf, &last, &d->notes) == 0) {
			int fs = profile_sample_index(&first, "inuse_space"), ls = profile_sample_index(&last, "inuse_space");

			strbuf_reset(&title);
			strbuf_addf(&title, "heap growth: sample %s against %s", ids[n - 1], ids[0]);
			if (fs >= 0 && ls >= 0) {
				struct view_spec v = { "diff", title.buf, &last, &first, (size_t)ls, (size_t)fs };

				add_view(&v, &m, d->flames, &d->notes);
			}
		}
		strbuf_release(&a);
		strbuf_release(&z);
	}
	free(ids);
	free(m.names);
	if (bi)
		json_object_put(bi);
	strbuf_release(&id);
	strbuf_release(&title);
	profile_release(&heap);
	profile_release(&cpu);
	profile_release(&gor);
	profile_release(&first);
	profile_release(&last);
}

int html_data_load(const struct report *r, struct html_data *d, struct strbuf *err)
{
	const struct bundle_file *f;
	struct strbuf why = STRBUF_INIT;

	if (!r->bundle)
		return error_set(err, "the report names no bundle");
	if (bundle_load(&d->b, r->bundle, err) < 0)
		return -1;
	d->have_bundle = 1;
	f = bundle_get(&d->b, ART_MEMSTATS);
	if (f && memstats_parse_json((const char *)f->data, f->len, &d->ms, &why) == 0)
		d->have_ms = 1;
	load_flames(r, d);
	load_points(r, d);
	strbuf_release(&why);
	return 0;
}
