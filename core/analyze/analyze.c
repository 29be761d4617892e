#include "analyze/analyze.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>
#include <lauxlib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lua/facts.h"
#include "lua/profile-lib.h"
#include "base/datadir.h"

/* ---- options ---- */

void analyze_options_init(struct analyze_options *o)
{
	memset(o, 0, sizeof(*o));
	sandbox_limits_init(&o->limits);
	o->rule_timeout_ms = ANALYZE_DEFAULT_RULE_TIMEOUT_MS;
}

void analyze_options_release(struct analyze_options *o)
{
	size_t i;

	for (i = 0; i < o->nr_rule_dirs; i++)
		free((char *)o->rule_dirs[i].path);
	free(o->rule_dirs);
	free((char *)o->plugin_dir);
	o->rule_dirs = NULL;
	o->nr_rule_dirs = 0;
	o->plugin_dir = NULL;
}

static void add_dir(struct analyze_options *o, const char *path, const char *origin)
{
	o->rule_dirs = xreallocarray(o->rule_dirs, o->nr_rule_dirs + 1, sizeof(*o->rule_dirs));
	o->rule_dirs[o->nr_rule_dirs].path = xstrdup(path);
	o->rule_dirs[o->nr_rule_dirs].origin = origin;
	o->nr_rule_dirs++;
}

static int is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

static void add_dirs(struct analyze_options *o, const char *const *cli_dirs, size_t nr_cli,
		     int user_dirs)
{
	struct strbuf sb = STRBUF_INIT;
	const char *env, *xdg, *home;
	size_t i;

	strbuf_addf(&sb, "%s/rules", triage_datadir());
	add_dir(o, sb.buf, "built-in");
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/plugins", triage_datadir());
	free((char *)o->plugin_dir);
	o->plugin_dir = strbuf_detach(&sb, NULL);

	/* lowest precedence first: later directories override earlier ones */
	if (!user_dirs)
		goto cli;
	xdg = getenv("XDG_CONFIG_HOME");
	home = getenv("HOME");
	if (xdg && *xdg)
		strbuf_addf(&sb, "%s/triage/rules", xdg);
	else if (home && *home)
		strbuf_addf(&sb, "%s/.config/triage/rules", home);
	if (sb.len && is_dir(sb.buf))
		add_dir(o, sb.buf, "XDG_CONFIG_HOME");
	strbuf_reset(&sb);
	env = getenv("TRIAGE_RULES_PATH");
	if (env && *env) {
		/* like PATH, the first entry wins: add them last to first */
		const char *end = env + strlen(env);

		while (end > env) {
			const char *start = end;

			while (start > env && start[-1] != ':')
				start--;
			if (end > start) {
				strbuf_reset(&sb);
				strbuf_add(&sb, start, (size_t)(end - start));
				add_dir(o, sb.buf, "TRIAGE_RULES_PATH");
			}
			end = start > env ? start - 1 : env;
		}
	}
cli:
	for (i = 0; i < nr_cli; i++)
		add_dir(o, cli_dirs[i], "--rules");
	strbuf_release(&sb);
}

void analyze_options_add_default_dirs(struct analyze_options *o, const char *const *cli_dirs,
				      size_t nr_cli)
{
	add_dirs(o, cli_dirs, nr_cli, 1);
}

void analyze_options_add_builtin_dirs(struct analyze_options *o, const char *const *cli_dirs,
				      size_t nr_cli)
{
	add_dirs(o, cli_dirs, nr_cli, 0);
}

/* ---- finding rule files ---- */

struct pathlist {
	char **items;
	size_t nr, alloc;
};

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !strcmp(s + a - b, suf);
}

/* *.lua in dir and in its direct subdirectories (the rung folders), sorted. */
static void list_lua(const char *dir, struct pathlist *out, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t start = out->nr;

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct strbuf p = STRBUF_INIT;

		if (de->d_name[0] == '.')
			continue;
		strbuf_addf(&p, "%s/%s", dir, de->d_name);
		if (depth == 0 && is_dir(p.buf)) {
			list_lua(p.buf, out, 1);
		} else if (has_suffix(de->d_name, ".lua")) {
			ALLOC_GROW(out->items, out->nr + 1, out->alloc);
			out->items[out->nr++] = strbuf_detach(&p, NULL);
			continue;
		}
		strbuf_release(&p);
	}
	closedir(d);
	if (depth == 0)
		qsort(out->items + start, out->nr - start, sizeof(char *), str_cmp);
}

