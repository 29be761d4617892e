/*
 * The -top table: a profile's functions (or packages, or modules) with
 * their flat and cumulative values, optionally against a base profile,
 * printed as go tool pprof -top -nodefraction=0 prints it (text, byte for
 * byte: tests/pprof-compare.sh) or as JSON with exact integers.
 */
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/escape.h"
#include "base/satmath.h"
#include "profile/aggregate.h"
#include "profile/top.h"
#include "profile/units.h"

static void print_labels(const struct profile *p, const char *stype, const char *sunit,
			 const char *ounit, int64_t total, FILE *out)
{
	/* names, comments and types come from the file: escaped for the terminal */
	struct strbuf tmp = STRBUF_INIT;
	char v[64], pct[32];
	size_t i;

	if (p->nr_mappings) {
		const char *f = profile_str(p, p->mappings[0].filename);
		const char *b = profile_str(p, p->mappings[0].build_id);
		const char *slash = strrchr(f, '/');

		if (*f)
			fprintf(out, "File: %s\n", text_safe(&tmp, slash && slash[1] ? slash + 1 : f));
		if (*b)
			fprintf(out, "Build ID: %s\n", text_safe(&tmp, b));
	}
	for (i = 0; i < p->nr_comments; i++) {
		const char *c = profile_str(p, p->comments[i]);

		if (c[0] != '#')
			fprintf(out, "%s\n", text_safe(&tmp, c));
	}
	fprintf(out, "Type: %s\n", text_safe(&tmp, stype));
	if (p->time_nanos) {
		time_t t = (time_t)(p->time_nanos / 1000000000);
		struct tm tm;
		char when[96];

		if (p->time_nanos < 0 && p->time_nanos % 1000000000)
			t--;
		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%b %-d, %Y at %-I:%M%P (%Z)", &tm);
		fprintf(out, "Time: %s\n", when);
	}
	if (p->duration_nanos) {
		const char *tu;
		double tn = units_scale(total, sunit, "nanoseconds", &tu);
		char ratio[48] = "";

		units_label(v, sizeof(v), p->duration_nanos, "nanoseconds", "auto");
		if (!strcmp(tu, "ns") && tn != 0) {
			units_percentage(pct, sizeof(pct), (int64_t)tn, p->duration_nanos);
			snprintf(ratio, sizeof(ratio), "(%s)", pct);
		}
		fprintf(out, "Duration: %s, Total samples = ", v);
		units_label(v, sizeof(v), total, sunit, ounit);
		fprintf(out, "%s %s\n", v, ratio);
	}
	strbuf_release(&tmp);
}

static void print_text(const struct profile *p, size_t idx, const struct agg_table *t,
		       size_t shown, size_t all, FILE *out)
{
	const char *stype = profile_str(p, p->sample_types[idx].type);
	const char *sunit = profile_str(p, p->sample_types[idx].unit);
	int64_t *flat = xmalloc((shown ? shown : 1) * sizeof(int64_t));
	int64_t *cum = xmalloc((shown ? shown : 1) * sizeof(int64_t));
	int64_t flat_sum = 0, run = 0;
	char f[64], c[64], fp[32], sp[32], cp[32], tot[64];
	struct strbuf tmp = STRBUF_INIT;
	const char *ounit;
	size_t i;

	for (i = 0; i < shown; i++) {
		flat[i] = t->rows[i].flat;
		cum[i] = t->rows[i].cum;
		flat_sum = sat_add64(flat_sum, flat[i], NULL);
	}
	ounit = units_select(flat, cum, shown, t->total, sunit);
	print_labels(p, stype, sunit, ounit, t->total, out);
	units_label(f, sizeof(f), flat_sum, sunit, ounit);
	units_percentage(fp, sizeof(fp), flat_sum, t->total);
	units_label(tot, sizeof(tot), t->total, sunit, ounit);
	fprintf(out, "Showing nodes accounting for %s, %s of %s total\n", f,
		fp + strspn(fp, " "), tot);
	if (t->total && shown && shown < all)
		fprintf(out, "Showing top %zu nodes out of %zu\n", shown, all);
	fprintf(out, "%10s %5s%% %5s%% %10s %5s%%\n", "flat", "flat", "sum", "cum", "cum");
	for (i = 0; i < shown; i++) {
		const struct agg_row *r = &t->rows[i];
		const char *inl = "";

		if (r->inline_in)
			inl = r->noinline_in ? " (partial-inline)" : " (inline)";
		run = sat_add64(run, r->flat, NULL);
		units_label(f, sizeof(f), r->flat, sunit, ounit);
		units_label(c, sizeof(c), r->cum, sunit, ounit);
		units_percentage(fp, sizeof(fp), r->flat, t->total);
		units_percentage(sp, sizeof(sp), run, t->total);
		units_percentage(cp, sizeof(cp), r->cum, t->total);
		fprintf(out, "%10s %s %s %10s %s  %s%s\n", f, fp, sp, c, cp,
			text_safe(&tmp, agg_row_name(t, r)), inl);
	}
	free(flat);
	free(cum);
	strbuf_release(&tmp);
}

