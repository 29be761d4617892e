/*
 * Unit test of the Lua sandbox (core/lua/sandbox.c): hostile and broken
 * rules, written as real files into a temporary directory, must each fail
 * with the right classification and a "file:line: message" error, leave
 * the Lua stack as it was, and leave the state fit for the next rule.
 *
 * Prints every failed check and exits non-zero if there was one; prints how
 * long the endless loop ran before it was stopped.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua/sandbox.h"
#include "base/strbuf.h"
#include "check.h"

static char tmpdir[] = "/tmp/triage-sandbox-XXXXXX";

static void rule_path(struct strbuf *path, const char *name)
{
	strbuf_reset(path);
	strbuf_addf(path, "%s/%s", tmpdir, name);
}

static void remove_tmpdir(void)
{
	struct strbuf path = STRBUF_INIT;
	struct dirent *de;
	DIR *d = opendir(tmpdir);

	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		rule_path(&path, de->d_name);
		unlink(path.buf);
	}
	if (d)
		closedir(d);
	rmdir(tmpdir);
	strbuf_release(&path);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void write_file(const char *name, const char *data, size_t len)
{
	struct strbuf path = STRBUF_INIT;
	FILE *f;

	rule_path(&path, name);
	f = fopen(path.buf, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		perror(path.buf);
		exit(1);
	}
	strbuf_release(&path);
}

/*
 * Writes name with text, loads it into env and calls it for one result.
 * Checks the status; on success the result's tostring must equal want
 * (when given), otherwise the error must contain want. Checks the stack
 * is back where it was either way.
 */
static void run_rule(lua_State *L, int env, const char *name, const char *text,
		     enum sandbox_status want_status, const char *want, int line)
{
	struct strbuf err = STRBUF_INIT, path = STRBUF_INIT;
	enum sandbox_status st;
	int top = lua_gettop(L);

	write_file(name, text, strlen(text));
	rule_path(&path, name);
	if (sandbox_load_file(L, path.buf, env, &err) < 0) {
		CHECK(0, "(line %d) %s: load failed: %s", line, name, err.buf);
		goto cleanup;
	}
	CHECK(lua_gettop(L) == top + 1, "(line %d) %s: load left %d values", line, name,
	      lua_gettop(L) - top);
	st = sandbox_pcall(L, 0, 1, &err);
	CHECK(st == want_status, "(line %d) %s: status '%s', want '%s' (%s)", line, name,
	      sandbox_status_name(st), sandbox_status_name(want_status), strbuf_str(&err));
	if (st == SANDBOX_OK) {
		const char *got = luaL_tolstring(L, -1, NULL);

		CHECK(!want || !strcmp(got, want), "(line %d) %s: result '%s', want '%s'",
		      line, name, got, want);
		lua_pop(L, 2);
	} else {
		CHECK(!want || strstr(strbuf_str(&err), want),
		      "(line %d) %s: error '%s' lacks '%s'", line, name, strbuf_str(&err), want);
	}
	CHECK(lua_gettop(L) == top, "(line %d) %s: stack %d, want %d", line, name,
	      lua_gettop(L), top);
cleanup:
	strbuf_release(&err);
	strbuf_release(&path);
}

#define RUN(L, env, name, text, status, want) \
	run_rule(L, env, name, text, status, want, __LINE__)

/* --- a module registered by the host -------------------------------------- */

static int module_opens;

/* m.call(f): a host function calling back into Lua, as plugins will. */
static int testmod_call(lua_State *L)
{
	struct strbuf err = STRBUF_INIT;
	enum sandbox_status st;

	luaL_checktype(L, 1, LUA_TFUNCTION);
	lua_pushvalue(L, 1);
	st = sandbox_pcall(L, 0, 0, &err);
	lua_pushboolean(L, st == SANDBOX_OK);
	lua_pushstring(L, strbuf_str(&err));
	strbuf_release(&err);
	return 2;
}

static int open_testmod(lua_State *L)
{
	module_opens++;
	lua_newtable(L);
	lua_pushinteger(L, 42);
	lua_setfield(L, -2, "answer");
	lua_pushvalue(L, 1);
	lua_setfield(L, -2, "name");
	lua_pushcfunction(L, testmod_call);
	lua_setfield(L, -2, "call");
	return 1;
}

