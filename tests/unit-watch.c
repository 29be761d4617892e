/*
 * Unit test of triage watch's pieces that need no live cgroup: the policy
 * (thresholds with hysteresis, growth rate, minimum interval and hourly
 * cap) on made-up numbers; samples of the cgroup fixtures in
 * tests/data/watch/ (v1 captured from this machine, v2 laid out like the
 * kernel's, see its README); the v2 PSI trigger and v1 event_control lines
 * written into copies of the fixtures; bundle names, retention and the
 * event log in a temporary directory. tests/watch-e2e.sh covers the live
 * v1 cgroup.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/strbuf.h"
#include "watch/watch.h"
#include "base/strlist.h"
#include "check.h"

#define MIB (1024LL * 1024)

static const char *srcdir;

static void test_thresholds(void)
{
	struct watch_policy p;
	struct strbuf err = STRBUF_INIT;

	watch_policy_init(&p);
	CHECK_INT(watch_policy_threshold(&p, 10), -1);
	CHECK_INT(watch_policy_threshold(&p, 71), 0);
	CHECK_INT(watch_policy_threshold(&p, 72), -1);	/* once per rise */
	CHECK_INT(watch_policy_threshold(&p, 68), -1);	/* inside the hysteresis: still fired */
	CHECK_INT(watch_policy_threshold(&p, 71), -1);
	CHECK_INT(watch_policy_threshold(&p, 86), 1);
	CHECK_INT(watch_policy_threshold(&p, 96), 2);
	CHECK_INT(watch_policy_threshold(&p, 97), -1);
	CHECK_INT(watch_policy_threshold(&p, 89), -1);	/* 95 re-armed below 90 */
	CHECK_INT(watch_policy_threshold(&p, 95.5), 2);
	CHECK_INT(watch_policy_threshold(&p, 60), -1);	/* all re-armed */
	CHECK_INT(watch_policy_threshold(&p, 99), 2);	/* a jump fires once, for the highest */
	CHECK_INT(watch_policy_threshold(&p, 99.5), -1);
	CHECK_INT(watch_policy_threshold(&p, 71), -1);	/* 70 never re-armed: 71 > 65 */
	CHECK_INT(watch_policy_threshold(&p, 86), 1);	/* 85 was re-armed at 71 < 80 */
	CHECK_INT(watch_policy_threshold(&p, -1), -1);	/* no limit */

	CHECK_INT(watch_policy_set_levels(&p, "50,90", &err), 0);
	CHECK_INT(p.nr_levels, 2);
	CHECK_INT(watch_policy_threshold(&p, 91), 1);
	CHECK(watch_policy_set_levels(&p, "90,50", &err) < 0, "descending levels accepted");
	CHECK(strstr(strbuf_str(&err), "ascend") != NULL, "message: %s", strbuf_str(&err));
	CHECK(watch_policy_set_levels(&p, "70,x", &err) < 0, "'70,x' accepted");
	CHECK(watch_policy_set_levels(&p, "0", &err) < 0, "0%% accepted");
	CHECK(watch_policy_set_levels(&p, "101", &err) < 0, "101%% accepted");
	CHECK(watch_policy_set_levels(&p, "", &err) < 0, "empty list accepted");
	strbuf_release(&err);
}

static void test_growth(void)
{
	struct watch_policy p;
	double rate = 0;
	int64_t t;
	int fired = 0, first = -1;

	watch_policy_init(&p);
	p.growth_per_min = 60 * MIB;	/* 1 MiB/s */
	p.growth_window_ms = 10000;
	/* 2 MiB/s for 30 s: fires once the history spans the window, then once a window */
	for (t = 0; t <= 30000; t += 500) {
		if (watch_policy_growth(&p, t, 100 * MIB + t / 1000 * 2 * MIB, &rate)) {
			fired++;
			if (first < 0)
				first = (int)t;
		}
	}
	CHECK_INT(first, 10000);
	CHECK_INT(fired, 3);	/* at 10 s, 20 s and 30 s */
	CHECK(rate > 100 * MIB && rate < 140 * MIB, "rate %.0f, want about 120 MiB/min", rate);

	/* half the rate never fires */
	watch_policy_init(&p);
	p.growth_per_min = 60 * MIB;
	p.growth_window_ms = 10000;
	fired = 0;
	for (t = 0; t <= 60000; t += 1000)
		fired += watch_policy_growth(&p, t, 100 * MIB + t / 2000 * MIB, &rate);
	CHECK_INT(fired, 0);

	/* off by default */
	watch_policy_init(&p);
	CHECK_INT(watch_policy_growth(&p, 0, 0, &rate), 0);
	CHECK_INT(watch_policy_growth(&p, 100000, 1000 * MIB, &rate), 0);
}

