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
#include "parse/pod.h"

void collect_request_init(struct collect_request *rq)
{
	memset(rq, 0, sizeof(*rq));
	rq->cpu_seconds = PPROF_DEFAULT_CPU_SECONDS;
	rq->samples = 1;
	rq->interval_s = 30;
	rq->timeout_s = PPROF_DEFAULT_TIMEOUT_MS / 1000;
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

/* The pod the target's cgroup belongs to, NULL when it is not a pod's. */
static json_object *pod_json(struct collection *c)
{
	struct artifact *cg = collection_find(c, ART_PROC_CGROUP);
	struct pod_identity p;
	json_object *o;

	if (!cg || cg->status != ARTIFACT_OK ||
	    !pod_identity_from_proc_cgroup(strbuf_str(&cg->data), &p))
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
	struct artifact *bi = collection_find(c, ART_BUILDINFO_JSON);

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
	if (bi && bi->status == ARTIFACT_OK) {
		json_object *j = json_tokener_parse(strbuf_str(&bi->data)), *v, *mainmod;

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
	return t;
}

static json_object *manifest_json(const struct collect_request *rq, struct collection *c,
				  int64_t start)
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

int collect_bundle(const struct collect_request *rq, struct bundle_out *out,
		   struct collect_result *res, struct strbuf *err)
{
	struct collection c;
	struct pprof_options po;
	struct strbuf prefix = STRBUF_INIT;
	json_object *manifest = NULL;
	int64_t start, deadline;
	long s;
	int ret = -1;

	collection_init(&c);
	if (rq->max_artifact)
		c.max_artifact_bytes = rq->max_artifact;
	c.interrupted = rq->interrupted;
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

	/* the snapshot: cheap, local sources first, then HTTP */
	collect_host(&c);
	if (rq->pid) {
		collect_proc(&c, rq->pid, 0);
		collect_cgroup(&c, rq->pid, 0);
		collect_buildinfo(&c, rq->pid);
	}
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
		if (po.progress)
			fprintf(stderr, "\rsample %ld/%ld taken", s + 1, rq->samples);
	}
	if (po.progress && rq->samples > 1)
		fputc('\n', stderr);

	manifest = manifest_json(rq, &c, start);
	if (bundle_out_write(out, &c, manifest, err) < 0)
		goto out;
	if (res)
		summarize(&c, rq, res);
	ret = 0;
out:
	if (manifest)
		json_object_put(manifest);
	collection_release(&c);
	strbuf_release(&prefix);
	return ret;
}
