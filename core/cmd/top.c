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

#include "bundle/profile-source.h"
#include "cmd/cmd.h"
#include "cmd/opt.h"
#include "profile/top.h"

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
	struct top_request rq;
	struct profile p, base;
	struct strbuf err = STRBUF_INIT, name = STRBUF_INIT, bname = STRBUF_INIT;
	int ret = EXIT_USAGE;

	memset(&a, 0, sizeof(a));
	profile_init(&p);
	profile_init(&base);
	if (parse_args(argc, argv, &a))
		goto out;
	a.popt.skip_labels = 1;	/* the table never needs them */
	if (profile_load_any(&p, a.file, a.profile, &a.popt, &name, &err) < 0)
		goto fail;
	if (a.base) {
		if (profile_load_any(&base, a.base, a.profile, &a.popt, &bname, &err) < 0)
			goto fail;
		/* a diff of an entry against itself is all zeros and says nothing */
		if (!strcmp(bname.buf, name.buf)) {
			error_set(&err, "the base is '%s' itself; name another entry, e.g. --base BUNDLE:samples/000",
				  name.buf);
			goto fail;
		}
	}
	memset(&rq, 0, sizeof(rq));
	rq.sample_index = a.sample_index;
	rq.group = a.group;
	rq.modules = a.modules;
	rq.nr_modules = a.nr_modules;
	rq.cum = a.cum;
	rq.nodes = a.nodes;
	rq.json = a.json;
	if (profile_top(&p, a.base ? &base : NULL, name.buf, bname.buf, &rq, stdout, &err) < 0) {
		print_warnings(&p);
		goto fail;
	}
	/* what decoding and the table went past, after the table as pprof does */
	print_warnings(&p);
	if (a.base)
		print_warnings(&base);
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
	profile_release(&p);
	profile_release(&base);
	strbuf_release(&err);
	strbuf_release(&name);
	strbuf_release(&bname);
	return ret;
}
