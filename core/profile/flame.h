#ifndef TRIAGE_FLAME_H
#define TRIAGE_FLAME_H

#include <stddef.h>
#include <stdint.h>

#include "profile/aggregate.h"
#include "profile/profile.h"
#include "base/strbuf.h"

/*
 * The call tree a flame graph draws: one node per distinct path of frames
 * from the root, an inlined Line being a frame of its own as in
 * aggregate.h, so a node's name is the agg_table row that `triage top`
 * shows for the same frame. A node's value is what the samples through its
 * path weigh; the root's is the sum over all samples.
 *
 * A diff tree adds a base profile: each node also has the base's value, and
 * both profiles must be aggregated into the same agg_table so that a name
 * is one row id in both.
 *
 * A 262k-stack heap profile has millions of nodes, which no page can draw;
 * flame_tree_merge_small() folds the children lighter than a share of the
 * total into one "small frames" node per parent, so the tree shown is a few
 * thousand nodes and says what it left out.
 */

#define FLAME_NONE UINT32_MAX
/* The key of a node that stands for merged small children. */
#define FLAME_MERGED (UINT32_MAX - 1)

struct flame_node {
	uint32_t key;		/* agg_table row id, FLAME_MERGED, or FLAME_NONE for the root */
	uint32_t parent, child, sibling;	/* FLAME_NONE when absent */
	uint32_t nr_merged;	/* for FLAME_MERGED: how many frames it stands for */
	int64_t value;		/* the samples through this path */
	int64_t base;		/* the same in the base profile (diff trees) */
};

struct flame_tree {
	struct flame_node *nodes;	/* nodes[0] is the root */
	size_t nr, alloc;
	/* (parent, key) -> node, while the tree is built */
	uint32_t *slots;
	size_t nr_slots;
	size_t nr_merged;	/* nodes folded away by flame_tree_merge_small */
};

void flame_tree_init(struct flame_tree *t);
void flame_tree_release(struct flame_tree *t);

/*
 * Adds the samples of p at sample_index, walking the frames that the last
 * profile_aggregate(p, ...) into agg left in it; is_base adds them to the
 * nodes' base values instead.
 */
int flame_tree_add(struct flame_tree *t, const struct profile *p, size_t sample_index,
		   const struct agg_table *agg, int is_base, struct strbuf *err);

/*
 * Builds out from t: children whose |value| and |base| are both below
 * min_value become one FLAME_MERGED node per parent. Children are ordered
 * by |value| descending, the merged node last.
 */
void flame_tree_merge_small(const struct flame_tree *t, int64_t min_value, struct flame_tree *out);

#endif
