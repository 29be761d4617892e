#include "report/report.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const rung_names[NR_RUNGS] = {
	"business", "libraries", "runtime", "tooling", "environment",
};
static const char *const severity_names[NR_SEVERITIES] = {
	"info", "low", "medium", "high", "critical",
};

const char *rung_name(enum rung r)
{
	return (unsigned)r < NR_RUNGS ? rung_names[r] : "?";
}

int rung_parse(const char *s, enum rung *out)
{
	int i;

	for (i = 0; i < NR_RUNGS; i++)
		if (!strcmp(s, rung_names[i])) {
			*out = (enum rung)i;
			return 0;
		}
	return -1;
}

const char *severity_name(enum severity s)
{
	return (unsigned)s < NR_SEVERITIES ? severity_names[s] : "?";
}

int severity_parse(const char *s, enum severity *out)
{
	int i;

	for (i = 0; i < NR_SEVERITIES; i++)
		if (!strcmp(s, severity_names[i])) {
			*out = (enum severity)i;
			return 0;
		}
	return -1;
}

const char *verdict_name(enum verdict v)
{
	switch (v) {
	case VERDICT_IMPLICATED: return "implicated";
	case VERDICT_RULED_OUT: return "ruled_out";
	default: return "inconclusive";
	}
}

int verdict_parse(const char *s, enum verdict *out)
{
	if (!strcmp(s, "implicated"))
		*out = VERDICT_IMPLICATED;
	else if (!strcmp(s, "ruled_out"))
		*out = VERDICT_RULED_OUT;
	else if (!strcmp(s, "inconclusive"))
		*out = VERDICT_INCONCLUSIVE;
	else
		return -1;
	return 0;
}

const char *rule_status_name(enum rule_status s)
{
	switch (s) {
	case RULE_RAN: return "ran";
	case RULE_SKIPPED: return "skipped";
	default: return "error";
	}
}

void report_init(struct report *r)
{
	memset(r, 0, sizeof(*r));
}

void report_release(struct report *r)
{
	size_t i;

	for (i = 0; i < r->nr_findings; i++) {
		struct finding *f = &r->findings[i];

		free(f->rule);
		free(f->title);
		free(f->summary);
		strlist_release(&f->evidence);
		strlist_release(&f->advice);
		strlist_release(&f->refs);
	}
	for (i = 0; i < r->nr_notes; i++) {
		free(r->notes[i].rule);
		free(r->notes[i].reason);
		strlist_release(&r->notes[i].evidence);
	}
	for (i = 0; i < r->nr_rules; i++) {
		free(r->rules[i].id);
		free(r->rules[i].file);
		free(r->rules[i].origin);
		free(r->rules[i].title);
		free(r->rules[i].reason);
		free(r->rules[i].failure);
	}
	for (i = 0; i < NR_RUNGS; i++)
		strlist_release(&r->ladder[i].evidence);
	free(r->findings);
	free(r->notes);
	free(r->rules);
	free(r->bundle);
	free(r->headline_name);
	if (r->ledger)
		json_object_put(r->ledger);
	if (r->facts_status)
		json_object_put(r->facts_status);
	report_init(r);
}

struct finding *report_add_finding(struct report *r)
{
	struct finding *f;

	ALLOC_GROW(r->findings, r->nr_findings + 1, r->findings_alloc);
	f = &r->findings[r->nr_findings++];
	memset(f, 0, sizeof(*f));
	f->bytes = -1;
	f->confidence = 0.5;
	return f;
}

struct rung_note *report_add_note(struct report *r)
{
	struct rung_note *n;

	ALLOC_GROW(r->notes, r->nr_notes + 1, r->notes_alloc);
	n = &r->notes[r->nr_notes++];
	memset(n, 0, sizeof(*n));
	return n;
}

struct rule_result *report_add_rule(struct report *r)
{
	struct rule_result *x;

	ALLOC_GROW(r->rules, r->nr_rules + 1, r->rules_alloc);
	x = &r->rules[r->nr_rules++];
	memset(x, 0, sizeof(*x));
	return x;
}

/*
 * The score: how bad (severity), how sure (confidence) and how much of the
 * headline number the finding explains. A finding that is not about bytes
 * (an old kernel, a missing GOMEMLIMIT) counts as explaining half, so it
 * ranks below a sure finding that explains most of the memory and above
 * one that explains a sliver.
 */
