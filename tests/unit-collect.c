/*
 * Unit test of the collection sources: the command-line and environment
 * filters and cgroup resolution on synthetic input (all fixtures here are
 * made up, named synthetic-*), then the sources live against this very
 * process. tests/collect-sources.sh covers a real Go target in a cgroup.
 *
 * Prints every failed check and exits non-zero if there was one.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect/cgroup.h"
#include "collect/proc.h"
#include "collect/collect.h"
#include "collect/pprof.h"
#include "base/strbuf.h"
#include "check.h"

/* NUL-separated bytes, printable: NULs shown as '|'. */
static const char *show(const char *s, size_t len)
{
	static char buf[4][512];
	static int slot;
	char *out = buf[slot++ % 4];
	size_t i;

	for (i = 0; i < len && i < sizeof(buf[0]) - 1; i++)
		out[i] = s[i] ? s[i] : '|';
	out[i] = '\0';
	return out;
}

/* --- cmdline_redact -------------------------------------------------------- */

#define REDACT(in, want, count) \
	check_redact(__LINE__, in, sizeof(in) - 1, want, sizeof(want) - 1, count)

static void check_redact(int line, const char *in, size_t len, const char *want,
			 size_t want_len, int want_count)
{
	struct strbuf out = STRBUF_INIT;
	int n = cmdline_redact(len ? in : NULL, len, &out);

	CHECK(out.len == want_len && !memcmp(strbuf_str(&out), want, want_len),
	      "line %d: cmdline_redact(%s) = %s, want %s", line, show(in, len),
	      show(strbuf_str(&out), out.len), show(want, want_len));
	CHECK(n == want_count, "line %d: cmdline_redact(%s) redacted %d, want %d",
	      line, show(in, len), n, want_count);
	strbuf_release(&out);
}

static void test_cmdline_redact(void)
{
	/* both flag forms */
	REDACT("prog\0--password=hunter2\0--name=ok\0",
	       "prog\0--password=REDACTED\0--name=ok\0", 1);
	REDACT("prog\0--token\0hunter3\0-v\0",
	       "prog\0--token\0REDACTED\0-v\0", 1);
	REDACT("prog\0-token=x\0--api-key=y\0--secret-foo=z\0--Auth-Header=w\0--DB_PASSWD=v\0",
	       "prog\0-token=REDACTED\0--api-key=REDACTED\0--secret-foo=REDACTED\0"
	       "--Auth-Header=REDACTED\0--DB_PASSWD=REDACTED\0", 5);
	REDACT("prog\0-tls-cert\0/etc/x.pem\0-session-cookie=abc\0",
	       "prog\0-tls-cert\0REDACTED\0-session-cookie=REDACTED\0", 2);
	/* Go's flag package takes "-abc" as the value, so it goes too */
	REDACT("prog\0--token\0-abc\0", "prog\0--token\0REDACTED\0", 1);
	/* a value with spaces goes whole */
	REDACT("prog\0--password=a b c\0", "prog\0--password=REDACTED\0", 1);
	/* assignments */
	REDACT("env\0PASSWORD=x\0HOME=/root\0", "env\0PASSWORD=REDACTED\0HOME=/root\0", 1);
	/* a rewritten argv: one argument holding the whole line */
	REDACT("app --password hunter2 --name=ok\0", "app --password REDACTED\0", 1);
	REDACT("app --name=ok --token=t1 x\0", "app --name=ok --token=REDACTED\0", 1);

	/* URL credentials, user name included */
	REDACT("prog\0--db=postgres://user:pw@db.example:5432/x\0https://tok@github.com/a\0",
	       "prog\0--db=postgres://REDACTED@db.example:5432/x\0https://REDACTED@github.com/a\0", 2);
	REDACT("mongodb://u:p@h1,h2/db,redis://:pw@r:6379\0",
	       "mongodb://REDACTED@h1,h2/db,redis://REDACTED@r:6379\0", 2);
	REDACT("prog\0--upstream=http://a:p@ss@host/x\0",
	       "prog\0--upstream=http://REDACTED@host/x\0", 1);

	/* issue 17's shapes: -p VALUE, credential headers, query tokens */
	REDACT("mysql\0-u\0root\0-p\0hunter2\0-pfoo\0", "mysql\0-u\0root\0-p\0REDACTED\0-pfoo\0", 1);
	REDACT("prog\0--header=Authorization: Bearer abc\0-H\0Cookie: s=1\0",
	       "prog\0--header=Authorization: REDACTED\0-H\0Cookie: REDACTED\0", 2);
	REDACT("prog\0--url=https://h/x?access_token=t1&page=2\0http://h/?api_key=k#f\0",
	       "prog\0--url=https://h/x?access_token=REDACTED&page=2\0http://h/?api_key=REDACTED#f\0", 2);
	REDACT("prog\0--dsn=mysql://u:pw@h/db?password=x\0",
	       "prog\0--dsn=mysql://REDACTED@h/db?password=REDACTED\0", 2);

	/* harmless arguments untouched */
	REDACT("prog\0--name=ok\0-v\0--port\0" "8080\0http://example.com/a@b\0-\0--\0x\0",
	       "prog\0--name=ok\0-v\0--port\0" "8080\0http://example.com/a@b\0-\0--\0x\0", 0);
	REDACT("prog\0://@\0a://@h\0", "prog\0://@\0a://@h\0", 0);

	/* empty input, empty values, missing values */
	REDACT("", "", 0);
	REDACT("\0", "\0", 0);
	REDACT("prog\0--password=\0", "prog\0--password=\0", 0);
	REDACT("prog\0--password\0", "prog\0--password\0", 0);
	REDACT("prog\0--password\0\0x\0", "prog\0--password\0\0x\0", 0);

	/* no trailing NUL: none added, the last argument still filtered */
	REDACT("prog\0--password=x", "prog\0--password=REDACTED", 1);
	REDACT("prog\0--token\0t", "prog\0--token\0REDACTED", 1);
	REDACT("prog", "prog", 0);
}

