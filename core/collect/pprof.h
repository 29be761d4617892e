#ifndef TRIAGE_COLLECT_PPROF_H
#define TRIAGE_COLLECT_PPROF_H

#include <stdint.h>
#include <sys/types.h>

#include "collect/collect.h"

/*
 * The pprof source: profiles, MemStats and expvar from a Go program's
 * net/http/pprof endpoint, one request at a time in order of cost, with the
 * CPU profile's seconds overlapping the rest. Artifacts (source "pprof"):
 *
 *	profiles/{heap,allocs,goroutine,cpu,mutex,block,threadcreate}.pb.gz
 *	profiles/goroutine-debug2.txt (below a goroutine count),
 *	profiles/heap-debug1.txt (its MemStats trailer only, when expvar is absent)
 *	runtime/expvar.json, runtime/memstats.json (from expvar, else the trailer)
 *	pprof/endpoint.json (which URLs discovery tried, and the one chosen)
 *
 * Every one of them is recorded (ok, error or skipped) whatever happens, so
 * a bundle says why a profile is missing.
 *
 * With a PID and no URL the endpoint is discovered from the process's
 * listening sockets. When the PID lives in another network namespace, all
 * HTTP traffic happens from a forked helper that joined that namespace, so
 * "127.0.0.1" means the target's loopback. The target is only ever talked
 * to over HTTP: never ptraced, never stopped.
 */

#define PPROF_DEFAULT_CPU_SECONDS 10
#define PPROF_DEFAULT_TIMEOUT_MS 10000L
/*
 * goroutine?debug=2 stops the world while it formats every stack: 5 to
 * 20 ms per thousand goroutines on a small host (tests/bench-collect.sh),
 * so above this many it is skipped and the goroutine profile stands in.
 */
#define PPROF_DEFAULT_GOROUTINE_DUMP_MAX 10000L
/* heap?debug=1 (read for MemStats only) is ~700 bytes of text per heap stack */
#define PPROF_DEFAULT_HEAP_TEXT_MAX 20000L

struct pprof_options {
	const char *url;	/* base URL ending in /debug/pprof/ (host:port and http://host:port are normalised), NULL to discover */
	pid_t pid;		/* target, 0 in remote mode (url required) */
	int cpu_seconds;	/* 0 skips the CPU profile; negative means the default */
	long timeout_ms;	/* per request, <= 0 means the default; the CPU request gets cpu_seconds*1000 more */
	int64_t deadline_ms;	/* absolute (now_ms() clock) end of the whole collection, 0 none */
	int cheap_only;		/* samples over time: heap, goroutine, heap?debug=1 and memstats only */
	int near_limit;		/* the target is near its memory limit: the CPU profile and the
				   debug text dumps (goroutine?debug=2, heap?debug=1) are recorded
				   as skipped, as building them makes the target allocate */
	int progress;		/* one-line progress on stderr; the caller sets it only on a TTY */
	/*
	 * Ask for heap?gc=1: the target runs a full GC before answering, so the
	 * heap profile is current rather than as of the last GC. It costs the
	 * target a stop-the-world GC cycle per request, hence off by default.
	 */
	int gc_heap;
	long goroutine_dump_max;	/* goroutine?debug=2 only at or below this many goroutines */
	long heap_text_max;		/* heap?debug=1 only at or below this many heap stacks */
	int force;			/* take the expensive requests whatever the counts and headroom */
	/*
	 * Goroutines the census read from the target's memory (collect/census.c),
	 * -1 without one. Above goroutine_dump_max the census stands in for the
	 * goroutine profile too, which copies a record per goroutine in the target.
	 */
	long long census_goroutines;
};

/*
 * The count net/http/pprof's index page lists for a profile ("goroutine":
 * runtime.NumGoroutine(); "heap": heap profile records), -1 when the page
 * has no such row.
 */
long long pprof_index_count(const char *html, const char *name);

/* Fills in the defaults: no URL, no PID, 10 s CPU profile, 10 s per request. */
void pprof_options_init(struct pprof_options *o);

void collect_pprof(struct collection *c, const struct pprof_options *o);

#endif