static const double severity_weight[NR_SEVERITIES] = { 0.1, 0.25, 0.5, 0.8, 1.0 };

static double finding_score(const struct finding *f, int64_t headline)
{
	double explained = 0.5;
	double c = f->confidence < 0 ? 0 : (f->confidence > 1 ? 1 : f->confidence);

	if (f->bytes >= 0 && headline > 0) {
		explained = (double)f->bytes / (double)headline;
		if (explained > 1)
			explained = 1;
	}
	return 100.0 * severity_weight[f->severity] * c * (0.3 + 0.7 * explained);
}

static int finding_cmp(const void *x, const void *y)
{
	const struct finding *a = x, *b = y;
	int c;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if (a->bytes != b->bytes)
		return a->bytes > b->bytes ? -1 : 1;
	c = strcmp(a->rule ? a->rule : "", b->rule ? b->rule : "");
	return c ? c : strcmp(a->title ? a->title : "", b->title ? b->title : "");
}

void report_finish(struct report *r)
{
	size_t i;
	int g;

	for (i = 0; i < r->nr_findings; i++)
		r->findings[i].score = finding_score(&r->findings[i], r->headline_bytes);
	qsort(r->findings, r->nr_findings, sizeof(*r->findings), finding_cmp);
	for (i = 0; i < r->nr_findings; i++)
		r->findings[i].rank = (int)i + 1;

	for (g = 0; g < NR_RUNGS; g++) {
		struct rung_verdict *v = &r->ladder[g];
		struct strbuf sb = STRBUF_INIT;
		int implicated = 0, ruled_out = 0;

		strlist_release(&v->evidence);
		/* a medium or worse finding implicates its rung */
		for (i = 0; i < r->nr_findings; i++) {
			const struct finding *f = &r->findings[i];

			if ((int)f->rung != g || f->severity < SEV_MEDIUM)
				continue;
			implicated = 1;
			strbuf_reset(&sb);
			strbuf_addf(&sb, "#%d %s (%s)", f->rank, f->title ? f->title : f->rule,
				    severity_name(f->severity));
			strlist_add(&v->evidence, sb.buf);
		}
		if (!implicated) {
			size_t outs = 0, unsure = 0;

			/*
			 * A rung is ruled out by rules that looked and found nothing,
			 * not by one of them while the others could not look.
			 */
			for (i = 0; i < r->nr_rules; i++)
				if (!r->rules[i].no_rung && (int)r->rules[i].rung == g &&
				    r->rules[i].status != RULE_RAN)
					unsure++;
			for (i = 0; i < r->nr_notes; i++) {
				const struct rung_note *n = &r->notes[i];
				size_t k;

				if ((int)n->rung != g || n->verdict != VERDICT_RULED_OUT)
					continue;
				outs++;
				strbuf_reset(&sb);
				strbuf_addf(&sb, "%s: %s", n->rule, n->reason ? n->reason : "ruled out");
				for (k = 0; k < n->evidence.nr; k++)
					strbuf_addf(&sb, "%s%s", k ? "; " : " (", n->evidence.items[k]);
				if (n->evidence.nr)
					strbuf_addch(&sb, ')');
				strlist_add(&v->evidence, sb.buf);
			}
			ruled_out = outs > 0 && outs >= unsure;
			if (outs && !ruled_out) {
				strlist_release(&v->evidence);
				outs = 0;
			}
		}
		if (!implicated && !ruled_out) {
			/* say why nothing decided: lesser findings, open notes, skipped rules */
			for (i = 0; i < r->nr_findings; i++) {
				const struct finding *f = &r->findings[i];

				if ((int)f->rung != g)
					continue;
				strbuf_reset(&sb);
				strbuf_addf(&sb, "#%d %s (%s)", f->rank, f->title ? f->title : f->rule,
					    severity_name(f->severity));
				strlist_add(&v->evidence, sb.buf);
			}
			for (i = 0; i < r->nr_notes; i++) {
				if ((int)r->notes[i].rung != g)
					continue;
				strbuf_reset(&sb);
				strbuf_addf(&sb, "%s: %s", r->notes[i].rule, r->notes[i].reason ? r->notes[i].reason : "");
				strlist_add(&v->evidence, sb.buf);
			}
			for (i = 0; i < r->nr_rules; i++) {
				const struct rule_result *x = &r->rules[i];

				if (x->no_rung || (int)x->rung != g || x->status == RULE_RAN)
					continue;
				strbuf_reset(&sb);
				strbuf_addf(&sb, "%s %s: %s", x->id, x->status == RULE_SKIPPED ? "skipped" : "failed",
					    x->reason ? x->reason : "");
				strlist_add(&v->evidence, sb.buf);
			}
			if (!v->evidence.nr)
				strlist_add(&v->evidence, "no rule decided this rung");
		}
		v->verdict = implicated ? VERDICT_IMPLICATED : ruled_out ? VERDICT_RULED_OUT : VERDICT_INCONCLUSIVE;
		strbuf_release(&sb);
	}
}

