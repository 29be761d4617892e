/*
 * Parsed artifacts -> Lua values: the converters behind the facts table in
 * facts.c. Each reads what the C parsers (core/parse/) make of a bundle
 * file and pushes one table; failures fill why and push nothing.
 */
#include <inttypes.h>
#include <lauxlib.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "base/json.h"
#include "bundle/vocab.h"
#include "lua/facts-internal.h"
#include "lua/json.h"
#include "parse/cgroupmem.h"
#include "parse/goroutines.h"
#include "parse/kvfile.h"
#include "parse/memstats.h"
#include "profile/profile.h"

/* How many goroutine groups rules see; the rest is counted, not listed. */
#define MAX_GROUPS 200
#define MAX_GROUP_FRAMES 32
/*
 * Distinct states in by_state: Go has about 40. A hostile dump of 2M
 * goroutines, each in a state of its own, made a table of 2M keys (some
 * 200 MB of the facts); past this, they are counted under "(other)".
 */
#define MAX_STATES 256

static const char *manifest_status(const struct bundle *b, const char *path, const char **error)
{
	json_object *arts, *v;
	size_t i, n;

	*error = NULL;
	if (!b->manifest || !json_object_object_get_ex(b->manifest, MF_ARTIFACTS, &arts) ||
	    !json_object_is_type(arts, json_type_array))
		return NULL;
	n = json_object_array_length(arts);
	for (i = 0; i < n; i++) {
		json_object *a = json_object_array_get_idx(arts, i);

		if (!json_object_object_get_ex(a, "path", &v) || strcmp(json_object_get_string(v), path))
			continue;
		if (json_object_object_get_ex(a, MF_ART_ERROR, &v) && json_object_is_type(v, json_type_string))
			*error = json_object_get_string(v);
		if (json_object_object_get_ex(a, "status", &v))
			return json_object_get_string(v);
		return NULL;
	}
	return NULL;
}

/*
 * The artifact's bytes when the collector says it is good (or there is no
 * manifest to ask); otherwise NULL, with why in *why.
 */
const struct bundle_file *fact_artifact(const struct bundle *b, const char *path, struct strbuf *why)
{
	const char *error, *st = manifest_status(b, path, &error);
	const struct bundle_file *f = bundle_get(b, path);

	strbuf_reset(why);
	if (st && strcmp(st, "ok")) {
		strbuf_addf(why, "%s was not collected (%s%s%s)", path, st, error ? ": " : "", error ? error : "");
		return NULL;
	}
	if (!f) {
		strbuf_addf(why, "the bundle has no %s", path);
		return NULL;
	}
	return f;
}

void tbl_set_int(lua_State *L, const char *k, int64_t v)
{
	lua_pushinteger(L, (lua_Integer)v);
	lua_setfield(L, -2, k);
}

void tbl_set_str(lua_State *L, const char *k, const char *v)
{
	lua_pushstring(L, v);
	lua_setfield(L, -2, k);
}

void tbl_set_bool(lua_State *L, const char *k, int v)
{
	lua_pushboolean(L, v);
	lua_setfield(L, -2, k);
}

int fact_parse_json(const struct bundle_file *f, json_object **out, struct strbuf *why)
{
	struct strbuf reason = STRBUF_INIT;

	/* bounded: a small artifact of tiny values must not cost gigabytes */
	*out = json_parse_bounded((const char *)f->data, f->len, 32, JSON_MAX_VALUES, &reason);
	if (!*out && why) {
		strbuf_reset(why);
		strbuf_addf(why, "%s is not usable JSON: %s", f->path, reason.buf);
	}
	strbuf_release(&reason);
	return *out ? 0 : -1;
}

/* Pushes a kv file as a table (numbers where numeric, strings otherwise). */
int push_kvfile(lua_State *L, const struct bundle_file *f, enum kv_format fmt, const char *name,
		       struct strbuf *why)
{
	struct kvtable t;
	size_t i;

