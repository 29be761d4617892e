#ifndef TRIAGE_MEMSTATS_H
#define TRIAGE_MEMSTATS_H

#include <stddef.h>
#include <stdint.h>

struct strbuf;

/*
 * The runtime.MemStats fields triage reasons with: the ledger from the
 * heap profile up to what the Go runtime got from the OS (see
 * reference/go-memory.md section 3). They come from two places:
 *
 *  - the "# runtime.MemStats" trailer of heap?debug=1, one "# Name = value"
 *    line per field; "Stack", "MSpan" and "MCache" print "inuse / sys";
 *    PauseNs and PauseEnd print "[n n ...]"; Linux adds MaxRSS. The trailer
 *    has no PauseTotalNs.
 *  - JSON with Go's field names: runtime/memstats.json in a bundle (written
 *    by memstats_to_json()) or the "memstats" object of expvar's
 *    /debug/vars.
 *
 * A field is set only when its bit is in present (MEMSTATS_HAS); a missing
 * field is never zero in disguise. Unknown names are ignored, so a future
 * Go release adding fields parses unchanged.
 */

enum memstats_field {
	MEMSTATS_ALLOC,
	MEMSTATS_TOTAL_ALLOC,
	MEMSTATS_SYS,
	MEMSTATS_LOOKUPS,
	MEMSTATS_MALLOCS,
	MEMSTATS_FREES,
	MEMSTATS_HEAP_ALLOC,
	MEMSTATS_HEAP_SYS,
	MEMSTATS_HEAP_IDLE,
	MEMSTATS_HEAP_INUSE,
	MEMSTATS_HEAP_RELEASED,
	MEMSTATS_HEAP_OBJECTS,
	MEMSTATS_STACK_INUSE,
	MEMSTATS_STACK_SYS,
	MEMSTATS_MSPAN_INUSE,
	MEMSTATS_MSPAN_SYS,
	MEMSTATS_MCACHE_INUSE,
	MEMSTATS_MCACHE_SYS,
	MEMSTATS_BUCK_HASH_SYS,
	MEMSTATS_GC_SYS,
	MEMSTATS_OTHER_SYS,
	MEMSTATS_NEXT_GC,
	MEMSTATS_LAST_GC,
	MEMSTATS_PAUSE_TOTAL_NS,
	MEMSTATS_NUM_GC,
	MEMSTATS_NUM_FORCED_GC,
	MEMSTATS_MAX_RSS,		/* not a MemStats field: heap?debug=1 on Linux */
	MEMSTATS_GC_CPU_FRACTION,	/* double */
	MEMSTATS_ENABLE_GC,		/* bool */
	MEMSTATS_DEBUG_GC,		/* bool */
	MEMSTATS_PAUSE_NS,		/* array */
	MEMSTATS_PAUSE_END,		/* array */
	MEMSTATS_NR_FIELDS
};

/* runtime.MemStats.PauseNs is a circular buffer of this many entries. */
#define MEMSTATS_PAUSE_LEN 256

struct memstats {
	uint64_t present;	/* bit (1 << enum memstats_field) per field read */

	uint64_t alloc, total_alloc, sys, lookups, mallocs, frees;
	uint64_t heap_alloc, heap_sys, heap_idle, heap_inuse, heap_released, heap_objects;
	uint64_t stack_inuse, stack_sys;
	uint64_t mspan_inuse, mspan_sys;
	uint64_t mcache_inuse, mcache_sys;
	uint64_t buck_hash_sys, gc_sys, other_sys;
	uint64_t next_gc, last_gc, pause_total_ns;
	uint64_t num_gc, num_forced_gc;
	uint64_t max_rss;
	double gc_cpu_fraction;
	int enable_gc, debug_gc;

	/* as the runtime keeps them; entries past MEMSTATS_PAUSE_LEN are dropped */
	uint64_t pause_ns[MEMSTATS_PAUSE_LEN];
	size_t nr_pause_ns;
	uint64_t pause_end[MEMSTATS_PAUSE_LEN];
	size_t nr_pause_end;
};

#define MEMSTATS_HAS(m, f) ((((m)->present) >> (f)) & 1u)

void memstats_init(struct memstats *m);

/* The Go field name of f ("HeapAlloc"), or NULL when f is out of range. */
const char *memstats_field_name(enum memstats_field f);

/*
 * Parses heap?debug=1 text (len bytes). Fields are read only after the
 * "# runtime.MemStats" line, because the profile above it also has lines
 * starting with '#'. Fails when there is no trailer, when the trailer has
 * no known field, or when a known field's value is malformed (negative,
 * beyond uint64, not a number), naming the line.
 */
int memstats_parse_debug1(const char *text, size_t len, struct memstats *m,
			  struct strbuf *err);

/*
 * Parses a JSON object with Go's field names, or an object holding one
 * under "memstats" (expvar's /debug/vars). Fails on invalid JSON, on a
 * known field of the wrong type or range, and when no known field is there.
 */
int memstats_parse_json(const char *text, size_t len, struct memstats *m,
			struct strbuf *err);

/*
 * Appends m as a JSON object with Go's field names (only present fields;
 * integers exact, GCCPUFraction as a double that reads back to the same
 * value) and a trailing newline: the runtime/memstats.json of a bundle.
 */
void memstats_to_json(const struct memstats *m, struct strbuf *out);

#endif