int report_max_severity(const struct report *r)
{
	int m = -1;
	size_t i;

	for (i = 0; i < r->nr_findings; i++)
		if ((int)r->findings[i].severity > m)
			m = (int)r->findings[i].severity;
	return m;
}

/* ---- JSON ---- */

static json_object *strlist_json(const struct strlist *l)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < l->nr; i++)
		json_object_array_add(a, json_object_new_string(l->items[i]));
	return a;
}

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

json_object *report_to_json(const struct report *r)
{
	json_object *root = json_object_new_object(), *ladder = json_object_new_array();
	json_object *findings = json_object_new_array(), *rules = json_object_new_array();
	json_object *head = json_object_new_object();
	size_t i;
	int g;

	json_object_object_add(root, "schema", json_object_new_string("triage.report/1"));
	json_object_object_add(root, "bundle", str_or_null(r->bundle));
	json_object_object_add(head, "name", str_or_null(r->headline_name));
	json_object_object_add(head, "bytes", json_object_new_int64(r->headline_bytes));
	json_object_object_add(root, "headline", head);
	for (g = 0; g < NR_RUNGS; g++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "rung", json_object_new_string(rung_name((enum rung)g)));
		json_object_object_add(o, "verdict", json_object_new_string(verdict_name(r->ladder[g].verdict)));
		json_object_object_add(o, "evidence", strlist_json(&r->ladder[g].evidence));
		json_object_array_add(ladder, o);
	}
	json_object_object_add(root, "ladder", ladder);
	for (i = 0; i < r->nr_findings; i++) {
		const struct finding *f = &r->findings[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "rank", json_object_new_int(f->rank));
		json_object_object_add(o, "id", str_or_null(f->rule));
		json_object_object_add(o, "rung", json_object_new_string(rung_name(f->rung)));
		json_object_object_add(o, "severity", json_object_new_string(severity_name(f->severity)));
		json_object_object_add(o, "confidence", json_object_new_double(f->confidence));
		json_object_object_add(o, "bytes", f->bytes >= 0 ? json_object_new_int64(f->bytes) : NULL);
		json_object_object_add(o, "score", json_object_new_double(round(f->score * 100) / 100));
		json_object_object_add(o, "title", str_or_null(f->title));
		json_object_object_add(o, "summary", str_or_null(f->summary));
		json_object_object_add(o, "evidence", strlist_json(&f->evidence));
		json_object_object_add(o, "advice", strlist_json(&f->advice));
		json_object_object_add(o, "refs", strlist_json(&f->refs));
		json_object_array_add(findings, o);
	}
	json_object_object_add(root, "findings", findings);
	json_object_object_add(root, "ledger", r->ledger ? json_object_get(r->ledger) : NULL);
	for (i = 0; i < r->nr_rules; i++) {
		const struct rule_result *x = &r->rules[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "id", str_or_null(x->id));
		json_object_object_add(o, "rung", x->no_rung ? NULL : json_object_new_string(rung_name(x->rung)));
		json_object_object_add(o, "title", str_or_null(x->title));
		json_object_object_add(o, "file", str_or_null(x->file));
		json_object_object_add(o, "origin", str_or_null(x->origin));
		json_object_object_add(o, "status", json_object_new_string(rule_status_name(x->status)));
		json_object_object_add(o, "reason", str_or_null(x->reason));
		if (x->failure)
			json_object_object_add(o, "failure", json_object_new_string(x->failure));
		json_object_array_add(rules, o);
	}
	json_object_object_add(root, "rules", rules);
	if (r->facts_status)
		json_object_object_add(root, "facts", json_object_get(r->facts_status));
	return root;
}

int report_write_json(const struct report *r, FILE *out)
{
	json_object *j = report_to_json(r);

	fputs(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					     JSON_C_TO_STRING_NOSLASHESCAPE), out);
	fputc('\n', out);
	json_object_put(j);
	return ferror(out) ? -1 : 0;
}