	kvtable_init(&t);
	if (kvfile_parse(&t, (const char *)f->data, f->len, fmt, name, why) < 0)
		return -1;
	if (!t.nr) {
		kvtable_release(&t);
		strbuf_reset(why);
		strbuf_addf(why, "%s holds no key/value lines", name);
		return -1;
	}
	lua_createtable(L, 0, (int)t.nr);
	for (i = 0; i < t.nr; i++) {
		if (t.items[i].numeric)
			lua_pushinteger(L, (lua_Integer)t.items[i].value);
		else
			lua_pushstring(L, t.items[i].str);
		lua_setfield(L, -2, t.items[i].key);
	}
	kvtable_release(&t);
	return 0;
}

static void push_memstats(lua_State *L, const struct memstats *m)
{
	static const struct { enum memstats_field f; size_t off; } u64[] = {
#define F(e, field) { e, offsetof(struct memstats, field) }
		F(MEMSTATS_ALLOC, alloc), F(MEMSTATS_TOTAL_ALLOC, total_alloc), F(MEMSTATS_SYS, sys),
		F(MEMSTATS_LOOKUPS, lookups), F(MEMSTATS_MALLOCS, mallocs), F(MEMSTATS_FREES, frees),
		F(MEMSTATS_HEAP_ALLOC, heap_alloc), F(MEMSTATS_HEAP_SYS, heap_sys),
		F(MEMSTATS_HEAP_IDLE, heap_idle), F(MEMSTATS_HEAP_INUSE, heap_inuse),
		F(MEMSTATS_HEAP_RELEASED, heap_released), F(MEMSTATS_HEAP_OBJECTS, heap_objects),
		F(MEMSTATS_STACK_INUSE, stack_inuse), F(MEMSTATS_STACK_SYS, stack_sys),
		F(MEMSTATS_MSPAN_INUSE, mspan_inuse), F(MEMSTATS_MSPAN_SYS, mspan_sys),
		F(MEMSTATS_MCACHE_INUSE, mcache_inuse), F(MEMSTATS_MCACHE_SYS, mcache_sys),
		F(MEMSTATS_BUCK_HASH_SYS, buck_hash_sys), F(MEMSTATS_GC_SYS, gc_sys),
		F(MEMSTATS_OTHER_SYS, other_sys), F(MEMSTATS_NEXT_GC, next_gc), F(MEMSTATS_LAST_GC, last_gc),
		F(MEMSTATS_PAUSE_TOTAL_NS, pause_total_ns), F(MEMSTATS_NUM_GC, num_gc),
		F(MEMSTATS_NUM_FORCED_GC, num_forced_gc), F(MEMSTATS_MAX_RSS, max_rss),
#undef F
	};
	size_t i;

	lua_newtable(L);
	for (i = 0; i < sizeof(u64) / sizeof(u64[0]); i++) {
		uint64_t v;

		if (!MEMSTATS_HAS(m, u64[i].f))
			continue;
		memcpy(&v, (const char *)m + u64[i].off, sizeof(v));
		/* MemStats values fit int64 in practice; clamp rather than wrap */
		lua_pushinteger(L, v > INT64_MAX ? INT64_MAX : (lua_Integer)v);
		lua_setfield(L, -2, memstats_field_name(u64[i].f));
	}
	if (MEMSTATS_HAS(m, MEMSTATS_GC_CPU_FRACTION)) {
		lua_pushnumber(L, m->gc_cpu_fraction);
		lua_setfield(L, -2, "GCCPUFraction");
	}
}

