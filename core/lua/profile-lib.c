/*
 * The "triage.profile" Lua module (see lua-profile.h).
 *
 * Everything a method allocates with malloc (the decoded profile, the
 * aggregation tables, the decoder's message) is owned by the userdata and
 * freed by its __gc, so a Lua error raised halfway through a method (a bad
 * argument, the sandbox's memory cap while building the result) cannot
 * leak it. The few temporaries that are not are freed before anything
 * that can raise.
 */
#include "lua/profile-lib.h"
#include "profile/owner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "profile/aggregate.h"
#include "profile/profile.h"
#include "base/satmath.h"
#include "base/strbuf.h"

#define PROFILE_TYPE "triage.profile"
/* Aggregates kept per profile: a rule asks a handful of shapes, often twice. */
#define NR_SLOTS 4
/*
 * Grouping by module compares every function with every module in C, where
 * the instruction cap cannot see it; real module lists are short.
 */
#define MAX_MODULES 1024
#define DEFAULT_TOP 20

struct agg_slot {
	int used;
	size_t sample;
	enum agg_group group;
	char *modules;		/* AGG_MODULE: the module list, each NUL-terminated */
	size_t modules_len;
	int order;		/* -1 not sorted, else the by_cum last sorted with */
	struct agg_table t;
};

enum decode_state {
	PROFILE_PENDING,
	PROFILE_DECODED,
	PROFILE_UNUSABLE,
};

struct lua_profile {
	/* the caller's bytes, not ours: see lua_profile_push */
	const unsigned char *data;
	size_t len;
	enum decode_state state;
	struct profile p;
	struct strbuf error;	/* why the profile is unusable */
	struct agg_slot slots[NR_SLOTS];
	size_t next_slot;	/* evicted next, round robin */
	struct agg_table diff;	/* the last top{base=}, kept here so errors cannot leak it */
	/*
	 * An alias decodes nothing of its own: it is another profile's data
	 * with another default sample (a bundle's allocs profile derived from
	 * its heap profile, as net/http/pprof serves them). The target's
	 * userdata is the alias's second user value, so it outlives the alias.
	 */
	struct lua_profile *target;
	char default_sample[64];	/* sample type name, "" for the profile's own default */
};

/* The profile that holds the data: the alias's target, or itself. */
static struct lua_profile *origin(struct lua_profile *lp)
{
	return lp->target ? lp->target : lp;
}

/* A module list as the aggregator takes it, plus the cache key for it. */
struct module_list {
	const char **names;	/* point into Lua strings kept alive by the caller's table */
	size_t nr;
	const char *key;
	size_t key_len;
};

static void slot_clear(struct agg_slot *s)
{
	agg_table_release(&s->t);
	free(s->modules);
	memset(s, 0, sizeof(*s));
	agg_table_init(&s->t);
	s->order = -1;
}

/* The artifact name, kept as the userdata's user value. */
static const char *profile_name(lua_State *L, int idx)
{
	const char *name;

	lua_getiuservalue(L, idx, 1);
	name = lua_tostring(L, -1);
	/* still referenced by the userdata, so the pointer outlives the pop */
	lua_pop(L, 1);
	return name ? name : "?";
}

/*
 * Every method checks its self against the registered metatable, never by
 * a bare lua_touserdata: any userdata can be passed where a profile is
 * expected. The message names the method however it was called.
 */
static struct lua_profile *check_profile(lua_State *L, const char *method)
{
	struct lua_profile *lp = luaL_testudata(L, 1, PROFILE_TYPE);

	if (!lp)
		luaL_error(L, "%s: self must be a triage.profile, got %s (call it as p:%s(...))",
			   method, luaL_typename(L, 1), method);
	return lp;
}

/* Decodes on first use; 0 if the profile is usable. Never raises. */
static int ensure_decoded(lua_State *L, struct lua_profile *lp, int idx)
{
	struct profile_options opt = { 0 };

	lp = origin(lp);
	if (lp->state == PROFILE_PENDING) {
		/* no method looks at labels, and they are a large part of a heap profile */
		opt.skip_labels = 1;
		if (profile_read_mem(&lp->p, lp->data, lp->len, profile_name(L, idx), &opt,
				     &lp->error) < 0) {
			profile_release(&lp->p);
			lp->state = PROFILE_UNUSABLE;
		} else {
			lp->state = PROFILE_DECODED;
		}
	}
	return lp->state == PROFILE_DECODED ? 0 : -1;
}

