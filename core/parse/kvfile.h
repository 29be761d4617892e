#ifndef TRIAGE_KVFILE_H
#define TRIAGE_KVFILE_H

#include <stddef.h>
#include <stdint.h>

struct strbuf;

/*
 * The kernel's key/value text files, parsed into one table so that facts
 * are looked up by name: the set and order of keys vary by kernel version,
 * and a missing key must read as "missing", never as zero.
 *
 * Two layouts:
 *
 *   KV_COLON  "Key:   123 kB" -- /proc/PID/status, /proc/PID/smaps_rollup,
 *             /proc/meminfo. A value "N kB" is stored in bytes (N * 1024);
 *             a plain "N" is kept as is. Lines whose key would contain
 *             white space are skipped, which drops smaps_rollup's address
 *             range header.
 *   KV_SPACE  "key value" -- cgroup memory.stat, memory.events,
 *             memory.oom_control.
 *
 * Every value is also kept as text ("Name:\tapp", "State:\tS (sleeping)",
 * "Uid:\t0\t0\t0\t0"), trimmed. kv_get() answers only for values that are
 * a whole decimal number (with "kB" for KV_COLON) fitting in int64; note
 * that status's hex masks ("SigPnd: 0000000000000000") may happen to look
 * decimal, so read those with kv_get_str().
 *
 * Input is hostile: lines that are too long, contain NUL bytes or have no
 * key are skipped and counted; the number of entries is capped.
 */

enum kv_format {
	KV_COLON,
	KV_SPACE,
};

struct kv {
	char *key;
	char *str;		/* the value as text, trimmed; never NULL */
	int64_t value;		/* meaningful only when numeric */
	unsigned numeric : 1;
};

struct kvtable {
	struct kv *items;	/* in file order; the first of duplicate keys wins */
	size_t nr, alloc;
	size_t nr_skipped;	/* lines that were not key/value pairs */
};

/* Far above any real file (meminfo ~60 keys, memory.stat ~100). */
#define KV_MAX_ENTRIES 100000
#define KV_MAX_LINE 8192

void kvtable_init(struct kvtable *t);
void kvtable_release(struct kvtable *t);

/*
 * Parses text (len bytes, need not be NUL-terminated) and appends its pairs
 * to t. name is the artifact, for messages. Returns -1 only when the input
 * has more than KV_MAX_ENTRIES pairs (t is then released); odd lines are
 * skipped, so an empty or binary input gives an empty table and 0.
 */
int kvfile_parse(struct kvtable *t, const char *text, size_t len, enum kv_format fmt,
		 const char *name, struct strbuf *err);

/* 0 and *out when key is present with a numeric value, else -1. */
int kv_get(const struct kvtable *t, const char *key, int64_t *out);
/* 0 and *out (owned by t) when key is present, else -1. */
int kv_get_str(const struct kvtable *t, const char *key, const char **out);

#endif