/* --- environ_filter -------------------------------------------------------- */

#define FILTER(in, want, count) \
	check_filter(__LINE__, in, sizeof(in) - 1, want, sizeof(want) - 1, count)

static void check_filter(int line, const char *in, size_t len, const char *want,
			 size_t want_len, int want_count)
{
	struct strbuf out = STRBUF_INIT;
	int n = environ_filter(len ? in : NULL, len, &out);

	CHECK(out.len == want_len && !memcmp(strbuf_str(&out), want, want_len),
	      "line %d: environ_filter(%s) = %s, want %s", line, show(in, len),
	      show(strbuf_str(&out), out.len), show(want, want_len));
	CHECK(n == want_count, "line %d: environ_filter(%s) kept %d, want %d",
	      line, show(in, len), n, want_count);
	strbuf_release(&out);
}

static void test_environ_filter(void)
{
	FILTER("PATH=/bin\0GOGC=50\0SECRET_TOKEN=hunter2\0GODEBUG=madvdontneed=1\0"
	       "GOMEMLIMIT=1GiB\0HOME=/root\0",
	       "GOGC=50\0GODEBUG=madvdontneed=1\0GOMEMLIMIT=1GiB\0", 3);
	FILTER("GOMAXPROCS=4\0GOTRACEBACK=all\0", "GOMAXPROCS=4\0GOTRACEBACK=all\0", 2);
	/* GOGC without '=', look-alike names, wrong case, no trailing NUL */
	FILTER("GOGC\0GOGCX=1\0XGOGC=1\0gogc=1\0=GOGC\0GOMAXPROCS=4",
	       "GOMAXPROCS=4\0", 1);
	FILTER("GOGC", "", 0);
	FILTER("GOGC=\0", "GOGC=\0", 1);
	FILTER("SECRET_TOKEN=hunter2\0", "", 0);
	FILTER("", "", 0);
	FILTER("\0\0", "", 0);
}

/* --- cgroup_resolve --------------------------------------------------------- */

/* A v1 host: every controller its own hierarchy under a tmpfs. */
static const char synthetic_v1_mountinfo[] =
	"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	"23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
	"30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct\n"
	"34 30 0:31 / /sys/fs/cgroup/memory rw,relatime shared:13 - cgroup cgroup rw,memory\n"
	"39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n";

static const char synthetic_v1_cgroup[] =
	"12:pids:/docker/abc\n"
	"4:memory:/docker/abc\n"
	"2:cpu,cpuacct:/docker/abc\n"
	"1:name=systemd:/docker/abc\n";

/* A pure v2 host. */
static const char synthetic_v2_mountinfo[] =
	"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	"25 22 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
	"rw,nsdelegate,memory_recursiveprot\n";

