/*
 * watch_run(): the loop. It sleeps in poll() on the kernel's notifications
 * (notify.c), the target's pidfd and a signalfd, samples the cgroup when
 * woken, and asks policy.c whether to collect. A collection runs in a child
 * process, one at a time, so the loop keeps watching while it runs (the
 * next threshold, the kill) and the watcher's own memory stays small: the
 * child's buffers die with it.
 *
 * Near the limit (the danger level) a collection is cheap: no CPU profile
 * and no debug text, which make the target allocate. A cheap trigger that
 * arrives while a full collection runs interrupts it; the child then writes
 * what it has, and the cheap one starts as soon as it is done.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/io.h"
#include "base/json.h"
#include "base/quantity.h"
#include "collect/bundle-write.h"
#include "collect/collect.h"
#include "watch/watch.h"

/* how long a stopping watcher lets a collection finish before killing it */
#define STOP_GRACE_MS 5000
/* with the working set near a level, poll at least this often */
#define NEAR_POLL_MS 250
/* heartbeat while the kernel notifies: catches a changed limit */
#define HEARTBEAT_MS 60000
/* after an OOM kill in the cgroup, how long to wait for the target's exit */
#define OOM_EXIT_WAIT_MS 2000
/* how often to look for the OOM killer's line in the kernel log, 20 ms apart */
#define KMSG_TRIES 5
/* exit status of a collection child that was interrupted but wrote its bundle */
#define CHILD_INTERRUPTED 4

enum trigger_kind { TRIG_NONE, TRIG_GROWTH, TRIG_PRESSURE, TRIG_MAX, TRIG_OOM, TRIG_THRESHOLD };

struct trigger {
	enum trigger_kind kind;
	double level;		/* percent for thresholds, -1 otherwise */
	double rate;		/* growth, bytes per minute */
	struct watch_sample s;
};

struct job {
	pid_t child;		/* 0: none running */
	char *path;
	struct trigger t;
	int cheap, preempted, number;
	int64_t start_mono, start_real;
	pid_t target;
};

struct watcher {
	const struct watch_options *o;
	struct watch_policy policy;
	struct watch_cgroup cg;
	struct watch_notify nt;
	struct watch_log log;
	pid_t pid, old_pid;
	int pidfd;
	char *exe;
	int sigfd;
	int kmsg_fd;			/* the kernel log, for the OOM killer's victim; -1 none */
	struct watch_sample cur, prev;
	int have_sample;
	int64_t oom_kill_seen;		/* the counter as of the last kill recorded */
	int64_t oom_pending_ms;		/* an OOM kill seen while the target still ran */
	int64_t follow_ms, follow_next;	/* backoff while waiting for a restart */
	struct job job;
	struct trigger pending;
	/* the last collection started: what a kill record points back to */
	char *last_path;
	int last_number, last_complete;
	double last_pct;
	int64_t last_start_real;
	int nr_started;
	unsigned quiet_kinds;		/* bit per trigger kind already logged as queued or skipped */
	long kills;
	int stop_signal;
	int done;
};

void watch_options_init(struct watch_options *o)
{
	memset(o, 0, sizeof(*o));
	watch_policy_init(&o->policy);
	o->cpu_seconds = 2;
	o->timeout_s = 5;
	o->poll_ms = 1000;
	o->psi_stall_us = 150000;
	o->max_disk = (uint64_t)1 << 30;
}

static const char *trigger_name(const struct trigger *t, char *buf, size_t len)
{
	switch (t->kind) {
	case TRIG_THRESHOLD: snprintf(buf, len, "threshold%g", t->level); break;
	case TRIG_GROWTH: snprintf(buf, len, "growth"); break;
	case TRIG_PRESSURE: snprintf(buf, len, "pressure"); break;
	case TRIG_MAX: snprintf(buf, len, "max"); break;
	case TRIG_OOM: snprintf(buf, len, "oom"); break;
	default: snprintf(buf, len, "none"); break;
	}
	return buf;
}