/* ---- text ---- */

#define WIDTH 100

/*
 * Prints s wrapped to WIDTH. The caller has already printed up to column
 * col; continuation lines start at column indent.
 */
static void wrap(FILE *out, const char *s, int indent, int col)
{
	int i, first = 1;

	while (*s) {
		size_t w = strcspn(s, " \n");

		if (!first && col + 1 + (int)w > WIDTH) {
			fputc('\n', out);
			for (i = 0; i < indent; i++)
				fputc(' ', out);
			col = indent;
		} else if (!first) {
			fputc(' ', out);
			col++;
		}
		/* a word longer than the line is printed whole rather than cut */
		fwrite(s, 1, w, out);
		col += (int)w;
		first = 0;
		s += w;
		while (*s == ' ' || *s == '\n')
			s++;
	}
	fputc('\n', out);
}

/* wrap() for a paragraph of its own, indented. */
static void para(FILE *out, const char *s, int indent)
{
	fprintf(out, "%*s", indent, "");
	wrap(out, s, indent, indent);
}

struct colors {
	const char *bold, *red, *yellow, *green, *dim, *off;
};

static const char *verdict_color(const struct colors *c, enum verdict v)
{
	return v == VERDICT_IMPLICATED ? c->red : v == VERDICT_RULED_OUT ? c->green : c->yellow;
}

static const char *severity_color(const struct colors *c, enum severity s)
{
	return s >= SEV_HIGH ? c->red : s == SEV_MEDIUM ? c->yellow : c->dim;
}

static void ledger_text(const json_object *ledger, FILE *out, const struct colors *c)
{
	json_object *rows, *v;
	size_t i, n;

	if (!json_object_object_get_ex(ledger, "rows", &rows) || !json_object_is_type(rows, json_type_array))
		return;
	n = json_object_array_length(rows);
	for (i = 0; i < n; i++) {
		json_object *row = json_object_array_get_idx(rows, i);
		const char *name = "", *note = "";
		int depth = 0;
		char b[32] = "", share[16] = "";
		char label[96];

		if (!json_object_is_type(row, json_type_object))
			continue;
		if (json_object_object_get_ex(row, "name", &v))
			name = json_object_get_string(v);
		if (json_object_object_get_ex(row, "note", &v) && json_object_is_type(v, json_type_string))
			note = json_object_get_string(v);
		if (json_object_object_get_ex(row, "depth", &v))
			depth = json_object_get_int(v);
		if (depth < 0 || depth > 6)
			depth = 0;
		if (json_object_object_get_ex(row, "bytes", &v) && !json_object_is_type(v, json_type_null))
			format_bytes(b, sizeof(b), json_object_get_int64(v));
		if (json_object_object_get_ex(row, "share", &v) && !json_object_is_type(v, json_type_null))
			snprintf(share, sizeof(share), "%5.1f%%", json_object_get_double(v) * 100);
		snprintf(label, sizeof(label), "%*s%s", depth * 2, "", name);
		fprintf(out, "  %-52.52s %10s %7s", label, b, share);
		/* a note that does not fit beside the numbers goes under the name */
		if (*note && strlen(note) <= WIDTH - 75)
			fprintf(out, "  %s%s%s\n", c->dim, note, c->off);
		else if (*note) {
			fprintf(out, "\n%s", c->dim);
			para(out, note, 6 + depth * 2);
			fputs(c->off, out);
		} else
			fputc('\n', out);
	}
}

