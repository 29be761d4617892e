/*
 * collect_bundle(): one whole collection, in the order that costs the
 * target least. The cheap local sources (host, /proc, cgroup, build info)
 * run first, then the HTTP sources, then the samples over time; every
 * source records its own outcome (collect.h), and the manifest says what
 * was gathered, from what, and when. Only writing the bundle can fail.
 */
#include <ctype.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bundle/vocab.h"
#include "collect/bundle-write.h"
#include "collect/collect.h"
#include "collect/pprof.h"
#include "collect/proc.h"
#include "config.h"
#include "parse/cgroupmem.h"
#include "parse/pod.h"

void collect_request_init(struct collect_request *rq)
{
	memset(rq, 0, sizeof(*rq));
	rq->cpu_seconds = PPROF_DEFAULT_CPU_SECONDS;
	rq->samples = 1;
	rq->interval_s = 30;
	rq->timeout_s = PPROF_DEFAULT_TIMEOUT_MS / 1000;
	rq->goroutine_dump_max = PPROF_DEFAULT_GOROUTINE_DUMP_MAX;
	rq->near_limit_pct = COLLECT_DEFAULT_NEAR_LIMIT_PCT;
}

static void hostname_of(char *host, size_t len)
{
	if (gethostname(host, len - 1) < 0)
		snprintf(host, len, "unknown");
	host[len - 1] = '\0';
}

void collect_default_output(struct strbuf *out, pid_t pid)
{
	char host[256];
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;
	const char *h;

	hostname_of(host, sizeof(host));
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y%m%dT%H%M%SZ", &tm);
	strbuf_addstr(out, "triage-");
	/* hostnames are tame, but keep the file name to safe characters */
	for (h = host; *h; h++)
		strbuf_addch(out, (isalnum((unsigned char)*h) || *h == '-' || *h == '.') ? *h : '_');
	if (pid)
		strbuf_addf(out, "-%d-%s.tgz", (int)pid, ts);
	else
		strbuf_addf(out, "-remote-%s.tgz", ts);
}

/* Sleeps until ms_at, waking early on Ctrl-C; returns -1 when interrupted. */
static int sleep_until(const struct collection *c, int64_t ms_at)
{
	while (!collection_interrupted(c)) {
		int64_t left = ms_at - clock_real_ms();
		struct timespec ts;

		if (left <= 0)
			return 0;
		if (left > 200)
			left = 200;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left * 1000000L;
		nanosleep(&ts, NULL);
	}
	return -1;
}

/* An artifact's bytes, when it is ok; 0 with out filled, -1 otherwise. */
static int ok_bytes(struct collection *c, const char *path, struct strbuf *out)
{
	struct artifact *a = collection_find(c, path);

	strbuf_reset(out);
	if (!a || a->status != ARTIFACT_OK || artifact_read_all(c, a, out) < 0)
		return -1;
	return 0;
}

/* The pod the target's cgroup belongs to, NULL when it is not a pod's. */
static json_object *pod_json(struct collection *c)
{
	struct strbuf text = STRBUF_INIT;
	struct pod_identity p;
	json_object *o;
	int found = ok_bytes(c, ART_PROC_CGROUP, &text) == 0 &&
		    pod_identity_from_proc_cgroup(strbuf_str(&text), &p);

	strbuf_release(&text);
	if (!found)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, MF_POD_UID, json_object_new_string(p.pod_uid));
	json_object_object_add(o, MF_POD_QOS, json_object_new_string(p.qos));
	if (p.container_id)
		json_object_object_add(o, MF_POD_CONTAINER_ID, json_object_new_string(p.container_id));
	if (p.runtime)
		json_object_object_add(o, MF_POD_RUNTIME, json_object_new_string(p.runtime));
	json_object_object_add(o, MF_POD_CGROUP_DRIVER, json_object_new_string(p.driver));
	pod_identity_release(&p);
	return o;
}

