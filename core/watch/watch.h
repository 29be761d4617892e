#ifndef TRIAGE_WATCH_H
#define TRIAGE_WATCH_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "base/strbuf.h"

struct json_object;

/*
 * triage watch: stay next to a service, and collect a bundle when its
 * memory cgroup nears the limit, before the OOM killer erases the scene.
 *
 * The pieces, one file each:
 *   target.c  the watched cgroup: which version, one cheap sample of its
 *             numbers, the processes in it
 *   notify.c  the kernel's notifications (v1 cgroup.event_control eventfds
 *             on usage thresholds, OOM and vmpressure; v2 PSI triggers on
 *             memory.pressure and memory.events changes; pidfd for the exit)
 *   policy.c  pure decisions: thresholds with hysteresis, the growth rate,
 *             minimum interval and hourly cap
 *   store.c   the directory: bundle names, events.jsonl, retention, and the
 *             listing triage analyze uses
 *   watch.c   the loop: poll() on all of the above, one collection at a
 *             time in a child process
 */

#define WATCH_MAX_LEVELS 8
#define WATCH_EVENTS_FILE "events.jsonl"

/* ---- target.c ---- */

struct watch_cgroup {
	char *dir;		/* the memory cgroup's directory */
	int version;		/* 1 or 2 */
};

/* One reading of the cgroup; sizes in bytes, -1 when unknown. */
struct watch_sample {
	int64_t mono_ms;	/* clock_mono_ms() when read */
	int64_t usage;		/* v1 memory.usage_in_bytes, v2 memory.current */
	int64_t limit;		/* 0: no limit */
	int64_t working_set;	/* usage - inactive_file: what kubelet and OOM come to */
	int64_t oom_kill;	/* v1 oom_control oom_kill (4.13+), v2 memory.events oom_kill */
	int64_t oom;		/* v2 memory.events oom; v1 under_oom */
	int64_t max_events;	/* v2 memory.events max; v1 memory.failcnt */
	double pct;		/* working set as percent of the limit, -1 without a limit */
};

void watch_cgroup_init(struct watch_cgroup *cg);
void watch_cgroup_release(struct watch_cgroup *cg);
/* The memory cgroup of pid (through /proc/PID/cgroup and mountinfo). */
int watch_cgroup_of_pid(struct watch_cgroup *cg, pid_t pid, struct strbuf *err);
/* A cgroup directory given by path; the version is told by its files. */
int watch_cgroup_at(struct watch_cgroup *cg, const char *dir, struct strbuf *err);
/* Reads usage, limit, memory.stat and the OOM counters: a few small files. */
int watch_cgroup_sample(const struct watch_cgroup *cg, struct watch_sample *s, struct strbuf *err);
/*
 * The process of the cgroup to follow: the one running exe when exe is set
 * (a supervisor's restart runs the same binary), else the largest by RSS.
 * 0 when there is none; *exe_out (malloc'd) gets its executable.
 */
pid_t watch_cgroup_find(const struct watch_cgroup *cg, const char *exe, pid_t not_pid, char **exe_out);
/* The executable of pid, without a " (deleted)" suffix; NULL when gone. */
char *watch_pid_exe(pid_t pid);

/* ---- notify.c ---- */

enum watch_notify_kind {
	NOTIFY_USAGE,		/* v1 usage threshold crossed */
	NOTIFY_OOM,		/* v1 memory.oom_control */
	NOTIFY_PRESSURE,	/* v1 vmpressure critical, v2 PSI trigger */
	NOTIFY_EVENTS,		/* v2 memory.events changed */
	NOTIFY_NR
};

struct watch_notify {
	int fd[NOTIFY_NR];	/* -1 when not available */
	int version;		/* of the cgroup set up for */
	int64_t limit;		/* the limit the v1 usage thresholds were set for */
	struct strbuf mode;	/* "v1 events: usage thresholds, oom, vmpressure" */
};