static const struct profile *need_decoded(lua_State *L, struct lua_profile *lp, int idx)
{
	if (ensure_decoded(L, lp, idx) < 0)
		luaL_error(L, "profile '%s' is unusable: %s", profile_name(L, idx),
			   strbuf_str(&origin(lp)->error));
	return &origin(lp)->p;
}

static const char *sample_type_name(const struct profile *p, size_t i)
{
	return profile_str(p, p->sample_types[i].type);
}

/* The default sample of the profile at self: an alias's own, else the profile's. */
static size_t default_index(lua_State *L, int self, const struct profile *p)
{
	struct lua_profile *lp = luaL_testudata(L, self, PROFILE_TYPE);

	int i;

	if (lp && lp->default_sample[0] && (i = profile_sample_index(p, lp->default_sample)) >= 0)
		return (size_t)i;
	return profile_default_sample_index(p);
}

/*
 * The sample type named by the value at idx (nil: the profile's default).
 * what says where it came from in messages ("sample", "option 'sample'").
 */
static size_t check_sample(lua_State *L, int self, const struct profile *p, int idx,
			   const char *method, const char *what)
{
	luaL_Buffer b;
	size_t i;
	int found;

	if (!p->nr_sample_types)
		luaL_error(L, "%s: profile '%s' has no sample types", method, profile_name(L, self));
	if (lua_isnoneornil(L, idx))
		return default_index(L, self, p);
	if (lua_type(L, idx) != LUA_TSTRING)
		luaL_error(L, "%s: %s must be a sample type name, got %s", method, what,
			   luaL_typename(L, idx));
	found = profile_sample_index(p, lua_tostring(L, idx));
	if (found >= 0)
		return (size_t)found;
	/* naming the alternatives saves a rule author a round trip */
	idx = lua_absindex(L, idx);
	luaL_buffinit(L, &b);
	for (i = 0; i < p->nr_sample_types; i++) {
		if (i)
			luaL_addstring(&b, ", ");
		luaL_addstring(&b, sample_type_name(p, i));
	}
	luaL_pushresult(&b);
	luaL_error(L, "%s: profile '%s' has no sample type '%s' (it has %s)", method,
		   profile_name(L, self), lua_tostring(L, idx), lua_tostring(L, -1));
	return 0;
}

/*
 * Reads the list of module paths at idx and pushes two values that keep
 * ml's memory alive: the pointer array and the cache key. The strings
 * themselves stay in the caller's table, which must stay on the stack.
 */
static void check_modules(lua_State *L, int idx, const char *method, const char *what,
			  struct module_list *ml)
{
	luaL_Buffer b;
	size_t i, n;

	idx = lua_absindex(L, idx);
	if (!lua_istable(L, idx))
		luaL_error(L, "%s: %s must be a list of module paths, got %s", method, what,
			   luaL_typename(L, idx));
	n = lua_rawlen(L, idx);
	if (n > MAX_MODULES)
		luaL_error(L, "%s: %s lists %I modules, more than %d", method, what,
			   (lua_Integer)n, MAX_MODULES);
	ml->names = lua_newuserdatauv(L, (n ? n : 1) * sizeof(*ml->names), 0);
	ml->nr = n;
	luaL_buffinit(L, &b);
	for (i = 0; i < n; i++) {
		const char *s;

		if (lua_rawgeti(L, idx, (lua_Integer)i + 1) != LUA_TSTRING)
			luaL_error(L, "%s: %s must be a list of module paths (item %I is a %s)",
				   method, what, (lua_Integer)i + 1, luaL_typename(L, -1));
		s = lua_tostring(L, -1);
		/* the buffer must be on top when added to; the table keeps s alive */
		lua_pop(L, 1);
		ml->names[i] = s;
		/* NUL-terminated entries: what the aggregator will see, unambiguously */
		luaL_addlstring(&b, s, strlen(s) + 1);
	}
	luaL_pushresult(&b);
	ml->key = lua_tolstring(L, -1, &ml->key_len);
}

