/*
 * triage top: the flat/cum table of one profile, as go tool pprof -top
 * prints it, from a profile file or from a bundle.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/escape.h"
#include "base/satmath.h"
#include "bundle/bundle.h"
#include "cmd/cmd.h"
#include "cmd/opt.h"
#include "profile/aggregate.h"
#include "profile/profile.h"
#include "profile/units.h"

const char usage_top[] =
	"usage: triage top [options] FILE\n"
	"\n"
	"Print the functions of a profile with their flat and cumulative values,\n"
	"as 'go tool pprof -top -nodefraction=0' does. FILE is a pprof profile\n"
	"(gzip-compressed or raw) or a triage bundle.\n"
	"\n"
	"Options:\n"
	"  -p, --profile NAME        profile to use from a bundle: heap (default),\n"
	"                            allocs, goroutine, cpu, mutex, block,\n"
	"                            threadcreate, or an entry path\n"
	"  -i, --sample-index NAME   sample type to show, by name or number\n"
	"                            (default: the profile's default, else the last)\n"
	"  -n, --nodes N             show only the first N rows\n"
	"      --cum                 sort by cumulative value\n"
	"  -g, --group BY            function (default), package or module\n"
	"      --module PATH         a module path for --group module (repeatable)\n"
	"      --base FILE           subtract this profile first (a diff)\n"
	"  -f, --format FORMAT       text (default) or json (exact integers)\n"
	"      --max-decompressed N  refuse profiles that inflate beyond N bytes\n"
	"                            (suffixes K, M, G; default 1G)\n"
	"  -h, --help                show this help\n";

struct top_args {
	const char *file;
	const char *profile;
	const char *sample_index;
	const char *base;
	long nodes;
	int cum;
	int json;
	enum agg_group group;
	const char **modules;
	size_t nr_modules;
	struct profile_options popt;
};

static const char *bundle_entry_for(const char *name, struct strbuf *buf)
{
	static const char *const known[] = {
		"heap", "allocs", "goroutine", "cpu", "mutex", "block", "threadcreate", NULL,
	};
	const char *const *k;

	if (strchr(name, '/'))
		return name;
	if (!strcmp(name, "profile"))
		name = "cpu";
	for (k = known; *k; k++) {
		if (!strcmp(*k, name)) {
			strbuf_reset(buf);
			strbuf_addf(buf, "profiles/%s.pb.gz", name);
			return buf->buf;
		}
	}
	return NULL;
}

/* Loads FILE, which may be a profile or a bundle; the message names which. */
static int load_profile(struct profile *p, const char *file, const char *profile_name,
			const struct profile_options *opt, struct strbuf *name, struct strbuf *err)
{
	struct strbuf entry = STRBUF_INIT;
	struct bundle_reader br;
	const char *e;
	int is_bundle, ret = -1;

	strbuf_reset(name);
	strbuf_addstr(name, file);
	is_bundle = bundle_sniff(file, err);
	if (is_bundle < 0)
		return -1;
	if (!is_bundle) {
		if (profile_name)
			return error_set(err, "--profile applies to bundles, and '%s' is a single profile", file);
		return profile_read_file(p, file, opt, err);
	}
	e = bundle_entry_for(profile_name ? profile_name : "heap", &entry);
	if (!e) {
		error_set(err, "unknown profile '%s' (heap, allocs, goroutine, cpu, mutex, block, threadcreate)",
			  profile_name);
		goto out;
	}
	if (bundle_open_entry(&br, file, e, err) < 0) {
		bundle_reader_release(&br);
		goto out;
	}
	strbuf_addf(name, ":%s", e);
	ret = profile_decode(p, bundle_entry_read, &br, name->buf, opt, err);
	bundle_reader_release(&br);
out:
	strbuf_release(&entry);
	return ret;
}

