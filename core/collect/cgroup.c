/*
 * Source "cgroup": the memory.* files of the target's memory cgroup, found
 * through cgroup_resolve() (cgroup.h), and cgroup/info.json saying which
 * hierarchy they came from.
 */
#include "collect/cgroup.h"
#include "collect/collect.h"
#include "base/json.h"
#include "bundle/vocab.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

/* /proc/PID/cgroup and mountinfo are small; this only stops a runaway read. */
#define MAX_PROC_TEXT ((size_t)16 << 20)

void cgroup_location_init(struct cgroup_location *loc)
{
	memset(loc, 0, sizeof(*loc));
}

static void hierarchy_release(struct cgroup_hierarchy *h)
{
	free(h->path);
	free(h->mount);
	free(h->root);
	free(h->dir);
	free(h->controllers);
	memset(h, 0, sizeof(*h));
}

void cgroup_location_release(struct cgroup_location *loc)
{
	free(loc->path);
	free(loc->mount);
	free(loc->root);
	free(loc->dir);
	hierarchy_release(&loc->v1);
	hierarchy_release(&loc->v2);
	memset(loc, 0, sizeof(*loc));
}

/* A cgroup or cgroup2 mount from mountinfo. */
struct cgroup_mount {
	int version;
	char *root;
	char *mountpoint;
	int has_memory;		/* v1: the memory controller is in the super options */
};

struct mount_list {
	struct cgroup_mount *m;
	size_t nr, alloc;
};

static void mount_list_release(struct mount_list *ml)
{
	size_t i;

	for (i = 0; i < ml->nr; i++) {
		free(ml->m[i].root);
		free(ml->m[i].mountpoint);
	}
	free(ml->m);
	memset(ml, 0, sizeof(*ml));
}