static int slot_matches(const struct agg_slot *s, size_t sample, enum agg_group group,
			const struct module_list *ml)
{
	if (!s->used || s->sample != sample || s->group != group)
		return 0;
	if (group != AGG_MODULE)
		return 1;
	/* memcmp must not see the NULL key of an empty list */
	return s->modules_len == ml->key_len &&
	       (!ml->key_len || !memcmp(s->modules, ml->key, ml->key_len));
}

static void aggregate_or_die(lua_State *L, const struct profile *p, const struct agg_options *o,
			     struct agg_table *t, const char *method)
{
	struct strbuf err = STRBUF_INIT;
	char msg[256];

	if (!profile_aggregate(p, o, t, &err))
		return;
	/* free before raising: luaL_error does not return */
	snprintf(msg, sizeof(msg), "%s", strbuf_str(&err));
	strbuf_release(&err);
	agg_table_release(t);
	luaL_error(L, "%s: %s", method, msg);
}

static void fill_options(struct agg_options *o, size_t sample, enum agg_group group,
			 const struct module_list *ml)
{
	memset(o, 0, sizeof(*o));
	o->sample_index = sample;
	o->group = group;
	if (group == AGG_MODULE) {
		o->modules = ml->names;
		o->nr_modules = ml->nr;
	}
}

/* The aggregate of the decoded profile lp, from the cache or computed into it. */
static struct agg_slot *cached_aggregate(lua_State *L, struct lua_profile *lp, size_t sample,
					  enum agg_group group, const struct module_list *ml,
					  const char *method)
{
	struct agg_options o;
	struct agg_slot *s;
	size_t i;

	for (i = 0; i < NR_SLOTS; i++)
		if (slot_matches(&lp->slots[i], sample, group, ml))
			return &lp->slots[i];
	s = &lp->slots[lp->next_slot];
	lp->next_slot = (lp->next_slot + 1) % NR_SLOTS;
	slot_clear(s);
	fill_options(&o, sample, group, ml);
	aggregate_or_die(L, &origin(lp)->p, &o, &s->t, method);
	/* rows pprof would never show; dropping them once keeps every later sort cheaper */
	agg_table_drop_empty(&s->t);
	if (group == AGG_MODULE) {
		s->modules = xmalloc(ml->key_len ? ml->key_len : 1);
		if (ml->key_len)
			memcpy(s->modules, ml->key, ml->key_len);
		s->modules_len = ml->key_len;
	}
	s->sample = sample;
	s->group = group;
	s->used = 1;
	return s;
}

