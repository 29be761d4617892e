#ifndef TRIAGE_AGGREGATE_H
#define TRIAGE_AGGREGATE_H

#include <stddef.h>
#include <stdint.h>

#include "profile.h"
#include "strbuf.h"

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
	int want_inline;	/* compute go tool pprof's (inline) markers */
};

struct agg_row {
	size_t name;		/* offset into agg_table.names */
	int64_t flat, cum;
	unsigned inline_in:1;	/* reached through an inlined call */
	unsigned noinline_in:1;	/* reached through a real call */
};

struct agg_table {
	struct agg_row *rows;
	size_t nr, alloc;
	struct strbuf names;
	int64_t total;		/* sum of |value| over all samples */
	/* name -> row, valid until agg_table_sort */
	uint32_t *slots;
	size_t nr_slots;
	int sorted;
};

void agg_table_init(struct agg_table *t);
void agg_table_release(struct agg_table *t);

int profile_aggregate(const struct profile *p, const struct agg_options *opt,
		      struct agg_table *t, struct strbuf *err);

/* t -= base, row by row by name (rows only in base come in negated). */
int agg_table_subtract(struct agg_table *t, const struct agg_table *base, struct strbuf *err);

/* Orders as go tool pprof does: |flat| desc, name, |cum| desc (by_cum: |cum|, name, |flat|). */
void agg_table_sort(struct agg_table *t, int by_cum);

/* Drops rows whose flat and cum are both zero (pprof never shows them). */
void agg_table_drop_empty(struct agg_table *t);

static inline const char *agg_row_name(const struct agg_table *t, const struct agg_row *r)
{
	return t->names.buf + r->name;
}

/* "github.com/a/b.(*T).M" -> "github.com/a/b" (into out); generic brackets are ignored. */
void go_package_of(const char *func, struct strbuf *out);

#endif