/* Whether the comma-separated list (of length len) holds name exactly. */
static int list_has(const char *list, size_t len, const char *name)
{
	size_t pos = 0, n = strlen(name), item;

	while (pos <= len) {
		for (item = 0; pos + item < len && list[pos + item] != ','; item++)
			;
		if (item == n && !memcmp(list + pos, name, n))
			return 1;
		pos += item + 1;
	}
	return 0;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *unescape_field(const char *s, size_t len)
{
	char *out = xmalloc(len + 1), *o = out;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 3 < len &&
		    s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' &&
		    s[i + 3] >= '0' && s[i + 3] <= '7') {
			*o++ = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

static size_t line_length(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl ? (size_t)(nl - s) : strlen(s);
}

/*
 * Collects the cgroup mounts of mountinfo. A line is
 * "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER".
 */
static int parse_mountinfo(const char *text, struct mount_list *ml, struct strbuf *err)
{
	const char *line = text;
	unsigned lineno = 0;

	while (*line) {
		size_t len = line_length(line), pos = 0, tok_len;
		const char *tok[3] = { NULL, NULL, NULL };	/* root, mountpoint, fstype */
		size_t tok_n[3] = { 0, 0, 0 };
		const char *super = NULL;
		size_t super_n = 0;
		int field = 0, after_sep = -1;

		lineno++;
		while (pos < len) {
			while (pos < len && line[pos] == ' ')
				pos++;
			if (pos == len)
				break;
			for (tok_len = 0; pos + tok_len < len && line[pos + tok_len] != ' '; tok_len++)
				;
			if (after_sep < 0 && field >= 6 && tok_len == 1 && line[pos] == '-') {
				after_sep = 0;
			} else if (after_sep >= 0) {
				if (after_sep == 0) {
					tok[2] = line + pos;
					tok_n[2] = tok_len;
				} else if (after_sep == 2) {
					super = line + pos;
					super_n = tok_len;
				}
				after_sep++;
			} else if (field == 3 || field == 4) {
				tok[field - 3] = line + pos;
				tok_n[field - 3] = tok_len;
			}
			field++;
			pos += tok_len;
		}
		if (len && (after_sep < 3 || !tok[0] || !tok[1]))
			return error_set(err, "malformed mountinfo line %u: '%.*s'",
					 lineno, (int)(len > 80 ? 80 : len), line);
		if (len && ((tok_n[2] == 6 && !memcmp(tok[2], "cgroup", 6)) ||
			    (tok_n[2] == 7 && !memcmp(tok[2], "cgroup2", 7)))) {
			struct cgroup_mount *m;

			ALLOC_GROW(ml->m, ml->nr + 1, ml->alloc);
			m = &ml->m[ml->nr++];
			m->version = tok_n[2] == 7 ? 2 : 1;
			m->root = unescape_field(tok[0], tok_n[0]);
			m->mountpoint = unescape_field(tok[1], tok_n[1]);
			m->has_memory = m->version == 1 && list_has(super, super_n, "memory");
		}
		line += len;
		if (*line == '\n')
			line++;
	}
	return 0;
}

/* The part of path below root ("" or "/..."), NULL when path is not inside root. */
static const char *path_below(const char *path, const char *root)
{
	size_t n = strlen(root);

	while (n && root[n - 1] == '/')
		n--;
	if (strncmp(path, root, n) || (path[n] && path[n] != '/'))
		return NULL;
	return path + n;
}

static char *join_dir(const char *mount, const char *rel)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = strlen(mount);

	while (n > 1 && mount[n - 1] == '/')
		n--;
	if (!strcmp(rel, "/"))
		rel = "";
	if (n == 1 && mount[0] == '/' && *rel)
		n = 0;
	strbuf_add(&sb, mount, n);
	strbuf_addstr(&sb, rel);
	return strbuf_detach(&sb, NULL);
}

/*
 * Fills h->mount, root and dir from the mount of the given kind whose root
 * holds h->path; the deepest root wins when the hierarchy is mounted more
 * than once (a bind mount of a subtree). 0 when found, 1 when no such mount
 * exists, -1 with err when mounts exist but none holds the path.
 */
static int attach_mount(struct cgroup_hierarchy *h, const struct mount_list *ml,
			int version, struct strbuf *err)
{
	const struct cgroup_mount *best = NULL;
	const char *rel = NULL, *r;
	int seen = 0;
	size_t i;

	for (i = 0; i < ml->nr; i++) {
		const struct cgroup_mount *m = &ml->m[i];

		if (m->version != version || (version == 1 && !m->has_memory))
			continue;
		seen = 1;
		r = path_below(h->path, m->root);
		if (r && (!best || strlen(m->root) > strlen(best->root))) {
			best = m;
			rel = r;
		}
	}
	if (!seen)
		return 1;
	if (!best)
		return error_set(err, "cgroup path '%s' is outside the root of every %s mount (e.g. '%s' at '%s')",
				 h->path, version == 1 ? "cgroup v1 memory" : "cgroup2",
				 ml->m[0].root, ml->m[0].mountpoint);
	h->mount = xstrdup(best->mountpoint);
	h->root = xstrdup(best->root);
	h->dir = join_dir(best->mountpoint, rel);
	return 0;
}

/*
 * A path with a ".." component lies outside the reader's cgroup namespace:
 * the kernel prints it relative to ours, and no mount of ours reaches it.
 */
static int has_dotdot(const char *path)
{
	const char *p = path;

	while ((p = strstr(p, "..")) != NULL) {
		if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return 1;
		p += 2;
	}
	return 0;
}

/* Reads the "ID:CONTROLLERS:PATH" lines into loc->v1 (memory) and loc->v2 ("0::"). */
static int parse_proc_cgroup(const char *text, struct cgroup_location *loc, struct strbuf *err)
{
	const char *line = text;
	unsigned lineno = 0;

	while (*line) {
		size_t len = line_length(line), i;
		const char *c1, *c2;

		lineno++;
		if (!len) {
			line++;
			continue;
		}
		c1 = memchr(line, ':', len);
		c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line)) : NULL;
		for (i = 0; line + i < c1 && line[i] >= '0' && line[i] <= '9'; i++)
			;
		if (!c2 || !i || line + i != c1 || c2 + 1 == line + len || c2[1] != '/')
			return error_set(err, "malformed cgroup line %u: '%.*s' (expected ID:CONTROLLERS:/PATH)",
					 lineno, (int)(len > 80 ? 80 : len), line);
		if (c1 - line == 1 && line[0] == '0' && c2 == c1 + 1) {
			free(loc->v2.path);
			loc->v2.path = xstrndup(c2 + 1, len - (size_t)(c2 + 1 - line));
		} else if (list_has(c1 + 1, (size_t)(c2 - c1 - 1), "memory")) {
			free(loc->v1.path);
			free(loc->v1.controllers);
			loc->v1.path = xstrndup(c2 + 1, len - (size_t)(c2 + 1 - line));
			loc->v1.controllers = xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
		}
		line += len;
		if (*line == '\n')
			line++;
	}
	if (!lineno)
		return error_set(err, "the cgroup file is empty");
	return 0;
}