void watch_notify_init(struct watch_notify *n);
void watch_notify_release(struct watch_notify *n);
/*
 * Sets up what the kernel offers for cg. v1: one eventfd for usage
 * thresholds at every level (and its re-arm point) and every 5% of limit,
 * one for OOM, one for vmpressure "critical". v2: a PSI trigger (stall_us in
 * every 1 s window) on memory.pressure, and memory.events opened for
 * POLLPRI. What fails is left out and said in n->mode; never fatal.
 */
void watch_notify_setup(struct watch_notify *n, const struct watch_cgroup *cg,
			const double *levels, int nr_levels, double hysteresis,
			int64_t limit, int64_t psi_stall_us);
/* The poll() events to wait for on fd[kind]. */
short watch_notify_events(const struct watch_notify *n, enum watch_notify_kind kind);
/* Consumes a notification so the fd can fire again. */
void watch_notify_drain(struct watch_notify *n, enum watch_notify_kind kind);
/* The PSI trigger text written to memory.pressure: "some 150000 1000000". */
void watch_psi_trigger(struct strbuf *out, int64_t stall_us);
/* The v1 cgroup.event_control thresholds for a limit, ascending, deduplicated. */
size_t watch_v1_thresholds(const double *levels, int nr_levels, double hysteresis, int64_t limit,
			   int64_t *out, size_t max);
/* A pidfd for pid (readable when it exits), -1 when the kernel has none. */
int watch_pidfd(pid_t pid);

/* ---- kmsg.c ---- */

struct watch_victim {
	pid_t pid;
	char comm[64];
	int64_t anon_rss_kb;	/* -1 when the line had none */
};

/* /dev/kmsg opened at its end, -1 when unreadable (a container, no CAP_SYSLOG). */
int watch_kmsg_open(void);
/* Parses "... Killed process PID (COMM) ... anon-rss:NkB ..."; -1 when it is not one. */
int watch_kmsg_parse(const char *msg, struct watch_victim *v);
/*
 * Reads the records logged since the last call; 0 with v filled when the
 * OOM killer named pid, or a process of the cgroup at cg_dir, as its victim.
 */
int watch_kmsg_victim(int fd, const char *cg_dir, pid_t pid, struct watch_victim *v);

/* ---- policy.c ---- */

struct watch_policy {
	/* configuration */
	double levels[WATCH_MAX_LEVELS];	/* percent of the limit, ascending */
	int nr_levels;
	double hysteresis;		/* points below a level that re-arm it */
	double danger;			/* at or above: cheap collections only */
	int64_t growth_per_min;		/* bytes per minute; 0: off */
	int64_t growth_window_ms;
	int64_t min_interval_ms;
	int max_per_hour;

	/* state */
	unsigned fired;			/* bit per level: fired in this rise */
	struct { int64_t t, ws; } hist[64];
	int hist_nr, hist_head;
	int64_t growth_fired_ms;
	int64_t starts[256];		/* collection start times, a ring */
	int nr_starts, starts_head;
	int64_t last_start_ms;
	double last_level;		/* the level of the last collection, -1 none */
};

void watch_policy_init(struct watch_policy *p);
/* "70,85,95" into p->levels; -1 with err when not ascending percentages in (0, 100]. */
int watch_policy_set_levels(struct watch_policy *p, const char *list, struct strbuf *err);
/*
 * The working set is now pct percent of the limit: re-arms every level
 * pct has fallen hysteresis points below, and returns the index of the
 * highest armed level pct has reached (all reached levels are then fired),
 * -1 when none.
 */
int watch_policy_threshold(struct watch_policy *p, double pct);
/*
 * Adds a sample; 1 when the working set grew by growth_per_min or more per
 * minute over at least the growth window (at most once a window), with the
 * rate in *rate (bytes per minute).
 */
