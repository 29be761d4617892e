/*
 * The Lua sandbox: limits, trimmed libraries, strict per-rule environments
 * and the one helper that calls into Lua (see lua-sandbox.h and
 * docs/lua-sandbox.md).
 *
 * Layout inside the state: the registry holds a "pristine" table of the
 * allowed functions and library tables, never reachable from Lua. Every
 * environment is an empty table whose metatable's __index reads a private
 * "view" (copies of the pristine entries, per-environment load and require,
 * host values) and raises for anything else; __newindex always raises. The
 * state's own global table is such an environment too, so code that ends
 * up with it (env 0) is as confined as a rule.
 */
#include "base/quantity.h"
#include "lua/sandbox.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

/* Count hook period: often enough to stop a loop quickly, rare enough to cost little. */
#define HOOK_INTERVAL 1000
/* Error messages longer than this are cut: they are copied past the memory cap. */
#define MAX_MESSAGE 2048
/* How far up the stack the message handler looks for a position. */
#define MAX_LEVELS 64
/* Marks the errors the sandbox raises itself, for classification. */
#define MARK "sandbox: "

struct sandbox {
	struct sandbox_limits limits;
	size_t used, peak;
	size_t reserved;		/* set aside (the facts), on top of limits.max_memory */
	uint64_t instructions;
	int depth;			/* nesting of sandbox_pcall */
	int enforce;			/* refuse allocations past the cap */
	int in_handler;			/* formatting an error: let it allocate */
	int instruction_limit_hit;
	int blocked_raised;
	int memory_refused;
	sandbox_print_fn *print_fn;
	void *print_ctx;
};

/* Registry keys: addresses nobody else can use. */
static const char pristine_key;
static const char load_key;
static const char modules_key;

static const char *const base_names[] = {
	"assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall",
	"rawequal", "rawget", "rawlen", "rawset", "select", "tonumber",
	"tostring", "type", "_VERSION", NULL
};

/* Names a rule may try on purpose; they get the blocked error, not "undefined". */
static const char *const blocked_names[] = {
	"os", "io", "package", "debug", "dofile", "loadfile", "loadstring",
	"coroutine", "module", "setfenv", "getfenv", "newproxy", "warn", NULL
};

static struct sandbox *sandbox_of(lua_State *L)
{
	void *ud;

	lua_getallocf(L, &ud);
	return ud;
}

void sandbox_limits_init(struct sandbox_limits *lim)
{
	lim->max_memory = SANDBOX_DEFAULT_MAX_MEMORY;
	lim->max_instructions = SANDBOX_DEFAULT_MAX_INSTRUCTIONS;
}

const char *sandbox_status_name(enum sandbox_status status)
{
	switch (status) {
	case SANDBOX_OK: return "ok";
	case SANDBOX_ERROR: return "error";
	case SANDBOX_INSTRUCTION_LIMIT: return "instruction limit";
	case SANDBOX_MEMORY_LIMIT: return "memory limit";
	case SANDBOX_BLOCKED: return "blocked";
	}
	return "unknown";
}

/* --- limits --------------------------------------------------------------- */

static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct sandbox *sb = ud;
	size_t old = ptr ? osize : 0;	/* without ptr, osize is a type tag */
	void *p;

	if (!nsize) {
		free(ptr);
		sb->used -= old;
		return NULL;
	}
	/* Shrinking must never fail (Lua relies on it); growing may. */
	if (nsize > old && sb->enforce && !sb->in_handler &&
	    nsize - old > sb->limits.max_memory + sb->reserved -
			  (sb->used < sb->limits.max_memory + sb->reserved ?
			   sb->used : sb->limits.max_memory + sb->reserved)) {
		sb->memory_refused = 1;
		return NULL;
	}
	p = realloc(ptr, nsize);
	if (!p)
		return NULL;
	sb->used = sb->used - old + nsize;
	if (sb->used > sb->peak)
		sb->peak = sb->used;
	return p;
}

