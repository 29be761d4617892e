#ifndef TRIAGE_BUNDLE_H
#define TRIAGE_BUNDLE_H

#include <stdint.h>
#include <sys/types.h>

#include "base/strbuf.h"

/*
 * Reading a triage bundle (a gzip tarball, see docs/bundle-format.md)
 * in place, through libarchive, never extracting to disk. Every entry
 * passed on the way is checked: a hostile bundle cannot name a path
 * outside the bundle, smuggle a link or a device, or claim a huge size.
 */

#define BUNDLE_MAX_ENTRY_SIZE ((int64_t)1 << 30)
#define BUNDLE_MAX_ENTRIES 100000
#define BUNDLE_MAX_TOTAL ((uint64_t)2 << 30)
/*
 * bundle_load keeps every member in memory, so what it accepts is bounded
 * by the bundle's own size, not by what its members claim: 64 MiB plus 64
 * times the compressed size (real bundles inflate 4 to 11 times; a tar of
 * zero-filled members, 1000 times). A 2 MB bundle may hold 192 MiB.
 */
#define BUNDLE_LOAD_BASE ((uint64_t)64 << 20)
#define BUNDLE_LOAD_RATIO 64

struct archive;
struct json_object;

/* The manifest major version this triage reads (see docs/bundle-format.md). */
#define BUNDLE_READ_MAJOR 1

struct bundle_file {
	char *path;
	unsigned char *data;	/* NUL-terminated for convenience; len excludes it */
	size_t len;
	size_t size;		/* the entry's size in the bundle */
	size_t skipped;		/* bytes dropped from the head (tail-only entries) */
};

/* What is kept of an entry read only for its end (heap?debug=1's MemStats trailer). */
#define BUNDLE_TAIL_KEEP ((size_t)256 << 10)

/* A whole bundle in memory, for analysis: every entry checked, sorted by path. */
struct bundle {
	char *path;
	struct bundle_file *files;
	size_t nr;
	struct json_object *manifest;	/* NULL when the bundle has none */
	int format_major, format_minor;
};

void bundle_init(struct bundle *b);
/*
 * Reads every entry into memory, refusing unsafe names, links, devices,
 * duplicate names, oversized entries, too many entries or too much in all,
 * and a manifest that is not JSON or has a major format this triage does not
 * know. Nothing is ever written to disk.
 */
int bundle_load(struct bundle *b, const char *path, struct strbuf *err);
/* The same for a bundle already in memory (len bytes at data); name is for messages. */
int bundle_load_mem(struct bundle *b, const char *name, const void *data, size_t len,
		    struct strbuf *err);
const struct bundle_file *bundle_get(const struct bundle *b, const char *path);
void bundle_release(struct bundle *b);

struct bundle_reader {
	struct archive *a;
	const char *path;
	char *entry;
	int64_t size;
	int64_t left;
};

/* 1 if path is a gzip (or plain) tar archive, 0 if not, -1 on error. */
int bundle_sniff(const char *path, struct strbuf *err);
/* Positions br at entry; -1 with "no entry" message if the bundle lacks it. */
int bundle_open_entry(struct bundle_reader *br, const char *path, const char *entry,
		      struct strbuf *err);
/* A byte_reader_fn over the entry's data. */
ssize_t bundle_entry_read(void *ctx, void *buf, size_t len, struct strbuf *err);
void bundle_reader_release(struct bundle_reader *br);
/* Reads a whole entry (at most max bytes) into out. */
int bundle_read_entry(const char *path, const char *entry, struct strbuf *out, size_t max,
		      struct strbuf *err);
/* The manifest's entry for an artifact path, NULL when there is none. */
struct json_object *bundle_manifest_entry(struct json_object *manifest, const char *path);
/*
 * 1 when the artifact at path is derived from another (a bundle's allocs
 * profile is its heap profile seen with alloc_space as the default sample):
 * *from is that artifact's path, *sample the view's sample type; else 0.
 */
int bundle_derived(struct json_object *manifest, const char *path, const char **from,
		   const char **sample);
/*
 * Checks a tar member name: relative, no "..", no empty or "." components,
 * UTF-8 without control characters (base/escape.h).
 */
int bundle_path_ok(const char *name);

#endif