static void pathlist_release(struct pathlist *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		free(l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/* ---- the host's own Lua helpers ---- */

/*
 * Facts are shared by every rule, so rules see them through read-only
 * proxies: a rule that writes into b fails, and cannot change what the next
 * rule sees. Proxies are cached so the same table keeps one identity.
 */
static const char host_lua[] =
	"local cache = setmetatable({}, {__mode = 'k'})\n"
	"local ro\n"
	"ro = function(t)\n"
	"  if type(t) ~= 'table' then return t end\n"
	"  local p = cache[t]\n"
	"  if p then return p end\n"
	"  p = setmetatable({}, {\n"
	"    __index = function(_, k) return ro(t[k]) end,\n"
	"    __newindex = function(_, k) error(\"facts are read-only (tried to set '\" .. tostring(k) .. \"')\", 2) end,\n"
	"    __len = function() return #t end,\n"
	"    __pairs = function() local k return function() local v k, v = next(t, k) return k, ro(v) end end,\n"
	"    __metatable = false,\n"
	"  })\n"
	"  cache[t] = p\n"
	"  return p\n"
	"end\n"
	"local function lookup(b, path)\n"
	"  local v = b\n"
	"  for part in string.gmatch(path, '[^.]+') do\n"
	"    if type(v) ~= 'table' and type(v) ~= 'userdata' then return nil end\n"
	"    v = v[part]\n"
	"    if v == nil then return nil end\n"
	"  end\n"
	"  return v\n"
	"end\n"
	"local function warm(b)\n"
	"  local function each(t) for _, p in pairs(t or {}) do p:ok() end end\n"
	"  each(b.profiles)\n"
	"  for _, s in ipairs(b.samples or {}) do each(s.profiles) end\n"
	"  if b.base then each(b.base.profiles) end\n"
	"end\n"
	"return { ro = ro, lookup = lookup, warm = warm }\n";

#define REG_FACTS "triage.facts"
#define REG_HOST "triage.host"

static int host_init(lua_State *L, struct strbuf *err)
{
	if (sandbox_load_buffer(L, host_lua, sizeof(host_lua) - 1, "=triage-host", 0, err) < 0)
		return -1;
	if (sandbox_pcall(L, 0, 1, err) != SANDBOX_OK)
		return -1;
	lua_setfield(L, LUA_REGISTRYINDEX, REG_HOST);
	return 0;
}

/* Pushes host.<fn>. */
static void push_host_fn(lua_State *L, const char *fn)
{
	lua_getfield(L, LUA_REGISTRYINDEX, REG_HOST);
	lua_getfield(L, -1, fn);
	lua_remove(L, -2);
}

/* Looks a dotted fact path up in the real facts; pushes the value (maybe nil). */
static int fact_lookup(lua_State *L, const char *path, struct strbuf *err)
{
	push_host_fn(L, "lookup");
	lua_getfield(L, LUA_REGISTRYINDEX, REG_FACTS);
	lua_pushstring(L, path);
	return sandbox_pcall(L, 2, 1, err) == SANDBOX_OK ? 0 : -1;
}

/* Pushes the read-only view of the facts. */
static int push_facts_ro(lua_State *L, struct strbuf *err)
{
	push_host_fn(L, "ro");
	lua_getfield(L, LUA_REGISTRYINDEX, REG_FACTS);
	return sandbox_pcall(L, 1, 1, err) == SANDBOX_OK ? 0 : -1;
}

/* ---- Lua -> JSON ---- */

static int is_array(lua_State *L, int idx, size_t *len)
{
	lua_Integer n = 0;

	idx = lua_absindex(L, idx);
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1) {
			lua_pop(L, 1);
			return 0;
		}
		n++;
	}
	*len = (size_t)n;
	return n == (lua_Integer)lua_rawlen(L, idx);
}

json_object *lua_to_json(lua_State *L, int idx, int depth)
{
	size_t n, i;

	idx = lua_absindex(L, idx);
	switch (lua_type(L, idx)) {
	case LUA_TBOOLEAN:
		return json_object_new_boolean(lua_toboolean(L, idx));
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx))
			return json_object_new_int64(lua_tointeger(L, idx));
		if (!isfinite(lua_tonumber(L, idx)))
			return NULL;
		return json_object_new_double(lua_tonumber(L, idx));
	case LUA_TSTRING: {
		size_t len;
		const char *s = lua_tolstring(L, idx, &len);

		return json_object_new_string_len(s, (int)len);
	}
	case LUA_TTABLE:
		break;
	default:
		return NULL;
	}
	if (depth > 16)
		return json_object_new_string("(nested too deep)");
	if (is_array(L, idx, &n) && n) {
		json_object *a = json_object_new_array();

		for (i = 1; i <= n && i <= 100000; i++) {
			lua_rawgeti(L, idx, (lua_Integer)i);
			json_object_array_add(a, lua_to_json(L, -1, depth + 1));
			lua_pop(L, 1);
		}
		return a;
	} else {
		json_object *o = json_object_new_object();

		lua_pushnil(L);
		while (lua_next(L, idx)) {
			if (lua_type(L, -2) == LUA_TSTRING)
				json_object_object_add(o, lua_tostring(L, -2), lua_to_json(L, -1, depth + 1));
			else if (lua_type(L, -2) == LUA_TNUMBER) {
				char k[64];

				lua_pushvalue(L, -2);
				snprintf(k, sizeof(k), "%s", lua_tostring(L, -1));
				lua_pop(L, 1);
				json_object_object_add(o, k, lua_to_json(L, -1, depth + 1));
			}
			lua_pop(L, 1);
		}
		return o;
	}
}

