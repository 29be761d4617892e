/*
 * Plugins build the combined facts (ledger, ownership, growth, ...) from
 * the parsed ones, in dependency order: a plugin runs after the plugins it
 * requires, sees the facts read-only, and its result becomes the fact of
 * its name. What could not be built gets a status saying why, so the rules
 * that need it are skipped with that reason (insights-core's combiners).
 */
#include <stdlib.h>
#include <string.h>

#include "analyze/internal.h"

static int plugin_index(const struct loadset *ps, const char *name)
{
	size_t i;

	for (i = 0; i < ps->nr; i++)
		if (ps->items[i].id && !ps->items[i].overridden && !strcmp(ps->items[i].id, name))
			return (int)i;
	return -1;
}

static void fact_set_status(json_object *status, const char *name, const char *why)
{
	json_object_object_add(status, name, json_object_new_string(why));
}

int fact_available(lua_State *L, const char *path)
{
	struct strbuf err = STRBUF_INIT;
	int ok = 0;

	if (fact_lookup(L, path, &err) == 0) {
		ok = !lua_isnil(L, -1);
		lua_pop(L, 1);
	}
	strbuf_release(&err);
	return ok;
}

void missing_reason(json_object *status, const char *path, struct strbuf *out)
{
	struct strbuf top = STRBUF_INIT;
	json_object *v;

	strbuf_add(&top, path, strcspn(path, "."));
	if (json_object_object_get_ex(status, path, &v) && strcmp(json_object_get_string(v), "ok"))
		strbuf_addf(out, "fact '%s' is unavailable: %s", path, json_object_get_string(v));
	else if (json_object_object_get_ex(status, top.buf, &v) && strcmp(json_object_get_string(v), "ok"))
		strbuf_addf(out, "fact '%s' is unavailable: %s", path, json_object_get_string(v));
	else if (strcmp(top.buf, path))
		/* the fact is there but this part of it is not */
		strbuf_addf(out, "fact '%s' is unavailable: '%s' has no '%s'", path, top.buf,
			    path + top.len + 1);
	else
		strbuf_addf(out, "fact '%s' is unavailable", path);
	strbuf_release(&top);
}

/* Runs plugin i after the plugins it requires (depth-first, cycles refused). */
static void run_plugin(lua_State *L, struct loadset *ps, size_t i, json_object *status,
		       struct report *r, int depth)
{
	struct loaded *x = &ps->items[i];
	struct strbuf err = STRBUF_INIT;
	enum sandbox_status st;
	size_t k;

