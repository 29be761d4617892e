/*
 * The fleet summary (fleet.h): list the bundles, analyze each in a forked
 * worker that writes a small JSON summary of it to a file, then group the
 * summaries by finding (rule and cause), and by module@version, Go
 * version, kernel and build ID, with the worst pods of each group.
 *
 * Workers are processes, not threads: the analysis runs Lua and decodes
 * hostile input, and a process that dies takes only its bundle with it.
 * A new worker per bundle keeps the load balanced when bundles differ in
 * size by orders of magnitude; fork is cheap next to an analysis.
 */
#include "analyze/fleet.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/io.h"
#include "base/json.h"
#include "base/quantity.h"
#include "base/strlist.h"
#include "bundle/bundle.h"
#include "bundle/vocab.h"
#include "collect/s3.h"
#include "report/report.h"

#define FLEET_SCHEMA "triage.fleet/1"
/* how many of the worst pods each group lists */
#define FLEET_WORST 3
/* a worker's summary is small; this only stops a runaway */
#define FLEET_MAX_SUMMARY ((size_t)16 << 20)

/* ---- the source: a directory or a bucket prefix ---- */

static int has_bundle_suffix(const char *name)
{
	size_t n = strlen(name);

	return (n > 4 && !strcmp(name + n - 4, ".tgz")) || (n > 7 && !strcmp(name + n - 7, ".tar.gz"));
}

static int list_dir(const char *dir, struct strlist *out, struct strbuf *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = strlen(dir);

	if (!d)
		return error_set(err, "cannot read fleet directory '%s': %s", dir, strerror(errno));
	while (n > 1 && dir[n - 1] == '/')
		n--;
	while ((e = readdir(d)) != NULL) {
		struct strbuf path = STRBUF_INIT;

		if (e->d_name[0] == '.' || !has_bundle_suffix(e->d_name))
			continue;
		strbuf_add(&path, dir, n);
		strbuf_addf(&path, "/%s", e->d_name);
		strlist_add(out, path.buf);
		strbuf_release(&path);
	}
	closedir(d);
	strlist_sort(out);
	return 0;
}

/* ---- one bundle, in a worker ---- */

/*
 * "823 HTTP connections ... 8.03 MiB (15%)" -> "N HTTP connections ... N MiB (N%)":
 * the same cause across pods. Only words that are numbers change, so
 * versions (v3.3.10), kernels and names with digits (s3fetch) stay apart.
 */
static char *cause_of(const char *title)
{
	struct strbuf sb = STRBUF_INIT;
	const char *s = title ? title : "";

	while (*s) {
		size_t w = strcspn(s, " "), lead = 0, trail = 0, i;
		int number = 0;

		while (lead < w && strchr("([", s[lead]))
			lead++;
		while (trail < w - lead && strchr(",:;)]%", s[w - 1 - trail]))
			trail++;
		for (i = lead; i < w - trail; i++) {
			if (isdigit((unsigned char)s[i]))
				number = 1;
			else if (s[i] != '.' && s[i] != ',')
				break;
		}
		if (number && i == w - trail) {
			strbuf_add(&sb, s, lead);
			strbuf_addch(&sb, 'N');
			strbuf_add(&sb, s + w - trail, trail);
		} else {
			strbuf_add(&sb, s, w);
		}
		s += w;
		while (*s == ' ')
			strbuf_addch(&sb, *s++);
	}
	return strbuf_detach(&sb, NULL);
}