static void choose(struct cgroup_location *loc, int version)
{
	const struct cgroup_hierarchy *h = version == 1 ? &loc->v1 : &loc->v2;

	loc->version = version;
	loc->path = xstrdup(h->path);
	loc->mount = xstrdup(h->mount);
	loc->root = xstrdup(h->root);
	loc->dir = xstrdup(h->dir);
}

int cgroup_resolve(const char *proc_cgroup, const char *mountinfo,
		   struct cgroup_location *out, struct strbuf *err)
{
	struct mount_list ml = { NULL, 0, 0 };
	struct strbuf v2_err = STRBUF_INIT;
	int has_v1 = 0, has_v2 = 0, r1 = 1, r2 = 1, ret = -1;
	size_t i;

	cgroup_location_init(out);
	if (parse_proc_cgroup(proc_cgroup, out, err) < 0 ||
	    parse_mountinfo(mountinfo, &ml, err) < 0)
		goto cleanup;
	for (i = 0; i < ml.nr; i++) {
		has_v1 |= ml.m[i].version == 1;
		has_v2 |= ml.m[i].version == 2;
	}
	out->hybrid = has_v1 && has_v2;

	if (out->v1.path) {
		if (has_dotdot(out->v1.path)) {
			error_set(err, "cgroup path '%s' is outside this cgroup namespace", out->v1.path);
			goto cleanup;
		}
		r1 = attach_mount(&out->v1, &ml, 1, err);
		/* mounted and listed: this is where the limit is, so its failure is final */
		if (r1 < 0)
			goto cleanup;
	}
	if (out->v2.path) {
		if (has_dotdot(out->v2.path))
			r2 = error_set(&v2_err, "cgroup path '%s' is outside this cgroup namespace",
				       out->v2.path);
		else
			r2 = attach_mount(&out->v2, &ml, 2, &v2_err);
	}

	if (r1 == 0) {
		choose(out, 1);
	} else if (r2 == 0) {
		choose(out, 2);
	} else if (r2 < 0) {
		error_set(err, "%s", strbuf_str(&v2_err));
		goto cleanup;
	} else if (out->v1.path) {
		error_set(err, "the memory cgroup '%s' is not mounted (no cgroup v1 memory mount in mountinfo)",
			  out->v1.path);
		goto cleanup;
	} else if (out->v2.path) {
		error_set(err, "the cgroup2 path '%s' is not mounted (no cgroup2 mount in mountinfo)",
			  out->v2.path);
		goto cleanup;
	} else {
		error_set(err, "no memory controller line and no '0::' line in the cgroup file");
		goto cleanup;
	}
	/* keep only what was resolved, so v1/v2 with a path always have a dir */
	if (!out->v1.dir)
		hierarchy_release(&out->v1);
	if (!out->v2.dir)
		hierarchy_release(&out->v2);
	ret = 0;

cleanup:
	if (ret < 0)
		cgroup_location_release(out);
	mount_list_release(&ml);
	strbuf_release(&v2_err);
	return ret;
}

/* --- collection ------------------------------------------------------------ */

static int file_exists(const char *base, const char *dir, const char *name)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s%s/%s", base, dir, name) >= sizeof(path))
		return 0;
	return access(path, F_OK) == 0;
}

/* Whether dir has the memory controller's files (the v2 root has no memory.current). */
static int has_memory_files(const char *base, const char *dir, int version)
{
	if (version == 1)
		return file_exists(base, dir, "memory.usage_in_bytes");
	return file_exists(base, dir, "memory.current") || file_exists(base, dir, "memory.stat");
}

/* The v2 directory's cgroup.controllers, without the newline; NULL if unreadable. */
static char *read_controllers(const char *base, const char *dir)
{
	struct strbuf sb = STRBUF_INIT, path = STRBUF_INIT;

	strbuf_addf(&path, "%s%s/cgroup.controllers", base, dir);
	if (strbuf_read_file(&sb, path.buf, 65536) < 0) {
		strbuf_release(&sb);
		strbuf_release(&path);
		return NULL;
	}
	while (sb.len && (sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == ' '))
		sb.buf[--sb.len] = '\0';
	strbuf_release(&path);
	return strbuf_detach(&sb, NULL);
}

