/*
 * Unit tests for the "triage.profile" Lua module.
 *
 * Profiles are pushed into a real sandbox and questioned from Lua snippets,
 * the way rules will: a tiny profile built here gives exact numbers (the
 * same stacks as tests/unit-profile.c), the shipped Prometheus heap profile
 * (bundles/, found through SRCDIR) a real one whose numbers are checked
 * against each other. Also run under valgrind and ASan: the error paths
 * (bad arguments, an unusable profile, the memory cap hit while building
 * results) must not leak what the userdata owns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "config.h"
#include "lua/profile-lib.h"
#include "lua/sandbox.h"
#include "base/strbuf.h"
#include "pbwrite.h"
#include "check.h"

/*
 * The stacks of tests/unit-profile.c, values multiplied by scale:
 *   functions 1 main.leaf, 2 main.mid, 3 main.root
 *   locations 1 = leaf inlined into mid, 2 = root, 3 = mid
 *   samples   [1,2]=10  [3,1,2]=5  [2]=0  [2]=7   (leaf first)
 * so by function: leaf 10/15, mid 5/15 (recursing, counted once), root
 * 7/22; total 22.
 */
static void build_tiny(struct strbuf *out, const char *type, int64_t scale)
{
	const char *strings[] = { "", type, "bytes", "main.leaf", "main.mid", "main.root",
				  "main.go", "/bin/app", "space" };
	static const uint64_t s1[] = { 1, 2 }, s2[] = { 3, 1, 2 }, s3[] = { 2 };
	static const struct { const uint64_t *locs; size_t n; int64_t v; } samples[] = {
		{ s1, 2, 10 }, { s2, 3, 5 }, { s3, 1, 0 }, { s3, 1, 7 },
	};
	struct strbuf m = STRBUF_INIT, sub = STRBUF_INIT;
	size_t i, j;

	strbuf_reset(out);
	pb_uint(&m, 1, 1);	/* sample type: type, bytes */
	pb_uint(&m, 2, 2);
	pb_msg(out, 1, &m);
	for (i = 0; i < 4; i++) {
		for (j = 0; j < samples[i].n; j++)
			pb_varint(&sub, samples[i].locs[j]);
		pb_msg(&m, 1, &sub);	/* packed location ids */
		pb_uint(&m, 2, (uint64_t)(samples[i].v * scale));
		pb_msg(out, 2, &m);
	}
	pb_uint(&m, 1, 1);	/* mapping 1: /bin/app */
	pb_uint(&m, 5, 7);
	pb_msg(out, 3, &m);
	pb_uint(&m, 1, 1);	/* location 1: leaf inlined into mid */
	pb_uint(&m, 2, 1);
	pb_uint(&sub, 1, 1);
	pb_uint(&sub, 2, 10);
	pb_msg(&m, 4, &sub);
	pb_uint(&sub, 1, 2);
	pb_uint(&sub, 2, 20);
	pb_msg(&m, 4, &sub);
	pb_msg(out, 4, &m);
	pb_uint(&m, 1, 2);	/* location 2: root */
	pb_uint(&m, 2, 1);
	pb_uint(&sub, 1, 3);
	pb_msg(&m, 4, &sub);
	pb_msg(out, 4, &m);
	pb_uint(&m, 1, 3);	/* location 3: mid */
	pb_uint(&m, 2, 1);
	pb_uint(&sub, 1, 2);
	pb_msg(&m, 4, &sub);
	pb_msg(out, 4, &m);
	for (i = 1; i <= 3; i++) {
		pb_uint(&m, 1, i);
		pb_uint(&m, 2, 2 + i);
		pb_uint(&m, 4, 6);
		pb_msg(out, 5, &m);
	}
	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		pb_bytes(out, 6, strings[i], strlen(strings[i]));
	pb_uint(out, 9, 1700000000000000000ULL);	/* time_nanos */
	pb_uint(out, 10, 5000000000ULL);		/* duration_nanos */
	pb_uint(&m, 1, 8);				/* period type: space, bytes */
	pb_uint(&m, 2, 2);
	pb_msg(out, 11, &m);
	pb_uint(out, 12, 524288);			/* period */
	strbuf_release(&m);
	strbuf_release(&sub);
}

/* ---- running snippets ---- */