static void test_admit(void)
{
	struct watch_policy p;
	const char *why = NULL;

	watch_policy_init(&p);
	p.min_interval_ms = 60000;
	p.max_per_hour = 3;
	CHECK_INT(watch_policy_admit(&p, 0, 70, &why), 1);
	watch_policy_started(&p, 0, 70);
	/* a climb is let through the minimum interval */
	CHECK_INT(watch_policy_admit(&p, 1000, 85, &why), 1);
	watch_policy_started(&p, 1000, 85);
	/* the same level again, or another trigger, waits */
	CHECK_INT(watch_policy_admit(&p, 2000, 85, &why), 0);
	CHECK(why && strstr(why, "minimum interval"), "why: %s", why ? why : "(null)");
	CHECK_INT(watch_policy_admit(&p, 2000, -1, &why), 0);
	CHECK_INT(watch_policy_admit(&p, 61000, -1, &why), 1);
	watch_policy_started(&p, 61000, -1);
	/* three in the hour: the cap, even for a climb */
	CHECK_INT(watch_policy_admit(&p, 62000, 95, &why), 0);
	CHECK(why && strstr(why, "per hour"), "why: %s", why ? why : "(null)");
	/* an hour after the first, one slot is free again */
	CHECK_INT(watch_policy_admit(&p, 3600 * 1000 + 1, 95, &why), 1);
}

static void test_v1_thresholds(void)
{
	double levels[] = { 70, 85, 95 };
	int64_t th[64];
	size_t n, i;
	int has70 = 0, has65 = 0;

	n = watch_v1_thresholds(levels, 3, 5, 100 * MIB, th, 64);
	CHECK_INT(n, 19);	/* every 5% from 5 to 95; the levels and re-arm points are among them */
	for (i = 0; i < n; i++) {
		if (i)
			CHECK(th[i] > th[i - 1], "thresholds not ascending at %zu", i);
		has70 |= th[i] == 70 * MIB;
		has65 |= th[i] == 65 * MIB;
	}
	CHECK(has70 && has65, "70%% or its re-arm point missing");
	levels[1] = 87.5;
	n = watch_v1_thresholds(levels, 3, 5, 100 * MIB, th, 64);
	CHECK_INT(n, 21);	/* 87.5 and 82.5 are new */
	CHECK_INT(watch_v1_thresholds(levels, 3, 5, 0, th, 64), 0);	/* no limit */
}

static void fixture(struct strbuf *sb, const char *name)
{
	strbuf_reset(sb);
	strbuf_addf(sb, "%s/tests/data/watch/%s", srcdir, name);
}