static json_object *target_json(struct collection *c, pid_t pid, const char *url)
{
	json_object *t = json_object_new_object();
	struct strbuf bi = STRBUF_INIT;

	if (pid) {
		char link[64], exe[PATH_MAX];
		ssize_t n;

		json_object_object_add(t, MF_TARGET_PID, json_object_new_int(pid));
		snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
		n = readlink(link, exe, sizeof(exe) - 1);
		if (n > 0) {
			exe[n] = '\0';
			json_object_object_add(t, MF_TARGET_EXE, json_object_new_string(exe));
		}
	}
	if (pid) {
		json_object *pod = pod_json(c);

		if (pod)
			json_object_object_add(t, MF_TARGET_POD, pod);
	}
	if (url) {
		/* triage's own credentials ("http://user:pw@host/?token=x") stay behind */
		struct strbuf red = STRBUF_INIT;

		cmdline_redact(url, strlen(url), &red);
		json_object_object_add(t, MF_TARGET_PPROF_URL, json_object_new_string(red.buf ? red.buf : ""));
		strbuf_release(&red);
	}
	if (ok_bytes(c, ART_BUILDINFO_JSON, &bi) == 0) {
		json_object *j = json_tokener_parse(strbuf_str(&bi)), *v, *mainmod;

		if (j && json_object_object_get_ex(j, "go_version", &v))
			json_object_object_add(t, MF_TARGET_GO_VERSION, json_object_get(v));
		if (j && json_object_object_get_ex(j, "build_id", &v))
			json_object_object_add(t, MF_TARGET_BUILD_ID, json_object_get(v));
		if (j && json_object_object_get_ex(j, "main", &mainmod) &&
		    json_object_object_get_ex(mainmod, "path", &v))
			json_object_object_add(t, MF_TARGET_MAIN_MODULE, json_object_get(v));
		if (j)
			json_object_put(j);
	}
	strbuf_release(&bi);
	return t;
}

/* The CPU profile's seconds as the pprof source found them in the profile itself. */
static int cpu_seconds_profiled(struct collection *c)
{
	struct strbuf text = STRBUF_INIT;
	json_object *j;
	int n = 0;

	if (ok_bytes(c, ART_PPROF_ENDPOINT, &text) == 0 && (j = json_tokener_parse(strbuf_str(&text)))) {
		json_object *v;

		if (json_object_object_get_ex(j, "cpu_seconds_profiled", &v))
			n = json_object_get_int(v);
		json_object_put(j);
	}
	strbuf_release(&text);
	return n;
}

static json_object *manifest_json(const struct collect_request *rq, struct collection *c,
				  int64_t start, json_object *near)
{
	json_object *manifest = json_object_new_object(), *h, *coll;
	struct utsname un;
	char host[256], v[16], when[40];

	json_object_object_add(manifest, MF_FORMAT, json_object_new_string(BUNDLE_FORMAT));
	snprintf(v, sizeof(v), "%d.%d", BUNDLE_FORMAT_MAJOR, BUNDLE_FORMAT_MINOR);
	json_object_object_add(manifest, MF_FORMAT_VERSION, json_object_new_string(v));
	json_object_object_add(manifest, MF_TRIAGE_VERSION, json_object_new_string(TRIAGE_VERSION));
	json_object_object_add(manifest, MF_TARGET, target_json(c, rq->pid, rq->url));

	h = json_object_new_object();
	hostname_of(host, sizeof(host));
	json_object_object_add(h, MF_HOST_HOSTNAME, json_object_new_string(host));
	if (!uname(&un)) {
		json_object_object_add(h, MF_HOST_KERNEL, json_object_new_string(un.release));
		json_object_object_add(h, MF_HOST_MACHINE, json_object_new_string(un.machine));
	}
	json_object_object_add(manifest, MF_HOST, h);

	coll = json_object_new_object();
	format_utc_ms(when, sizeof(when), start);
	json_object_object_add(coll, MF_COLL_START, json_object_new_string(when));
	format_utc_ms(when, sizeof(when), clock_real_ms());
	json_object_object_add(coll, MF_COLL_END, json_object_new_string(when));
	json_object_object_add(coll, MF_COLL_DURATION_MS, json_object_new_int64(clock_real_ms() - start));
	json_object_object_add(coll, MF_COLL_MODE, json_object_new_string(rq->pid ? "pid" : "remote"));
	json_object_object_add(coll, MF_COLL_CPU_SECONDS, json_object_new_int(rq->cpu_seconds));
	json_object_object_add(coll, MF_COLL_CPU_SECONDS_PROFILED, json_object_new_int(cpu_seconds_profiled(c)));
	if (near)
		json_object_object_add(coll, MF_COLL_NEAR_LIMIT, json_object_get(near));
	json_object_object_add(coll, MF_COLL_SAMPLES, json_object_new_int64(rq->samples));
	json_object_object_add(coll, MF_COLL_INTERVAL_SECONDS, json_object_new_int64(rq->interval_s));
	json_object_object_add(coll, MF_COLL_INTERRUPTED, json_object_new_boolean(collection_interrupted(c)));
	json_object_object_add(coll, MF_COLL_GC_HEAP, json_object_new_boolean(rq->gc_heap));
	json_object_object_add(manifest, MF_COLLECTION, coll);
	return manifest;
}