/* A hybrid host: v1 controllers plus cgroup2 at /sys/fs/cgroup/unified. */
static const char synthetic_hybrid_mountinfo[] =
	"30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
	"40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

static const char synthetic_hybrid_cgroup[] =
	"9:name=systemd:/user.slice/session-1.scope\n"
	"4:memory:/user.slice/user-0.slice\n"
	"1:cpu:/\n"
	"0::/user.slice/session-1.scope\n";

/* A container: its own subtree mounted at /sys/fs/cgroup with that subtree as root. */
static const char synthetic_container_mountinfo[] =
	"700 600 0:50 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n"
	"705 700 0:22 /kubepods/pod1/abc /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw\n";

static const char synthetic_container_v1_mountinfo[] =
	"705 700 0:60 / /sys/fs/cgroup ro - tmpfs tmpfs rw\n"
	"706 705 0:31 /kubepods/pod1/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n"
	"707 705 0:28 /kubepods/pod1/abc /sys/fs/cgroup/cpu ro - cgroup cgroup rw,cpu\n";

struct resolve_want {
	int version;
	const char *path, *mount, *dir;
	int hybrid;
	const char *v1_dir, *v2_dir;	/* NULL: that hierarchy must be absent */
};

static int streq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void check_resolve(int line, const char *name, const char *cg, const char *mi,
			  const struct resolve_want *w)
{
	struct cgroup_location loc;
	struct strbuf err = STRBUF_INIT;

	if (cgroup_resolve(cg, mi, &loc, &err) < 0) {
		CHECK(0, "line %d: %s: cgroup_resolve failed: %s", line, name, strbuf_str(&err));
		strbuf_release(&err);
		return;
	}
	CHECK(loc.version == w->version, "line %d: %s: version %d, want %d",
	      line, name, loc.version, w->version);
	CHECK(streq(loc.path, w->path), "line %d: %s: path '%s', want '%s'",
	      line, name, loc.path, w->path);
	CHECK(streq(loc.mount, w->mount), "line %d: %s: mount '%s', want '%s'",
	      line, name, loc.mount, w->mount);
	CHECK(streq(loc.dir, w->dir), "line %d: %s: dir '%s', want '%s'",
	      line, name, loc.dir, w->dir);
	CHECK(loc.hybrid == w->hybrid, "line %d: %s: hybrid %d, want %d",
	      line, name, loc.hybrid, w->hybrid);
	CHECK(streq(loc.v1.dir, w->v1_dir), "line %d: %s: v1 dir '%s', want '%s'",
	      line, name, loc.v1.dir ? loc.v1.dir : "(none)", w->v1_dir ? w->v1_dir : "(none)");
	CHECK(streq(loc.v2.dir, w->v2_dir), "line %d: %s: v2 dir '%s', want '%s'",
	      line, name, loc.v2.dir ? loc.v2.dir : "(none)", w->v2_dir ? w->v2_dir : "(none)");
	cgroup_location_release(&loc);
	strbuf_release(&err);
}

static void check_resolve_fails(int line, const char *name, const char *cg, const char *mi,
				const char *want_err)
{
	struct cgroup_location loc;
	struct strbuf err = STRBUF_INIT;

	if (cgroup_resolve(cg, mi, &loc, &err) == 0) {
		CHECK(0, "line %d: %s: cgroup_resolve succeeded (dir '%s'), want an error",
		      line, name, loc.dir);
		cgroup_location_release(&loc);
	} else {
		CHECK(strstr(strbuf_str(&err), want_err), "line %d: %s: error '%s', want '%s' in it",
		      line, name, strbuf_str(&err), want_err);
		CHECK(!loc.path && !loc.dir && !loc.v1.path && !loc.v2.path,
		      "line %d: %s: location not released on failure", line, name);
	}
	strbuf_release(&err);
}