static lua_State *new_state(size_t max_memory)
{
	struct sandbox_limits lim;
	struct strbuf err = STRBUF_INIT;
	lua_State *L;

	sandbox_limits_init(&lim);
	if (max_memory)
		lim.max_memory = max_memory;
	L = sandbox_new(&lim, &err);
	if (!L) {
		fprintf(stderr, "sandbox_new: %s\n", strbuf_str(&err));
		exit(1);
	}
	strbuf_release(&err);
	if (sandbox_register_module(L, "triage.profile", luaopen_triage_profile) < 0) {
		fprintf(stderr, "cannot register triage.profile\n");
		exit(1);
	}
	return L;
}

static void expose(lua_State *L, const char *global, const struct strbuf *data, const char *name)
{
	CHECK(lua_profile_push(L, (const unsigned char *)strbuf_str(data), data->len, name) == 0,
	      "push %s", name);
	CHECK(lua_type(L, -1) == LUA_TUSERDATA, "push %s leaves a userdata", name);
	CHECK(sandbox_env_set(L, 0, global) == 0, "expose %s", global);
}

/* Runs code; returns the status and leaves the message (if any) in err. */
static enum sandbox_status run_status(lua_State *L, int line, const char *code, struct strbuf *err)
{
	char name[64];
	int top = lua_gettop(L);
	enum sandbox_status st;

	snprintf(name, sizeof(name), "line%d.lua", line);
	strbuf_reset(err);
	if (sandbox_load_buffer(L, code, strlen(code), name, 0, err) < 0)
		return SANDBOX_ERROR;
	st = sandbox_pcall(L, 0, 0, err);
	CHECK(lua_gettop(L) == top, "line %d: stack left at %d, not %d", line, lua_gettop(L), top);
	lua_settop(L, top);
	return st;
}

static void run_ok_at(lua_State *L, int line, const char *code)
{
	struct strbuf err = STRBUF_INIT;
	enum sandbox_status st = run_status(L, line, code, &err);

	CHECK(st == SANDBOX_OK, "line %d: %s: %s", line, sandbox_status_name(st), strbuf_str(&err));
	strbuf_release(&err);
}

static void run_fail_at(lua_State *L, int line, const char *code, const char *needle)
{
	struct strbuf err = STRBUF_INIT;
	enum sandbox_status st = run_status(L, line, code, &err);

	CHECK(st == SANDBOX_ERROR, "line %d: expected an error, got %s (%s)", line,
	      sandbox_status_name(st), strbuf_str(&err));
	CHECK(strstr(strbuf_str(&err), needle), "line %d: error '%s' lacks '%s'", line,
	      strbuf_str(&err), needle);
	strbuf_release(&err);
}

#define run_ok(L, code) run_ok_at(L, __LINE__, code)
#define run_fail(L, code, needle) run_fail_at(L, __LINE__, code, needle)

/* A helper every snippet can use: rows as "name:flat:cum,..." */
static const char *const prelude =
	"local function rows(t)\n"
	"  local out = {}\n"
	"  for i, r in ipairs(t) do out[i] = r.name .. ':' .. r.flat .. ':' .. r.cum end\n"
	"  return table.concat(out, ',')\n"
	"end\n";

static void run_with_rows_at(lua_State *L, int line, const char *code)
{
	struct strbuf all = STRBUF_INIT;

	strbuf_addstr(&all, prelude);
	strbuf_addstr(&all, code);
	run_ok_at(L, line, all.buf);
	strbuf_release(&all);
}

#define run_rows(L, code) run_with_rows_at(L, __LINE__, code)

/* ---- the tests ---- */