static void test_samples(void)
{
	struct strbuf dir = STRBUF_INIT, err = STRBUF_INIT;
	struct watch_cgroup cg;
	struct watch_sample s;

	fixture(&dir, "fixture-v2-limited");
	CHECK_INT(watch_cgroup_at(&cg, dir.buf, &err), 0);
	CHECK_INT(cg.version, 2);
	CHECK_INT(watch_cgroup_sample(&cg, &s, &err), 0);
	CHECK_INT(s.usage, 320 * MIB);
	CHECK_INT(s.limit, 384 * MIB);
	CHECK_INT(s.working_set, 304 * MIB);	/* minus 16 MiB inactive_file */
	CHECK_INT(s.oom_kill, 1);
	CHECK_INT(s.oom, 1);
	CHECK_INT(s.max_events, 12);
	CHECK(s.pct > 79.1 && s.pct < 79.2, "pct %.3f, want 79.17", s.pct);
	watch_cgroup_release(&cg);

	fixture(&dir, "fixture-v2-unlimited");
	CHECK_INT(watch_cgroup_at(&cg, dir.buf, &err), 0);
	CHECK_INT(watch_cgroup_sample(&cg, &s, &err), 0);
	CHECK_INT(s.limit, 0);
	CHECK(s.pct < 0, "pct %.1f without a limit", s.pct);
	CHECK_INT(s.oom_kill, 0);
	watch_cgroup_release(&cg);

	fixture(&dir, "fixture-v1-limited");
	CHECK_INT(watch_cgroup_at(&cg, dir.buf, &err), 0);
	CHECK_INT(cg.version, 1);
	CHECK_INT(watch_cgroup_sample(&cg, &s, &err), 0);
	CHECK_INT(s.limit, 384 * MIB);
	CHECK_INT(s.usage, 7340032);
	CHECK_INT(s.oom_kill, 0);
	CHECK_INT(s.oom, 0);
	CHECK(s.pct > 0 && s.pct < 2, "pct %.2f", s.pct);
	watch_cgroup_release(&cg);

	/* the hierarchy's root: "unlimited" as the kernel prints it */
	fixture(&dir, "fixture-v1-unlimited");
	CHECK_INT(watch_cgroup_at(&cg, dir.buf, &err), 0);
	CHECK_INT(watch_cgroup_sample(&cg, &s, &err), 0);
	CHECK_INT(s.limit, 0);
	CHECK(s.usage > 0, "usage %lld", (long long)s.usage);
	watch_cgroup_release(&cg);

	CHECK(watch_cgroup_at(&cg, "/nonexistent-dir", &err) < 0, "a missing directory accepted");
	CHECK(watch_cgroup_at(&cg, srcdir, &err) < 0, "a directory without memory files accepted");
	CHECK(strstr(strbuf_str(&err), "not a memory cgroup") != NULL, "message: %s", strbuf_str(&err));
	strbuf_release(&dir);
	strbuf_release(&err);
}

/* Copies a fixture into tmp, so notify setup can write into it. */
static void copy_fixture(const char *name, const char *tmp)
{
	struct strbuf cmd = STRBUF_INIT;

	strbuf_addf(&cmd, "cp -r '%s/tests/data/watch/%s/.' '%s'", srcdir, name, tmp);
	CHECK_INT(system(cmd.buf), 0);
	strbuf_release(&cmd);
}

