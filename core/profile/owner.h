#ifndef TRIAGE_OWNER_H
#define TRIAGE_OWNER_H

#include <stddef.h>
#include <stdint.h>

#include "profile/profile.h"
#include "base/strbuf.h"

/*
 * Who owns each sample: walking from the leaf toward the root, the first
 * frame whose package belongs to one of the given modules (the main module
 * and the dependencies from build info) names the owner. An allocation in
 * bytes.makeSlice called from a dependency belongs to that dependency, not
 * to the standard library; and main.main at the root of nearly every stack
 * does not swallow everything, as a cum-by-module view would. Samples with
 * no such frame belong to "(runtime)", "(stdlib)" or "(other)" by their
 * leaf.
 */

struct owner_row {
	char *name;		/* module path, or "(runtime)", "(stdlib)", "(other)" */
	int64_t value;		/* sum of the chosen sample value */
	int64_t samples;	/* samples with a non-zero value */
};

struct owner_table {
	struct owner_row *rows;	/* largest |value| first */
	size_t nr;
	int64_t total;
	int saturated;		/* a sum went past int64: values stuck at its limits */
};

void owner_table_init(struct owner_table *t);
void owner_table_release(struct owner_table *t);

/* What a frame is, for colouring a flame graph: by its function's package. */
enum owner_class {
	OWNER_MAIN,		/* modules[0], the main module */
	OWNER_DEPENDENCY,	/* one of the other modules */
	OWNER_STDLIB,
	OWNER_RUNTIME,
	OWNER_OTHER,		/* a module path that build info does not list */
};

/* The class of function func; modules[0] is the main module, the rest its dependencies. */
enum owner_class owner_class_of(const char *func, const char *const *modules, size_t nr_modules);

int profile_owners(const struct profile *p, size_t sample_index, const char *const *modules,
		   size_t nr_modules, struct owner_table *t, struct strbuf *err);

/*
 * The innermost frames owned by the given modules in the samples whose stack
 * has a frame containing needle: who, in the main module, calls into
 * net/http.(*Client).do. Rows are function names, largest |value| first.
 */
int profile_callers(const struct profile *p, size_t sample_index, const char *needle,
		    const char *const *modules, size_t nr_modules, struct owner_table *t,
		    struct strbuf *err);

#endif
