#ifndef TRIAGE_LUA_PROFILE_H
#define TRIAGE_LUA_PROFILE_H

#include <stddef.h>

#include <lua.h>

/*
 * The "triage.profile" module: decoded pprof profiles as Lua userdata.
 *
 * Rules get profiles from the host (lua_profile_push) and ask questions
 * whose answers are small tables: the -top rows by function, package or
 * module, totals, and the value of the samples whose stacks match a
 * function name. All walking of samples happens here in C; a rule never
 * loops over samples.
 *
 * In Lua:
 *
 *   local profile = require("triage.profile")
 *   profile.is_profile(v)              -> boolean
 *   p:ok()                             -> true | false, message
 *   p:name()                           -> "profiles/heap.pb.gz"
 *   p:sample_types()                   -> { {type=, unit=}, ... }
 *   p:default_sample()                 -> "inuse_space"
 *   p:total([sample])                  -> sum of |value|
 *   p:count(), p:period(), p:duration_nanos(), p:time_nanos()
 *   p:top{sample=, by="function"|"package"|"module", modules={...},
 *         n=20, cum=false, base=<profile>}
 *                                      -> { {name=, flat=, cum=}, ... }
 *   p:cum_matching(substring, [sample]) -> value, samples
 *   p:flat_matching(substring, [sample]) -> value, samples
 *   p:by_module(modules, [sample])     -> { {name=, flat=, cum=}, ... }
 *   p:owners(modules, [sample])        -> { {name=, value=, samples=}, ... }, total
 *                                         (each sample's innermost frame in modules,
 *                                         else "(runtime)", "(stdlib)", "(other)")
 *   p:callers(substring, modules, [sample])
 *                                      -> { {name=, value=, samples=}, ... }, total
 *                                         (the innermost frame in modules above a
 *                                         frame whose name contains substring)
 *
 * A sample is named by its type ("inuse_space") and defaults to the
 * profile's default (profile_default_sample_index).
 *
 * Rows are ordered as go tool pprof -top orders them (cum=true: by cum),
 * rows with nothing in them are left out, and base= subtracts another
 * profile's rows (same sample type name) first. The *_matching methods
 * count each sample with a non-zero value once if any frame (the leaf
 * frame only, for flat_) has a name containing substring, frames named
 * as in the rows; they return the summed value and the number of samples.
 *
 * The metatable is shared by every rule and hidden (getmetatable gives
 * false), so no rule can change the methods another one calls.
 *
 * Decoding is lazy: the first method that needs the profile decodes it.
 * If that fails, every such method raises "profile 'x' is unusable: ..."
 * and p:ok() returns false with the decoder's message, so a rule can check
 * first and skip instead of failing.
 *
 * Memory: the decoded profile and the aggregation tables are malloc'd,
 * outside the sandbox's memory cap, which only bounds what rules allocate.
 * The result tables handed to Lua are inside the cap.
 */

/*
 * Pushes a profile userdata over data, which the caller keeps owning: the
 * bytes are not copied, so they must stay valid until the state is closed
 * (the bundle outlives the Lua state). name is copied and used in
 * messages. Nothing is decoded yet. 0, or -1 (nothing pushed) when out of
 * memory. Safe to call outside a protected call.
 */
int lua_profile_push(lua_State *L, const unsigned char *data, size_t len, const char *name);
/*
 * Pushes a profile that shares the data and the decoding of the profile at
 * index target, with sample as its default sample type: an allocs profile
 * derived from the heap profile (net/http/pprof serves the same data under
 * both names) is decoded once. 0, or -1 with nothing pushed.
 */
int lua_profile_push_alias(lua_State *L, int target, const char *sample, const char *name);

/* The module table; register with sandbox_register_module(L, "triage.profile", ...). */
int luaopen_triage_profile(lua_State *L);

#endif