/*
 * When the target lives in another mount namespace (a container), the mount
 * points in its mountinfo are its own; /proc/PID/root reaches them.
 */
static char *path_prefix(pid_t pid)
{
	char self[128], target[128], link[64];
	ssize_t n1, n2;

	snprintf(link, sizeof(link), "/proc/%ld/ns/mnt", (long)pid);
	n1 = readlink("/proc/self/ns/mnt", self, sizeof(self) - 1);
	n2 = readlink(link, target, sizeof(target) - 1);
	if (n1 < 0 || n2 < 0 || (n1 == n2 && !memcmp(self, target, (size_t)n1))) {
		return xstrdup("");
	}
	snprintf(link, sizeof(link), "/proc/%ld/root", (long)pid);
	return xstrdup(link);
}

static struct json_object *hierarchy_json(const struct cgroup_hierarchy *h, int has_files)
{
	struct json_object *o;

	if (!h->dir)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "path", json_new_str_or_null(h->path));
	json_object_object_add(o, "mount", json_new_str_or_null(h->mount));
	json_object_object_add(o, "root", json_new_str_or_null(h->root));
	json_object_object_add(o, "dir", json_new_str_or_null(h->dir));
	json_object_object_add(o, "controllers", json_new_str_or_null(h->controllers));
	json_object_object_add(o, "memory_files", json_object_new_boolean(has_files));
	return o;
}

static void copy_files(struct collection *c, const char *base, const char *dir,
		       int version, int cheap_only)
{
	/* each is the file named after ART_CGROUP_DIR in the cgroup's directory */
	static const char *const v2_files[] = {
		ART_CGROUP_MEMORY_STAT, ART_CGROUP_MEMORY_CURRENT,
		ART_CGROUP_MEMORY_MAX, ART_CGROUP_MEMORY_HIGH, ART_CGROUP_MEMORY_LOW,
		ART_CGROUP_MEMORY_MIN, ART_CGROUP_MEMORY_EVENTS, ART_CGROUP_MEMORY_SWAP_CURRENT,
		ART_CGROUP_MEMORY_SWAP_MAX, ART_CGROUP_MEMORY_PRESSURE, ART_CGROUP_PROCS,
		NULL
	};
	static const char *const v1_files[] = {
		ART_CGROUP_MEMORY_STAT, ART_CGROUP_MEMORY_USAGE,
		ART_CGROUP_MEMORY_LIMIT, ART_CGROUP_MEMORY_MAX_USAGE, ART_CGROUP_MEMORY_FAILCNT,
		ART_CGROUP_MEMORY_OOM_CONTROL, ART_CGROUP_MEMORY_SOFT_LIMIT,
		ART_CGROUP_MEMSW_USAGE, ART_CGROUP_PROCS,
		NULL
	};
	const char *const *paths = version == 1 ? v1_files : v2_files;
	const size_t in_dir = strlen(ART_CGROUP_DIR);
	char file[PATH_MAX];
	int i;

	for (i = 0; paths[i]; i++) {
		const char *path = paths[i];

		/* the first two are cheap enough to repeat for every sample */
		if (collection_interrupted(c) || (cheap_only && i >= 2))
			return;
		/* old v1 kernels have only tasks */
		if (version == 1 && !strcmp(path, ART_CGROUP_PROCS) &&
		    !file_exists(base, dir, path + in_dir) &&
		    file_exists(base, dir, &ART_CGROUP_TASKS[in_dir]))
			path = ART_CGROUP_TASKS;
		if ((size_t)snprintf(file, sizeof(file), "%s%s/%s", base, dir, path + in_dir) >= sizeof(file)) {
			artifact_fail(collection_add(c, path, SOURCE_CGROUP),
				      "cgroup directory '%s' is too long", dir);
			continue;
		}
		/* memory.stat is what every rule needs; the rest vary by kernel and config */
		collect_file(c, path, SOURCE_CGROUP, file, i != 0);
	}
}

