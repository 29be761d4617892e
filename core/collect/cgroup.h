#ifndef TRIAGE_CGROUP_H
#define TRIAGE_CGROUP_H

struct strbuf;

/*
 * Where a process's memory cgroup lives. The kernel enforces the limit that
 * OOM-kills a Go service in the cgroup, not in the process, so triage copies
 * the cgroup's memory.* files next to /proc/PID (collect_cgroup() in
 * collect.h).
 *
 * /proc/PID/cgroup names the cgroup as a path inside a hierarchy;
 * /proc/PID/mountinfo says where each hierarchy is mounted and which part of
 * it (the root field: a container sees only its own subtree, mounted with
 * root "/kubepods/pod1/abc"). The directory is the mount point joined with
 * the path made relative to that root.
 */

/* One hierarchy the process belongs to; fields NULL when not found. */
struct cgroup_hierarchy {
	char *path;		/* from /proc/PID/cgroup */
	char *mount;		/* mount point */
	char *root;		/* the mount's root within the hierarchy */
	char *dir;		/* mount + (path - root) */
	char *controllers;	/* v1: as the cgroup line lists them ("memory"); v2: NULL */
};

struct cgroup_location {
	/* the hierarchy chosen for memory: v1 when it has memory, else v2 */
	int version;		/* 1 or 2 */
	char *path;
	char *mount;
	char *root;
	char *dir;
	int hybrid;		/* v1 hierarchies and a cgroup2 mount side by side */
	struct cgroup_hierarchy v1;	/* the v1 memory hierarchy */
	struct cgroup_hierarchy v2;	/* the unified hierarchy */
};

void cgroup_location_init(struct cgroup_location *loc);
void cgroup_location_release(struct cgroup_location *loc);

/*
 * Resolves the memory cgroup from the text of /proc/PID/cgroup and
 * /proc/PID/mountinfo (NUL-terminated). The v1 memory controller wins when
 * its hierarchy is mounted and the process has a memory line, because that
 * is where limits are enforced on a hybrid host; otherwise the "0::" line on
 * the cgroup2 mount. Both are filled in out when found. Pure: touches no
 * file, so whether a v2 directory really has the memory controller is for
 * the caller to check.
 *
 * Returns 0, or -1 with out released and err saying why (no memory line, no
 * matching mount, a path outside the mount's root, malformed input).
 */
int cgroup_resolve(const char *proc_cgroup, const char *mountinfo,
		   struct cgroup_location *out, struct strbuf *err);

#endif
