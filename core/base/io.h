#ifndef TRIAGE_IO_H
#define TRIAGE_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Writes all n bytes, retrying short writes and EINTR; 0 or -1 with errno. */
int write_all(int fd, const void *buf, size_t n);
/*
 * Reads len bytes at off, retrying short reads and EINTR: the count (less
 * than len only at the end of the file), or -1 with errno.
 */
ssize_t pread_full(int fd, void *buf, size_t len, uint64_t off);
struct strbuf;
/*
 * An unlinked file in dir, open for reading and writing: O_TMPFILE where
 * the filesystem has it, else mkstemp and unlink, so nothing is left
 * behind whatever happens. The fd, or -1 with err (may be NULL) set.
 */
int tmpfile_in(const char *dir, struct strbuf *err);
/* True when path names a directory (following links). */
int is_dir(const char *path);
/* Milliseconds on CLOCK_MONOTONIC: for timeouts and durations. */
int64_t clock_mono_ms(void);
/* Milliseconds since the epoch: for timestamps people read. */
int64_t clock_real_ms(void);
/*
 * "2026-11-22T04:01:02.345Z" (what the collector writes; the fraction is
 * optional) -> milliseconds since the epoch. 0, or -1 when s is not one.
 */
int parse_utc_ms(const char *s, int64_t *out_ms);
/* Nanoseconds on CLOCK_MONOTONIC: for budgets checked in tight loops. */
int64_t clock_mono_ns(void);

#endif
