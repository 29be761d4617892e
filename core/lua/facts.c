/*
 * Raw artifacts -> facts: one table of {fact, artifact, converter} rows
 * (insights-core's parsers -> combiners model), run for the main snapshot,
 * each sample over time and the --base bundle.
 */
#include "lua/facts.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/vocab.h"
#include "base/io.h"
#include "lua/facts-internal.h"
#include "lua/json.h"
#include "lua/profile-lib.h"
#include "parse/goroutines.h"
#include "profile/profile.h"
#include "parse/kernel.h"
#include "parse/kvfile.h"
#include "parse/mapsfile.h"

static void set_status(json_object *status, const char *name, const char *why)
{
	if (status)
		json_object_object_add(status, name, json_object_new_string(why ? why : STATUS_OK));
}


static void push_profiles(lua_State *L, const struct bundle *b, const char *prefix, json_object *status,
			  const char *status_prefix)
{
	#define KIND_NAME(name, endpoint, path) name,
	static const char *const kinds[] = { PROFILE_KINDS(KIND_NAME) };
#undef KIND_NAME
	struct strbuf p = STRBUF_INIT, why = STRBUF_INIT, name = STRBUF_INIT;
	size_t i;

	lua_newtable(L);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const struct bundle_file *f;

		const char *from, *sample;

		strbuf_reset(&p);
		strbuf_addf(&p, "%s" ART_PROFILE_FMT, prefix, kinds[i]);
		strbuf_reset(&name);
		strbuf_addf(&name, "%sprofiles.%s", status_prefix, kinds[i]);
		if (bundle_derived(b->manifest, p.buf, &from, &sample)) {
			/*
			 * A view of a profile pushed before it (allocs of heap):
			 * the same userdata's data, decoded once.
			 */
			size_t k;

			for (k = 0; k < i; k++) {
				strbuf_reset(&why);
				strbuf_addf(&why, "%s" ART_PROFILE_FMT, prefix, kinds[k]);
				if (!strcmp(why.buf + strlen(prefix), from))
					break;
			}
			if (k < i && lua_getfield(L, -1, kinds[k]) == LUA_TUSERDATA &&
			    lua_profile_push_alias(L, -1, sample, p.buf) == 0) {
				lua_remove(L, -2);
				lua_setfield(L, -2, kinds[i]);
				set_status(status, name.buf, NULL);
				continue;
			}
			if (k < i)
				lua_pop(L, 1);	/* what lua_getfield pushed */
			strbuf_reset(&why);
			strbuf_addf(&why, "%s is derived from %s, which is unavailable", p.buf, from);
			set_status(status, name.buf, why.buf);
			continue;
		}
		f = fact_artifact(b, p.buf, &why);
		if (!f) {
			set_status(status, name.buf, why.buf);
			continue;
		}
		if (lua_profile_push(L, f->data, f->len, f->path) < 0) {
			set_status(status, name.buf, "out of memory");
			continue;
		}
		lua_setfield(L, -2, kinds[i]);
		set_status(status, name.buf, NULL);
	}
	strbuf_release(&p);
	strbuf_release(&why);
	strbuf_release(&name);
}

/*
 * The facts, as a table: each row names a fact, the artifact it is built
 * from (relative to the snapshot's prefix; NULL when the push function
 * finds its own files) and the function that parses it and pushes one
 * value. A missing artifact or a parse failure leaves the fact out with
 * the reason in status[name]. Flags say which snapshots have the fact:
 * every one (the main snapshot, each sample, the --base bundle) or only
 * some.
 */
struct fact_ctx {
	const struct bundle *b;
	const char *prefix;	/* "" or "samples/NNN/" */
	int cg_version;		/* 0: the bundle has no cgroup memory files */
};

typedef int fact_push_fn(lua_State *L, const struct fact_ctx *c, const struct bundle_file *f,
			 struct strbuf *why);

enum {
	FACT_MAIN = 1,		/* the bundle's main snapshot */
	FACT_SAMPLE = 2,	/* each sample over time */
	FACT_BASE = 4,		/* the --base bundle */
};

struct fact_source {
	const char *name;
	const char *artifact;
	fact_push_fn *push;
	unsigned where;
};

static int fact_memstats(lua_State *L, const struct fact_ctx *c, const struct bundle_file *f,
			 struct strbuf *why)
{
	(void)f;
	return push_memstats_from(L, c->b, c->prefix, why);
}

