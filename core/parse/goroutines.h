#ifndef TRIAGE_GOROUTINES_H
#define TRIAGE_GOROUTINES_H

#include <stddef.h>
#include <stdint.h>

struct strbuf;

/*
 * The goroutine?debug=2 dump: every goroutine with its state, how long it
 * has waited and its stack. A goroutine leak shows up as one stack repeated
 * thousands of times with the same creator and long waits (casebook cases
 * 1 and 2), which the grouping below makes one line.
 *
 * Format (reference/go-memory.md section 2):
 *
 *   goroutine 18 [chan receive, 5 minutes, locked to thread]:
 *   main.recv(0xc000010000, ...)
 *   	/src/main.go:12 +0x35
 *   created by main.main in goroutine 1
 *   	/src/main.go:80 +0x1a5
 *   <blank line>
 *
 * The header's items after the state are read when known (", N minutes",
 * ", locked to thread") and otherwise ignored, so header additions in new
 * Go releases parse. The runtime caps the dump at 64 MiB, so the last
 * goroutine may be cut short: it is kept, flagged truncated, and so is the
 * dump. Caps (goroutines, frames per goroutine, frames in all, line
 * length, input size) keep hostile input bounded; hitting one flags the
 * dump truncated rather than failing.
 *
 * All strings are interned per dump: equal names are the same pointer, so
 * comparing frames is comparing pointers. They live as long as the dump.
 */

#define GOROUTINES_MAX 2000000
#define GOROUTINES_MAX_FRAMES 1000		/* per goroutine; Go prints at most 100 */
#define GOROUTINES_MAX_TOTAL_FRAMES 8000000
#define GOROUTINES_MAX_LINE (64 * 1024)
#define GOROUTINES_MAX_INPUT ((size_t)256 << 20)

struct goroutine_frame {
	const char *func;	/* without arguments: "main.(*server).serve" */
	const char *file;	/* NULL when the file line is missing */
	int line;		/* 0 when unknown */
};

struct goroutine {
	uint64_t id;
	const char *state;		/* "chan receive", "IO wait", "running", ... */
	int64_t wait_minutes;		/* 0 when the header has none (under a minute) */
	unsigned locked : 1;		/* "locked to thread" */
	unsigned elided : 1;		/* frames left out, by Go or by our cap */
	unsigned truncated : 1;		/* the dump ended inside this goroutine */
	struct goroutine_frame *frames;	/* leaf first */
	size_t nr_frames;
	size_t first_frame;		/* index of frames[0] in the dump's frame pool */
	struct goroutine_frame created_by;	/* func NULL when the dump has no "created by" */
	uint64_t creator_id;		/* Go >= 1.21 "in goroutine N"; 0 when not given */
};

struct goroutine_strings;

struct goroutine_dump {
	struct goroutine *items;	/* in dump order */
	size_t nr, alloc;
	size_t nr_skipped;		/* lines that fit nowhere */
	unsigned truncated : 1;		/* cut short by the runtime, the input or a cap */

	struct goroutine_frame *pool;	/* every goroutine's frames, back to back */
	size_t nr_pool, alloc_pool;
	struct goroutine_strings *strings;
};

void goroutine_dump_init(struct goroutine_dump *d);
void goroutine_dump_release(struct goroutine_dump *d);

/*
 * Parses a goroutine?debug=2 dump of len bytes into d (initialised by the
 * caller). Fails, leaving d released, when the input is larger than
 * GOROUTINES_MAX_INPUT or has no goroutine header at all.
 */
int goroutines_parse(struct goroutine_dump *d, const char *text, size_t len,
		     struct strbuf *err);

/* The goroutine with this id, NULL if the dump has none (the first, if a hostile dump repeats it). */
const struct goroutine *goroutines_find(const struct goroutine_dump *d, uint64_t id);

/* Goroutines with the same state, the same function list and the same creator function. */
struct goroutine_group {
	const struct goroutine *first;	/* the first member in dump order; its fields are the group's */
	size_t count;
	int64_t min_wait_minutes, max_wait_minutes;
	size_t nr_locked;
};

struct goroutine_groups {
	struct goroutine_group *items;	/* by count, largest first; then by first->id */
	size_t nr, alloc;
};

void goroutine_groups_init(struct goroutine_groups *g);
void goroutine_groups_release(struct goroutine_groups *g);

/* Groups d's goroutines into g (initialised by the caller); g points into d. */
void goroutines_group(const struct goroutine_dump *d, struct goroutine_groups *g);

#endif