static void test_cgroup_resolve(void)
{
	struct resolve_want w;

	w = (struct resolve_want){ 2, "/system.slice/app.service", "/sys/fs/cgroup",
		"/sys/fs/cgroup/system.slice/app.service", 0,
		NULL, "/sys/fs/cgroup/system.slice/app.service" };
	check_resolve(__LINE__, "synthetic-v2", "0::/system.slice/app.service\n",
		      synthetic_v2_mountinfo, &w);

	w = (struct resolve_want){ 2, "/", "/sys/fs/cgroup", "/sys/fs/cgroup", 0,
		NULL, "/sys/fs/cgroup" };
	check_resolve(__LINE__, "synthetic-v2-root", "0::/", synthetic_v2_mountinfo, &w);

	w = (struct resolve_want){ 1, "/docker/abc", "/sys/fs/cgroup/memory",
		"/sys/fs/cgroup/memory/docker/abc", 0,
		"/sys/fs/cgroup/memory/docker/abc", NULL };
	check_resolve(__LINE__, "synthetic-v1", synthetic_v1_cgroup, synthetic_v1_mountinfo, &w);

	w = (struct resolve_want){ 1, "/user.slice/user-0.slice", "/sys/fs/cgroup/memory",
		"/sys/fs/cgroup/memory/user.slice/user-0.slice", 1,
		"/sys/fs/cgroup/memory/user.slice/user-0.slice",
		"/sys/fs/cgroup/unified/user.slice/session-1.scope" };
	check_resolve(__LINE__, "synthetic-hybrid", synthetic_hybrid_cgroup,
		      synthetic_hybrid_mountinfo, &w);

	/* hybrid, but memory is not a v1 controller here: the unified hierarchy it is */
	w = (struct resolve_want){ 2, "/user.slice/session-1.scope", "/sys/fs/cgroup/unified",
		"/sys/fs/cgroup/unified/user.slice/session-1.scope", 1,
		NULL, "/sys/fs/cgroup/unified/user.slice/session-1.scope" };
	check_resolve(__LINE__, "synthetic-hybrid-no-v1-memory",
		      "9:name=systemd:/user.slice/session-1.scope\n1:cpu:/\n0::/user.slice/session-1.scope\n",
		      synthetic_hybrid_mountinfo, &w);

	/* container: path == root gives the mount point itself */
	w = (struct resolve_want){ 2, "/kubepods/pod1/abc", "/sys/fs/cgroup", "/sys/fs/cgroup", 0,
		NULL, "/sys/fs/cgroup" };
	check_resolve(__LINE__, "synthetic-container", "0::/kubepods/pod1/abc\n",
		      synthetic_container_mountinfo, &w);
	w = (struct resolve_want){ 2, "/kubepods/pod1/abc/worker", "/sys/fs/cgroup",
		"/sys/fs/cgroup/worker", 0, NULL, "/sys/fs/cgroup/worker" };
	check_resolve(__LINE__, "synthetic-container-child", "0::/kubepods/pod1/abc/worker\n",
		      synthetic_container_mountinfo, &w);
	w = (struct resolve_want){ 1, "/kubepods/pod1/abc", "/sys/fs/cgroup/memory",
		"/sys/fs/cgroup/memory", 0, "/sys/fs/cgroup/memory", NULL };
	check_resolve(__LINE__, "synthetic-container-v1",
		      "5:memory:/kubepods/pod1/abc\n3:cpu:/kubepods/pod1/abc\n",
		      synthetic_container_v1_mountinfo, &w);

	/* the hierarchy mounted twice: the deeper bind mount that holds the path wins */
	w = (struct resolve_want){ 2, "/a/b/c", "/mnt/b", "/mnt/b/c", 0, NULL, "/mnt/b/c" };
	check_resolve(__LINE__, "synthetic-two-mounts", "0::/a/b/c\n",
		      "1 0 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
		      "2 0 0:22 /a/b /mnt/b rw - cgroup2 cgroup2 rw\n"
		      "3 0 0:22 /x /mnt/x rw - cgroup2 cgroup2 rw\n", &w);

	/* octal escapes in the mount point */
	w = (struct resolve_want){ 2, "/s", "/mnt/cg roups", "/mnt/cg roups/s", 0,
		NULL, "/mnt/cg roups/s" };
	check_resolve(__LINE__, "synthetic-escaped", "0::/s\n",
		      "1 0 0:22 / /mnt/cg\\040roups rw shared:1 master:2 - cgroup2 none rw\n", &w);

	/* failures */
	check_resolve_fails(__LINE__, "synthetic-outside-root", "0::/kubepods/pod2/def\n",
			    synthetic_container_mountinfo, "outside the root");
	check_resolve_fails(__LINE__, "synthetic-outside-root-prefix", "0::/kubepods/pod1/abcd\n",
			    synthetic_container_mountinfo, "outside the root");
	check_resolve_fails(__LINE__, "synthetic-outside-root-v1", "5:memory:/other\n",
			    synthetic_container_v1_mountinfo, "outside the root");
	check_resolve_fails(__LINE__, "synthetic-dotdot", "0::/../../sys.slice\n",
			    synthetic_v2_mountinfo, "outside this cgroup namespace");
	check_resolve_fails(__LINE__, "synthetic-no-memory-line", "2:cpu,cpuacct:/docker/abc\n",
			    synthetic_v1_mountinfo, "no memory controller line");
	check_resolve_fails(__LINE__, "synthetic-memory-not-mounted", "4:memory:/docker/abc\n",
			    synthetic_v2_mountinfo, "not mounted");
	check_resolve_fails(__LINE__, "synthetic-v2-not-mounted", "0::/a\n",
			    synthetic_v1_mountinfo, "not mounted");
	check_resolve_fails(__LINE__, "synthetic-garbage-cgroup", "hello world\n",
			    synthetic_v2_mountinfo, "malformed cgroup line 1");
	check_resolve_fails(__LINE__, "synthetic-garbage-cgroup-id", "x:memory:/a\n",
			    synthetic_v1_mountinfo, "malformed cgroup line 1");
	check_resolve_fails(__LINE__, "synthetic-garbage-cgroup-path", "0::\n",
			    synthetic_v2_mountinfo, "malformed cgroup line 1");
	check_resolve_fails(__LINE__, "synthetic-garbage-mountinfo", "0::/a\n",
			    "1 0 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\ngarbage line\n",
			    "malformed mountinfo line 2");
	check_resolve_fails(__LINE__, "synthetic-garbage-mountinfo-nosep", "0::/a\n",
			    "1 0 0:22 / /sys/fs/cgroup rw cgroup2 cgroup2 rw\n",
			    "malformed mountinfo line 1");
	check_resolve_fails(__LINE__, "synthetic-empty", "", "", "empty");
	check_resolve_fails(__LINE__, "synthetic-binary", "\x01\x02\xff:\xfe", synthetic_v2_mountinfo,
			    "malformed");
}