int report_write_text(const struct report *r, FILE *out, int color)
{
	static const struct colors plain = { "", "", "", "", "", "" };
	static const struct colors ansi = { "\033[1m", "\033[31m", "\033[33m", "\033[32m", "\033[2m", "\033[0m" };
	const struct colors *c = color ? &ansi : &plain;
	char b[32];
	size_t i, j, ran = 0, skipped = 0, failed = 0;
	int g;

	fprintf(out, "%striage report%s for %s\n", c->bold, c->off, r->bundle ? r->bundle : "(bundle)");
	if (r->headline_bytes > 0) {
		format_bytes(b, sizeof(b), r->headline_bytes);
		fprintf(out, "headline: %s %s\n", r->headline_name ? r->headline_name : "memory", b);
	} else {
		fprintf(out, "headline: unknown (no cgroup or process memory in the bundle)\n");
	}

	fprintf(out, "\n%sLADDER%s\n", c->bold, c->off);
	for (g = 0; g < NR_RUNGS; g++) {
		const struct rung_verdict *v = &r->ladder[g];
		char head[64];

		snprintf(head, sizeof(head), "  %d %-12s ", g + 1, rung_name((enum rung)g));
		fprintf(out, "%s%s%-13s%s", head, verdict_color(c, v->verdict), verdict_name(v->verdict), c->off);
		for (j = 0; j < v->evidence.nr && j < 3; j++) {
			if (j)
				fprintf(out, "%30s", "");
			else
				fputc(' ', out);
			wrap(out, v->evidence.items[j], 32, 30);
		}
		if (!v->evidence.nr)
			fputc('\n', out);
		if (v->evidence.nr > 3)
			fprintf(out, "%30s(%zu more)\n", "", v->evidence.nr - 3);
	}

	fprintf(out, "\n%sFINDINGS%s", c->bold, c->off);
	if (!r->nr_findings)
		fprintf(out, "\n  none\n");
	else
		fprintf(out, " (most likely cause first)\n");
	for (i = 0; i < r->nr_findings; i++) {
		const struct finding *f = &r->findings[i];
		struct strbuf head = STRBUF_INIT;

		strbuf_addf(&head, "#%d %s%s%s %s/%s", f->rank, severity_color(c, f->severity),
			    severity_name(f->severity), c->off, rung_name(f->rung), f->rule ? f->rule : "?");
		if (f->bytes >= 0) {
			format_bytes(b, sizeof(b), f->bytes);
			strbuf_addf(&head, "  %s", b);
			if (r->headline_bytes > 0)
				strbuf_addf(&head, " (%.0f%% of headline)", 100.0 * (double)f->bytes / (double)r->headline_bytes);
		}
		strbuf_addf(&head, "  confidence %.2f", f->confidence);
		fprintf(out, "\n  %s\n", head.buf);
		strbuf_release(&head);
		if (f->title) {
			fputs(c->bold, out);
			para(out, f->title, 4);
			fputs(c->off, out);
		}
		if (f->summary)
			para(out, f->summary, 4);
		if (f->evidence.nr)
			fprintf(out, "    evidence:\n");
		for (j = 0; j < f->evidence.nr; j++) {
			fputs("      - ", out);
			wrap(out, f->evidence.items[j], 8, 8);
		}
		if (f->advice.nr)
			fprintf(out, "    advice:\n");
		for (j = 0; j < f->advice.nr; j++) {
			fputs("      - ", out);
			wrap(out, f->advice.items[j], 8, 8);
		}
		for (j = 0; j < f->refs.nr; j++)
			fprintf(out, "    ref: %s\n", f->refs.items[j]);
	}

	fprintf(out, "\n%sMEMORY LEDGER%s\n", c->bold, c->off);
	if (r->ledger)
		ledger_text(r->ledger, out, c);
	else
		fprintf(out, "  unavailable\n");

	for (i = 0; i < r->nr_rules; i++) {
		ran += r->rules[i].status == RULE_RAN;
		skipped += r->rules[i].status == RULE_SKIPPED;
		failed += r->rules[i].status == RULE_ERROR;
	}
	fprintf(out, "\n%sRULES%s: %zu ran, %zu skipped, %zu failed\n", c->bold, c->off, ran, skipped, failed);
	for (i = 0; i < r->nr_rules; i++) {
		const struct rule_result *x = &r->rules[i];
		struct strbuf line = STRBUF_INIT;

		if (x->status == RULE_RAN)
			continue;
		strbuf_addf(&line, "%s %s%s%s: %s", x->id ? x->id : x->file,
			    x->status == RULE_ERROR ? c->red : c->dim, rule_status_name(x->status), c->off,
			    x->reason ? x->reason : "");
		if (x->failure)
			strbuf_addf(&line, " [%s]", x->failure);
		fputs("  ", out);
		wrap(out, line.buf, 6, 2);
		strbuf_release(&line);
	}
	return ferror(out) ? -1 : 0;
}

/* ---- markdown ---- */

/* Markdown table cells must not break the row. */
static void md_cell(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else if (*s == '\n')
			fputc(' ', out);
		else
			fputc(*s, out);
	}
}