static void collect_print(void *ctx, const char *msg, size_t len)
{
	struct strbuf *out = ctx;

	strbuf_add(out, msg, len);
	strbuf_addch(out, '\n');
}

/* --- the cases -------------------------------------------------------------- */

static void test_errors(lua_State *L, int env)
{
	RUN(L, env, "error.lua", "error(\"boom\")\n", SANDBOX_ERROR, "error.lua:1: boom");
	RUN(L, env, "index.lua", "local t = {}\nreturn t.x.y\n", SANDBOX_ERROR,
	    "index.lua:2: attempt to index a nil value (field 'x')");
	/* No position from Lua: the handler adds the failing line. */
	RUN(L, env, "level0.lua", "\n\nerror(\"plain\", 0)\n", SANDBOX_ERROR,
	    "level0.lua:3: plain");
	RUN(L, env, "object.lua", "error({})\n", SANDBOX_ERROR,
	    "object.lua:1: (error object is a table value)");
	RUN(L, env, "undefined.lua", "return undefined_thing + 1\n", SANDBOX_ERROR,
	    "undefined.lua:1: undefined global 'undefined_thing'");
	/* Forging the marker does not make an ordinary error "blocked". */
	RUN(L, env, "forged.lua", "error(\"sandbox: 'os' is not available to rules\")\n",
	    SANDBOX_ERROR, "forged.lua:1:");
	/* Lua's stack may reach 1M slots: under 64 MiB the memory cap comes first. */
	RUN(L, env, "recursion.lua", "local function f() return 1 + f() end\nreturn f()\n",
	    SANDBOX_MEMORY_LIMIT, "recursion.lua: memory limit");
	RUN(L, env, "after-recursion.lua", "return 'fine'\n", SANDBOX_OK, "fine");
	RUN(L, env, "c-recursion.lua",
	    "local function f() return tostring(setmetatable({}, {__tostring = f})) end\n"
	    "return f()\n", SANDBOX_ERROR, "stack overflow");
	RUN(L, env, "caught.lua", "pcall(function() return os end)\nerror(\"after\")\n",
	    SANDBOX_ERROR, "caught.lua:2: after");
}

static void test_loading(lua_State *L, int env)
{
	struct strbuf err = STRBUF_INIT, path = STRBUF_INIT, big = STRBUF_INIT;
	static const char binary[] = "\x1bLua\x54\x00\x19\x93\r\n\x1a\n";
	int top = lua_gettop(L);

	write_file("binary.lua", binary, sizeof(binary) - 1);
	rule_path(&path, "binary.lua");
	CHECK(sandbox_load_file(L, path.buf, env, &err) < 0, "binary chunk file was loaded");
	CHECK(strstr(strbuf_str(&err), "binary chunks are not allowed"),
	      "binary chunk error: '%s'", strbuf_str(&err));
	CHECK(lua_gettop(L) == top, "binary chunk left the stack at %d", lua_gettop(L));

	write_file("syntax.lua", "local x =\nreturn +\n", 19);
	rule_path(&path, "syntax.lua");
	CHECK(sandbox_load_file(L, path.buf, env, &err) < 0, "syntax error was loaded");
	CHECK(strstr(strbuf_str(&err), "syntax.lua:2:"), "syntax error: '%s'", strbuf_str(&err));
	CHECK(lua_gettop(L) == top, "syntax error left the stack at %d", lua_gettop(L));

	strbuf_addstr(&big, "return 1\n");
	while (big.len <= SANDBOX_MAX_FILE_SIZE)
		strbuf_addstr(&big, "-- padding padding padding padding padding padding\n");
	write_file("big.lua", big.buf, big.len);
	rule_path(&path, "big.lua");
	CHECK(sandbox_load_file(L, path.buf, env, &err) < 0, "oversized file was loaded");
	CHECK(strstr(strbuf_str(&err), "larger than"), "oversized: '%s'", strbuf_str(&err));

	rule_path(&path, "missing.lua");
	CHECK(sandbox_load_file(L, path.buf, env, &err) < 0, "missing file was loaded");
	CHECK(strstr(strbuf_str(&err), "cannot read"), "missing: '%s'", strbuf_str(&err));
	CHECK(lua_gettop(L) == top, "failed loads left the stack at %d", lua_gettop(L));

	RUN(L, env, "load-text.lua", "return load(\"return 1+1\")()\n", SANDBOX_OK, "2");
	/* A loaded chunk runs in the loader's environment, strict like it. */
	RUN(L, env, "load-env.lua", "return load(\"return string.upper('ok')\")()\n",
	    SANDBOX_OK, "OK");
	RUN(L, env, "load-global.lua", "return load(\"y = 1\")()\n", SANDBOX_ERROR,
	    "rules may not create globals ('y')");
	/* Asking for binary mode does not help. */
	RUN(L, env, "load-binary.lua",
	    "local f, e = load(\"\\27Lua\\84\\0\", \"x\", \"b\")\nassert(f == nil)\nreturn e\n",
	    SANDBOX_OK, "attempt to load a binary chunk (mode is 't')");
	RUN(L, env, "dump.lua", "return load(string.dump(function() end))\n", SANDBOX_BLOCKED,
	    "dump.lua:1: sandbox: 'string.dump' is not available to rules");

	strbuf_release(&err);
	strbuf_release(&path);
	strbuf_release(&big);
}