static int sandbox_panic(lua_State *L)
{
	const char *msg = lua_tostring(L, -1);

	/* Only host code calling the API unprotected gets here: a bug to fix. */
	fprintf(stderr, "triage: unprotected lua error: %s\n", msg ? msg : "?");
	return 0;
}

/* Raises the instruction-limit error; position from the function at level. */
static int instruction_limit(lua_State *L, int level)
{
	struct sandbox *sb = sandbox_of(L);
	char n[32];

	/*
	 * From now on the hook fires before every instruction, so a rule that
	 * catches the error with pcall fails again at its next instruction.
	 */
	if (!sb->instruction_limit_hit) {
		sb->instruction_limit_hit = 1;
		lua_sethook(L, lua_gethook(L), LUA_MASKCOUNT, 1);
	}
	snprintf(n, sizeof(n), "%" PRIu64, sb->limits.max_instructions);
	luaL_where(L, level);
	lua_pushfstring(L, MARK "instruction limit of %s exceeded", n);
	lua_concat(L, 2);
	return lua_error(L);
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
	struct sandbox *sb = sandbox_of(L);

	(void)ar;
	if (!sb->instruction_limit_hit) {
		sb->instructions += (uint64_t)lua_gethookcount(L);
		if (sb->instructions <= sb->limits.max_instructions)
			return;
	}
	/* In a hook, level 0 is the Lua function that was running. */
	instruction_limit(L, 0);
}

/*
 * Library functions that loop in C, where the hook cannot see them, bill
 * their iterations to the instruction budget first.
 */
static void charge(lua_State *L, uint64_t n)
{
	struct sandbox *sb = sandbox_of(L);

	if (!sb->depth)
		return;
	if (sb->instruction_limit_hit ||
	    n > sb->limits.max_instructions - (sb->instructions < sb->limits.max_instructions ?
					       sb->instructions : sb->limits.max_instructions))
		instruction_limit(L, 1);
	sb->instructions += n;
}

static int raise_blocked(lua_State *L, const char *fmt, ...)
{
	va_list ap;

	sandbox_of(L)->blocked_raised = 1;
	luaL_where(L, 1);
	lua_pushliteral(L, MARK);
	va_start(ap, fmt);
	lua_pushvfstring(L, fmt, ap);
	va_end(ap);
	lua_concat(L, 3);
	return lua_error(L);
}

/* --- replacements for library functions ----------------------------------- */

/* Calls upvalue 1 with every argument: the guards below end with this. */
static int call_original(lua_State *L)
{
	int n = lua_gettop(L);

	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, n, LUA_MULTRET);
	return lua_gettop(L);
}

/* Upvalue 1: the name shown. */
static int blocked_function(lua_State *L)
{
	return raise_blocked(L, "'%s' is not available to rules",
			     lua_tostring(L, lua_upvalueindex(1)));
}

/* string.rep("", 1e15) copies nothing a quadrillion times in C. */
static int guard_string_rep(lua_State *L)
{
	size_t len, seplen = 0;

	luaL_checklstring(L, 1, &len);
	luaL_checkinteger(L, 2);
	luaL_optlstring(L, 3, "", &seplen);
	if (!len && !seplen) {
		lua_pushliteral(L, "");
		return 1;
	}
	/* Otherwise the result's size, hence the memory cap, bounds the loop. */
	return call_original(L);
}

/* table.move(t, 1, 1e15, 2) loops over absent keys without allocating. */
static int guard_table_move(lua_State *L)
{
	lua_Integer f = luaL_checkinteger(L, 2);
	lua_Integer e = luaL_checkinteger(L, 3);

	if (e >= f) {
		uint64_t n = (uint64_t)e - (uint64_t)f + 1;
		charge(L, n ? n : UINT64_MAX);
	}
	return call_original(L);
}