static int print_json(const struct profile *p, size_t idx, const struct agg_table *t,
		      size_t shown, FILE *out)
{
	json_object *root = json_object_new_object(), *rows = json_object_new_array();
	size_t i;

	json_object_object_add(root, "sample_type",
			       json_object_new_string(profile_str(p, p->sample_types[idx].type)));
	json_object_object_add(root, "unit",
			       json_object_new_string(profile_str(p, p->sample_types[idx].unit)));
	json_object_object_add(root, "total", json_object_new_int64(t->total));
	for (i = 0; i < shown; i++) {
		json_object *r = json_object_new_object();

		json_object_object_add(r, "name", json_object_new_string(agg_row_name(t, &t->rows[i])));
		json_object_object_add(r, "flat", json_object_new_int64(t->rows[i].flat));
		json_object_object_add(r, "cum", json_object_new_int64(t->rows[i].cum));
		json_object_array_add(rows, r);
	}
	json_object_object_add(root, "rows", rows);
	fputs(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE),
	      out);
	fputc('\n', out);
	json_object_put(root);
	return 0;
}

int profile_top(struct profile *p, struct profile *base, const char *name, const char *bname,
		const struct top_request *rq, FILE *out, struct strbuf *err)
{
	struct agg_table t, bt;
	struct agg_options ao;
	size_t shown, all;
	int idx, ret = -1;

	agg_table_init(&t);
	agg_table_init(&bt);
	if (!p->nr_sample_types) {
		error_set(err, "profile '%s' declares no sample types", name);
		goto out;
	}
	if (rq->sample_index) {
		idx = profile_sample_index(p, rq->sample_index);
		if (idx < 0) {
			size_t i;

			error_set(err, "profile '%s' has no sample type '%s' (it has:", name, rq->sample_index);
			for (i = 0; i < p->nr_sample_types && i < 20; i++) {
				const char *ty = profile_str(p, p->sample_types[i].type);

				strbuf_addch(err, ' ');
				strbuf_add_escaped(err, ty, strlen(ty));
			}
			if (i < p->nr_sample_types)
				strbuf_addf(err, " and %zu more", p->nr_sample_types - i);
			strbuf_addch(err, ')');
			goto out;
		}
	} else {
		idx = (int)profile_default_sample_index(p);
	}
	/*
	 * A profile without samples is valid (an idle CPU profile, a block
	 * profile the program never enabled): pprof prints an empty table
	 * and so do we.
	 */
	memset(&ao, 0, sizeof(ao));
	ao.sample_index = (size_t)idx;
	ao.group = rq->group;
	ao.modules = rq->modules;
	ao.nr_modules = rq->nr_modules;
	if (profile_aggregate(p, &ao, &t, err) < 0)
		goto out;
	if (base) {
		const char *stype = profile_str(p, p->sample_types[idx].type);
		int bidx = profile_sample_index(base, stype);

		if (bidx < 0) {
			error_set(err, "base profile '%s' has no sample type '%s'", bname, stype);
			goto out;
		}
		ao.sample_index = (size_t)bidx;
		if (profile_aggregate(base, &ao, &bt, err) < 0 || agg_table_subtract(&t, &bt, err) < 0)
			goto out;
		/* as pprof -diff_base: percentages are of the base's total */
		t.total = bt.total;
	}
	/* the numbers are printed anyway, stuck at the limit, but flagged */
	if (t.saturated)
		strbuf_addf(&p->warnings, "profile '%s': values too large: sums went past the 64-bit range and are shown at its limit (%" PRId64 ")\n",
			    name, INT64_MAX);
	agg_table_drop_empty(&t);
	agg_table_sort(&t, rq->cum);
	all = t.nr;
	shown = rq->nodes && (size_t)rq->nodes < all ? (size_t)rq->nodes : all;
	if (!rq->json && rq->group == AGG_FUNCTION && !base)
		agg_table_mark_inline(&t, p, shown);
	if (rq->json)
		print_json(p, (size_t)idx, &t, shown, out);
	else
		print_text(p, (size_t)idx, &t, shown, all, out);
	ret = 0;
out:
	agg_table_release(&t);
	agg_table_release(&bt);
	return ret;
}
