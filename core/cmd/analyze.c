/*
 * triage analyze: walk the decision ladder over a bundle and rank what the
 * rules found. The work is in core/analyze/analyze.c; this file is options and
 * output.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "analyze/fleet.h"
#include "base/io.h"
#include "cmd/cmd.h"
#include "cmd/opt.h"
#include "report/report.h"
#include "base/strlist.h"
#include "watch/watch.h"

const char usage_analyze[] =
	"usage: triage analyze [options] BUNDLE [BUNDLE...]\n"
	"       triage analyze [options] DIR            (a triage watch directory)\n"
	"       triage analyze --fleet DIR|s3://BUCKET/PREFIX/ [options]\n"
	"\n"
	"Walk the decision ladder over a bundle: business code, libraries, runtime,\n"
	"tooling, environment. Every rung gets a verdict (implicated, ruled out,\n"
	"inconclusive) with its evidence, findings are ranked most likely cause\n"
	"first, and the memory ledger accounts for the headline number.\n"
	"Several bundles of one target are one series over time, ordered by\n"
	"collection time; the newest is analyzed, and growth spans them all.\n"
	"\n"
	"Options:\n"
	"  -f, --format FORMAT    text (default; colour on a terminal), markdown, json,\n"
	"                         html (one self-contained page with flame graphs)\n"
	"  -o, --output PATH      write the report to PATH instead of stdout\n"
	"      --rules DIR        also run the rules in DIR (repeatable); a rule with\n"
	"                         a built-in rule's id replaces it\n"
	"      --base BUNDLE      an earlier bundle of the same service, for growth\n"
	"      --force            analyze bundles of different targets as one series\n"
	"      --fail-on SEV      exit 1 when a finding is at or above SEV\n"
	"                         (critical, high, medium, low, info)\n"
	"      --no-color         no colour even on a terminal\n"
	"      --max-memory SIZE  Lua memory cap (default 64M)\n"
	"      --max-instructions N  Lua instruction cap per rule (default 50000000)\n"
	"      --rule-timeout SECONDS  wall-clock limit per rule (default 20; 0 runs\n"
	"                         rules in process, without the watchdog)\n"
	"      --fleet DIR|s3://BUCKET/PREFIX/  analyze every bundle (*.tgz) there in\n"
	"                         parallel and print a fleet summary: findings by rule\n"
	"                         and cause with how many pods and hosts show each,\n"
	"                         grouped by module@version, Go version, kernel and\n"
	"                         build ID, worst pods first; a broken bundle is\n"
	"                         reported and skipped\n"
	"      --jobs N           fleet workers at a time (default: one per core)\n"
	"      --endpoint URL     S3-compatible store for --fleet s3:// (default\n"
	"                         AWS_ENDPOINT_URL; credentials as for triage upload)\n"
	"  -h, --help             show this help\n"
	"\n"
	"Rules are also read from $TRIAGE_RULES_PATH (colon-separated) and\n"
	"$XDG_CONFIG_HOME/triage/rules. Exit status: 0 ok, 1 findings at or above\n"
	"--fail-on, 2 bad usage, an unreadable bundle, or rules that ran out of\n"
	"memory, instructions or time (the analysis is incomplete), 3 internal error.\n"
	"\n"
	"DIR is a directory of bundles from triage watch: the bundles are listed on\n"
	"stderr and the newest is analyzed, with every earlier bundle of the same\n"
	"process as its series (the first of them as --base unless one is given).\n";

/*
 * Colour only for a person at a terminal. NO_COLOR follows no-color.org:
 * set and not empty turns colour off; set but empty counts as unset.
 */
static int use_color(int no_color, const char *output)
{
	const char *env = getenv("NO_COLOR");

	return !no_color && !output && isatty(STDOUT_FILENO) && !(env && *env);
}