static void test_notify(const char *tmpdir)
{
	struct strbuf dir = STRBUF_INIT, err = STRBUF_INIT, text = STRBUF_INIT;
	struct watch_cgroup cg;
	struct watch_notify n;
	double levels[] = { 70, 85, 95 };
	int fd;

	strbuf_addf(&text, "%s", "");
	watch_psi_trigger(&text, 150000);
	CHECK_STR(text.buf, "some 150000 1000000");

	/* v2: the PSI trigger goes to memory.pressure in one write, NUL included */
	strbuf_addf(&dir, "%s/v2", tmpdir);
	mkdir(dir.buf, 0700);
	copy_fixture("fixture-v2-limited", dir.buf);
	CHECK_INT(watch_cgroup_at(&cg, dir.buf, &err), 0);
	watch_notify_init(&n);
	watch_notify_setup(&n, &cg, levels, 3, 5, 384 * MIB, 150000);
	CHECK(n.fd[NOTIFY_PRESSURE] >= 0, "no PSI fd: %s", n.mode.buf);
	CHECK(n.fd[NOTIFY_EVENTS] >= 0, "no memory.events fd: %s", n.mode.buf);
	CHECK(n.fd[NOTIFY_USAGE] < 0, "v2 has no usage thresholds");
	CHECK(strstr(n.mode.buf, "PSI trigger 'some 150000 1000000'") && strstr(n.mode.buf, "usage polled"),
	      "mode: %s", n.mode.buf);
	strbuf_reset(&text);
	strbuf_addf(&text, "%s/memory.pressure", dir.buf);
	fd = open(text.buf, O_RDONLY);
	if (fd >= 0) {
		char buf[64] = { 0 };
		ssize_t r = read(fd, buf, sizeof(buf) - 1);

		CHECK(r >= 20 && !memcmp(buf, "some 150000 1000000\0", 20), "memory.pressure got %zd bytes '%s'", r, buf);
		close(fd);
	}
	watch_notify_release(&n);
	watch_cgroup_release(&cg);

	/* v1: the event_control lines, "EFD CFD THRESHOLD", "EFD CFD" and "EFD CFD critical" */
	strbuf_reset(&dir);
	strbuf_addf(&dir, "%s/v1", tmpdir);
	mkdir(dir.buf, 0700);
	copy_fixture("fixture-v1-limited", dir.buf);
	strbuf_reset(&text);
	strbuf_addf(&text, "touch '%s/cgroup.event_control' '%s/memory.pressure_level'", dir.buf, dir.buf);
	CHECK_INT(system(text.buf), 0);
	CHECK_INT(watch_cgroup_at(&cg, dir.buf, &err), 0);
	watch_notify_init(&n);
	watch_notify_setup(&n, &cg, levels, 3, 5, 384 * MIB, 150000);
	CHECK(n.fd[NOTIFY_USAGE] >= 0 && n.fd[NOTIFY_OOM] >= 0 && n.fd[NOTIFY_PRESSURE] >= 0,
	      "v1 fds missing: %s", n.mode.buf);
	CHECK(strstr(n.mode.buf, "19 usage thresholds, oom, vmpressure critical") != NULL, "mode: %s", n.mode.buf);
	strbuf_reset(&text);
	strbuf_addf(&text, "%s/cgroup.event_control", dir.buf);
	{
		struct strbuf ctl = STRBUF_INIT;
		char want[64];

		CHECK_INT(strbuf_read_file(&ctl, text.buf, 65536), 0);
		/* the first line is 5% of 384 MiB */
		snprintf(want, sizeof(want), "%d ", n.fd[NOTIFY_USAGE]);
		CHECK(!strncmp(ctl.buf ? ctl.buf : "", want, strlen(want)), "event_control starts '%.40s'", strbuf_str(&ctl));
		CHECK(strstr(strbuf_str(&ctl), " 20132659") != NULL, "no 5%% threshold in '%.60s'", strbuf_str(&ctl));
		CHECK(strstr(strbuf_str(&ctl), " critical") != NULL, "no vmpressure registration");
		strbuf_release(&ctl);
	}
	watch_notify_release(&n);
	/* no cgroup.event_control: polled, and said so */
	unlink(text.buf);
	watch_notify_init(&n);
	watch_notify_setup(&n, &cg, levels, 3, 5, 384 * MIB, 150000);
	CHECK(n.fd[NOTIFY_USAGE] < 0 && strstr(n.mode.buf, "usage polled"), "mode: %s", n.mode.buf);
	watch_notify_release(&n);
	watch_cgroup_release(&cg);

	strbuf_release(&dir);
	strbuf_release(&err);
	strbuf_release(&text);
}

static void write_file(const char *path, size_t bytes, time_t mtime)
{
	FILE *f = fopen(path, "w");
	struct timespec ts[2];
	size_t i;

	CHECK(f != NULL, "cannot create %s", path);
	if (!f)
		return;
	for (i = 0; i < bytes; i++)
		fputc('x', f);
	fclose(f);
	ts[0].tv_sec = ts[1].tv_sec = mtime;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	utimensat(AT_FDCWD, path, ts, 0);
}

static int deleted_count;

static void on_deleted(const char *path, uint64_t bytes, void *data)
{
	(void)data;
	deleted_count++;
	CHECK(strstr(path, "a-1-") != NULL, "deleted %s, want the oldest", path);
	CHECK_INT(bytes, 100);
}