/* MemStats from runtime/memstats.json, else from the heap?debug=1 text. */
int push_memstats_from(lua_State *L, const struct bundle *b, const char *prefix, struct strbuf *why)
{
	struct strbuf p = STRBUF_INIT, e = STRBUF_INIT;
	const struct bundle_file *f;
	struct memstats m;
	int ret = -1;

	memstats_init(&m);
	strbuf_addf(&p, "%s" ART_MEMSTATS, prefix);
	f = fact_artifact(b, p.buf, why);
	if (f && memstats_parse_json((const char *)f->data, f->len, &m, &e) == 0) {
		push_memstats(L, &m);
		ret = 0;
		goto out;
	}
	strbuf_reset(&p);
	strbuf_addf(&p, "%s" ART_HEAP_DEBUG1, prefix);
	f = fact_artifact(b, p.buf, &e);
	if (f && memstats_parse_debug1((const char *)f->data, f->len, &m, &e) == 0) {
		push_memstats(L, &m);
		ret = 0;
		goto out;
	}
	if (!why->len)
		strbuf_addstr(why, strbuf_str(&e));
out:
	strbuf_release(&p);
	strbuf_release(&e);
	return ret;
}

static const char *file_text(const struct bundle *b, const char *prefix, const char *name)
{
	struct strbuf p = STRBUF_INIT, why = STRBUF_INIT;
	const struct bundle_file *f;

	strbuf_addf(&p, "%scgroup/%s", prefix, name);
	f = fact_artifact(b, p.buf, &why);
	strbuf_release(&p);
	strbuf_release(&why);
	return f ? (const char *)f->data : NULL;
}

/* Normalised cgroup memory (one vocabulary for v1 and v2), raw stat kept. */
int push_cgroup(lua_State *L, const struct bundle *b, const char *prefix, int version,
		       struct strbuf *why)
{
	static const struct { enum cgroup_mem_field f; const char *name; size_t off; } fields[] = {
#define F(e, n, field) { e, n, offsetof(struct cgroup_mem, field) }
		F(CGMEM_USAGE, "usage", usage), F(CGMEM_LIMIT, "limit", limit),
		F(CGMEM_HIER_LIMIT, "hierarchical_limit", hier_limit), F(CGMEM_HIGH, "high", high),
		F(CGMEM_ANON, "anon", anon), F(CGMEM_FILE, "file", file),
		F(CGMEM_ACTIVE_ANON, "active_anon", active_anon), F(CGMEM_INACTIVE_ANON, "inactive_anon", inactive_anon),
		F(CGMEM_ACTIVE_FILE, "active_file", active_file), F(CGMEM_INACTIVE_FILE, "inactive_file", inactive_file),
		F(CGMEM_KERNEL, "kernel", kernel), F(CGMEM_SLAB, "slab", slab), F(CGMEM_SHMEM, "shmem", shmem),
		F(CGMEM_FILE_MAPPED, "file_mapped", file_mapped), F(CGMEM_SOCK, "sock", sock),
		F(CGMEM_WORKING_SET, "working_set", working_set), F(CGMEM_OOM_EVENTS, "oom_events", oom_events),
		F(CGMEM_OOM_KILL, "oom_kill", oom_kill), F(CGMEM_UNDER_OOM, "under_oom", under_oom),
		F(CGMEM_HIGH_EVENTS, "high_events", high_events), F(CGMEM_MAX_EVENTS, "max_events", max_events),
		F(CGMEM_MAX_USAGE, "max_usage", max_usage), F(CGMEM_PGLAZYFREE, "pglazyfree", pglazyfree),
		F(CGMEM_PGLAZYFREED, "pglazyfreed", pglazyfreed),
#undef F
	};
	struct cgroup_mem_input in;
	struct cgroup_mem c;
	size_t i;

	memset(&in, 0, sizeof(in));
	in.version = version;
	in.stat = file_text(b, prefix, "memory.stat");
	if (!in.stat) {
		strbuf_reset(why);
		strbuf_addf(why, "the bundle has no usable %scgroup/memory.stat", prefix);
		return -1;
	}
	if (version == 2) {
		in.usage = file_text(b, prefix, "memory.current");
		in.limit = file_text(b, prefix, "memory.max");
		in.high = file_text(b, prefix, "memory.high");
		in.events = file_text(b, prefix, "memory.events");
		in.max_usage = file_text(b, prefix, "memory.peak");
	} else {
		in.usage = file_text(b, prefix, "memory.usage_in_bytes");
		in.limit = file_text(b, prefix, "memory.limit_in_bytes");
		in.events = file_text(b, prefix, "memory.oom_control");
		in.failcnt = file_text(b, prefix, "memory.failcnt");
		in.max_usage = file_text(b, prefix, "memory.max_usage_in_bytes");
	}
	cgroup_mem_init(&c);
	if (cgroupmem_parse(&in, &c, why) < 0) {
		cgroup_mem_release(&c);
		return -1;
	}
	lua_newtable(L);
	tbl_set_int(L, "version", version);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		int64_t v;