/* --fleet: the summary in the format asked for (fleet.h), to stdout or output. */
static int run_fleet(const struct fleet_options *fo, const char *format, const char *output, int fail_on)
{
	struct strbuf err = STRBUF_INIT;
	json_object *summary = NULL;
	FILE *out = stdout;
	int ret = EXIT_USAGE, wrote;

	if (strcmp(format, "text") && strcmp(format, "markdown") && strcmp(format, "json")) {
		ret = command_usage_error("analyze", "--fleet prints text, markdown or json, not '%s'", format);
		goto out;
	}
	if (fleet_run(fo, &summary, &err) < 0) {
		fprintf(stderr, "triage analyze: %s\n", err.buf);
		goto out;
	}
	if (output && !(out = fopen(output, "w"))) {
		fprintf(stderr, "triage analyze: cannot write report '%s': %s\n", output, strerror(errno));
		out = stdout;
		goto out;
	}
	wrote = !strcmp(format, "json") ? fleet_write_json(summary, out) :
		!strcmp(format, "markdown") ? fleet_write_markdown(summary, out) : fleet_write_text(summary, out);
	if (fflush(out) || wrote < 0) {
		fprintf(stderr, "triage analyze: cannot write the report: %s\n", strerror(errno));
		ret = EXIT_INTERNAL;
		goto out;
	}
	ret = fail_on >= 0 && fleet_max_severity(summary) >= fail_on ? EXIT_FINDINGS : EXIT_OK;
out:
	if (out != stdout)
		fclose(out);
	if (summary)
		json_object_put(summary);
	strbuf_release(&err);
	return ret;
}