int report_write_markdown(const struct report *r, FILE *out)
{
	char b[32];
	size_t i, j;
	int g;

	fprintf(out, "# triage report: `%s`\n\n", r->bundle ? r->bundle : "bundle");
	if (r->headline_bytes > 0) {
		format_bytes(b, sizeof(b), r->headline_bytes);
		fprintf(out, "**Headline:** %s %s\n\n", r->headline_name ? r->headline_name : "memory", b);
	}
	fprintf(out, "## Ladder\n\n| # | rung | verdict | evidence |\n|---|---|---|---|\n");
	for (g = 0; g < NR_RUNGS; g++) {
		const struct rung_verdict *v = &r->ladder[g];

		fprintf(out, "| %d | %s | **%s** | ", g + 1, rung_name((enum rung)g), verdict_name(v->verdict));
		for (j = 0; j < v->evidence.nr; j++) {
			if (j)
				fputs("<br>", out);
			md_cell(out, v->evidence.items[j]);
		}
		fputs(" |\n", out);
	}
	fprintf(out, "\n## Findings\n\n");
	if (!r->nr_findings)
		fprintf(out, "None.\n");
	for (i = 0; i < r->nr_findings; i++) {
		const struct finding *f = &r->findings[i];

		fprintf(out, "### %d. %s\n\n", f->rank, f->title ? f->title : f->rule);
		fprintf(out, "- rule: `%s` (%s), severity **%s**, confidence %.2f", f->rule ? f->rule : "?",
			rung_name(f->rung), severity_name(f->severity), f->confidence);
		if (f->bytes >= 0) {
			format_bytes(b, sizeof(b), f->bytes);
			fprintf(out, ", explains %s", b);
		}
		fprintf(out, "\n\n");
		if (f->summary)
			fprintf(out, "%s\n\n", f->summary);
		if (f->evidence.nr) {
			fprintf(out, "Evidence:\n\n");
			for (j = 0; j < f->evidence.nr; j++)
				fprintf(out, "- %s\n", f->evidence.items[j]);
			fputc('\n', out);
		}
		if (f->advice.nr) {
			fprintf(out, "Advice:\n\n");
			for (j = 0; j < f->advice.nr; j++)
				fprintf(out, "- %s\n", f->advice.items[j]);
			fputc('\n', out);
		}
		for (j = 0; j < f->refs.nr; j++)
			fprintf(out, "- ref: <%s>\n", f->refs.items[j]);
		if (f->refs.nr)
			fputc('\n', out);
	}
	if (r->ledger) {
		json_object *rows, *v;

		fprintf(out, "## Memory ledger\n\n| item | bytes | share | note |\n|---|---:|---:|---|\n");
		if (json_object_object_get_ex(r->ledger, "rows", &rows) && json_object_is_type(rows, json_type_array)) {
			for (i = 0; i < json_object_array_length(rows); i++) {
				json_object *row = json_object_array_get_idx(rows, i);
				int depth = 0;

				if (json_object_object_get_ex(row, "depth", &v))
					depth = json_object_get_int(v);
				fputs("| ", out);
				for (g = 0; g < depth && g < 6; g++)
					fputs("&nbsp;&nbsp;", out);
				md_cell(out, json_object_object_get_ex(row, "name", &v) ? json_object_get_string(v) : "");
				b[0] = '\0';
				if (json_object_object_get_ex(row, "bytes", &v) && !json_object_is_type(v, json_type_null))
					format_bytes(b, sizeof(b), json_object_get_int64(v));
				fprintf(out, " | %s | ", b);
				if (json_object_object_get_ex(row, "share", &v) && !json_object_is_type(v, json_type_null))
					fprintf(out, "%.1f%%", json_object_get_double(v) * 100);
				fputs(" | ", out);
				if (json_object_object_get_ex(row, "note", &v) && json_object_is_type(v, json_type_string))
					md_cell(out, json_object_get_string(v));
				fputs(" |\n", out);
			}
		}
		fputc('\n', out);
	}
	fprintf(out, "## Rules\n\n| rule | rung | status | reason |\n|---|---|---|---|\n");
	for (i = 0; i < r->nr_rules; i++) {
		const struct rule_result *x = &r->rules[i];

		fprintf(out, "| `%s` | %s | %s%s%s | ", x->id ? x->id : "?", x->no_rung ? "-" : rung_name(x->rung),
			rule_status_name(x->status), x->failure ? ": " : "", x->failure ? x->failure : "");
		md_cell(out, x->reason ? x->reason : "");
		fputs(" |\n", out);
	}
	return ferror(out) ? -1 : 0;
}