/* table.insert(t, 1, x) and table.remove(t, 1) shift #t elements; __len can lie. */
static int guard_table_shift(lua_State *L, int is_insert)
{
	lua_Integer n, pos;

	if (lua_type(L, 1) != LUA_TTABLE || (is_insert && lua_gettop(L) != 3))
		return call_original(L);
	n = luaL_len(L, 1);
	pos = is_insert ? luaL_checkinteger(L, 2) : luaL_optinteger(L, 2, n);
	/* Out-of-range positions are left to the original to refuse. */
	if (n > pos && pos >= 0)
		charge(L, (uint64_t)(n - pos) + (is_insert ? 1 : 0));
	return call_original(L);
}

static int guard_table_insert(lua_State *L)
{
	return guard_table_shift(L, 1);
}

static int guard_table_remove(lua_State *L)
{
	return guard_table_shift(L, 0);
}

static int sandbox_print(lua_State *L)
{
	struct sandbox *sb = sandbox_of(L);
	int n = lua_gettop(L), i;
	const char *s;
	size_t len;
	luaL_Buffer b;

	if (!sb->print_fn)
		return 0;
	luaL_buffinit(L, &b);
	for (i = 1; i <= n; i++) {
		if (i > 1)
			luaL_addchar(&b, '\t');
		luaL_tolstring(L, i, NULL);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	s = lua_tolstring(L, -1, &len);
	sb->print_fn(sb->print_ctx, s, len);
	return 0;
}

/* Only "count": collecting or tuning the GC is the host's business. */
static int sandbox_collectgarbage(lua_State *L)
{
	const char *opt = luaL_optstring(L, 1, "collect");

	if (!strcmp(opt, "count")) {
		lua_pushnumber(L, (lua_Number)lua_gc(L, LUA_GCCOUNT) +
			       (lua_Number)lua_gc(L, LUA_GCCOUNTB) / 1024);
		return 1;
	}
	return raise_blocked(L, "collectgarbage('%s') is not available to rules", opt);
}

/*
 * Finalizers run whenever the GC does, including in host code outside
 * sandbox_pcall where no limit applies, so rules may not have them.
 * Lua only honours a __gc present when the metatable is set, so checking
 * here is enough.
 */
static int sandbox_setmetatable(lua_State *L)
{
	int t = lua_type(L, 2);

	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
	if (t == LUA_TTABLE) {
		lua_pushliteral(L, "__gc");
		if (lua_rawget(L, 2) != LUA_TNIL)
			return raise_blocked(L, "'__gc' metamethods are not available to rules");
		lua_pop(L, 1);
	}
	if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
		return luaL_error(L, "cannot change a protected metatable");
	lua_settop(L, 2);
	lua_setmetatable(L, 1);
	return 1;
}

/* Message handler of xpcall; upvalue 1: the rule's handler. */
static int xpcall_handler(lua_State *L)
{
	/*
	 * The limit error is raised inside the count hook, where Lua runs no
	 * hooks: the rule's handler would run unmetered, so it is skipped.
	 */
	if (sandbox_of(L)->instruction_limit_hit)
		return 1;
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

/* xpcall(f, handler, ...), as the base library's, through xpcall_handler. */
static int sandbox_xpcall(lua_State *L)
{
	int n = lua_gettop(L);

	luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_pushvalue(L, 2);
	lua_pushcclosure(L, xpcall_handler, 1);
	lua_replace(L, 2);
	lua_pushboolean(L, 1);
	lua_pushvalue(L, 1);
	lua_rotate(L, 3, 2);
	if (lua_pcall(L, n - 2, LUA_MULTRET, 2) != LUA_OK) {
		lua_pushboolean(L, 0);
		lua_insert(L, -2);
		return 2;
	}
	return lua_gettop(L) - 2;
}

/* load with mode "t" forced; upvalue 1: the real load, 2: the default env. */
static int sandbox_load(lua_State *L)
{
	lua_settop(L, 4);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushvalue(L, 1);
	lua_pushvalue(L, 2);
	lua_pushliteral(L, "t");
	lua_pushvalue(L, lua_isnil(L, 4) ? lua_upvalueindex(2) : 4);
	lua_call(L, 4, LUA_MULTRET);
	return lua_gettop(L) - 4;
}

/* "known: a, b" in name order; no C allocation, since pushing may raise. */
static void push_known_modules(lua_State *L, int modules)
{
	const char *prev = NULL, *next;
	luaL_Buffer b;

	luaL_buffinit(L, &b);
	for (;;) {
		next = NULL;
		lua_pushnil(L);
		while (lua_next(L, modules)) {
			const char *k = lua_tostring(L, -2);

			if ((!prev || strcmp(k, prev) > 0) && (!next || strcmp(k, next) < 0))
				next = k;	/* stays valid: the key lives in the table */
			lua_pop(L, 1);
		}
		if (!next)
			break;
		if (prev)
			luaL_addstring(&b, ", ");
		luaL_addstring(&b, next);
		prev = next;
	}
	if (!prev)
		luaL_addstring(&b, "none");
	luaL_pushresult(&b);
}

/* Upvalue 1: this environment's cache of loaded modules. */
static int sandbox_require(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);

	lua_settop(L, 1);
	lua_pushvalue(L, 1);
	if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
		return 1;
	lua_pop(L, 1);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &modules_key);
	lua_pushvalue(L, 1);
	if (lua_rawget(L, 2) == LUA_TNIL) {
		push_known_modules(L, 2);
		return raise_blocked(L, "module '%s' is not available (known: %s)",
				     name, lua_tostring(L, -1));
	}
	lua_pushvalue(L, 1);
	lua_call(L, 1, 1);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_pushboolean(L, 1);
	}
	lua_pushvalue(L, 1);
	lua_pushvalue(L, -2);
	lua_rawset(L, lua_upvalueindex(1));
	return 1;
}