static json_object *sample_json(const struct watch_sample *s)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "usage", json_object_new_int64(s->usage));
	json_object_object_add(o, "working_set", json_object_new_int64(s->working_set));
	json_object_object_add(o, "limit", json_object_new_int64(s->limit));
	if (s->pct >= 0)
		json_object_object_add(o, "pct", json_new_double_fixed(s->pct, 1));
	json_object_object_add(o, "oom_kill", json_object_new_int64(s->oom_kill));
	return o;
}

/* "327 MiB of 384 MiB (85.2%)" or "327 MiB (no limit)" */
static const char *describe(const struct watch_sample *s, char *buf, size_t len)
{
	char ws[32], lim[32];

	format_bytes(ws, sizeof(ws), s->working_set);
	if (s->limit <= 0) {
		snprintf(buf, len, "%s (no limit)", ws);
		return buf;
	}
	format_bytes(lim, sizeof(lim), s->limit);
	snprintf(buf, len, "%s of %s (%.1f%%)", ws, lim, s->pct);
	return buf;
}

/* ---- the target ------------------------------------------------------------ */

static void adopt_target(struct watcher *w, pid_t pid, char *exe)
{
	w->pid = pid;
	free(w->exe);
	w->exe = exe;
	if (w->pidfd >= 0)
		close(w->pidfd);
	w->pidfd = watch_pidfd(pid);
}

static void drop_target(struct watcher *w)
{
	if (w->pidfd >= 0)
		close(w->pidfd);
	w->pidfd = -1;
	w->old_pid = w->pid;
	w->pid = 0;
	w->follow_ms = 100;
	w->follow_next = clock_mono_ms() + w->follow_ms;
	w->pending.kind = TRIG_NONE;
}

static int target_gone(struct watcher *w, const struct pollfd *pfd)
{
	if (!w->pid)
		return 0;
	if (w->pidfd >= 0)
		return pfd && (pfd->revents & (POLLIN | POLLHUP | POLLERR));
	return kill(w->pid, 0) < 0 && errno == ESRCH;
}

/* The victim as the kernel log names it, added to o; waits briefly for the line. */
static void add_victim(struct watcher *w, json_object *o, pid_t pid)
{
	struct watch_victim v;
	int i;

	for (i = 0; i < KMSG_TRIES; i++) {
		if (watch_kmsg_victim(w->kmsg_fd, w->cg.dir, pid, &v) == 0) {
			json_object *j = json_object_new_object();

			json_object_object_add(j, "pid", json_object_new_int(v.pid));
			json_object_object_add(j, "comm", json_object_new_string(v.comm));
			if (v.anon_rss_kb >= 0)
				json_object_object_add(j, "anon_rss", json_object_new_int64(v.anon_rss_kb * 1024));
			json_object_object_add(o, "kernel_log_victim", j);
			return;
		}
		if (w->kmsg_fd < 0)
			return;
		usleep(20 * 1000);
	}
}

static void record_kill(struct watcher *w, int oom)
{
	json_object *o = json_object_new_object(), *lb;
	double after_s = w->last_path ? (double)(clock_real_ms() - w->last_start_real) / 1000.0 : -1;
	char d[96];

	json_object_object_add(o, "cause", json_object_new_string(oom ? "oom-kill" : "exit"));
	json_object_object_add(o, "pid", json_object_new_int(w->pid));
	json_object_object_add(o, "exe", json_new_str_or_null(w->exe));
	json_object_object_add(o, "oom_kill_before", json_object_new_int64(w->oom_kill_seen));
	json_object_object_add(o, "oom_kill_after", json_object_new_int64(w->cur.oom_kill));
	json_object_object_add(o, "before", sample_json(&w->prev));
	json_object_object_add(o, "after", sample_json(&w->cur));
	if (oom)
		add_victim(w, o, w->pid);
	if (w->last_path) {
		lb = json_object_new_object();
		json_object_object_add(lb, "path", json_object_new_string(w->last_path));
		json_object_object_add(lb, "number", json_object_new_int(w->last_number));
		json_object_object_add(lb, "pct", json_new_double_fixed(w->last_pct, 1));
		json_object_object_add(lb, "seconds_before_kill", json_new_double_fixed(after_s, 3));
		json_object_object_add(lb, "complete", json_object_new_boolean(w->last_complete));
		json_object_object_add(o, "last_bundle", lb);
	} else {
		json_object_object_add(o, "last_bundle", NULL);
	}
	watch_log_event(&w->log, "kill", o);
	if (w->last_path)
		snprintf(d, sizeof(d), "%.1f s after bundle %d at %.0f%% of the limit%s", after_s,
			 w->last_number, w->last_pct, w->last_complete ? "" : " (still being written)");
	else
		snprintf(d, sizeof(d), "no bundle before it");
	watch_log_human(&w->log, "%s: pid %d, oom_kill %lld -> %lld; %s",
			oom ? "killed by the OOM killer" : "the target exited",
			(int)w->pid, (long long)w->oom_kill_seen, (long long)w->cur.oom_kill, d);
	if (w->cur.oom_kill >= 0)
		w->oom_kill_seen = w->cur.oom_kill;
	w->oom_pending_ms = -1;
	w->kills++;
	if (w->o->max_kills && w->kills >= w->o->max_kills)
		w->done = 1;
}

