#ifndef TRIAGE_AGGREGATE_H
#define TRIAGE_AGGREGATE_H

#include <stddef.h>
#include <stdint.h>

#include "profile/profile.h"
#include "base/strbuf.h"

/*
 * Flat and cumulative values of a profile grouped by function, package or
 * module, computed the way go tool pprof computes its -top table: each
 * inlined Line is a frame, the first Line of the first Location is the leaf
 * that gets the flat value, and a name is counted once per sample in cum
 * however often it recurses. Everything is keyed by name, so a caller (the
 * Lua host) gets a small table of rows and never walks samples itself.
 */

enum agg_group {
	AGG_FUNCTION,	/* "net/http.(*conn).serve" */
	AGG_PACKAGE,	/* "net/http" */
	AGG_MODULE,	/* the longest listed module path that owns the package, else the package */
};

struct agg_options {
	size_t sample_index;
	enum agg_group group;
	const char *const *modules;	/* for AGG_MODULE */
	size_t nr_modules;
};

struct agg_row {
	size_t name;		/* offset into agg_table.names */
	uint32_t id;		/* the row's index before any sort */
	int64_t flat, cum;
	unsigned inline_in:1;	/* reached through an inlined call */
	unsigned noinline_in:1;	/* reached through a real call (rows that can be inlined only) */
};

struct agg_table {
	struct agg_row *rows;
	size_t nr, alloc;
	struct strbuf names;
	int64_t total;		/* sum of |value| over all samples */
	int saturated;		/* a sum went past int64: values stuck at its limits */
	/* name -> row, valid until agg_table_sort */
	uint32_t *slots;
	size_t nr_slots;
	int sorted;
	/* the profile's frames as row ids, kept for agg_table_mark_inline */
	uint32_t *frame_off, *frame_keys;
	size_t sample_index;
};

void agg_table_init(struct agg_table *t);
void agg_table_release(struct agg_table *t);

int profile_aggregate(const struct profile *p, const struct agg_options *opt,
		      struct agg_table *t, struct strbuf *err);

/* t -= base, row by row by name (rows only in base come in negated). */
int agg_table_subtract(struct agg_table *t, const struct agg_table *base, struct strbuf *err);

/* Orders as go tool pprof does: |flat| desc, name, |cum| desc (by_cum: |cum|, name, |flat|). */
void agg_table_sort(struct agg_table *t, int by_cum);

/*
 * Sets inline_in/noinline_in on the first nr_kept rows (after sorting) the
 * way go tool pprof labels "(inline)" and "(partial-inline)": from the call
 * edges between kept rows (bridging over rows not kept), after dropping
 * edges lighter than 0.1% of the flat sum, as its default -edgefraction
 * does. p must be the profile the table was aggregated from.
 * Only rows some location holds as an inlined frame can get a marker, so
 * only their edges are counted: noinline_in is set on such rows alone
 * (it says "partial" beside inline_in), never on rows that are always real
 * calls.
 */
void agg_table_mark_inline(struct agg_table *t, const struct profile *p, size_t nr_kept);

/* Drops rows whose flat and cum are both zero (pprof never shows them). */
void agg_table_drop_empty(struct agg_table *t);

static inline const char *agg_row_name(const struct agg_table *t, const struct agg_row *r)
{
	return t->names.buf + r->name;
}

/* "github.com/a/b.(*T).M" -> "github.com/a/b" (into out); generic brackets are ignored. */
void go_package_of(const char *func, struct strbuf *out);

#endif