static void test_store(const char *tmpdir)
{
	struct strbuf name = STRBUF_INIT, dir = STRBUF_INIT, err = STRBUF_INIT, path = STRBUF_INIT;
	struct watch_bundle_list l;
	struct watch_log lg;

	/* 2026-12-02T01:02:03.045Z */
	watch_bundle_name(&name, "/d", "/usr/bin/my svc", 42, 1796173323045LL, "threshold85");
	CHECK_STR(name.buf, "/d/my_svc-42-20261202T010203.045Z-threshold85.tgz");

	strbuf_addf(&dir, "%s/store", tmpdir);
	mkdir(dir.buf, 0700);
	strbuf_addf(&path, "%s/a-1-x.tgz", dir.buf);
	write_file(path.buf, 100, 1000);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/b-2-x.tgz", dir.buf);
	write_file(path.buf, 100, 2000);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/c-3-x.tgz", dir.buf);
	write_file(path.buf, 100, 3000);
	/* a collection being written, and a bundle killed mid-write */
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/.d-4-x.tgz.Ab12Cd", dir.buf);
	write_file(path.buf, 100, 4000);

	watch_bundle_list_init(&l);
	CHECK_INT(watch_list_bundles(dir.buf, &l, &err), 0);
	CHECK_INT(l.nr, 3);
	if (l.nr == 3) {
		CHECK(strstr(l.items[0].path, "a-1-") && strstr(l.items[2].path, "c-3-"), "order %s .. %s",
		      l.items[0].path, l.items[2].path);
	}
	watch_bundle_list_release(&l);

	CHECK_INT(watch_retain(dir.buf, 250, on_deleted, NULL, &err), 0);
	CHECK_INT(deleted_count, 1);
	/* over budget with one bundle left: the newest stays */
	deleted_count = 0;
	CHECK_INT(watch_retain(dir.buf, 1, NULL, NULL, &err), 0);
	watch_bundle_list_init(&l);
	watch_list_bundles(dir.buf, &l, &err);
	CHECK_INT(l.nr, 1);
	if (l.nr == 1)
		CHECK(strstr(l.items[0].path, "c-3-") != NULL, "kept %s", l.items[0].path);
	watch_bundle_list_release(&l);

	strbuf_reset(&name);
	strbuf_addf(&name, "%s/d-4-x.tgz", dir.buf);
	watch_remove_temporaries(name.buf);
	CHECK(access(path.buf, F_OK) < 0, "temporary file %s left", path.buf);

	/* the event log: whole lines, time and event first */
	CHECK_INT(watch_is_dir(dir.buf), 0);
	lg.quiet = 1;
	CHECK_INT(watch_log_open(&lg, dir.buf, &err), 0);
	{
		struct json_object *o = json_object_new_object();
		struct strbuf text = STRBUF_INIT;

		json_object_object_add(o, "pid", json_object_new_int(7));
		watch_log_event(&lg, "kill", o);
		watch_log_close(&lg);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/events.jsonl", dir.buf);
		CHECK_INT(strbuf_read_file(&text, path.buf, 65536), 0);
		CHECK(!strncmp(strbuf_str(&text), "{\"time\":\"20", 11) &&
		      strstr(strbuf_str(&text), "\"event\":\"kill\",\"pid\":7}\n"), "log: %s", strbuf_str(&text));
		strbuf_release(&text);
	}
	CHECK_INT(watch_is_dir(dir.buf), 1);

	strbuf_release(&name);
	strbuf_release(&dir);
	strbuf_release(&err);
	strbuf_release(&path);
}

