/*
 * Loading rule and plugin files: each runs once in its own sandboxed
 * environment and returns a table, which is checked key by key (Redis's
 * register_function model) so a bad file is reported with its name and key.
 */
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/internal.h"

static void loaded_release(lua_State *L, struct loaded *x)
{
	size_t i;

	free(x->file);
	free(x->origin);
	free(x->id);
	free(x->title);
	free(x->description);
	for (i = 0; i < x->nr_requires; i++)
		free(x->requires[i]);
	free(x->requires);
	for (i = 0; i < x->nr_after; i++)
		free(x->after[i]);
	free(x->after);
	free(x->error);
	if (L) {
		luaL_unref(L, LUA_REGISTRYINDEX, x->fn_ref);
		luaL_unref(L, LUA_REGISTRYINDEX, x->env_ref);
	}
}

int valid_id(const char *s)
{
	const char *p;

	if (!*s || strlen(s) > 80)
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return 0;
	return 1;
}

/*
 * Checks the table a rule (or plugin) file returned, like Redis checks
 * register_function's table: every key known, every value of the right
 * type, with the file and the key in the message.
 */
/* t[key], when present, must be a list of strings: copied into *out. */
static int name_list(lua_State *L, int t, const char *key, const char *what, const char *file,
		     char ***out, size_t *nr, struct strbuf *err)
{
	size_t i, n;

	lua_getfield(L, t, key);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return 0;
	}
	if (!lua_istable(L, -1)) {
		lua_pop(L, 1);
		return error_set(err, "%s: key '%s' must be %s", file, key, what);
	}
	n = lua_rawlen(L, -1);
	for (i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, (lua_Integer)i);
		if (lua_type(L, -1) != LUA_TSTRING) {
			lua_pop(L, 2);
			return error_set(err, "%s: %s[%zu] must be a string", file, key, i);
		}
		*out = xreallocarray(*out, *nr + 1, sizeof(char *));
		(*out)[(*nr)++] = xstrdup(lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return 0;
}