static void try_follow(struct watcher *w)
{
	char *exe = NULL;
	pid_t pid;
	json_object *o;

	if (clock_mono_ms() < w->follow_next)
		return;
	/* exponential backoff to the poll interval: a restart is usually quick */
	w->follow_ms = w->follow_ms * 2 > w->o->poll_ms ? w->o->poll_ms : w->follow_ms * 2;
	w->follow_next = clock_mono_ms() + w->follow_ms;
	pid = watch_cgroup_find(&w->cg, w->exe, w->old_pid, &exe);
	if (!pid)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "old_pid", json_object_new_int(w->old_pid));
	json_object_object_add(o, "pid", json_object_new_int(pid));
	json_object_object_add(o, "exe", json_object_new_string(exe));
	watch_log_event(&w->log, "follow", o);
	watch_log_human(&w->log, "following pid %d (%s)%s", (int)pid, exe,
			w->old_pid ? ", restarted in the same cgroup" : "");
	adopt_target(w, pid, exe);
	watch_policy_new_target(&w->policy);
}

/* ---- collections -------------------------------------------------------------- */

static volatile sig_atomic_t child_interrupted;

static void child_on_term(int sig)
{
	(void)sig;
	child_interrupted = 1;
}

static void __attribute__((noreturn)) child_main(struct watcher *w, const char *path, pid_t target, int cheap)
{
	struct collect_request rq;
	struct collect_result res;
	struct bundle_out out;
	struct strbuf err = STRBUF_INIT, spool = STRBUF_INIT;
	struct sigaction sa;
	sigset_t all;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = child_on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGCHLD, SIG_DFL);
	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	/* a watcher killed with SIGKILL must not leave collections running */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	close(w->sigfd);

	memset(&out, 0, sizeof(out));
	out.fd = -1;
	if (bundle_out_open(&out, path, &err) < 0) {
		fprintf(stderr, "triage watch: %s\n", err.buf);
		_exit(1);
	}
	collect_request_init(&rq);
	rq.pid = target;
	rq.url = w->o->url;
	rq.cheap = cheap;
	rq.cpu_seconds = cheap ? 0 : w->o->cpu_seconds;
	rq.timeout_s = w->o->timeout_s;
	rq.deadline_s = 30 + rq.cpu_seconds;
	rq.interrupted = (volatile int *)&child_interrupted;
	/* watch decides what is cheap from its own levels (--danger) */
	rq.near_limit_pct = 0;
	bundle_out_spool_dir(&out, &spool);
	rq.spool_dir = spool.buf;
	if (collect_bundle(&rq, &out, &res, &err) < 0) {
		fprintf(stderr, "triage watch: %s\n", err.buf);
		bundle_out_release(&out);
		_exit(1);
	}
	bundle_out_release(&out);
	_exit(res.interrupted ? CHILD_INTERRUPTED : 0);
}

