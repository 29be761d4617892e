/*
 * The report model: what analyze found, how findings rank and how each rung
 * gets its verdict. The formats that print it are one file each (text.c,
 * markdown.c, json.c), found by name through formats.c.
 */
#include "base/json.h"
#include "report/report.h"

#include <math.h>
#include <stdio.h>

#include "bundle/vocab.h"

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
	strlist_release(&f->claims);
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
	free(r->base_bundle);
	free(r->headline_name);
	if (r->ledger)
		json_object_put(r->ledger);
	if (r->growth)
		json_object_put(r->growth);
	if (r->facts_status)
		json_object_put(r->facts_status);
	if (r->pod)
		json_object_put(r->pod);
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

	if (f->explained_elsewhere)
		explained = 0;	/* its bytes are another finding's: it adds no explanation */
	else if (f->bytes >= 0 && headline > 0) {
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

/* The ledger leaf with this id (ledger.leaves[]), NULL when there is none. */
static json_object *ledger_leaf(const struct report *r, const char *id)
{
	json_object *leaves = json_get_array(r->ledger, "leaves");
	size_t i, n = leaves ? json_object_array_length(leaves) : 0;

	for (i = 0; i < n; i++) {
		json_object *l = json_object_array_get_idx(leaves, i);
		const char *lid = json_get_str(l, "id", NULL);

		if (lid && !strcmp(lid, id))
			return l;
	}
	return NULL;
}

/*
 * One attribution: a finding that claims ledger leaves takes its bytes
 * from them, and a leaf is explained by one finding only, the one that
 * ranks first (a known issue before the generic "a dependency holds the
 * heap" about the same module). A later claimant loses the leaf, its bytes
 * shrink, and its evidence says which finding explains them. This holds
 * for every rule, a team's too, without rules knowing about each other.
 */
static void arbitrate_claims(struct report *r)
{
	struct strlist taken = STRLIST_INIT, owner = STRLIST_INIT;
	size_t i, k, j;

	for (i = 0; i < r->nr_findings; i++) {
		struct finding *f = &r->findings[i];
		struct strlist kept = STRLIST_INIT;
		int64_t bytes = 0;
		size_t found = 0;	/* claims that are leaves of this ledger */

		if (!f->claims.nr)
			continue;
		for (k = 0; k < f->claims.nr; k++) {
			json_object *leaf = ledger_leaf(r, f->claims.items[k]);
			struct strbuf sb = STRBUF_INIT;

			if (!leaf)
				continue;	/* a leaf this bundle does not have */
			found++;
			for (j = 0; j < taken.nr && strcmp(taken.items[j], f->claims.items[k]); j++)
				;
			if (j < taken.nr) {
				strbuf_addf(&sb, "%s (%s) is explained by the %s finding",
					    json_get_str(leaf, "name", f->claims.items[k]), f->claims.items[k],
					    owner.items[j]);
				strlist_add(&f->evidence, sb.buf);
				strbuf_release(&sb);
				continue;
			}
			strlist_add(&taken, f->claims.items[k]);
			strlist_add(&owner, f->rule ? f->rule : "?");
			strlist_add(&kept, f->claims.items[k]);
			bytes += json_get_int(leaf, "bytes", 0) > 0 ? json_get_int(leaf, "bytes", 0) : 0;
		}
		strlist_release(&f->claims);
		f->claims = kept;
		/*
		 * None of its leaves is in this ledger: the bytes it speaks of
		 * are not part of the headline (page cache when the headline is
		 * RSS), so it explains none of it.
		 */
		f->bytes = kept.nr ? bytes : -1;
		f->explained_elsewhere = found && !kept.nr;
	}
	strlist_release(&taken);
	strlist_release(&owner);
}

void report_finish(struct report *r)
{
	size_t i;
	int g;

	for (i = 0; i < r->nr_findings; i++)
		r->findings[i].score = finding_score(&r->findings[i], r->headline_bytes);
	sort_array(r->findings, r->nr_findings, sizeof(*r->findings), finding_cmp);
	if (r->ledger) {
		/* claims are settled in rank order, then the ranking is redone */
		arbitrate_claims(r);
		for (i = 0; i < r->nr_findings; i++)
			r->findings[i].score = finding_score(&r->findings[i], r->headline_bytes);
		sort_array(r->findings, r->nr_findings, sizeof(*r->findings), finding_cmp);
	}
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

/* ---- the GROWTH section ---- */

/* A value of the series as a cell: bytes, a count, or "-" when absent. */
static void growth_cell(char *buf, json_object *o, const char *key, int bytes, int sign, const char *suffix)
{
	json_object *v;
	double d;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))) {
		snprintf(buf, GROWTH_CELL, "-");
		return;
	}
	d = json_object_get_double(v);
	if (!isfinite(d)) {
		snprintf(buf, GROWTH_CELL, "-");
		return;
	}
	if (bytes) {
		char b[24];

		format_bytes(b, sizeof(b), (int64_t)llround(d));
		snprintf(buf, GROWTH_CELL, "%s%s%s", sign && d >= 0 ? "+" : "", b, suffix);
	} else {
		snprintf(buf, GROWTH_CELL, "%s%.0f%s", sign && d >= 0 ? "+" : "", d, suffix);
	}
}

