#ifndef TRIAGE_ANALYZE_H
#define TRIAGE_ANALYZE_H

#include <lua.h>

#include "bundle/bundle.h"
#include "lua/sandbox.h"
#include "report/report.h"
#include "base/strbuf.h"

/*
 * The analysis host: raw artifacts -> facts (C, core/lua/facts.c) -> plugins
 * (Lua, plugins/) -> rules (Lua, rules/<rung>/) -> a report. A rule whose
 * facts are missing is reported as skipped with the reason; a rule that
 * fails is reported with its classified failure and file:line; neither
 * stops the others.
 */

struct rule_dir {
	const char *path;
	const char *origin;	/* "built-in", "--rules", "TRIAGE_RULES_PATH", "XDG_CONFIG_HOME" */
};

struct analyze_options {
	struct rule_dir *rule_dirs;	/* lowest precedence first: a later dir's rule replaces an earlier one's */
	size_t nr_rule_dirs;
	const char *plugin_dir;
	const char *base_bundle;	/* --base: compare against this bundle */
	/*
	 * More bundles of the same target (triage analyze a.tgz b.tgz ...):
	 * with the one given to analyze_bundle, they are ordered by collection
	 * time and become one series (b.samples); the newest is analyzed.
	 */
	const char *const *more_bundles;
	size_t nr_more_bundles;
	int force;		/* series of bundles from different targets are allowed */
	struct sandbox_limits limits;
	/*
	 * Wall-clock limit per rule. Rules run in a forked copy of the host,
	 * so a rule stuck where the instruction cap cannot reach (a C library
	 * function such as a pathological string pattern) or a crash in host
	 * code costs that rule only. 0: in process, without the watchdog.
	 */
	int rule_timeout_ms;
};

#define ANALYZE_DEFAULT_RULE_TIMEOUT_MS 20000

void analyze_options_init(struct analyze_options *o);
void analyze_options_release(struct analyze_options *o);
/*
 * Rule directories from lowest to highest precedence: the built-in rules
 * from the data directory, $XDG_CONFIG_HOME/triage/rules (or
 * ~/.config/triage/rules) when it exists, TRIAGE_RULES_PATH
 * (colon-separated; its first entry wins, as in PATH), then the --rules
 * directories in order. A rule with the id of a rule from a lower
 * directory replaces it, so team rules override built-ins.
 */
void analyze_options_add_default_dirs(struct analyze_options *o, const char *const *cli_dirs,
				      size_t nr_cli);
/* The same without the user's XDG and TRIAGE_RULES_PATH: for hermetic rule tests. */
void analyze_options_add_builtin_dirs(struct analyze_options *o, const char *const *cli_dirs,
				      size_t nr_cli);

/* Runs the whole analysis; -1 only when the bundle cannot be read at all. */
int analyze_bundle(const char *path, const struct analyze_options *o, struct report *r,
		   struct strbuf *err);

/* A rule as loaded, for `triage rules list`. */
struct rule_info {
	char *id, *rung, *title, *file, *origin, *error;
	int overridden;		/* replaced by a later rule with the same id */
};

struct rule_list {
	struct rule_info *items;
	size_t nr, alloc;
};

int analyze_list_rules(const struct analyze_options *o, struct rule_list *out, struct strbuf *err);
void rule_list_release(struct rule_list *l);

/*
 * The rule test harness: runs every case directory (or the case folders one
 * level below each) and prints a PASS/FAIL line per case and "N passed, N
 * failed"; 1 when any case failed, else 0.
 */
int rules_test(const char *const *cases, size_t nr_cases, const char *const *dirs, size_t nr_dirs);

#endif