/* module@version, Go version and build ID from the manifest and build info */
static void add_build(json_object *sum, const char *bundle_path)
{
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT, mod = STRBUF_INIT;
	json_object *m = NULL, *bi = NULL, *target, *main_mod, *settings;
	const char *path = NULL, *version = NULL, *go = NULL, *build_id = NULL;

	if (bundle_read_entry(bundle_path, ART_MANIFEST, &text, FLEET_MAX_SUMMARY, &err) == 0)
		m = json_tokener_parse(strbuf_str(&text));
	strbuf_reset(&text);
	if (bundle_read_entry(bundle_path, ART_BUILDINFO_JSON, &text, FLEET_MAX_SUMMARY, &err) == 0)
		bi = json_tokener_parse(strbuf_str(&text));
	target = m ? json_get_obj(m, MF_TARGET) : NULL;
	main_mod = bi ? json_get_obj(bi, "main") : NULL;
	settings = bi ? json_get_obj(bi, "settings") : NULL;
	path = main_mod ? json_get_str(main_mod, "path", NULL) : NULL;
	if (!path && target)
		path = json_get_str(target, MF_TARGET_MAIN_MODULE, NULL);
	version = main_mod ? json_get_str(main_mod, "version", NULL) : NULL;
	go = bi ? json_get_str(bi, "go_version", NULL) : NULL;
	if (!go && target)
		go = json_get_str(target, MF_TARGET_GO_VERSION, NULL);
	/* the binary's build ID when the collector recorded one, else the VCS revision */
	if (target)
		build_id = json_get_str(target, MF_TARGET_BUILD_ID, NULL);
	if (!build_id && settings)
		build_id = json_get_str(settings, "vcs.revision", NULL);
	strbuf_addf(&mod, "%s@%s", path ? path : "unknown", version ? version : "unknown");
	json_object_object_add(sum, "module", json_object_new_string(mod.buf));
	json_object_object_add(sum, "go_version", json_object_new_string(go ? go : "unknown"));
	json_object_object_add(sum, "build_id", json_object_new_string(build_id ? build_id : "unknown"));
	if (m) {
		json_object *host = json_get_obj(m, MF_HOST);

		json_object_object_add(sum, "host", json_object_new_string(
			host ? json_get_str(host, MF_HOST_HOSTNAME, "unknown") : "unknown"));
		json_object_object_add(sum, "kernel", json_object_new_string(
			host ? json_get_str(host, MF_HOST_KERNEL, "unknown") : "unknown"));
		if (target && json_get_obj(target, MF_TARGET_POD))
			json_object_object_add(sum, "pod", json_object_get(json_get_obj(target, MF_TARGET_POD)));
		json_object_object_add(sum, "pid", json_object_new_int64(target ? json_get_int(target, MF_TARGET_PID, 0) : 0));
	}
	if (m)
		json_object_put(m);
	if (bi)
		json_object_put(bi);
	strbuf_release(&text);
	strbuf_release(&err);
	strbuf_release(&mod);
}

static json_object *summarize(const char *name, const char *path, const struct analyze_options *ao)
{
	json_object *sum = json_object_new_object(), *findings;
	struct strbuf err = STRBUF_INIT;
	struct report r;
	double worst = 0;
	int max_sev = -1;
	size_t i;

	report_init(&r);
	json_object_object_add(sum, "bundle", json_object_new_string(name));
	if (analyze_bundle(path, ao, &r, &err) < 0) {
		json_object_object_add(sum, "error", json_object_new_string(strbuf_str(&err)));
		goto out;
	}
	add_build(sum, path);
	json_object_object_add(sum, "headline_bytes", json_object_new_int64(r.headline_bytes));
	findings = json_object_new_array();
	for (i = 0; i < r.nr_findings; i++) {
		const struct finding *f = &r.findings[i];
		json_object *o = json_object_new_object();
		char *cause = cause_of(f->title);

		json_object_object_add(o, "rule", json_new_str_or_null(f->rule));
		json_object_object_add(o, "rung", json_object_new_string(rung_name(f->rung)));
		json_object_object_add(o, "severity", json_object_new_string(severity_name(f->severity)));
		json_object_object_add(o, "title", json_new_str_or_null(f->title));
		json_object_object_add(o, "cause", json_object_new_string(cause));
		json_object_object_add(o, "score", json_object_new_double(f->score));
		json_object_object_add(o, "bytes", json_object_new_int64(f->bytes));
		json_object_array_add(findings, o);
		if (f->score > worst)
			worst = f->score;
		if ((int)f->severity > max_sev)
			max_sev = (int)f->severity;
		free(cause);
	}
	json_object_object_add(sum, "findings", findings);
	json_object_object_add(sum, "worst_score", json_object_new_double(worst));
	json_object_object_add(sum, "max_severity", max_sev >= 0 ?
			       json_object_new_string(severity_name((enum severity)max_sev)) : NULL);
out:
	report_release(&r);
	strbuf_release(&err);
	return sum;
}

