#ifndef TRIAGE_SMAPS_H
#define TRIAGE_SMAPS_H

#include <stddef.h>
#include <stdint.h>

struct strbuf;

/*
 * /proc/PID/smaps: one header line per mapping ("start-end perms offset dev
 * inode [path]", as in maps) followed by "Name: N kB" lines. The parser
 * keeps, per mapping, what tells a mapped file from anonymous memory and
 * shared from private pages (proc(5), "/proc/pid/smaps"); sizes in bytes.
 *
 * Input is hostile: lines are bounded, numbers are range-checked, the
 * mapping count is capped (SMAPS_MAX_MAPPINGS: the rest are summed into
 * the totals but not kept one by one), and unknown keys are ignored.
 */

#define SMAPS_MAX_MAPPINGS 200000
#define SMAPS_MAX_LINE 8192

struct smaps_mapping {
	uint64_t start, end;
	char perms[5];
	char *path;		/* NULL: anonymous; "[heap]", "[stack]", "/file" ... */
	uint64_t size, rss, pss;
	uint64_t shared_clean, shared_dirty, private_clean, private_dirty;
	uint64_t anonymous, anon_huge, swap, locked;
};

struct smaps {
	struct smaps_mapping *items;
	size_t nr, alloc;
	size_t nr_mappings;	/* every mapping seen, kept or not */
	size_t nr_skipped;	/* malformed lines */
	unsigned truncated : 1;	/* more than SMAPS_MAX_MAPPINGS */
	/* sums over every mapping seen */
	uint64_t rss, pss, anonymous, anon_huge, swap;
	uint64_t file_rss;	/* Rss of mappings backed by a real file (path starting with '/') */
};

void smaps_init(struct smaps *s);
void smaps_release(struct smaps *s);
/* Parses smaps text; -1 when not empty yet nothing in it is a mapping. */
int smaps_parse(struct smaps *s, const char *text, size_t len, struct strbuf *err);
/* A mapping backed by a file on disk (not anonymous, not "[...]"). */
int smaps_is_file(const struct smaps_mapping *m);

#endif