/* --- live, on this process --------------------------------------------------- */

static const struct artifact *expect_artifact(struct collection *c, const char *path,
					      enum artifact_status st)
{
	const struct artifact *a = collection_find(c, path);

	CHECK(a, "no artifact %s", path);
	if (!a)
		return NULL;
	CHECK(a->status == st, "%s: status %d, want %d (error: %s)",
	      path, (int)a->status, (int)st, a->error ? a->error : "none");
	return a;
}

static void test_live(void)
{
	struct collection c;
	struct strbuf err = STRBUF_INIT;
	const struct artifact *a;
	pid_t child;
	size_t i;

	collection_init(&c);
	collect_proc(&c, getpid(), 1);
	CHECK(c.nr == 2, "cheap collect_proc gave %zu artifacts, want 2", c.nr);
	collection_release(&c);

	collection_init(&c);
	collect_proc(&c, getpid(), 0);
	a = expect_artifact(&c, "proc/status", ARTIFACT_OK);
	CHECK(a && strstr(strbuf_str(&a->data), "VmRSS:"), "proc/status has no VmRSS");
	a = expect_artifact(&c, "proc/smaps_rollup", ARTIFACT_OK);
	CHECK(a && strstr(strbuf_str(&a->data), "Rss:"), "proc/smaps_rollup has no Rss");
	expect_artifact(&c, "proc/maps", ARTIFACT_OK);
	expect_artifact(&c, "proc/limits", ARTIFACT_OK);
	a = expect_artifact(&c, "proc/cmdline", ARTIFACT_OK);
	CHECK(a && strstr(strbuf_str(&a->data), "unit-collect"), "proc/cmdline lacks the program name");
	a = expect_artifact(&c, "proc/environ", ARTIFACT_OK);
	/* only allowlisted variables; meson gives us at least TRIAGE/SRCDIR/PATH */
	for (i = 0; a && i < a->data.len; i += strlen(a->data.buf + i) + 1)
		CHECK(!strncmp(a->data.buf + i, "GO", 2), "proc/environ kept '%s'", a->data.buf + i);
	CHECK(collection_find(&c, "proc/io"), "no proc/io artifact");
	for (i = 0; i < c.nr; i++)
		CHECK(!strcmp(c.arts[i].source, "proc"), "%s: source '%s'", c.arts[i].path,
		      c.arts[i].source);
	collection_release(&c);

	/* the prefix is prepended for samples */
	collection_init(&c);
	c.prefix = "samples/001/";
	collect_proc(&c, getpid(), 1);
	expect_artifact(&c, "samples/001/proc/status", ARTIFACT_OK);
	collection_release(&c);

	collection_init(&c);
	collect_host(&c);
	a = expect_artifact(&c, "host/meminfo", ARTIFACT_OK);
	CHECK(a && strstr(strbuf_str(&a->data), "MemTotal:"), "host/meminfo has no MemTotal");
	expect_artifact(&c, "host/osrelease", ARTIFACT_OK);
	expect_artifact(&c, "host/version", ARTIFACT_OK);
	expect_artifact(&c, "host/overcommit_memory", ARTIFACT_OK);
	a = expect_artifact(&c, "host/uname.json", ARTIFACT_OK);
	CHECK(a && strstr(strbuf_str(&a->data), "\"sysname\": \"Linux\""),
	      "host/uname.json: %s", a ? strbuf_str(&a->data) : "");
	a = collection_find(&c, "host/pressure-memory");
	CHECK(a && a->status != ARTIFACT_ERROR, "host/pressure-memory missing or failed");
	collection_release(&c);

	collection_init(&c);
	collect_buildinfo(&c, getpid());
	a = expect_artifact(&c, "buildinfo/go-version-m.txt", ARTIFACT_ERROR);
	CHECK(a && a->error && strstr(a->error, "not a Go binary"),
	      "buildinfo/go-version-m.txt error: %s", a && a->error ? a->error : "none");
	a = expect_artifact(&c, "buildinfo/buildinfo.json", ARTIFACT_ERROR);
	CHECK(a && a->error && strstr(a->error, "not a Go binary"),
	      "buildinfo/buildinfo.json error: %s", a && a->error ? a->error : "none");
	collection_release(&c);

	/* a host without a cgroup mount (some containers) gives the error artifact */
	collection_init(&c);
	collect_cgroup(&c, getpid(), 0);
	a = collection_find(&c, "cgroup/info.json");
	CHECK(a, "no cgroup/info.json artifact");
	if (a && a->status == ARTIFACT_OK) {
		CHECK(strstr(strbuf_str(&a->data), "\"version\""), "cgroup/info.json: %s",
		      strbuf_str(&a->data));
		expect_artifact(&c, "cgroup/memory.stat", ARTIFACT_OK);
	} else if (a) {
		printf("note: cgroup/info.json: %s\n", a->error ? a->error : "?");
	}
	collection_release(&c);

	CHECK(pid_check(getpid(), &err) == 0, "pid_check(self): %s", strbuf_str(&err));
	CHECK(pid_check(0, &err) < 0 && strstr(strbuf_str(&err), "invalid pid"),
	      "pid_check(0): %s", strbuf_str(&err));
	child = fork();
	if (child == 0)
		_exit(0);
	CHECK(child > 0, "fork failed");
	if (child > 0) {
		char want[64];

		waitpid(child, NULL, 0);
		snprintf(want, sizeof(want), "no process with pid %ld", (long)child);
		CHECK(pid_check(child, &err) < 0 && !strcmp(strbuf_str(&err), want),
		      "pid_check(dead child %ld): '%s'", (long)child, strbuf_str(&err));

		/* the sources on a dead pid: errors, no crash */
		collection_init(&c);
		collect_proc(&c, child, 0);
		collect_cgroup(&c, child, 0);
		collect_buildinfo(&c, child);
		for (i = 0; i < c.nr; i++)
			CHECK(c.arts[i].status == ARTIFACT_ERROR && c.arts[i].error &&
			      !c.arts[i].data.len, "dead pid: %s status %d",
			      c.arts[i].path, (int)c.arts[i].status);
		collection_release(&c);
	}
	strbuf_release(&err);
}