static void print_labels(const struct profile *p, const char *stype, const char *sunit,
			 const char *ounit, int64_t total, FILE *out)
{
	char v[64], pct[32];
	struct strbuf tmp = STRBUF_INIT;
	size_t i;

	/* names, comments and types come from the file: escaped for the terminal */
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
	strbuf_release(&tmp);
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
	strbuf_release(&tmp);
	free(flat);
	free(cum);
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

static int parse_args(int argc, char **argv, struct top_args *a)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "sample-index", required_argument, NULL, 'i' },
		{ "sample_index", required_argument, NULL, 'i' },
		{ "nodes", required_argument, NULL, 'n' },
		{ "cum", no_argument, NULL, 'c' },
		{ "group", required_argument, NULL, 'g' },
		{ "module", required_argument, NULL, 'm' },
		{ "base", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' },
		{ "max-decompressed", required_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "p:i:n:g:f:", opts, NULL)) != -1) {
		switch (c) {
		case 'p': a->profile = optarg; break;
		case 'i': a->sample_index = optarg; break;
		case 'n':
			if (opt_long("top", "-n", optarg, 0, LONG_MAX, &a->nodes))
				return -1;
			break;
		case 'c': a->cum = 1; break;
		case 'g':
			if (!strcmp(optarg, "function") || !strcmp(optarg, "functions"))
				a->group = AGG_FUNCTION;
			else if (!strcmp(optarg, "package"))
				a->group = AGG_PACKAGE;
			else if (!strcmp(optarg, "module"))
				a->group = AGG_MODULE;
			else
				return command_usage_error("top", "--group is function, package or module, not '%s'", optarg);
			break;
		case 'm':
			a->modules = xreallocarray(a->modules, a->nr_modules + 1, sizeof(*a->modules));
			a->modules[a->nr_modules++] = optarg;
			break;
		case 'b': a->base = optarg; break;
		case 'f':
			if (!strcmp(optarg, "json"))
				a->json = 1;
			else if (strcmp(optarg, "text"))
				return command_usage_error("top", "--format is text or json, not '%s'", optarg);
			break;
		case 'M':
			if (opt_size("top", "--max-decompressed", optarg, 1, UINT64_MAX, &a->popt.max_decompressed))
				return -1;
			break;
		default:
			if (optopt && strchr("pinfg", optopt))
				return command_usage_error("top", "option '-%c' needs a value", optopt);
			return command_usage_error("top", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return command_usage_error("top", "which profile? give a FILE");
	if (optind + 1 < argc)
		return command_usage_error("top", "one FILE at a time ('%s' is extra)", argv[optind + 1]);
	a->file = argv[optind];
	return 0;
}

/* What decoding went past (a drop_frames pattern that does not compile). */
static void print_warnings(const struct profile *p)
{
	const char *s = strbuf_str(&p->warnings);

	while (*s) {
		size_t n = strcspn(s, "\n");

		fprintf(stderr, "triage top: warning: %.*s\n", (int)n, s);
		s += n + (s[n] == '\n');
	}
}

int cmd_top(int argc, char **argv)
{
	struct top_args a;
	struct profile p, base;
	struct agg_table t, bt;
	struct agg_options ao;
	struct strbuf err = STRBUF_INIT, name = STRBUF_INIT, bname = STRBUF_INIT;
	size_t shown, all;
	int idx, ret = EXIT_USAGE;

	memset(&a, 0, sizeof(a));
	profile_init(&p);
	profile_init(&base);
	agg_table_init(&t);
	agg_table_init(&bt);
	if (parse_args(argc, argv, &a))
		goto out;
	a.popt.skip_labels = 1;	/* the table never needs them */
	if (load_profile(&p, a.file, a.profile, &a.popt, &name, &err) < 0)
		goto fail;
	print_warnings(&p);
	if (!p.nr_sample_types) {
		error_set(&err, "profile '%s' declares no sample types", name.buf);
		goto fail;
	}
	if (a.sample_index) {
		idx = profile_sample_index(&p, a.sample_index);
		if (idx < 0) {
			size_t i;

			error_set(&err, "profile '%s' has no sample type '%s' (it has:", name.buf, a.sample_index);
			for (i = 0; i < p.nr_sample_types && i < 20; i++) {
				const char *ty = profile_str(&p, p.sample_types[i].type);

				strbuf_addch(&err, ' ');
				strbuf_add_escaped(&err, ty, strlen(ty));
			}
			if (i < p.nr_sample_types)
				strbuf_addf(&err, " and %zu more", p.nr_sample_types - i);
			strbuf_addch(&err, ')');
			goto fail;
		}
	} else {
		idx = (int)profile_default_sample_index(&p);
	}
	if (!p.nr_samples) {
		error_set(&err, "profile '%s' has no samples (block and mutex profiles stay empty unless the program enables them)",
			  name.buf);
		goto fail;
	}
	memset(&ao, 0, sizeof(ao));
	ao.sample_index = (size_t)idx;
	ao.group = a.group;
	ao.modules = a.modules;
	ao.nr_modules = a.nr_modules;
	if (profile_aggregate(&p, &ao, &t, &err) < 0)
		goto fail;
	if (a.base) {
		const char *stype = profile_str(&p, p.sample_types[idx].type);
		int bidx;

		if (load_profile(&base, a.base, a.profile, &a.popt, &bname, &err) < 0)
			goto fail;
		print_warnings(&base);
		bidx = profile_sample_index(&base, stype);
		if (bidx < 0) {
			error_set(&err, "base profile '%s' has no sample type '%s'", bname.buf, stype);
			goto fail;
		}
		ao.sample_index = (size_t)bidx;
		if (profile_aggregate(&base, &ao, &bt, &err) < 0 ||
		    agg_table_subtract(&t, &bt, &err) < 0)
			goto fail;
		/* as pprof -diff_base: percentages are of the base's total */
		t.total = bt.total;
	}
	/* the numbers are printed anyway, stuck at the limit, but flagged */
	if (t.saturated)
		fprintf(stderr, "triage top: warning: profile '%s': values too large: sums went past the 64-bit range and are shown at its limit (%" PRId64 ")\n",
			name.buf, INT64_MAX);
	agg_table_drop_empty(&t);
	agg_table_sort(&t, a.cum);
	all = t.nr;
	shown = a.nodes && (size_t)a.nodes < all ? (size_t)a.nodes : all;
	if (!a.json && a.group == AGG_FUNCTION && !a.base)
		agg_table_mark_inline(&t, &p, shown);
	if (a.json)
		print_json(&p, (size_t)idx, &t, shown, stdout);
	else
		print_text(&p, (size_t)idx, &t, shown, all, stdout);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "triage top: cannot write output: %s\n", strerror(errno));
		ret = EXIT_INTERNAL;
		goto out;
	}
	ret = EXIT_OK;
	goto out;
fail:
	fprintf(stderr, "triage top: %s\n", strbuf_str(&err));
	ret = EXIT_USAGE;
out:
	free(a.modules);
	agg_table_release(&t);
	agg_table_release(&bt);
	profile_release(&p);
	profile_release(&base);
	strbuf_release(&err);
	strbuf_release(&name);
	strbuf_release(&bname);
	return ret;
}
