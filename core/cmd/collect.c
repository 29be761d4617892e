/*
 * triage collect: gather everything the ladder needs from a live process
 * into one bundle. Every source is independent and records its own failure
 * (see core/collect/collect.h); this file only orders them, keeps time, and writes
 * the bundle, which is the one thing that may fail the command.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "base/quantity.h"
#include "cmd/cmd.h"
#include "cmd/opt.h"
#include "collect/bundle-write.h"
#include "collect/collect.h"
#include "collect/pprof.h"
#include "collect/proc.h"
#include "config.h"

const char usage_collect[] =
	"usage: triage collect [options] PID\n"
	"       triage collect --pprof-url URL [options]\n"
	"\n"
	"Gather heap, allocs, goroutine, CPU, mutex, block and threadcreate\n"
	"profiles, MemStats, /proc/PID, cgroup memory, host facts and the Go build\n"
	"info into one bundle (a gzip tarball with manifest.json). A source that\n"
	"fails is recorded in the manifest and the others still run. The target is\n"
	"only talked to over HTTP: never stopped, never traced. A target in another\n"
	"network namespace (a pod) is reached from inside that namespace.\n"
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
	"      --timeout SECONDS    per HTTP request (default 10)\n"
	"      --deadline SECONDS   for the whole collection (default: 60 plus the\n"
	"                           CPU seconds plus the sampling time)\n"
	"      --max-artifact SIZE  cap per artifact (default 256M; K, M, G)\n"
	"  -o, --output PATH        bundle path, '-' for stdout (default\n"
	"                           triage-HOST-PID-YYYYMMDDTHHMMSSZ.tgz)\n"
	"  -q, --quiet              no progress line even on a terminal\n"
	"  -h, --help               show this help\n"
	"\n"
	"Ctrl-C during collection stops it and writes what was gathered.\n";

static volatile sig_atomic_t interrupted_flag;
static volatile int interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted_flag = 1;
	interrupted = 1;
	/* a second Ctrl-C means "really stop now" */
	signal(SIGINT, SIG_DFL);
}

struct collect_args {
	pid_t pid;
	const char *url;
	int cpu_seconds;
	long samples;
	long interval;
	long timeout;
	long deadline;
	uint64_t max_artifact;
	const char *output;
	int quiet;
	int gc_heap;
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
		{ NULL, 0, NULL, 0 },
	};
	long v;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:q", opts, NULL)) != -1) {
		switch (c) {
		case 'u': a->url = optarg; break;
		case 'c':
			if (opt_seconds("collect", "--cpu-seconds", optarg, 0, 3600, &v))
				return -1;
			a->cpu_seconds = (int)v;
			break;
		case 's':
			if (opt_long("collect", "--samples", optarg, 1, 1000, &a->samples))
				return -1;
			break;
		case 'I':
			if (opt_seconds("collect", "--interval", optarg, 0, 86400, &a->interval))
				return -1;
			break;
		case 't':
			if (opt_seconds("collect", "--timeout", optarg, 1, 3600, &a->timeout))
				return -1;
			break;
		case 'd':
			if (opt_seconds("collect", "--deadline", optarg, 1, 7 * 86400, &a->deadline))
				return -1;
			break;
		case 'm':
			if (opt_size("collect", "--max-artifact", optarg, 1, UINT64_MAX, &a->max_artifact))
				return -1;
			break;
		case 'o': a->output = optarg; break;
		case 'q': a->quiet = 1; break;
		case 'G': a->gc_heap = 1; break;
		default:
			if (optopt == 'o')
				return command_usage_error("collect", "-o needs a path");
			return command_usage_error("collect", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		if (parse_long_range(argv[optind], 1, INT_MAX, &v))
			return command_usage_error("collect", "'%s' is not a process id", argv[optind]);
		a->pid = (pid_t)v;
		optind++;
	}
	if (optind < argc)
		return command_usage_error("collect", "one PID at a time ('%s' is extra)", argv[optind]);
	if (!a->pid && !a->url)
		return command_usage_error("collect", "which process? give a PID, or --pprof-url URL");
	return 0;
}

