#ifndef TRIAGE_FACTS_INTERNAL_H
#define TRIAGE_FACTS_INTERNAL_H

/* Shared by facts.c (the table) and facts-convert.c (the converters) only. */

#include <json-c/json.h>
#include <lua.h>
#include <stdint.h>

#include "base/strbuf.h"
#include "bundle/bundle.h"
#include "parse/kvfile.h"

struct goroutine_dump;

/*
 * The artifact's bytes when the collector says it is good (or there is no
 * manifest to ask); otherwise NULL, with why filled.
 */
const struct bundle_file *fact_artifact(const struct bundle *b, const char *path, struct strbuf *why);
/* An artifact as JSON, under JSON_MAX_VALUES; -1 with why (if not NULL) saying why not. */
int fact_parse_json(const struct bundle_file *f, json_object **out, struct strbuf *why);

/* t[k] = v for the table on top of the stack. */
void tbl_set_int(lua_State *L, const char *k, int64_t v);
void tbl_set_str(lua_State *L, const char *k, const char *v);
void tbl_set_bool(lua_State *L, const char *k, int v);

int push_kvfile(lua_State *L, const struct bundle_file *f, enum kv_format fmt, const char *name,
		struct strbuf *why);
int push_memstats_from(lua_State *L, const struct bundle *b, const char *prefix, struct strbuf *why);
int push_cgroup(lua_State *L, const struct bundle *b, const char *prefix, int version,
		struct strbuf *why);
/* The cgroup version the bundle's files are from (0: none); pushes cgroup_info (or nil) when push_info. */
int cgroup_version(const struct bundle *b, lua_State *L, int push_info, struct strbuf *why);
void push_goroutines(lua_State *L, const struct goroutine_dump *d);
struct profile;
/* The same fact from the goroutine profile, when the dump was not taken. */
void push_goroutines_from_profile(lua_State *L, const struct profile *p);
void push_go_version(lua_State *L, const char *v);
void push_environ(lua_State *L, const struct bundle_file *f);
/* b.mappings from proc/smaps (facts-smaps.c). */
int push_smaps(lua_State *L, const struct bundle_file *f, struct strbuf *why);

#endif
