/*
 * The reporter handed to check(b, r): r:finding{...}, r:rule_out(...),
 * r:inconclusive(...). Every argument is validated before anything is
 * allocated, because luaL_error jumps out of the C frame.
 */
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/internal.h"

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
					     "evidence", "advice", "refs", "claims", "rung", NULL };
	struct reporter *rp = check_reporter(L);
	struct finding tmp, *f;
	enum severity sev;
	enum rung rung = rp->rule->rung;
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
	/*
	 * A generic rule (small objects, heap share, goroutine groups) places
	 * its finding on the rung of whoever owns the frames: the service's
	 * code is business, a dependency's is libraries.
	 */
	lua_getfield(L, 2, "rung");
	if (!lua_isnil(L, -1) &&
	    (lua_type(L, -1) != LUA_TSTRING || rung_parse(lua_tostring(L, -1), &rung) < 0))
		return luaL_error(L, "finding: 'rung' must be one of business, libraries, runtime, tooling, environment");
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
	check_strlist(L, 2, "finding", "claims");

	/* lists are read into a scratch finding; only then is the report touched */
	memset(&tmp, 0, sizeof(tmp));
	get_strlist(L, 2, "evidence", &tmp.evidence);
	get_strlist(L, 2, "advice", &tmp.advice);
	get_strlist(L, 2, "refs", &tmp.refs);
	get_strlist(L, 2, "claims", &tmp.claims);
	f = report_add_finding(rp->report);
	f->evidence = tmp.evidence;
	f->advice = tmp.advice;
	f->refs = tmp.refs;
	f->claims = tmp.claims;
	f->rule = xstrdup(rp->rule->id);
	f->rung = rung;
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

void register_reporter(lua_State *L)
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