/* --- environments --------------------------------------------------------- */

/* __index of an environment; upvalue 1: its view. */
static int env_index(lua_State *L)
{
	const char *name;
	int i;

	lua_settop(L, 2);
	lua_pushvalue(L, 2);
	if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
		return 1;
	if (lua_type(L, 2) != LUA_TSTRING)
		return luaL_error(L, "undefined global (a %s key)", luaL_typename(L, 2));
	name = lua_tostring(L, 2);
	for (i = 0; blocked_names[i]; i++)
		if (!strcmp(name, blocked_names[i]))
			return raise_blocked(L, "'%s' is not available to rules", name);
	return luaL_error(L, "undefined global '%s'", name);
}

/* __newindex of an environment; upvalue 1: its view. */
static int env_newindex(lua_State *L)
{
	const char *name;

	if (lua_type(L, 2) != LUA_TSTRING)
		return luaL_error(L, "rules may not create globals (a %s key)",
				  luaL_typename(L, 2));
	name = lua_tostring(L, 2);
	lua_pushvalue(L, 2);
	if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
		return luaL_error(L, "rules may not change global '%s'", name);
	return luaL_error(L, "rules may not create globals ('%s')", name);
}

/* Pushes a shallow copy of the table at idx. */
static void push_table_copy(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	lua_newtable(L);
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_rawset(L, -4);
	}
}