/* Pushes the first n rows (0: all) as { {name=, flat=, cum=}, ... }. */
static void push_rows(lua_State *L, const struct agg_table *t, size_t n)
{
	size_t i;

	if (!n || n > t->nr)
		n = t->nr;
	lua_createtable(L, (int)(n < INT32_MAX ? n : INT32_MAX), 0);
	for (i = 0; i < n; i++) {
		const struct agg_row *r = &t->rows[i];

		lua_createtable(L, 0, 3);
		lua_pushstring(L, agg_row_name(t, r));
		lua_setfield(L, -2, "name");
		lua_pushinteger(L, (lua_Integer)r->flat);
		lua_setfield(L, -2, "flat");
		lua_pushinteger(L, (lua_Integer)r->cum);
		lua_setfield(L, -2, "cum");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
}

struct top_request {
	size_t sample;
	enum agg_group group;
	struct module_list modules;
	size_t n;
	int by_cum;
	int base;		/* stack index of the base profile, 0 for none */
};

/* The rows of self (at stack index 1) for req, pushed as a Lua array. */
static void push_top(lua_State *L, struct lua_profile *lp, const struct top_request *req,
		     const char *method)
{
	struct agg_table *t;

	if (!req->base) {
		struct agg_slot *s = cached_aggregate(L, lp, req->sample, req->group,
						      &req->modules, method);

		t = &s->t;
		if (s->order != req->by_cum) {
			agg_table_sort(t, req->by_cum);
			s->order = req->by_cum;
		}
	} else {
		struct lua_profile *blp = lua_touserdata(L, req->base);
		const struct profile *bp = need_decoded(L, blp, req->base);
		const char *type = sample_type_name(&origin(lp)->p, req->sample);
		struct agg_table *bt;
		struct agg_options o;
		struct strbuf err = STRBUF_INIT;
		char msg[256];
		int bsample = profile_sample_index(bp, type);

		/* by name only: a number would pick whatever type sits there */
		if (bsample < 0 || strcmp(sample_type_name(bp, (size_t)bsample), type))
			luaL_error(L, "%s: base profile '%s' has no sample type '%s'", method,
				   profile_name(L, req->base), type);
		bt = &cached_aggregate(L, blp, (size_t)bsample, req->group, &req->modules, method)->t;
		/* subtracting needs a fresh, unsorted table of our own */
		agg_table_release(&lp->diff);
		fill_options(&o, req->sample, req->group, &req->modules);
		aggregate_or_die(L, &origin(lp)->p, &o, &lp->diff, method);
		if (agg_table_subtract(&lp->diff, bt, &err) < 0) {
			snprintf(msg, sizeof(msg), "%s", strbuf_str(&err));
			strbuf_release(&err);
			luaL_error(L, "%s: %s", method, msg);
		}
		agg_table_drop_empty(&lp->diff);
		agg_table_sort(&lp->diff, req->by_cum);
		t = &lp->diff;
	}
	push_rows(L, t, req->n);
}

/* Looks up key in the options table at idx without metamethods. */
static int get_option(lua_State *L, int idx, const char *key)
{
	lua_pushstring(L, key);
	return lua_rawget(L, idx);
}

static const char *const top_options[] = { "sample", "by", "modules", "n", "cum", "base", NULL };

/* Parses p:top's options table at idx into req; leaves helper values on the stack. */
static void check_top_options(lua_State *L, const struct profile *p, int idx,
			      struct top_request *req)
{
	static const char *const group_names[] = { "function", "package", "module", NULL };
	static const enum agg_group groups[] = { AGG_FUNCTION, AGG_PACKAGE, AGG_MODULE };
	const char *m = "top";
	int i, t;

	memset(req, 0, sizeof(*req));
	req->n = DEFAULT_TOP;
	if (lua_isnoneornil(L, idx)) {
		req->sample = check_sample(L, 1, p, idx, m, "option 'sample'");
		return;
	}
	if (!lua_istable(L, idx))
		luaL_error(L, "top: options must be a table, got %s", luaL_typename(L, idx));
	idx = lua_absindex(L, idx);

	/* a misspelt option silently ignored would answer a different question */
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "top: unknown option (a %s key)", luaL_typename(L, -1));
		for (i = 0; top_options[i]; i++)
			if (!strcmp(lua_tostring(L, -1), top_options[i]))
				break;
		if (!top_options[i])
			luaL_error(L, "top: unknown option '%s'", lua_tostring(L, -1));
	}

	get_option(L, idx, "sample");
	req->sample = check_sample(L, 1, p, -1, m, "option 'sample'");
	lua_pop(L, 1);

	t = get_option(L, idx, "by");
	if (t == LUA_TSTRING) {
		for (i = 0; group_names[i]; i++)
			if (!strcmp(lua_tostring(L, -1), group_names[i]))
				break;
		if (!group_names[i])
			luaL_error(L, "top: option 'by' must be \"function\", \"package\" or \"module\", got '%s'",
				   lua_tostring(L, -1));
		req->group = groups[i];
	} else if (t != LUA_TNIL) {
		luaL_error(L, "top: option 'by' must be \"function\", \"package\" or \"module\", got %s",
			   luaL_typename(L, -1));
	}
	lua_pop(L, 1);

	if (get_option(L, idx, "modules") != LUA_TNIL) {
		if (req->group != AGG_MODULE)
			luaL_error(L, "top: option 'modules' needs by=\"module\"");
		/* its two helper values stay on the stack while req is used */
		check_modules(L, -1, m, "option 'modules'", &req->modules);
	} else {
		lua_pop(L, 1);
	}

	if (get_option(L, idx, "n") != LUA_TNIL) {
		int isint = 0;
		lua_Integer n = 0;

		/* a number, not a string that looks like one */
		if (lua_type(L, -1) == LUA_TNUMBER)
			n = lua_tointegerx(L, -1, &isint);

		if (!isint || n < 0)
			luaL_error(L, "top: option 'n' must be a non-negative integer, got %s",
				   lua_type(L, -1) == LUA_TNUMBER ? lua_tostring(L, -1) :
				   luaL_typename(L, -1));
		req->n = (size_t)n;
	}
	lua_pop(L, 1);

	t = get_option(L, idx, "cum");
	if (t != LUA_TNIL && t != LUA_TBOOLEAN)
		luaL_error(L, "top: option 'cum' must be a boolean, got %s", luaL_typename(L, -1));
	req->by_cum = lua_toboolean(L, -1);
	lua_pop(L, 1);

	/* left on the stack: req->base refers to it */
	if (get_option(L, idx, "base") != LUA_TNIL) {
		if (!luaL_testudata(L, -1, PROFILE_TYPE))
			luaL_error(L, "top: option 'base' must be a triage.profile, got %s",
				   luaL_typename(L, -1));
		req->base = lua_gettop(L);
	}
}