		if (!CGMEM_HAS(&c, fields[i].f))
			continue;
		memcpy(&v, (const char *)&c + fields[i].off, sizeof(v));
		tbl_set_int(L, fields[i].name, v);
	}
	/* samples do not read the limit: say unlimited only when the limit says so */
	if (CGMEM_HAS(&c, CGMEM_LIMIT))
		tbl_set_bool(L, "limit_unlimited", c.limit_unlimited);
	else if (!*prefix)
		tbl_set_bool(L, "limit_unlimited", 1);
	tbl_set_str(L, "kernel_source", c.kernel_source == CGMEM_KERNEL_STAT ? "stat" :
		c.kernel_source == CGMEM_KERNEL_SUMMED ? "summed" :
		c.kernel_source == CGMEM_KERNEL_DERIVED ? "derived" : "none");
	lua_createtable(L, 0, (int)c.stat.nr);
	for (i = 0; i < c.stat.nr; i++) {
		if (c.stat.items[i].numeric) {
			lua_pushinteger(L, (lua_Integer)c.stat.items[i].value);
			lua_setfield(L, -2, c.stat.items[i].key);
		}
	}
	lua_setfield(L, -2, "stat");
	if (c.warnings.len)
		tbl_set_str(L, "warnings", c.warnings.buf);
	cgroup_mem_release(&c);
	return 0;
}

int cgroup_version(const struct bundle *b, lua_State *L, int push_info, struct strbuf *why)
{
	const struct bundle_file *f = fact_artifact(b, ART_CGROUP_INFO, why);
	json_object *j = NULL, *v;
	int version = 0;

	if (f && fact_parse_json(f, &j, NULL) == 0 && json_object_object_get_ex(j, "version", &v))
		version = json_object_get_int(v);
	if (push_info && j) {
		lua_push_json(L, j, 0);
	} else if (push_info) {
		lua_pushnil(L);
	}
	if (j)
		json_object_put(j);
	if (!version) {
		/* no info.json: tell v1 from v2 by the files */
		if (bundle_get(b, ART_CGROUP_MEMORY_CURRENT))
			version = 2;
		else if (bundle_get(b, ART_CGROUP_MEMORY_USAGE))
			version = 1;
	}
	return version;
}

/* One group of b.goroutines.groups (docs/rules.md), from the dump or the profile. */
struct group_row {
	int64_t count, min_wait, max_wait, locked;
	const char *state, *top, *created_by;
	int created_by_entry;
	const char *const *frames;	/* leaf first */
	size_t nr_frames;
};

static void push_group_row(lua_State *L, const struct group_row *g)
{
	size_t j, n = g->nr_frames < MAX_GROUP_FRAMES ? g->nr_frames : MAX_GROUP_FRAMES;

	lua_newtable(L);
	tbl_set_int(L, "count", g->count);
	tbl_set_str(L, "state", g->state ? g->state : "");
	tbl_set_int(L, "min_wait_minutes", g->min_wait);
	tbl_set_int(L, "max_wait_minutes", g->max_wait);
	tbl_set_int(L, "locked", g->locked);
	if (g->top)
		tbl_set_str(L, "top", g->top);
	if (g->created_by)
		tbl_set_str(L, "created_by", g->created_by);
	if (g->created_by_entry)
		tbl_set_bool(L, "created_by_entry", 1);
	lua_createtable(L, (int)n, 0);
	for (j = 0; j < n; j++) {
		lua_pushstring(L, g->frames[j]);
		lua_rawseti(L, -2, (lua_Integer)j + 1);
	}
	lua_setfield(L, -2, "frames");
}