static int validate(lua_State *L, int t, struct loaded *x, int is_plugin, struct strbuf *err)
{
	static const char *const rule_keys[] = { "id", "rung", "title", "requires", "check", "description", NULL };
	static const char *const plugin_keys[] = { "name", "requires", "after", "build", "description", NULL };
	const char *const *keys = is_plugin ? plugin_keys : rule_keys;
	const char *fn_key = is_plugin ? "build" : "check";
	const char *id_key = is_plugin ? "name" : "id";

	t = lua_absindex(L, t);
	if (!lua_istable(L, t))
		return error_set(err, "%s: must return a table, not a %s", x->file, luaL_typename(L, t));
	/* the id first, so that even a rejected rule is reported under its name */
	lua_getfield(L, t, id_key);
	if (lua_type(L, -1) == LUA_TSTRING && valid_id(lua_tostring(L, -1)))
		x->id = xstrdup(lua_tostring(L, -1));
	lua_pop(L, 1);
	lua_pushnil(L);
	while (lua_next(L, t)) {
		const char *const *k;
		const char *name;

		if (lua_type(L, -2) != LUA_TSTRING) {
			lua_pop(L, 2);
			return error_set(err, "%s: the %s table has a non-string key", x->file, is_plugin ? "plugin" : "rule");
		}
		name = lua_tostring(L, -2);
		for (k = keys; *k && strcmp(*k, name); k++)
			;
		if (!*k) {
			error_set(err, "%s: unknown key '%s' in the %s table (known:", x->file, name,
				  is_plugin ? "plugin" : "rule");
			for (k = keys; *k; k++)
				strbuf_addf(err, " %s", *k);
			strbuf_addch(err, ')');
			lua_pop(L, 2);
			return -1;
		}
		lua_pop(L, 1);
	}
	if (!x->id)
		return error_set(err, "%s: key '%s' must be a string of a-z, 0-9, '-', '_' or '.'", x->file, id_key);
	if (!is_plugin) {
		lua_getfield(L, t, "rung");
		if (lua_type(L, -1) != LUA_TSTRING || rung_parse(lua_tostring(L, -1), &x->rung) < 0) {
			lua_pop(L, 1);
			return error_set(err, "%s: key 'rung' must be one of business, libraries, runtime, tooling, environment",
					 x->file);
		}
		lua_pop(L, 1);
		lua_getfield(L, t, "title");
		if (lua_type(L, -1) != LUA_TSTRING) {
			lua_pop(L, 1);
			return error_set(err, "%s: key 'title' must be a string", x->file);
		}
		x->title = xstrdup(lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	lua_getfield(L, t, "description");
	if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING) {
		lua_pop(L, 1);
		return error_set(err, "%s: key 'description' must be a string", x->file);
	}
	if (lua_type(L, -1) == LUA_TSTRING)
		x->description = xstrdup(lua_tostring(L, -1));
	lua_pop(L, 1);
	if (name_list(L, t, "requires", "a list of fact names", x->file, &x->requires, &x->nr_requires, err) < 0)
		return -1;
	if (is_plugin && name_list(L, t, "after", "a list of plugin names", x->file, &x->after, &x->nr_after, err) < 0)
		return -1;
	lua_getfield(L, t, fn_key);
	if (!lua_isfunction(L, -1)) {
		lua_pop(L, 1);
		return error_set(err, "%s: key '%s' must be a function", x->file, fn_key);
	}
	x->fn_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	return 0;
}

void load_one(lua_State *L, const char *file, const char *origin, int is_plugin, struct loaded *x)
{
	struct strbuf err = STRBUF_INIT;
	enum sandbox_status st;

	memset(x, 0, sizeof(*x));
	x->fn_ref = x->env_ref = LUA_NOREF;
	x->file = xstrdup(file);
	x->origin = xstrdup(origin);
	if (sandbox_new_env(L) < 0) {
		x->error = xstrdup("out of memory");
		return;
	}
	if (sandbox_load_file(L, file, -1, &err) < 0) {
		lua_pop(L, 1);
		x->error = strbuf_detach(&err, NULL);
		return;
	}
	st = sandbox_pcall(L, 0, 1, &err);
	if (st != SANDBOX_OK) {
		lua_pop(L, 1);
		strbuf_addf(&err, " [%s]", sandbox_status_name(st));
		x->error = strbuf_detach(&err, NULL);
		return;
	}
	if (validate(L, -1, x, is_plugin, &err) < 0) {
		lua_pop(L, 2);
		x->error = strbuf_detach(&err, NULL);
		return;
	}
	lua_pop(L, 1);	/* the table */
	x->env_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	strbuf_release(&err);
}

void report_load_error(struct report *r, const struct loaded *x, const char *fallback_id,
		       const char *origin, const char *reason)
{
	struct rule_result *rr = report_add_rule(r);

	/* no rung: the file never told us which, and it did not run */
	rr->id = xstrdup(x->id ? x->id : fallback_id);
	rr->file = xstrdup(x->file);
	rr->origin = xstrdup(origin);
	rr->no_rung = 1;
	rr->status = RULE_ERROR;
	rr->reason = xstrdup(reason);
	rr->failure = xstrdup("load");
}

void loadset_release(lua_State *L, struct loadset *s)
{
	size_t i;

	for (i = 0; i < s->nr; i++)
		loaded_release(L, &s->items[i]);
	free(s->items);
	memset(s, 0, sizeof(*s));
}

void load_rules(lua_State *L, const struct analyze_options *o, struct loadset *rules)
{
	size_t d, i, j;

	for (d = 0; d < o->nr_rule_dirs; d++) {
		struct strlist files = STRLIST_INIT;

		list_lua(o->rule_dirs[d].path, &files, 1);
		for (i = 0; i < files.nr; i++) {
			struct loaded *x;

			ALLOC_GROW(rules->items, rules->nr + 1, rules->alloc);
			x = &rules->items[rules->nr++];
			load_one(L, files.items[i], o->rule_dirs[d].origin, 0, x);
			if (x->error || !x->id)
				continue;
			/* a later directory's rule with the same id replaces the earlier one */
			for (j = 0; j + 1 < rules->nr; j++)
				if (rules->items[j].id && !rules->items[j].overridden &&
				    !strcmp(rules->items[j].id, x->id))
					rules->items[j].overridden = 1;
		}
		strlist_release(&files);
	}
}

int analyze_list_rules(const struct analyze_options *o, struct rule_list *out, struct strbuf *err)
{
	struct loadset rules = { 0 };
	lua_State *L = host_state(o, err);
	size_t i;

	if (!L)
		return -1;
	load_rules(L, o, &rules);
	for (i = 0; i < rules.nr; i++) {
		struct loaded *x = &rules.items[i];
		struct rule_info *ri;

		ALLOC_GROW(out->items, out->nr + 1, out->alloc);
		ri = &out->items[out->nr++];
		memset(ri, 0, sizeof(*ri));
		ri->id = xstrdup(x->id ? x->id : "-");
		ri->rung = xstrdup(x->error ? "-" : rung_name(x->rung));
		ri->title = xstrdup(x->title ? x->title : "");
		ri->file = xstrdup(x->file);
		ri->origin = xstrdup(x->origin);
		ri->error = x->error ? xstrdup(x->error) : NULL;
		ri->overridden = x->overridden;
	}
	loadset_release(L, &rules);
	{
		struct loadset ps = { 0 };

		load_plugins(L, o, &ps);
		for (i = 0; i < ps.nr; i++) {
			struct loaded *x = &ps.items[i];
			struct rule_info *ri;

			ALLOC_GROW(out->items, out->nr + 1, out->alloc);
			ri = &out->items[out->nr++];
			memset(ri, 0, sizeof(*ri));
			ri->id = xstrdup(x->id ? x->id : "-");
			ri->rung = xstrdup("plugin");
			ri->title = xstrdup(x->description ? x->description : "");
			ri->file = xstrdup(x->file);
			ri->origin = xstrdup(x->origin);
			ri->error = x->error ? xstrdup(x->error) : NULL;
			ri->overridden = x->overridden;
		}
		loadset_release(L, &ps);
	}
	load_data(L, o, NULL, out);
	lua_pop(L, 1);
	sandbox_close(L);
	return 0;
}

void rule_list_release(struct rule_list *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++) {
		free(l->items[i].id);
		free(l->items[i].rung);
		free(l->items[i].title);
		free(l->items[i].file);
		free(l->items[i].origin);
		free(l->items[i].error);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}