/* "+54.0 MiB/min ... 1.2 MiB" for a list of {name, change, rate_per_min}, at most max entries. */
static void growth_list(struct strbuf *sb, json_object *list, int bytes, size_t max)
{
	size_t i, n = list ? json_object_array_length(list) : 0, shown = 0;

	for (i = 0; i < n && shown < max; i++) {
		json_object *e = json_object_array_get_idx(list, i);
		char c[GROWTH_CELL], rate[GROWTH_CELL];

		if (json_get_int(e, "change", 0) <= 0)
			continue;
		growth_cell(c, e, "change", bytes, 1, "");
		strbuf_addf(sb, "%s%s %s", shown ? ", " : "", json_get_str(e, "name", "?"), c);
		if (bytes && json_object_object_get_ex(e, "rate_per_min", NULL)) {
			growth_cell(rate, e, "rate_per_min", 1, 1, "/min");
			strbuf_addf(sb, " (%s)", rate);
		}
		shown++;
	}
}

int growth_table_build(const struct report *r, struct growth_table *t)
{
	static const char *const titles[GROWTH_COLS] = { "time", NULL, "RSS", "HeapInuse", "goroutines" };
	const char *keys[GROWTH_COLS] = { NULL, NULL, "rss", "HeapInuse", "goroutines" };
	const int bytes[GROWTH_COLS] = { 0, 1, 1, 1, 0 };
	json_object *rows, *head, *metrics, *grew, *a;
	struct strbuf sb = STRBUF_INIT;
	size_t i, n;
	int c;

	memset(t, 0, sizeof(*t));
	if (!r->growth || !(rows = json_get_array(r->growth, "rows")))
		return -1;
	head = json_get_obj(r->growth, "headline");
	metrics = json_get_obj(r->growth, "metrics");
	keys[1] = json_get_str(head, "key", "working_set");
	snprintf(t->head[1], GROWTH_CELL, "%s", !strcmp(keys[1], "rss") ? "RSS (headline)" : "working set");
	if (!strcmp(keys[1], "rss"))
		keys[2] = "rss_anon";
	for (c = 0; c < GROWTH_COLS; c++)
		if (titles[c])
			snprintf(t->head[c], GROWTH_CELL, "%s", c == 2 && keys[2] && !strcmp(keys[2], "rss_anon") ? "RssAnon" : titles[c]);

	n = json_object_array_length(rows);
	t->cells = xreallocarray(NULL, n ? n : 1, sizeof(*t->cells));
	for (i = 0; i < n; i++) {
		json_object *row = json_object_array_get_idx(rows, i);
		const char *when = json_get_str(row, "time", NULL);
		char el[GROWTH_CELL];

		growth_cell(el, row, "elapsed", 0, 1, " s");
		/* the clock time of an ISO string "2026-11-22T04:01:02.345Z", then the offset */
		if (when && strlen(when) >= 19)
			snprintf(t->cells[i][0], GROWTH_CELL, "%.8s %.16s", when + 11, el);
		else
			snprintf(t->cells[i][0], GROWTH_CELL, "%s", el);
		for (c = 1; c < GROWTH_COLS; c++)
			growth_cell(t->cells[i][c], row, keys[c], bytes[c], 0, "");
	}
	t->nr_rows = n;
	snprintf(t->rate[0], GROWTH_CELL, "slope/min");
	for (c = 1; c < GROWTH_COLS; c++)
		growth_cell(t->rate[c], json_get_obj(metrics, keys[c]), "slope_per_min", bytes[c], 1, "");

	if (json_get_str(r->growth, "summary", NULL))
		strlist_add(&t->lines, json_get_str(r->growth, "summary", ""));
	if (json_get_str(head, "projection", NULL))
		strlist_add(&t->lines, json_get_str(head, "projection", ""));
	if ((a = json_get_array(r->growth, "reasons")))
		for (i = 0; i < json_object_array_length(a); i++) {
			strbuf_reset(&sb);
			strbuf_addf(&sb, "cannot decide: %s", json_object_get_string(json_object_array_get_idx(a, i)));
			strlist_add(&t->lines, sb.buf);
		}
	if ((a = json_get_array(r->growth, "notes")))
		for (i = 0; i < json_object_array_length(a); i++)
			strlist_add(&t->lines, json_object_get_string(json_object_array_get_idx(a, i)));
	{
		json_object *heap = json_get_obj(r->growth, "heap");

		if (heap) {
			char ch[GROWTH_CELL], sl[GROWTH_CELL];
			const char *k = json_get_str(heap, "key", "");

			growth_cell(ch, heap, "change", 1, 1, "");
			growth_cell(sl, heap, "slope_per_min", 1, 1, "/min");
			strbuf_reset(&sb);
			strbuf_addf(&sb, "live heap (%s): %s, %s, %s", !strcmp(k, "heap_profile_inuse") ?
				    "heap profile inuse_space, each as of a GC up to two cycles back" : k, ch, sl,
				    json_get_str(heap, "trend", json_get_str(heap, "undecided", "cannot tell")));
			strlist_add(&t->lines, sb.buf);
		}
	}
	grew = json_get_obj(r->growth, "grew");
	if (grew && !json_get_str(grew, "profile_note", NULL)) {
		static const char *const lists[][2] = {
			{ "functions", "grew in the heap profile (first to last sample), by function: " },
			{ "packages", "by package: " },
			{ "modules", "by module: " },
		};

		for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
			size_t len;

			strbuf_reset(&sb);
			strbuf_addstr(&sb, lists[i][1]);
			len = sb.len;
			growth_list(&sb, json_get_array(grew, lists[i][0]), 1, 3);
			if (sb.len > len)
				strlist_add(&t->lines, sb.buf);
		}
	} else if (grew) {
		strlist_add(&t->lines, json_get_str(grew, "profile_note", ""));
	}
	if (grew && json_get_array(grew, "ledger")) {
		size_t len;

		strbuf_reset(&sb);
		strbuf_addstr(&sb, "ledger rows that grew: ");
		len = sb.len;
		growth_list(&sb, json_get_array(grew, "ledger"), 1, 5);
		if (sb.len > len)
			strlist_add(&t->lines, sb.buf);
	}
	if (grew && json_get_array(grew, "goroutines")) {
		size_t len;

		strbuf_reset(&sb);
		strbuf_addstr(&sb, "goroutines that grew: ");
		len = sb.len;
		growth_list(&sb, json_get_array(grew, "goroutines"), 0, 3);
		if (sb.len > len)
			strlist_add(&t->lines, sb.buf);
	}
	strbuf_release(&sb);
	return 0;
}

void growth_table_release(struct growth_table *t)
{
	free(t->cells);
	t->cells = NULL;
	strlist_release(&t->lines);
}

void report_pod_line(const struct report *r, struct strbuf *sb)
{
	const char *runtime;

	if (!r->pod)
		return;
	strbuf_addf(sb, "pod %s", json_get_str(r->pod, MF_POD_UID, "?"));
	if (json_get_str(r->pod, MF_POD_CONTAINER_ID, NULL))
		strbuf_addf(sb, " container %.12s", json_get_str(r->pod, MF_POD_CONTAINER_ID, ""));
	runtime = json_get_str(r->pod, MF_POD_RUNTIME, NULL);
	strbuf_addf(sb, " (%s%s%s, %s driver)", runtime ? runtime : "", runtime ? ", " : "",
		    json_get_str(r->pod, MF_POD_QOS, "?"), json_get_str(r->pod, MF_POD_CGROUP_DRIVER, "?"));
}