static void default_output(struct strbuf *out, const char *host, pid_t pid)
{
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;
	const char *h;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y%m%dT%H%M%SZ", &tm);
	strbuf_addstr(out, "triage-");
	/* hostnames are tame, but keep the file name to safe characters */
	for (h = host; *h; h++)
		strbuf_addch(out, (isalnum((unsigned char)*h) || *h == '-' || *h == '.') ? *h : '_');
	if (pid)
		strbuf_addf(out, "-%d-%s.tgz", (int)pid, ts);
	else
		strbuf_addf(out, "-remote-%s.tgz", ts);
}

/* Sleeps until ms_at, waking early on Ctrl-C; returns -1 when interrupted. */
static int sleep_until(int64_t ms_at)
{
	while (!interrupted_flag) {
		int64_t left = ms_at - now_ms();
		struct timespec ts;

		if (left <= 0)
			return 0;
		if (left > 200)
			left = 200;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left * 1000000L;
		nanosleep(&ts, NULL);
	}
	return -1;
}

static json_object *target_json(struct collection *c, pid_t pid, const char *url)
{
	json_object *t = json_object_new_object();
	struct artifact *bi = collection_find(c, "buildinfo/buildinfo.json");

	if (pid) {
		char link[64], exe[PATH_MAX];
		ssize_t n;

		json_object_object_add(t, "pid", json_object_new_int(pid));
		snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
		n = readlink(link, exe, sizeof(exe) - 1);
		if (n > 0) {
			exe[n] = '\0';
			json_object_object_add(t, "exe", json_object_new_string(exe));
		}
	}
	if (url)
		json_object_object_add(t, "pprof_url", json_object_new_string(url));
	if (bi && bi->status == ARTIFACT_OK) {
		json_object *j = json_tokener_parse(strbuf_str(&bi->data)), *v, *mainmod;

		if (j && json_object_object_get_ex(j, "go_version", &v))
			json_object_object_add(t, "go_version", json_object_get(v));
		if (j && json_object_object_get_ex(j, "main", &mainmod) &&
		    json_object_object_get_ex(mainmod, "path", &v))
			json_object_object_add(t, "main_module", json_object_get(v));
		if (j)
			json_object_put(j);
	}
	return t;
}

