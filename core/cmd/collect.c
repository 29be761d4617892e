/*
 * triage collect: gather everything the ladder needs from a live process
 * into one bundle. The work is collect_bundle() (core/collect/plan.c); this
 * file parses the options, picks the output and turns Ctrl-C into a request
 * to stop early.
 */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/quantity.h"
#include "cmd/cmd.h"
#include "cmd/opt.h"
#include "collect/bundle-write.h"
#include "collect/collect.h"
#include "collect/pprof.h"
#include "collect/proc.h"
#include "collect/s3.h"

const char usage_collect[] =
	"usage: triage collect [options] PID\n"
	"       triage collect --pprof-url URL [options]\n"
	"\n"
	"Gather heap, goroutine, CPU, threadcreate (and mutex and block when the\n"
	"program enabled them) profiles, MemStats, /proc/PID, cgroup memory, host\n"
	"facts and the Go build info into one bundle (a gzip tarball with\n"
	"manifest.json; allocs is recorded as a view of the heap profile). A\n"
	"source that fails is recorded in the manifest and the others still run.\n"
	"A target in another network namespace (a pod) is reached from inside\n"
	"that namespace.\n"
	"\n"
	"What it costs the target: it is never stopped or traced. Its goroutines\n"
	"are first read from its memory (runtime/goroutine-census.txt: needs the\n"
	"binary's DWARF and symbols, and ptrace rights), which costs it nothing.\n"
	"Then it is talked to over HTTP, one request at a time in order of cost,\n"
	"the CPU profile beside them; the pprof index counts goroutines and heap\n"
	"stacks first, for nothing. goroutine?debug=2 stops the world while it\n"
	"formats every stack (5 to 20 ms per thousand goroutines on 2 cores), so\n"
	"it is taken only up to --goroutine-dump-max goroutines; above that the\n"
	"census also stands in for the goroutine profile, which makes the target\n"
	"allocate ~400 bytes per goroutine. The heap profile stops it briefly. MemStats come from expvar's /debug/vars when the program\n"
	"imports expvar, else from the trailer of heap?debug=1, which is not\n"
	"asked for above 20000 heap stacks. Near the memory limit the CPU profile\n"
	"and the text dumps are skipped. The manifest says what was skipped and\n"
	"why (pprof/endpoint.json has the plan).\n"
	"\n"
	"Options:\n"
	"      --pprof-url URL      the target's /debug/pprof/ (default: discovered\n"
	"                           from PID's listening sockets); without PID only\n"
	"                           the HTTP sources are collected (port-forwards)\n"
	"      --cpu-seconds N      CPU profile length (default 10; 0 skips it)\n"
	"      --samples N          take N samples of the cheap sources (heap,\n"
	"                           goroutine, MemStats, status, smaps_rollup, cgroup\n"
	"                           usage) into samples/NNN/ (default 1: none)\n"
	"      --interval SECONDS   time between samples (default 30)\n"
	"      --gc-heap            fetch heap?gc=1: the target runs a full GC\n"
	"                           before each heap profile, so two samples show\n"
	"                           real growth; costs it one GC cycle a profile\n"
	"      --goroutine-dump-max N  take goroutine?debug=2 only up to N\n"
	"                           goroutines (default 10000; 0 never); above N\n"
	"                           the goroutine census replaces the goroutine\n"
	"                           profile too, when there is one\n"
	"      --near-limit PCT     collect cheaply when the cgroup's working set\n"
	"                           is at least PCT% of its limit (default 90; 0 never)\n"
	"      --force              take the expensive requests anyway: the\n"
	"                           goroutine dump, the goroutine profile and\n"
	"                           heap?debug=1 whatever the counts, and\n"
	"                           everything near the limit\n"
	"      --timeout SECONDS    per HTTP request (default 10)\n"
	"      --deadline SECONDS   for the whole collection (default: 60 plus the\n"
	"                           CPU seconds plus the sampling time)\n"
	"      --max-artifact SIZE  cap per artifact (default 256M; K, M, G)\n"
	"  -o, --output PATH        bundle path, '-' for stdout (default\n"
	"                           triage-HOST-PID-YYYYMMDDTHHMMSSZ.tgz)\n"
	"      --upload s3://BUCKET/PREFIX/  then upload the bundle (as 'triage\n"
	"                           upload' does) and remove the local copy once\n"
	"                           the store confirmed it (HTTP 200 and ETag)\n"
	"      --upload-url URL     the same to a presigned PUT URL (no credentials)\n"
	"      --endpoint URL       S3-compatible store for --upload (default\n"
	"                           AWS_ENDPOINT_URL, else AWS)\n"
	"      --keep               keep the local bundle after a confirmed upload\n"
	"  -q, --quiet              no progress line even on a terminal\n"
	"  -h, --help               show this help\n"
	"\n"
	"Ctrl-C during collection stops it and writes what was gathered.\n"
	"A summary line on stderr says what was collected and the most important\n"
	"failure. Exit status: 0 bundle written with profiles, 4 bundle written\n"
	"but without any profile (no pprof endpoint, or not a Go program), 2 bad\n"
	"usage or no such process, 3 the bundle could not be written or a --upload\n"
	"failed (the bundle is kept and the message says where).\n";

