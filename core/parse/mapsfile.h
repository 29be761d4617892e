#ifndef TRIAGE_MAPSFILE_H
#define TRIAGE_MAPSFILE_H

#include <stddef.h>
#include <stdint.h>

struct strbuf;

/*
 * A summary of /proc/PID/maps: where the process's address space went, by
 * kind. Virtual sizes only (maps has no RSS), but the split already tells
 * the Go heap from glibc's malloc and from mapped files, which is what
 * separates a Go leak from a cgo one (reference/go-memory.md section 7).
 *
 * Line format: "start-end perms offset dev inode [path]".
 *
 * Kinds (each mapping lands in exactly one of the top-level buckets; the
 * sub-buckets count part of anon_other a second time):
 *
 *   go_heap     anonymous, "rw-p", start in [MAPS_GO_ARENA_START,
 *               MAPS_GO_ARENA_END): the linux/amd64 Go arena hint range
 *   anon_other  every other anonymous mapping, including
 *     brk_heap    "[heap]", glibc's brk heap
 *     prot_none   "---p" reservations and guard pages (no memory behind them)
 *   file_exe    the main executable
 *   file_lib    shared objects ("*.so", "*.so.N")
 *   file_other  other files (data files, memfd, "(deleted)" files, ...)
 *   stack       "[stack]" (and old kernels' "[stack:TID]")
 *   special     "[vdso]", "[vvar]", "[vsyscall]" and other "[...]" names
 *
 * "[anon:NAME]" (named anonymous memory, Linux >= 5.17) is anonymous.
 */

#define MAPS_GO_ARENA_START 0xc000000000ull
#define MAPS_GO_ARENA_END 0xff00000000ull
#define MAPS_MAX_LINES 1000000
#define MAPS_MAX_LINE 8192

struct maps_bucket {
	uint64_t count;
	uint64_t bytes;
};

struct maps_summary {
	struct maps_bucket total;
	struct maps_bucket go_heap, anon_other, brk_heap, prot_none;
	struct maps_bucket file_exe, file_lib, file_other;
	struct maps_bucket stack, special;
	size_t nr_lines;	/* lines read, including skipped ones */
	size_t nr_skipped;	/* malformed lines */
	unsigned truncated : 1;	/* stopped at MAPS_MAX_LINES */
};

void maps_summary_init(struct maps_summary *s);

/*
 * Summarises maps text (len bytes). exe is the main executable's path
 * (readlink of /proc/PID/exe, or the manifest's target.exe); when NULL the
 * first file mapped at offset 0 is taken to be it, which holds for the
 * usual layout where the kernel maps the executable first. Malformed lines
 * are skipped and counted. Returns -1 only when no line at all was a
 * mapping while the input was not empty.
 */
int mapsfile_parse(struct maps_summary *s, const char *text, size_t len, const char *exe,
		   struct strbuf *err);

/* One maps line ("start-end perms offset dev inode [path]"), also the header of an smaps entry. */
struct maps_line {
	uint64_t start, end, offset;
	char perms[5];
	const char *path;	/* into the line, not NUL-terminated; NULL when anonymous */
	size_t path_len;
};

/* Parses the line [p, end); -1 when it is not a mapping line. */
int mapsfile_line(const char *p, const char *end, struct maps_line *out);

#endif
