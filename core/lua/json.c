/*
 * JSON <-> Lua, both directions in one place: bundle JSON (manifest, build
 * info) becomes fact tables, and tables plugins build (the ledger) become
 * report JSON. Both bound depth and the length of arrays and objects,
 * since both sides can be steered by a bundle or a rule; bundle JSON is also
 * bounded in values as a whole (JSON_MAX_VALUES when parsed, here again).
 */
#include <math.h>
#include <stdio.h>

#include "base/json.h"
#include "lua/json.h"

/* Elements of one array or members of one object that become Lua. */
#define MAX_ITEMS 100000

static void push_json(lua_State *L, json_object *j, int depth, size_t *budget)
{
	if (!j || depth > 16 || !*budget) {
		lua_pushnil(L);
		return;
	}
	--*budget;
	switch (json_object_get_type(j)) {
	case json_type_boolean:
		lua_pushboolean(L, json_object_get_boolean(j));
		break;
	case json_type_int:
		lua_pushinteger(L, (lua_Integer)json_object_get_int64(j));
		break;
	case json_type_double:
		lua_pushnumber(L, json_object_get_double(j));
		break;
	case json_type_string:
		lua_pushlstring(L, json_object_get_string(j), (size_t)json_object_get_string_len(j));
		break;
	case json_type_array: {
		size_t i, n = json_object_array_length(j);

		lua_createtable(L, (int)(n < MAX_ITEMS ? n : MAX_ITEMS), 0);
		for (i = 0; i < n && i < MAX_ITEMS && *budget; i++) {
			push_json(L, json_object_array_get_idx(j, i), depth + 1, budget);
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
		break;
	}
	case json_type_object: {
		/* capped like arrays: 2M keys once starved the rules of memory */
		size_t n = 0;

		lua_newtable(L);
		json_object_object_foreach(j, key, val) {
			if (n++ >= MAX_ITEMS || !*budget)
				break;
			push_json(L, val, depth + 1, budget);
			lua_setfield(L, -2, key);
		}
		break;
	}
	default:
		lua_pushnil(L);
	}
}

void lua_push_json(lua_State *L, json_object *j, int depth)
{
	size_t budget = JSON_MAX_VALUES;

	push_json(L, j, depth, &budget);
}

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

