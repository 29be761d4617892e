#ifndef TRIAGE_PROFILE_H
#define TRIAGE_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "base/inflate.h"
#include "base/strbuf.h"

/*
 * A decoded pprof profile in a compact, index-resolved form.
 *
 * Every cross-reference of the wire format (string indexes, location,
 * function and mapping ids) is checked by profile_decode() and turned into an
 * array index, so code that walks a decoded profile never needs to check
 * again. Samples are stored column-wise in flat arrays rather than as one
 * struct each: a 250k-stack heap profile must fit in about twice its
 * uncompressed size.
 */

#define PROFILE_NONE UINT32_MAX

struct profile_value_type {
	uint32_t type;	/* string index */
	uint32_t unit;	/* string index */
};

struct profile_mapping {
	uint64_t id;
	uint64_t memory_start, memory_limit, file_offset;
	uint32_t filename, build_id;	/* string indexes */
	unsigned has_functions:1, has_filenames:1, has_line_numbers:1, has_inline_frames:1;
};

struct profile_function {
	uint64_t id;
	uint32_t name, system_name, filename;	/* string indexes */
	int64_t start_line;
};

struct profile_line {
	uint32_t function;	/* index into functions, PROFILE_NONE if unset */
	int64_t line;
};

struct profile_location {
	uint64_t id;
	uint64_t address;
	uint32_t mapping;	/* index into mappings, PROFILE_NONE if unknown */
	uint32_t line_off;	/* first entry in lines[]: the innermost frame */
	uint32_t nr_lines;
};

struct profile_label {
	uint32_t key, str, num_unit;	/* string indexes; 0 is "" */
	int64_t num;
};

struct profile {
	/* string table: NUL-terminated copies packed in str_data */
	char *str_data;
	size_t str_data_len, str_data_alloc;
	size_t *str_off;
	uint32_t *str_len;
	size_t nr_strings, str_alloc;

	struct profile_value_type *sample_types;
	size_t nr_sample_types, sample_types_alloc;

	struct profile_mapping *mappings;
	size_t nr_mappings, mappings_alloc;
	struct profile_function *functions;
	size_t nr_functions, functions_alloc;
	struct profile_location *locations;
	size_t nr_locations, locations_alloc;
	struct profile_line *lines;
	size_t nr_lines, lines_alloc;

	/* samples: locations of sample i are locs[loc_off[i] .. loc_off[i+1]) */
	size_t nr_samples, samples_alloc;
	uint32_t *loc_off;
	/*
	 * Location indexes, leaf first: read them with profile_loc(). Kept as
	 * 16 bits while every id fits (most profiles have fewer than 65535
	 * locations), then widened once, as the values are: the frame list is
	 * the largest array of a big heap profile.
	 */
	uint16_t *locs16;
	uint32_t *locs;		/* NULL while locs16 is used */
	size_t nr_locs, locs_alloc;
	/*
	 * nr_samples * nr_values, row-major. Kept as int32 until a value does
	 * not fit, then widened once: most profiles' values are small, and
	 * this halves the largest array of a big heap profile.
	 */
	int32_t *values32;
	int64_t *values64;
	size_t nr_values;	/* values per sample (== nr_sample_types) */
	size_t values_alloc;
	uint32_t *label_off;	/* like loc_off, into labels; NULL if skipped */
	struct profile_label *labels;
	size_t nr_labels, labels_alloc;

	int64_t time_nanos, duration_nanos, period;
	struct profile_value_type period_type;
	int has_period_type;
	uint32_t drop_frames, keep_frames, default_sample_type;	/* string indexes */
	uint32_t *comments;
	size_t nr_comments, comments_alloc;

	uint64_t decoded_bytes;	/* uncompressed size of the protobuf */
	/*
	 * What decoding went past without failing, one message a line (a
	 * drop_frames pattern that does not compile, as pprof ignores it).
	 */
	struct strbuf warnings;
};

struct profile_options {
	uint64_t max_decompressed;	/* 0: INSTREAM_DEFAULT_MAX (1 GiB) */
	int skip_labels;	/* do not keep sample labels (saves memory) */
};

/* The index of the k-th sample frame (see locs). */
static inline uint32_t profile_loc(const struct profile *p, size_t k)
{
	return p->locs ? p->locs[k] : p->locs16[k];
}

void profile_init(struct profile *p);
void profile_release(struct profile *p);

/*
 * Decodes a gzip-compressed or raw profile from a reader. name is used in
 * messages ("heap.pb.gz", "bundle.tgz:profiles/heap.pb.gz").
 *
 * The result is the profile as go tool pprof sees it after loading:
 * profile_simplify_names() and profile_prune() have been applied, so every
 * consumer shows and matches the same function names and stacks.
 */
int profile_decode(struct profile *p, byte_reader_fn read, void *ctx, const char *name,
		   const struct profile_options *opt, struct strbuf *err);
int profile_read_file(struct profile *p, const char *path,
		      const struct profile_options *opt, struct strbuf *err);
int profile_read_mem(struct profile *p, const void *data, size_t len, const char *name,
		     const struct profile_options *opt, struct strbuf *err);

/*
 * pprof's symbolizer pass over function names (demangle.h): a function
 * whose name is empty or equal to its system name gets the simplified
 * system name ("_ZN6server7Handler6handleERKNS_7RequestE" ->
 * "server::Handler::handle"). New names are appended to the string table.
 */
void profile_simplify_names(struct profile *p);
/* Appends a string to the profile's table (its index is the old nr_strings). */
void profile_add_string(struct profile *p, const unsigned char *s, size_t len);

/*
 * pprof's RemoveUninteresting: with drop_frames set, each location is cut
 * at its outermost line whose function matches "^(drop_frames)$" and not
 * "^(keep_frames)$" (the name taken up to its argument list): the line and
 * those inlined into it go, or the whole location if it was the outermost.
 * Each sample's stack then ends, toward the leaf, at its first cut
 * location below the rootmost location that is not cut (so a stack of
 * dropped frames only stays whole). Patterns are RE2 (re2posix.h). One
 * that does not compile leaves the profile as it is, with a line in
 * p->warnings (pprof ignores it silently); so does matching that outruns
 * profile_prune_budget_ns. Names over 16 KiB never match. name is used in
 * the warnings.
 */
void profile_prune(struct profile *p, const char *name);
/*
 * Time profile_prune may spend matching names, in ns; if it runs out, the
 * profile is left unpruned with a warning. -1 (the default): 1 s plus
 * 0.1 s per MB of decoded profile. For tests.
 */
extern int64_t profile_prune_budget_ns;

static inline const char *profile_str(const struct profile *p, uint32_t idx)
{
	return idx < p->nr_strings ? p->str_data + p->str_off[idx] : "";
}

static inline int64_t profile_value(const struct profile *p, size_t sample, size_t idx)
{
	size_t i = sample * p->nr_values + idx;

	return p->values64 ? p->values64[i] : p->values32[i];
}

/*
 * The sample type a report shows when none is asked for: the one named by
 * default_sample_type, else the last (as go tool pprof does).
 */
size_t profile_default_sample_index(const struct profile *p);
/* Finds a sample type by name ("inuse_space"), or by number ("2"); -1 if none. */
int profile_sample_index(const struct profile *p, const char *name);

#endif