struct fleet_run_state {
	const struct fleet_options *o;
	struct strlist names;		/* what the summary calls each bundle */
	char *bucket, *prefix;		/* for s3:// */
	struct s3_client s3;
	char *tmpdir;
};

static void result_path(const struct fleet_run_state *st, size_t i, const char *ext, struct strbuf *sb)
{
	strbuf_reset(sb);
	strbuf_addf(sb, "%s/%zu.%s", st->tmpdir, i, ext);
}

/* The worker: fetch when remote, analyze, write the summary, exit. */
static void worker(const struct fleet_run_state *st, size_t i)
{
	struct strbuf path = STRBUF_INIT, out = STRBUF_INIT, tmp = STRBUF_INIT, err = STRBUF_INIT;
	const char *name = st->names.items[i], *local = name;
	int64_t start = clock_real_ms();
	json_object *sum;
	const char *text;
	int fd;

	if (st->bucket) {
		result_path(st, i, "tgz", &path);
		if (s3_get_file(&st->s3, st->bucket, name + 5 + strlen(st->bucket) + 1, path.buf, &err) < 0) {
			sum = json_object_new_object();
			json_object_object_add(sum, "bundle", json_object_new_string(name));
			json_object_object_add(sum, "error", json_object_new_string(err.buf));
			goto write;
		}
		local = path.buf;
	}
	sum = summarize(name, local, st->o->analyze);
write:
	/* when and where, so a reader (and tests/fleet.sh) can see the workers overlap */
	json_object_object_add(sum, "worker_pid", json_object_new_int((int)getpid()));
	json_object_object_add(sum, "start_ms", json_object_new_int64(start));
	json_object_object_add(sum, "end_ms", json_object_new_int64(clock_real_ms()));
	if (st->bucket)
		unlink(path.buf);
	result_path(st, i, "json", &out);
	strbuf_addf(&tmp, "%s.tmp", out.buf);
	text = json_object_to_json_string_ext(sum, JSON_C_TO_STRING_PLAIN);
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0 && write_all(fd, text, strlen(text)) == 0 && close(fd) == 0)
		rename(tmp.buf, out.buf);
	_exit(0);
}