static void test_blocked(lua_State *L, int env)
{
	static const char *const names[] = {
		"os", "io", "package", "debug", "dofile", "loadfile", "coroutine", NULL
	};
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT, want = STRBUF_INIT;
	int i;

	rule_path(&path, "pwned");
	unlink(path.buf);
	strbuf_addf(&text, "os.execute(\"touch %s\")\n", path.buf);
	RUN(L, env, "os.lua", text.buf, SANDBOX_BLOCKED,
	    "os.lua:1: sandbox: 'os' is not available to rules");
	CHECK(access(path.buf, F_OK) < 0, "os.execute created %s", path.buf);
	RUN(L, env, "io.lua", "local f = io.open(\"/etc/passwd\")\nreturn f:read(\"a\")\n",
	    SANDBOX_BLOCKED, "io.lua:1: sandbox: 'io' is not available to rules");
	for (i = 0; names[i]; i++) {
		strbuf_reset(&text);
		strbuf_addf(&text, "local x = %s\n", names[i]);
		strbuf_reset(&want);
		strbuf_addf(&want, "sandbox: '%s' is not available to rules", names[i]);
		RUN(L, env, "name.lua", text.buf, SANDBOX_BLOCKED, want.buf);
	}
	RUN(L, env, "require-os.lua", "return require(\"os\")\n", SANDBOX_BLOCKED,
	    "require-os.lua:1: sandbox: module 'os' is not available (known: triage.test)");
	RUN(L, env, "gc-collect.lua", "collectgarbage(\"collect\")\n", SANDBOX_BLOCKED,
	    "sandbox: collectgarbage('collect') is not available to rules");
	RUN(L, env, "gc-default.lua", "collectgarbage()\n", SANDBOX_BLOCKED,
	    "collectgarbage('collect')");
	RUN(L, env, "gc-count.lua", "local kb = collectgarbage(\"count\")\n"
	    "return math.type(kb) .. (kb > 0 and ' positive' or ' zero')\n",
	    SANDBOX_OK, "float positive");
	RUN(L, env, "finalizer.lua", "setmetatable({}, {__gc = function() end})\n",
	    SANDBOX_BLOCKED, "'__gc' metamethods are not available to rules");

	strbuf_release(&path);
	strbuf_release(&text);
	strbuf_release(&want);
}

