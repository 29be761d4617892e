/*
 * Knowledge kept as data: lists of entries (known issues, off-heap modules,
 * ...) that plugins turn into facts. Each table NAME is the concatenation
 * of the files NAME.lua in the built-in data directory (plugins/data/ in
 * the data directory) and in the data/ folder of every rule directory, in
 * precedence order; an entry with the id of an earlier entry replaces it.
 * Every entry gets 'origin' and 'file' so reports and `triage rules list`
 * say where it came from. The files run in the sandbox like rules and
 * must return a list of tables, each with a string id.
 */
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/internal.h"

/* The table name of a data file: its base name without ".lua". */
static char *table_name(const char *file)
{
	const char *base = strrchr(file, '/');
	size_t n;

	base = base ? base + 1 : file;
	n = strlen(base);
	return xstrndup(base, n > 4 ? n - 4 : n);
}


static void add_listing(struct rule_list *l, const char *id, const char *table, const char *title,
			const char *file, const char *origin, const char *error)
{
	struct rule_info *ri;
	struct strbuf t = STRBUF_INIT;

	if (!l)
		return;
	ALLOC_GROW(l->items, l->nr + 1, l->alloc);
	ri = &l->items[l->nr++];
	memset(ri, 0, sizeof(*ri));
	ri->id = xstrdup(id);
	ri->rung = xstrdup("data");
	strbuf_addf(&t, "%s: %s", table, title ? title : "");
	ri->title = strbuf_detach(&t, NULL);
	ri->file = xstrdup(file);
	ri->origin = xstrdup(origin);
	ri->error = error ? xstrdup(error) : NULL;
}

/*
 * Checks the list on top of the stack and merges it into the table of
 * tables at index all (all[name] is a list); pops the list. -1 with err
 * when it is not a list of entries with ids.
 */
static int merge_list(lua_State *L, int all, const char *name, const char *file, const char *origin,
		      struct rule_list *listing, size_t listing_start, struct strbuf *err)
{
	int list = lua_gettop(L), dst;
	lua_Integer i, n, k, m;

	if (!lua_istable(L, list))
		return error_set(err, "%s: must return a list of entries, not a %s", file, luaL_typename(L, list));
	n = (lua_Integer)lua_rawlen(L, list);
	for (i = 1; i <= n; i++) {
		lua_rawgeti(L, list, i);
		if (!lua_istable(L, -1)) {
			lua_pop(L, 1);
			return error_set(err, "%s: entry %lld is not a table", file, (long long)i);
		}
		lua_getfield(L, -1, "id");
		if (lua_type(L, -1) != LUA_TSTRING || !valid_id(lua_tostring(L, -1))) {
			lua_pop(L, 2);
			return error_set(err, "%s: entry %lld has no valid 'id' (a-z, 0-9, '-', '_', '.')", file,
					 (long long)i);
		}
		lua_pop(L, 2);
	}
	lua_getfield(L, all, name);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_setfield(L, all, name);
	}
	dst = lua_gettop(L);
	for (i = 1; i <= n; i++) {
		const char *id;
		int replaced = 0;

		lua_rawgeti(L, list, i);
		lua_pushstring(L, origin);
		lua_setfield(L, -2, "origin");
		lua_pushstring(L, file);
		lua_setfield(L, -2, "file");
		lua_getfield(L, -1, "id");
		id = lua_tostring(L, -1);
		m = (lua_Integer)lua_rawlen(L, dst);
		for (k = 1; k <= m && !replaced; k++) {
			lua_rawgeti(L, dst, k);
			lua_getfield(L, -1, "id");
			if (!strcmp(lua_tostring(L, -1), id)) {
				lua_pushvalue(L, -4);	/* the new entry */
				lua_rawseti(L, dst, k);
				replaced = 1;
			}
			lua_pop(L, 2);
		}
		if (listing) {
			size_t j;

			if (replaced)
				for (j = listing_start; j < listing->nr; j++)
					if (!strcmp(listing->items[j].id, id) && !listing->items[j].error &&
					    !strncmp(listing->items[j].title, name, strlen(name)) &&
					    listing->items[j].title[strlen(name)] == ':')
						listing->items[j].overridden = 1;
			/* the entry's title, else its (first) module */
			lua_getfield(L, -2, "title");
			if (lua_type(L, -1) != LUA_TSTRING) {
				lua_pop(L, 1);
				lua_getfield(L, -2, "module");
				if (lua_istable(L, -1)) {
					lua_rawgeti(L, -1, 1);
					lua_remove(L, -2);
				}
			}
			add_listing(listing, id, name, lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL,
				    file, origin, NULL);
			lua_pop(L, 1);
		}
		lua_pop(L, 1);	/* id */
		if (!replaced)
			lua_rawseti(L, dst, m + 1);
		else
			lua_pop(L, 1);
	}
	lua_pop(L, 2);	/* dst, list */
	return 0;
}

static void load_data_file(lua_State *L, int all, const char *file, const char *origin, struct report *r,
			   struct rule_list *listing, size_t listing_start)
{
	struct strbuf err = STRBUF_INIT;
	enum sandbox_status st;
	char *name = table_name(file);
	int top = lua_gettop(L);

	if (!valid_id(name)) {
		error_set(&err, "%s: a data file's name must be a-z, 0-9, '-', '_' or '.' before .lua", file);
		goto fail;
	}
	if (sandbox_new_env(L) < 0) {
		error_set(&err, "%s: out of memory", file);
		goto fail;
	}
	if (sandbox_load_file(L, file, -1, &err) < 0)
		goto fail;
	st = sandbox_pcall(L, 0, 1, &err);
	if (st != SANDBOX_OK) {
		strbuf_addf(&err, " [%s]", sandbox_status_name(st));
		goto fail;
	}
	if (merge_list(L, all, name, file, origin, listing, listing_start, &err) < 0)
		goto fail;
	lua_settop(L, top);
	free(name);
	strbuf_release(&err);
	return;
fail:
	lua_settop(L, top);
	if (r) {
		struct loaded x;

		memset(&x, 0, sizeof(x));
		x.file = (char *)file;
		report_load_error(r, &x, "(data)", "data", err.buf);
	}
	add_listing(listing, "-", name, NULL, file, origin, err.buf);
	free(name);
	strbuf_release(&err);
}

void load_data(lua_State *L, const struct analyze_options *o, struct report *r, struct rule_list *listing)
{
	struct strbuf dir = STRBUF_INIT;
	size_t d, i, start = listing ? listing->nr : 0;
	int all;

	lua_newtable(L);
	all = lua_gettop(L);
	for (d = 0; d <= o->nr_rule_dirs; d++) {
		struct strlist files = STRLIST_INIT;
		const char *origin;

		strbuf_reset(&dir);
		if (d == 0) {
			if (!o->plugin_dir)
				continue;
			strbuf_addf(&dir, "%s/data", o->plugin_dir);
			origin = "built-in";
		} else {
			strbuf_addf(&dir, "%s/data", o->rule_dirs[d - 1].path);
			origin = o->rule_dirs[d - 1].origin;
		}
		list_lua(dir.buf, &files, 0);
		for (i = 0; i < files.nr; i++)
			load_data_file(L, all, files.items[i], origin, r, listing, start);
		strlist_release(&files);
	}
	strbuf_release(&dir);
}