/* Runs the workers, at most jobs at a time; results land in tmpdir/<i>.json. */
static void run_workers(const struct fleet_run_state *st, int jobs, json_object *status)
{
	pid_t *pids = xcalloc((size_t)jobs, sizeof(*pids));
	size_t *slot_idx = xcalloc((size_t)jobs, sizeof(*slot_idx));
	size_t next = 0, done = 0, n = st->names.nr;
	int running = 0, k;

	while (done < n) {
		while (running < jobs && next < n) {
			pid_t pid;

			for (k = 0; k < jobs && pids[k]; k++)
				;
			fflush(NULL);
			pid = fork();
			if (pid < 0) {
				if (!running) {
					/* no process to be had at all: analyze here, one by one */
					json_object_array_put_idx(status, next, json_object_new_string(strerror(errno)));
					next++;
					done++;
				}
				break;
			}
			if (pid == 0)
				worker(st, next);
			pids[k] = pid;
			slot_idx[k] = next++;
			running++;
		}
		if (running) {
			int ws;
			pid_t pid = waitpid(-1, &ws, 0);

			if (pid < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			for (k = 0; k < jobs && pids[k] != pid; k++)
				;
			if (k == jobs)
				continue;	/* not ours (a rule watchdog's child is reaped by its parent) */
			if (WIFSIGNALED(ws)) {
				struct strbuf why = STRBUF_INIT;

				strbuf_addf(&why, "the worker was killed by signal %d (%s)", WTERMSIG(ws),
					    strsignal(WTERMSIG(ws)));
				json_object_array_put_idx(status, slot_idx[k], json_object_new_string(why.buf));
				strbuf_release(&why);
			}
			pids[k] = 0;
			running--;
			done++;
			if (st->o->progress)
				fprintf(stderr, "\rtriage analyze --fleet: %zu/%zu bundles", done, n);
		}
	}
	if (st->o->progress)
		fputc('\n', stderr);
	free(pids);
	free(slot_idx);
}

/* ---- the summary ---- */

static void set_add(json_object *set, const char *key)
{
	if (!json_object_object_get_ex(set, key, NULL))
		json_object_object_add(set, key, NULL);
}

/* What counts as one pod: its UID, or without one the process on its host. */
static void pod_key(json_object *sum, struct strbuf *sb)
{
	json_object *pod = json_get_obj(sum, "pod");

	strbuf_reset(sb);
	if (pod)
		strbuf_addf(sb, "pod %s", json_get_str(pod, MF_POD_UID, "?"));
	else
		strbuf_addf(sb, "pid %" PRId64 " on %s", json_get_int(sum, "pid", 0), json_get_str(sum, "host", "?"));
}

static double score_of(json_object *o)
{
	json_object *v;

	return json_object_object_get_ex(o, "score", &v) || json_object_object_get_ex(o, "worst_score", &v)
		? json_object_get_double(v) : 0;
}

static int by_score_desc(const void *a, const void *b)
{
	json_object *p = *(json_object *const *)a, *q = *(json_object *const *)b;
	double x = score_of(p), y = score_of(q);

	/* ties by name, so the same fleet always prints the same worst pods */
	if (x != y)
		return x > y ? -1 : 1;
	return strcmp(json_get_str(p, "bundle", ""), json_get_str(q, "bundle", ""));
}

/* Keeps the FLEET_WORST entries of arr with the highest score, best first. */
static void worst_add(json_object *arr, json_object *entry)
{
	size_t n;

	json_object_array_add(arr, entry);
	json_object_array_sort(arr, by_score_desc);
	n = json_object_array_length(arr);
	if (n > FLEET_WORST)
		json_object_array_del_idx(arr, FLEET_WORST, n - FLEET_WORST);
}

/* {"bundle", "pod", "host", "score", "headline_bytes"}: one line of a "worst" list */
static json_object *worst_entry(json_object *sum, double score)
{
	json_object *w = json_object_new_object();
	struct strbuf key = STRBUF_INIT;

	json_object_object_add(w, "bundle", json_object_new_string(json_get_str(sum, "bundle", "?")));
	pod_key(sum, &key);
	json_object_object_add(w, "pod", json_object_new_string(key.buf));
	strbuf_release(&key);
	json_object_object_add(w, "host", json_object_new_string(json_get_str(sum, "host", "?")));
	json_object_object_add(w, "score", json_object_new_double(score));
	json_object_object_add(w, "headline_bytes", json_object_new_int64(json_get_int(sum, "headline_bytes", 0)));
	return w;
}

static int by_pods_then_score(const void *a, const void *b)
{
	json_object *x = *(json_object *const *)a, *y = *(json_object *const *)b;
	int64_t px = json_get_int(x, "pods", 0), py = json_get_int(y, "pods", 0);
	double sx = json_object_get_double(json_object_object_get(x, "max_score"));
	double sy = json_object_get_double(json_object_object_get(y, "max_score"));

	if (px != py)
		return px > py ? -1 : 1;
	if (sx != sy)
		return sx > sy ? -1 : 1;
	return strcmp(json_get_str(x, "key", ""), json_get_str(y, "key", ""));
}

/* Turns {key: group} with "pods_set"/"hosts_set" into a sorted array with counts. */
static json_object *finish_groups(json_object *map)
{
	json_object *arr = json_object_new_array();

	json_object_object_foreach(map, key, g) {
		json_object *pods = json_object_object_get(g, "pods_set");
		json_object *hosts = json_object_object_get(g, "hosts_set");

		json_object_object_add(g, "key", json_object_new_string(key));
		json_object_object_add(g, "pods", json_object_new_int(json_object_object_length(pods)));
		json_object_object_add(g, "hosts", json_object_new_int(json_object_object_length(hosts)));
		json_object_object_del(g, "pods_set");
		json_object_object_del(g, "hosts_set");
		json_object_array_add(arr, json_object_get(g));
	}
	json_object_array_sort(arr, by_pods_then_score);
	return arr;
}

static json_object *group_get(json_object *map, const char *key)
{
	json_object *g;

	if (json_object_object_get_ex(map, key, &g))
		return g;
	g = json_object_new_object();
	json_object_object_add(g, "bundles", json_object_new_int(0));
	json_object_object_add(g, "max_score", json_object_new_double(0));
	json_object_object_add(g, "pods_set", json_object_new_object());
	json_object_object_add(g, "hosts_set", json_object_new_object());
	json_object_object_add(g, "worst", json_object_new_array());
	json_object_object_add(map, key, g);
	return g;
}

static void group_count(json_object *g, json_object *sum, double score)
{
	struct strbuf key = STRBUF_INIT;

	json_object_object_add(g, "bundles", json_object_new_int((int)json_get_int(g, "bundles", 0) + 1));
	if (score > json_object_get_double(json_object_object_get(g, "max_score")))
		json_object_object_add(g, "max_score", json_object_new_double(score));
	pod_key(sum, &key);
	set_add(json_object_object_get(g, "pods_set"), key.buf);
	strbuf_release(&key);
	set_add(json_object_object_get(g, "hosts_set"), json_get_str(sum, "host", "?"));
	worst_add(json_object_object_get(g, "worst"), worst_entry(sum, score));
}

static const char *const dimensions[] = { "module", "go_version", "kernel", "build_id" };
#define NR_DIMENSIONS (sizeof(dimensions) / sizeof(dimensions[0]))

static json_object *aggregate(json_object *bundles)
{
	json_object *causes = json_object_new_object(), *dims[NR_DIMENSIONS], *groups, *out;
	json_object *skipped = json_object_new_array(), *rule_counts;
	size_t i, j, d, n = json_object_array_length(bundles), analyzed = 0;

	out = json_object_new_object();
	for (d = 0; d < NR_DIMENSIONS; d++)
		dims[d] = json_object_new_object();
	for (i = 0; i < n; i++) {
		json_object *sum = json_object_array_get_idx(bundles, i);
		json_object *fs = json_get_array(sum, "findings");

		if (json_get_str(sum, "error", NULL)) {
			json_object *s = json_object_new_object();

			json_object_object_add(s, "bundle", json_object_new_string(json_get_str(sum, "bundle", "?")));
			json_object_object_add(s, "error", json_object_new_string(json_get_str(sum, "error", "?")));
			json_object_array_add(skipped, s);
			continue;
		}
		analyzed++;
		for (j = 0; fs && j < json_object_array_length(fs); j++) {
			json_object *f = json_object_array_get_idx(fs, j), *g;
			struct strbuf key = STRBUF_INIT;

			strbuf_addf(&key, "%s\t%s", json_get_str(f, "rule", "?"), json_get_str(f, "cause", ""));
			g = group_get(causes, key.buf);
			if (!json_object_object_get_ex(g, "rule", NULL)) {
				json_object_object_add(g, "rule", json_object_new_string(json_get_str(f, "rule", "?")));
				json_object_object_add(g, "rung", json_object_new_string(json_get_str(f, "rung", "?")));
				json_object_object_add(g, "severity", json_object_new_string(json_get_str(f, "severity", "?")));
				json_object_object_add(g, "cause", json_object_new_string(json_get_str(f, "cause", "")));
			}
			group_count(g, sum, score_of(f));
			strbuf_release(&key);
		}
		for (d = 0; d < NR_DIMENSIONS; d++) {
			json_object *g = group_get(dims[d], json_get_str(sum, dimensions[d], "unknown"));

			group_count(g, sum, score_of(sum));
			/* which rules fire in this group, and in how many bundles */
			if (!json_object_object_get_ex(g, "rules", &rule_counts)) {
				rule_counts = json_object_new_object();
				json_object_object_add(g, "rules", rule_counts);
			}
			for (j = 0; fs && j < json_object_array_length(fs); j++) {
				const char *rule = json_get_str(json_object_array_get_idx(fs, j), "rule", "?");

				json_object_object_add(rule_counts, rule,
						       json_object_new_int((int)json_get_int(rule_counts, rule, 0) + 1));
			}
		}
	}
	json_object_object_add(out, "analyzed", json_object_new_int((int)analyzed));
	json_object_object_add(out, "findings", finish_groups(causes));
	groups = json_object_new_object();
	for (d = 0; d < NR_DIMENSIONS; d++) {
		json_object_object_add(groups, dimensions[d], finish_groups(dims[d]));
		json_object_put(dims[d]);
	}
	json_object_object_add(out, "groups", groups);
	json_object_object_add(out, "skipped", skipped);
	json_object_put(causes);
	return out;
}

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)(n > 1024 ? 1024 : n) : 1;
}