/*
 * Bounded memory: an artifact past spill_at bytes leaves memory for a file
 * of its own, and sealing moves any artifact into the spool; its bytes
 * read back the same, the digest matches, the cap still applies.
 */
static void test_spool(void)
{
	struct collection c;
	struct artifact *big, *small;
	struct strbuf back = STRBUF_INIT, err = STRBUF_INIT;
	char dir[] = "/tmp/unit-collect-spool.XXXXXX", chunk[1000];
	size_t i;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp: cannot test the spool");
		return;
	}
	collection_init(&c);
	c.spool_dir = dir;
	c.spill_at = 4096;
	c.max_artifact_bytes = 20000;
	big = collection_add(&c, "big", "test");
	for (i = 0; i < sizeof(chunk); i++)
		chunk[i] = (char)('a' + i % 26);
	for (i = 0; i < 10; i++)
		CHECK(artifact_append(&c, big, chunk, sizeof(chunk)) == 0, "append %zu", i);
	CHECK(big->spill_fd >= 0 && !big->data.len, "10000 bytes past spill_at 4096 stay in memory");
	CHECK(artifact_size(big) == 10000, "size %llu", (unsigned long long)artifact_size(big));
	for (i = 0; i < 11; i++)
		artifact_append(&c, big, chunk, sizeof(chunk));
	CHECK(big->truncated && artifact_size(big) == 20000, "the cap holds for spilled bytes: %llu",
	      (unsigned long long)artifact_size(big));
	artifact_ok(big);
	small = collection_add(&c, "small", "test");
	big = &c.arts[0];
	artifact_append(&c, small, "hello", 5);
	artifact_ok(small);
	CHECK(collection_seal_all(&c, &err) == 0, "seal: %s", err.buf);
	CHECK(c.arts[0].spool_off == 0 && c.arts[1].spool_off == 20000 && c.spool_len == 20005,
	      "spool offsets %lld %lld", (long long)c.arts[0].spool_off, (long long)c.arts[1].spool_off);
	CHECK(c.arts[0].spill_fd < 0 && !c.arts[1].data.len, "sealed artifacts keep nothing of their own");
	CHECK(artifact_read_all(&c, &c.arts[1], &back) == 0 && !strcmp(back.buf, "hello"), "small read back");
	CHECK(artifact_read_all(&c, &c.arts[0], &back) == 0 && back.len == 20000 &&
	      !memcmp(back.buf + 1000, chunk, sizeof(chunk)), "big read back");
	/* sha256 of "hello" */
	CHECK_STR(c.arts[1].sha256, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
	collection_release(&c);
	/* the spool is unlinked: nothing is left in the directory */
	CHECK(rmdir(dir) == 0, "%s not empty after release", dir);
	strbuf_release(&back);
	strbuf_release(&err);
}

