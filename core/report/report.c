/*
 * The report model: what analyze found, how findings rank and how each rung
 * gets its verdict. The formats that print it are one file each (text.c,
 * markdown.c, json.c), found by name through formats.c.
 */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "base/sort.h"

static const char *const rung_names[NR_RUNGS] = {
	"business", "libraries", "runtime", "tooling", "environment",
};
static const char *const severity_names[NR_SEVERITIES] = {
	"info", "low", "medium", "high", "critical",
};

/* The index of s in names[0..nr), -1 when absent: rungs and severities share it. */
static int name_index(const char *const *names, int nr, const char *s)
{
	int i;

	for (i = 0; i < nr; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

const char *rung_name(enum rung r)
{
	return (unsigned)r < NR_RUNGS ? rung_names[r] : "?";
}

int rung_parse(const char *s, enum rung *out)
{
	int i = name_index(rung_names, NR_RUNGS, s);

	if (i < 0)
		return -1;
	*out = (enum rung)i;
	return 0;
}

const char *severity_name(enum severity s)
{
	return (unsigned)s < NR_SEVERITIES ? severity_names[s] : "?";
}

int severity_parse(const char *s, enum severity *out)
{
	int i = name_index(severity_names, NR_SEVERITIES, s);

	if (i < 0)
		return -1;
	*out = (enum severity)i;
	return 0;
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

void finding_release(struct finding *f)
{
	free(f->rule);
	free(f->title);
	free(f->summary);
	strlist_release(&f->evidence);
	strlist_release(&f->advice);
	strlist_release(&f->refs);
}

void rung_note_release(struct rung_note *n)
{
	free(n->rule);
	free(n->reason);
	strlist_release(&n->evidence);
}

void report_truncate(struct report *r, size_t nr_findings, size_t nr_notes)
{
	while (r->nr_findings > nr_findings)
		finding_release(&r->findings[--r->nr_findings]);
	while (r->nr_notes > nr_notes)
		rung_note_release(&r->notes[--r->nr_notes]);
}

void report_release(struct report *r)
{
	size_t i;

	report_truncate(r, 0, 0);
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
	sort_array(r->findings, r->nr_findings, sizeof(*r->findings), finding_cmp);
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
