#ifndef TRIAGE_TOP_H
#define TRIAGE_TOP_H

#include <stdio.h>

#include "base/strbuf.h"
#include "profile/aggregate.h"
#include "profile/profile.h"

struct top_request {
	const char *sample_index;	/* a sample type name or number; NULL: the default */
	enum agg_group group;
	const char **modules;		/* for AGG_MODULE */
	size_t nr_modules;
	int cum;			/* sort by cum */
	long nodes;			/* rows to show; 0: all */
	int json;
};

/*
 * Prints p's table (p - base when base is given; percentages then are of
 * the base's total, as pprof -diff_base). name and bname are for messages.
 * 0, or -1 with err (a sample type the profile lacks).
 */
int profile_top(struct profile *p, struct profile *base, const char *name, const char *bname,
		const struct top_request *rq, FILE *out, struct strbuf *err);

#endif
