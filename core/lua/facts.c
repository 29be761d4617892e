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
#include "lua/facts-internal.h"
#include "lua/json.h"
#include "lua/profile-lib.h"
#include "parse/goroutines.h"
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

		strbuf_reset(&p);
		strbuf_addf(&p, "%s" ART_PROFILE_FMT, prefix, kinds[i]);
		f = fact_artifact(b, p.buf, &why);
		strbuf_reset(&name);
		strbuf_addf(&name, "%sprofiles.%s", status_prefix, kinds[i]);
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

static int fact_goroutines(lua_State *L, const struct fact_ctx *c, const struct bundle_file *f,
			   struct strbuf *why)
{
	struct goroutine_dump d;

	(void)c;
	goroutine_dump_init(&d);
	if (goroutines_parse(&d, (const char *)f->data, f->len, why) < 0) {
		goroutine_dump_release(&d);
		return -1;
	}
	push_goroutines(L, &d);
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
	{ "goroutines", ART_GOROUTINE_DEBUG2, fact_goroutines, FACT_MAIN },
	{ "cgroup_procs", ART_CGROUP_PROCS, fact_cgroup_procs, FACT_MAIN },
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

static void push_samples(lua_State *L, const struct bundle *b, int cg_version, json_object *status)
{
	size_t i, n = 0;
	char last[16] = "";

	lua_newtable(L);
	for (i = 0; i < b->nr; i++) {
		const char *p = b->files[i].path;
		char id[16], prefix[32];
		json_object *arts;

		if (strncmp(p, ART_SAMPLES_DIR, strlen(ART_SAMPLES_DIR)) || strcspn(p + strlen(ART_SAMPLES_DIR), "/") >= sizeof(id))
			continue;
		snprintf(id, sizeof(id), "%.*s", (int)strcspn(p + strlen(ART_SAMPLES_DIR), "/"), p + strlen(ART_SAMPLES_DIR));
		if (!strcmp(id, last))
			continue;
		snprintf(last, sizeof(last), "%s", id);
		snprintf(prefix, sizeof(prefix), ART_SAMPLES_DIR "%s/", id);
		lua_newtable(L);
		tbl_set_str(L, "id", id);
		{
			struct fact_ctx c = { b, prefix, cg_version };

			push_facts_where(L, &c, FACT_SAMPLE, NULL);
		}
		push_profiles(L, b, prefix, NULL, "");
		lua_setfield(L, -2, "profiles");
		/* when it was taken: the start of its first artifact */
		if (b->manifest && json_object_object_get_ex(b->manifest, MF_ARTIFACTS, &arts)) {
			size_t k, m = json_object_array_length(arts);

			for (k = 0; k < m; k++) {
				json_object *a = json_object_array_get_idx(arts, k), *v;

				if (json_object_object_get_ex(a, MF_ART_PATH, &v) &&
				    !strncmp(json_object_get_string(v), prefix, strlen(prefix)) &&
				    json_object_object_get_ex(a, MF_ART_START, &v)) {
					tbl_set_str(L, "time", json_object_get_string(v));
					break;
				}
			}
		}
		lua_rawseti(L, -2, (lua_Integer)++n);
	}
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
	       json_object *status, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	int cgv;

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
	cgv = cgroup_version(b, L, 0, &why);
	push_samples(L, b, cgv, status);

	if (base) {
		lua_newtable(L);
		push_main(L, base, NULL, FACT_BASE);
		tbl_set_str(L, "path", base->path);
		lua_setfield(L, -2, "base");
		set_status(status, "base", NULL);
	} else {
		set_status(status, "base", "no --base bundle was given");
	}
	strbuf_release(&why);
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
