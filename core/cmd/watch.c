/*
 * triage watch: stay in the foreground next to a service and collect
 * bundles as its memory cgroup climbs to the limit, recording the OOM kill
 * when it comes. The work is watch_run() (core/watch/watch.c); this file is
 * the options.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/quantity.h"
#include "cmd/cmd.h"
#include "cmd/opt.h"
#include "collect/proc.h"
#include "watch/watch.h"

const char usage_watch[] =
	"usage: triage watch [options] -d DIR PID\n"
	"       triage watch [options] -d DIR --cgroup PATH\n"
	"\n"
	"Watch a process's memory cgroup in the foreground and collect a bundle\n"
	"into DIR when the working set crosses a share of the limit, grows fast,\n"
	"or the kernel reports memory pressure, so the evidence exists before the\n"
	"OOM killer erases it. An OOM kill or exit is recorded with the bundle\n"
	"taken before it; a service restarted in the same cgroup (same\n"
	"executable) is followed to its new PID. Event-driven where the kernel\n"
	"notifies (v1 cgroup.event_control thresholds, OOM and vmpressure; v2 PSI\n"
	"triggers and memory.events), a bounded poll elsewhere; the log says which.\n"
	"Near the limit collections are cheap: no CPU profile, no debug text.\n"
	"DIR gets the bundles, named NAME-PID-TIME-TRIGGER.tgz, and events.jsonl.\n"
	"\n"
	"Options:\n"
	"  -d, --dir DIR            where bundles and events.jsonl go (created)\n"
	"      --cgroup PATH        watch this memory cgroup directory and the\n"
	"                           largest process in it, instead of a PID\n"
	"      --thresholds LIST    percentages of the limit, each firing once per\n"
	"                           rise (default 70,85,95)\n"
	"      --hysteresis PCT     points below a threshold that re-arm it (default 5)\n"
	"      --danger PCT         at or above, cheap collections only (default 90)\n"
	"      --growth SIZE        also collect when the working set grows by SIZE\n"
	"                           per minute (default off)\n"
	"      --growth-window DUR  measured over DUR (default 60s)\n"
	"      --psi-stall DUR      v2 PSI trigger: stall per 1 s window (default 150ms)\n"
	"      --min-interval DUR   between collections, except for a climb to a higher\n"
	"                           threshold (default 60s)\n"
	"      --max-per-hour N     collections per hour at most (default 12)\n"
	"      --max-disk SIZE      bundles in DIR at most; the oldest go first\n"
	"                           (default 1G)\n"
	"      --cpu-seconds N      CPU profile of a full collection (default 2; 0 none)\n"
	"      --timeout SECONDS    per HTTP request (default 5)\n"
	"      --pprof-url URL      the target's /debug/pprof/ (default: discovered)\n"
	"      --poll DUR           poll interval where the kernel does not notify\n"
	"                           (default 1s)\n"
	"      --max-kills N        stop after recording N kills or exits (default 0:\n"
	"                           never)\n"
	"  -q, --quiet              no log lines on stderr (events.jsonl only)\n"
	"  -h, --help               show this help\n"
	"\n"
	"SIGTERM or SIGINT stops it; a collection in flight is finished with what\n"
	"it has, never left as a partial file. 'triage analyze DIR' analyzes the\n"
	"newest bundle and lists the others. Exit status: 0 stopped, 2 bad usage or\n"
	"a target that cannot be watched, 3 internal error.\n";

static int parse_pct(const char *flag, const char *arg, double min, double *out)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end || !(v >= min && v <= 100))
		return command_usage_error("watch", "%s wants a percentage from %g to 100, not '%s'", flag, min, arg);
	*out = v;
	return 0;
}

int cmd_watch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "cgroup", required_argument, NULL, 'g' },
		{ "thresholds", required_argument, NULL, 'T' },
		{ "hysteresis", required_argument, NULL, 'H' },
		{ "danger", required_argument, NULL, 'D' },
		{ "growth", required_argument, NULL, 'G' },
		{ "growth-window", required_argument, NULL, 'W' },
		{ "psi-stall", required_argument, NULL, 'P' },
		{ "min-interval", required_argument, NULL, 'i' },
		{ "max-per-hour", required_argument, NULL, 'r' },
		{ "max-disk", required_argument, NULL, 'm' },
		{ "cpu-seconds", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "pprof-url", required_argument, NULL, 'u' },
		{ "poll", required_argument, NULL, 'p' },
		{ "max-kills", required_argument, NULL, 'k' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct watch_options o;
	struct strbuf err = STRBUF_INIT;
	uint64_t size;
	int64_t ms;
	long v;
	int c, ret = EXIT_USAGE;

	watch_options_init(&o);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "d:q", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o.dir = optarg; break;
		case 'g': o.cgroup = optarg; break;
		case 'T':
			if (watch_policy_set_levels(&o.policy, optarg, &err) < 0) {
				command_usage_error("watch", "--thresholds: %s", err.buf);
				goto out;
			}
			break;
		case 'H':
			if (parse_pct("--hysteresis", optarg, 0, &o.policy.hysteresis))
				goto out;
			break;
		case 'D':
			if (parse_pct("--danger", optarg, 1, &o.policy.danger))
				goto out;
			break;
		case 'G':
			if (opt_size("watch", "--growth", optarg, 1, INT64_MAX, &size))
				goto out;
			o.policy.growth_per_min = (int64_t)size;
			break;
		case 'W':
			if (opt_duration("watch", "--growth-window", optarg, 1000, 86400 * 1000LL, &ms))
				goto out;
			o.policy.growth_window_ms = ms;
			break;
		case 'P':
			if (opt_duration("watch", "--psi-stall", optarg, 1, 1000, &ms))
				goto out;
			o.psi_stall_us = ms * 1000;
			break;
		case 'i':
			if (opt_duration("watch", "--min-interval", optarg, 0, 86400 * 1000LL, &ms))
				goto out;
			o.policy.min_interval_ms = ms;
			break;
		case 'r':
			if (opt_long("watch", "--max-per-hour", optarg, 1, 256, &v))
				goto out;
			o.policy.max_per_hour = (int)v;
			break;
		case 'm':
			if (opt_size("watch", "--max-disk", optarg, 1, UINT64_MAX, &o.max_disk))
				goto out;
			break;
		case 'c':
			if (opt_seconds("watch", "--cpu-seconds", optarg, 0, 3600, &v))
				goto out;
			o.cpu_seconds = (int)v;
			break;
		case 't':
			if (opt_seconds("watch", "--timeout", optarg, 1, 3600, &o.timeout_s))
				goto out;
			break;
		case 'u': o.url = optarg; break;
		case 'p':
			if (opt_duration("watch", "--poll", optarg, 50, 3600 * 1000LL, &o.poll_ms))
				goto out;
			break;
		case 'k':
			if (opt_long("watch", "--max-kills", optarg, 0, LONG_MAX, &o.max_kills))
				goto out;
			break;
		case 'q': o.quiet = 1; break;
		default:
			if (optopt == 'd')
				ret = command_usage_error("watch", "-d needs a directory");
			else
				ret = command_usage_error("watch", "unknown option '%s'", argv[optind - 1]);
			goto out;
		}
	}
	if (optind < argc) {
		if (o.cgroup) {
			ret = command_usage_error("watch", "a PID or --cgroup PATH, not both");
			goto out;
		}
		if (parse_long_range(argv[optind], 1, INT_MAX, &v)) {
			ret = command_usage_error("watch", "'%s' is not a process id", argv[optind]);
			goto out;
		}
		o.pid = (pid_t)v;
		optind++;
	}
	if (optind < argc) {
		ret = command_usage_error("watch", "one PID at a time ('%s' is extra)", argv[optind]);
		goto out;
	}
	if (!o.pid && !o.cgroup) {
		ret = command_usage_error("watch", "which process? give a PID, or --cgroup PATH");
		goto out;
	}
	if (!o.dir) {
		ret = command_usage_error("watch", "where to? give -d DIR");
		goto out;
	}
	if (o.pid && pid_check(o.pid, &err) < 0) {
		fprintf(stderr, "triage watch: %s\n", err.buf);
		goto out;
	}
	if (watch_run(&o, &err) < 0) {
		fprintf(stderr, "triage watch: %s\n", err.buf);
		goto out;
	}
	ret = EXIT_OK;
out:
	strbuf_release(&err);
	return ret;
}
