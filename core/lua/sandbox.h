#ifndef TRIAGE_LUA_SANDBOX_H
#define TRIAGE_LUA_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#include "base/strbuf.h"

/*
 * The Lua state every rule and plugin runs in (docs/lua-sandbox.md).
 *
 * One constructor owns the limits: a counting allocator caps the memory of
 * the whole state and a count hook caps the VM instructions of one call.
 * Only base (trimmed), string, table, math and utf8 are loaded; reading
 * os, io, debug, ... raises a "sandbox: " error so a rule that tries is
 * reported as blocked rather than merely broken.
 *
 * Globals are strict: reading an undefined one raises "undefined global 'x'"
 * and rules may not create or replace globals; they keep state in locals
 * and tables. Each rule gets its own environment (sandbox_new_env) holding
 * private copies of the library tables, so one rule cannot change what
 * another sees.
 *
 * Host code must not call lua_getglobal/lua_setglobal for undefined names
 * outside a protected call (the strict metatable raises, which would
 * panic); use sandbox_env_set to expose values.
 */

#define SANDBOX_DEFAULT_MAX_MEMORY ((size_t)64 << 20)
#define SANDBOX_DEFAULT_MAX_INSTRUCTIONS ((uint64_t)50000000)
/* Rule files past this are refused unread. */
#define SANDBOX_MAX_FILE_SIZE ((size_t)1 << 20)

struct sandbox_limits {
	size_t max_memory;		/* bytes for the whole state, default 64 MiB */
	uint64_t max_instructions;	/* per sandbox_pcall, default 50 million */
};

/* Fills in the defaults. A zero field passed to sandbox_new means default too. */
void sandbox_limits_init(struct sandbox_limits *lim);

enum sandbox_status {
	SANDBOX_OK,
	SANDBOX_ERROR,			/* the rule raised or hit a runtime error */
	SANDBOX_INSTRUCTION_LIMIT,
	SANDBOX_MEMORY_LIMIT,
	SANDBOX_BLOCKED,		/* the rule reached for something rules may not use */
};

/* "ok", "error", "instruction limit", "memory limit", "blocked" */
const char *sandbox_status_name(enum sandbox_status status);

/* A new sandboxed state with an empty stack; NULL with err filled on failure. */
lua_State *sandbox_new(const struct sandbox_limits *lim, struct strbuf *err);
/* Closes a state from sandbox_new; NULL is fine. */
void sandbox_close(lua_State *L);

/* Where print() goes; without one it prints nothing. msg has no newline. */
typedef void sandbox_print_fn(void *ctx, const char *msg, size_t len);
void sandbox_set_print(lua_State *L, sandbox_print_fn *fn, void *ctx);

/*
 * Makes require(name) return what open returns (open is called with the
 * name, once per environment; nil becomes true). 0, or -1 when out of memory.
 */
int sandbox_register_module(lua_State *L, const char *name, lua_CFunction open);

/* Pushes a fresh environment for one rule. 0, or -1 (nothing pushed). */
int sandbox_new_env(lua_State *L);

/*
 * Pops the value on top and exposes it as global name in the environment
 * at index env (0: the state's shared globals). Rules can read it but not
 * replace it. 0, or -1 when out of memory (the value is popped either way).
 */
int sandbox_env_set(lua_State *L, int env, const char *name);

/*
 * Loads a text chunk, leaving the function on the stack; env is the stack
 * index of an environment from sandbox_new_env, or 0 for the state's shared
 * globals. Binary chunks and files over SANDBOX_MAX_FILE_SIZE are refused.
 * Errors (syntax included) read "path:line: message". 0, or -1 with
 * nothing pushed.
 */
int sandbox_load_file(lua_State *L, const char *path, int env, struct strbuf *err);
/* The same for text in memory; name stands for the path in messages. */
int sandbox_load_buffer(lua_State *L, const char *buf, size_t len,
			const char *name, int env, struct strbuf *err);

/*
 * Calls the function below the nargs arguments on top, as lua_pcall does,
 * under the instruction cap and the memory cap. On SANDBOX_OK the results
 * replace function and arguments; otherwise nothing does and err reads
 * "file:line: message". After a failure a full GC has run, so the state is
 * fit for the next rule. Nested calls (a host function calling back into
 * Lua) share the outer call's instruction budget.
 */
enum sandbox_status sandbox_pcall(lua_State *L, int nargs, int nresults,
				  struct strbuf *err);

/*
 * Sets aside what the state holds now (after a full GC): from here on the
 * memory cap applies on top of it. The facts are loaded under their own
 * budget and then set aside, so a bundle whose facts are large cannot
 * leave the rules without memory. Returns the bytes set aside.
 */
size_t sandbox_set_aside(lua_State *L);

/* Bytes the state holds now. */
size_t sandbox_memory_used(lua_State *L);
/* Most bytes held during the last sandbox_pcall (or since creation, before any). */
size_t sandbox_memory_peak(lua_State *L);
/* Instructions the last sandbox_pcall ran, counted in steps of 1000. */
uint64_t sandbox_instructions_used(lua_State *L);

#endif
