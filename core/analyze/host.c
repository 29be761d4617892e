/*
 * The Lua state rules and plugins run in: the sandbox, the triage.profile
 * module, the reporter type, and a few helpers of the host's own written
 * in Lua because they walk Lua tables.
 */
#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

#include "analyze/internal.h"
#include "lua/profile-lib.h"

#define LUA_LIB_PREFIX "triage."

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

int fact_lookup(lua_State *L, const char *path, struct strbuf *err)
{
	push_host_fn(L, "lookup");
	lua_getfield(L, LUA_REGISTRYINDEX, REG_FACTS);
	lua_pushstring(L, path);
	return sandbox_pcall(L, 2, 1, err) == SANDBOX_OK ? 0 : -1;
}

int push_facts_ro(lua_State *L, struct strbuf *err)
{
	push_host_fn(L, "ro");
	lua_getfield(L, LUA_REGISTRYINDEX, REG_FACTS);
	return sandbox_pcall(L, 1, 1, err) == SANDBOX_OK ? 0 : -1;
}

#define REG_LIBDIR "triage.libdir"

/*
 * require("triage.fmt") and the other helper modules written in Lua: the
 * file <plugins>/lib/<name>.lua, run in a fresh sandboxed environment of
 * its own. Errors are raised into the requiring rule, which reports them.
 */
static int open_lua_lib(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1), *dir;
	struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;

	lua_getfield(L, LUA_REGISTRYINDEX, REG_LIBDIR);
	dir = lua_tostring(L, -1);
	if (!dir)
		return luaL_error(L, "module '%s': no plugin directory is set", name);
	strbuf_addf(&path, "%s/%s.lua", dir, name + strlen(LUA_LIB_PREFIX));
	lua_pop(L, 1);
	if (sandbox_new_env(L) < 0) {
		strbuf_release(&path);
		return luaL_error(L, "module '%s': out of memory", name);
	}
	if (sandbox_load_file(L, path.buf, -1, &err) < 0) {
		lua_pushstring(L, err.buf);
		strbuf_release(&path);
		strbuf_release(&err);
		return lua_error(L);
	}
	strbuf_release(&path);
	strbuf_release(&err);
	lua_remove(L, -2);	/* the environment: the chunk holds it */
	lua_call(L, 0, 1);
	return 1;
}

lua_State *host_state(const struct analyze_options *o, struct strbuf *err)
{
	static const char *const libs[] = { "fmt", "semver", "severity" };
	lua_State *L = sandbox_new(&o->limits, err);
	int failed = 0;
	size_t i;

	if (!L)
		return NULL;
	if (o->plugin_dir) {
		struct strbuf dir = STRBUF_INIT;

		strbuf_addf(&dir, "%s/lib", o->plugin_dir);
		lua_pushstring(L, dir.buf);
		lua_setfield(L, LUA_REGISTRYINDEX, REG_LIBDIR);
		strbuf_release(&dir);
	}
	for (i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
		char name[32];

		snprintf(name, sizeof(name), "%s%s", LUA_LIB_PREFIX, libs[i]);
		failed |= sandbox_register_module(L, name, open_lua_lib) < 0;
	}
	if (failed || sandbox_register_module(L, "triage.profile", luaopen_triage_profile) < 0 ||
	    host_init(L, err) < 0) {
		if (!err->len)
			error_set(err, "cannot set up the Lua host");
		sandbox_close(L);
		return NULL;
	}
	register_reporter(L);
	return L;
}

int facts_warm(lua_State *L, struct strbuf *err)
{
	push_host_fn(L, "warm");
	lua_getfield(L, LUA_REGISTRYINDEX, REG_FACTS);
	return sandbox_pcall(L, 1, 0, err) == SANDBOX_OK ? 0 : -1;
}