int fleet_run(const struct fleet_options *o, json_object **out, struct strbuf *err)
{
	struct fleet_run_state st;
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	json_object *bundles = NULL, *status = json_object_new_array(), *agg;
	char tmpl[] = "/tmp/triage-fleet.XXXXXX";
	int64_t start = clock_mono_ms();
	int jobs = o->jobs > 0 ? o->jobs : online_cpus(), ret = -1;
	size_t i;

	memset(&st, 0, sizeof(st));
	st.o = o;
	s3_client_init(&st.s3);
	*out = NULL;
	if (s3_is_url(o->source)) {
		struct strlist keys = { 0 };

		if (s3_url_parse(o->source, &st.bucket, &st.prefix, err) < 0 ||
		    s3_client_from_env(&st.s3, o->endpoint, err) < 0 ||
		    s3_list(&st.s3, st.bucket, st.prefix, &keys, err) < 0) {
			strlist_release(&keys);
			goto out;
		}
		for (i = 0; i < keys.nr; i++) {
			if (!has_bundle_suffix(keys.items[i]))
				continue;
			strbuf_reset(&path);
			strbuf_addf(&path, "s3://%s/%s", st.bucket, keys.items[i]);
			strlist_add(&st.names, path.buf);
		}
		strlist_release(&keys);
	} else if (list_dir(o->source, &st.names, err) < 0) {
		goto out;
	}
	if (!st.names.nr) {
		error_set(err, "no bundles (*.tgz) in %s", o->source);
		goto out;
	}
	if (!mkdtemp(tmpl)) {
		error_set(err, "cannot create a temporary directory: %s", strerror(errno));
		goto out;
	}
	st.tmpdir = xstrdup(tmpl);
	if ((size_t)jobs > st.names.nr)
		jobs = (int)st.names.nr;
	run_workers(&st, jobs, status);

	bundles = json_object_new_array();
	for (i = 0; i < st.names.nr; i++) {
		json_object *sum = NULL, *why = json_object_array_get_idx(status, i);

		result_path(&st, i, "json", &path);
		strbuf_reset(&text);
		if (strbuf_read_file(&text, path.buf, FLEET_MAX_SUMMARY) == 0)
			sum = json_tokener_parse(strbuf_str(&text));
		unlink(path.buf);
		if (!sum) {
			/* the worker died before writing: say how, and skip it */
			sum = json_object_new_object();
			json_object_object_add(sum, "bundle", json_object_new_string(st.names.items[i]));
			json_object_object_add(sum, "error", json_object_new_string(
				why ? json_object_get_string(why) : "the worker ended without a result"));
		}
		json_object_array_add(bundles, sum);
	}
	rmdir(st.tmpdir);

	agg = aggregate(bundles);
	json_object_object_add(agg, "schema", json_object_new_string(FLEET_SCHEMA));
	json_object_object_add(agg, "source", json_object_new_string(o->source));
	json_object_object_add(agg, "bundles", json_object_new_int((int)st.names.nr));
	json_object_object_add(agg, "jobs", json_object_new_int(jobs));
	{
		double secs = (double)(clock_mono_ms() - start) / 1000.0;

		json_object_object_add(agg, "seconds", json_object_new_double(secs));
		json_object_object_add(agg, "bundles_per_second",
				       json_object_new_double(secs > 0 ? (double)st.names.nr / secs : 0));
	}
	json_object_object_add(agg, "per_bundle", bundles);
	bundles = NULL;
	*out = agg;
	ret = 0;
out:
	if (bundles)
		json_object_put(bundles);
	json_object_put(status);
	strlist_release(&st.names);
	free(st.bucket);
	free(st.prefix);
	free(st.tmpdir);
	s3_client_release(&st.s3);
	strbuf_release(&path);
	strbuf_release(&text);
	return ret;
}

