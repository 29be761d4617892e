#ifndef TRIAGE_ANALYZE_INTERNAL_H
#define TRIAGE_ANALYZE_INTERNAL_H

/*
 * Shared by the files of core/analyze/, not by anyone else. The analysis is
 * a pipeline, one file a stage:
 *   options.c   rule directories, their precedence, and finding *.lua files
 *   host.c      the Lua state: sandbox, triage.profile, read-only facts
 *   load.c      loading a rule or plugin file and validating its table
 *   plugins.c   running plugins in dependency order; why a fact is missing
 *   reporter.c  the r object rules report through
 *   runner.c    running rules, in a forked copy under a watchdog
 *   analyze.c   the whole analysis of one bundle
 */

#include <json-c/json.h>
#include <lua.h>

#include "analyze/analyze.h"
#include "base/strlist.h"

/* ---- options.c ---- */

/* *.lua in dir and, when recurse, in its direct subdirectories (the rung folders), sorted. */
void list_lua(const char *dir, struct strlist *out, int recurse);

/* ---- host.c ---- */

#define REG_FACTS "triage.facts"	/* registry key of the facts table b */

/* A sandboxed state with triage.profile, the host helpers and the reporter type. */
lua_State *host_state(const struct analyze_options *o, struct strbuf *err);
/* Looks a dotted fact path up in the real facts; pushes the value (maybe nil). */
int fact_lookup(lua_State *L, const char *path, struct strbuf *err);
/* Pushes the read-only view of the facts. */
int push_facts_ro(lua_State *L, struct strbuf *err);
/* Decodes every profile in the facts now (before forking rule runners). */
int facts_warm(lua_State *L, struct strbuf *err);

/* ---- load.c ---- */

/* A rule or plugin file as loaded. */
struct loaded {
	char *file, *origin;
	char *id, *title, *description;
	enum rung rung;
	char **requires;
	size_t nr_requires;
	char **after;		/* plugins: run after these plugins when they exist */
	size_t nr_after;
	int fn_ref;		/* check (rules) or build (plugins) */
	int env_ref;
	char *error;		/* load or validation error */
	int overridden;
	int done, failed;	/* plugins: ran, and failed */
	int in_progress;	/* plugins: on the current dependency path */
};

struct loadset {
	struct loaded *items;
	size_t nr, alloc;
};

/* Loads one file in its own environment; fills x (x->error on failure). */
void load_one(lua_State *L, const char *file, const char *origin, int is_plugin, struct loaded *x);
/* Every rule of every rule directory, later directories overriding earlier ids. */
void load_rules(lua_State *L, const struct analyze_options *o, struct loadset *rules);
void loadset_release(lua_State *L, struct loadset *s);
/* An id or name rules, plugins and data entries may have: a-z, 0-9, '-', '_', '.', at most 80. */
int valid_id(const char *s);
/* A report row for a file that could not be loaded or run at all. */
void report_load_error(struct report *r, const struct loaded *x, const char *fallback_id,
		       const char *origin, const char *reason);

/* ---- plugins.c ---- */

int fact_available(lua_State *L, const char *path);
/* Why a fact is missing: its recorded status, else a plain "unavailable". */
void missing_reason(json_object *status, const char *path, struct strbuf *out);
/* The built-in plugins, then each rule directory's plugins/ (a later name replaces an earlier one). */
void load_plugins(lua_State *L, const struct analyze_options *o, struct loadset *ps);
/* Loads and runs the plugins; each adds the fact of its name, or a status saying why not. */
void run_plugins(lua_State *L, const struct analyze_options *o, json_object *status,
		 struct report *r);

/* ---- data.c ---- */

/*
 * Pushes b.data: every data table (plugins/data/NAME.lua, then DIR/data/NAME.lua
 * of each rule directory), entries tagged with origin and file, a later id
 * replacing an earlier one. Files that fail go to r (when not NULL) as load
 * errors; listing (when not NULL) gets a row per entry and per failed file.
 */
void load_data(lua_State *L, const struct analyze_options *o, struct report *r, struct rule_list *listing);

/* ---- reporter.c ---- */

#define REPORTER "triage.reporter"

struct reporter {
	struct report *report;	/* NULL once the rule has returned */
	struct loaded *rule;
	int emitted;
	int noted;
};

void register_reporter(lua_State *L);

/* ---- runner.c ---- */

/* Runs rules[order[0..nr)] into r, each under timeout_ms in a forked copy (0: in process). */
void run_rules(lua_State *L, struct loadset *rules, const size_t *order, size_t nr,
	       json_object *status, struct report *r, int timeout_ms);

#endif