static void test_tiny(void)
{
	struct strbuf tiny = STRBUF_INIT, twice = STRBUF_INIT, inuse = STRBUF_INIT, bad = STRBUF_INIT;
	lua_State *L = new_state(0);

	build_tiny(&tiny, "alloc_space", 1);
	build_tiny(&twice, "alloc_space", 2);
	build_tiny(&inuse, "inuse_space", 1);
	strbuf_addstr(&bad, "this is not a profile at all\n");
	expose(L, "P", &tiny, "tiny.pb");
	expose(L, "P2", &twice, "twice.pb");
	expose(L, "Q", &inuse, "inuse.pb");
	expose(L, "BAD", &bad, "profiles/bad.pb.gz");

	run_ok(L,
	       "local profile = require('triage.profile')\n"
	       "assert(profile.is_profile(P) and profile.is_profile(BAD))\n"
	       "assert(not profile.is_profile({}) and not profile.is_profile('x') and not profile.is_profile(nil))\n"
	       "assert(not profile.is_profile(profile))\n"
	       "assert(P:ok() == true)\n"
	       "assert(P:name() == 'tiny.pb')\n"
	       "assert(tostring(P) == 'triage.profile: tiny.pb (alloc_space, 4 samples)', tostring(P))\n"
	       "local st = P:sample_types()\n"
	       "assert(#st == 1 and st[1].type == 'alloc_space' and st[1].unit == 'bytes')\n"
	       "assert(P:default_sample() == 'alloc_space')\n"
	       "assert(P:total() == 22 and P:total('alloc_space') == 22)\n"
	       "assert(P2:total() == 44)\n"
	       "assert(math.type(P:total()) == 'integer')\n"
	       "assert(P:count() == 4)\n"
	       "assert(P:period() == 524288)\n"
	       "assert(P:duration_nanos() == 5000000000)\n"
	       "assert(P:time_nanos() == 1700000000000000000)\n");

	/* the -top table, as go tool pprof orders it */
	run_rows(L,
		 "local r = rows(P:top{})\n"
		 "assert(r == 'main.leaf:10:15,main.root:7:22,main.mid:5:15', r)\n"
		 "r = rows(P:top())\n"
		 "assert(r == 'main.leaf:10:15,main.root:7:22,main.mid:5:15', r)\n"
		 "r = rows(P:top{cum = true})\n"
		 "assert(r == 'main.root:7:22,main.leaf:10:15,main.mid:5:15', r)\n"
		 "r = rows(P:top{n = 1})\n"
		 "assert(r == 'main.leaf:10:15', r)\n"
		 "r = rows(P:top{n = 2, cum = true})\n"
		 "assert(r == 'main.root:7:22,main.leaf:10:15', r)\n"
		 "r = rows(P:top{n = 0, cum = false, sample = 'alloc_space', by = 'function'})\n"
		 "assert(r == 'main.leaf:10:15,main.root:7:22,main.mid:5:15', r)\n"
		 /* served from the cache after the re-sorts above: still right */
		 "r = rows(P:top{})\n"
		 "assert(r == 'main.leaf:10:15,main.root:7:22,main.mid:5:15', r)\n"
		 "r = rows(P:top{by = 'package'})\n"
		 "assert(r == 'main:22:22', r)\n"
		 "r = rows(P:top{by = 'module', modules = {'main'}})\n"
		 "assert(r == 'main:22:22', r)\n"
		 "r = rows(P:top{by = 'module'})\n"
		 "assert(r == 'main:22:22', r)\n"
		 "r = rows(P:by_module({'example.com/other', 'main'}))\n"
		 "assert(r == 'main:22:22', r)\n"
		 "r = rows(P:by_module({}, 'alloc_space'))\n"
		 "assert(r == 'main:22:22', r)\n"
		 /* diffs: against itself nothing is left; twice minus once is once */
		 "assert(#P:top{base = P} == 0)\n"
		 "assert(#P:top{base = P, by = 'package'} == 0)\n"
		 "r = rows(P2:top{base = P})\n"
		 "assert(r == 'main.leaf:10:15,main.root:7:22,main.mid:5:15', r)\n"
		 "r = rows(P:top{base = P2, cum = true})\n"
		 "assert(r == 'main.root:-7:-22,main.leaf:-10:-15,main.mid:-5:-15', r)\n"
		 "r = rows(P2:top{base = P, by = 'module', modules = {'main'}})\n"
		 "assert(r == 'main:22:22', r)\n"
		 /* the cached tables survive being used as a base */
		 "r = rows(P2:top{})\n"
		 "assert(r == 'main.leaf:20:30,main.root:14:44,main.mid:10:30', r)\n");

	/* library signatures */
	run_ok(L,
	       "local v, n = P:cum_matching('main.mid')\n"
	       "assert(v == 15 and n == 2, v .. ' ' .. n)\n"
	       "v, n = P:cum_matching('main.')\n"
	       "assert(v == 22 and n == 3, v .. ' ' .. n)\n"
	       "v, n = P:cum_matching('(*persistConn).readLoop')\n"
	       "assert(v == 0 and n == 0)\n"
	       "v, n = P:cum_matching('leaf', 'alloc_space')\n"
	       "assert(v == 15 and n == 2)\n"
	       "v, n = P:flat_matching('main.leaf')\n"
	       "assert(v == 10 and n == 1, v .. ' ' .. n)\n"
	       "v, n = P:flat_matching('main.mid')\n"
	       "assert(v == 5 and n == 1, v .. ' ' .. n)\n"
	       "v, n = P:flat_matching('main.root')\n"
	       "assert(v == 7 and n == 1, v .. ' ' .. n)\n"
	       "v, n = P:flat_matching('main.')\n"
	       "assert(v == 22 and n == 3)\n"
	       "v, n = P2:cum_matching('main.mid')\n"
	       "assert(v == 30 and n == 2)\n"
	       /* owners: innermost owned frame; callers: innermost owned frame above a match */
	       "local own, total = P:owners({'main'})\n"
	       "assert(total == 22 and #own == 1 and own[1].name == 'main' and own[1].value == 22, total)\n"
	       "local c, ct = P:callers('main.leaf', {'main'})\n"
	       "assert(ct == 15 and #c == 1 and c[1].name == 'main.mid' and c[1].value == 15 and c[1].samples == 2,\n"
	       "       tostring(ct) .. ' ' .. tostring(c[1] and c[1].name))\n"
	       "c, ct = P:callers('main.root', {'main'})\n"
	       "assert(ct == 0 and #c == 0)\n"
	       "c, ct = P:callers('main.leaf', {'example.com/other'})\n"
	       "assert(ct == 0 and #c == 0)\n");

	/* an unusable profile: ok() says why, everything else raises */
	run_ok(L,
	       "local ok, msg = BAD:ok()\n"
	       "assert(ok == false)\n"
	       "assert(msg:find('neither gzip nor pprof protobuf', 1, true), msg)\n"
	       "assert(BAD:name() == 'profiles/bad.pb.gz')\n"
	       "assert(tostring(BAD):find('triage.profile: profiles/bad.pb.gz (unusable: ', 1, true), tostring(BAD))\n"
	       "local ok2, err = pcall(BAD.top, BAD, {})\n"
	       "assert(not ok2 and err:find(\"profile 'profiles/bad.pb.gz' is unusable: \", 1, true), err)\n");
	run_fail(L, "return BAD:top{}",
		 "profile 'profiles/bad.pb.gz' is unusable: cannot decode profile 'profiles/bad.pb.gz': neither gzip nor pprof protobuf");
	run_fail(L, "return BAD:total()", "is unusable");
	run_fail(L, "return BAD:count()", "is unusable");
	run_fail(L, "return P:top{base = BAD}", "profile 'profiles/bad.pb.gz' is unusable");

	/* type confusion: only a real profile is ever taken for one */
	run_ok(L, "assert(getmetatable(P) == false)\n");
	run_fail(L, "return P.top({})", "top: self must be a triage.profile, got table");
	run_fail(L, "return P.total('alloc_space')", "total: self must be a triage.profile, got string");
	run_fail(L, "local f = P.cum_matching; return f(nil, 'x')",
		 "cum_matching: self must be a triage.profile, got nil");
	run_fail(L, "return P.ok(require('triage.profile'))", "ok: self must be a triage.profile, got table");
	run_fail(L, "return P:top{base = {}}", "top: option 'base' must be a triage.profile, got table");
	run_fail(L, "return P:top{base = 'tiny.pb'}", "top: option 'base' must be a triage.profile, got string");
	run_fail(L, "getmetatable(P).__index = nil", "attempt to index a boolean value");
	run_fail(L, "setmetatable(P, {})", "table expected, got triage.profile");

	/* arguments and options */
	run_fail(L, "return P:top{bogus = 1}", "top: unknown option 'bogus'");
	run_fail(L, "return P:top{20}", "top: unknown option (a number key)");
	run_fail(L, "return P:top('function')", "top: options must be a table, got string");
	run_fail(L, "return P:top{n = -1}", "top: option 'n' must be a non-negative integer, got -1");
	run_fail(L, "return P:top{n = 1.5}", "top: option 'n' must be a non-negative integer, got 1.5");
	run_fail(L, "return P:top{n = '3'}", "top: option 'n' must be a non-negative integer, got string");
	run_fail(L, "return P:top{by = 'file'}", "top: option 'by' must be \"function\", \"package\" or \"module\", got 'file'");
	run_fail(L, "return P:top{by = 1}", "option 'by' must be \"function\", \"package\" or \"module\", got number");
	run_fail(L, "return P:top{cum = 1}", "top: option 'cum' must be a boolean, got number");
	run_fail(L, "return P:top{sample = 'inuse_space'}",
		 "top: profile 'tiny.pb' has no sample type 'inuse_space' (it has alloc_space)");
	run_fail(L, "return P:top{sample = {}}", "top: option 'sample' must be a sample type name, got table");
	run_fail(L, "return P:top{modules = {'main'}}", "top: option 'modules' needs by=\"module\"");
	run_fail(L, "return P:top{by = 'module', modules = 'main'}",
		 "top: option 'modules' must be a list of module paths, got string");
	run_fail(L, "return P:top{by = 'module', modules = {'main', 3}}",
		 "top: option 'modules' must be a list of module paths (item 2 is a number)");
	run_fail(L, "local m = {} for i = 1, 1025 do m[i] = 'x' .. i end return P:by_module(m)",
		 "by_module: modules lists 1025 modules, more than 1024");
	run_fail(L, "return P:top{base = Q}", "top: base profile 'inuse.pb' has no sample type 'alloc_space'");
	run_fail(L, "return P:total('nope')", "total: profile 'tiny.pb' has no sample type 'nope'");
	run_fail(L, "return P:total(true)", "total: sample must be a sample type name, got boolean");
	run_fail(L, "return P:cum_matching()", "cum_matching: substring must be a string, got no value");
	run_fail(L, "return P:flat_matching({})", "flat_matching: substring must be a string, got table");
	run_fail(L, "return P:flat_matching('x', 'nope')", "flat_matching: profile 'tiny.pb' has no sample type 'nope'");
	run_fail(L, "return P:by_module()", "by_module: modules must be a list of module paths, got no value");
	run_fail(L, "return P:by_module({'main'}, 'inuse_space')", "by_module: profile 'tiny.pb' has no sample type");
	/* after all those errors, the profile still answers */
	run_rows(L,
		 "local r = rows(P:top{n = 1})\n"
		 "assert(r == 'main.leaf:10:15', r)\n");

	/* a profile nobody refers to any more is collected (valgrind checks the frees) */
	CHECK(lua_profile_push(L, (const unsigned char *)tiny.buf, tiny.len, "dropped.pb") == 0, "push");
	lua_pop(L, 1);
	lua_gc(L, LUA_GCCOLLECT);

	sandbox_close(L);
	strbuf_release(&tiny);
	strbuf_release(&twice);
	strbuf_release(&inuse);
	strbuf_release(&bad);
}