static void push_env(lua_State *L)
{
	int env, view, pristine;

	lua_newtable(L);
	env = lua_gettop(L);
	lua_newtable(L);
	view = lua_gettop(L);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &pristine_key);
	pristine = lua_gettop(L);

	/* Library tables are copied so a rule changing string.x changes only its own. */
	lua_pushnil(L);
	while (lua_next(L, pristine)) {
		if (lua_type(L, -1) == LUA_TTABLE) {
			push_table_copy(L, -1);
			lua_remove(L, -2);
		}
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_rawset(L, view);
	}
	lua_pop(L, 1);

	lua_rawgetp(L, LUA_REGISTRYINDEX, &load_key);
	lua_pushvalue(L, env);
	lua_pushcclosure(L, sandbox_load, 2);
	lua_setfield(L, view, "load");
	lua_newtable(L);
	lua_pushcclosure(L, sandbox_require, 1);
	lua_setfield(L, view, "require");
	lua_pushvalue(L, env);
	lua_setfield(L, view, "_G");

	lua_createtable(L, 0, 3);
	lua_pushvalue(L, view);
	lua_pushcclosure(L, env_index, 1);
	lua_setfield(L, -2, "__index");
	lua_pushvalue(L, view);
	lua_pushcclosure(L, env_newindex, 1);
	lua_setfield(L, -2, "__newindex");
	/* Protected, so setmetatable(_G, nil) cannot lift the strictness. */
	lua_pushliteral(L, "sandbox environment");
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, env);
	lua_pop(L, 1);
}

/* Replaces field name of the table on top with a closure over its current value. */
static void wrap_field(lua_State *L, const char *name, lua_CFunction guard)
{
	lua_getfield(L, -1, name);
	lua_pushcclosure(L, guard, 1);
	lua_setfield(L, -2, name);
}

static int setup_protected(lua_State *L)
{
	static const struct {
		const char *name;
		lua_CFunction open;
	} libs[] = {
		{ LUA_STRLIBNAME, luaopen_string },
		{ LUA_TABLIBNAME, luaopen_table },
		{ LUA_MATHLIBNAME, luaopen_math },
		{ LUA_UTF8LIBNAME, luaopen_utf8 },
	};
	size_t i;
	int pristine;

	/* The base library only installs itself into the global table. */
	luaL_requiref(L, LUA_GNAME, luaopen_base, 0);
	lua_pop(L, 1);
	lua_newtable(L);
	pristine = lua_gettop(L);
	for (i = 0; base_names[i]; i++) {
		lua_getglobal(L, base_names[i]);
		lua_setfield(L, pristine, base_names[i]);
	}
	lua_getglobal(L, "load");
	lua_rawsetp(L, LUA_REGISTRYINDEX, &load_key);
	lua_pushcfunction(L, sandbox_print);
	lua_setfield(L, pristine, "print");
	lua_pushcfunction(L, sandbox_collectgarbage);
	lua_setfield(L, pristine, "collectgarbage");
	lua_pushcfunction(L, sandbox_setmetatable);
	lua_setfield(L, pristine, "setmetatable");
	lua_pushcfunction(L, sandbox_xpcall);
	lua_setfield(L, pristine, "xpcall");

	for (i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
		luaL_requiref(L, libs[i].name, libs[i].open, 0);
		lua_setfield(L, pristine, libs[i].name);
	}

	/* Patched in place: the string metatable's __index is this very table. */
	lua_getfield(L, pristine, LUA_STRLIBNAME);
	lua_pushliteral(L, "string.dump");
	lua_pushcclosure(L, blocked_function, 1);
	lua_setfield(L, -2, "dump");
	wrap_field(L, "rep", guard_string_rep);
	lua_pop(L, 1);
	lua_getfield(L, pristine, LUA_TABLIBNAME);
	wrap_field(L, "move", guard_table_move);
	wrap_field(L, "insert", guard_table_insert);
	wrap_field(L, "remove", guard_table_remove);
	lua_pop(L, 1);

	/* Hide the shared string metatable: through it a rule could patch methods for all. */
	lua_pushliteral(L, "");
	lua_getmetatable(L, -1);
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_pop(L, 2);

	lua_rawsetp(L, LUA_REGISTRYINDEX, &pristine_key);
	lua_newtable(L);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &modules_key);
	/* Drop the unrestricted originals luaL_requiref recorded. */
	lua_pushnil(L);
	lua_setfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);

	push_env(L);
	lua_rawseti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
	return 0;
}

