#include "profile/flame.h"

#include <stdlib.h>
#include <string.h>

#include "base/hash.h"

void flame_tree_init(struct flame_tree *t)
{
	memset(t, 0, sizeof(*t));
}

void flame_tree_release(struct flame_tree *t)
{
	free(t->nodes);
	free(t->slots);
	flame_tree_init(t);
}

static uint32_t new_node(struct flame_tree *t, uint32_t parent, uint32_t key)
{
	struct flame_node *n;

	ALLOC_GROW(t->nodes, t->nr + 1, t->alloc);
	n = &t->nodes[t->nr];
	memset(n, 0, sizeof(*n));
	n->key = key;
	n->parent = parent;
	n->child = n->sibling = FLAME_NONE;
	return (uint32_t)t->nr++;
}

static size_t slot_hash(uint32_t parent, uint32_t key, size_t mask)
{
	return (size_t)fnv1a64_word(fnv1a64_word(FNV1A64_INIT, parent), key) & mask;
}

static void rehash(struct flame_tree *t)
{
	size_t i, n = t->nr_slots ? t->nr_slots * 2 : 4096;

	free(t->slots);
	t->slots = xmalloc(n * sizeof(*t->slots));
	memset(t->slots, 0xff, n * sizeof(*t->slots));
	t->nr_slots = n;
	for (i = 1; i < t->nr; i++) {
		size_t h = slot_hash(t->nodes[i].parent, t->nodes[i].key, n - 1);

		while (t->slots[h] != FLAME_NONE)
			h = (h + 1) & (n - 1);
		t->slots[h] = (uint32_t)i;
	}
}

/* The child of parent named key, created (and linked first) when new. */
static uint32_t child_of(struct flame_tree *t, uint32_t parent, uint32_t key)
{
	size_t h;
	uint32_t c;

	if ((t->nr + 1) * 2 > t->nr_slots)
		rehash(t);
	h = slot_hash(parent, key, t->nr_slots - 1);
	while ((c = t->slots[h]) != FLAME_NONE) {
		if (t->nodes[c].parent == parent && t->nodes[c].key == key)
			return c;
		h = (h + 1) & (t->nr_slots - 1);
	}
	c = new_node(t, parent, key);
	t->nodes[c].sibling = t->nodes[parent].child;
	t->nodes[parent].child = c;
	t->slots[h] = c;
	return c;
}

int flame_tree_add(struct flame_tree *t, const struct profile *p, size_t sample_index,
		   const struct agg_table *agg, int is_base, struct strbuf *err)
{
	/*
	 * The previous sample's path, root first: neighbouring samples share
	 * long prefixes, and reusing those nodes skips most hash lookups (half
	 * the time of a 262k-stack profile went to them).
	 */
	uint32_t *path_key = NULL, *path_node = NULL;
	size_t s, path_len = 0, path_alloc = 0, node_alloc = 0;

	if (sample_index >= p->nr_sample_types)
		return error_set(err, "sample index %zu out of range (the profile has %zu sample types)",
				 sample_index, p->nr_sample_types);
	if (!agg->frame_off || agg->sample_index != sample_index)
		return error_set(err, "the profile was not aggregated at sample index %zu", sample_index);
	if (!t->nr)
		new_node(t, FLAME_NONE, FLAME_NONE);
	for (s = 0; s < p->nr_samples; s++) {
		int64_t w = profile_value(p, s, sample_index);
		uint32_t node = 0, k;
		size_t depth = 0;
		int same = 1;

		if (!w)
			continue;
		if (is_base)
			t->nodes[0].base += w;
		else
			t->nodes[0].value += w;
		/* root to leaf: the outermost location's outermost line first */
		for (k = p->loc_off[s + 1]; k-- > p->loc_off[s];) {
			uint32_t loc = profile_loc(p, k), f;

			for (f = agg->frame_off[loc + 1]; f-- > agg->frame_off[loc]; depth++) {
				uint32_t key = agg->frame_keys[f];

				same = same && depth < path_len && path_key[depth] == key;
				node = same ? path_node[depth] : child_of(t, node, key);
				ALLOC_GROW(path_key, depth + 1, path_alloc);
				ALLOC_GROW(path_node, depth + 1, node_alloc);
				path_key[depth] = key;
				path_node[depth] = node;
				if (is_base)
					t->nodes[node].base += w;
				else
					t->nodes[node].value += w;
			}
		}
		path_len = depth;
	}
	free(path_key);
	free(path_node);
	return 0;
}

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

static const struct flame_tree *sort_tree;

static int by_value_desc(const void *a, const void *b)
{
	const struct flame_node *x = &sort_tree->nodes[*(const uint32_t *)a];
	const struct flame_node *y = &sort_tree->nodes[*(const uint32_t *)b];
	int64_t vx = abs64(x->value) > abs64(x->base) ? abs64(x->value) : abs64(x->base);
	int64_t vy = abs64(y->value) > abs64(y->base) ? abs64(y->value) : abs64(y->base);

	if (vx != vy)
		return vx > vy ? -1 : 1;
	/* equal weights: by name id, so the page is the same from run to run */
	return x->key < y->key ? -1 : x->key > y->key;
}

void flame_tree_merge_small(const struct flame_tree *t, int64_t min_value, struct flame_tree *out)
{
	/* an explicit stack of (source, copy) pairs: a hostile profile can be deeper than the C stack */
	uint32_t *todo = NULL, *kids = NULL;
	size_t nr_todo = 0, todo_alloc = 0, kids_alloc = 0;

	flame_tree_release(out);
	if (!t->nr)
		return;
	new_node(out, FLAME_NONE, FLAME_NONE);
	out->nodes[0].value = t->nodes[0].value;
	out->nodes[0].base = t->nodes[0].base;
	ALLOC_GROW(todo, 2, todo_alloc);
	todo[nr_todo++] = 0;
	todo[nr_todo++] = 0;
	while (nr_todo) {
		uint32_t dst = todo[--nr_todo], src = todo[--nr_todo], c, last = FLAME_NONE, merged = FLAME_NONE;
		size_t nr_kids = 0, i;

		for (c = t->nodes[src].child; c != FLAME_NONE; c = t->nodes[c].sibling) {
			ALLOC_GROW(kids, nr_kids + 1, kids_alloc);
			kids[nr_kids++] = c;
		}
		sort_tree = t;
		if (nr_kids > 1)
			qsort(kids, nr_kids, sizeof(*kids), by_value_desc);
		sort_tree = NULL;
		for (i = 0; i < nr_kids; i++) {
			const struct flame_node *k = &t->nodes[kids[i]];
			uint32_t n;

			if (abs64(k->value) < min_value && abs64(k->base) < min_value) {
				if (merged == FLAME_NONE)
					merged = new_node(out, dst, FLAME_MERGED);
				out->nodes[merged].value += k->value;
				out->nodes[merged].base += k->base;
				out->nodes[merged].nr_merged++;
				out->nr_merged++;
				continue;
			}
			n = new_node(out, dst, k->key);
			out->nodes[n].value = k->value;
			out->nodes[n].base = k->base;
			if (last == FLAME_NONE)
				out->nodes[dst].child = n;
			else
				out->nodes[last].sibling = n;
			last = n;
			ALLOC_GROW(todo, nr_todo + 2, todo_alloc);
			todo[nr_todo++] = kids[i];
			todo[nr_todo++] = n;
		}
		if (merged != FLAME_NONE) {
			if (last == FLAME_NONE)
				out->nodes[dst].child = merged;
			else
				out->nodes[last].sibling = merged;
		}
	}
	free(todo);
	free(kids);
}