/* Whether dir's cgroup.procs (or tasks) lists pid, as this process's PID namespace numbers it. */
static int dir_holds_pid(const char *base, const char *dir, pid_t pid)
{
	static const char *const names[] = { "cgroup.procs", "tasks" };
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	char want[32];
	const char *p;
	size_t i, n;
	int found = 0;

	n = (size_t)snprintf(want, sizeof(want), "%ld", (long)pid);
	for (i = 0; i < 2 && !found; i++) {
		strbuf_reset(&path);
		strbuf_reset(&text);
		strbuf_addf(&path, "%s%s/%s", base, dir, names[i]);
		if (strbuf_read_file(&text, path.buf, MAX_PROC_TEXT) < 0)
			continue;
		for (p = text.buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
			if (!strncmp(p, want, n) && (p[n] == '\n' || p[n] == '\0'))
				found = 1;
	}
	strbuf_release(&path);
	strbuf_release(&text);
	return found;
}

/*
 * From a debug container (kubectl debug --target): the container shares
 * the target's PID namespace but has its own mount and cgroup namespaces,
 * so /proc/PID/cgroup names the target's cgroup as "/../<its cgroup>" and
 * no mount of ours reaches it. The target's own mounts do: its runtime
 * mounted the cgroup filesystem in it, reachable through /proc/PID/root
 * (which needs CAP_SYS_PTRACE or the target's UID). A directory counts
 * only when its cgroup.procs lists the target, so a wrong guess is never
 * copied. Fills loc and *base; -1 with err saying what is missing.
 */
static int resolve_through_root(pid_t pid, const char *proc_cgroup, const char *mountinfo,
				struct cgroup_location *loc, char **base, struct strbuf *err)
{
	struct mount_list ml = { NULL, 0, 0 };
	struct strbuf root = STRBUF_INIT, probe = STRBUF_INIT, perr = STRBUF_INIT;
	struct cgroup_location paths;
	int version, ret = -1;
	size_t i;

	cgroup_location_init(loc);
	cgroup_location_init(&paths);
	strbuf_addf(&root, "/proc/%ld/root", (long)pid);
	strbuf_addf(&probe, "%s/sys/fs/cgroup", root.buf);
	if (access(probe.buf, X_OK) < 0) {
		if (errno == EACCES || errno == EPERM)
			error_set(err, "%s: %s: /proc/PID/root of another process needs CAP_SYS_PTRACE "
				  "(kubectl debug --profile=general), or the target's UID and no fewer capabilities",
				  probe.buf, strerror(errno));
		else
			error_set(err, "%s: %s: the target has no cgroup filesystem mounted; run triage on the node "
				  "(hostPID and /sys/fs/cgroup mounted) instead", probe.buf, strerror(errno));
		goto out;
	}
	if (parse_proc_cgroup(proc_cgroup, &paths, &perr) < 0 || parse_mountinfo(mountinfo, &ml, &perr) < 0) {
		error_set(err, "%s", perr.buf);
		goto out;
	}
	/* v1 memory first: where the limit is enforced on a hybrid host */
	for (version = 1; version <= 2 && !loc->version; version++) {
		const char *path = version == 1 ? paths.v1.path : paths.v2.path;

		for (i = 0; i < ml.nr && !loc->version; i++) {
			const struct cgroup_mount *m = &ml.m[i];
			const char *rel = path ? path_below(path, m->root) : NULL;
			char *dir;
			int k;

			if (m->version != version || (version == 1 && !m->has_memory))
				continue;
			/* the path below the mount's root, else the mount itself (a container's own cgroup) */
			for (k = 0; k < 2 && !loc->version; k++) {
				if (k == 0 && !rel)
					continue;
				dir = join_dir(m->mountpoint, k == 0 ? rel : "");
				if (has_memory_files(root.buf, dir, version) && dir_holds_pid(root.buf, dir, pid)) {
					struct cgroup_hierarchy *h = version == 1 ? &loc->v1 : &loc->v2;

					h->path = xstrdup(path ? path : "/");
					h->mount = xstrdup(m->mountpoint);
					h->root = xstrdup(m->root);
					h->dir = dir;
					if (version == 1 && paths.v1.controllers)
						h->controllers = xstrdup(paths.v1.controllers);
					choose(loc, version);
				} else {
					free(dir);
				}
			}
		}
	}
	if (!loc->version) {
		error_set(err, "no cgroup mount under %s holds process %ld with memory files", root.buf, (long)pid);
		goto out;
	}
	*base = strbuf_detach(&root, NULL);
	ret = 0;
out:
	if (ret < 0)
		cgroup_location_release(loc);
	cgroup_location_release(&paths);
	mount_list_release(&ml);
	strbuf_release(&root);
	strbuf_release(&probe);
	strbuf_release(&perr);
	return ret;
}

void collect_cgroup(struct collection *c, pid_t pid, int cheap_only)
{
	struct strbuf cg = STRBUF_INIT, mi = STRBUF_INIT, err = STRBUF_INIT;
	struct cgroup_location loc;
	const struct cgroup_hierarchy *used;
	char file[64];
	char *base = NULL, *v2_controllers = NULL;
	int version, v1_files = 0, v2_files = 0, files_ok, through_root = 0;
	struct json_object *info;

	cgroup_location_init(&loc);
	snprintf(file, sizeof(file), "/proc/%ld/cgroup", (long)pid);
	if (strbuf_read_file(&cg, file, MAX_PROC_TEXT) < 0) {
		artifact_fail(collection_add(c, ART_CGROUP_INFO, SOURCE_CGROUP),
			      "cannot read %s: %s", file, strerror(errno));
		goto cleanup;
	}
	snprintf(file, sizeof(file), "/proc/%ld/mountinfo", (long)pid);
	if (strbuf_read_file(&mi, file, MAX_PROC_TEXT) < 0) {
		artifact_fail(collection_add(c, ART_CGROUP_INFO, SOURCE_CGROUP),
			      "cannot read %s: %s", file, strerror(errno));
		goto cleanup;
	}
	if (cgroup_resolve(strbuf_str(&cg), strbuf_str(&mi), &loc, &err) == 0) {
		base = path_prefix(pid);
	} else {
		struct strbuf why = STRBUF_INIT;

		/* a debug container: through the target's own mounts (resolve_through_root) */
		if (resolve_through_root(pid, strbuf_str(&cg), strbuf_str(&mi), &loc, &base, &why) < 0) {
			artifact_fail(collection_add(c, ART_CGROUP_INFO, SOURCE_CGROUP),
				      "cannot find the memory cgroup of process %ld: %s; through the target's "
				      "mounts: %s", (long)pid, strbuf_str(&err), strbuf_str(&why));
			strbuf_release(&why);
			goto cleanup;
		}
		strbuf_release(&why);
		through_root = 1;
	}

	if (loc.v1.dir)
		v1_files = has_memory_files(base, loc.v1.dir, 1);
	if (loc.v2.dir) {
		v2_files = has_memory_files(base, loc.v2.dir, 2);
		v2_controllers = read_controllers(base, loc.v2.dir);
	}
	/*
	 * Trust the files over the preference when they disagree: a hierarchy
	 * whose directory lacks memory.* cannot explain an OOM, the other may.
	 */
	version = loc.version;
	if (version == 1 && !v1_files && v2_files)
		version = 2;
	else if (version == 2 && !v2_files && v1_files)
		version = 1;
	used = version == 1 ? &loc.v1 : &loc.v2;
	files_ok = version == 1 ? v1_files : v2_files;

	copy_files(c, base, used->dir, version, cheap_only);
	if (cheap_only || collection_interrupted(c))
		goto cleanup;

	info = json_object_new_object();
	json_object_object_add(info, "version", json_object_new_int(version));
	json_object_object_add(info, "path", json_new_str_or_null(used->path));
	json_object_object_add(info, "mount", json_new_str_or_null(used->mount));
	json_object_object_add(info, "root", json_new_str_or_null(used->root));
	json_object_object_add(info, "dir", json_new_str_or_null(used->dir));
	json_object_object_add(info, "hybrid", json_object_new_boolean(loc.hybrid));
	json_object_object_add(info, "controllers",
			       json_new_str_or_null(version == 1 ? used->controllers : v2_controllers));
	json_object_object_add(info, "memory_files", json_object_new_boolean(files_ok));
	if (*base)
		json_object_object_add(info, "read_via", json_new_str_or_null(base));
	if (through_root)
		json_object_object_add(info, "found_via", json_object_new_string(
			"the target's own cgroup mount: it is in another cgroup namespace (a debug container)"));
	if (loc.v2.dir && !loc.v2.controllers && v2_controllers)
		loc.v2.controllers = xstrdup(v2_controllers);
	json_object_object_add(info, "v1", hierarchy_json(&loc.v1, v1_files));
	json_object_object_add(info, "v2", hierarchy_json(&loc.v2, v2_files));
	artifact_add_json(c, collection_add(c, ART_CGROUP_INFO, SOURCE_CGROUP), info);
	json_object_put(info);

cleanup:
	free(base);
	free(v2_controllers);
	cgroup_location_release(&loc);
	strbuf_release(&cg);
	strbuf_release(&mi);
	strbuf_release(&err);
}