static int fact_kv(lua_State *L, const struct fact_ctx *c, const struct bundle_file *f,
		   struct strbuf *why)
{
	(void)c;
	return push_kvfile(L, f, KV_COLON, f->path, why);
}

static int fact_cgroup(lua_State *L, const struct fact_ctx *c, const struct bundle_file *f,
		       struct strbuf *why)
{
	(void)f;
	if (!c->cg_version) {
		strbuf_reset(why);
		strbuf_addstr(why, "the bundle has no cgroup memory files");
		return -1;
	}
	return push_cgroup(L, c->b, c->prefix, c->cg_version, why);
}

static int fact_maps(lua_State *L, const struct fact_ctx *c, const struct bundle_file *f,
		     struct strbuf *why)
{
	struct maps_summary m;
	const char *exe = NULL;
	json_object *t, *v;
	size_t i;

	if (c->b->manifest && json_object_object_get_ex(c->b->manifest, MF_TARGET, &t) &&
	    json_object_object_get_ex(t, MF_TARGET_EXE, &v))
		exe = json_object_get_string(v);
	maps_summary_init(&m);
	if (mapsfile_parse(&m, (const char *)f->data, f->len, exe, why) < 0)
		return -1;
	{
		const struct { const char *n; const struct maps_bucket *bk; } bs[] = {
			{ "total", &m.total }, { "go_heap", &m.go_heap }, { "anon_other", &m.anon_other },
			{ "brk_heap", &m.brk_heap }, { "prot_none", &m.prot_none }, { "file_exe", &m.file_exe },
			{ "file_lib", &m.file_lib }, { "file_other", &m.file_other }, { "stack", &m.stack },
			{ "special", &m.special },
		};

		lua_newtable(L);
		for (i = 0; i < sizeof(bs) / sizeof(bs[0]); i++) {
			lua_newtable(L);
			tbl_set_int(L, "count", (int64_t)bs[i].bk->count);
			tbl_set_int(L, "bytes", (int64_t)bs[i].bk->bytes);
			lua_setfield(L, -2, bs[i].n);
		}
	}
	return 0;
}

static int fact_kernel(lua_State *L, const struct fact_ctx *c, const struct bundle_file *f,
		       struct strbuf *why)
{
	struct kernel_version k;
	char rel[128];

	(void)c;
	snprintf(rel, sizeof(rel), "%.*s", (int)strcspn((const char *)f->data, "\n"), (const char *)f->data);
	if (kernel_parse(rel, &k, why) < 0)
		return -1;
	lua_newtable(L);
	tbl_set_str(L, "release", rel);
	tbl_set_int(L, "major", k.major);
	tbl_set_int(L, "minor", k.minor);
	tbl_set_int(L, "patch", k.patch);
	return 0;
}

/* Host facts: each part optional, so the fact itself is always there. */
static int fact_host(lua_State *L, const struct fact_ctx *c, const struct bundle_file *unused,
		     struct strbuf *why)
{
	const struct bundle_file *f;

	(void)unused;
	lua_newtable(L);
	if ((f = fact_artifact(c->b, ART_HOST_MEMINFO, why)) && push_kvfile(L, f, KV_COLON, f->path, why) == 0)
		lua_setfield(L, -2, "meminfo");
	if ((f = fact_artifact(c->b, ART_HOST_THP_ENABLED, why))) {
		/* "always [madvise] never": the bracketed word is the setting */
		const char *s = strchr((const char *)f->data, '['), *e = s ? strchr(s, ']') : NULL;

		if (s && e) {
			lua_pushlstring(L, s + 1, (size_t)(e - s - 1));
			lua_setfield(L, -2, "thp_enabled");
		}
	}
	if ((f = fact_artifact(c->b, ART_HOST_THP_MAX_PTES_NONE, why)) && f->len && f->data[0] >= '0' &&
	    f->data[0] <= '9') {
		lua_pushinteger(L, atoi((const char *)f->data));
		lua_setfield(L, -2, "thp_max_ptes_none");
	}
	if ((f = fact_artifact(c->b, ART_HOST_OVERCOMMIT, why))) {
		lua_pushinteger(L, atoi((const char *)f->data));
		lua_setfield(L, -2, "overcommit_memory");
	}
	return 0;
}

static int fact_buildinfo(lua_State *L, const struct fact_ctx *c, const struct bundle_file *f,
			  struct strbuf *why)
{
	json_object *j, *v;

	(void)c;
	if (fact_parse_json(f, &j, why) < 0)
		return -1;
	lua_push_json(L, j, 0);
	if (json_object_object_get_ex(j, "go_version", &v))
		push_go_version(L, json_object_get_string(v));
	json_object_put(j);
	return 0;
}

