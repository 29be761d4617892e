#ifndef TRIAGE_LUA_JSON_H
#define TRIAGE_LUA_JSON_H

#include <json-c/json.h>
#include <lua.h>

/*
 * Pushes a JSON value as Lua (objects and arrays become tables; nil beyond
 * depth 16; at most 100000 elements or members each and JSON_MAX_VALUES in
 * all, the rest left out).
 */
void lua_push_json(lua_State *L, json_object *j, int depth);
/* Converts the Lua value at idx to JSON (tables with keys 1..n become arrays). */
json_object *lua_to_json(lua_State *L, int idx, int depth);

#endif
