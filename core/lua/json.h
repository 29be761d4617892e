#ifndef TRIAGE_LUA_JSON_H
#define TRIAGE_LUA_JSON_H

#include <json-c/json.h>
#include <lua.h>

/* Pushes a JSON value as Lua (objects and arrays become tables; nil beyond depth 16). */
void lua_push_json(lua_State *L, json_object *j, int depth);
/* Converts the Lua value at idx to JSON (tables with keys 1..n become arrays). */
json_object *lua_to_json(lua_State *L, int idx, int depth);

#endif