static int fact_env(lua_State *L, const struct fact_ctx *c, const struct bundle_file *f,
		    struct strbuf *why)
{
	(void)c;
	(void)why;
	push_environ(L, f);
	return 0;
}

/*
 * The goroutine?debug=2 dump, else (collect skips it above a goroutine
 * count) the census read from the target's memory, in the dump's format
 * without arguments, files or inlined frames; else the goroutine profile:
 * fewer details, the same groups. source says which.
 */
static int fact_goroutines(lua_State *L, const struct fact_ctx *c, const struct bundle_file *f,
			   struct strbuf *why)
{
	struct goroutine_dump d;
	struct strbuf path = STRBUF_INIT, e = STRBUF_INIT;
	const char *source = "goroutine dump";

	strbuf_addf(&path, "%s%s", c->prefix, ART_GOROUTINE_DEBUG2);
	f = fact_artifact(c->b, path.buf, why);
	if (!f) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s%s", c->prefix, ART_GOROUTINE_CENSUS);
		f = fact_artifact(c->b, path.buf, &e);
		source = "goroutine census";
	}
	if (!f) {
		struct profile_options opt = { 0, 1 };
		struct profile p;
		int ret = -1;

		strbuf_reset(&path);
		strbuf_addf(&path, "%s%s", c->prefix, ART_PROFILE_GOROUTINE);
		f = fact_artifact(c->b, path.buf, &e);
		profile_init(&p);
		if (f && profile_read_mem(&p, f->data, f->len, path.buf, &opt, &e) == 0) {
			push_goroutines_from_profile(L, &p);
			ret = 0;
		} else {
			strbuf_addf(why, "; %s", e.buf);
		}
		profile_release(&p);
		strbuf_release(&path);
		strbuf_release(&e);
		return ret;
	}
	strbuf_release(&path);
	strbuf_release(&e);
	goroutine_dump_init(&d);
	if (goroutines_parse(&d, (const char *)f->data, f->len, why) < 0) {
		goroutine_dump_release(&d);
		return -1;
	}
	push_goroutines(L, &d);
	lua_pushstring(L, source);
	lua_setfield(L, -2, "source");
	goroutine_dump_release(&d);
	return 0;
}

/* The processes sharing the target's cgroup: their memory is in the cgroup's numbers too. */
static int fact_cgroup_procs(lua_State *L, const struct fact_ctx *c, const struct bundle_file *f,
			     struct strbuf *why)
{
	const char *s = (const char *)f->data;
	lua_Integer n = 0;

	(void)c;
	(void)why;
	lua_newtable(L);
	while (*s && n < 100000) {
		char *end;
		long pid = strtol(s, &end, 10);

		if (end == s)
			break;
		lua_pushinteger(L, pid);
		lua_rawseti(L, -2, ++n);
		s = end;
		while (*s == '\n' || *s == ' ')
			s++;
	}
	return 0;
}

static int fact_mappings(lua_State *L, const struct fact_ctx *c, const struct bundle_file *f,
			 struct strbuf *why)
{
	(void)c;
	return push_smaps(L, f, why);
}

static const struct fact_source fact_sources[] = {
	{ "memstats", NULL, fact_memstats, FACT_MAIN | FACT_SAMPLE | FACT_BASE },
	{ "status", ART_PROC_STATUS, fact_kv, FACT_MAIN | FACT_SAMPLE | FACT_BASE },
	{ "smaps", ART_PROC_SMAPS_ROLLUP, fact_kv, FACT_MAIN | FACT_SAMPLE | FACT_BASE },
	{ "cgroup", NULL, fact_cgroup, FACT_MAIN | FACT_SAMPLE | FACT_BASE },
	{ "maps", ART_PROC_MAPS, fact_maps, FACT_MAIN | FACT_BASE },
	{ "kernel", ART_HOST_OSRELEASE, fact_kernel, FACT_MAIN },
	{ "host", NULL, fact_host, FACT_MAIN },
	{ "buildinfo", ART_BUILDINFO_JSON, fact_buildinfo, FACT_MAIN },
	{ "env", ART_PROC_ENVIRON, fact_env, FACT_MAIN },
	{ "goroutines", NULL, fact_goroutines, FACT_MAIN },
	{ "cgroup_procs", ART_CGROUP_PROCS, fact_cgroup_procs, FACT_MAIN },
	{ "mappings", ART_PROC_SMAPS, fact_mappings, FACT_MAIN | FACT_BASE },
};