/* --- public --------------------------------------------------------------- */

lua_State *sandbox_new(const struct sandbox_limits *lim, struct strbuf *err)
{
	struct sandbox *sb = xcalloc(1, sizeof(*sb));
	lua_State *L = NULL;
	char cap[32];

	sandbox_limits_init(&sb->limits);
	if (lim && lim->max_memory)
		sb->limits.max_memory = lim->max_memory;
	if (lim && lim->max_instructions)
		sb->limits.max_instructions = lim->max_instructions;
	format_size(cap, sizeof(cap), sb->limits.max_memory);

	sb->enforce = 1;
	L = lua_newstate(sandbox_alloc, sb);
	if (!L) {
		error_set(err, "cannot create lua state: memory limit of %s is too small", cap);
		goto fail;
	}
	lua_atpanic(L, sandbox_panic);
	lua_pushcfunction(L, setup_protected);
	if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
		error_set(err, "cannot set up lua sandbox with a memory limit of %s: %s",
			  cap, lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
		goto fail;
	}
	/* Between calls the host allocates freely: a refusal there would be unprotected. */
	sb->enforce = 0;
	lua_gc(L, LUA_GCCOLLECT);
	sb->peak = sb->used;
	return L;
fail:
	if (L)
		lua_close(L);
	free(sb);
	return NULL;
}

void sandbox_close(lua_State *L)
{
	struct sandbox *sb;

	if (!L)
		return;
	sb = sandbox_of(L);
	lua_close(L);
	free(sb);
}

void sandbox_set_print(lua_State *L, sandbox_print_fn *fn, void *ctx)
{
	struct sandbox *sb = sandbox_of(L);

	sb->print_fn = fn;
	sb->print_ctx = ctx;
}

static int register_module_protected(lua_State *L)
{
	lua_rawgetp(L, LUA_REGISTRYINDEX, &modules_key);
	lua_pushstring(L, lua_touserdata(L, 1));
	lua_pushvalue(L, 2);
	lua_rawset(L, -3);
	return 0;
}

int sandbox_register_module(lua_State *L, const char *name, lua_CFunction open)
{
	lua_pushcfunction(L, register_module_protected);
	lua_pushlightuserdata(L, (void *)name);
	lua_pushcfunction(L, open);
	if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
		lua_pop(L, 1);
		return -1;
	}
	return 0;
}

static int new_env_protected(lua_State *L)
{
	push_env(L);
	return 1;
}

int sandbox_new_env(lua_State *L)
{
	lua_pushcfunction(L, new_env_protected);
	if (lua_pcall(L, 0, 1, 0) != LUA_OK) {
		lua_pop(L, 1);
		return -1;
	}
	return 0;
}

/* Arguments: env, name (light userdata), value. */
static int env_set_protected(lua_State *L)
{
	if (!lua_getmetatable(L, 1) || lua_getfield(L, -1, "__index") != LUA_TFUNCTION ||
	    !lua_getupvalue(L, -1, 1))
		return luaL_error(L, "not a sandbox environment");
	lua_pushstring(L, lua_touserdata(L, 2));
	lua_pushvalue(L, 3);
	lua_rawset(L, -3);
	return 0;
}

int sandbox_env_set(lua_State *L, int env, const char *name)
{
	int status;

	env = env ? lua_absindex(L, env) : 0;
	lua_pushcfunction(L, env_set_protected);
	if (env)
		lua_pushvalue(L, env);
	else
		lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
	lua_pushlightuserdata(L, (void *)name);
	lua_pushvalue(L, -4);
	status = lua_pcall(L, 3, 0, 0);
	if (status != LUA_OK)
		lua_pop(L, 1);
	lua_pop(L, 1);
	return status == LUA_OK ? 0 : -1;
}