void push_goroutines(lua_State *L, const struct goroutine_dump *d)
{
	struct goroutine_groups g;
	size_t i, j, nr_states;

	goroutine_groups_init(&g);
	goroutines_group(d, &g);
	lua_newtable(L);
	tbl_set_int(L, "count", (int64_t)d->nr);
	tbl_set_bool(L, "truncated", d->truncated);
	tbl_set_int(L, "nr_groups", (int64_t)g.nr);
	lua_newtable(L);
	for (i = 0, nr_states = 0; i < d->nr; i++) {
		const char *st = d->items[i].state ? d->items[i].state : "?";

		if (lua_getfield(L, -1, st) == LUA_TNIL && nr_states >= MAX_STATES) {
			lua_pop(L, 1);
			st = "(other)";
			lua_getfield(L, -1, st);
		} else if (lua_isnil(L, -1)) {
			nr_states++;
		}
		lua_pushinteger(L, lua_tointeger(L, -1) + 1);
		lua_setfield(L, -3, st);
		lua_pop(L, 1);
	}
	lua_setfield(L, -2, "by_state");
	lua_createtable(L, (int)(g.nr < MAX_GROUPS ? g.nr : MAX_GROUPS), 0);
	for (i = 0; i < g.nr && i < MAX_GROUPS; i++) {
		const struct goroutine_group *gr = &g.items[i];
		const struct goroutine *f = gr->first;
		const char *frames[MAX_GROUP_FRAMES];
		struct group_row row = { (int64_t)gr->count, gr->min_wait_minutes, gr->max_wait_minutes,
					 (int64_t)gr->nr_locked, f->state, NULL, f->created_by.func, 0,
					 frames, 0 };

		for (j = 0; j < f->nr_frames && j < MAX_GROUP_FRAMES; j++)
			frames[j] = f->frames[j].func;
		row.nr_frames = j;
		row.top = f->nr_frames ? f->frames[0].func : NULL;
		push_group_row(L, &row);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "groups");
	goroutine_groups_release(&g);
}

/* ---- goroutines from the goroutine profile, when there is no dump -------- */

struct stack_group {
	uint64_t hash;
	size_t sample;		/* the first sample with this stack */
	int64_t count;
};

static int cmp_stack_group(const void *a, const void *b)
{
	const struct stack_group *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->sample < y->sample ? -1 : x->sample > y->sample;
}

static int cmp_group_count(const void *a, const void *b)
{
	const struct stack_group *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->sample < y->sample ? -1 : x->sample > y->sample;
}

static int same_stack(const struct profile *p, size_t a, size_t b)
{
	size_t n = p->loc_off[a + 1] - p->loc_off[a], k;

	if (n != p->loc_off[b + 1] - p->loc_off[b])
		return 0;
	for (k = 0; k < n; k++)
		if (profile_loc(p, p->loc_off[a] + k) != profile_loc(p, p->loc_off[b] + k))
			return 0;
	return 1;
}

/* The frames of sample i into out (up to max), leaf first, inlined ones included; returns how many there are. */
static size_t sample_frames(const struct profile *p, size_t i, const char **out, size_t max)
{
	size_t k, n = 0;

	for (k = p->loc_off[i]; k < p->loc_off[i + 1]; k++) {
		const struct profile_location *l = &p->locations[profile_loc(p, k)];
		uint32_t j;

		for (j = 0; j < l->nr_lines; j++) {
			const struct profile_line *ln = &p->lines[l->line_off + j];
			const char *name = ln->function == PROFILE_NONE ? "?" :
				profile_str(p, p->functions[ln->function].name);

			if (n < max)
				out[n] = name;
			n++;
		}
	}
	return n;
}

/*
 * The "goroutines" fact from the goroutine profile, for bundles whose
 * goroutine?debug=2 dump was skipped (collect takes it only up to
 * --goroutine-dump-max goroutines, issue 13): the same shape as from the
 * dump, with what the profile lacks left out. Its stacks are already
 * counted per stack; there are no states or wait times, and no creator,
 * so a group's created_by is the goroutine's entry function (the
 * outermost frame below runtime.goexit), which created_by_entry says.
 */