/* Pushes every fact of the snapshot c into the table on top; status may be NULL. */
static void push_facts_where(lua_State *L, const struct fact_ctx *c, unsigned where,
			     json_object *status)
{
	struct strbuf path = STRBUF_INIT, why = STRBUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(fact_sources) / sizeof(fact_sources[0]); i++) {
		const struct fact_source *src = &fact_sources[i];
		const struct bundle_file *f = NULL;
		int top = lua_gettop(L);

		if (!(src->where & where))
			continue;
		if (src->artifact) {
			strbuf_reset(&path);
			strbuf_addf(&path, "%s%s", c->prefix, src->artifact);
			f = fact_artifact(c->b, path.buf, &why);
			if (!f) {
				set_status(status, src->name, why.buf);
				continue;
			}
		}
		strbuf_reset(&why);
		if (src->push(L, c, f, &why) == 0) {
			lua_setfield(L, -2, src->name);
			set_status(status, src->name, NULL);
		} else {
			lua_settop(L, top);	/* a parser that failed half way leaves nothing */
			set_status(status, src->name, why.len ? why.buf : "cannot be parsed");
		}
	}
	strbuf_release(&path);
	strbuf_release(&why);
}

/*
 * When a snapshot was taken: the start of the first artifact under prefix
 * ("samples/NNN/"), or for the main snapshot ("") of its heap profile, else
 * the collection's start. iso gets the manifest's string; 0 or -1.
 */
static int snapshot_time(const struct bundle *b, const char *prefix, char *iso, size_t len, int64_t *ms)
{
	json_object *arts, *v;
	const char *found = NULL;

	if (!b->manifest)
		return -1;
	if (json_object_object_get_ex(b->manifest, MF_ARTIFACTS, &arts) &&
	    json_object_is_type(arts, json_type_array)) {
		size_t k, m = json_object_array_length(arts);

		for (k = 0; k < m && !found; k++) {
			json_object *a = json_object_array_get_idx(arts, k);
			const char *p;

			if (!json_object_object_get_ex(a, MF_ART_PATH, &v))
				continue;
			p = json_object_get_string(v);
			if ((*prefix ? !strncmp(p, prefix, strlen(prefix)) : !strcmp(p, ART_PROFILE_HEAP)) &&
			    json_object_object_get_ex(a, MF_ART_START, &v))
				found = json_object_get_string(v);
		}
	}
	if (!found && !*prefix && json_object_object_get_ex(b->manifest, MF_COLLECTION, &v) &&
	    json_object_object_get_ex(v, MF_COLL_START, &v))
		found = json_object_get_string(v);
	if (!found || parse_utc_ms(found, ms) < 0)
		return -1;
	snprintf(iso, len, "%s", found);
	return 0;
}

/* One snapshot of b as an element of b.samples, on top of the stack. */
static void push_sample(lua_State *L, const struct bundle *b, const char *prefix, int cg_version,
			const char *id)
{
	struct fact_ctx c = { b, prefix, cg_version };
	char iso[48];
	int64_t ms;

	lua_newtable(L);
	tbl_set_str(L, "id", id);
	tbl_set_str(L, "bundle", b->path);
	push_facts_where(L, &c, FACT_SAMPLE, NULL);
	push_profiles(L, b, prefix, NULL, "");
	lua_setfield(L, -2, "profiles");
	if (snapshot_time(b, prefix, iso, sizeof(iso), &ms) == 0) {
		tbl_set_str(L, "time", iso);
		/* seconds since the epoch, to the millisecond: what rates divide by */
		lua_pushnumber(L, (lua_Number)ms / 1000.0);
		lua_setfield(L, -2, "t");
	}
}

/*
 * b.samples: the snapshots over time. For one bundle, its samples/NNN/;
 * for a series of bundles (oldest first, the analyzed one last), each
 * bundle's samples, or its main snapshot when it has none. Ids are
 * "NNN", prefixed with the bundle's file name in a series.
 */