/* ---- loading a rule or plugin table ---- */

struct loaded {
	char *file, *origin;
	char *id, *title, *description;
	enum rung rung;
	char **requires;
	size_t nr_requires;
	int fn_ref;		/* check (rules) or build (plugins) */
	int env_ref;
	char *error;		/* load or validation error */
	int overridden;
	int done, failed;	/* plugins: ran, and failed */
	int in_progress;	/* plugins: on the current dependency path */
};

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
	free(x->error);
	if (L) {
		luaL_unref(L, LUA_REGISTRYINDEX, x->fn_ref);
		luaL_unref(L, LUA_REGISTRYINDEX, x->env_ref);
	}
}

static int valid_id(const char *s)
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
static int validate(lua_State *L, int t, struct loaded *x, int is_plugin, struct strbuf *err)
{
	static const char *const rule_keys[] = { "id", "rung", "title", "requires", "check", "description", NULL };
	static const char *const plugin_keys[] = { "name", "requires", "build", "description", NULL };
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
	lua_getfield(L, t, "requires");
	if (!lua_isnil(L, -1)) {
		size_t i, n;

		if (!lua_istable(L, -1)) {
			lua_pop(L, 1);
			return error_set(err, "%s: key 'requires' must be a list of fact names", x->file);
		}
		n = lua_rawlen(L, -1);
		for (i = 1; i <= n; i++) {
			lua_rawgeti(L, -1, (lua_Integer)i);
			if (lua_type(L, -1) != LUA_TSTRING) {
				lua_pop(L, 2);
				return error_set(err, "%s: requires[%zu] must be a string", x->file, i);
			}
			x->requires = xreallocarray(x->requires, x->nr_requires + 1, sizeof(char *));
			x->requires[x->nr_requires++] = xstrdup(lua_tostring(L, -1));
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	lua_getfield(L, t, fn_key);
	if (!lua_isfunction(L, -1)) {
		lua_pop(L, 1);
		return error_set(err, "%s: key '%s' must be a function", x->file, fn_key);
	}
	x->fn_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	return 0;
}

/* Loads one file in its own environment; fills x (x->error on failure). */
static void load_one(lua_State *L, const char *file, const char *origin, int is_plugin, struct loaded *x)
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

struct loadset {
	struct loaded *items;
	size_t nr, alloc;
};

static void loadset_release(lua_State *L, struct loadset *s)
{
	size_t i;

	for (i = 0; i < s->nr; i++)
		loaded_release(L, &s->items[i]);
	free(s->items);
	memset(s, 0, sizeof(*s));
}

static void load_rules(lua_State *L, const struct analyze_options *o, struct loadset *rules)
{
	size_t d, i, j;

	for (d = 0; d < o->nr_rule_dirs; d++) {
		struct pathlist files = { 0 };

		list_lua(o->rule_dirs[d].path, &files, 0);
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
		pathlist_release(&files);
	}
}

/* ---- the reporter handed to check(b, r) ---- */

#define REPORTER "triage.reporter"

struct reporter {
	struct report *report;	/* NULL once the rule has returned */
	struct loaded *rule;
	int emitted;
	int noted;
};

static struct reporter *check_reporter(lua_State *L)
{
	struct reporter *rp = luaL_checkudata(L, 1, REPORTER);

	if (!rp->report)
		luaL_error(L, "the reporter was used after the rule returned");
	return rp;
}

/* Raises unless key is absent, a string, or a list of strings: before any allocation. */
static void check_strlist(lua_State *L, int t, const char *what, const char *key)
{
	size_t i, n;

	lua_getfield(L, t, key);
	if (lua_isnil(L, -1) || lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER) {
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, -1))
		luaL_error(L, "%s: '%s' must be a string or a list of strings", what, key);
	n = lua_rawlen(L, -1);
	if (n > 1000)
		luaL_error(L, "%s: '%s' has more than 1000 entries", what, key);
	for (i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, (lua_Integer)i);
		if (lua_type(L, -1) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER)
			luaL_error(L, "%s: '%s'[%d] must be a string", what, key, (int)i);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/* Reads opt key as a list of strings (a single string is a list of one); check_strlist first. */
static void get_strlist(lua_State *L, int t, const char *key, struct strlist *out)
{
	size_t i, n;

	lua_getfield(L, t, key);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return;
	}
	if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER) {
		strlist_add(out, lua_tostring(L, -1));
		lua_pop(L, 1);
		return;
	}
	n = lua_rawlen(L, -1);
	for (i = 1; i <= n && i <= 1000; i++) {
		lua_rawgeti(L, -1, (lua_Integer)i);
		strlist_add(out, lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

static void check_keys(lua_State *L, int t, const char *what, const char *const *keys)
{
	lua_pushnil(L);
	while (lua_next(L, t)) {
		const char *const *k;

		if (lua_type(L, -2) != LUA_TSTRING)
			luaL_error(L, "%s: keys must be strings", what);
		for (k = keys; *k && strcmp(*k, lua_tostring(L, -2)); k++)
			;
		if (!*k)
			luaL_error(L, "%s: unknown key '%s'", what, lua_tostring(L, -2));
		lua_pop(L, 1);
	}
}

static char *opt_string(lua_State *L, int t, const char *key, int required, const char *what)
{
	char *s = NULL;

	lua_getfield(L, t, key);
	if (lua_type(L, -1) == LUA_TSTRING)
		s = xstrdup(lua_tostring(L, -1));
	else if (!lua_isnil(L, -1) || required)
		luaL_error(L, "%s: '%s' must be a string", what, key);
	lua_pop(L, 1);
	return s;
}

/*
 * r:finding{...}. Everything is validated before anything is allocated, so
 * a bad call raises without leaking: luaL_error jumps out of this frame.
 */
static int reporter_finding(lua_State *L)
{
	static const char *const keys[] = { "severity", "confidence", "bytes", "title", "summary",
					     "evidence", "advice", "refs", NULL };
	struct reporter *rp = check_reporter(L);
	struct finding tmp, *f;
	enum severity sev;
	double conf = 0.5;
	lua_Integer bytes = -1;

	luaL_checktype(L, 2, LUA_TTABLE);
	check_keys(L, 2, "finding", keys);
	lua_getfield(L, 2, "severity");
	if (lua_type(L, -1) != LUA_TSTRING || severity_parse(lua_tostring(L, -1), &sev) < 0)
		return luaL_error(L, "finding: 'severity' must be one of critical, high, medium, low, info");
	lua_pop(L, 1);
	lua_getfield(L, 2, "confidence");
	if (!lua_isnil(L, -1)) {
		if (!lua_isnumber(L, -1))
			return luaL_error(L, "finding: 'confidence' must be a number from 0 to 1");
		conf = lua_tonumber(L, -1);
		if (!(conf >= 0 && conf <= 1))
			return luaL_error(L, "finding: 'confidence' must be a number from 0 to 1");
	}
	lua_pop(L, 1);
	lua_getfield(L, 2, "bytes");
	if (!lua_isnil(L, -1)) {
		if (!lua_isnumber(L, -1) || lua_tonumber(L, -1) < 0 || lua_tonumber(L, -1) > 9.2e18)
			return luaL_error(L, "finding: 'bytes' must be a non-negative number");
		bytes = (lua_Integer)lua_tonumber(L, -1);
	}
	lua_pop(L, 1);
	lua_getfield(L, 2, "title");
	if (lua_type(L, -1) != LUA_TSTRING)
		return luaL_error(L, "finding: 'title' must be a string");
	lua_pop(L, 1);
	lua_getfield(L, 2, "summary");
	if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING)
		return luaL_error(L, "finding: 'summary' must be a string");
	lua_pop(L, 1);
	if (rp->emitted >= 100)
		return luaL_error(L, "finding: a rule may emit at most 100 findings");
	check_strlist(L, 2, "finding", "evidence");
	check_strlist(L, 2, "finding", "advice");
	check_strlist(L, 2, "finding", "refs");

	/* lists are read into a scratch finding; only then is the report touched */
	memset(&tmp, 0, sizeof(tmp));
	get_strlist(L, 2, "evidence", &tmp.evidence);
	get_strlist(L, 2, "advice", &tmp.advice);
	get_strlist(L, 2, "refs", &tmp.refs);
	f = report_add_finding(rp->report);
	f->evidence = tmp.evidence;
	f->advice = tmp.advice;
	f->refs = tmp.refs;
	f->rule = xstrdup(rp->rule->id);
	f->rung = rp->rule->rung;
	f->severity = sev;
	f->confidence = conf;
	f->bytes = bytes;
	f->title = opt_string(L, 2, "title", 1, "finding");
	f->summary = opt_string(L, 2, "summary", 0, "finding");
	rp->emitted++;
	return 0;
}

static int reporter_note(lua_State *L, enum verdict v, const char *what)
{
	static const char *const keys[] = { "reason", "evidence", NULL };
	struct reporter *rp = check_reporter(L);
	struct strlist ev = { 0 };
	struct rung_note *n;

	if (rp->noted >= 100)
		return luaL_error(L, "%s: a rule may record at most 100 rung notes", what);
	rp->noted++;

	if (lua_type(L, 2) == LUA_TSTRING) {
		n = report_add_note(rp->report);
		n->reason = xstrdup(lua_tostring(L, 2));
	} else {
		luaL_checktype(L, 2, LUA_TTABLE);
		check_keys(L, 2, what, keys);
		lua_getfield(L, 2, "reason");
		if (lua_type(L, -1) != LUA_TSTRING)
			return luaL_error(L, "%s: 'reason' must be a string", what);
		lua_pop(L, 1);
		check_strlist(L, 2, what, "evidence");
		get_strlist(L, 2, "evidence", &ev);
		n = report_add_note(rp->report);
		n->evidence = ev;
		n->reason = opt_string(L, 2, "reason", 1, what);
	}
	n->rule = xstrdup(rp->rule->id);
	n->rung = rp->rule->rung;
	n->verdict = v;
	return 0;
}

static int reporter_rule_out(lua_State *L)
{
	return reporter_note(L, VERDICT_RULED_OUT, "rule_out");
}

static int reporter_inconclusive(lua_State *L)
{
	return reporter_note(L, VERDICT_INCONCLUSIVE, "inconclusive");
}

static void register_reporter(lua_State *L)
{
	static const luaL_Reg methods[] = {
		{ "finding", reporter_finding },
		{ "rule_out", reporter_rule_out },
		{ "inconclusive", reporter_inconclusive },
		{ NULL, NULL },
	};

	if (luaL_newmetatable(L, REPORTER)) {
		luaL_newlib(L, methods);
		lua_setfield(L, -2, "__index");
		lua_pushboolean(L, 0);
		lua_setfield(L, -2, "__metatable");
	}
	lua_pop(L, 1);
}

/* ---- plugins ---- */

static int plugin_index(const struct loadset *ps, const char *name)
{
	size_t i;

	for (i = 0; i < ps->nr; i++)
		if (ps->items[i].id && !strcmp(ps->items[i].id, name))
			return (int)i;
	return -1;
}

static void fact_set_status(json_object *status, const char *name, const char *why)
{
	json_object_object_add(status, name, json_object_new_string(why));
}

static int fact_available(lua_State *L, const char *path)
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

/* Why a fact is missing: its recorded status, else a plain "unavailable". */
static void missing_reason(json_object *status, const char *path, struct strbuf *out)
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
static void run_plugin(lua_State *L, struct loadset *ps, size_t i, json_object *status, int depth)
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
	for (k = 0; k < x->nr_requires; k++) {
		int dep = plugin_index(ps, x->requires[k]);

		if (dep >= 0)
			run_plugin(L, ps, (size_t)dep, status, depth + 1);
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
			strbuf_reset(&err);
			strbuf_addf(&err, "plugin '%s' (%s) has the name of an existing fact", x->id, x->file);
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

static void run_plugins(lua_State *L, const struct analyze_options *o, json_object *status,
			struct report *r)
{
	struct pathlist files = { 0 };
	struct loadset ps = { 0 };
	size_t i;

	if (o->plugin_dir)
		list_lua(o->plugin_dir, &files, 1);
	qsort(files.items, files.nr, sizeof(char *), str_cmp);
	for (i = 0; i < files.nr; i++) {
		struct loaded *x;

		ALLOC_GROW(ps.items, ps.nr + 1, ps.alloc);
		x = &ps.items[ps.nr++];
		load_one(L, files.items[i], "built-in", 1, x);
		if (x->error) {
			struct rule_result *rr = report_add_rule(r);

			/* a broken plugin shows up with the rules: someone must fix it */
			rr->id = xstrdup(x->id ? x->id : "(plugin)");
			rr->file = xstrdup(x->file);
			rr->origin = xstrdup("plugin");
			rr->no_rung = 1;
			rr->status = RULE_ERROR;
			rr->reason = xstrdup(x->error);
			rr->failure = xstrdup("load");
			x->done = x->failed = 1;
		}
	}
	for (i = 0; i < ps.nr; i++)
		run_plugin(L, &ps, i, status, 0);
	loadset_release(L, &ps);
	pathlist_release(&files);
}

/* ---- running the rules ---- */

static const char *failure_class(enum sandbox_status st)
{
	switch (st) {
	case SANDBOX_INSTRUCTION_LIMIT: return "instruction_limit";
	case SANDBOX_MEMORY_LIMIT: return "memory_limit";
	case SANDBOX_BLOCKED: return "blocked";
	default: return "error";
	}
}

static void run_rule(lua_State *L, struct loaded *x, json_object *status, struct report *r)
{
	struct rule_result *rr = report_add_rule(r);
	struct strbuf err = STRBUF_INIT;
	struct reporter *rp;
	enum sandbox_status st;
	size_t k, before = r->nr_findings, notes_before = r->nr_notes;

	rr->id = xstrdup(x->id);
	rr->file = xstrdup(x->file);
	rr->origin = xstrdup(x->origin);
	rr->rung = x->rung;
	rr->title = x->title ? xstrdup(x->title) : NULL;
	for (k = 0; k < x->nr_requires; k++) {
		if (!fact_available(L, x->requires[k])) {
			missing_reason(status, x->requires[k], &err);
			rr->status = RULE_SKIPPED;
			rr->reason = strbuf_detach(&err, NULL);
			return;
		}
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, x->fn_ref);
	if (push_facts_ro(L, &err) < 0) {
		lua_pop(L, 1);
		rr->status = RULE_ERROR;
		rr->reason = strbuf_detach(&err, NULL);
		rr->failure = xstrdup("error");
		return;
	}
	rp = lua_newuserdatauv(L, sizeof(*rp), 0);
	rp->report = r;
	rp->rule = x;
	rp->emitted = 0;
	rp->noted = 0;
	luaL_setmetatable(L, REPORTER);
	/* keep the reporter reachable to disarm it after the call */
	lua_pushvalue(L, -1);
	lua_insert(L, -4);
	st = sandbox_pcall(L, 2, 0, &err);
	rp = luaL_checkudata(L, -1, REPORTER);
	rp->report = NULL;
	lua_pop(L, 1);
	if (st == SANDBOX_OK) {
		rr->status = RULE_RAN;
	} else {
		size_t i;

		/* a rule that failed half way does not get to leave half its findings */
		for (i = before; i < r->nr_findings; i++) {
			struct finding *f = &r->findings[i];

			free(f->rule);
			free(f->title);
			free(f->summary);
			strlist_release(&f->evidence);
			strlist_release(&f->advice);
			strlist_release(&f->refs);
		}
		r->nr_findings = before;
		for (i = notes_before; i < r->nr_notes; i++) {
			free(r->notes[i].rule);
			free(r->notes[i].reason);
			strlist_release(&r->notes[i].evidence);
		}
		r->nr_notes = notes_before;
		rr->status = RULE_ERROR;
		rr->reason = strbuf_detach(&err, NULL);
		rr->failure = xstrdup(failure_class(st));
	}
	strbuf_release(&err);
}

/* ---- running rules in a forked copy, under a watchdog ---- */

/*
 * One rule's outcome crosses from the child to the parent as a JSON line:
 * its rule_result, its findings and its rung notes.
 */
static json_object *strlist_to_json(const struct strlist *l)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < l->nr; i++)
		json_object_array_add(a, json_object_new_string(l->items[i]));
	return a;
}

static void strlist_from_json(json_object *a, struct strlist *l)
{
	size_t i;

	if (!a || !json_object_is_type(a, json_type_array))
		return;
	for (i = 0; i < json_object_array_length(a); i++)
		strlist_add(l, json_object_get_string(json_object_array_get_idx(a, i)));
}

static json_object *jstr_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static char *jdup(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string) ?
		xstrdup(json_object_get_string(v)) : NULL;
}