int sandbox_load_buffer(lua_State *L, const char *buf, size_t len,
			const char *name, int env, struct strbuf *err)
{
	struct sandbox *sb = sandbox_of(L);
	struct strbuf chunkname = STRBUF_INIT;
	int status, ret = -1, saved_enforce = sb->enforce;

	if (env) {
		env = lua_absindex(L, env);
		if (!lua_istable(L, env)) {
			error_set(err, "cannot load '%s': environment is not a table", name);
			goto cleanup;
		}
	}
	if (len && buf[0] == LUA_SIGNATURE[0]) {
		error_set(err, "cannot load '%s': binary chunks are not allowed", name);
		goto cleanup;
	}
	strbuf_addf(&chunkname, "@%s", name);
	/* lua_load is protected, so the cap can apply while compiling. */
	sb->enforce = 1;
	status = luaL_loadbufferx(L, buf, len, chunkname.buf, "t");
	sb->enforce = saved_enforce;
	if (status == LUA_ERRMEM) {
		char cap[32];

		format_size(cap, sizeof(cap), sb->limits.max_memory);
		error_set(err, "cannot load '%s': memory limit of %s exceeded", name, cap);
		lua_pop(L, 1);
		goto cleanup;
	}
	if (status != LUA_OK) {
		const char *msg = lua_tostring(L, -1);

		error_set(err, "%s", msg ? msg : "cannot load chunk");
		lua_pop(L, 1);
		goto cleanup;
	}
	if (env) {
		lua_pushvalue(L, env);
		/* A main chunk's only upvalue is _ENV. */
		if (!lua_setupvalue(L, -2, 1))
			lua_pop(L, 1);
	}
	ret = 0;
cleanup:
	strbuf_release(&chunkname);
	return ret;
}

int sandbox_load_file(lua_State *L, const char *path, int env, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	int ret = -1;

	if (strbuf_read_file(&text, path, SANDBOX_MAX_FILE_SIZE) < 0) {
		if (errno == EFBIG)
			error_set(err, "cannot load '%s': larger than %zu KiB", path,
				  SANDBOX_MAX_FILE_SIZE >> 10);
		else
			error_set(err, "cannot read '%s': %s", path, strerror(errno));
		goto cleanup;
	}
	ret = sandbox_load_buffer(L, strbuf_str(&text), text.len, path, env, err);
cleanup:
	strbuf_release(&text);
	return ret;
}

/*
 * Adds the position of the innermost Lua frame to messages without one
 * (error("x", 0), non-string error objects), so every failure names a
 * file and a line.
 */
static int message_handler(lua_State *L)
{
	struct sandbox *sb = sandbox_of(L);
	char where[LUA_IDSIZE + 32], here[LUA_IDSIZE + 32];
	int level, positioned = 0, have_where = 0;
	const char *msg;
	size_t len;
	lua_Debug ar;

	/* Bounded by MAX_MESSAGE; a message for a rule over its cap must still be made. */
	sb->in_handler = 1;
	if (lua_type(L, 1) == LUA_TSTRING || lua_type(L, 1) == LUA_TNUMBER) {
		msg = lua_tolstring(L, 1, &len);
	} else {
		/* No __tostring: it would run rule code in here. */
		msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
		len = strlen(msg);
	}
	for (level = 1; level <= MAX_LEVELS && lua_getstack(L, level, &ar); level++) {
		if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0)
			continue;
		snprintf(here, sizeof(here), "%s:%d:", ar.short_src, ar.currentline);
		if (!strncmp(msg, here, strlen(here))) {
			positioned = 1;
			break;
		}
		if (!have_where) {
			snprintf(where, sizeof(where), "%s", here);
			have_where = 1;
		}
	}
	if (len > MAX_MESSAGE) {
		lua_pushlstring(L, msg, MAX_MESSAGE);
		lua_pushliteral(L, " ...");
		lua_concat(L, 2);
		msg = lua_tostring(L, -1);
	}
	if (!positioned && have_where)
		lua_pushfstring(L, "%s %s", where, msg);
	else
		lua_pushstring(L, msg);
	return 1;
}

