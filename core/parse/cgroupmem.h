#ifndef TRIAGE_CGROUPMEM_H
#define TRIAGE_CGROUPMEM_H

#include <stdint.h>

#include "parse/kvfile.h"
#include "base/strbuf.h"

/*
 * A memory cgroup's numbers in one vocabulary for v1 and v2, because the
 * kernel kills on the cgroup, not the process, and rules must not care
 * which version the host runs (reference/go-memory.md section 6). All
 * sizes are bytes.
 *
 *   field          v2                          v1 (hierarchical total_* keys
 *                                                 preferred, plain as fallback)
 *   usage          memory.current              memory.usage_in_bytes
 *   limit          memory.max ("max")          memory.limit_in_bytes (>= 2^62)
 *   hier_limit     -                           stat hierarchical_memory_limit
 *   high           memory.high ("max")         -
 *   anon           stat anon                   rss
 *   file           stat file                   cache
 *   active_anon, inactive_anon, active_file, inactive_file: same names
 *   kernel         stat kernel, else the sum   usage - (rss + cache), floored
 *                  of kernel_stack, pagetables,    at 0 (kernel_source says)
 *                  sec_pagetables, percpu,
 *                  vmalloc, slab
 *   slab           stat slab, else             -
 *                  slab_reclaimable + slab_unreclaimable
 *   shmem          stat shmem                  shmem
 *   file_mapped    stat file_mapped            mapped_file
 *   sock           stat sock                   -
 *   working_set    usage - inactive_file floored at 0 (cAdvisor's
 *                  container_memory_working_set_bytes; kubelet evicts on it)
 *   oom_events     events oom                  -
 *   oom_kill       events oom_kill             oom_control oom_kill
 *   under_oom      -                           oom_control under_oom (0/1)
 *   high_events    events high                 -
 *   max_events     events max                  memory.failcnt
 *   max_usage      memory.peak                 memory.max_usage_in_bytes
 *   pglazyfree, pglazyfreed: stat counters of pages (not bytes) marked
 *                  MADV_FREE and later reclaimed; v2 only
 *
 * A field is meaningful only when its CGMEM_* bit is in present. An
 * unlimited limit or high is present with the value 0 and the
 * *_unlimited flag set.
 */

enum cgroup_mem_field {
	CGMEM_USAGE,
	CGMEM_LIMIT,
	CGMEM_HIER_LIMIT,
	CGMEM_HIGH,
	CGMEM_ANON,
	CGMEM_FILE,
	CGMEM_ACTIVE_ANON,
	CGMEM_INACTIVE_ANON,
	CGMEM_ACTIVE_FILE,
	CGMEM_INACTIVE_FILE,
	CGMEM_KERNEL,
	CGMEM_SLAB,
	CGMEM_SHMEM,
	CGMEM_FILE_MAPPED,
	CGMEM_SOCK,
	CGMEM_WORKING_SET,
	CGMEM_OOM_EVENTS,
	CGMEM_OOM_KILL,
	CGMEM_UNDER_OOM,
	CGMEM_HIGH_EVENTS,
	CGMEM_MAX_EVENTS,
	CGMEM_MAX_USAGE,
	CGMEM_PGLAZYFREE,
	CGMEM_PGLAZYFREED,
	CGMEM_NR_FIELDS
};

enum cgroup_kernel_source {
	CGMEM_KERNEL_NONE,
	CGMEM_KERNEL_STAT,	/* v2 "kernel" key */
	CGMEM_KERNEL_SUMMED,	/* v2 sum of the parts */
	CGMEM_KERNEL_DERIVED,	/* v1 usage - (rss + cache): includes per-cpu charge slack */
};

/* v1 shows "unlimited" as PAGE_COUNTER_MAX pages, about 2^63; nobody sets a real limit this high. */
#define CGMEM_UNLIMITED_MIN ((int64_t)1 << 62)

/* The raw texts, each NUL-terminated; NULL when the file was not collected. */
struct cgroup_mem_input {
	int version;			/* 1 or 2 */
	const char *stat;		/* memory.stat */
	const char *usage;		/* v2 memory.current, v1 memory.usage_in_bytes */
	const char *limit;		/* v2 memory.max, v1 memory.limit_in_bytes */
	const char *high;		/* v2 memory.high */
	const char *events;		/* v2 memory.events, v1 memory.oom_control */
	const char *failcnt;		/* v1 memory.failcnt */
	const char *max_usage;		/* v1 memory.max_usage_in_bytes, v2 memory.peak */
};

struct cgroup_mem {
	int version;
	uint64_t present;	/* bit (1 << enum cgroup_mem_field) per field known */

	int64_t usage, limit, hier_limit, high;
	unsigned limit_unlimited : 1, hier_limit_unlimited : 1, high_unlimited : 1;
	int64_t anon, file, active_anon, inactive_anon, active_file, inactive_file;
	int64_t kernel, slab, shmem, file_mapped, sock;
	enum cgroup_kernel_source kernel_source;
	int64_t working_set;
	int64_t oom_events, oom_kill, under_oom, high_events, max_events, max_usage;
	int64_t pglazyfree, pglazyfreed;

	struct kvtable stat;	/* memory.stat as read */
	struct kvtable events;	/* memory.events or memory.oom_control as read */
	struct strbuf warnings;	/* one line per input that could not be read, "" if none */
};

#define CGMEM_HAS(c, f) ((((c)->present) >> (f)) & 1u)

void cgroup_mem_init(struct cgroup_mem *c);
void cgroup_mem_release(struct cgroup_mem *c);

/*
 * Normalises in into c (initialised by the caller). A malformed file (a
 * usage that is not a number, a negative value, a stat with too many
 * entries) leaves its fields absent and adds a line to c->warnings naming
 * the file: one bad file must not hide the others. Returns -1 only for a
 * version other than 1 or 2.
 */
int cgroupmem_parse(const struct cgroup_mem_input *in, struct cgroup_mem *c,
		    struct strbuf *err);

#endif
