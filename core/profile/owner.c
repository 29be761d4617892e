#include "profile/owner.h"

#include <stdlib.h>
#include <string.h>

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

static int row_cmp(const void *a, const void *b)
{
	const struct owner_row *x = a, *y = b;
	int64_t vx = x->value < 0 ? -x->value : x->value, vy = y->value < 0 ? -y->value : y->value;

	if (vx != vy)
		return vx > vy ? -1 : 1;
	return strcmp(x->name, y->name);
}

int profile_owners(const struct profile *p, size_t sample_index, const char *const *modules,
		   size_t nr_modules, struct owner_table *t, struct strbuf *err)
{
	struct strbuf pkg = STRBUF_INIT;
	int *fn_owner = NULL;
	int64_t *value = NULL, *count = NULL;
	size_t nr_slots = nr_modules + 3, i, s;

	if (sample_index >= p->nr_sample_types)
		return error_set(err, "sample index %zu out of range", sample_index);
	fn_owner = xmalloc((p->nr_functions ? p->nr_functions : 1) * sizeof(*fn_owner));
	for (i = 0; i < p->nr_functions; i++)
		fn_owner[i] = OWN_UNSET;
	value = xcalloc(nr_slots, sizeof(*value));
	count = xcalloc(nr_slots, sizeof(*count));
	for (s = 0; s < p->nr_samples; s++) {
		int64_t w = profile_value(p, s, sample_index);
		int owner = OWN_OTHER, leaf_class = OWN_OTHER, have_leaf = 0;
		uint32_t k;

		t->total += w < 0 ? -w : w;
		if (!w)
			continue;
		for (k = p->loc_off[s]; k < p->loc_off[s + 1]; k++) {
			const struct profile_location *l = &p->locations[p->locs[k]];
			uint32_t j;

			for (j = 0; j < l->nr_lines; j++) {
				uint32_t fn = p->lines[l->line_off + j].function;
				int o;

				if (fn == PROFILE_NONE)
					continue;
				if (fn_owner[fn] == OWN_UNSET) {
					go_package_of(profile_str(p, p->functions[fn].name), &pkg);
					fn_owner[fn] = owner_of(pkg.buf ? pkg.buf : "", modules, nr_modules);
				}
				o = fn_owner[fn];
				if (!have_leaf) {
					leaf_class = o < 0 ? o : OWN_OTHER;
					have_leaf = 1;
				}
				if (o >= 0) {
					owner = o;
					goto found;
				}
			}
		}
		owner = leaf_class;
found:
		/* modules first, then the three classes */
		i = owner >= 0 ? (size_t)owner : nr_modules + (size_t)(-owner - 1);
		value[i] += w;
		count[i]++;
	}
	for (i = 0; i < nr_slots; i++) {
		static const char *const classes[] = { "(runtime)", "(stdlib)", "(other)" };
		struct owner_row *r;

		if (!count[i])
			continue;
		t->rows = xreallocarray(t->rows, t->nr + 1, sizeof(*t->rows));
		r = &t->rows[t->nr++];
		r->name = xstrdup(i < nr_modules ? modules[i] : classes[i - nr_modules]);
		r->value = value[i];
		r->samples = count[i];
	}
	if (t->nr)
		qsort(t->rows, t->nr, sizeof(*t->rows), row_cmp);
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
	size_t i, s;

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
		uint32_t k, caller = PROFILE_NONE;
		int matched = 0;

		if (!w)
			continue;
		for (k = p->loc_off[s]; k < p->loc_off[s + 1]; k++) {
			const struct profile_location *l = &p->locations[p->locs[k]];
			uint32_t j;

			for (j = 0; j < l->nr_lines; j++) {
				uint32_t fn = p->lines[l->line_off + j].function;

				if (fn == PROFILE_NONE)
					continue;
				matched |= fn_match[fn];
				/* the innermost owned frame above the match */
				if (matched && caller == PROFILE_NONE && fn_owner[fn] >= 0 && !fn_match[fn])
					caller = fn;
			}
		}
		if (caller == PROFILE_NONE)
			continue;
		t->total += w < 0 ? -w : w;
		value[caller] += w;
		count[caller]++;
	}
	for (i = 0; i < p->nr_functions; i++) {
		struct owner_row *r;

		if (!count[i])
			continue;
		t->rows = xreallocarray(t->rows, t->nr + 1, sizeof(*t->rows));
		r = &t->rows[t->nr++];
		r->name = xstrdup(profile_str(p, p->functions[i].name));
		r->value = value[i];
		r->samples = count[i];
	}
	if (t->nr)
		qsort(t->rows, t->nr, sizeof(*t->rows), row_cmp);
	free(fn_owner);
	free(fn_match);
	free(value);
	free(count);
	strbuf_release(&pkg);
	return 0;
}