static void test_libraries(lua_State *L, int env)
{
	int opens;

	RUN(L, env, "libs.lua",
	    "local t = {3, 1, 2}\n"
	    "table.sort(t)\n"
	    "local s = string.format('%d-%s', 3, ('ab'):upper())\n"
	    "local n = 0\n"
	    "for _, v in ipairs(t) do n = n + v end\n"
	    "for k in pairs({a = 1}) do s = s .. k end\n"
	    "local ok = pcall(error, 'x')\n"
	    "return table.concat({s, table.concat(t, ','), math.floor(2.5), n,\n"
	    "  utf8.char(72, 105), utf8.len('h\\u{e4}h'), select('#', 1, 2),\n"
	    "  tonumber('0x10'), (('a,b'):gsub(',', ';')), string.rep('ab', 2, '-'),\n"
	    "  tostring(ok), type(nil), math.maxinteger > 0 and 'big' or 'small'}, '|')\n",
	    SANDBOX_OK, "3-ABa|1,2,3|2|6|Hi|3|2|16|a;b|ab-ab|false|nil|big");
	opens = module_opens;
	RUN(L, env, "require.lua",
	    "local a = require('triage.test')\n"
	    "local b = require('triage.test')\n"
	    "return tostring(a == b) .. ' ' .. a.answer .. ' ' .. a.name\n",
	    SANDBOX_OK, "true 42 triage.test");
	CHECK(module_opens == opens + 1, "module opened %d times, want once", module_opens - opens);
	RUN(L, env, "g.lua", "return _G == _ENV\n", SANDBOX_OK, "true");
	RUN(L, env, "print.lua", "print('hello', 1, nil, true)\n", SANDBOX_OK, "nil");
}