static void start_job(struct watcher *w, const struct trigger *t)
{
	struct strbuf path = STRBUF_INIT;
	char name[32], d[96];
	int cheap = t->kind == TRIG_OOM || t->kind == TRIG_MAX ||
		    (t->s.pct >= 0 && t->s.pct >= w->policy.danger);
	int64_t now_real = clock_real_ms();
	json_object *o;
	pid_t child;

	watch_bundle_name(&path, w->o->dir, w->exe, w->pid, now_real, trigger_name(t, name, sizeof(name)));
	fflush(NULL);
	child = fork();
	if (child < 0) {
		o = json_object_new_object();
		json_object_object_add(o, "trigger", json_object_new_string(name));
		json_object_object_add(o, "error", json_object_new_string(strerror(errno)));
		watch_log_event(&w->log, "collect-failed", o);
		watch_log_human(&w->log, "cannot fork a collection: %s", strerror(errno));
		strbuf_release(&path);
		return;
	}
	if (!child)
		child_main(w, path.buf, w->pid, cheap);

	watch_policy_started(&w->policy, clock_mono_ms(), t->kind == TRIG_THRESHOLD ? t->level : -1);
	w->job.child = child;
	free(w->job.path);
	w->job.path = strbuf_detach(&path, NULL);
	w->job.t = *t;
	w->job.cheap = cheap;
	w->job.preempted = 0;
	w->job.number = ++w->nr_started;
	w->job.start_mono = clock_mono_ms();
	w->job.start_real = now_real;
	w->job.target = w->pid;
	free(w->last_path);
	w->last_path = xstrdup(w->job.path);
	w->last_number = w->job.number;
	w->last_pct = t->s.pct;
	w->last_start_real = now_real;
	w->last_complete = 0;

	o = json_object_new_object();
	json_object_object_add(o, "trigger", json_object_new_string(name));
	json_object_object_add(o, "number", json_object_new_int(w->job.number));
	json_object_object_add(o, "pid", json_object_new_int(w->pid));
	json_object_object_add(o, "cheap", json_object_new_boolean(cheap));
	json_object_object_add(o, "path", json_object_new_string(w->job.path));
	json_object_object_add(o, "sample", sample_json(&t->s));
	if (t->kind == TRIG_GROWTH)
		json_object_object_add(o, "growth_per_min", json_object_new_int64((int64_t)t->rate));
	watch_log_event(&w->log, "collect", o);
	watch_log_human(&w->log, "%s: working set %s: collecting bundle %d (%s) into %s", name,
			describe(&t->s, d, sizeof(d)), w->job.number,
			cheap ? "cheap: near the limit" : "full", w->job.path);
}

static void retained(const char *path, uint64_t bytes, void *data)
{
	struct watcher *w = data;
	json_object *o = json_object_new_object();

	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "bytes", json_object_new_int64((int64_t)bytes));
	json_object_object_add(o, "reason", json_object_new_string("disk budget"));
	watch_log_event(&w->log, "delete", o);
	watch_log_human(&w->log, "deleted %s: over the disk budget", path);
}

static void handle_trigger(struct watcher *w, const struct trigger *t);

static void job_finished(struct watcher *w, int status)
{
	struct job *j = &w->job;
	struct stat st;
	struct strbuf err = STRBUF_INIT;
	json_object *o = json_object_new_object();
	int ok = WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == CHILD_INTERRUPTED);
	char name[32];
	struct trigger next;

	ok = ok && stat(j->path, &st) == 0;
	if (!ok)
		watch_remove_temporaries(j->path);
	json_object_object_add(o, "number", json_object_new_int(j->number));
	json_object_object_add(o, "trigger", json_object_new_string(trigger_name(&j->t, name, sizeof(name))));
	json_object_object_add(o, "pid", json_object_new_int(j->target));
	json_object_object_add(o, "path", json_object_new_string(j->path));
	json_object_object_add(o, "status", json_object_new_string(!ok ? "failed" :
		WEXITSTATUS(status) == CHILD_INTERRUPTED ? "interrupted" : "ok"));
	json_object_object_add(o, "cheap", json_object_new_boolean(j->cheap));
	json_object_object_add(o, "bytes", json_object_new_int64(ok ? (int64_t)st.st_size : 0));
	json_object_object_add(o, "duration_ms", json_object_new_int64(clock_mono_ms() - j->start_mono));
	json_object_object_add(o, "sample", sample_json(&j->t.s));
	watch_log_event(&w->log, "bundle", o);
	if (ok)
		watch_log_human(&w->log, "bundle %d written in %lld ms%s: %s", j->number,
				(long long)(clock_mono_ms() - j->start_mono),
				WEXITSTATUS(status) == CHILD_INTERRUPTED ? " (interrupted, partial)" : "", j->path);
	else
		watch_log_human(&w->log, "bundle %d failed (status %d)", j->number, status);
	if (w->last_number == j->number)
		w->last_complete = ok;
	j->child = 0;
	if (ok && watch_retain(w->o->dir, w->o->max_disk, retained, w, &err) < 0)
		watch_log_human(&w->log, "retention: %s", err.buf);
	strbuf_release(&err);

	/* what arrived meanwhile, if the target is still there */
	next = w->pending;
	w->pending.kind = TRIG_NONE;
	if (next.kind != TRIG_NONE && w->pid && !w->stop_signal && !w->done)
		handle_trigger(w, &next);
}