static void test_pick(const char *tmpdir)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT, newest = STRBUF_INIT, base = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT, text = STRBUF_INIT;
	struct strlist between = STRLIST_INIT;
	FILE *f, *out;

	strbuf_addf(&dir, "%s/pick", tmpdir);
	mkdir(dir.buf, 0700);
	CHECK(watch_dir_pick(dir.buf, &newest, &base, NULL, NULL, &err) < 0, "an empty directory picked");
	strbuf_addf(&path, "%s/my-svc-1-20261202T010000.000Z-threshold70.tgz", dir.buf);
	write_file(path.buf, 10, 1000);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/my-svc-2-20261202T010100.000Z-threshold70.tgz", dir.buf);
	write_file(path.buf, 10, 2000);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/my-svc-2-20261202T010103.000Z-threshold85.tgz", dir.buf);
	write_file(path.buf, 10, 2500);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/my-svc-2-20261202T010105.000Z-threshold95.tgz", dir.buf);
	write_file(path.buf, 10, 3000);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/events.jsonl", dir.buf);
	f = fopen(path.buf, "w");
	if (f) {
		/* written by watch with another spelling of the directory */
		fputs("{\"time\":\"t\",\"event\":\"bundle\",\"trigger\":\"threshold95\",\"status\":\"ok\","
		      "\"path\":\"/elsewhere/my-svc-2-20261202T010105.000Z-threshold95.tgz\",\"sample\":{\"pct\":95.04}}\n"
		      "not json\n"
		      "{\"time\":\"2026-12-02T01:01:06.000Z\",\"event\":\"kill\",\"cause\":\"oom-kill\",\"pid\":2,"
		      "\"last_bundle\":{\"path\":\"/elsewhere/my-svc-2-20261202T010105.000Z-threshold95.tgz\",\"seconds_before_kill\":1.04}}\n", f);
		fclose(f);
	}
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/listing.txt", tmpdir);
	out = fopen(path.buf, "w");
	CHECK_INT(watch_dir_pick(dir.buf, &newest, &base, &between, out, &err), 0);
	if (out)
		fclose(out);
	CHECK(str_ends_with(newest.buf, "/my-svc-2-20261202T010105.000Z-threshold95.tgz"), "newest %s", newest.buf);
	/* the first of the same process, not of the one before the restart */
	CHECK(str_ends_with(strbuf_str(&base), "/my-svc-2-20261202T010100.000Z-threshold70.tgz"), "base %s", strbuf_str(&base));
	/* and the ones of that process in between join the series */
	CHECK(between.nr == 1 && str_ends_with(between.items[0], "/my-svc-2-20261202T010103.000Z-threshold85.tgz"),
	      "between: %zu", between.nr);
	CHECK_INT(strbuf_read_file(&text, path.buf, 65536), 0);
	CHECK(strstr(strbuf_str(&text), "4 bundles, oldest first") != NULL, "listing: %s", strbuf_str(&text));
	CHECK(strstr(strbuf_str(&text), "threshold95.tgz  10 B  threshold95 at 95.0% of the limit\n") != NULL,
	      "listing: %s", strbuf_str(&text));
	CHECK(strstr(strbuf_str(&text), "kill: oom-kill of pid 2 at 2026-12-02T01:01:06.000Z, 1.0 s after my-svc-2-") != NULL,
	      "listing: %s", strbuf_str(&text));
	strbuf_release(&dir);
	strbuf_release(&path);
	strbuf_release(&newest);
	strbuf_release(&base);
	strbuf_release(&err);
	strbuf_release(&text);
	strlist_release(&between);
}

static void test_kmsg(void)
{
	struct watch_victim v;

	/* as Linux 6.18 logs it (dmesg on the test machine) */
	CHECK_INT(watch_kmsg_parse("Memory cgroup out of memory: Killed process 32724 (grow-oom) "
				   "total-vm:1123644kB, anon-rss:392064kB, file-rss:4700kB, shmem-rss:0kB, "
				   "UID:0 pgtables:908kB oom_score_adj:0\n", &v), 0);
	CHECK_INT(v.pid, 32724);
	CHECK_STR(v.comm, "grow-oom");
	CHECK_INT(v.anon_rss_kb, 392064);
	CHECK(watch_kmsg_parse("oom-kill:constraint=CONSTRAINT_MEMCG,task=grow-oom,pid=2868,uid=0", &v) < 0,
	      "the oom-kill: line is not the victim line");
	CHECK(watch_kmsg_parse("Killed process x (y)", &v) < 0, "no pid accepted");
	CHECK(watch_kmsg_parse("Killed process 12 (unterminated", &v) < 0, "no ')' accepted");
	CHECK_INT(watch_kmsg_victim(-1, "/sys/fs/cgroup/memory/x", 1, &v), -1);
}

int main(void)
{
	char tmpl[] = "/tmp/triage-unit-watch.XXXXXX";
	char *tmp;
	struct strbuf cmd = STRBUF_INIT;

	srcdir = getenv("SRCDIR");
	if (!srcdir) {
		fprintf(stderr, "SRCDIR is not set\n");
		return 2;
	}
	tmp = mkdtemp(tmpl);
	if (!tmp) {
		perror("mkdtemp");
		return 2;
	}
	test_thresholds();
	test_growth();
	test_admit();
	test_v1_thresholds();
	test_samples();
	test_notify(tmp);
	test_store(tmp);
	test_pick(tmp);
	test_kmsg();
	strbuf_addf(&cmd, "rm -rf '%s'", tmp);
	if (system(cmd.buf) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
	strbuf_release(&cmd);
	if (failures)
		fprintf(stderr, "%d checks failed\n", failures);
	return failures ? 1 : 0;
}
