/* The Markdown report, for tickets and pull requests (docs/report-format.md). */
#include "report/report.h"

#include <string.h>

#include "base/escape.h"

/*
 * Markdown table cells must not break the row: '|' is escaped, and so is
 * every control character (a newline would end the row, ESC would reach
 * whoever cats the file), as base/escape.h does.
 */
static void md_cell(FILE *out, const char *s)
{
	struct strbuf tmp = STRBUF_INIT;

	for (s = text_safe(&tmp, s); s && *s; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else
			fputc(*s, out);
	}
	strbuf_release(&tmp);
}

int report_write_markdown(const struct report *r, FILE *out, int color)
{
	struct strbuf t1 = STRBUF_INIT, t2 = STRBUF_INIT;
	char b[32];
	size_t i, j;
	int g;
	struct growth_table gt;

	(void)color;	/* Markdown has no colour; the renderer styles it */
	/* text from the bundle and from rules is escaped: a newline must not start a heading or row */
	fprintf(out, "# triage report: `%s`\n\n", r->bundle ? text_safe(&t1, r->bundle) : "bundle");
	if (r->headline_bytes > 0) {
		format_bytes(b, sizeof(b), r->headline_bytes);
		fprintf(out, "**Headline:** %s %s\n\n", r->headline_name ? text_safe(&t1, r->headline_name) : "memory", b);
	}
	if (r->pod) {
		struct strbuf pod = STRBUF_INIT;

		report_pod_line(r, &pod);
		fprintf(out, "**Kubernetes:** %s\n\n", pod.buf);
		strbuf_release(&pod);
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

		fprintf(out, "### %d. %s\n\n", f->rank, text_safe(&t1, f->title ? f->title : f->rule ? f->rule : "?"));
		fprintf(out, "- rule: `%s` (%s), severity **%s**, confidence %.2f", f->rule ? text_safe(&t1, f->rule) : "?",
			rung_name(f->rung), severity_name(f->severity), f->confidence);
		if (f->bytes >= 0) {
			format_bytes(b, sizeof(b), f->bytes);
			fprintf(out, ", explains %s", b);
		}
		fprintf(out, "\n\n");
		if (f->summary)
			fprintf(out, "%s\n\n", text_safe(&t1, f->summary));
		if (f->evidence.nr) {
			fprintf(out, "Evidence:\n\n");
			for (j = 0; j < f->evidence.nr; j++)
				fprintf(out, "- %s\n", text_safe(&t1, f->evidence.items[j]));
			fputc('\n', out);
		}
		if (f->advice.nr) {
			fprintf(out, "Advice:\n\n");
			for (j = 0; j < f->advice.nr; j++)
				fprintf(out, "- %s\n", text_safe(&t1, f->advice.items[j]));
			fputc('\n', out);
		}
		for (j = 0; j < f->refs.nr; j++)
			fprintf(out, "- ref: <%s>\n", text_safe(&t1, f->refs.items[j]));
		if (f->refs.nr)
			fputc('\n', out);
	}
	if (growth_table_build(r, &gt) == 0) {
		size_t k;

		fprintf(out, "## Growth\n\n");
		for (k = 0; k < gt.lines.nr && k < 2; k++)
			fprintf(out, "%s\n\n", gt.lines.items[k]);
		fputs("|", out);
		for (g = 0; g < GROWTH_COLS; g++)
			fprintf(out, " %s |", gt.head[g]);
		fputs("\n|---|", out);
		for (g = 1; g < GROWTH_COLS; g++)
			fputs("---:|", out);
		fputc('\n', out);
		for (k = 0; k <= gt.nr_rows; k++) {
			fputs("|", out);
			for (g = 0; g < GROWTH_COLS; g++) {
				const char *cell = k < gt.nr_rows ? gt.cells[k][g] : gt.rate[g];

				fprintf(out, k < gt.nr_rows ? " %s |" : " *%s* |", cell);
			}
			fputc('\n', out);
		}
		fputc('\n', out);
		for (k = 2; k < gt.lines.nr; k++) {
			fputs("- ", out);
			md_cell(out, gt.lines.items[k]);
			fputc('\n', out);
		}
		if (gt.lines.nr > 2)
			fputc('\n', out);
	}
	growth_table_release(&gt);
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

		fprintf(out, "| `%s` | %s | %s%s%s | ", x->id ? text_safe(&t1, x->id) : "?",
			x->no_rung ? "-" : rung_name(x->rung), rule_status_name(x->status),
			x->failure ? ": " : "", x->failure ? text_safe(&t2, x->failure) : "");
		md_cell(out, x->reason ? x->reason : "");
		fputs(" |\n", out);
	}
	strbuf_release(&t1);
	strbuf_release(&t2);
	return ferror(out) ? -1 : 0;
}