static void reap(struct watcher *w)
{
	int status;
	pid_t p;

	while ((p = waitpid(-1, &status, WNOHANG)) > 0)
		if (p == w->job.child)
			job_finished(w, status);
}

static void log_trigger(struct watcher *w, const struct trigger *t, const char *action, const char *why)
{
	json_object *o = json_object_new_object();
	char name[32], d[96];

	json_object_object_add(o, "trigger", json_object_new_string(trigger_name(t, name, sizeof(name))));
	json_object_object_add(o, "pid", json_object_new_int(w->pid));
	json_object_object_add(o, "action", json_object_new_string(action));
	if (why)
		json_object_object_add(o, "reason", json_object_new_string(why));
	json_object_object_add(o, "sample", sample_json(&t->s));
	watch_log_event(&w->log, "trigger", o);
	watch_log_human(&w->log, "%s: working set %s: %s%s%s", name, describe(&t->s, d, sizeof(d)),
			action, why ? ": " : "", why ? why : "");
}

static void handle_trigger(struct watcher *w, const struct trigger *t)
{
	const char *why = NULL;
	int cheap = t->kind == TRIG_OOM || t->kind == TRIG_MAX ||
		    (t->s.pct >= 0 && t->s.pct >= w->policy.danger);

	if (w->job.child) {
		/*
		 * A climb to a higher level, or to the danger zone, while a full
		 * collection runs: a fresh snapshot beats the end of its CPU
		 * profile. The child writes what it has and the new one follows.
		 */
		int higher = t->kind == TRIG_THRESHOLD && w->job.t.kind == TRIG_THRESHOLD &&
			     t->level > w->job.t.level;

		if ((higher || cheap) && !w->job.cheap && !w->job.preempted) {
			kill(w->job.child, SIGTERM);
			w->job.preempted = 1;
			log_trigger(w, t, "queued, interrupting the full collection in flight", NULL);
		} else if (!(w->quiet_kinds & (1u << t->kind))) {
			log_trigger(w, t, "queued behind the collection in flight", NULL);
		}
		/* pressure fires many times a second at the limit: say it once per collection */
		if (t->kind != TRIG_THRESHOLD)
			w->quiet_kinds |= 1u << t->kind;
		if (w->pending.kind == TRIG_NONE || t->kind > w->pending.kind ||
		    (t->kind == w->pending.kind && t->level > w->pending.level))
			w->pending = *t;
		return;
	}
	if (!watch_policy_admit(&w->policy, clock_mono_ms(), t->kind == TRIG_THRESHOLD ? t->level : -1, &why)) {
		if (!(w->quiet_kinds & (1u << t->kind)))
			log_trigger(w, t, "skipped", why);
		if (t->kind != TRIG_THRESHOLD)
			w->quiet_kinds |= 1u << t->kind;
		return;
	}
	w->quiet_kinds = 0;
	start_job(w, t);
}

/* ---- the loop ---------------------------------------------------------------- */