static int jint(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_int(v) : 0;
}

static json_object *outcome_to_json(const struct report *lr)
{
	json_object *o = json_object_new_object(), *fs = json_object_new_array(), *ns = json_object_new_array();
	const struct rule_result *x = &lr->rules[0];
	size_t i;

	json_object_object_add(o, "status", json_object_new_int(x->status));
	json_object_object_add(o, "reason", jstr_or_null(x->reason));
	json_object_object_add(o, "failure", jstr_or_null(x->failure));
	for (i = 0; i < lr->nr_findings; i++) {
		const struct finding *f = &lr->findings[i];
		json_object *j = json_object_new_object();

		json_object_object_add(j, "severity", json_object_new_int(f->severity));
		json_object_object_add(j, "confidence", json_object_new_double(f->confidence));
		json_object_object_add(j, "bytes", json_object_new_int64(f->bytes));
		json_object_object_add(j, "title", jstr_or_null(f->title));
		json_object_object_add(j, "summary", jstr_or_null(f->summary));
		json_object_object_add(j, "evidence", strlist_to_json(&f->evidence));
		json_object_object_add(j, "advice", strlist_to_json(&f->advice));
		json_object_object_add(j, "refs", strlist_to_json(&f->refs));
		json_object_array_add(fs, j);
	}
	for (i = 0; i < lr->nr_notes; i++) {
		const struct rung_note *n = &lr->notes[i];
		json_object *j = json_object_new_object();

		json_object_object_add(j, "verdict", json_object_new_int(n->verdict));
		json_object_object_add(j, "reason", jstr_or_null(n->reason));
		json_object_object_add(j, "evidence", strlist_to_json(&n->evidence));
		json_object_array_add(ns, j);
	}
	json_object_object_add(o, "findings", fs);
	json_object_object_add(o, "notes", ns);
	return o;
}

