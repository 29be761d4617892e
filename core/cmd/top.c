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
#include <unistd.h>

#include "bundle/bundle.h"
#include "bundle/vocab.h"
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
	"  -h, --help                show this help\n"
	"\n"
	"FILE and --base FILE may be BUNDLE:ENTRY, ENTRY an entry path, a profile\n"
	"name or a sample (BUNDLE:samples/000 is its --profile kind, heap by\n"
	"default), so a diff can compare two samples of one bundle.\n";

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

/*
 * "BUNDLE:SPEC" names an entry of a bundle, so that both sides of a diff can
 * be samples of one bundle: SPEC is an entry path, a profile name, or a
 * sample directory ("samples/002", taking the --profile kind, heap by
 * default, from it). Fills path and, when there is a SPEC, the profile
 * name to use; 0, or -1 when FILE names no SPEC.
 */
static int split_entry(const char *file, const char *profile_name, struct strbuf *path,
		       struct strbuf *spec)
{
	const char *colon = strrchr(file, ':');
	const char *kind = profile_name ? profile_name : "heap";

	strbuf_reset(path);
	strbuf_reset(spec);
	/* an existing file whose name has a colon is that file */
	if (!colon || colon == file || !colon[1] || access(file, F_OK) == 0)
		return -1;
	strbuf_add(path, file, (size_t)(colon - file));
	if (!strncmp(colon + 1, ART_SAMPLES_DIR, strlen(ART_SAMPLES_DIR)) && !strstr(colon + 1, ".pb.gz")) {
		strbuf_addstr(spec, colon + 1);
		while (spec->len && spec->buf[spec->len - 1] == '/')
			spec->buf[--spec->len] = '\0';
		if (strchr(kind, '/'))	/* "-p profiles/heap.pb.gz": the same entry in the sample */
			strbuf_addf(spec, "/%s", kind);
		else
			strbuf_addf(spec, "/profiles/%s.pb.gz", !strcmp(kind, "profile") ? "cpu" : kind);
	} else {
		strbuf_addstr(spec, colon + 1);
	}
	return 0;
}

/*
 * Whether a bundle's entry is a view of another (docs/bundle-format.md:
 * allocs derived from heap): fills the entry to read and its sample type.
 */
static int derived_entry(const char *file, const char *entry, struct strbuf *from,
			 struct strbuf *sample)
{
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	json_object *m = NULL;
	const char *f, *s;
	int ret = 0;

	if (bundle_read_entry(file, ART_MANIFEST, &text, 16 << 20, &err) < 0)
		goto out;
	m = json_tokener_parse(text.buf);
	if (m && bundle_derived(m, entry, &f, &s)) {
		strbuf_addstr(from, f);
		strbuf_addstr(sample, s);
		ret = 1;
	}
out:
	json_object_put(m);
	strbuf_release(&text);
	strbuf_release(&err);
	return ret;
}

/* Loads FILE, which may be a profile, a bundle, or BUNDLE:ENTRY; the message names which. */
static int load_profile(struct profile *p, const char *file, const char *profile_name,
			const struct profile_options *opt, struct strbuf *name, struct strbuf *err)
{
	struct strbuf entry = STRBUF_INIT, path = STRBUF_INIT, spec = STRBUF_INIT;
	struct strbuf derived = STRBUF_INIT, sample = STRBUF_INIT;
	struct bundle_reader br;
	const char *e;
	int is_bundle, ret = -1;

	if (split_entry(file, profile_name, &path, &spec) == 0) {
		file = path.buf;
		profile_name = spec.buf;
	}
	strbuf_reset(name);
	strbuf_addstr(name, file);
	is_bundle = bundle_sniff(file, err);
	if (is_bundle < 0)
		goto out;
	if (!is_bundle) {
		if (profile_name)
			error_set(err, "--profile applies to bundles, and '%s' is a single profile", file);
		else
			ret = profile_read_file(p, file, opt, err);
		goto out;
	}
	e = bundle_entry_for(profile_name ? profile_name : "heap", &entry);
	if (!e) {
		error_set(err, "unknown profile '%s' (heap, allocs, goroutine, cpu, mutex, block, threadcreate)",
			  profile_name);
		goto out;
	}
	if (derived_entry(file, e, &derived, &sample))
		e = derived.buf;	/* allocs is the heap profile with another default */
	if (bundle_open_entry(&br, file, e, err) < 0) {
		bundle_reader_release(&br);
		goto out;
	}
	strbuf_addf(name, ":%s", e);
	ret = profile_decode(p, bundle_entry_read, &br, name->buf, opt, err);
	bundle_reader_release(&br);
	if (!ret && sample.len) {
		int i = profile_sample_index(p, sample.buf);

		if (i >= 0)
			p->default_sample_type = p->sample_types[i].type;
	}
out:
	strbuf_release(&derived);
	strbuf_release(&sample);
	strbuf_release(&entry);
	strbuf_release(&path);
	strbuf_release(&spec);
	return ret;
}

static void print_labels(const struct profile *p, const char *stype, const char *sunit,
			 const char *ounit, int64_t total, FILE *out)
{
	char v[64], pct[32];
	size_t i;

	if (p->nr_mappings) {
		const char *f = profile_str(p, p->mappings[0].filename);
		const char *b = profile_str(p, p->mappings[0].build_id);
		const char *slash = strrchr(f, '/');

		if (*f)
			fprintf(out, "File: %s\n", slash && slash[1] ? slash + 1 : f);
		if (*b)
			fprintf(out, "Build ID: %s\n", b);
	}
	for (i = 0; i < p->nr_comments; i++) {
		const char *c = profile_str(p, p->comments[i]);

		if (c[0] != '#')
			fprintf(out, "%s\n", c);
	}
	fprintf(out, "Type: %s\n", stype);
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
	const char *ounit;
	size_t i;

	for (i = 0; i < shown; i++) {
		flat[i] = t->rows[i].flat;
		cum[i] = t->rows[i].cum;
		flat_sum += flat[i];
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
		run += r->flat;
		units_label(f, sizeof(f), r->flat, sunit, ounit);
		units_label(c, sizeof(c), r->cum, sunit, ounit);
		units_percentage(fp, sizeof(fp), r->flat, t->total);
		units_percentage(sp, sizeof(sp), run, t->total);
		units_percentage(cp, sizeof(cp), r->cum, t->total);
		fprintf(out, "%10s %s %s %10s %s  %s%s\n", f, fp, sp, c, cp, agg_row_name(t, r), inl);
	}
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
			for (i = 0; i < p.nr_sample_types; i++)
				strbuf_addf(&err, " %s", profile_str(&p, p.sample_types[i].type));
			strbuf_addch(&err, ')');
			goto fail;
		}
	} else {
		idx = (int)profile_default_sample_index(&p);
	}
	/*
	 * A profile without samples is valid (an idle CPU profile, a block
	 * profile the program never enabled): pprof prints an empty table
	 * and so do we.
	 */
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
		/* a diff of an entry against itself is all zeros and says nothing */
		if (!strcmp(bname.buf, name.buf)) {
			error_set(&err, "the base is '%s' itself; name another entry, e.g. --base BUNDLE:samples/000",
				  name.buf);
			goto fail;
		}
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
