#ifndef TRIAGE_REPORT_H
#define TRIAGE_REPORT_H

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>

#include "base/quantity.h"
#include "base/strbuf.h"
#include "base/strlist.h"

/*
 * What triage analyze found: findings from rules, rung notes ("ruled out
 * because ..."), what each rule did, the memory ledger, and the verdict on
 * every rung of the ladder. The Lua host fills it; report.c ranks it, and
 * one file per format prints it (text, markdown, JSON "triage.report/1",
 * docs/report-format.md), found by name in the table of formats.c.
 */

enum rung {
	RUNG_BUSINESS,
	RUNG_LIBRARIES,
	RUNG_RUNTIME,
	RUNG_TOOLING,
	RUNG_ENVIRONMENT,
	NR_RUNGS
};

enum severity {
	SEV_INFO,
	SEV_LOW,
	SEV_MEDIUM,
	SEV_HIGH,
	SEV_CRITICAL,
	NR_SEVERITIES
};

enum verdict {
	VERDICT_INCONCLUSIVE,
	VERDICT_IMPLICATED,
	VERDICT_RULED_OUT,
};

enum rule_status {
	RULE_RAN,
	RULE_SKIPPED,
	RULE_ERROR,
};

struct finding {
	char *rule;		/* id of the rule that emitted it */
	enum rung rung;
	enum severity severity;
	double confidence;	/* 0..1 */
	int64_t bytes;		/* memory it explains; -1 when not about bytes */
	char *title, *summary;
	struct strlist evidence, advice, refs;
	/*
	 * The ledger leaves whose bytes the finding explains (ledger.leaves
	 * ids). A leaf is claimed by one finding at most, so no byte of the
	 * headline is explained twice (tests/corpus.sh checks it).
	 */
	struct strlist claims;
	int explained_elsewhere;	/* every leaf it claimed went to a finding ranked above */
	double score;
	int rank;		/* 1-based, after report_rank */
};

/* A rule's word on a rung without a finding: "ruled out because ..." */
struct rung_note {
	char *rule;
	enum rung rung;
	enum verdict verdict;	/* VERDICT_RULED_OUT or VERDICT_INCONCLUSIVE */
	char *reason;
	struct strlist evidence;
};

struct rule_result {
	char *id, *file, *origin;	/* origin: "built-in", "--rules", "TRIAGE_RULES_PATH", "XDG_CONFIG_HOME", "plugin" */
	enum rung rung;
	int no_rung;		/* the rule failed to load before its rung was known */
	char *title;
	enum rule_status status;
	char *reason;		/* why skipped, or the error (file:line: message) */
	char *failure;		/* error, instruction_limit, memory_limit, blocked, load, timeout, crash */
};

struct rung_verdict {
	enum verdict verdict;
	struct strlist evidence;
};

struct report {
	char *bundle;
	char *base_bundle;	/* --base, NULL when none: the HTML report draws the diff */
	char *headline_name;	/* "cgroup working set", "process RSS", ... */
	int64_t headline_bytes;	/* 0 when unknown */
	struct finding *findings;
	size_t nr_findings, findings_alloc;
	struct rung_note *notes;
	size_t nr_notes, notes_alloc;
	struct rule_result *rules;
	size_t nr_rules, rules_alloc;
	json_object *ledger;	/* from the ledger plugin; NULL if unavailable */
	json_object *growth;	/* the growth plugin's series verdict and rows; NULL without samples */
	json_object *facts_status;	/* fact -> "ok" / reason it is unavailable */
	json_object *pod;	/* the manifest's target.pod (bundle/vocab.h); NULL when not a pod */
	struct rung_verdict ladder[NR_RUNGS];
};

void report_init(struct report *r);
void report_release(struct report *r);
void finding_release(struct finding *f);
void rung_note_release(struct rung_note *n);
/*
 * Drops the findings and notes past the first nr_findings and nr_notes:
 * what a rule that failed half way added does not stay in the report.
 */
void report_truncate(struct report *r, size_t nr_findings, size_t nr_notes);

struct finding *report_add_finding(struct report *r);
struct rung_note *report_add_note(struct report *r);
struct rule_result *report_add_rule(struct report *r);

const char *rung_name(enum rung r);
int rung_parse(const char *s, enum rung *out);
const char *severity_name(enum severity s);
int severity_parse(const char *s, enum severity *out);
const char *verdict_name(enum verdict v);
int verdict_parse(const char *s, enum verdict *out);
const char *rule_status_name(enum rule_status s);

/*
 * Scores and orders the findings (see docs/report-format.md for the
 * formula) and decides each rung's verdict from findings and notes.
 */
void report_finish(struct report *r);

/*
 * The formats, one file each. A writer prints the finished report to out
 * and returns 0, or -1 when out has an error; color asks for ANSI colour,
 * which only the text format uses.
 */
typedef int report_writer(const struct report *r, FILE *out, int color);

report_writer report_write_text;	/* text.c */
report_writer report_write_markdown;	/* markdown.c */
report_writer report_write_json;	/* json.c */
report_writer report_write_html;	/* html.c: one self-contained page, read again from r->bundle */
/* The JSON document (caller puts it). */
json_object *report_to_json(const struct report *r);

struct report_format {
	const char *name;	/* what --format takes */
	report_writer *write;
};

/* The format called name, NULL when there is none (formats.c). */
const struct report_format *report_format_find(const char *name);
/* All formats, the default first, ended by a row with a NULL name. */
const struct report_format *report_format_list(void);
/* Appends "text, markdown or json": the names, for messages. */
void report_format_names(struct strbuf *sb);

/*
 * The GROWTH section, formatted once for the text and Markdown writers:
 * one row per sample (time, headline, RSS, HeapInuse, goroutines), the
 * slope per minute of each column, and the sentences around the table
 * (trend, projection, why it cannot decide, what grew).
 */
#define GROWTH_COLS 5
#define GROWTH_CELL 32

struct growth_table {
	char head[GROWTH_COLS][GROWTH_CELL];
	char (*cells)[GROWTH_COLS][GROWTH_CELL];
	size_t nr_rows;
	char rate[GROWTH_COLS][GROWTH_CELL];
	struct strlist lines;
};

/* 0, or -1 when the report has no growth (no series of samples). */
int growth_table_build(const struct report *r, struct growth_table *t);
void growth_table_release(struct growth_table *t);

/*
 * "pod UID container ID (containerd, Burstable, systemd driver)" into sb, for
 * the formats that print the pod; nothing when the report has none.
 */
void report_pod_line(const struct report *r, struct strbuf *sb);

/* Highest severity among findings; -1 when none. */
int report_max_severity(const struct report *r);


#endif