	if (x->done)
		return;
	if (x->in_progress || depth > 32) {
		struct strbuf why = STRBUF_INIT;

		strbuf_addf(&why, "plugin dependency cycle through '%s'", x->id);
		fact_set_status(status, x->id, why.buf);
		strbuf_release(&why);
		x->done = x->failed = 1;
		return;
	}
	x->in_progress = 1;
	/* optional order: their facts are used when there, not needed */
	for (k = 0; k < x->nr_after; k++) {
		int dep = plugin_index(ps, x->after[k]);

		if (dep >= 0)
			run_plugin(L, ps, (size_t)dep, status, r, depth + 1);
	}
	for (k = 0; k < x->nr_requires; k++) {
		int dep = plugin_index(ps, x->requires[k]);

		if (dep >= 0)
			run_plugin(L, ps, (size_t)dep, status, r, depth + 1);
		if (!fact_available(L, x->requires[k])) {
			strbuf_reset(&err);
			missing_reason(status, x->requires[k], &err);
			if (!x->failed)
				fact_set_status(status, x->id, err.buf);
			x->failed = 1;
			x->done = 1;
			x->in_progress = 0;
			strbuf_release(&err);
			return;
		}
	}
	x->done = 1;
	x->in_progress = 0;
	/* the base facts are not the plugin's to change: it gets the read-only view */
	if (fact_lookup(L, x->id, &err) == 0) {
		int taken = !lua_isnil(L, -1);

		lua_pop(L, 1);
		if (taken) {
			/*
			 * Reported like a load error: someone wrote a plugin
			 * that can never run and must hear about it. The
			 * fact's own status stays as it is.
			 */
			strbuf_reset(&err);
			strbuf_addf(&err, "%s: plugin '%s' has the name of an existing fact; rename it",
				    x->file, x->id);
			report_load_error(r, x, "(plugin)", "plugin", err.buf);
			x->failed = 1;
			strbuf_release(&err);
			return;
		}
	}
	strbuf_reset(&err);
	lua_rawgeti(L, LUA_REGISTRYINDEX, x->fn_ref);
	if (push_facts_ro(L, &err) < 0) {
		lua_pop(L, 1);
		fact_set_status(status, x->id, err.buf);
		x->failed = 1;
		strbuf_release(&err);
		return;
	}
	st = sandbox_pcall(L, 1, 1, &err);
	if (st != SANDBOX_OK) {
		struct strbuf why = STRBUF_INIT;

		strbuf_addf(&why, "plugin %s failed (%s): %s", x->id, sandbox_status_name(st), err.buf);
		fact_set_status(status, x->id, why.buf);
		strbuf_release(&why);
		x->failed = 1;
	} else if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		fact_set_status(status, x->id, "the plugin found nothing to build it from");
	} else {
		/* plugins extend the facts that later plugins and rules see */
		lua_getfield(L, LUA_REGISTRYINDEX, REG_FACTS);
		lua_insert(L, -2);
		lua_setfield(L, -2, x->id);
		lua_pop(L, 1);
		fact_set_status(status, x->id, "ok");
	}
	strbuf_release(&err);
}

void load_plugins(lua_State *L, const struct analyze_options *o, struct loadset *ps)
{
	struct strbuf dir = STRBUF_INIT;
	size_t d, i, j;

	/* the built-in plugins, then each rule directory's plugins/, a later name replacing an earlier one */
	for (d = 0; d <= o->nr_rule_dirs; d++) {
		struct strlist files = STRLIST_INIT;
		const char *origin = "built-in";

		strbuf_reset(&dir);
		if (d == 0) {
			if (!o->plugin_dir)
				continue;
			strbuf_addstr(&dir, o->plugin_dir);
		} else {
			strbuf_addf(&dir, "%s/plugins", o->rule_dirs[d - 1].path);
			origin = o->rule_dirs[d - 1].origin;
		}
		list_lua(dir.buf, &files, 0);
		for (i = 0; i < files.nr; i++) {
			struct loaded *x;

			ALLOC_GROW(ps->items, ps->nr + 1, ps->alloc);
			x = &ps->items[ps->nr++];
			load_one(L, files.items[i], origin, 1, x);
			if (x->error || !x->id)
				continue;
			for (j = 0; j + 1 < ps->nr; j++)
				if (ps->items[j].id && !ps->items[j].overridden && !strcmp(ps->items[j].id, x->id))
					ps->items[j].overridden = 1;
		}
		strlist_release(&files);
	}
	strbuf_release(&dir);
}

void run_plugins(lua_State *L, const struct analyze_options *o, json_object *status,
			struct report *r)
{
	struct loadset ps = { 0 };
	size_t i;

	load_plugins(L, o, &ps);
	for (i = 0; i < ps.nr; i++) {
		struct loaded *x = &ps.items[i];

		if (x->error) {
			/* a broken plugin shows up with the rules: someone must fix it */
			report_load_error(r, x, "(plugin)", "plugin", x->error);
			x->done = x->failed = 1;
		} else if (x->overridden) {
			x->done = 1;	/* replaced by a later directory's plugin of the same name */
		}
	}
	for (i = 0; i < ps.nr; i++)
		if (!ps.items[i].overridden)
			run_plugin(L, &ps, i, status, r, 0);
	loadset_release(L, &ps);
}