static void log_start(struct watcher *w)
{
	json_object *o = json_object_new_object(), *lv = json_object_new_array();
	char d[96];
	int i;

	for (i = 0; i < w->policy.nr_levels; i++)
		json_object_array_add(lv, json_new_double_fixed(w->policy.levels[i], 1));
	json_object_object_add(o, "pid", json_object_new_int(w->pid));
	json_object_object_add(o, "exe", json_new_str_or_null(w->exe));
	json_object_object_add(o, "cgroup", json_object_new_string(w->cg.dir));
	json_object_object_add(o, "cgroup_version", json_object_new_int(w->cg.version));
	json_object_object_add(o, "mode", json_object_new_string(w->nt.mode.buf));
	json_object_object_add(o, "pidfd", json_object_new_boolean(w->pidfd >= 0));
	json_object_object_add(o, "kernel_log", json_object_new_boolean(w->kmsg_fd >= 0));
	json_object_object_add(o, "levels", lv);
	json_object_object_add(o, "danger", json_new_double_fixed(w->policy.danger, 1));
	json_object_object_add(o, "sample", sample_json(&w->cur));
	watch_log_event(&w->log, "start", o);
	watch_log_human(&w->log, "watching pid %d (%s) in %s, working set %s", (int)w->pid,
			w->exe ? w->exe : "?", w->cg.dir, describe(&w->cur, d, sizeof(d)));
	watch_log_human(&w->log, "mode: %s%s", w->nt.mode.buf,
			w->pidfd >= 0 ? "; exit by pidfd" : "; exit polled");
}

/* The lowest level not yet fired, -1 when all are. */
static double next_level(const struct watcher *w)
{
	int i;

	for (i = 0; i < w->policy.nr_levels; i++)
		if (!(w->policy.fired & (1u << i)))
			return w->policy.levels[i];
	return -1;
}

/* How long poll() may sleep: forever-ish where the kernel notifies. */
static int next_timeout(const struct watcher *w)
{
	int64_t t = HEARTBEAT_MS, now = clock_mono_ms();
	int usage_events = w->nt.fd[NOTIFY_USAGE] >= 0;
	double next = next_level(w);

	if (!w->pid) {
		t = w->follow_next - now;
	} else {
		if (!usage_events || w->pidfd < 0)
			t = w->o->poll_ms;
		/* close to a level: the working set may cross it between usage events */
		if (next >= 0 && w->cur.pct >= next - 2 * w->policy.hysteresis &&
		    (!usage_events || w->cur.usage * 100.0 >= next * (double)w->cur.limit))
			t = t < NEAR_POLL_MS ? t : NEAR_POLL_MS;
		if (w->policy.growth_per_min > 0 && w->policy.growth_window_ms / 8 < t)
			t = w->policy.growth_window_ms / 8 > 1000 ? w->policy.growth_window_ms / 8 : 1000;
		if (w->oom_pending_ms >= 0)
			t = 100;
	}
	if (w->stop_signal)
		t = 100;
	return t < 0 ? 0 : t > INT_MAX ? INT_MAX : (int)t;
}

static void evaluate(struct watcher *w, const int *notified)
{
	struct trigger t;
	int lvl;
	double rate = 0;

	memset(&t, 0, sizeof(t));
	t.level = -1;
	t.s = w->cur;
	lvl = watch_policy_threshold(&w->policy, w->cur.pct);
	if (lvl >= 0) {
		t.kind = TRIG_THRESHOLD;
		t.level = w->policy.levels[lvl];
	} else if (notified[NOTIFY_OOM] && w->cur.oom > 0) {
		t.kind = TRIG_OOM;
	} else if (w->cg.version == 2 && w->prev.oom >= 0 && w->cur.oom > w->prev.oom) {
		t.kind = TRIG_OOM;
	} else if (w->cg.version == 2 && w->prev.max_events >= 0 && w->cur.max_events > w->prev.max_events) {
		t.kind = TRIG_MAX;
	} else if (notified[NOTIFY_PRESSURE]) {
		t.kind = TRIG_PRESSURE;
	}
	if (watch_policy_growth(&w->policy, w->cur.mono_ms, w->cur.working_set, &rate) && t.kind == TRIG_NONE) {
		t.kind = TRIG_GROWTH;
		t.rate = rate;
	}
	if (t.kind != TRIG_NONE)
		handle_trigger(w, &t);
}

