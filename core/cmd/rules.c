/*
 * triage rules list | test: what rules would run, and the rule test
 * harness teams use to prove a rule against stored bundles.
 */
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "base/io.h"
#include "base/json.h"
#include "base/quantity.h"
#include "base/sort.h"
#include "cmd/cmd.h"
#include "report/report.h"

const char usage_rules[] =
	"usage: triage rules list [--rules DIR]...\n"
	"       triage rules test [--rules DIR]... CASE_DIR...\n"
	"\n"
	"list: every rule triage would run, with id, rung, title and origin\n"
	"(built-in, --rules, TRIAGE_RULES_PATH, XDG_CONFIG_HOME); a rule replaced\n"
	"by a later one with the same id is marked, and rules that fail to load\n"
	"say why.\n"
	"\n"
	"test: runs test cases. A case is a directory with expect.json:\n"
	"  {\"bundle\": \"bundle.tgz\",            (relative to the case directory)\n"
	"   \"base\": \"older.tgz\",                (optional, as analyze --base)\n"
	"   \"rules\": [\"dir\"],                    (optional extra rule directories)\n"
	"   \"top\": {\"id\": \"...\", \"rung\": \"...\"}, (the top-ranked finding)\n"
	"   \"findings\": [{\"id\": \"...\", \"rung\": \"...\", \"min_severity\": \"medium\"}],\n"
	"   \"absent\": [\"rule-id\"],               (ids that must not fire)\n"
	"   \"verdicts\": {\"runtime\": \"ruled_out\"},\n"
	"   \"max_severity\": \"low\",               (nothing above this fires)\n"
	"   \"rule_status\": {\"rule-id\": \"error\"},  (ran, skipped or error)\n"
	"   \"rule_failure\": {\"rule-id\": \"instruction_limit\"},\n"
	"   \"rule_reason\": {\"rule-id\": \"text in the reason\"},\n"
	"   \"notes\": {\"rule-id\": \"text\"},       (a rule_out/inconclusive note saying text)\n"
	"   \"rule_timeout_ms\": 20000,           (the per-rule watchdog, as --rule-timeout)\n"
	"   \"max_memory\": \"16M\"}                (the Lua memory cap, as --max-memory)\n"
	"A CASE_DIR without expect.json is searched for case directories one\n"
	"level down. Prints PASS or FAIL per case and 'N passed, N failed';\n"
	"exits 1 when a case fails.\n";

static int list_rules(const char **dirs, size_t nr)
{
	struct analyze_options o;
	struct rule_list l = { 0 };
	struct strbuf err = STRBUF_INIT;
	size_t i;
	int ret = EXIT_OK;

	analyze_options_init(&o);
	analyze_options_add_default_dirs(&o, dirs, nr);
	if (analyze_list_rules(&o, &l, &err) < 0) {
		fprintf(stderr, "triage rules list: %s\n", err.buf);
		ret = EXIT_INTERNAL;
		goto out;
	}
	printf("%-32s %-12s %-18s %s\n", "ID", "RUNG", "ORIGIN", "TITLE");
	for (i = 0; i < l.nr; i++) {
		const struct rule_info *ri = &l.items[i];

		if (ri->error) {
			printf("%-32s %-12s %-18s LOAD ERROR: %s\n", ri->id, "-", ri->origin, ri->error);
			continue;
		}
		printf("%-32s %-12s %-18s %s%s\n", ri->id, ri->rung, ri->origin, ri->title,
		       ri->overridden ? "  (replaced by a later rule)" : "");
	}
out:
	rule_list_release(&l);
	analyze_options_release(&o);
	strbuf_release(&err);
	return ret;
}

int cmd_rules(int argc, char **argv)
{
	const char **dirs = NULL, **cases = NULL;
	size_t nr_dirs = 0, nr_cases = 0;
	int i, ret;

	if (argc < 2)
		return command_usage_error("rules", "list or test?");
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--rules")) {
			if (++i >= argc) {
				free(dirs);
				free(cases);
				return command_usage_error("rules", "--rules needs a directory");
			}
			dirs = xreallocarray(dirs, nr_dirs + 1, sizeof(*dirs));
			dirs[nr_dirs++] = argv[i];
		} else if (argv[i][0] == '-') {
			free(dirs);
			free(cases);
			return command_usage_error("rules", "unknown option '%s'", argv[i]);
		} else {
			cases = xreallocarray(cases, nr_cases + 1, sizeof(*cases));
			cases[nr_cases++] = argv[i];
		}
	}
	for (i = 0; (size_t)i < nr_dirs; i++) {
		if (access(dirs[i], R_OK) < 0) {
			fprintf(stderr, "triage rules: cannot read rules directory '%s': %s\n", dirs[i], strerror(errno));
			free(dirs);
			free(cases);
			return EXIT_USAGE;
		}
	}
	if (!strcmp(argv[1], "list")) {
		ret = nr_cases ? command_usage_error("rules", "list takes no arguments ('%s')", cases[0]) :
			list_rules(dirs, nr_dirs);
	} else if (!strcmp(argv[1], "test")) {
		ret = nr_cases ? (rules_test(cases, nr_cases, dirs, nr_dirs) ? EXIT_FINDINGS : EXIT_OK) :
			command_usage_error("rules", "test which cases? give CASE_DIR...");
	} else {
		ret = command_usage_error("rules", "unknown subcommand '%s' (list or test)", argv[1]);
	}
	free(dirs);
	free(cases);
	return ret;
}