static int read_prometheus(struct strbuf *out)
{
	const char *src = getenv("SRCDIR");
	char path[4096];

	snprintf(path, sizeof(path), "%s/bundles/prometheus-heap.pb.gz", src && *src ? src : TRIAGE_SOURCE_DIR);
	if (strbuf_read_file(out, path, 16 << 20) < 0) {
		perror(path);
		return -1;
	}
	return 0;
}

static void test_prometheus(void)
{
	struct strbuf heap = STRBUF_INIT, err = STRBUF_INIT;
	lua_State *L;

	if (read_prometheus(&heap) < 0) {
		failures++;
		return;
	}
	L = new_state(0);
	expose(L, "H", &heap, "profiles/heap.pb.gz");
	run_ok(L,
	       "assert(H:ok())\n"
	       "local types = {}\n"
	       "for i, t in ipairs(H:sample_types()) do types[i] = t.type .. '/' .. t.unit end\n"
	       "types = table.concat(types, ',')\n"
	       "assert(types == 'alloc_objects/count,alloc_space/bytes,inuse_objects/count,inuse_space/bytes', types)\n"
	       "assert(H:default_sample() == 'inuse_space')\n"
	       "local s = tostring(H)\n"
	       "assert(s == 'triage.profile: profiles/heap.pb.gz (inuse_space, ' .. H:count() .. ' samples)', s)\n"
	       "assert(H:count() > 10)\n"
	       "assert(H:period() == 524288, H:period())\n"
	       "assert(H:total() == H:total('inuse_space'))\n"
	       "assert(H:total('alloc_space') >= H:total())\n");
	/* the numbers agree with each other */
	run_ok(L,
	       "for _, sample in ipairs{'inuse_space', 'alloc_space', 'alloc_objects'} do\n"
	       "  local total = H:total(sample)\n"
	       "  local all = H:top{sample = sample, n = 0}\n"
	       "  local flat, prev = 0, math.huge\n"
	       "  for _, r in ipairs(all) do\n"
	       "    flat = flat + r.flat\n"
	       "    assert(r.flat <= prev, 'flat order')\n"
	       "    prev = r.flat\n"
	       "    assert(r.cum >= r.flat and r.cum <= total)\n"
	       "  end\n"
	       "  assert(flat == total, sample .. ': flat sums to ' .. flat .. ', total ' .. total)\n"
	       "  local top = H:top{sample = sample}\n"
	       "  assert(#top == math.min(20, #all))\n"
	       "  for i = 1, #top do assert(top[i].name == all[i].name) end\n"
	       "  local pkg = 0\n"
	       "  for _, r in ipairs(H:top{sample = sample, by = 'package', n = 0}) do pkg = pkg + r.flat end\n"
	       "  assert(pkg == total)\n"
	       "  prev = math.huge\n"
	       "  for _, r in ipairs(H:top{sample = sample, cum = true, n = 0}) do\n"
	       "    assert(r.cum <= prev, 'cum order')\n"
	       "    prev = r.cum\n"
	       "  end\n"
	       "  assert(#H:top{sample = sample, base = H} == 0)\n"
	       /* matching a name no other contains gives exactly its row */
	       "  local checked = 0\n"
	       "  for i = 1, math.min(15, #all) do\n"
	       "    local name, unique = all[i].name, true\n"
	       "    for _, o in ipairs(all) do\n"
	       "      if o.name ~= name and o.name:find(name, 1, true) then unique = false break end\n"
	       "    end\n"
	       "    if unique then\n"
	       "      local cv = H:cum_matching(name, sample)\n"
	       "      local fv = H:flat_matching(name, sample)\n"
	       "      assert(cv == all[i].cum, name .. ': cum ' .. cv .. ' ~= ' .. all[i].cum)\n"
	       "      assert(fv == all[i].flat, name .. ': flat ' .. fv .. ' ~= ' .. all[i].flat)\n"
	       "      checked = checked + 1\n"
	       "    end\n"
	       "  end\n"
	       "  assert(checked >= 5, 'only ' .. checked .. ' unique names')\n"
	       "  local v, n = H:cum_matching('', sample)\n"
	       "  assert(v == total and n <= H:count())\n"
	       "end\n"
	       "local mods = H:by_module({'github.com/prometheus/prometheus', 'github.com/prometheus'})\n"
	       "local names, sum = {}, 0\n"
	       "for _, r in ipairs(mods) do names[r.name] = true; sum = sum + r.flat end\n"
	       "assert(names['github.com/prometheus/prometheus'] and names.runtime, 'modules')\n"
	       "assert(sum == H:total())\n"
	       "local rt = H:cum_matching('runtime.')\n"
	       "assert(rt > 0 and rt <= H:total())\n");

	/*
	 * A cap too small for every row: the memory error is raised while the
	 * result is half built, and nothing the userdata owns may leak.
	 */
	sandbox_close(L);
	L = new_state(96 << 10);
	expose(L, "H", &heap, "profiles/heap.pb.gz");
	{
		enum sandbox_status st = run_status(L, __LINE__,
			"local keep = {}\n"
			"for i = 1, 1000 do keep[i] = H:top{n = 0, sample = 'alloc_space'} end\n", &err);

		CHECK(st == SANDBOX_MEMORY_LIMIT, "small cap: %s: %s", sandbox_status_name(st), strbuf_str(&err));
	}
	run_ok(L, "assert(#H:top{n = 3} == 3)\n");
	sandbox_close(L);
	strbuf_release(&heap);
	strbuf_release(&err);
}

int main(void)
{
	test_tiny();
	test_prometheus();
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("unit-lua-profile: all checks passed\n");
	return 0;
}