int cmd_collect(int argc, char **argv)
{
	struct collect_args a;
	struct collection c;
	struct pprof_options po;
	struct bundle_out out;
	struct strbuf err = STRBUF_INIT, path = STRBUF_INIT, prefix = STRBUF_INIT;
	struct sigaction sa, old_sa;
	struct utsname un;
	char host[256] = "unknown", when[40];
	json_object *manifest = NULL, *coll;
	int64_t start, deadline;
	size_t i, failed = 0;
	long s;
	int ret = EXIT_USAGE;

	memset(&a, 0, sizeof(a));
	a.cpu_seconds = PPROF_DEFAULT_CPU_SECONDS;
	a.samples = 1;
	a.interval = 30;
	a.timeout = PPROF_DEFAULT_TIMEOUT_MS / 1000;
	collection_init(&c);
	memset(&out, 0, sizeof(out));
	out.fd = -1;
	if (parse_args(argc, argv, &a))
		goto out;
	if (a.max_artifact)
		c.max_artifact_bytes = a.max_artifact;
	if (a.pid && pid_check(a.pid, &err) < 0) {
		fprintf(stderr, "triage collect: %s\n", err.buf);
		goto out;
	}
	if (gethostname(host, sizeof(host) - 1) < 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	if (a.output)
		strbuf_addstr(&path, a.output);
	else
		default_output(&path, host, a.pid);
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
	sigaction(SIGINT, &sa, &old_sa);
	c.interrupted = &interrupted;

	start = now_ms();
	deadline = start + 1000L * (a.deadline ? a.deadline :
		60 + a.cpu_seconds + (a.samples > 1 ? (a.samples - 1) * a.interval + 30 : 0));

	pprof_options_init(&po);
	po.url = a.url;
	po.pid = a.pid;
	po.cpu_seconds = a.cpu_seconds;
	po.timeout_ms = a.timeout * 1000;
	po.deadline_ms = deadline;
	po.progress = !a.quiet && isatty(STDERR_FILENO);
	po.gc_heap = a.gc_heap;

	/* the snapshot: cheap, local sources first, then HTTP */
	collect_host(&c);
	if (a.pid) {
		collect_proc(&c, a.pid, 0);
		collect_cgroup(&c, a.pid, 0);
		collect_buildinfo(&c, a.pid);
	}
	if (!interrupted_flag)
		collect_pprof(&c, &po);

	/* samples over time, to tell a leak from a plateau */
	po.cheap_only = 1;
	po.cpu_seconds = 0;
	for (s = 0; a.samples > 1 && s < a.samples && !interrupted_flag; s++) {
		if (s && sleep_until(now_ms() + 1000L * a.interval) < 0)
			break;
		if (now_ms() >= deadline) {
			fprintf(stderr, "triage collect: deadline reached after %ld of %ld samples\n", s, a.samples);
			break;
		}
		strbuf_reset(&prefix);
		strbuf_addf(&prefix, "samples/%03ld/", s);
		c.prefix = prefix.buf;
		if (a.pid) {
			collect_proc(&c, a.pid, 1);
			collect_cgroup(&c, a.pid, 1);
		}
		collect_pprof(&c, &po);
		c.prefix = NULL;
		if (po.progress)
			fprintf(stderr, "\rsample %ld/%ld taken", s + 1, a.samples);
	}
	if (po.progress && a.samples > 1)
		fputc('\n', stderr);
	sigaction(SIGINT, &old_sa, NULL);

	manifest = json_object_new_object();
	json_object_object_add(manifest, "format", json_object_new_string(BUNDLE_FORMAT));
	{
		char v[16];

		snprintf(v, sizeof(v), "%d.%d", BUNDLE_FORMAT_MAJOR, BUNDLE_FORMAT_MINOR);
		json_object_object_add(manifest, "format_version", json_object_new_string(v));
	}
	json_object_object_add(manifest, "triage_version", json_object_new_string(TRIAGE_VERSION));
	json_object_object_add(manifest, "target", target_json(&c, a.pid, a.url));
	{
		json_object *h = json_object_new_object();

		json_object_object_add(h, "hostname", json_object_new_string(host));
		if (!uname(&un)) {
			json_object_object_add(h, "kernel", json_object_new_string(un.release));
			json_object_object_add(h, "machine", json_object_new_string(un.machine));
		}
		json_object_object_add(manifest, "host", h);
	}
	coll = json_object_new_object();
	format_utc_ms(when, sizeof(when), start);
	json_object_object_add(coll, "start", json_object_new_string(when));
	format_utc_ms(when, sizeof(when), now_ms());
	json_object_object_add(coll, "end", json_object_new_string(when));
	json_object_object_add(coll, "duration_ms", json_object_new_int64(now_ms() - start));
	json_object_object_add(coll, "mode", json_object_new_string(a.pid ? "pid" : "remote"));
	json_object_object_add(coll, "cpu_seconds", json_object_new_int(a.cpu_seconds));
	json_object_object_add(coll, "samples", json_object_new_int64(a.samples));
	json_object_object_add(coll, "interval_seconds", json_object_new_int64(a.interval));
	json_object_object_add(coll, "interrupted", json_object_new_boolean(interrupted_flag));
	json_object_object_add(coll, MF_COLL_GC_HEAP, json_object_new_boolean(a.gc_heap));
	json_object_object_add(manifest, "collection", coll);

	if (bundle_out_write(&out, &c, manifest, &err) < 0) {
		fprintf(stderr, "triage collect: %s\n", err.buf);
		ret = EXIT_INTERNAL;
		goto out;
	}
	for (i = 0; i < c.nr; i++)
		failed += c.arts[i].status == ARTIFACT_ERROR;
	if (out.final_path) {
		printf("%s\n", out.final_path);
		fflush(stdout);
	}
	fprintf(stderr, "triage collect: %zu artifacts, %zu failed%s (see 'triage show')\n",
		c.nr, failed, interrupted_flag ? ", interrupted" : "");
	ret = EXIT_OK;
out:
	if (manifest)
		json_object_put(manifest);
	bundle_out_release(&out);
	collection_release(&c);
	strbuf_release(&err);
	strbuf_release(&path);
	strbuf_release(&prefix);
	return ret;
}