static void push_samples(lua_State *L, const struct bundle *const *bundles, size_t nr_bundles,
			 json_object *status)
{
	struct strbuf why = STRBUF_INIT, id = STRBUF_INIT;
	size_t i, k, n = 0;

	lua_newtable(L);
	for (k = 0; k < nr_bundles; k++) {
		const struct bundle *b = bundles[k];
		int cg_version = cgroup_version(b, L, 0, &why);
		const char *base = strrchr(b->path, '/') ? strrchr(b->path, '/') + 1 : b->path;
		char last[16] = "";
		size_t mine = 0;

		for (i = 0; i < b->nr; i++) {
			const char *p = b->files[i].path;
			char sid[16], prefix[32];

			if (strncmp(p, ART_SAMPLES_DIR, strlen(ART_SAMPLES_DIR)) || strcspn(p + strlen(ART_SAMPLES_DIR), "/") >= sizeof(sid))
				continue;
			snprintf(sid, sizeof(sid), "%.*s", (int)strcspn(p + strlen(ART_SAMPLES_DIR), "/"), p + strlen(ART_SAMPLES_DIR));
			if (!strcmp(sid, last))
				continue;
			snprintf(last, sizeof(last), "%s", sid);
			snprintf(prefix, sizeof(prefix), ART_SAMPLES_DIR "%s/", sid);
			strbuf_reset(&id);
			if (nr_bundles > 1)
				strbuf_addf(&id, "%s:", base);
			strbuf_addstr(&id, sid);
			push_sample(L, b, prefix, cg_version, id.buf);
			lua_rawseti(L, -2, (lua_Integer)++n);
			mine++;
		}
		/* a bundle without samples is one point of the series */
		if (!mine && nr_bundles > 1) {
			push_sample(L, b, "", cg_version, base);
			tbl_set_bool(L, "main", 1);
			lua_rawseti(L, -2, (lua_Integer)++n);
		}
	}
	strbuf_release(&why);
	strbuf_release(&id);
	set_status(status, "samples", n >= 2 ? NULL : "the bundle has fewer than two samples over time");
	if (n < 2) {
		lua_pop(L, 1);
		return;
	}
	lua_setfield(L, -2, "samples");
}

/* The main snapshot of a bundle (or of the --base bundle): profiles, cgroup info, facts. */
static void push_main(lua_State *L, const struct bundle *b, json_object *status, unsigned where)
{
	struct strbuf why = STRBUF_INIT;
	struct fact_ctx c = { b, "", 0 };

	push_profiles(L, b, "", status, "");
	lua_setfield(L, -2, "profiles");
	c.cg_version = cgroup_version(b, L, 1, &why);
	if (!lua_isnil(L, -1))
		lua_setfield(L, -2, "cgroup_info");
	else
		lua_pop(L, 1);
	push_facts_where(L, &c, where, status);
	strbuf_release(&why);
}

int facts_push(lua_State *L, const struct bundle *b, const struct bundle *base,
	       const struct bundle *const *older, size_t nr_older, json_object *status,
	       struct strbuf *err)
{
	const struct bundle **series = xreallocarray(NULL, nr_older + 1, sizeof(*series));
	size_t i;

	(void)err;
	lua_newtable(L);
	lua_newtable(L);
	tbl_set_str(L, "path", b->path);
	if (b->manifest) {
		json_object *v;

		if (json_object_object_get_ex(b->manifest, MF_FORMAT_VERSION, &v))
			tbl_set_str(L, MF_FORMAT_VERSION, json_object_get_string(v));
	}
	lua_setfield(L, -2, "bundle");
	if (b->manifest) {
		lua_push_json(L, b->manifest, 0);
		lua_setfield(L, -2, "manifest");
		set_status(status, "manifest", NULL);
	} else {
		set_status(status, "manifest", "the bundle has no manifest.json");
	}

	push_main(L, b, status, FACT_MAIN);
	for (i = 0; i < nr_older; i++)
		series[i] = older[i];
	series[nr_older] = b;
	push_samples(L, series, nr_older + 1, status);
	free(series);

	if (base) {
		lua_newtable(L);
		push_main(L, base, NULL, FACT_BASE);
		tbl_set_str(L, "path", base->path);
		lua_setfield(L, -2, "base");
		set_status(status, "base", NULL);
	} else {
		set_status(status, "base", "no --base bundle was given");
	}
	return 0;
}

void facts_headline(const struct bundle *b, struct report *r)
{
	struct strbuf why = STRBUF_INIT;
	const struct bundle_file *f = fact_artifact(b, ART_PROC_STATUS, &why);
	struct kvtable t;
	int64_t rss;

	kvtable_init(&t);
	if (f && kvfile_parse(&t, (const char *)f->data, f->len, KV_COLON, f->path, &why) == 0 &&
	    kv_get(&t, "VmRSS", &rss) == 0) {
		r->headline_bytes = rss;
		free(r->headline_name);
		r->headline_name = xstrdup("process RSS");
	}
	kvtable_release(&t);
	strbuf_release(&why);
}