static void test_limits(lua_State *L, int env, lua_State *small, int small_env)
{
	struct strbuf path = STRBUF_INIT;
	double t0, elapsed;
	size_t used;

	t0 = now_seconds();
	RUN(L, env, "loop.lua", "local n = 0\nwhile true do n = n + 1 end\n",
	    SANDBOX_INSTRUCTION_LIMIT,
	    "loop.lua:2: sandbox: instruction limit of 50000000 exceeded");
	elapsed = now_seconds() - t0;
	printf("endless loop stopped after %.3f s (%llu instructions)\n", elapsed,
	       (unsigned long long)sandbox_instructions_used(L));
	CHECK(elapsed < 60, "endless loop ran %.1f s", elapsed);
	CHECK(sandbox_instructions_used(L) >= SANDBOX_DEFAULT_MAX_INSTRUCTIONS,
	      "instructions used %llu", (unsigned long long)sandbox_instructions_used(L));

	/* The state's own limits: a smaller cap stops sooner. */
	RUN(small, small_env, "loop.lua", "while true do end\n", SANDBOX_INSTRUCTION_LIMIT,
	    "instruction limit of 1000000 exceeded");
	/* Catching the limit error does not buy more time. */
	RUN(small, small_env, "catch.lua",
	    "while true do pcall(function() while true do end end) end\n",
	    SANDBOX_INSTRUCTION_LIMIT, "instruction limit");
	RUN(small, small_env, "xpcall.lua",
	    "while true do xpcall(function() while true do end end,\n"
	    "                     function() while true do end end) end\n",
	    SANDBOX_INSTRUCTION_LIMIT, "instruction limit");
	RUN(small, small_env, "close.lua",
	    "local x <close> = setmetatable({}, {__close = function() while true do end end})\n"
	    "while true do end\n",
	    SANDBOX_INSTRUCTION_LIMIT, "sandbox: instruction limit");
	RUN(small, small_env, "xpcall-ok.lua",
	    "local ok, e = xpcall(function(a) error(a) end,\n"
	    "                     function(m) return 'handled ' .. m end, 'x')\n"
	    "local ok2, v = xpcall(function(a, b) return a + b end, print, 1, 2)\n"
	    "e = e:gsub('^handled .*/', 'handled ')\n"
	    "return tostring(ok) .. ' ' .. e .. ' ' .. tostring(ok2) .. ' ' .. v\n",
	    SANDBOX_OK, "false handled xpcall-ok.lua:1: x true 3");
	/* Loops inside C library functions are billed too. */
	t0 = now_seconds();
	RUN(small, small_env, "move.lua", "table.move({}, 1, 1e15, 2)\n",
	    SANDBOX_INSTRUCTION_LIMIT, "move.lua:1: sandbox: instruction limit");
	RUN(small, small_env, "shift.lua",
	    "local t = setmetatable({}, {__len = function() return 1e15 end})\n"
	    "table.insert(t, 1, 'x')\n",
	    SANDBOX_INSTRUCTION_LIMIT, "shift.lua:2: sandbox: instruction limit");
	RUN(small, small_env, "rep.lua", "return #string.rep('', 1e15) + #(''):rep(1e15, '')\n",
	    SANDBOX_OK, "0");
	elapsed = now_seconds() - t0;
	CHECK(elapsed < 10, "C loop guards took %.1f s", elapsed);
	RUN(small, small_env, "count.lua", "for i = 1, 10000 do end\nreturn 1\n", SANDBOX_OK, "1");
	CHECK(sandbox_instructions_used(small) >= 10000 &&
	      sandbox_instructions_used(small) < 100000,
	      "10000 iterations counted as %llu instructions",
	      (unsigned long long)sandbox_instructions_used(small));

	/* A host function calling back into Lua shares, and does not reset, the budget. */
	RUN(small, small_env, "nested.lua",
	    "local m = require('triage.test')\n"
	    "local ok, msg = m.call(function() error('inner') end)\n"
	    "assert(not ok)\n"
	    "return msg\n", SANDBOX_OK, NULL);
	RUN(small, small_env, "nested-loop.lua",
	    "local m = require('triage.test')\n"
	    "m.call(function() end)\n"
	    "while true do end\n", SANDBOX_INSTRUCTION_LIMIT, "nested-loop.lua:3:");

	RUN(L, env, "bomb.lua",
	    "local t = {}\n"
	    "for i = 1, 1e9 do t[i] = string.rep('x', 1000) .. i end\n",
	    SANDBOX_MEMORY_LIMIT, "bomb.lua: memory limit of 64 MiB exceeded");
	used = sandbox_memory_used(L);
	printf("memory bomb: peak %zu bytes, %zu after\n", sandbox_memory_peak(L), used);
	CHECK(sandbox_memory_peak(L) > SANDBOX_DEFAULT_MAX_MEMORY / 2 &&
	      sandbox_memory_peak(L) <= SANDBOX_DEFAULT_MAX_MEMORY,
	      "memory bomb peak %zu", sandbox_memory_peak(L));
	CHECK(used < ((size_t)4 << 20), "after the memory bomb %zu bytes are still held", used);
	RUN(L, env, "after-bomb.lua", "return string.rep('y', 1000):len() + 1\n",
	    SANDBOX_OK, "1001");
	/* Caught and re-raised (Lua keeps its memory status), or wrapped: still memory. */
	RUN(L, env, "bomb-caught.lua",
	    "local ok, e = pcall(function()\n"
	    "  local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 1000) .. i end\n"
	    "end)\n"
	    "error(e, 0)\n", SANDBOX_MEMORY_LIMIT,
	    "bomb-caught.lua: memory limit of 64 MiB exceeded");
	RUN(L, env, "bomb-wrapped.lua",
	    "local ok, e = pcall(function()\n"
	    "  local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 1000) .. i end\n"
	    "end)\n"
	    "error('wrapped: ' .. e)\n", SANDBOX_MEMORY_LIMIT,
	    "bomb-wrapped.lua:4: wrapped: not enough memory");
	RUN(L, env, "huge-string.lua", "return string.rep('x', 1 << 30)\n",
	    SANDBOX_MEMORY_LIMIT, "memory limit");
	RUN(L, env, "after-huge.lua", "return 'fine'\n", SANDBOX_OK, "fine");
	strbuf_release(&path);
}