void push_goroutines_from_profile(lua_State *L, const struct profile *p)
{
	struct stack_group *g = xcalloc(p->nr_samples ? p->nr_samples : 1, sizeof(*g));
	const char *frames[MAX_GROUP_FRAMES + 64];
	size_t i, j, nr = 0;
	int64_t total = 0;

	for (i = 0; i < p->nr_samples; i++) {
		uint64_t h = FNV1A64_INIT;
		size_t k;

		for (k = p->loc_off[i]; k < p->loc_off[i + 1]; k++)
			h = fnv1a64_word(h, profile_loc(p, k));
		g[i].hash = h;
		g[i].sample = i;
		g[i].count = p->nr_values ? profile_value(p, i, 0) : 0;
		if (g[i].count < 0)
			g[i].count = 0;
	}
	/* samples that differ only by labels are one stack */
	qsort(g, p->nr_samples, sizeof(*g), cmp_stack_group);
	for (i = 0; i < p->nr_samples; i++) {
		if (nr && g[nr - 1].hash == g[i].hash && same_stack(p, g[nr - 1].sample, g[i].sample)) {
			g[nr - 1].count += g[i].count;
			continue;
		}
		g[nr++] = g[i];
	}
	qsort(g, nr, sizeof(*g), cmp_group_count);
	for (i = 0; i < nr; i++)
		total += g[i].count;

	lua_newtable(L);
	tbl_set_int(L, "count", total);
	tbl_set_bool(L, "truncated", 0);
	tbl_set_int(L, "nr_groups", (int64_t)nr);
	tbl_set_str(L, "source", "goroutine profile");
	lua_newtable(L);
	lua_setfield(L, -2, "by_state");
	lua_createtable(L, (int)(nr < MAX_GROUPS ? nr : MAX_GROUPS), 0);
	for (i = 0; i < nr && i < MAX_GROUPS; i++) {
		size_t n = sample_frames(p, g[i].sample, frames, sizeof(frames) / sizeof(frames[0]));
		size_t shown = n < sizeof(frames) / sizeof(frames[0]) ? n : sizeof(frames) / sizeof(frames[0]);
		const char *entry = NULL;

		/* the outermost frame the goroutine started in, below runtime.goexit */
		for (j = shown; j-- > 0;) {
			if (strcmp(frames[j], "runtime.goexit")) {
				entry = frames[j];
				break;
			}
		}
		struct group_row row = { g[i].count, 0, 0, 0, "", shown ? frames[0] : NULL, entry, entry != NULL,
					 frames, shown };

		push_group_row(L, &row);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "groups");
	free(g);
}

/* "go1.19.8" -> {major=1, minor=19, patch=8} */
void push_go_version(lua_State *L, const char *v)
{
	int maj = 0, min = 0, pat = 0;

	if (!v || sscanf(v, "go%d.%d.%d", &maj, &min, &pat) < 2)
		return;
	lua_newtable(L);
	tbl_set_int(L, "major", maj);
	tbl_set_int(L, "minor", min);
	tbl_set_int(L, "patch", pat);
	tbl_set_str(L, "string", v);
	lua_setfield(L, -2, "go");
}

/* NUL-separated NAME=value pairs (proc/environ) as a table. */
void push_environ(lua_State *L, const struct bundle_file *f)
{
	size_t i = 0;

	lua_newtable(L);
	while (i < f->len) {
		const char *s = (const char *)f->data + i;
		size_t n = strnlen(s, f->len - i);
		const char *eq = memchr(s, '=', n);

		if (eq) {
			lua_pushlstring(L, eq + 1, n - (size_t)(eq - s) - 1);
			lua_pushlstring(L, s, (size_t)(eq - s));
			lua_insert(L, -2);
			lua_settable(L, -3);
		}
		i += n + 1;
	}
}