/* ---- methods ---- */

static int l_ok(lua_State *L)
{
	struct lua_profile *lp = check_profile(L, "ok");

	if (!ensure_decoded(L, lp, 1)) {
		lua_pushboolean(L, 1);
		return 1;
	}
	lua_pushboolean(L, 0);
	lua_pushstring(L, strbuf_str(&origin(lp)->error));
	return 2;
}

static int l_name(lua_State *L)
{
	check_profile(L, "name");
	lua_getiuservalue(L, 1, 1);
	return 1;
}

static int l_sample_types(lua_State *L)
{
	struct lua_profile *lp = check_profile(L, "sample_types");
	const struct profile *p = need_decoded(L, lp, 1);
	size_t i;

	lua_createtable(L, (int)(p->nr_sample_types < INT32_MAX ? p->nr_sample_types : INT32_MAX), 0);
	for (i = 0; i < p->nr_sample_types; i++) {
		lua_createtable(L, 0, 2);
		lua_pushstring(L, profile_str(p, p->sample_types[i].type));
		lua_setfield(L, -2, "type");
		lua_pushstring(L, profile_str(p, p->sample_types[i].unit));
		lua_setfield(L, -2, "unit");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

static int l_default_sample(lua_State *L)
{
	struct lua_profile *lp = check_profile(L, "default_sample");
	const struct profile *p = need_decoded(L, lp, 1);

	if (!p->nr_sample_types)
		lua_pushnil(L);
	else
		lua_pushstring(L, sample_type_name(p, default_index(L, 1, p)));
	return 1;
}

static int l_total(lua_State *L)
{
	struct lua_profile *lp = check_profile(L, "total");
	const struct profile *p = need_decoded(L, lp, 1);
	size_t s, idx = check_sample(L, 1, p, 2, "total", "sample");
	int64_t total = 0;

	for (s = 0; s < p->nr_samples; s++) {
		int64_t w = profile_value(p, s, idx);

		total = sat_add64(total, sat_abs64(w, NULL), NULL);
	}
	lua_pushinteger(L, (lua_Integer)total);
	return 1;
}

/* p:count(), p:period(), ...: one integer of the decoded profile each. */
#define INT_GETTER(method, expr)						\
	static int l_##method(lua_State *L)				\
	{								\
		struct lua_profile *lp = check_profile(L, #method);	\
		const struct profile *p = need_decoded(L, lp, 1);	\
									\
		lua_pushinteger(L, (lua_Integer)(expr));		\
		return 1;						\
	}
INT_GETTER(count, p->nr_samples)
INT_GETTER(period, p->period)
INT_GETTER(duration_nanos, p->duration_nanos)
INT_GETTER(time_nanos, p->time_nanos)
#undef INT_GETTER

static int l_top(lua_State *L)
{
	struct lua_profile *lp = check_profile(L, "top");
	const struct profile *p = need_decoded(L, lp, 1);
	struct top_request req;

	check_top_options(L, p, 2, &req);
	push_top(L, lp, &req, "top");
	return 1;
}

static int l_by_module(lua_State *L)
{
	struct lua_profile *lp = check_profile(L, "by_module");
	const struct profile *p = need_decoded(L, lp, 1);
	struct top_request req;

	memset(&req, 0, sizeof(req));
	req.sample = check_sample(L, 1, p, 3, "by_module", "sample");
	req.group = AGG_MODULE;
	check_modules(L, 2, "by_module", "modules", &req.modules);
	push_top(L, lp, &req, "by_module");
	return 1;
}

/*
 * The owner table lives in a userdata box until the result is built, so a
 * memory error while pushing rows (luaL_error jumps) cannot leak it.
 */
#define OWNER_BOX "triage.owner_box"

static int owner_box_gc(lua_State *L)
{
	owner_table_release(luaL_checkudata(L, 1, OWNER_BOX));
	return 0;
}

static struct owner_table *push_owner_box(lua_State *L)
{
	struct owner_table *t = lua_newuserdatauv(L, sizeof(*t), 0);

	owner_table_init(t);
	if (luaL_newmetatable(L, OWNER_BOX)) {
		lua_pushcfunction(L, owner_box_gc);
		lua_setfield(L, -2, "__gc");
		lua_pushboolean(L, 0);
		lua_setfield(L, -2, "__metatable");
	}
	lua_setmetatable(L, -2);
	return t;
}

/* Pushes rows {name, value, samples} and the total: the results of owners and callers. */
static int push_owner_rows(lua_State *L, const struct owner_table *t)
{
	size_t i;

	lua_createtable(L, (int)t->nr, 0);
	for (i = 0; i < t->nr; i++) {
		lua_createtable(L, 0, 3);
		lua_pushstring(L, t->rows[i].name);
		lua_setfield(L, -2, "name");
		lua_pushinteger(L, (lua_Integer)t->rows[i].value);
		lua_setfield(L, -2, "value");
		lua_pushinteger(L, (lua_Integer)t->rows[i].samples);
		lua_setfield(L, -2, "samples");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_pushinteger(L, (lua_Integer)t->total);
	return 2;
}

/* The rows of an owner query, or its error raised (after the message is on the stack). */
static int owner_result(lua_State *L, struct owner_table *t, int rc, struct strbuf *err)
{
	if (rc < 0) {
		lua_pushstring(L, err->buf);
		strbuf_release(err);
		return lua_error(L);
	}
	return push_owner_rows(L, t);
}

/* p:owners(modules [, sample]) -> rows {name, value, samples} largest first, total */
static int l_owners(lua_State *L)
{
	struct lua_profile *lp = check_profile(L, "owners");
	const struct profile *p = need_decoded(L, lp, 1);
	struct module_list ml;
	struct owner_table *t;
	struct strbuf err = STRBUF_INIT;
	size_t sample;

	memset(&ml, 0, sizeof(ml));
	sample = check_sample(L, 1, p, 3, "owners", "sample");
	check_modules(L, 2, "owners", "modules", &ml);
	t = push_owner_box(L);
	return owner_result(L, t, profile_owners(p, sample, ml.names, ml.nr, t, &err), &err);
}

/* p:callers(needle, modules [, sample]) -> rows {name, value, samples}, total */
static int l_callers(lua_State *L)
{
	struct lua_profile *lp = check_profile(L, "callers");
	const struct profile *p = need_decoded(L, lp, 1);
	const char *needle = luaL_checkstring(L, 2);
	struct module_list ml;
	struct owner_table *t;
	struct strbuf err = STRBUF_INIT;
	size_t sample;

	memset(&ml, 0, sizeof(ml));
	sample = check_sample(L, 1, p, 4, "callers", "sample");
	check_modules(L, 3, "callers", "modules", &ml);
	t = push_owner_box(L);
	return owner_result(L, t, profile_callers(p, sample, needle, ml.names, ml.nr, t, &err), &err);
}

/* go tool pprof's name for a frame without a function: the binary, if known */
static void unnamed_frame(const struct profile *p, const struct profile_location *l,
			  struct strbuf *out)
{
	const char *f = l->mapping != PROFILE_NONE ? profile_str(p, p->mappings[l->mapping].filename) : "";
	const char *base = strrchr(f, '/');

	strbuf_reset(out);
	if (*f)
		strbuf_addf(out, "[%s]", base ? base + 1 : f);
	else
		strbuf_addstr(out, "<unknown>");
}

/*
 * Marks the locations one of whose frames (only the innermost, with
 * leaf_only) has a name containing needle. Frames are named as in the -top
 * table, so what a rule sees there it can match here.
 */
static unsigned char *match_locations(const struct profile *p, const char *needle, int leaf_only)
{
	unsigned char *fn_match = xcalloc(p->nr_functions ? p->nr_functions : 1, 1);
	unsigned char *loc_match = xcalloc(p->nr_locations ? p->nr_locations : 1, 1);
	struct strbuf name = STRBUF_INIT;
	size_t i;

	/* once per function, not once per frame: stacks repeat the same few */
	for (i = 0; i < p->nr_functions; i++)
		fn_match[i] = !!strstr(profile_str(p, p->functions[i].name), needle);
	for (i = 0; i < p->nr_locations; i++) {
		const struct profile_location *l = &p->locations[i];
		uint32_t j, n = leaf_only && l->nr_lines ? 1 : l->nr_lines;

		if (!l->nr_lines) {
			unnamed_frame(p, l, &name);
			loc_match[i] = !!strstr(name.buf, needle);
			continue;
		}
		for (j = 0; j < n && !loc_match[i]; j++) {
			uint32_t fn = p->lines[l->line_off + j].function;

			if (fn != PROFILE_NONE && *profile_str(p, p->functions[fn].name)) {
				loc_match[i] = fn_match[fn];
			} else {
				unnamed_frame(p, l, &name);
				loc_match[i] = !!strstr(name.buf, needle);
			}
		}
	}
	strbuf_release(&name);
	free(fn_match);
	return loc_match;
}

static int matching(lua_State *L, const char *method, int leaf_only)
{
	struct lua_profile *lp = check_profile(L, method);
	const struct profile *p = need_decoded(L, lp, 1);
	const char *needle;
	unsigned char *loc_match;
	int64_t value = 0, count = 0;
	size_t s, idx;

	if (lua_type(L, 2) != LUA_TSTRING)
		luaL_error(L, "%s: substring must be a string, got %s", method, luaL_typename(L, 2));
	needle = lua_tostring(L, 2);
	idx = check_sample(L, 1, p, 3, method, "sample");

	/* nothing below raises until loc_match is freed */
	loc_match = match_locations(p, needle, leaf_only);
	for (s = 0; s < p->nr_samples; s++) {
		int64_t w = profile_value(p, s, idx);
		uint32_t k, first = p->loc_off[s], end = p->loc_off[s + 1];

		/* as in the -top table: samples without a value are not there */
		if (!w || first == end)
			continue;
		if (leaf_only)
			end = first + 1;
		for (k = first; k < end; k++)
			if (loc_match[profile_loc(p, k)])
				break;
		if (k < end) {
			value = sat_add64(value, w, NULL);
			count++;
		}
	}
	free(loc_match);
	lua_pushinteger(L, (lua_Integer)value);
	lua_pushinteger(L, (lua_Integer)count);
	return 2;
}

static int l_cum_matching(lua_State *L)
{
	return matching(L, "cum_matching", 0);
}

static int l_flat_matching(lua_State *L)
{
	return matching(L, "flat_matching", 1);
}

static int l_tostring(lua_State *L)
{
	struct lua_profile *lp = check_profile(L, "__tostring");
	const char *name = profile_name(L, 1);
	const struct profile *p = &origin(lp)->p;

	if (ensure_decoded(L, lp, 1) < 0)
		lua_pushfstring(L, PROFILE_TYPE ": %s (unusable: %s)", name, strbuf_str(&origin(lp)->error));
	else if (!p->nr_sample_types)
		lua_pushfstring(L, PROFILE_TYPE ": %s (no sample types, %I samples)", name,
				(lua_Integer)p->nr_samples);
	else
		lua_pushfstring(L, PROFILE_TYPE ": %s (%s, %I samples)", name,
				sample_type_name(p, default_index(L, 1, p)),
				(lua_Integer)p->nr_samples);
	return 1;
}

/* Frees what the userdata owns; never the bytes, which are the caller's. */
static int l_gc(lua_State *L)
{
	struct lua_profile *lp = luaL_testudata(L, 1, PROFILE_TYPE);
	size_t i;

	if (!lp)
		return 0;
	for (i = 0; i < NR_SLOTS; i++)
		slot_clear(&lp->slots[i]);
	agg_table_release(&lp->diff);
	profile_release(&lp->p);
	strbuf_release(&lp->error);
	lp->data = NULL;
	lp->state = PROFILE_UNUSABLE;
	return 0;
}

static const luaL_Reg methods[] = {
	{ "ok", l_ok },
	{ "name", l_name },
	{ "sample_types", l_sample_types },
	{ "default_sample", l_default_sample },
	{ "total", l_total },
	{ "count", l_count },
	{ "period", l_period },
	{ "duration_nanos", l_duration_nanos },
	{ "time_nanos", l_time_nanos },
	{ "top", l_top },
	{ "cum_matching", l_cum_matching },
	{ "flat_matching", l_flat_matching },
	{ "by_module", l_by_module },
	{ "owners", l_owners },
	{ "callers", l_callers },
	{ NULL, NULL },
};

/* Pushes the shared metatable, creating it on first use. */
static void push_metatable(lua_State *L)
{
	if (!luaL_newmetatable(L, PROFILE_TYPE))
		return;
	lua_pushcfunction(L, l_gc);
	lua_setfield(L, -2, "__gc");
	lua_pushcfunction(L, l_tostring);
	lua_setfield(L, -2, "__tostring");
	luaL_newlib(L, methods);
	lua_setfield(L, -2, "__index");
	/*
	 * Shared by every rule: hidden, so one rule cannot replace a method
	 * (or __gc) under the others, as the sandbox hides the string metatable.
	 */
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
}

struct push_args {
	const unsigned char *data;
	size_t len;
	const char *name;
};

static int push_protected(lua_State *L)
{
	const struct push_args *a = lua_touserdata(L, 1);
	struct lua_profile *lp = lua_newuserdatauv(L, sizeof(*lp), 1);
	size_t i;

	memset(lp, 0, sizeof(*lp));
	lp->data = a->data;
	lp->len = a->len;
	lp->state = PROFILE_PENDING;
	profile_init(&lp->p);
	strbuf_init(&lp->error);
	for (i = 0; i < NR_SLOTS; i++)
		slot_clear(&lp->slots[i]);
	agg_table_init(&lp->diff);
	push_metatable(L);
	lua_setmetatable(L, -2);
	lua_pushstring(L, a->name ? a->name : "?");
	lua_setiuservalue(L, -2, 1);
	return 1;
}

int lua_profile_push(lua_State *L, const unsigned char *data, size_t len, const char *name)
{
	struct push_args a = { data, len, name };

	if (!lua_checkstack(L, 3))
		return -1;
	/* protected: the host calls this between rules, where a raise would panic */
	lua_pushcfunction(L, push_protected);
	lua_pushlightuserdata(L, &a);
	if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
		lua_pop(L, 1);
		return -1;
	}
	return 0;
}

struct alias_args {
	int target;
	const char *sample, *name;
};

static int alias_protected(lua_State *L)
{
	const struct alias_args *a = lua_touserdata(L, 1);
	struct lua_profile *target = luaL_checkudata(L, 2, PROFILE_TYPE);
	struct lua_profile *lp = lua_newuserdatauv(L, sizeof(*lp), 2);
	size_t i;

	memset(lp, 0, sizeof(*lp));
	lp->target = origin(target);
	lp->state = PROFILE_PENDING;
	snprintf(lp->default_sample, sizeof(lp->default_sample), "%s", a->sample ? a->sample : "");
	profile_init(&lp->p);
	strbuf_init(&lp->error);
	for (i = 0; i < NR_SLOTS; i++)
		slot_clear(&lp->slots[i]);
	agg_table_init(&lp->diff);
	push_metatable(L);
	lua_setmetatable(L, -2);
	lua_pushstring(L, a->name ? a->name : "?");
	lua_setiuservalue(L, -2, 1);
	lua_pushvalue(L, 2);	/* the target lives as long as the alias */
	lua_setiuservalue(L, -2, 2);
	return 1;
}

int lua_profile_push_alias(lua_State *L, int target, const char *sample, const char *name)
{
	struct alias_args a = { 0, sample, name };

	target = lua_absindex(L, target);
	if (!lua_checkstack(L, 4))
		return -1;
	lua_pushcfunction(L, alias_protected);
	lua_pushlightuserdata(L, &a);
	lua_pushvalue(L, target);
	if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
		lua_pop(L, 1);
		return -1;
	}
	return 0;
}

static int l_is_profile(lua_State *L)
{
	lua_pushboolean(L, luaL_testudata(L, 1, PROFILE_TYPE) != NULL);
	return 1;
}

int luaopen_triage_profile(lua_State *L)
{
	static const luaL_Reg funcs[] = {
		{ "is_profile", l_is_profile },
		{ NULL, NULL },
	};

	/* so is_profile works before the host has pushed any profile */
	push_metatable(L);
	lua_pop(L, 1);
	luaL_newlib(L, funcs);
	return 1;
}