static void stop_job(struct watcher *w)
{
	int64_t until = clock_mono_ms() + STOP_GRACE_MS;
	int status;

	if (!w->job.child)
		return;
	/* the child finishes with what it has: a whole bundle, or none */
	kill(w->job.child, SIGTERM);
	while (clock_mono_ms() < until) {
		if (waitpid(w->job.child, &status, WNOHANG) == w->job.child) {
			job_finished(w, status);
			return;
		}
		usleep(50 * 1000);
	}
	kill(w->job.child, SIGKILL);
	while (waitpid(w->job.child, &status, 0) < 0 && errno == EINTR)
		;
	job_finished(w, status);
}

static int setup(struct watcher *w, struct strbuf *err)
{
	const struct watch_options *o = w->o;
	sigset_t set;

	if (o->cgroup) {
		if (watch_cgroup_at(&w->cg, o->cgroup, err) < 0)
			return -1;
	} else if (watch_cgroup_of_pid(&w->cg, o->pid, err) < 0) {
		return -1;
	}
	if (mkdir(o->dir, 0700) < 0 && errno != EEXIST)
		return error_set(err, "cannot create directory '%s': %s", o->dir, strerror(errno));
	if (!is_dir(o->dir))
		return error_set(err, "'%s' is not a directory", o->dir);
	if (watch_log_open(&w->log, o->dir, err) < 0)
		return -1;
	w->log.quiet = o->quiet;
	if (watch_cgroup_sample(&w->cg, &w->cur, err) < 0)
		return -1;
	w->prev = w->cur;
	w->oom_kill_seen = w->cur.oom_kill;
	/* from now on: an old kill in the log is not this run's */
	w->kmsg_fd = watch_kmsg_open();

	if (o->pid) {
		adopt_target(w, o->pid, watch_pid_exe(o->pid));
	} else {
		char *exe = NULL;
		pid_t pid = watch_cgroup_find(&w->cg, NULL, 0, &exe);

		if (pid)
			adopt_target(w, pid, exe);
		else
			drop_target(w);
	}

	/* signals arrive through the loop, never in the middle of a sample */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	w->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (w->sigfd < 0)
		return error_set(err, "cannot create a signalfd: %s", strerror(errno));

	watch_notify_setup(&w->nt, &w->cg, w->policy.levels, w->policy.nr_levels, w->policy.hysteresis,
			   w->cur.limit, o->psi_stall_us);
	log_start(w);
	if (w->cur.limit <= 0)
		watch_log_human(&w->log, "the cgroup has no memory limit: thresholds are off%s",
				w->policy.growth_per_min ? ", the growth trigger stays" : "");
	if (!w->pid)
		watch_log_human(&w->log, "no process in the cgroup yet: waiting for one");
	return 0;
}

static void read_signals(struct watcher *w)
{
	struct signalfd_siginfo si;

	while (read(w->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			reap(w);
		else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT || si.ssi_signo == SIGHUP)
			w->stop_signal = (int)si.ssi_signo;
	}
}

