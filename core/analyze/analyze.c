/*
 * The analysis of one bundle: raw artifacts -> facts (core/lua/facts.c) ->
 * plugins -> rules -> the report. The stages are in the other files of
 * this folder (internal.h lists them).
 */
#include <stdlib.h>
#include <string.h>

#include "analyze/internal.h"
#include "base/io.h"
#include "base/json.h"
#include "bundle/vocab.h"
#include "lua/facts.h"
#include "lua/json.h"

static void headline_from_ledger(lua_State *L, struct report *r)
{
	struct strbuf err = STRBUF_INIT;

	if (fact_lookup(L, "ledger", &err) == 0) {
		if (lua_istable(L, -1)) {
			r->ledger = lua_to_json(L, -1, 0);
			lua_getfield(L, -1, "headline");
			if (lua_istable(L, -1)) {
				lua_getfield(L, -1, "bytes");
				if (lua_isnumber(L, -1))
					r->headline_bytes = (int64_t)lua_tonumber(L, -1);
				lua_pop(L, 1);
				lua_getfield(L, -1, "name");
				if (lua_type(L, -1) == LUA_TSTRING)
					r->headline_name = xstrdup(lua_tostring(L, -1));
				lua_pop(L, 1);
			}
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	strbuf_release(&err);
}

/* When a bundle was collected (ms since the epoch; 0 when its manifest does not say). */
static int64_t bundle_start_ms(const struct bundle *b)
{
	json_object *c, *v;
	int64_t ms;

	if (b->manifest && json_object_object_get_ex(b->manifest, MF_COLLECTION, &c) &&
	    json_object_object_get_ex(c, MF_COLL_START, &v) && parse_utc_ms(json_object_get_string(v), &ms) == 0)
		return ms;
	return 0;
}

/* What names the target across restarts and pods: the main module, else the executable. */
static const char *bundle_target(const struct bundle *b)
{
	json_object *t, *v;

	if (!b->manifest || !json_object_object_get_ex(b->manifest, MF_TARGET, &t))
		return NULL;
	if (json_object_object_get_ex(t, MF_TARGET_MAIN_MODULE, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	if (json_object_object_get_ex(t, MF_TARGET_EXE, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

static int by_start(const void *a, const void *b)
{
	int64_t x = bundle_start_ms(*(struct bundle *const *)a), y = bundle_start_ms(*(struct bundle *const *)b);

	return x < y ? -1 : x > y;
}

/*
 * The series: path, the more_bundles and --base, loaded into all (the
 * caller releases them), checked to be of one target unless forced, and
 * ordered by collection time; the newest is the one analyzed.
 */
static int load_series(const char *path, const struct analyze_options *o, struct bundle *all,
		       size_t *nr, struct bundle **sorted, struct strbuf *err)
{
	size_t i;
	const char *want = NULL, *want_path = NULL;

	*nr = 0;
	for (i = 0; i <= o->nr_more_bundles; i++) {
		const char *p = i ? o->more_bundles[i - 1] : path;

		/* counted before loading, so that the caller releases a half-loaded one too */
		bundle_init(&all[(*nr)++]);
		if (bundle_load(&all[*nr - 1], p, err) < 0)
			return -1;
	}
	for (i = 0; i < *nr; i++) {
		const char *t = bundle_target(&all[i]);

		sorted[i] = &all[i];
		if (!t || o->force)
			continue;
		if (!want) {
			want = t;
			want_path = all[i].path;
		} else if (strcmp(want, t)) {
			return error_set(err, "%s and %s are from different targets (%s, %s); "
					 "--force analyzes them as one series anyway",
					 want_path, all[i].path, want, t);
		}
	}
	qsort(sorted, *nr, sizeof(*sorted), by_start);
	return 0;
}

/*
 * The growth over the samples for the report's GROWTH section: the growth
 * plugin's series verdict with the rows of the series plugin under "rows".
 */
static void growth_to_report(lua_State *L, struct report *r)
{
	struct strbuf err = STRBUF_INIT;

	if (fact_lookup(L, "growth.series", &err) == 0) {
		if (lua_istable(L, -1))
			r->growth = lua_to_json(L, -1, 0);
		lua_pop(L, 1);
	}
	if (r->growth && fact_lookup(L, "series", &err) == 0) {
		if (lua_istable(L, -1))
			json_object_object_add(r->growth, "rows", lua_to_json(L, -1, 0));
		lua_pop(L, 1);
	}
	strbuf_release(&err);
}

int analyze_bundle(const char *path, const struct analyze_options *o, struct report *r,
		   struct strbuf *err)
{
	struct bundle b, base, *all = xreallocarray(NULL, o->nr_more_bundles + 1, sizeof(*all));
	struct bundle **sorted = xreallocarray(NULL, o->nr_more_bundles + 2, sizeof(*sorted));
	size_t nr_all = 0, nr_older = 0;
	struct loadset rules = { 0 };
	lua_State *L = NULL;
	json_object *status = json_object_new_object();
	size_t i, *order = NULL, nr_order = 0, facts_bytes;
	int ret = -1;

	bundle_init(&b);
	bundle_init(&base);
	if (load_series(path, o, all, &nr_all, sorted, err) < 0)
		goto out;
	/* the newest is analyzed; the older ones (and --base) are its past */
	b = *sorted[nr_all - 1];
	bundle_init(sorted[nr_all - 1]);
	nr_older = nr_all - 1;
	if (o->base_bundle && bundle_load(&base, o->base_bundle, err) < 0)
		goto out;
	if (o->base_bundle && bundle_start_ms(&base) < bundle_start_ms(&b)) {
		/* --base is the oldest point of the series, so sampled bundles grow against it too */
		memmove(sorted + 1, sorted, nr_older * sizeof(*sorted));
		sorted[0] = &base;
		nr_older++;
	}
	L = host_state(o, err);
	if (!L)
		goto out;
	if (facts_push(L, &b, o->base_bundle ? &base : NULL, (const struct bundle *const *)sorted, nr_older,
		       status, err) < 0)
		goto out;
	lua_setfield(L, LUA_REGISTRYINDEX, REG_FACTS);
	/* the facts' own budget; the rules get theirs on top of what the facts hold */
	facts_bytes = sandbox_set_aside(L);
	if (facts_bytes > FACTS_MAX_MEMORY) {
		char got[32], cap[32];

		format_size(got, sizeof(got), facts_bytes);
		format_size(cap, sizeof(cap), FACTS_MAX_MEMORY);
		error_set(err, "bundle '%s': its facts take %s, more than the %s they may", path, got, cap);
		goto out;
	}
	r->bundle = xstrdup(b.path);
	{
		/* which pod it was, when the collector saw a Kubernetes cgroup */
		json_object *target = b.manifest ? json_get_obj(b.manifest, MF_TARGET) : NULL;
		json_object *pod = target ? json_get_obj(target, MF_TARGET_POD) : NULL;

		if (pod)
			r->pod = json_object_get(pod);
	}
	if (o->base_bundle)
		r->base_bundle = xstrdup(o->base_bundle);

	/* b.data: the knowledge tables plugins build their facts from */
	lua_getfield(L, LUA_REGISTRYINDEX, REG_FACTS);
	load_data(L, o, r, NULL);
	lua_setfield(L, -2, "data");
	lua_pop(L, 1);
	json_object_object_add(status, "data", json_object_new_string("ok"));
	run_plugins(L, o, status, r);
	/* rules can see what is missing and why: b.unavailable[name] = reason */
	lua_getfield(L, LUA_REGISTRYINDEX, REG_FACTS);
	lua_newtable(L);
	json_object_object_foreach(status, fname, fwhy) {
		if (strcmp(json_object_get_string(fwhy), "ok")) {
			lua_pushstring(L, json_object_get_string(fwhy));
			lua_setfield(L, -2, fname);
		}
	}
	lua_setfield(L, -2, "unavailable");
	lua_pop(L, 1);
	headline_from_ledger(L, r);
	growth_to_report(L, r);
	if (!r->headline_bytes)
		facts_headline(&b, r);

	load_rules(L, o, &rules);
	order = xmalloc((rules.nr ? rules.nr : 1) * sizeof(*order));
	for (i = 0; i < rules.nr; i++) {
		struct loaded *x = &rules.items[i];

		if (x->overridden)
			continue;
		if (x->error) {
			report_load_error(r, x, "(unloadable)", x->origin, x->error);
			continue;
		}
		order[nr_order++] = i;
	}
	run_rules(L, &rules, order, nr_order, status, r, o->rule_timeout_ms);
	r->facts_status = json_object_get(status);
	report_finish(r);
	ret = 0;
out:
	free(order);
	loadset_release(L, &rules);
	json_object_put(status);
	sandbox_close(L);
	bundle_release(&b);
	bundle_release(&base);
	for (i = 0; i < nr_all; i++)
		bundle_release(&all[i]);
	free(all);
	free(sorted);
	return ret;
}