int cmd_analyze(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "rules", required_argument, NULL, 'r' },
		{ "base", required_argument, NULL, 'b' },
		{ "fail-on", required_argument, NULL, 'F' },
		{ "no-color", no_argument, NULL, 'C' },
		{ "max-memory", required_argument, NULL, 'M' },
		{ "max-instructions", required_argument, NULL, 'I' },
		{ "rule-timeout", required_argument, NULL, 'T' },
		{ "force", no_argument, NULL, 'X' },
		{ "fleet", required_argument, NULL, 'L' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "endpoint", required_argument, NULL, 'E' },
		{ NULL, 0, NULL, 0 },
	};
	struct analyze_options o;
	struct fleet_options fo = { 0 };
	struct report r;
	struct strbuf err = STRBUF_INIT, picked = STRBUF_INIT, picked_base = STRBUF_INIT;
	struct strlist between = STRLIST_INIT;
	const struct report_format *format = report_format_list();	/* the default, text */
	const char **dirs = NULL, *output = NULL, *file;
	size_t nr_dirs = 0;
	int c, starved, fail_on = -1, no_color = 0, ret = EXIT_USAGE, wrote;
	FILE *out = stdout;

	analyze_options_init(&o);
	report_init(&r);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = report_format_find(optarg);
			if (!format) {
				struct strbuf names = STRBUF_INIT;

				report_format_names(&names);
				ret = command_usage_error("analyze", "--format is %s, not '%s'", names.buf, optarg);
				strbuf_release(&names);
				goto out;
			}
			break;
		case 'o': output = optarg; break;
		case 'r':
			dirs = xreallocarray(dirs, nr_dirs + 1, sizeof(*dirs));
			dirs[nr_dirs++] = optarg;
			break;
		case 'b': o.base_bundle = optarg; break;
		case 'F': {
			enum severity s;

			if (severity_parse(optarg, &s) < 0) {
				ret = command_usage_error("analyze", "--fail-on is critical, high, medium, low or info, not '%s'", optarg);
				goto out;
			}
			fail_on = (int)s;
			break;
		}
		case 'C': no_color = 1; break;
		case 'X': o.force = 1; break;
		case 'M': {
			uint64_t v;

			if (opt_size("analyze", "--max-memory", optarg, 1 << 20, SIZE_MAX, &v))
				goto out;
			o.limits.max_memory = (size_t)v;
			break;
		}
		case 'I': {
			long v;

			if (opt_long("analyze", "--max-instructions", optarg, 1000, LONG_MAX, &v))
				goto out;
			o.limits.max_instructions = (unsigned long long)v;
			break;
		}
		case 'T': {
			long v;

			if (opt_seconds("analyze", "--rule-timeout", optarg, 0, 3600, &v))
				goto out;
			o.rule_timeout_ms = (int)v * 1000;
			break;
		}
		case 'L': fo.source = optarg; break;
		case 'E': fo.endpoint = optarg; break;
		case 'j': {
			long v;

			if (opt_long("analyze", "--jobs", optarg, 1, 1024, &v))
				goto out;
			fo.jobs = (int)v;
			break;
		}
		default:
			ret = command_usage_error("analyze", "unknown option '%s'", argv[optind - 1]);
			goto out;
		}
	}
	if (fo.source) {
		if (optind < argc) {
			ret = command_usage_error("analyze", "--fleet takes no BUNDLE ('%s' is extra)", argv[optind]);
			goto out;
		}
		analyze_options_add_default_dirs(&o, dirs, nr_dirs);
		fo.analyze = &o;
		fo.progress = isatty(STDERR_FILENO);
		ret = run_fleet(&fo, format->name, output, fail_on);
		goto out;
	}
	if (fo.jobs || fo.endpoint) {
		ret = command_usage_error("analyze", "--jobs and --endpoint go with --fleet");
		goto out;
	}
	if (optind >= argc) {
		ret = command_usage_error("analyze", "which bundle? give a BUNDLE");
		goto out;
	}
	file = argv[optind];
	/* the rest are more points of the same series */
	o.more_bundles = (const char *const *)argv + optind + 1;
	o.nr_more_bundles = (size_t)(argc - optind - 1);
	for (c = 0; (size_t)c < nr_dirs; c++) {
		if (access(dirs[c], R_OK) < 0) {
			fprintf(stderr, "triage analyze: cannot read rules directory '%s': %s\n", dirs[c], strerror(errno));
			goto out;
		}
	}
	/*
	 * A triage watch directory: the newest bundle, with the first one of
	 * the same process as its base, which joins the growth series.
	 */
	if (is_dir(file)) {
		if (watch_dir_pick(file, &picked, &picked_base, &between, stderr, &err) < 0) {
			fprintf(stderr, "triage analyze: %s\n", err.buf);
			goto out;
		}
		file = picked.buf;
		if (!o.base_bundle && picked_base.len)
			o.base_bundle = picked_base.buf;
		/* every bundle of the process between its first and the newest: one climb */
		if (!o.nr_more_bundles && between.nr) {
			o.more_bundles = (const char *const *)between.items;
			o.nr_more_bundles = between.nr;
		}
		fprintf(stderr, "triage analyze: analyzing the newest, %s%s%s", file,
			o.base_bundle ? ", against " : "", o.base_bundle ? o.base_bundle : "");
		if (between.nr)
			fprintf(stderr, ", with %zu bundle%s in between as one series", between.nr,
				between.nr == 1 ? "" : "s");
		fputc('\n', stderr);
	}
	analyze_options_add_default_dirs(&o, dirs, nr_dirs);
	if (analyze_bundle(file, &o, &r, &err) < 0) {
		fprintf(stderr, "triage analyze: %s\n", err.buf);
		ret = EXIT_USAGE;
		goto out;
	}
	if (output) {
		out = fopen(output, "w");
		if (!out) {
			fprintf(stderr, "triage analyze: cannot write report '%s': %s\n", output, strerror(errno));
			out = stdout;
			ret = EXIT_USAGE;
			goto out;
		}
	}
	wrote = format->write(&r, out, use_color(no_color, output));
	if (fflush(out) || wrote < 0) {
		fprintf(stderr, "triage analyze: cannot write the report: %s\n", strerror(errno));
		ret = EXIT_INTERNAL;
		goto out;
	}
	ret = fail_on >= 0 && report_max_severity(&r) >= fail_on ? EXIT_FINDINGS : EXIT_OK;
	/*
	 * Rules that could not finish for lack of resources may be exactly the
	 * ones that would have fired: such an analysis must never pass as a
	 * clean one, with or without --fail-on.
	 */
	starved = 0;
	for (c = 0; (size_t)c < r.nr_rules; c++) {
		const char *f = r.rules[c].failure;

		starved += f && (!strcmp(f, "memory_limit") || !strcmp(f, "instruction_limit") ||
				 !strcmp(f, "timeout"));
	}
	/* a plugin that ran out starves every rule built on its fact */
	if (r.facts_status) {
		json_object_object_foreach(r.facts_status, fact, why) {
			const char *w = json_object_get_string(why);

			(void)fact;
			starved += w && (strstr(w, "failed (instruction limit)") || strstr(w, "failed (memory limit)"));
		}
	}
	if (starved) {
		fprintf(stderr, "triage analyze: the analysis is incomplete: %d rule(s) or plugin(s) ran out of memory, instructions or time (see RULES)\n",
			starved);
		ret = EXIT_USAGE;
	}
out:
	if (out != stdout)
		fclose(out);
	free(dirs);
	report_release(&r);
	analyze_options_release(&o);
	strbuf_release(&err);
	strbuf_release(&picked);
	strbuf_release(&picked_base);
	strlist_release(&between);
	return ret;
}
