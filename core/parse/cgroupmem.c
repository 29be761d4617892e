/*
 * cgroup v1/v2 memory files into one vocabulary; see cgroupmem.h.
 */
#include <stdint.h>
#include <string.h>

#include "parse/cgroupmem.h"
#include "base/quantity.h"

void cgroup_mem_init(struct cgroup_mem *c)
{
	memset(c, 0, sizeof(*c));
	kvtable_init(&c->stat);
	kvtable_init(&c->events);
	strbuf_init(&c->warnings);
}

void cgroup_mem_release(struct cgroup_mem *c)
{
	kvtable_release(&c->stat);
	kvtable_release(&c->events);
	strbuf_release(&c->warnings);
	cgroup_mem_init(c);
}

static void set(struct cgroup_mem *c, enum cgroup_mem_field f, int64_t *dst, int64_t v)
{
	*dst = v;
	c->present |= (uint64_t)1 << f;
}

static void warn(struct cgroup_mem *c, const char *file, const char *why)
{
	strbuf_addf(&c->warnings, "cgroup %s: %s\n", file, why);
}

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Trims a single-value file; -1 when it is empty or longer than any number. */
static int trim_value(const char *text, const char **s, size_t *len)
{
	const char *end = text + strlen(text);

	while (*text && is_space(*text))
		text++;
	while (end > text && is_space(end[-1]))
		end--;
	if (end == text || end - text > 32)
		return -1;
	*s = text;
	*len = (size_t)(end - text);
	return 0;
}

/* A single non-negative number (memory.current, memory.failcnt, ...). */
static void read_count(struct cgroup_mem *c, const char *text, const char *file,
		       enum cgroup_mem_field f, int64_t *dst)
{
	const char *s;
	size_t len;
	int64_t v;

	if (!text)
		return;
	if (trim_value(text, &s, &len) < 0 || parse_i64_n(s, len, &v) < 0 || v < 0) {
		warn(c, file, "not a non-negative number");
		return;
	}
	set(c, f, dst, v);
}

/*
 * A limit: "max" (v2) or a number, where anything from 2^62 up, even past
 * int64 (a v1 kernel with a 64-bit page counter prints up to 2^64 - 1), is
 * the kernel's way of saying unlimited.
 */
static int parse_limit(const char *s, size_t len, int64_t *v, int *unlimited)
{
	size_t i;

	if (len == 3 && !memcmp(s, "max", 3)) {
		*v = 0;
		*unlimited = 1;
		return 0;
	}
	if (!parse_i64_n(s, len, v)) {
		if (*v < 0)
			return -1;
		*unlimited = *v >= CGMEM_UNLIMITED_MIN;
		if (*unlimited)
			*v = 0;
		return 0;
	}
	/* too big for int64 but still all digits: unlimited */
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	if (len > 20)
		return -1;
	*v = 0;
	*unlimited = 1;
	return 0;
}

static void read_limit(struct cgroup_mem *c, const char *text, const char *file,
		       enum cgroup_mem_field f, int64_t *dst, int *unlimited)
{
	const char *s;
	size_t len;
	int64_t v;

	if (!text)
		return;
	if (trim_value(text, &s, &len) < 0 || parse_limit(s, len, &v, unlimited) < 0) {
		warn(c, file, "not a limit");
		return;
	}
	set(c, f, dst, v);
}

/* A memory.stat key; v1 prefers the hierarchical "total_" variant. */
static int stat_get(const struct cgroup_mem *c, const char *key, int64_t *out)
{
	char total[64];

	if (c->version == 1 && strlen(key) + 7 <= sizeof(total)) {
		memcpy(total, "total_", 6);
		strcpy(total + 6, key);
		if (!kv_get(&c->stat, total, out) && *out >= 0)
			return 0;
	}
	return !kv_get(&c->stat, key, out) && *out >= 0 ? 0 : -1;
}

static void from_stat(struct cgroup_mem *c, const char *key, enum cgroup_mem_field f,
		      int64_t *dst)
{
	int64_t v;

	if (!stat_get(c, key, &v))
		set(c, f, dst, v);
}

static int64_t add_sat(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

static void kernel_v2(struct cgroup_mem *c)
{
	static const char *const parts[] = {
		"kernel_stack", "pagetables", "sec_pagetables", "percpu", "vmalloc",
	};
	int64_t v, sum = 0;
	size_t i;
	int found = 0;

	if (!stat_get(c, "slab", &v)) {
		set(c, CGMEM_SLAB, &c->slab, v);
	} else {
		int64_t r, u;

		if (!stat_get(c, "slab_reclaimable", &r) && !stat_get(c, "slab_unreclaimable", &u))
			set(c, CGMEM_SLAB, &c->slab, add_sat(r, u));
	}
	if (!stat_get(c, "kernel", &v)) {
		set(c, CGMEM_KERNEL, &c->kernel, v);
		c->kernel_source = CGMEM_KERNEL_STAT;
		return;
	}
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (!stat_get(c, parts[i], &v)) {
			sum = add_sat(sum, v);
			found = 1;
		}
	}
	if (CGMEM_HAS(c, CGMEM_SLAB)) {
		sum = add_sat(sum, c->slab);
		found = 1;
	}
	if (found) {
		set(c, CGMEM_KERNEL, &c->kernel, sum);
		c->kernel_source = CGMEM_KERNEL_SUMMED;
	}
}