void collect_result_release(struct collect_result *res)
{
	strbuf_release(&res->summary);
}

static const struct artifact *find_art(struct collection *c, const char *path)
{
	return collection_find(c, path);
}

/*
 * The failures that blind the analysis most, in order: without a pprof
 * endpoint there is no profile at all; without the heap profile the
 * business and libraries rungs are blind; without MemStats the runtime
 * rung; without the cgroup the environment rung.
 */
static const struct {
	const char *path;
	const char *blinds;
} important[] = {
	{ ART_PPROF_ENDPOINT, "no profiles" },
	{ ART_PROFILE_HEAP, "no heap profile" },
	{ ART_MEMSTATS, "no MemStats" },
	{ ART_CGROUP_INFO, "no cgroup memory" },
	{ ART_BUILDINFO_JSON, "no build info" },
};

static void summarize(struct collection *c, const struct collect_request *rq,
		      struct collect_result *res)
{
#define KIND_PATH(name, endpoint, path) path,
	static const char *const profiles[] = { PROFILE_KINDS(KIND_PATH) };
#undef KIND_PATH
	const struct artifact *a;
	const char *first = NULL;
	size_t i, shown = 0;

	memset(res, 0, sizeof(*res));
	strbuf_init(&res->summary);
	res->artifacts = c->nr;
	for (i = 0; i < c->nr; i++)
		res->failed += c->arts[i].status == ARTIFACT_ERROR;
	res->interrupted = collection_interrupted(c);
	for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		a = find_art(c, profiles[i]);
		res->profiles += a && (a->status == ARTIFACT_OK || a->status == ARTIFACT_DERIVED);
	}
	a = find_art(c, ART_MEMSTATS);
	res->has_memstats = a && a->status == ARTIFACT_OK;
	a = find_art(c, ART_BUILDINFO_JSON);
	res->not_go = rq->pid && a && a->status == ARTIFACT_ERROR && a->error &&
		strstr(a->error, "not a Go binary");

	/* the most important failure first: it is what a person must fix */
	if (res->not_go)
		strbuf_addf(&res->summary, "process %d is not a Go program (%s); ", (int)rq->pid,
			    a->error);
	for (i = 0; i < sizeof(important) / sizeof(important[0]) && shown < 2; i++) {
		const char *why;

		a = find_art(c, important[i].path);
		if (!a || a->status != ARTIFACT_ERROR)
			continue;
		why = a->error ? a->error : "failed";
		/* one cause (no endpoint) fails several artifacts: say it once */
		if ((res->not_go && !strcmp(important[i].path, ART_BUILDINFO_JSON)) ||
		    (first && strstr(why, first)))
			continue;
		strbuf_addf(&res->summary, "%s: %s; ", important[i].blinds, why);
		if (!first)
			first = why;
		shown++;
	}
	strbuf_addf(&res->summary, "%zu of %zu profiles, MemStats %s, %zu of %zu artifacts failed",
		    res->profiles, sizeof(profiles) / sizeof(profiles[0]),
		    res->has_memstats ? "yes" : "no", res->failed, res->artifacts);
	if (res->interrupted)
		strbuf_addstr(&res->summary, "; interrupted");
}

/*
 * The cgroup's working set as a percentage of its limit, from the files
 * the cgroup source just copied; -1 without a limit or the files.
 */
static double headroom_pct(struct collection *c)
{
	struct strbuf stat = STRBUF_INIT, usage = STRBUF_INIT, limit = STRBUF_INIT;
	struct cgroup_mem_input in;
	struct cgroup_mem m;
	double pct = -1;
	/* the cgroup source copies memory.current only from a v2 hierarchy */
	int v2 = ok_bytes(c, ART_CGROUP_MEMORY_CURRENT, &usage) == 0;

	if (ok_bytes(c, ART_CGROUP_MEMORY_STAT, &stat) < 0 ||
	    ok_bytes(c, v2 ? ART_CGROUP_MEMORY_CURRENT : ART_CGROUP_MEMORY_USAGE, &usage) < 0 ||
	    ok_bytes(c, v2 ? ART_CGROUP_MEMORY_MAX : ART_CGROUP_MEMORY_LIMIT, &limit) < 0)
		goto out;
	memset(&in, 0, sizeof(in));
	in.version = v2 ? 2 : 1;
	in.stat = strbuf_str(&stat);
	in.usage = strbuf_str(&usage);
	in.limit = strbuf_str(&limit);
	cgroup_mem_init(&m);
	if (cgroupmem_parse(&in, &m, NULL) == 0 && CGMEM_HAS(&m, CGMEM_LIMIT) && !m.limit_unlimited &&
	    m.limit > 0 && CGMEM_HAS(&m, CGMEM_WORKING_SET))
		pct = 100.0 * (double)m.working_set / (double)m.limit;
	cgroup_mem_release(&m);
out:
	strbuf_release(&stat);
	strbuf_release(&usage);
	strbuf_release(&limit);
	return pct;
}