static void test_isolation(lua_State *L)
{
	int top = lua_gettop(L), a, b;

	CHECK(sandbox_new_env(L) == 0, "new env");
	CHECK(sandbox_new_env(L) == 0, "new env");
	a = top + 1;
	b = top + 2;

	RUN(L, a, "create.lua", "x_global = 1\n", SANDBOX_ERROR,
	    "create.lua:1: rules may not create globals ('x_global')");
	RUN(L, a, "replace.lua", "string = nil\n", SANDBOX_ERROR,
	    "rules may not change global 'string'");
	/* What a rule can do to its own environment stays in it. */
	RUN(L, a, "rawset.lua",
	    "rawset(_G, 'leak', 1)\n"
	    "string.upper = nil\n"
	    "table.concat = function() return 'pwned' end\n"
	    "return leak\n", SANDBOX_OK, "1");
	RUN(L, b, "leak.lua", "return leak\n", SANDBOX_ERROR, "undefined global 'leak'");
	RUN(L, b, "upper.lua", "return string.upper('a') .. ('b'):upper() .. table.concat({'c'})\n",
	    SANDBOX_OK, "ABc");
	/* Method calls on strings use the pristine library, whatever a copy says. */
	RUN(L, a, "method.lua", "return ('b'):upper()\n", SANDBOX_OK, "B");
	RUN(L, a, "unmeta.lua", "setmetatable(_G, nil)\n", SANDBOX_ERROR,
	    "cannot change a protected metatable");
	RUN(L, a, "meta.lua", "return getmetatable(_G)\n", SANDBOX_OK, "sandbox environment");
	RUN(L, a, "strmeta.lua", "return getmetatable('')\n", SANDBOX_OK, "false");
	RUN(L, a, "still-strict.lua", "return nope\n", SANDBOX_ERROR, "undefined global 'nope'");
	RUN(L, b, "strict-b.lua", "return nope\n", SANDBOX_ERROR, "undefined global 'nope'");

	/* Host values: readable, not replaceable, only where exposed. */
	lua_pushinteger(L, 7);
	CHECK(sandbox_env_set(L, b, "host_value") == 0, "env set");
	CHECK(lua_gettop(L) == top + 2, "env set left the stack at %d", lua_gettop(L));
	RUN(L, b, "host.lua", "return host_value\n", SANDBOX_OK, "7");
	RUN(L, b, "host-set.lua", "host_value = 8\n", SANDBOX_ERROR,
	    "rules may not change global 'host_value'");
	RUN(L, a, "host-a.lua", "return host_value\n", SANDBOX_ERROR,
	    "undefined global 'host_value'");

	/* Env 0 is the state's shared globals, strict too. */
	RUN(L, 0, "shared.lua", "return string.upper('x')\n", SANDBOX_OK, "X");
	RUN(L, 0, "shared-set.lua", "zz = 1\n", SANDBOX_ERROR,
	    "rules may not create globals ('zz')");
	RUN(L, 0, "shared-os.lua", "return os\n", SANDBOX_BLOCKED, "'os' is not available");
	lua_settop(L, top);
}

int main(void)
{
	struct sandbox_limits lim;
	struct strbuf err = STRBUF_INIT, printed = STRBUF_INIT;
	lua_State *L, *small;
	int env, small_env;

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	L = sandbox_new(NULL, &err);
	if (!L) {
		fprintf(stderr, "sandbox_new: %s\n", err.buf);
		return 1;
	}
	CHECK(lua_gettop(L) == 0, "new state has %d values on the stack", lua_gettop(L));
	sandbox_limits_init(&lim);
	lim.max_instructions = 1000000;
	lim.max_memory = (size_t)8 << 20;
	small = sandbox_new(&lim, &err);
	if (!small) {
		fprintf(stderr, "sandbox_new: %s\n", err.buf);
		return 1;
	}
	lim.max_memory = 1024;
	CHECK(!sandbox_new(&lim, &err) && strstr(strbuf_str(&err), "memory limit of 1 KiB"),
	      "a 1 KiB state: '%s'", strbuf_str(&err));

	CHECK(sandbox_register_module(L, "triage.test", open_testmod) == 0, "register");
	CHECK(sandbox_register_module(small, "triage.test", open_testmod) == 0, "register");
	sandbox_set_print(L, collect_print, &printed);
	CHECK(sandbox_new_env(L) == 0 && sandbox_new_env(small) == 0, "new env");
	env = lua_gettop(L);
	small_env = lua_gettop(small);

	test_errors(L, env);
	test_loading(L, env);
	test_blocked(L, env);
	test_libraries(L, env);
	CHECK(!strcmp(strbuf_str(&printed), "hello\t1\tnil\ttrue\n"), "printed '%s'",
	      strbuf_str(&printed));
	test_limits(L, env, small, small_env);
	test_isolation(L);

	CHECK(lua_gettop(L) == 1 && lua_gettop(small) == 1, "stacks at %d and %d",
	      lua_gettop(L), lua_gettop(small));
	sandbox_close(L);
	sandbox_close(small);
	sandbox_close(NULL);
	strbuf_release(&err);
	strbuf_release(&printed);

	remove_tmpdir();
	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