static struct rule_result *add_rule_result(struct report *r, const struct loaded *x)
{
	struct rule_result *rr = report_add_rule(r);

	rr->id = xstrdup(x->id);
	rr->file = xstrdup(x->file);
	rr->origin = xstrdup(x->origin);
	rr->rung = x->rung;
	rr->title = x->title ? xstrdup(x->title) : NULL;
	return rr;
}

static void outcome_apply(struct report *r, const struct loaded *x, json_object *o)
{
	struct rule_result *rr = add_rule_result(r, x);
	json_object *a;
	size_t i;
	int st = jint(o, "status");

	rr->status = st == RULE_RAN ? RULE_RAN : st == RULE_SKIPPED ? RULE_SKIPPED : RULE_ERROR;
	rr->reason = jdup(o, "reason");
	rr->failure = jdup(o, "failure");
	if (json_object_object_get_ex(o, "findings", &a) && json_object_is_type(a, json_type_array)) {
		for (i = 0; i < json_object_array_length(a) && i < 100; i++) {
			json_object *j = json_object_array_get_idx(a, i), *v;
			struct finding *f = report_add_finding(r);
			int sev = jint(j, "severity");

			f->rule = xstrdup(x->id);
			f->rung = x->rung;
			f->severity = sev >= SEV_INFO && sev <= SEV_CRITICAL ? (enum severity)sev : SEV_INFO;
			if (json_object_object_get_ex(j, "confidence", &v))
				f->confidence = json_object_get_double(v);
			if (json_object_object_get_ex(j, "bytes", &v))
				f->bytes = json_object_get_int64(v);
			f->title = jdup(j, "title");
			f->summary = jdup(j, "summary");
			strlist_from_json(json_object_object_get(j, "evidence"), &f->evidence);
			strlist_from_json(json_object_object_get(j, "advice"), &f->advice);
			strlist_from_json(json_object_object_get(j, "refs"), &f->refs);
		}
	}
	if (json_object_object_get_ex(o, "notes", &a) && json_object_is_type(a, json_type_array)) {
		for (i = 0; i < json_object_array_length(a) && i < 100; i++) {
			json_object *j = json_object_array_get_idx(a, i);
			struct rung_note *n = report_add_note(r);

			n->rule = xstrdup(x->id);
			n->rung = x->rung;
			n->verdict = jint(j, "verdict") == VERDICT_RULED_OUT ? VERDICT_RULED_OUT : VERDICT_INCONCLUSIVE;
			n->reason = jdup(j, "reason");
			strlist_from_json(json_object_object_get(j, "evidence"), &n->evidence);
		}
	}
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The child: runs rules from index start on, one line per event. */
static void child_run(lua_State *L, struct loadset *rules, const size_t *order, size_t nr,
		      size_t start, json_object *status, int fd)
{
	struct strbuf line = STRBUF_INIT;
	size_t k;

	for (k = start; k < nr; k++) {
		struct report lr;
		json_object *o;

		strbuf_reset(&line);
		strbuf_addf(&line, "S %zu\n", k);
		if (write_all(fd, line.buf, line.len) < 0)
			break;
		report_init(&lr);
		run_rule(L, &rules->items[order[k]], status, &lr);
		o = outcome_to_json(&lr);
		strbuf_reset(&line);
		strbuf_addf(&line, "R %zu %s\n", k, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
		report_release(&lr);
		if (write_all(fd, line.buf, line.len) < 0)
			break;
	}
	write_all(fd, "E\n", 2);
	strbuf_release(&line);
}

static int64_t mono_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The parent: reads the child's lines, applies outcomes, and kills the
 * child when one rule runs past the timeout. Returns the index to go on
 * from (nr when every rule is done).
 */
static size_t supervise(pid_t pid, int fd, struct loadset *rules, const size_t *order, size_t nr,
			size_t start, struct report *r, int timeout_ms)
{
	struct strbuf buf = STRBUF_INIT;
	size_t current = (size_t)-1, next = start;
	int64_t deadline = 0;
	int status = 0, done = 0;

	while (!done) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int wait_ms = current == (size_t)-1 ? -1 : (int)(deadline - mono_now_ms());
		char chunk[65536];
		ssize_t n;
		char *nl;

		if (current != (size_t)-1 && wait_ms <= 0) {
			struct rule_result *rr;

			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			rr = add_rule_result(r, &rules->items[order[current]]);
			rr->status = RULE_ERROR;
			rr->failure = xstrdup("timeout");
			strbuf_reset(&buf);
			strbuf_addf(&buf, "%s: ran for more than %d ms (stuck in C code the instruction cap cannot interrupt, such as a pathological string pattern)",
				    rules->items[order[current]].file, timeout_ms);
			rr->reason = strbuf_detach(&buf, NULL);
			next = current + 1;
			goto out;
		}
		if (poll(&pfd, 1, wait_ms) < 0 && errno != EINTR)
			break;
		if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		strbuf_add(&buf, chunk, (size_t)n);
		while ((nl = memchr(buf.buf, '\n', buf.len))) {
			size_t len = (size_t)(nl - buf.buf) + 1;
			size_t k;

			*nl = '\0';
			if (buf.buf[0] == 'S' && sscanf(buf.buf, "S %zu", &k) == 1 && k < nr) {
				current = k;
				deadline = mono_now_ms() + timeout_ms;
			} else if (buf.buf[0] == 'R' && sscanf(buf.buf, "R %zu", &k) == 1 && k < nr) {
				const char *js = strchr(buf.buf + 2, ' ');
				json_object *o = js ? json_tokener_parse(js + 1) : NULL;

				if (o) {
					outcome_apply(r, &rules->items[order[k]], o);
					json_object_put(o);
				}
				current = (size_t)-1;
				next = k + 1;
			} else if (buf.buf[0] == 'E') {
				done = 1;
				next = nr;
			}
			memmove(buf.buf, buf.buf + len, buf.len - len);
			buf.len -= len;
			buf.buf[buf.len] = '\0';
		}
	}
	waitpid(pid, &status, 0);
	if (!done && current != (size_t)-1) {
		/* the child died inside a rule: that rule caused it */
		struct rule_result *rr = add_rule_result(r, &rules->items[order[current]]);

		rr->status = RULE_ERROR;
		rr->failure = xstrdup("crash");
		strbuf_reset(&buf);
		if (WIFSIGNALED(status))
			strbuf_addf(&buf, "%s: the analysis process died (signal %d) while this rule ran",
				    rules->items[order[current]].file, WTERMSIG(status));
		else
			strbuf_addf(&buf, "%s: the analysis process exited (%d) while this rule ran",
				    rules->items[order[current]].file, WEXITSTATUS(status));
		rr->reason = strbuf_detach(&buf, NULL);
		next = current + 1;
	}
out:
	strbuf_release(&buf);
	return next;
}

static void run_rules(lua_State *L, struct loadset *rules, const size_t *order, size_t nr,
		      json_object *status, struct report *r, int timeout_ms)
{
	struct strbuf err = STRBUF_INIT;
	size_t next = 0;

	if (timeout_ms > 0) {
		/* decode profiles once here, so each child inherits them instead of decoding again */
		push_host_fn(L, "warm");
		lua_getfield(L, LUA_REGISTRYINDEX, REG_FACTS);
		sandbox_pcall(L, 1, 0, &err);
	}
	while (next < nr && timeout_ms > 0) {
		int fds[2];
		pid_t pid;

		if (pipe2(fds, O_CLOEXEC) < 0)
			break;
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			close(fds[0]);
			close(fds[1]);
			break;
		}
		if (pid == 0) {
			close(fds[0]);
			child_run(L, rules, order, nr, next, status, fds[1]);
			_exit(0);
		}
		close(fds[1]);
		next = supervise(pid, fds[0], rules, order, nr, next, r, timeout_ms);
		close(fds[0]);
	}
	/* no watchdog asked for, or no process to be had: run in process */
	for (; next < nr; next++)
		run_rule(L, &rules->items[order[next]], status, r);
	strbuf_release(&err);
}

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

static lua_State *host_state(const struct analyze_options *o, struct strbuf *err)
{
	lua_State *L = sandbox_new(&o->limits, err);

	if (!L)
		return NULL;
	if (sandbox_register_module(L, "triage.profile", luaopen_triage_profile) < 0 ||
	    host_init(L, err) < 0) {
		if (!err->len)
			error_set(err, "cannot set up the Lua host");
		sandbox_close(L);
		return NULL;
	}
	register_reporter(L);
	return L;
}

int analyze_bundle(const char *path, const struct analyze_options *o, struct report *r,
		   struct strbuf *err)
{
	struct bundle b, base;
	struct loadset rules = { 0 };
	lua_State *L = NULL;
	json_object *status = json_object_new_object();
	size_t i, *order = NULL, nr_order = 0;
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
			struct rule_result *rr = report_add_rule(r);

			rr->id = xstrdup(x->id ? x->id : "(unloadable)");
			rr->file = xstrdup(x->file);
			rr->origin = xstrdup(x->origin);
			rr->no_rung = 1;
			rr->status = RULE_ERROR;
			rr->reason = xstrdup(x->error);
			rr->failure = xstrdup("load");
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
