/* The JSON report, schema "triage.report/1" (docs/report-format.md). */
#include "report/report.h"

#include <math.h>

#include "base/json.h"

json_object *report_to_json(const struct report *r)
{
	json_object *root = json_object_new_object(), *ladder = json_object_new_array();
	json_object *findings = json_object_new_array(), *rules = json_object_new_array();
	json_object *head = json_object_new_object();
	size_t i;
	int g;

	json_object_object_add(root, "schema", json_object_new_string("triage.report/1"));
	json_object_object_add(root, "bundle", json_new_str_or_null(r->bundle));
	json_object_object_add(head, "name", json_new_str_or_null(r->headline_name));
	json_object_object_add(head, "bytes", json_object_new_int64(r->headline_bytes));
	json_object_object_add(root, "headline", head);
	if (r->pod)
		json_object_object_add(root, "pod", json_object_get(r->pod));
	for (g = 0; g < NR_RUNGS; g++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "rung", json_object_new_string(rung_name((enum rung)g)));
		json_object_object_add(o, "verdict", json_object_new_string(verdict_name(r->ladder[g].verdict)));
		json_object_object_add(o, "evidence", json_from_strlist(&r->ladder[g].evidence));
		json_object_array_add(ladder, o);
	}
	json_object_object_add(root, "ladder", ladder);
	for (i = 0; i < r->nr_findings; i++) {
		const struct finding *f = &r->findings[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "rank", json_object_new_int(f->rank));
		json_object_object_add(o, "id", json_new_str_or_null(f->rule));
		json_object_object_add(o, "rung", json_object_new_string(rung_name(f->rung)));
		json_object_object_add(o, "severity", json_object_new_string(severity_name(f->severity)));
		json_object_object_add(o, "confidence", json_object_new_double(f->confidence));
		json_object_object_add(o, "bytes", f->bytes >= 0 ? json_object_new_int64(f->bytes) : NULL);
		json_object_object_add(o, "score", json_object_new_double(round(f->score * 100) / 100));
		json_object_object_add(o, "title", json_new_str_or_null(f->title));
		json_object_object_add(o, "summary", json_new_str_or_null(f->summary));
		json_object_object_add(o, "evidence", json_from_strlist(&f->evidence));
		json_object_object_add(o, "advice", json_from_strlist(&f->advice));
		json_object_object_add(o, "refs", json_from_strlist(&f->refs));
		json_object_object_add(o, "claims", json_from_strlist(&f->claims));
		json_object_array_add(findings, o);
	}
	json_object_object_add(root, "findings", findings);
	json_object_object_add(root, "ledger", r->ledger ? json_object_get(r->ledger) : NULL);
	json_object_object_add(root, "growth", r->growth ? json_object_get(r->growth) : NULL);
	for (i = 0; i < r->nr_rules; i++) {
		const struct rule_result *x = &r->rules[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_new_str_or_null(x->id));
		json_object_object_add(o, "rung", x->no_rung ? NULL : json_object_new_string(rung_name(x->rung)));
		json_object_object_add(o, "title", json_new_str_or_null(x->title));
		json_object_object_add(o, "file", json_new_str_or_null(x->file));
		json_object_object_add(o, "origin", json_new_str_or_null(x->origin));
		json_object_object_add(o, "status", json_object_new_string(rule_status_name(x->status)));
		json_object_object_add(o, "reason", json_new_str_or_null(x->reason));
		if (x->failure)
			json_object_object_add(o, "failure", json_object_new_string(x->failure));
		json_object_array_add(rules, o);
	}
	json_object_object_add(root, "rules", rules);
	if (r->facts_status)
		json_object_object_add(root, "facts", json_object_get(r->facts_status));
	return root;
}

int report_write_json(const struct report *r, FILE *out, int color)
{
	json_object *j = report_to_json(r);

	(void)color;
	fputs(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					     JSON_C_TO_STRING_NOSLASHESCAPE), out);
	fputc('\n', out);
	json_object_put(j);
	return ferror(out) ? -1 : 0;
}