static void kernel_v1(struct cgroup_mem *c)
{
	int64_t rss, cache, user;

	if (!CGMEM_HAS(c, CGMEM_USAGE) || stat_get(c, "rss", &rss) || stat_get(c, "cache", &cache))
		return;
	user = add_sat(rss, cache);
	set(c, CGMEM_KERNEL, &c->kernel, c->usage > user ? c->usage - user : 0);
	c->kernel_source = CGMEM_KERNEL_DERIVED;
}

static void read_stat(struct cgroup_mem *c, const char *text)
{
	struct strbuf err = STRBUF_INIT;
	int v1 = c->version == 1;
	int64_t v;
	int unlimited = 0;

	if (!text)
		return;
	if (kvfile_parse(&c->stat, text, strlen(text), KV_SPACE, "memory.stat", &err) < 0) {
		warn(c, "memory.stat", strbuf_str(&err));
		strbuf_release(&err);
		return;
	}
	from_stat(c, v1 ? "rss" : "anon", CGMEM_ANON, &c->anon);
	from_stat(c, v1 ? "cache" : "file", CGMEM_FILE, &c->file);
	from_stat(c, "active_anon", CGMEM_ACTIVE_ANON, &c->active_anon);
	from_stat(c, "inactive_anon", CGMEM_INACTIVE_ANON, &c->inactive_anon);
	from_stat(c, "active_file", CGMEM_ACTIVE_FILE, &c->active_file);
	from_stat(c, "inactive_file", CGMEM_INACTIVE_FILE, &c->inactive_file);
	from_stat(c, "shmem", CGMEM_SHMEM, &c->shmem);
	from_stat(c, v1 ? "mapped_file" : "file_mapped", CGMEM_FILE_MAPPED, &c->file_mapped);
	if (v1) {
		const char *s;

		/* no total_ variant: it is the hierarchy's limit already */
		if (!kv_get_str(&c->stat, "hierarchical_memory_limit", &s) &&
		    !parse_limit(s, strlen(s), &v, &unlimited)) {
			set(c, CGMEM_HIER_LIMIT, &c->hier_limit, v);
			c->hier_limit_unlimited = unlimited;
		}
	} else {
		from_stat(c, "sock", CGMEM_SOCK, &c->sock);
		from_stat(c, "pglazyfree", CGMEM_PGLAZYFREE, &c->pglazyfree);
		from_stat(c, "pglazyfreed", CGMEM_PGLAZYFREED, &c->pglazyfreed);
	}
}

static void read_events(struct cgroup_mem *c, const char *text)
{
	const char *file = c->version == 1 ? "memory.oom_control" : "memory.events";
	struct strbuf err = STRBUF_INIT;
	int64_t v;

	if (!text)
		return;
	if (kvfile_parse(&c->events, text, strlen(text), KV_SPACE, file, &err) < 0) {
		warn(c, file, strbuf_str(&err));
		strbuf_release(&err);
		return;
	}
	if (!kv_get(&c->events, "oom_kill", &v) && v >= 0)
		set(c, CGMEM_OOM_KILL, &c->oom_kill, v);
	if (c->version == 1) {
		if (!kv_get(&c->events, "under_oom", &v) && v >= 0)
			set(c, CGMEM_UNDER_OOM, &c->under_oom, v);
		return;
	}
	if (!kv_get(&c->events, "oom", &v) && v >= 0)
		set(c, CGMEM_OOM_EVENTS, &c->oom_events, v);
	if (!kv_get(&c->events, "high", &v) && v >= 0)
		set(c, CGMEM_HIGH_EVENTS, &c->high_events, v);
	if (!kv_get(&c->events, "max", &v) && v >= 0)
		set(c, CGMEM_MAX_EVENTS, &c->max_events, v);
}

int cgroupmem_parse(const struct cgroup_mem_input *in, struct cgroup_mem *c,
		    struct strbuf *err)
{
	int v1, unlimited = 0;

	if (in->version != 1 && in->version != 2)
		return error_set(err, "cannot read cgroup memory: unknown cgroup version %d",
				 in->version);
	c->version = in->version;
	v1 = c->version == 1;

	read_count(c, in->usage, v1 ? "memory.usage_in_bytes" : "memory.current",
		   CGMEM_USAGE, &c->usage);
	read_limit(c, in->limit, v1 ? "memory.limit_in_bytes" : "memory.max",
		   CGMEM_LIMIT, &c->limit, &unlimited);
	c->limit_unlimited = unlimited;
	unlimited = 0;
	read_limit(c, in->high, "memory.high", CGMEM_HIGH, &c->high, &unlimited);
	c->high_unlimited = unlimited;
	read_count(c, in->max_usage, v1 ? "memory.max_usage_in_bytes" : "memory.peak",
		   CGMEM_MAX_USAGE, &c->max_usage);
	if (v1)
		read_count(c, in->failcnt, "memory.failcnt", CGMEM_MAX_EVENTS, &c->max_events);
	read_stat(c, in->stat);
	read_events(c, in->events);

	if (v1)
		kernel_v1(c);
	else
		kernel_v2(c);
	/* cAdvisor's working set: what kubelet evicts on and dashboards alert on */
	if (CGMEM_HAS(c, CGMEM_USAGE) && CGMEM_HAS(c, CGMEM_INACTIVE_FILE))
		set(c, CGMEM_WORKING_SET, &c->working_set,
		    c->usage > c->inactive_file ? c->usage - c->inactive_file : 0);
	return 0;
}