int collect_bundle(const struct collect_request *rq, struct bundle_out *out,
		   struct collect_result *res, struct strbuf *err)
{
	struct collection c;
	struct pprof_options po;
	struct strbuf prefix = STRBUF_INIT;
	json_object *manifest = NULL, *near = NULL;
	int64_t start, deadline;
	long s;
	int ret = -1;

	collection_init(&c);
	if (rq->max_artifact)
		c.max_artifact_bytes = rq->max_artifact;
	c.interrupted = rq->interrupted;
	c.spool_dir = rq->spool_dir;
	start = clock_real_ms();
	deadline = start + 1000L * (rq->deadline_s ? rq->deadline_s :
		60 + rq->cpu_seconds + (rq->samples > 1 ? (rq->samples - 1) * rq->interval_s + 30 : 0));

	pprof_options_init(&po);
	po.url = rq->url;
	po.pid = rq->pid;
	po.cpu_seconds = rq->cpu_seconds;
	po.timeout_ms = rq->timeout_s * 1000;
	po.deadline_ms = deadline;
	po.progress = rq->progress;
	po.gc_heap = rq->gc_heap;
	po.near_limit = rq->cheap;
	po.force = rq->force;
	po.goroutine_dump_max = rq->goroutine_dump_max;

	/* the snapshot: cheap, local sources first, then HTTP */
	collect_host(&c);
	if (rq->pid) {
		double pct;

		collect_proc(&c, rq->pid, 0);
		collect_cgroup(&c, rq->pid, 0);
		collect_buildinfo(&c, rq->pid);
		/* goroutines from the target's memory: free for it, and the plan's best count */
		po.census_goroutines = collect_census(&c, rq->pid);
		/* the collection must not be the allocation that triggers the kill */
		pct = headroom_pct(&c);
		if (pct >= 0 && rq->near_limit_pct > 0 && pct >= rq->near_limit_pct) {
			near = json_object_new_object();
			json_object_object_add(near, "percent", json_object_new_double(pct));
			json_object_object_add(near, "threshold", json_object_new_double(rq->near_limit_pct));
			json_object_object_add(near, "forced", json_object_new_boolean(rq->force));
			if (!rq->force)
				po.near_limit = 1;
			fprintf(stderr, "triage collect: the cgroup's working set is %.0f%% of its limit: %s\n",
				pct, rq->force ? "taking the expensive requests anyway (--force)" :
				"skipping the requests that make the target allocate most (--force takes them)");
		}
	}
	collection_seal_all(&c, NULL);
	if (!collection_interrupted(&c))
		collect_pprof(&c, &po);

	/* samples over time, to tell a leak from a plateau */
	po.cheap_only = 1;
	po.cpu_seconds = 0;
	for (s = 0; rq->samples > 1 && s < rq->samples && !collection_interrupted(&c); s++) {
		if (s && sleep_until(&c, clock_real_ms() + 1000L * rq->interval_s) < 0)
			break;
		if (clock_real_ms() >= deadline) {
			fprintf(stderr, "triage collect: deadline reached after %ld of %ld samples\n", s, rq->samples);
			break;
		}
		strbuf_reset(&prefix);
		strbuf_addf(&prefix, ART_SAMPLE_PREFIX_FMT, s);
		c.prefix = prefix.buf;
		if (rq->pid) {
			collect_proc(&c, rq->pid, 1);
			collect_cgroup(&c, rq->pid, 1);
		}
		collect_pprof(&c, &po);
		c.prefix = NULL;
		/* nothing waits in memory for the next sample */
		collection_seal_all(&c, NULL);
		if (po.progress)
			fprintf(stderr, "\rsample %ld/%ld taken", s + 1, rq->samples);
	}
	if (po.progress && rq->samples > 1)
		fputc('\n', stderr);

	collection_seal_all(&c, NULL);
	manifest = manifest_json(rq, &c, start, near);
	if (bundle_out_write(out, &c, manifest, err) < 0)
		goto out;
	if (res)
		summarize(&c, rq, res);
	ret = 0;
out:
	if (manifest)
		json_object_put(manifest);
	if (near)
		json_object_put(near);
	collection_release(&c);
	strbuf_release(&prefix);
	return ret;
}