static volatile int interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
	/* a second one means "really stop now" */
	signal(sig, SIG_DFL);
}

struct collect_args {
	struct collect_request rq;	/* what collect_bundle() gets, parsed into place */
	const char *output;
	int quiet;
	const char *upload, *upload_url, *endpoint;
	int keep;
};

static int parse_args(int argc, char **argv, struct collect_args *a)
{
	static const struct option opts[] = {
		{ "pprof-url", required_argument, NULL, 'u' },
		{ "cpu-seconds", required_argument, NULL, 'c' },
		{ "samples", required_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'I' },
		{ "timeout", required_argument, NULL, 't' },
		{ "deadline", required_argument, NULL, 'd' },
		{ "max-artifact", required_argument, NULL, 'm' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "gc-heap", no_argument, NULL, 'G' },
		{ "upload", required_argument, NULL, 'U' },
		{ "upload-url", required_argument, NULL, 'P' },
		{ "endpoint", required_argument, NULL, 'E' },
		{ "keep", no_argument, NULL, 'K' },
		{ "force", no_argument, NULL, 'F' },
		{ "goroutine-dump-max", required_argument, NULL, 'g' },
		{ "near-limit", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	long v;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:q", opts, NULL)) != -1) {
		switch (c) {
		case 'u': a->rq.url = optarg; break;
		case 'c':
			if (opt_seconds("collect", "--cpu-seconds", optarg, 0, 3600, &v))
				return -1;
			a->rq.cpu_seconds = (int)v;
			break;
		case 's':
			if (opt_long("collect", "--samples", optarg, 1, 1000, &a->rq.samples))
				return -1;
			break;
		case 'I':
			if (opt_seconds("collect", "--interval", optarg, 0, 86400, &a->rq.interval_s))
				return -1;
			break;
		case 't':
			if (opt_seconds("collect", "--timeout", optarg, 1, 3600, &a->rq.timeout_s))
				return -1;
			break;
		case 'd':
			if (opt_seconds("collect", "--deadline", optarg, 1, 7 * 86400, &a->rq.deadline_s))
				return -1;
			break;
		case 'm':
			if (opt_size("collect", "--max-artifact", optarg, 1, UINT64_MAX, &a->rq.max_artifact))
				return -1;
			break;
		case 'o': a->output = optarg; break;
		case 'q': a->quiet = 1; break;
		case 'G': a->rq.gc_heap = 1; break;
		case 'U': a->upload = optarg; break;
		case 'P': a->upload_url = optarg; break;
		case 'E': a->endpoint = optarg; break;
		case 'K': a->keep = 1; break;
		case 'F': a->rq.force = 1; break;
		case 'g':
			if (opt_long("collect", "--goroutine-dump-max", optarg, 0, LONG_MAX, &a->rq.goroutine_dump_max))
				return -1;
			break;
		case 'L':
			if (opt_long("collect", "--near-limit", optarg, 0, 100, &v))
				return -1;
			a->rq.near_limit_pct = (double)v;
			break;
		default:
			if (optopt == 'o')
				return command_usage_error("collect", "-o needs a path");
			return command_usage_error("collect", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		if (parse_long_range(argv[optind], 1, INT_MAX, &v))
			return command_usage_error("collect", "'%s' is not a process id", argv[optind]);
		a->rq.pid = (pid_t)v;
		optind++;
	}
	if (optind < argc)
		return command_usage_error("collect", "one PID at a time ('%s' is extra)", argv[optind]);
	if (!a->rq.pid && !a->rq.url)
		return command_usage_error("collect", "which process? give a PID, or --pprof-url URL");
	if (a->upload && a->upload_url)
		return command_usage_error("collect", "give --upload or --upload-url, not both");
	if (a->upload && !s3_is_url(a->upload))
		return command_usage_error("collect", "--upload takes s3://BUCKET/PREFIX/, not '%s'", a->upload);
	if ((a->upload || a->upload_url) && a->output && !strcmp(a->output, "-"))
		return command_usage_error("collect", "--upload needs a bundle file, not -o -");
	return 0;
}

/*
 * The bundle is written and renamed into place first, so whatever happens
 * to the upload the evidence is on disk; it goes only once the store has
 * confirmed the object.
 */
static int upload(const struct collect_args *a, const char *file)
{
	struct strbuf err = STRBUF_INIT, where = STRBUF_INIT, etag = STRBUF_INIT;
	int ret = EXIT_INTERNAL;

	if (s3_upload_bundle(file, a->upload, a->upload_url, a->endpoint, a->rq.timeout_s, &where,
			     &etag, &err) < 0) {
		fprintf(stderr, "triage collect: upload failed: %s\n", err.buf);
		fprintf(stderr, "triage collect: the bundle is kept at %s\n", file);
		goto out;
	}
	printf("%s\n", where.buf);
	fprintf(stderr, "triage collect: uploaded to %s (ETag %s)\n", where.buf, etag.buf);
	if (!a->keep && unlink(file) == 0)
		fprintf(stderr, "triage collect: removed the local copy %s\n", file);
	ret = EXIT_OK;
out:
	strbuf_release(&err);
	strbuf_release(&where);
	strbuf_release(&etag);
	return ret;
}

int cmd_collect(int argc, char **argv)
{
	struct collect_args a;
	struct collect_result res;
	struct bundle_out out;
	struct strbuf err = STRBUF_INIT, path = STRBUF_INIT, spool = STRBUF_INIT;
	struct sigaction sa, old_sa, old_term, old_hup;
	int ret = EXIT_USAGE;

	memset(&a, 0, sizeof(a));
	collect_request_init(&a.rq);
	memset(&out, 0, sizeof(out));
	out.fd = -1;
	if (parse_args(argc, argv, &a))
		goto out;
	if (a.rq.pid && pid_check(a.rq.pid, &err) < 0) {
		fprintf(stderr, "triage collect: %s\n", err.buf);
		/* the two ways a collector in a container usually fails (docs/kubernetes.md) */
		if (strstr(err.buf, "no process with pid"))
			fprintf(stderr, "triage collect: hint: from a container, the target must be in its PID "
				"namespace: kubectl debug --target=APP, shareProcessNamespace: true, or hostPID: true "
				"on a node agent\n");
		else if (strstr(err.buf, "not permitted"))
			fprintf(stderr, "triage collect: hint: reading another process's memory maps and "
				"/proc/PID/root needs CAP_SYS_PTRACE (kubectl debug --profile=general) or the "
				"target's UID and no fewer capabilities than it has\n");
		goto out;
	}
	if (a.output)
		strbuf_addstr(&path, a.output);
	else
		collect_default_output(&path, a.rq.pid);
	if (!strcmp(path.buf, "-") && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "triage collect: refusing to write a tarball to a terminal\n");
		goto out;
	}
	/* fail before collecting anything if the bundle cannot be written */
	if (bundle_out_open(&out, path.buf, &err) < 0) {
		fprintf(stderr, "triage collect: %s\n", err.buf);
		goto out;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	/*
	 * SIGTERM (a pod's shutdown, systemd stopping a unit) and SIGHUP (a
	 * closed terminal) stop the collection like Ctrl-C: what was gathered
	 * is written, never a partial or hidden temporary file.
	 */
	sigaction(SIGINT, &sa, &old_sa);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);

	a.rq.progress = !a.quiet && isatty(STDERR_FILENO);
	bundle_out_spool_dir(&out, &spool);
	a.rq.spool_dir = spool.buf;
	a.rq.interrupted = &interrupted;
	ret = collect_bundle(&a.rq, &out, &res, &err);
	sigaction(SIGINT, &old_sa, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	if (ret < 0) {
		fprintf(stderr, "triage collect: %s\n", err.buf);
		ret = EXIT_INTERNAL;
		goto out;
	}
	if (out.final_path) {
		printf("%s\n", out.final_path);
		fflush(stdout);
	}
	fprintf(stderr, "triage collect: %s (see 'triage show')\n", res.summary.buf);
	/* the bundle is written either way: what is there may still help */
	ret = res.profiles ? EXIT_OK : EXIT_INCOMPLETE;
	collect_result_release(&res);
	if ((a.upload || a.upload_url) && out.final_path) {
		int up = upload(&a, out.final_path);

		if (up != EXIT_OK)
			ret = up;
	}
out:
	bundle_out_release(&out);
	strbuf_release(&err);
	strbuf_release(&path);
	strbuf_release(&spool);
	return ret;
}
