/*
 * The text report: what a person reads on a terminal, wrapped at WIDTH
 * columns, with colour when the caller asks for it (docs/report-format.md).
 */
#include "report/report.h"

#include <string.h>

#include "base/escape.h"

#define WIDTH 100

/*
 * Prints s wrapped to WIDTH. The caller has already printed up to column
 * col; continuation lines start at column indent. Rule text carries names
 * from the bundle: every word is escaped (base/escape.h).
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
		col += (int)fput_escaped(out, s, w);
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
		struct strbuf tmp = STRBUF_INIT;

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
		snprintf(label, sizeof(label), "%*s%s", depth * 2, "", text_safe(&tmp, name));
		fprintf(out, "  %-52.52s %10s %7s", label, b, share);
		/* a note that does not fit beside the numbers goes under the name */
		if (*note && strlen(note) <= WIDTH - 75 && !text_needs_escape(note, strlen(note)))
			fprintf(out, "  %s%s%s\n", c->dim, note, c->off);
		else if (*note) {
			fprintf(out, "\n%s", c->dim);
			para(out, note, 6 + depth * 2);
			fputs(c->off, out);
		} else
			fputc('\n', out);
		strbuf_release(&tmp);
	}
}

static void growth_text(const struct report *r, FILE *out, const struct colors *c)
{
	struct growth_table t;
	size_t i, j;
	int k;

	if (growth_table_build(r, &t) < 0) {
		growth_table_release(&t);
		return;
	}
	fprintf(out, "\n%sGROWTH%s\n", c->bold, c->off);
	for (j = 0; j < t.lines.nr && j < 2; j++)
		para(out, t.lines.items[j], 2);
	fputc('\n', out);
	fprintf(out, "  %-20s", t.head[0]);
	for (k = 1; k < GROWTH_COLS; k++)
		fprintf(out, " %15s", t.head[k]);
	fputc('\n', out);
	for (i = 0; i < t.nr_rows; i++) {
		fprintf(out, "  %-20s", t.cells[i][0]);
		for (k = 1; k < GROWTH_COLS; k++)
			fprintf(out, " %15s", t.cells[i][k]);
		fputc('\n', out);
	}
	fprintf(out, "  %s%-20s", c->dim, t.rate[0]);
	for (k = 1; k < GROWTH_COLS; k++)
		fprintf(out, " %15s", t.rate[k]);
	fprintf(out, "%s\n", c->off);
	for (j = 2; j < t.lines.nr; j++) {
		fputs("  - ", out);
		wrap(out, t.lines.items[j], 4, 4);
	}
	growth_table_release(&t);
}

int report_write_text(const struct report *r, FILE *out, int color)
{
	static const struct colors plain = { "", "", "", "", "", "" };
	static const struct colors ansi = { "\033[1m", "\033[31m", "\033[33m", "\033[32m", "\033[2m", "\033[0m" };
	const struct colors *c = color ? &ansi : &plain;
	struct strbuf tmp = STRBUF_INIT;
	char b[32];
	size_t i, j, ran = 0, skipped = 0, failed = 0;
	int g;

	fprintf(out, "%striage report%s for %s\n", c->bold, c->off,
		r->bundle ? text_safe(&tmp, r->bundle) : "(bundle)");
	if (r->headline_bytes > 0) {
		format_bytes(b, sizeof(b), r->headline_bytes);
		fprintf(out, "headline: %s %s\n", r->headline_name ? text_safe(&tmp, r->headline_name) : "memory", b);
	} else {
		fprintf(out, "headline: unknown (no cgroup or process memory in the bundle)\n");
	}
	if (r->pod) {
		struct strbuf pod = STRBUF_INIT;

		report_pod_line(r, &pod);
		fprintf(out, "kubernetes: %s\n", pod.buf);
		strbuf_release(&pod);
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
			    severity_name(f->severity), c->off, rung_name(f->rung), f->rule ? text_safe(&tmp, f->rule) : "?");
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
			fprintf(out, "    ref: %s\n", text_safe(&tmp, f->refs.items[j]));
	}

	growth_text(r, out, c);

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
	strbuf_release(&tmp);
	return ferror(out) ? -1 : 0;
}