/* ---- formats ---- */

int fleet_max_severity(json_object *summary)
{
	json_object *fs = json_get_array(summary, "findings");
	size_t i;
	int m = -1;

	for (i = 0; fs && i < json_object_array_length(fs); i++) {
		enum severity s;

		if (severity_parse(json_get_str(json_object_array_get_idx(fs, i), "severity", ""), &s) == 0 &&
		    (int)s > m)
			m = (int)s;
	}
	return m;
}

int fleet_write_json(json_object *summary, FILE *out)
{
	fputs(json_object_to_json_string_ext(summary, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					     JSON_C_TO_STRING_NOSLASHESCAPE), out);
	fputc('\n', out);
	return ferror(out) ? -1 : 0;
}

/* "pod 1111-… (node-2) fleet-0001.tgz: score 69.97, headline 172 MiB" */
static void worst_line(json_object *w, struct strbuf *sb)
{
	const char *pod = json_get_str(w, "pod", "?"), *bundle = json_get_str(w, "bundle", "?");
	const char *base = strrchr(bundle, '/');
	char b[32];

	format_bytes(b, sizeof(b), json_get_int(w, "headline_bytes", 0));
	strbuf_addf(sb, "%s", pod);
	if (!strncmp(pod, "pod ", 4))
		strbuf_addf(sb, " (%s)", json_get_str(w, "host", "?"));
	strbuf_addf(sb, " %s: score %.2f, headline %s", base ? base + 1 : bundle,
		    json_object_get_double(json_object_object_get(w, "score")), b);
}

