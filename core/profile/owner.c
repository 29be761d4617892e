#include "profile/owner.h"

#include <stdlib.h>
#include <string.h>

#include "base/satmath.h"
#include "base/sort.h"

#include "profile/aggregate.h"

void owner_table_init(struct owner_table *t)
{
	memset(t, 0, sizeof(*t));
}

void owner_table_release(struct owner_table *t)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		free(t->rows[i].name);
	free(t->rows);
	owner_table_init(t);
}

enum { OWN_RUNTIME = -1, OWN_STDLIB = -2, OWN_OTHER = -3, OWN_UNSET = -4 };

/* Module index owning pkg (longest prefix on a path boundary), else a class. */
static int owner_of(const char *pkg, const char *const *modules, size_t nr)
{
	size_t i, best = 0;
	int owner = -1;
	size_t first;

	for (i = 0; i < nr; i++) {
		size_t n = strlen(modules[i]);

		if (n > best && !strncmp(pkg, modules[i], n) && (pkg[n] == '\0' || pkg[n] == '/')) {
			best = n;
			owner = (int)i;
		}
	}
	if (owner >= 0)
		return owner;
	if (!strcmp(pkg, "runtime") || !strncmp(pkg, "runtime/", 8))
		return OWN_RUNTIME;
	/* standard library import paths have no dot in their first element */
	first = strcspn(pkg, "/");
	if (*pkg && !memchr(pkg, '.', first))
		return OWN_STDLIB;
	return OWN_OTHER;
}

enum owner_class owner_class_of(const char *func, const char *const *modules, size_t nr_modules)
{
	struct strbuf pkg = STRBUF_INIT;
	int o;

	go_package_of(func, &pkg);
	/* package main is the main module's whatever its module path */
	o = !strcmp(strbuf_str(&pkg), "main") ? 0 : owner_of(strbuf_str(&pkg), modules, nr_modules);
	strbuf_release(&pkg);
	return o == 0 ? OWNER_MAIN : o > 0 ? OWNER_DEPENDENCY : o == OWN_RUNTIME ? OWNER_RUNTIME :
	       o == OWN_STDLIB ? OWNER_STDLIB : OWNER_OTHER;
}

static int row_cmp(const void *a, const void *b)
{
	const struct owner_row *x = a, *y = b;
	int64_t vx = sat_abs64(x->value, NULL), vy = sat_abs64(y->value, NULL);

	if (vx != vy)
		return vx > vy ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * The function of every frame of sample s, leaf first, an inlined Line being
 * a frame of its own; frames without a function are left out. Both walks
 * below need the same order, so it is spelled once.
 */
static size_t sample_functions(const struct profile *p, size_t s, uint32_t **fns, size_t *alloc)
{
	size_t nr = 0;
	uint32_t k;

	for (k = p->loc_off[s]; k < p->loc_off[s + 1]; k++) {
		const struct profile_location *l = &p->locations[profile_loc(p, k)];
		uint32_t j;

		for (j = 0; j < l->nr_lines; j++) {
			uint32_t fn = p->lines[l->line_off + j].function;

			if (fn == PROFILE_NONE)
				continue;
			ALLOC_GROW(*fns, nr + 1, *alloc);
			(*fns)[nr++] = fn;
		}
	}
	return nr;
}

/* Turns the non-empty slots of value[]/count[] into rows, largest first. */
static void fill_rows(struct owner_table *t, size_t nr, const int64_t *value,
		      const int64_t *count, const char *(*name)(size_t i, const void *ctx),
		      const void *ctx)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		struct owner_row *r;

		if (!count[i])
			continue;
		t->rows = xreallocarray(t->rows, t->nr + 1, sizeof(*t->rows));
		r = &t->rows[t->nr++];
		r->name = xstrdup(name(i, ctx));
		r->value = value[i];
		r->samples = count[i];
	}
	sort_array(t->rows, t->nr, sizeof(*t->rows), row_cmp);
}

struct owner_names {
	const char *const *modules;
	size_t nr_modules;
};

/* modules first, then the three classes */
static const char *owner_name(size_t i, const void *ctx)
{
	static const char *const classes[] = { "(runtime)", "(stdlib)", "(other)" };
	const struct owner_names *n = ctx;

	return i < n->nr_modules ? n->modules[i] : classes[i - n->nr_modules];
}

static const char *function_name(size_t i, const void *ctx)
{
	const struct profile *p = ctx;

	return profile_str(p, p->functions[i].name);
}

