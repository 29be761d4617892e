/*
 * The analysis of one bundle: raw artifacts -> facts (core/lua/facts.c) ->
 * plugins -> rules -> the report. The stages are in the other files of
 * this folder (internal.h lists them).
 */
#include <stdlib.h>
#include <string.h>

#include "analyze/internal.h"
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

int analyze_bundle(const char *path, const struct analyze_options *o, struct report *r,
		   struct strbuf *err)
{
	struct bundle b, base;
	struct loadset rules = { 0 };
	lua_State *L = NULL;
	json_object *status = json_object_new_object();
	size_t i, *order = NULL, nr_order = 0, facts_bytes;
	int ret = -1;

	bundle_init(&b);
	bundle_init(&base);
	if (bundle_load(&b, path, err) < 0)
		goto out;
	if (o->base_bundle && bundle_load(&base, o->base_bundle, err) < 0)
		goto out;
	L = host_state(o, err);
	if (!L)
		goto out;
	if (facts_push(L, &b, o->base_bundle ? &base : NULL, status, err) < 0)
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
	r->bundle = xstrdup(path);

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
	return ret;
}