int watch_policy_growth(struct watch_policy *p, int64_t now_ms, int64_t ws, double *rate);
/*
 * Whether a collection may start now for a trigger at level (percent; -1
 * for other triggers): the hourly cap, and the minimum interval except for
 * a threshold higher than the last collection's level (a climb is bounded
 * by the levels). 0 with *why when not.
 */
int watch_policy_admit(struct watch_policy *p, int64_t now_ms, double level, const char **why);
void watch_policy_started(struct watch_policy *p, int64_t now_ms, double level);
/*
 * A restarted process starts a new climb: levels, growth history and the
 * level the minimum interval compares with start over; the hourly cap stays.
 */
void watch_policy_new_target(struct watch_policy *p);

/* ---- store.c ---- */

struct watch_bundle {
	char *path;
	int64_t mtime_ms;
	uint64_t bytes;
};

struct watch_bundle_list {
	struct watch_bundle *items;	/* oldest first */
	size_t nr, alloc;
};

void watch_bundle_list_init(struct watch_bundle_list *l);
void watch_bundle_list_release(struct watch_bundle_list *l);
/* The finished bundles (*.tgz, not the hidden temporary files) in dir, oldest first. */
int watch_list_bundles(const char *dir, struct watch_bundle_list *l, struct strbuf *err);
/* Whether dir holds an events.jsonl: a directory triage watch wrote. */
int watch_is_dir(const char *dir);
struct strlist;
/*
 * For triage analyze DIR: lists the bundles to out (NULL: silent), sets
 * newest, base to the oldest bundle of the same process (NAME-PID) when
 * there is an older one, and adds to between (may be NULL) the bundles of
 * that process between the two, oldest first: with them the analysis sees
 * the whole climb as one series. -1 with err when dir has no bundles.
 */
int watch_dir_pick(const char *dir, struct strbuf *newest, struct strbuf *base,
		   struct strlist *between, FILE *out, struct strbuf *err);
/* DIR/NAME-PID-YYYYMMDDTHHMMSS.mmmZ-TRIGGER.tgz */
void watch_bundle_name(struct strbuf *out, const char *dir, const char *exe, pid_t pid,
		       int64_t real_ms, const char *trigger);
/* Removes the temporary files a killed collection of final_path left. */
void watch_remove_temporaries(const char *final_path);
/*
 * Deletes the oldest bundles until the total is within budget; the newest
 * is always kept. Calls deleted(path, bytes, data) for each removed.
 */
int watch_retain(const char *dir, uint64_t budget,
		 void (*deleted)(const char *path, uint64_t bytes, void *data), void *data,
		 struct strbuf *err);

/* The JSONL event log: one whole line per write(), so a reader never sees half. */
struct watch_log {
	int fd;
	int quiet;		/* no human line on stderr */
};

int watch_log_open(struct watch_log *lg, const char *dir, struct strbuf *err);
void watch_log_close(struct watch_log *lg);
/* Adds "time" and "event" to o, writes it as one line and puts o. */
void watch_log_event(struct watch_log *lg, const char *event, struct json_object *o);
/* "triage watch: HH:MM:SS message" on stderr. */
void watch_log_human(struct watch_log *lg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- watch.c ---- */

struct watch_options {
	pid_t pid;			/* 0 with cgroup */
	const char *cgroup;		/* a cgroup directory, NULL with pid */
	const char *dir;
	const char *url;		/* the pprof URL, NULL to discover */
	struct watch_policy policy;
	int cpu_seconds;		/* for full collections */
	long timeout_s;
	int64_t poll_ms;		/* where the kernel offers no events */
	int64_t psi_stall_us;		/* v2 PSI trigger: stall per 1 s window */
	uint64_t max_disk;
	long max_kills;			/* stop after this many kills; 0 never */
	int quiet;
};

void watch_options_init(struct watch_options *o);
/*
 * Runs until SIGTERM or SIGINT (0), max_kills kills (0), or the cgroup is
 * removed (0); -1 with err when the target cannot be watched at all.
 */
int watch_run(const struct watch_options *o, struct strbuf *err);

#endif
