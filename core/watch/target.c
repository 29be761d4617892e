/*
 * The watched cgroup and its processes: where it is, one cheap reading of
 * its numbers, and which process in it to follow. A sample reads four small
 * files (usage, limit, memory.stat, the OOM counters) so it can run several
 * times a second near the limit without showing up in a profile.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/io.h"
#include "collect/cgroup.h"
#include "parse/cgroupmem.h"
#include "watch/watch.h"

/* cgroup files are small; memory.stat is the largest at a few KiB. */
#define MAX_CGROUP_FILE ((size_t)1 << 20)
#define MAX_PROC_TEXT ((size_t)16 << 20)

void watch_cgroup_init(struct watch_cgroup *cg)
{
	memset(cg, 0, sizeof(*cg));
}

void watch_cgroup_release(struct watch_cgroup *cg)
{
	free(cg->dir);
	memset(cg, 0, sizeof(*cg));
}

static int has_file(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return 0;
	return access(path, F_OK) == 0;
}

int watch_cgroup_at(struct watch_cgroup *cg, const char *dir, struct strbuf *err)
{
	size_t n = strlen(dir);

	watch_cgroup_init(cg);
	if (!is_dir(dir))
		return error_set(err, "'%s' is not a directory", dir);
	/* the files tell the version: a v2 directory has memory.current */
	if (has_file(dir, "memory.usage_in_bytes"))
		cg->version = 1;
	else if (has_file(dir, "memory.current"))
		cg->version = 2;
	else
		return error_set(err, "'%s' is not a memory cgroup (no memory.usage_in_bytes or memory.current)", dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	cg->dir = xstrndup(dir, n);
	return 0;
}

int watch_cgroup_of_pid(struct watch_cgroup *cg, pid_t pid, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT, mi = STRBUF_INIT, why = STRBUF_INIT;
	struct cgroup_location loc;
	char file[64];
	int ret = -1;

	cgroup_location_init(&loc);
	watch_cgroup_init(cg);
	snprintf(file, sizeof(file), "/proc/%ld/cgroup", (long)pid);
	if (strbuf_read_file(&text, file, MAX_PROC_TEXT) < 0) {
		error_set(err, "cannot read %s: %s", file, strerror(errno));
		goto out;
	}
	/* our mountinfo, not the target's: the directory must be reachable from here */
	if (strbuf_read_file(&mi, "/proc/self/mountinfo", MAX_PROC_TEXT) < 0) {
		error_set(err, "cannot read /proc/self/mountinfo: %s", strerror(errno));
		goto out;
	}
	if (cgroup_resolve(strbuf_str(&text), strbuf_str(&mi), &loc, &why) < 0) {
		error_set(err, "cannot find the memory cgroup of process %ld: %s", (long)pid, why.buf);
		goto out;
	}
	/* a hybrid host: the hierarchy whose directory has the memory files */
	if (loc.v1.dir && has_file(loc.v1.dir, "memory.usage_in_bytes"))
		ret = watch_cgroup_at(cg, loc.v1.dir, err);
	else if (loc.v2.dir && has_file(loc.v2.dir, "memory.current"))
		ret = watch_cgroup_at(cg, loc.v2.dir, err);
	else
		ret = error_set(err, "the cgroup of process %ld (%s) has no memory controller files",
				(long)pid, loc.dir);
out:
	cgroup_location_release(&loc);
	strbuf_release(&text);
	strbuf_release(&mi);
	strbuf_release(&why);
	return ret;
}

/* Reads dir/name into sb; 0, or -1 (sb empty) when it is not there. */
static int read_cg(const char *dir, const char *name, struct strbuf *sb)
{
	char path[PATH_MAX];

	strbuf_reset(sb);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -1;
	if (strbuf_read_file(sb, path, MAX_CGROUP_FILE) < 0) {
		strbuf_reset(sb);
		return -1;
	}
	return 0;
}

int watch_cgroup_sample(const struct watch_cgroup *cg, struct watch_sample *s, struct strbuf *err)
{
	struct strbuf usage = STRBUF_INIT, limit = STRBUF_INIT, stat = STRBUF_INIT;
	struct strbuf events = STRBUF_INIT, failcnt = STRBUF_INIT;
	struct cgroup_mem_input in;
	struct cgroup_mem m;
	int v1 = cg->version == 1, ret = -1;

	memset(s, 0, sizeof(*s));
	s->usage = s->limit = s->working_set = s->oom_kill = s->oom = s->max_events = -1;
	s->pct = -1;
	s->mono_ms = clock_mono_ms();
	cgroup_mem_init(&m);
	if (read_cg(cg->dir, v1 ? "memory.usage_in_bytes" : "memory.current", &usage) < 0) {
		error_set(err, "cannot read the usage of cgroup %s: %s", cg->dir, strerror(errno));
		goto out;
	}
	read_cg(cg->dir, v1 ? "memory.limit_in_bytes" : "memory.max", &limit);
	read_cg(cg->dir, "memory.stat", &stat);
	read_cg(cg->dir, v1 ? "memory.oom_control" : "memory.events", &events);
	if (v1)
		read_cg(cg->dir, "memory.failcnt", &failcnt);

	memset(&in, 0, sizeof(in));
	in.version = cg->version;
	in.usage = usage.buf;
	in.limit = limit.buf;
	in.stat = stat.buf;
	in.events = events.buf;
	in.failcnt = failcnt.buf;
	if (cgroupmem_parse(&in, &m, err) < 0)
		goto out;
	if (!CGMEM_HAS(&m, CGMEM_USAGE)) {
		error_set(err, "cannot read the usage of cgroup %s: %s", cg->dir, strbuf_str(&m.warnings));
		goto out;
	}
	s->usage = m.usage;
	/* without inactive_file the usage is the best estimate there is */
	s->working_set = CGMEM_HAS(&m, CGMEM_WORKING_SET) ? m.working_set : m.usage;
	if (CGMEM_HAS(&m, CGMEM_LIMIT) && !m.limit_unlimited)
		s->limit = m.limit;
	/* v1 "unlimited" here may still sit under a parent's limit */
	else if (CGMEM_HAS(&m, CGMEM_HIER_LIMIT) && !m.hier_limit_unlimited)
		s->limit = m.hier_limit;
	else
		s->limit = 0;
	if (CGMEM_HAS(&m, CGMEM_OOM_KILL))
		s->oom_kill = m.oom_kill;
	if (v1 && CGMEM_HAS(&m, CGMEM_UNDER_OOM))
		s->oom = m.under_oom;
	else if (!v1 && CGMEM_HAS(&m, CGMEM_OOM_EVENTS))
		s->oom = m.oom_events;
	if (CGMEM_HAS(&m, CGMEM_MAX_EVENTS))
		s->max_events = m.max_events;
	if (s->limit > 0)
		s->pct = 100.0 * (double)s->working_set / (double)s->limit;
	ret = 0;
out:
	cgroup_mem_release(&m);
	strbuf_release(&usage);
	strbuf_release(&limit);
	strbuf_release(&stat);
	strbuf_release(&events);
	strbuf_release(&failcnt);
	return ret;
}

char *watch_pid_exe(pid_t pid)
{
	char link[64], exe[PATH_MAX];
	static const char deleted[] = " (deleted)";
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%ld/exe", (long)pid);
	n = readlink(link, exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	/* a binary replaced by a deploy still names the service */
	if ((size_t)n > sizeof(deleted) - 1 && !strcmp(exe + n - (sizeof(deleted) - 1), deleted))
		exe[n - (sizeof(deleted) - 1)] = '\0';
	return xstrdup(exe);
}

/* Resident pages of pid from statm, 0 when gone. */
static long rss_pages(pid_t pid)
{
	struct strbuf sb = STRBUF_INIT;
	char file[64];
	long size = 0, rss = 0;

	snprintf(file, sizeof(file), "/proc/%ld/statm", (long)pid);
	if (strbuf_read_file(&sb, file, 4096) == 0 && sscanf(strbuf_str(&sb), "%ld %ld", &size, &rss) != 2)
		rss = 0;
	strbuf_release(&sb);
	return rss;
}

pid_t watch_cgroup_find(const struct watch_cgroup *cg, const char *exe, pid_t not_pid, char **exe_out)
{
	struct strbuf procs = STRBUF_INIT;
	const char *p;
	pid_t best = 0;
	long best_rss = -1;

	*exe_out = NULL;
	if (read_cg(cg->dir, "cgroup.procs", &procs) < 0 && read_cg(cg->dir, "tasks", &procs) < 0)
		return 0;
	for (p = strbuf_str(&procs); *p; ) {
		char *end, *e;
		long v = strtol(p, &end, 10);
		long rss;

		if (end == p) {
			p++;
			continue;
		}
		p = end;
		if (v <= 0 || v == not_pid || v == getpid())
			continue;
		e = watch_pid_exe((pid_t)v);
		if (!e)
			continue;
		if (exe && strcmp(e, exe)) {
			free(e);
			continue;
		}
		rss = rss_pages((pid_t)v);
		if (rss > best_rss) {
			best_rss = rss;
			best = (pid_t)v;
			free(*exe_out);
			*exe_out = e;
		} else {
			free(e);
		}
	}
	strbuf_release(&procs);
	return best;
}