int profile_owners(const struct profile *p, size_t sample_index, const char *const *modules,
		   size_t nr_modules, struct owner_table *t, struct strbuf *err)
{
	struct strbuf pkg = STRBUF_INIT;
	struct owner_names names = { modules, nr_modules };
	int *fn_owner = NULL;
	int64_t *value = NULL, *count = NULL;
	uint32_t *fns = NULL;
	size_t fns_alloc = 0, nr_slots = nr_modules + 3, i, s;

	if (sample_index >= p->nr_sample_types)
		return error_set(err, "sample index %zu out of range", sample_index);
	fn_owner = xmalloc((p->nr_functions ? p->nr_functions : 1) * sizeof(*fn_owner));
	for (i = 0; i < p->nr_functions; i++)
		fn_owner[i] = OWN_UNSET;
	value = xcalloc(nr_slots, sizeof(*value));
	count = xcalloc(nr_slots, sizeof(*count));
	for (s = 0; s < p->nr_samples; s++) {
		int64_t w = profile_value(p, s, sample_index);
		int owner = OWN_OTHER;
		size_t f, nr;

		t->total = sat_add64(t->total, sat_abs64(w, &t->saturated), &t->saturated);
		if (!w)
			continue;
		nr = sample_functions(p, s, &fns, &fns_alloc);
		for (f = 0; f < nr; f++) {
			uint32_t fn = fns[f];
			int o;

			if (fn_owner[fn] == OWN_UNSET) {
				go_package_of(profile_str(p, p->functions[fn].name), &pkg);
				fn_owner[fn] = owner_of(pkg.buf ? pkg.buf : "", modules, nr_modules);
			}
			o = fn_owner[fn];
			if (!f)
				owner = o < 0 ? o : OWN_OTHER;	/* the leaf's class, unless a module owns one */
			if (o >= 0) {
				owner = o;
				break;
			}
		}
		/* modules first, then the three classes */
		i = owner >= 0 ? (size_t)owner : nr_modules + (size_t)(-owner - 1);
		value[i] = sat_add64(value[i], w, &t->saturated);
		count[i]++;
	}
	fill_rows(t, nr_slots, value, count, owner_name, &names);
	free(fns);
	free(fn_owner);
	free(value);
	free(count);
	strbuf_release(&pkg);
	return 0;
}

int profile_callers(const struct profile *p, size_t sample_index, const char *needle,
		    const char *const *modules, size_t nr_modules, struct owner_table *t,
		    struct strbuf *err)
{
	struct strbuf pkg = STRBUF_INIT;
	int *fn_owner = NULL;
	unsigned char *fn_match = NULL;
	int64_t *value = NULL, *count = NULL;
	uint32_t *fns = NULL;
	size_t fns_alloc = 0, i, s;

	if (sample_index >= p->nr_sample_types)
		return error_set(err, "sample index %zu out of range", sample_index);
	fn_owner = xmalloc((p->nr_functions ? p->nr_functions : 1) * sizeof(*fn_owner));
	fn_match = xcalloc(p->nr_functions ? p->nr_functions : 1, 1);
	value = xcalloc(p->nr_functions ? p->nr_functions : 1, sizeof(*value));
	count = xcalloc(p->nr_functions ? p->nr_functions : 1, sizeof(*count));
	/* once per function: stacks repeat the same few */
	for (i = 0; i < p->nr_functions; i++) {
		const char *name = profile_str(p, p->functions[i].name);

		fn_match[i] = !!strstr(name, needle);
		go_package_of(name, &pkg);
		fn_owner[i] = owner_of(pkg.buf ? pkg.buf : "", modules, nr_modules);
	}
	for (s = 0; s < p->nr_samples; s++) {
		int64_t w = profile_value(p, s, sample_index);
		uint32_t caller = PROFILE_NONE;
		size_t f, nr;
		int matched = 0;

		if (!w)
			continue;
		nr = sample_functions(p, s, &fns, &fns_alloc);
		for (f = 0; f < nr; f++) {
			uint32_t fn = fns[f];

			matched |= fn_match[fn];
			/* the innermost owned frame above the match */
			if (matched && caller == PROFILE_NONE && fn_owner[fn] >= 0 && !fn_match[fn])
				caller = fn;
		}
		if (caller == PROFILE_NONE)
			continue;
		t->total = sat_add64(t->total, sat_abs64(w, &t->saturated), &t->saturated);
		value[caller] = sat_add64(value[caller], w, &t->saturated);
		count[caller]++;
	}
	fill_rows(t, p->nr_functions, value, count, function_name, p);
	free(fns);
	free(fn_owner);
	free(fn_match);
	free(value);
	free(count);
	strbuf_release(&pkg);
	return 0;
}