static int loop_once(struct watcher *w, struct strbuf *err)
{
	struct pollfd pfd[NOTIFY_NR + 2];
	int idx[NOTIFY_NR], notified[NOTIFY_NR] = { 0 }, n = 0, pid_at = -1, i, gone;

	pfd[n].fd = w->sigfd;
	pfd[n++].events = POLLIN;
	for (i = 0; i < NOTIFY_NR; i++) {
		idx[i] = -1;
		if (w->nt.fd[i] < 0)
			continue;
		idx[i] = n;
		pfd[n].fd = w->nt.fd[i];
		pfd[n++].events = watch_notify_events(&w->nt, (enum watch_notify_kind)i);
	}
	if (w->pid && w->pidfd >= 0) {
		pid_at = n;
		pfd[n].fd = w->pidfd;
		pfd[n++].events = POLLIN;
	}
	for (i = 0; i < n; i++)
		pfd[i].revents = 0;
	if (poll(pfd, (nfds_t)n, next_timeout(w)) < 0 && errno != EINTR)
		return error_set(err, "poll: %s", strerror(errno));
	if (pfd[0].revents)
		read_signals(w);
	if (w->stop_signal)
		return 0;
	for (i = 0; i < NOTIFY_NR; i++) {
		if (idx[i] >= 0 && pfd[idx[i]].revents) {
			notified[i] = 1;
			watch_notify_drain(&w->nt, (enum watch_notify_kind)i);
		}
	}
	gone = target_gone(w, pid_at >= 0 ? &pfd[pid_at] : NULL);

	w->prev = w->cur;
	if (watch_cgroup_sample(&w->cg, &w->cur, err) < 0) {
		if (!is_dir(w->cg.dir)) {
			watch_log_event(&w->log, "cgroup-removed", json_object_new_object());
			watch_log_human(&w->log, "the cgroup %s was removed: stopping", w->cg.dir);
			w->done = 1;
			strbuf_reset(err);
			return 0;
		}
		return -1;
	}
	/* a new limit moves every threshold the kernel was told about */
	if (w->cg.version == 1 && w->cur.limit != w->nt.limit && w->cur.limit > 0)
		watch_notify_setup(&w->nt, &w->cg, w->policy.levels, w->policy.nr_levels,
				   w->policy.hysteresis, w->cur.limit, w->o->psi_stall_us);

	/* the kernel counts an OOM kill before it sends the SIGKILL */
	if (w->pid && gone) {
		record_kill(w, w->cur.oom_kill > w->oom_kill_seen);
		drop_target(w);
	} else if (w->pid && w->cur.oom_kill > w->oom_kill_seen) {
		if (w->oom_pending_ms < 0)
			w->oom_pending_ms = clock_mono_ms();
		else if (clock_mono_ms() - w->oom_pending_ms > OOM_EXIT_WAIT_MS) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "pid", json_object_new_int(w->pid));
			json_object_object_add(o, "oom_kill_before", json_object_new_int64(w->oom_kill_seen));
			json_object_object_add(o, "oom_kill_after", json_object_new_int64(w->cur.oom_kill));
			add_victim(w, o, 0);
			watch_log_event(&w->log, "oom-kill-other", o);
			watch_log_human(&w->log, "the OOM killer killed another process in the cgroup; pid %d lives on",
					(int)w->pid);
			w->oom_kill_seen = w->cur.oom_kill;
			w->oom_pending_ms = -1;
		}
	}
	if (w->done)
		return 0;
	if (!w->pid)
		try_follow(w);
	else
		evaluate(w, notified);
	return 0;
}

int watch_run(const struct watch_options *o, struct strbuf *err)
{
	struct watcher w;
	json_object *stop;
	int ret = -1;

	memset(&w, 0, sizeof(w));
	w.o = o;
	w.policy = o->policy;
	w.pidfd = -1;
	w.sigfd = -1;
	w.kmsg_fd = -1;
	w.log.fd = -1;
	w.oom_pending_ms = -1;
	w.pending.kind = TRIG_NONE;
	watch_cgroup_init(&w.cg);
	watch_notify_init(&w.nt);
	if (setup(&w, err) < 0)
		goto out;
	while (!w.stop_signal && !w.done)
		if (loop_once(&w, err) < 0)
			goto out;
	w.done = 1;
	stop_job(&w);
	stop = json_object_new_object();
	if (w.stop_signal)
		json_object_object_add(stop, "signal", json_object_new_string(strsignal(w.stop_signal)));
	json_object_object_add(stop, "kills", json_object_new_int64(w.kills));
	json_object_object_add(stop, "collections", json_object_new_int(w.nr_started));
	watch_log_event(&w.log, "stop", stop);
	watch_log_human(&w.log, "stopped%s%s: %d collections, %ld kills recorded",
			w.stop_signal ? " by " : "", w.stop_signal ? strsignal(w.stop_signal) : "",
			w.nr_started, w.kills);
	ret = 0;
out:
	w.done = 1;
	if (w.job.child)
		stop_job(&w);
	free(w.job.path);
	free(w.last_path);
	free(w.exe);
	if (w.pidfd >= 0)
		close(w.pidfd);
	if (w.sigfd >= 0)
		close(w.sigfd);
	if (w.kmsg_fd >= 0)
		close(w.kmsg_fd);
	watch_notify_release(&w.nt);
	watch_cgroup_release(&w.cg);
	watch_log_close(&w.log);
	return ret;
}