static const char *const dimension_titles[NR_DIMENSIONS] = {
	"MODULE@VERSION", "GO VERSION", "KERNEL", "BUILD ID",
};

/* "rule ×3, rule2 ×1" from a {rule: count} object, most first */
static void rule_counts_line(json_object *counts, struct strbuf *sb)
{
	json_object *arr = json_object_new_array();
	size_t i;

	json_object_object_foreach(counts, rule, cnt) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "key", json_object_new_string(rule));
		json_object_object_add(o, "pods", json_object_new_int(json_object_get_int(cnt)));
		json_object_object_add(o, "max_score", json_object_new_double(0));
		json_object_array_add(arr, o);
	}
	json_object_array_sort(arr, by_pods_then_score);
	for (i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);

		strbuf_addf(sb, "%s%s x%d", i ? ", " : "", json_get_str(o, "key", "?"),
			    (int)json_get_int(o, "pods", 0));
	}
	if (!i)
		strbuf_addstr(sb, "none");
	json_object_put(arr);
}

static void write_doc(json_object *s, FILE *out, int md)
{
	json_object *fs = json_get_array(s, "findings"), *groups = json_get_obj(s, "groups");
	json_object *skipped = json_get_array(s, "skipped");
	size_t i, j, d;

	if (md)
		fprintf(out, "# triage fleet summary: `%s`\n\n", json_get_str(s, "source", "?"));
	else
		fprintf(out, "triage fleet summary for %s\n", json_get_str(s, "source", "?"));
	fprintf(out, "%s%d bundles: %d analyzed, %zu skipped; %.1f s with %d workers (%.1f bundles/s)%s\n",
		md ? "" : "", (int)json_get_int(s, "bundles", 0), (int)json_get_int(s, "analyzed", 0),
		skipped ? json_object_array_length(skipped) : 0,
		json_object_get_double(json_object_object_get(s, "seconds")), (int)json_get_int(s, "jobs", 0),
		json_object_get_double(json_object_object_get(s, "bundles_per_second")), md ? "\n" : "");

	if (md)
		fprintf(out, "\n## Findings by rule and cause\n\n| rule | severity | cause | pods | hosts | bundles | worst |\n|---|---|---|---|---|---|---|\n");
	else
		fprintf(out, "\nFINDINGS BY RULE AND CAUSE (most pods first)\n");
	for (i = 0; fs && i < json_object_array_length(fs); i++) {
		json_object *g = json_object_array_get_idx(fs, i), *w = json_get_array(g, "worst");
		struct strbuf line = STRBUF_INIT;

		if (md) {
			fprintf(out, "| `%s` | %s | %s | %d | %d | %d | ", json_get_str(g, "rule", "?"),
				json_get_str(g, "severity", "?"), json_get_str(g, "cause", ""),
				(int)json_get_int(g, "pods", 0), (int)json_get_int(g, "hosts", 0),
				(int)json_get_int(g, "bundles", 0));
			for (j = 0; w && j < json_object_array_length(w); j++) {
				strbuf_reset(&line);
				worst_line(json_object_array_get_idx(w, j), &line);
				fprintf(out, "%s%s", j ? "<br>" : "", line.buf);
			}
			fputs(" |\n", out);
		} else {
			fprintf(out, "  %-8s %s/%s: %d pods on %d hosts (%d bundles)\n",
				json_get_str(g, "severity", "?"), json_get_str(g, "rung", "?"),
				json_get_str(g, "rule", "?"), (int)json_get_int(g, "pods", 0),
				(int)json_get_int(g, "hosts", 0), (int)json_get_int(g, "bundles", 0));
			fprintf(out, "           %s\n", json_get_str(g, "cause", ""));
			for (j = 0; w && j < json_object_array_length(w); j++) {
				strbuf_reset(&line);
				worst_line(json_object_array_get_idx(w, j), &line);
				fprintf(out, "           %s %s\n", j ? "     " : "worst:", line.buf);
			}
		}
		strbuf_release(&line);
	}
	if (!fs || !json_object_array_length(fs))
		fprintf(out, md ? "None.\n" : "  none\n");

	for (d = 0; groups && d < NR_DIMENSIONS; d++) {
		json_object *arr = json_get_array(groups, dimensions[d]);

		if (md)
			fprintf(out, "\n## By %s\n\n| %s | bundles | pods | hosts | rules (bundles) | worst |\n|---|---|---|---|---|---|\n",
				dimensions[d], dimensions[d]);
		else
			fprintf(out, "\nBY %s\n", dimension_titles[d]);
		for (i = 0; arr && i < json_object_array_length(arr); i++) {
			json_object *g = json_object_array_get_idx(arr, i), *w = json_get_array(g, "worst");
			struct strbuf rules = STRBUF_INIT, line = STRBUF_INIT;

			rule_counts_line(json_get_obj(g, "rules"), &rules);
			if (w && json_object_array_length(w))
				worst_line(json_object_array_get_idx(w, 0), &line);
			if (md)
				fprintf(out, "| `%s` | %d | %d | %d | %s | %s |\n", json_get_str(g, "key", "?"),
					(int)json_get_int(g, "bundles", 0), (int)json_get_int(g, "pods", 0),
					(int)json_get_int(g, "hosts", 0), rules.buf, line.buf);
			else
				fprintf(out, "  %s: %d bundles, %d pods, %d hosts\n    rules: %s\n    worst: %s\n",
					json_get_str(g, "key", "?"), (int)json_get_int(g, "bundles", 0),
					(int)json_get_int(g, "pods", 0), (int)json_get_int(g, "hosts", 0),
					rules.buf, line.buf);
			strbuf_release(&rules);
			strbuf_release(&line);
		}
	}

	if (skipped && json_object_array_length(skipped)) {
		fprintf(out, md ? "\n## Skipped\n\n" : "\nSKIPPED (could not be analyzed)\n");
		for (i = 0; i < json_object_array_length(skipped); i++) {
			json_object *k = json_object_array_get_idx(skipped, i);

			fprintf(out, md ? "- `%s`: %s\n" : "  %s: %s\n", json_get_str(k, "bundle", "?"),
				json_get_str(k, "error", "?"));
		}
	}
}

int fleet_write_text(json_object *summary, FILE *out)
{
	write_doc(summary, out, 0);
	return ferror(out) ? -1 : 0;
}

int fleet_write_markdown(json_object *summary, FILE *out)
{
	write_doc(summary, out, 1);
	return ferror(out) ? -1 : 0;
}