/* The counts of net/http/pprof's index page, in Go 1.19's layout and an older one. */
static void test_index_count(void)
{
	static const char go119[] =
		"<table>\n<thead><td>Count</td><td>Profile</td></thead>\n"
		"<tr><td>27</td><td><a href='allocs?debug=1'>allocs</a></td></tr>\n"
		"<tr><td>0</td><td><a href='block?debug=1'>block</a></td></tr>\n"
		"<tr><td>50012</td><td><a href='goroutine?debug=1'>goroutine</a></td></tr>\n"
		"<tr><td>27</td><td><a href='heap?debug=1'>heap</a></td></tr>\n</table>\n"
		"<a href=\"goroutine?debug=2\">full goroutine stack dump</a>\n";
	static const char old[] =
		"<table>\n<tr><td align=right>12<td><a href=\"goroutine?debug=1\">goroutine</a>\n"
		"<tr><td align=right>345<td><a href=\"heap?debug=1\">heap</a>\n</table>\n";

	CHECK_INT(pprof_index_count(go119, "goroutine"), 50012);
	CHECK_INT(pprof_index_count(go119, "heap"), 27);
	CHECK_INT(pprof_index_count(go119, "block"), 0);
	CHECK_INT(pprof_index_count(go119, "mutex"), -1);
	CHECK_INT(pprof_index_count(old, "goroutine"), 12);
	CHECK_INT(pprof_index_count(old, "heap"), 345);
	CHECK_INT(pprof_index_count("<a href='heap?debug=1'>heap</a>", "heap"), -1);
	CHECK_INT(pprof_index_count("<tr><td>99999999999999999999999</td><td><a href='heap?debug=1'>", "heap"), -1);
}

int main(void)
{
	test_spool();
	test_index_count();
	test_cmdline_redact();
	test_environ_filter();
	test_cgroup_resolve();
	test_live();
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("ok: unit-collect\n");
	return 0;
}