static enum sandbox_status classify(lua_State *L, int status, const char *src,
				    struct strbuf *err)
{
	struct sandbox *sb = sandbox_of(L);
	const char *msg = lua_tostring(L, -1);
	char cap[32];

	if (!msg)
		msg = "(error object is not a string)";
	if (sb->instruction_limit_hit) {
		error_set(err, "%s", msg);
		return SANDBOX_INSTRUCTION_LIMIT;
	}
	if (status == LUA_ERRMEM) {
		format_size(cap, sizeof(cap), sb->limits.max_memory);
		if (sb->memory_refused)
			error_set(err, "%s: memory limit of %s exceeded", src, cap);
		else
			error_set(err, "%s: out of memory", src);
		return SANDBOX_MEMORY_LIMIT;
	}
	error_set(err, "%s", msg);
	/* A rule can catch these and re-raise the message; the flags say they really happened. */
	if (sb->memory_refused && strstr(msg, "not enough memory"))
		return SANDBOX_MEMORY_LIMIT;
	if (sb->blocked_raised && strstr(msg, MARK))
		return SANDBOX_BLOCKED;
	return SANDBOX_ERROR;
}

enum sandbox_status sandbox_pcall(lua_State *L, int nargs, int nresults,
				  struct strbuf *err)
{
	struct sandbox *sb = sandbox_of(L);
	enum sandbox_status result = SANDBOX_OK;
	char src[LUA_IDSIZE] = "?";
	int base, status, outer;
	lua_Debug ar;

	if (nargs < 0 || lua_gettop(L) < nargs + 1) {
		error_set(err, "sandbox_pcall: nothing to call");
		return SANDBOX_ERROR;
	}
	if (!lua_checkstack(L, 2)) {
		error_set(err, "sandbox_pcall: lua stack overflow");
		return SANDBOX_ERROR;
	}
	base = lua_gettop(L) - nargs;
	if (lua_isfunction(L, base)) {
		lua_pushvalue(L, base);
		if (lua_getinfo(L, ">S", &ar))
			snprintf(src, sizeof(src), "%s", ar.short_src);
	}

	outer = sb->depth++ == 0;
	if (outer) {
		sb->instructions = 0;
		sb->instruction_limit_hit = 0;
		sb->blocked_raised = 0;
		sb->memory_refused = 0;
		sb->peak = sb->used;
		sb->enforce = 1;
		lua_sethook(L, count_hook, LUA_MASKCOUNT,
			    sb->limits.max_instructions < HOOK_INTERVAL ?
			    (int)sb->limits.max_instructions : HOOK_INTERVAL);
	}
	lua_pushcfunction(L, message_handler);
	lua_insert(L, base);
	status = lua_pcall(L, nargs, nresults, base);
	lua_remove(L, base);
	sb->in_handler = 0;
	sb->depth--;
	if (outer) {
		lua_sethook(L, NULL, 0, 0);
		sb->enforce = 0;
	}
	if (status == LUA_OK)
		return SANDBOX_OK;

	result = classify(L, status, src, err);
	lua_pop(L, 1);
	/* Whatever the failed rule built is garbage now; give it back before the next. */
	if (outer)
		lua_gc(L, LUA_GCCOLLECT);
	return result;
}

size_t sandbox_set_aside(lua_State *L)
{
	struct sandbox *sb = sandbox_of(L);

	lua_gc(L, LUA_GCCOLLECT);
	sb->reserved = sb->used;
	sb->peak = sb->used;
	return sb->reserved;
}

size_t sandbox_memory_used(lua_State *L)
{
	return sandbox_of(L)->used;
}

size_t sandbox_memory_peak(lua_State *L)
{
	return sandbox_of(L)->peak;
}

uint64_t sandbox_instructions_used(lua_State *L)
{
	return sandbox_of(L)->instructions;
}
