/*
 * The pprof source: discovery of the net/http/pprof endpoint, a plan of
 * requests ordered by what they cost the target, fetched with libcurl's
 * multi interface, MemStats from expvar or the heap?debug=1 trailer, and a
 * helper process for targets that live in another network namespace. See
 * collect/pprof.h for the artifacts.
 *
 * The target is already in trouble, so the plan (issue 13): the index page
 * first (it counts goroutines and heap stacks without stopping anything),
 * then expvar, the heap and goroutine profiles, MemStats; then the optional
 * profiles; the goroutine?debug=2 dump last and only below a goroutine
 * count, since it stops the world while it formats every stack. One
 * request at a time, with the CPU profile (which only samples) beside them.
 *
 * Everything is first gathered into a private collection (with no prefix),
 * and each artifact is handed over as soon as it is finished: the same code
 * path serves the in-process case and the helper, whose artifacts arrive
 * over a pipe, and nothing waits in memory for the others.
 */
#include "collect/pprof.h"
#include "collect/proc.h"
#include "parse/memstats.h"
#include "profile/profile.h"
#include "profile/scan.h"
#include "base/inflate.h"
#include "base/protowire.h"
#include "base/satmath.h"
#include "base/io.h"
#include "base/sort.h"
#include "base/strlist.h"
#include "bundle/vocab.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "config.h"

#define PROBE_TIMEOUT_MS 1000L
#define PROBE_BODY_CAP (64 * 1024)
#define MAX_CANDIDATES 64
/* how long the helper gets to wrap up after an interrupt before SIGKILL */
#define HELPER_GRACE_MS 3000
/* how often the request loop wakes to look at the interrupt flag and the clock */
#define POLL_INTERVAL_MS 100

struct pprof_source {
	const char *path;
	const char *endpoint;	/* relative to the pprof base URL */
	const char *index_name;	/* its row in the pprof index, whose count says how big it is */
	unsigned cheap:1;	/* also fetched for samples over time */
	unsigned cpu:1;		/* the CPU profile: takes cpu_seconds, runs beside the others */
	unsigned expvar:1;	/* /debug/vars at the server root, not under pprof */
	unsigned text:1;	/* a text dump, not a profile */
	unsigned essential:1;	/* the analysis is blind without it: asked for before the optional ones */
};

/* In the order they are asked for: what the analysis needs most and costs least first. */
static const struct pprof_source sources[] = {
	{ ART_EXPVAR, NULL, NULL, 1, 0, 1, 1, 1 },
	{ ART_PROFILE_HEAP, PPROF_EP_HEAP, "heap", 1, 0, 0, 0, 1 },
	{ ART_PROFILE_GOROUTINE, PPROF_EP_GOROUTINE, "goroutine", 1, 0, 0, 0, 1 },
	{ ART_HEAP_DEBUG1, PPROF_EP_HEAP_DEBUG1, "heap", 1, 0, 0, 1, 1 },
	{ ART_PROFILE_THREADCREATE, PPROF_EP_THREADCREATE, "threadcreate", 0, 0, 0, 0, 0 },
	{ ART_PROFILE_MUTEX, PPROF_EP_MUTEX, "mutex", 0, 0, 0, 0, 0 },
	{ ART_PROFILE_BLOCK, PPROF_EP_BLOCK, "block", 0, 0, 0, 0, 0 },
	{ ART_GOROUTINE_DEBUG2, PPROF_EP_GOROUTINE_DEBUG2, "goroutine", 0, 0, 0, 1, 0 },
	{ ART_PROFILE_CPU, PPROF_EP_CPU, NULL, 0, 1, 0, 0, 0 },
};
#define NR_SOURCES (sizeof(sources) / sizeof(sources[0]))

/* heap?debug=1 is read for its MemStats trailer: only the last this many bytes are kept */
#define TRAILER_KEEP (64 * 1024)
/* the index page, fetched for its counts */
#define INDEX_BODY_CAP (256 * 1024)

static int source_wanted(const struct pprof_source *s, const struct pprof_options *o)
{
	return !o->cheap_only || s->cheap;
}

static int interrupted(volatile int *flag)
{
	return flag && *flag;
}

/* ---- URLs ---------------------------------------------------------------- */

/* normalise_url for a URL without its query. */
static int normalise_path(const char *in, struct strbuf *base, struct strbuf *vars,
			  struct strbuf *err)
{
	const char *rest, *slash;
	size_t scheme_len;
	static const char suffix[] = PPROF_BASE_PATH;

	if (!*in)
		return error_set(err, "empty pprof URL");
	rest = strstr(in, "://");
	if (rest) {
		scheme_len = (size_t)(rest - in) + 3;
		if (strncmp(in, "http://", 7) && strncmp(in, "https://", 8))
			return error_set(err, "pprof URL '%s': only http and https are supported", in);
		rest += 3;
	} else {
		scheme_len = 0;
		rest = in;
	}
	if (!*rest || *rest == '/')
		return error_set(err, "pprof URL '%s' has no host", in);

	if (scheme_len)
		strbuf_add(base, in, scheme_len);
	else
		strbuf_addstr(base, "http://");
	/* ":6060" means this host, as Go's own listen addresses do */
	if (*rest == ':')
		strbuf_addstr(base, "127.0.0.1");
	slash = strchr(rest, '/');
	if (!slash || !slash[1]) {
		strbuf_add(base, rest, slash ? (size_t)(slash - rest) : strlen(rest));
		strbuf_addstr(base, suffix);
	} else {
		strbuf_addstr(base, rest);
		if (base->buf[base->len - 1] != '/')
			strbuf_addch(base, '/');
	}

	/* expvar lives at the server root, beside /debug/pprof/ */
	if (base->len >= strlen(suffix) &&
	    !strcmp(base->buf + base->len - strlen(suffix), suffix)) {
		strbuf_add(vars, base->buf, base->len - strlen(suffix));
	} else {
		const char *host = strstr(base->buf, "://") + 3;
		const char *end = strchr(host, '/');

		strbuf_add(vars, base->buf, (size_t)(end - base->buf));
	}
	strbuf_addstr(vars, PPROF_EP_EXPVAR);
	return 0;
}

/*
 * Accepts host:port, http://host:port[/], or a full base URL, and yields the
 * pprof base (ending in '/') and the expvar URL next to it, without the
 * URL's query (in *query, without its '?'; a '#fragment' is dropped):
 * paths are appended to the base and the query to every request
 * (add_query), so "...?token=x" reaches each endpoint as it was given.
 */
static int normalise_url(const char *given, struct strbuf *base, struct strbuf *vars,
			 struct strbuf *query, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	size_t cut;
	int ret;

	strbuf_reset(base);
	strbuf_reset(vars);
	strbuf_reset(query);
	while (isspace((unsigned char)*given))
		given++;
	cut = strcspn(given, "?#");
	strbuf_add(&path, given, cut);
	if (given[cut] == '?')
		strbuf_add(query, given + cut + 1, strcspn(given + cut + 1, "#"));
	ret = normalise_path(strbuf_str(&path), base, vars, err);
	strbuf_release(&path);
	return ret;
}

/* Appends the given URL's query to a request URL (which may have its own). */
static void add_query(struct strbuf *url, const struct strbuf *query)
{
	if (!query->len)
		return;
	strbuf_addch(url, strchr(strbuf_str(url), '?') ? '&' : '?');
	strbuf_addstr(url, query->buf);
}

/* True for http://127.x, localhost and [::1] URLs, which no proxy should see. */
static int is_loopback_url(const char *url)
{
	const char *host = strstr(url, "://");

	host = host ? host + 3 : url;
	return !strncmp(host, "127.", 4) || !strncmp(host, "[::1]", 5) ||
	       (!strncmp(host, "localhost", 9) && strchr(":/", host[9]) && host[9]);
}

/* ---- concurrent requests --------------------------------------------------- */

struct request {
	char *url;
	long timeout_ms;
	unsigned env_proxy:1;	/* honour http_proxy & co (remote mode only) */

	/* the body goes to an artifact (with the collection's cap) or to body */
	struct collection *c;
	struct artifact *a;
	struct strbuf body;
	size_t body_cap;
	const struct pprof_source *src;	/* NULL for discovery probes */

	struct strbuf status_line;
	char errbuf[CURL_ERROR_SIZE];
	CURL *easy;
	int64_t start_mono;
	CURLcode result;
	long http_code;
	unsigned done:1, over_cap:1, aborted:1, skipped:1;
	unsigned gave_up:1;	/* before() refused it as a failure, not a choice */
	unsigned background:1;	/* runs beside the others (the CPU profile) */
	unsigned tail_only:1;	/* keep only the last TRAILER_KEEP bytes in body */
	uint64_t served;	/* bytes the target sent */
	const char *abort_reason;
	char *skip_reason;
};

struct run_ctx {
	volatile int *interrupted;
	int64_t deadline_ms;
	int progress;
	size_t cpu_index;	/* request that holds the CPU profile, or (size_t)-1 */
	int64_t cpu_end_mono;
	char shown[128];
	/* serial: one request at a time (besides background ones), in order */
	int serial;
	/* called before a request starts; a reason (malloc'd) skips it */
	char *(*before)(struct request *r, void *data);
	void (*done)(struct request *r, void *data);
	void *done_data;
};

static void request_release(struct request *r)
{
	free(r->url);
	free(r->skip_reason);
	strbuf_release(&r->body);
	strbuf_release(&r->status_line);
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *data)
{
	struct request *r = data;
	size_t n = size * nmemb;

	r->served += n;
	if (r->tail_only) {
		/* a ring of sorts: slide the last TRAILER_KEEP bytes down when full */
		strbuf_add(&r->body, ptr, n);
		if (r->body.len > 2 * TRAILER_KEEP) {
			memmove(r->body.buf, r->body.buf + r->body.len - TRAILER_KEEP, TRAILER_KEEP);
			r->body.len = TRAILER_KEEP;
			r->body.buf[r->body.len] = '\0';
		}
		return n;
	}
	if (r->a) {
		if (artifact_append(r->c, r->a, ptr, n) < 0) {
			r->over_cap = 1;
			return 0;	/* aborts the transfer */
		}
		return n;
	}
	if (r->body.len + n > r->body_cap) {
		strbuf_add(&r->body, ptr, r->body_cap - r->body.len);
		r->over_cap = 1;
		return 0;
	}
	strbuf_add(&r->body, ptr, n);
	return n;
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *data)
{
	struct request *r = data;
	size_t n = size * nitems, len = n;

	if (n >= 5 && !memcmp(buf, "HTTP/", 5)) {
		while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			len--;
		strbuf_reset(&r->status_line);
		strbuf_add(&r->status_line, buf, len);
	}
	return n;
}

static int request_start(CURLM *multi, struct request *r)
{
	CURL *e = curl_easy_init();

	if (!e)
		return -1;
	r->easy = e;
	r->errbuf[0] = '\0';
	curl_easy_setopt(e, CURLOPT_URL, r->url);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	/* libcurl must not use signals: the caller owns SIGINT and SIGALRM */
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, r->timeout_ms);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "triage/" TRIAGE_VERSION);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	/* a proxy would turn 127.0.0.1 into someone else's loopback */
	if (!r->env_proxy)
		curl_easy_setopt(e, CURLOPT_PROXY, "");
	/* no Accept-Encoding: profiles are stored exactly as served */
	r->start_mono = clock_mono_ms();
	if (curl_multi_add_handle(multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		r->easy = NULL;
		return -1;
	}
	return 0;
}

static void progress_show(struct run_ctx *ctx, struct request *reqs, size_t nr, size_t ndone)
{
	char line[sizeof(ctx->shown)];
	int n;

	if (!ctx->progress)
		return;
	n = snprintf(line, sizeof(line), "collecting pprof: %zu/%zu done", ndone, nr);
	if (ctx->cpu_index < nr && !reqs[ctx->cpu_index].done && n > 0 &&
	    (size_t)n < sizeof(line)) {
		int64_t left = ctx->cpu_end_mono - clock_mono_ms();

		if (left < 0)
			left = 0;
		snprintf(line + n, sizeof(line) - (size_t)n, ", cpu profile %" PRId64 "s left",
			 (left + 999) / 1000);
	}
	if (!strcmp(line, ctx->shown))
		return;
	memcpy(ctx->shown, line, sizeof(line));
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
}

static void progress_clear(struct run_ctx *ctx)
{
	if (ctx->progress && ctx->shown[0]) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		ctx->shown[0] = '\0';
	}
}

/* Takes the HTTP status (if any arrived) and ends the transfer. */
static void request_detach(CURLM *multi, struct request *r)
{
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->http_code);
	curl_multi_remove_handle(multi, r->easy);
	curl_easy_cleanup(r->easy);
	r->easy = NULL;
}

static void request_finish(struct run_ctx *ctx, struct request *r)
{
	r->done = 1;
	if (ctx->done)
		ctx->done(r, ctx->done_data);
}

static long clamp_timeout(long timeout_ms, int64_t deadline_ms);

/* Starts request i, or finishes it at once (skipped, past the deadline, cannot start). */
static int request_launch(CURLM *multi, struct run_ctx *ctx, struct request *r)
{
	/* an artifact's clock starts with its request, not with the plan */
	if (r->a) {
		r->a->start_ms = clock_real_ms();
		r->a->duration_ms = clock_mono_ms();
	}
	if (ctx->before && (r->skip_reason = ctx->before(r, ctx->done_data))) {
		if (r->gave_up) {
			r->aborted = 1;
			r->abort_reason = r->skip_reason;
		} else {
			r->skipped = 1;
		}
	} else {
		/* the deadline as it is now, not as it was when the plan was made */
		r->timeout_ms = clamp_timeout(r->timeout_ms, ctx->deadline_ms);
		if (r->timeout_ms <= 0) {
			r->aborted = 1;
			r->abort_reason = "collection deadline reached before the request";
		} else if (request_start(multi, r) < 0) {
			r->aborted = 1;
			r->abort_reason = "cannot start a libcurl transfer";
		} else {
			return 1;
		}
	}
	request_finish(ctx, r);
	return 0;
}

/*
 * Runs the requests and calls ctx->done for each as it ends (so an
 * artifact's duration is its own). With ctx->serial, background requests
 * start at once and the others one at a time, in order, each after
 * ctx->before agreed; otherwise all at once. Stops early, marking the rest
 * aborted, on an interrupt or at the deadline.
 */
static void run_requests(struct request *reqs, size_t nr, struct run_ctx *ctx)
{
	CURLM *multi = curl_multi_init();
	size_t i, ndone = 0, next = 0, fg = 0;	/* fg: serial requests in flight */
	const char *abort_reason = NULL;

	if (!multi)
		abort_reason = "cannot create a libcurl multi handle";
	for (i = 0; multi && i < nr; i++) {
		if (ctx->serial && !reqs[i].background)
			continue;
		if (!request_launch(multi, ctx, &reqs[i]))
			ndone++;
		else if (!reqs[i].background)
			fg++;
	}

	while (!abort_reason && ndone < nr) {
		int running = 0, left;
		CURLMsg *msg;
		CURLMcode mc;

		/* the next in line, once the one before it is done */
		while (ctx->serial && !fg && next < nr && !interrupted(ctx->interrupted)) {
			struct request *r = &reqs[next++];

			if (r->background)
				continue;
			if (request_launch(multi, ctx, r))
				fg++;
			else
				ndone++;
		}
		if (ndone >= nr)
			break;
		mc = curl_multi_perform(multi, &running);
		if (mc != CURLM_OK) {
			abort_reason = curl_multi_strerror(mc);
			break;
		}
		while ((msg = curl_multi_info_read(multi, &left))) {
			struct request *r = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			for (i = 0; i < nr; i++)
				if (reqs[i].easy == msg->easy_handle && !reqs[i].done)
					r = &reqs[i];
			if (!r)
				continue;
			r->result = msg->data.result;
			request_detach(multi, r);
			request_finish(ctx, r);
			ndone++;
			if (ctx->serial && !r->background)
				fg--;
		}
		if (ndone >= nr)
			break;
		if (interrupted(ctx->interrupted)) {
			abort_reason = "interrupted";
			break;
		}
		if (ctx->deadline_ms && clock_real_ms() >= ctx->deadline_ms) {
			abort_reason = "collection deadline reached";
			break;
		}
		progress_show(ctx, reqs, nr, ndone);
		/* a bounded wait, so an interrupt is noticed within POLL_INTERVAL_MS */
		curl_multi_poll(multi, NULL, 0, POLL_INTERVAL_MS, NULL);
	}

	for (i = 0; i < nr; i++) {
		struct request *r = &reqs[i];

		if (r->done)
			continue;
		if (r->easy)
			request_detach(multi, r);
		r->aborted = 1;
		r->abort_reason = abort_reason ? abort_reason :
			interrupted(ctx->interrupted) ? "interrupted" : "collection deadline reached";
		request_finish(ctx, r);
	}
	if (multi)
		curl_multi_cleanup(multi);
	progress_clear(ctx);
}

/* The request's timeout, cut short by the collection's deadline. */
static long clamp_timeout(long timeout_ms, int64_t deadline_ms)
{
	if (deadline_ms) {
		int64_t left = deadline_ms - clock_real_ms();

		if (left < timeout_ms)
			timeout_ms = left > 0 ? (long)left : 0;
	}
	return timeout_ms;
}

/* First line of a body, printable and short, for error messages. */
static void first_line(const struct strbuf *body, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < body->len && i < 200; i++) {
		unsigned char ch = (unsigned char)body->buf[i];

		if (ch == '\n' || ch == '\r')
			break;
		strbuf_addch(out, isprint(ch) ? (char)ch : '?');
	}
	if (!out->len)
		strbuf_addstr(out, "(empty body)");
}

/* Describes a failed transfer (not an HTTP status); empty when it did not fail. */
static void describe_transport(const struct request *r, struct strbuf *out)
{
	if (r->aborted) {
		strbuf_addstr(out, r->abort_reason ? r->abort_reason : "aborted");
		return;
	}
	if (r->result == CURLE_OK)
		return;
	if (r->result == CURLE_OPERATION_TIMEDOUT)
		strbuf_addf(out, "timeout after %ld ms: ", r->timeout_ms);
	strbuf_addstr(out, r->errbuf[0] ? r->errbuf : curl_easy_strerror(r->result));
}

/* ---- discovery ------------------------------------------------------------- */

struct candidate {
	char *listen;		/* the bound address, as the kernel lists it */
	unsigned long inode;
	char *base;		/* probe URL: .../debug/pprof/ */
	char *result;
	int ok;
};

struct discovery {
	struct candidate *cands;
	size_t nr, alloc;
	size_t skipped;		/* listeners beyond MAX_CANDIDATES */
	int chosen;		/* index, -1 when none */
};

static void discovery_release(struct discovery *d)
{
	size_t i;

	for (i = 0; i < d->nr; i++) {
		free(d->cands[i].listen);
		free(d->cands[i].base);
		free(d->cands[i].result);
	}
	free(d->cands);
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* Inodes of the process's sockets, from the "socket:[N]" links in /proc/PID/fd. */
static int socket_inodes(pid_t pid, unsigned long **out, size_t *nr, struct strbuf *err)
{
	char dir[64], target[128];
	DIR *d;
	struct dirent *de;
	size_t alloc = 0;

	*out = NULL;
	*nr = 0;
	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d)
		return error_set(err, "cannot list %s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		ssize_t n;
		unsigned long ino;

		if (de->d_name[0] == '.')
			continue;
		n = readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1);
		if (n <= 0)
			continue;	/* the fd closed meanwhile */
		target[n] = '\0';
		if (sscanf(target, "socket:[%lu]", &ino) != 1)
			continue;
		ALLOC_GROW(*out, *nr + 1, alloc);
		(*out)[(*nr)++] = ino;
	}
	closedir(d);
	sort_array(*out, *nr, sizeof(**out), cmp_ulong);
	return 0;
}

/* Where to probe a listener: loopback for wildcard binds, else the bound address. */
static void probe_host(int v6, const unsigned char *addr, struct strbuf *host, struct strbuf *listen)
{
	char text[INET6_ADDRSTRLEN];

	if (!v6) {
		inet_ntop(AF_INET, addr, text, sizeof(text));
		strbuf_addstr(listen, text);
		strbuf_addstr(host, addr[0] == 0 && addr[1] == 0 && addr[2] == 0 && addr[3] == 0 ?
			      "127.0.0.1" : text);
		return;
	}
	inet_ntop(AF_INET6, addr, text, sizeof(text));
	strbuf_addf(listen, "[%s]", text);
	if (IN6_IS_ADDR_UNSPECIFIED((const struct in6_addr *)addr)) {
		/* Go's ":port" is a dual-stack socket on "::" */
		strbuf_addstr(host, "127.0.0.1");
	} else if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)addr)) {
		inet_ntop(AF_INET, addr + 12, text, sizeof(text));
		strbuf_addstr(host, text);
	} else {
		strbuf_addf(host, "[%s]", text);
	}
}

static void add_candidate(struct discovery *d, const char *listen, const char *host,
			  unsigned port, unsigned long inode)
{
	struct candidate *cand;
	struct strbuf sb = STRBUF_INIT;

	if (d->nr >= MAX_CANDIDATES) {
		d->skipped++;
		return;
	}
	ALLOC_GROW(d->cands, d->nr + 1, d->alloc);
	cand = &d->cands[d->nr++];
	memset(cand, 0, sizeof(*cand));
	strbuf_addf(&sb, "%s:%u", listen, port);
	cand->listen = strbuf_detach(&sb, NULL);
	strbuf_addf(&sb, "http://%s:%u" PPROF_BASE_PATH, host, port);
	cand->base = strbuf_detach(&sb, NULL);
	cand->inode = inode;
}

/* Listening sockets (state 0A) of /proc/PID/net/tcp or tcp6 that the process owns. */
static void scan_listeners(struct discovery *d, pid_t pid, int v6,
			   const unsigned long *inodes, size_t nr_inodes)
{
	char path[64], addrhex[40], *line = NULL;
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, v6 ? "tcp6" : "tcp");
	f = fopen(path, "re");
	if (!f)
		return;	/* no IPv6 in this kernel, or the process is gone */
	while (getline(&line, &cap, f) > 0) {
		unsigned port, state;
		unsigned long inode;
		unsigned char addr[16];
		size_t i, words = v6 ? 4 : 1;
		struct strbuf host = STRBUF_INIT, listen = STRBUF_INIT;

		if (sscanf(line, " %*s %39[0-9A-Fa-f]:%x %*s %x %*s %*s %*s %*u %*u %lu",
			   addrhex, &port, &state, &inode) != 4)
			continue;	/* the header line */
		if (state != 0x0A || strlen(addrhex) != words * 8)
			continue;
		/* (no sockets of its own: inodes is NULL, which bsearch may not be given) */
		if (!nr_inodes || !bsearch(&inode, inodes, nr_inodes, sizeof(*inodes), cmp_ulong))
			continue;	/* another process's socket in the same namespace */
		/* the kernel prints each 32-bit word in host byte order */
		for (i = 0; i < words; i++) {
			char word[9];
			uint32_t w;

			memcpy(word, addrhex + 8 * i, 8);
			word[8] = '\0';
			w = (uint32_t)strtoul(word, NULL, 16);
			memcpy(addr + 4 * i, &w, 4);
		}
		probe_host(v6, addr, &host, &listen);
		add_candidate(d, listen.buf, host.buf, port, inode);
		/* a dual-stack socket may be IPv6-only after all: try ::1 too */
		if (v6 && IN6_IS_ADDR_UNSPECIFIED((const struct in6_addr *)addr))
			add_candidate(d, listen.buf, "[::1]", port, inode);
		strbuf_release(&host);
		strbuf_release(&listen);
	}
	free(line);
	fclose(f);
}

/* net/http/pprof's index: the page names the profiles it links to. */
static int is_pprof_index(const struct request *r)
{
	const char *body = strbuf_str(&r->body);

	return r->http_code == 200 && strstr(body, "pprof") && strstr(body, "heap") &&
	       strstr(body, "goroutine");
}

/*
 * The first link in an HTML page to something under ".../debug/pprof",
 * as a path on the same server ("/admin/debug/pprof/"). Links to other
 * hosts are not followed: discovery only talks to the target's own port.
 */
static int find_pprof_link(const char *html, struct strbuf *path)
{
	const char *p = html;

	while ((p = strstr(p, "href="))) {
		char quote;
		const char *v, *end, *hit;

		p += 5;
		quote = *p;
		if (quote != '"' && quote != '\'')
			continue;
		v = p + 1;
		end = strchr(v, quote);
		if (!end || end - v > 512)
			continue;
		hit = memmem(v, (size_t)(end - v), "debug/pprof", 11);
		if (!hit || memmem(v, (size_t)(end - v), "://", 3) || (v[0] == '/' && v[1] == '/'))
			continue;
		strbuf_reset(path);
		if (*v != '/')
			strbuf_addch(path, '/');
		strbuf_add(path, v, (size_t)(hit - v) + 11);
		strbuf_addch(path, '/');
		return 0;
	}
	return -1;
}

/*
 * Second round, for servers that mount pprof under a prefix (an admin
 * mux at /admin/debug/pprof/): fetch the root page of every listener that
 * spoke HTTP, follow its link to a pprof index, and probe that.
 */
static void follow_index_links(struct discovery *d, const struct request *first,
			       const struct run_ctx *outer)
{
	struct request *roots = xcalloc(d->nr, sizeof(*roots));
	struct request *linked = xcalloc(d->nr, sizeof(*linked));
	struct strbuf path = STRBUF_INIT;
	size_t *map = xcalloc(d->nr ? d->nr : 1, sizeof(*map));
	size_t i, nr_roots = 0, nr_linked = 0;
	struct run_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.interrupted = outer->interrupted;
	ctx.deadline_ms = outer->deadline_ms;
	ctx.cpu_index = (size_t)-1;
	for (i = 0; i < d->nr; i++) {
		size_t blen = strlen(d->cands[i].base), plen = strlen(PPROF_BASE_PATH);

		if (!first[i].http_code || blen <= plen)
			continue;	/* not an HTTP server */
		roots[nr_roots].url = xstrndup(d->cands[i].base, blen - plen + 1);
		roots[nr_roots].timeout_ms = clamp_timeout(PROBE_TIMEOUT_MS, outer->deadline_ms);
		roots[nr_roots].body_cap = PROBE_BODY_CAP;
		map[nr_roots++] = i;
	}
	if (nr_roots)
		run_requests(roots, nr_roots, &ctx);
	for (i = 0; i < nr_roots; i++) {
		struct strbuf url = STRBUF_INIT;
		size_t ulen = strlen(roots[i].url);

		if (roots[i].http_code != 200 || find_pprof_link(strbuf_str(&roots[i].body), &path) < 0)
			continue;
		strbuf_add(&url, roots[i].url, ulen - 1);	/* without the root's '/' */
		strbuf_add(&url, path.buf, path.len);
		if (!strcmp(url.buf, d->cands[map[i]].base)) {
			strbuf_release(&url);
			continue;	/* the link is where we already looked */
		}
		linked[nr_linked].url = strbuf_detach(&url, NULL);
		linked[nr_linked].timeout_ms = clamp_timeout(PROBE_TIMEOUT_MS, outer->deadline_ms);
		linked[nr_linked].body_cap = PROBE_BODY_CAP;
		map[nr_linked++] = map[i];	/* nr_linked <= i: map[i] is still unread */
	}
	if (nr_linked)
		run_requests(linked, nr_linked, &ctx);
	for (i = 0; i < nr_linked; i++) {
		struct candidate *cand = &d->cands[map[i]];

		if (linked[i].over_cap && !linked[i].aborted)
			linked[i].result = CURLE_OK;
		if (linked[i].result != CURLE_OK || !is_pprof_index(&linked[i]))
			continue;
		free(cand->base);
		cand->base = xstrdup(linked[i].url);
		free(cand->result);
		cand->result = xstrdup("ok: pprof index, linked from the server's root page");
		cand->ok = 1;
		d->chosen = (int)map[i];
		break;
	}
	for (i = 0; i < d->nr; i++) {
		request_release(&roots[i]);
		request_release(&linked[i]);
	}
	free(roots);
	free(linked);
	free(map);
	strbuf_release(&path);
}

/*
 * Finds the pprof endpoint among the process's listening sockets. Fills d
 * (every try, with its result); returns -1 with a reason when none answered.
 */
static int discover(struct discovery *d, pid_t pid, const struct run_ctx *outer, struct strbuf *err)
{
	unsigned long *inodes = NULL;
	size_t nr_inodes = 0, i;
	struct request *reqs = NULL;
	struct run_ctx ctx;
	int ret = -1;

	d->chosen = -1;
	if (socket_inodes(pid, &inodes, &nr_inodes, err) < 0)
		goto out;
	scan_listeners(d, pid, 0, inodes, nr_inodes);
	scan_listeners(d, pid, 1, inodes, nr_inodes);
	if (!d->nr) {
		error_set(err, "process %d has no listening TCP sockets", (int)pid);
		goto out;
	}

	reqs = xcalloc(d->nr, sizeof(*reqs));
	for (i = 0; i < d->nr; i++) {
		reqs[i].url = xstrdup(d->cands[i].base);
		reqs[i].timeout_ms = clamp_timeout(PROBE_TIMEOUT_MS, outer->deadline_ms);
		reqs[i].body_cap = PROBE_BODY_CAP;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.interrupted = outer->interrupted;
	ctx.deadline_ms = outer->deadline_ms;
	ctx.cpu_index = (size_t)-1;
	run_requests(reqs, d->nr, &ctx);

	for (i = 0; i < d->nr; i++) {
		struct request *r = &reqs[i];
		struct candidate *cand = &d->cands[i];
		struct strbuf res = STRBUF_INIT;

		/* a probe cut at its small cap still has the page's start to look at */
		if (r->over_cap && !r->aborted)
			r->result = CURLE_OK;
		describe_transport(r, &res);
		if (!res.len) {
			if (r->http_code != 200) {
				strbuf_addstr(&res, r->status_line.len ? r->status_line.buf :
					      "no HTTP status line");
			} else if (!is_pprof_index(r)) {
				strbuf_addstr(&res, "HTTP 200, but not a pprof index");
			} else {
				strbuf_addstr(&res, "ok: pprof index");
				cand->ok = 1;
				if (d->chosen < 0)
					d->chosen = (int)i;
			}
		}
		cand->result = strbuf_detach(&res, NULL);
	}
	if (d->chosen < 0)
		follow_index_links(d, reqs, outer);
	if (d->chosen >= 0) {
		ret = 0;
		goto out;
	}

	strbuf_reset(err);
	strbuf_addstr(err, "tried ");
	for (i = 0; i < d->nr; i++)
		strbuf_addf(err, "%s%s (%s)", i ? ", " : "", d->cands[i].base, d->cands[i].result);
	if (d->skipped)
		strbuf_addf(err, " and left %zu more listening sockets untried", d->skipped);

out:
	for (i = 0; reqs && i < d->nr; i++)
		request_release(&reqs[i]);
	free(reqs);
	free(inodes);
	return ret;
}

static struct json_object *endpoint_json(const struct pprof_options *o, const char *netns,
					 const struct discovery *d, const char *chosen,
					 const char *error)
{
	struct json_object *root = json_object_new_object();
	size_t i;

	if (o->pid)
		json_object_object_add(root, "pid", json_object_new_int(o->pid));
	json_object_object_add(root, "network_namespace", json_object_new_string(netns));
	json_object_object_add(root, "method", json_object_new_string(
		o->url ? "given" : "discovered"));
	if (o->url) {
		/* triage's own credentials ("http://user:pw@host/?token=x") stay behind too */
		struct strbuf red = STRBUF_INIT;

		cmdline_redact(o->url, strlen(o->url), &red);
		json_object_object_add(root, "given_url", json_object_new_string(strbuf_str(&red)));
		strbuf_release(&red);
	}
	if (!o->url) {
		struct json_object *arr = json_object_new_array();

		for (i = 0; d && i < d->nr; i++) {
			struct json_object *e = json_object_new_object();
			const struct candidate *cand = &d->cands[i];

			json_object_object_add(e, "url", json_object_new_string(cand->base));
			json_object_object_add(e, "listen", json_object_new_string(cand->listen));
			json_object_object_add(e, "socket_inode", json_object_new_uint64(cand->inode));
			json_object_object_add(e, "result", json_object_new_string(
				cand->result ? cand->result : "not probed"));
			json_object_array_add(arr, e);
		}
		json_object_object_add(root, "candidates", arr);
		if (d && d->skipped)
			json_object_object_add(root, "untried_listeners",
					       json_object_new_uint64(d->skipped));
	}
	if (chosen) {
		struct strbuf red = STRBUF_INIT;

		cmdline_redact(chosen, strlen(chosen), &red);
		json_object_object_add(root, "chosen", json_object_new_string(strbuf_str(&red)));
		strbuf_release(&red);
	} else {
		json_object_object_add(root, "chosen", NULL);
	}
	if (error)
		json_object_object_add(root, "error", json_object_new_string(error));
	return root;
}

static void json_to_artifact(struct json_object *obj, struct artifact *a)
{
	strbuf_addstr(&a->data, json_object_to_json_string_ext(obj,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	strbuf_addch(&a->data, '\n');
}

/* ---- MemStats ---------------------------------------------------------------- */

/* ---- the collection proper --------------------------------------------------- */

enum memstats_origin { MS_NONE, MS_EXPVAR, MS_DEBUG1 };

/* What the plan knows as it goes, and where finished artifacts go. */
struct fetch_ctx {
	struct collection *c;
	const struct pprof_options *o;
	/* the pprof index's counts, -1 when unknown (no index, or no such row) */
	long long count_goroutine, count_heap, count_mutex, count_block;
	/* from the profiles as they arrive, -1 when unknown */
	long long heap_stacks, goroutines;
	struct memstats ms;
	enum memstats_origin ms_from;
	struct strbuf ms_why;	/* why MemStats could not be read from a source */
	int cpu_seconds;	/* asked for in the URL */
	int cpu_profiled;	/* seconds the CPU profile that arrived covered */
	int silent;		/* requests in a row that timed out without a byte */
	struct json_object *plan;	/* path -> what was decided and why */
	void (*emit)(struct collection *lc, struct artifact *a, void *data);
	void *emit_data;
};

static void plan_note(struct fetch_ctx *fc, const char *path, const char *decision,
		      const char *why)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "decision", json_object_new_string(decision));
	if (why)
		json_object_object_add(o, "why", json_object_new_string(why));
	json_object_object_add(fc->plan, path, o);
}

/*
 * The count of a profile in net/http/pprof's index page, whose rows read
 * "<tr><td>COUNT</td><td><a href='NAME?debug=1'>NAME</a></td></tr>" (the
 * count is the first number of the row in every Go release's layout).
 * runtime.NumGoroutine() and the number of heap profile records cost the
 * target nothing to count, so the index is the cheapest probe there is.
 */
long long pprof_index_count(const char *html, const char *name)
{
	const char *q = "'\"", *hit = NULL, *row, *p;
	char want[64];
	long long n = -1;

	for (; *q && !hit; q++) {
		if ((size_t)snprintf(want, sizeof(want), "href=%c%s?debug=1%c", *q, name, *q) >= sizeof(want))
			return -1;
		hit = strstr(html, want);
	}
	if (!hit)
		return -1;
	/* the row's start: the last "<tr" before the link, within a sane distance */
	for (row = hit; row > html && hit - row < 256; row--)
		if (!strncmp(row, "<tr", 3))
			break;
	if (strncmp(row, "<tr", 3))
		return -1;
	for (p = row; p < hit; p++) {
		if (*p == '>' && isdigit((unsigned char)p[1])) {
			char *end;

			errno = 0;
			n = strtoll(p + 1, &end, 10);
			if (errno || n < 0 || end > hit)
				return -1;
			return n;
		}
	}
	return -1;
}

/* A size for people, from a count and a per-item estimate: "about 35 MB". */
static void about_bytes(struct strbuf *out, long long items, long long per_item)
{
	double b = (double)items * (double)per_item;

	if (b >= 1e9)
		strbuf_addf(out, "about %.1f GB", b / 1e9);
	else if (b >= 1e6)
		strbuf_addf(out, "about %.0f MB", b / 1e6);
	else
		strbuf_addf(out, "about %.0f kB", b / 1e3);
}

/*
 * expvar publishes os.Args as "cmdline": the same secrets the proc source
 * redacts from /proc/PID/cmdline must not leave through here, nor do the
 * values of variables whose names look secret ("db_password",
 * "upstream_api_token"). Output that is not the JSON object expvar serves
 * is not stored at all.
 */
static int redact_expvar(struct strbuf *data, struct strbuf *err)
{
	json_object *root = json_tokener_parse(data->buf ? data->buf : "");
	json_object *cmd, *clean;
	struct strbuf joined = STRBUF_INIT, red = STRBUF_INIT;
	size_t i, n, start;

	if (!root || !json_object_is_type(root, json_type_object)) {
		if (root)
			json_object_put(root);
		strbuf_reset(data);
		return error_set(err, "/debug/vars is not a JSON object; not stored, as it may hold secrets");
	}
	if (json_object_object_get_ex(root, "cmdline", &cmd) && json_object_is_type(cmd, json_type_array)) {
		n = json_object_array_length(cmd);
		for (i = 0; i < n; i++) {
			strbuf_addstr(&joined, json_object_get_string(json_object_array_get_idx(cmd, i)));
			strbuf_addch(&joined, '\0');
		}
		cmdline_redact(joined.buf ? joined.buf : "", joined.len, &red);
		clean = json_object_new_array();
		for (start = 0, i = 0; i < red.len; i++) {
			if (red.buf[i])
				continue;
			json_object_array_add(clean, json_object_new_string_len(red.buf + start, (int)(i - start)));
			start = i + 1;
		}
		json_object_object_add(root, "cmdline", clean);
	}
	{
		struct strlist secret = STRLIST_INIT;

		/* names first: replacing values while iterating is not json-c's promise */
		json_object_object_foreach(root, key, val) {
			(void)val;
			if (is_secret_name(key, strlen(key)))
				strlist_add(&secret, key);
		}
		for (i = 0; i < secret.nr; i++)
			json_object_object_add(root, secret.items[i], json_object_new_string("REDACTED"));
		strlist_release(&secret);
	}
	strbuf_reset(data);
	strbuf_addstr(data, json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	strbuf_release(&joined);
	strbuf_release(&red);
	return 0;
}

/* ---- pprof labels whose keys look secret ------------------------------------ */

/*
 * Replaces, in a serialized Profile, the strings used as values of labels
 * whose keys look secret ("auth_token", "request_token") with "REDACTED".
 * The string table is a top-level field, so only its entries' own length
 * prefixes change. 1 and out filled if anything was redacted, 0 if nothing
 * was, -1 if the bytes are not a profile as far as this reads.
 */
static int redact_label_values(const unsigned char *buf, size_t len, struct strbuf *out)
{
	const unsigned char *p, *end = buf + len, *q;
	const unsigned char **str = NULL;
	size_t *str_len = NULL, nr = 0, alloc = 0, k;
	unsigned char *mark = NULL;
	struct pb_field f, sf, lf;
	int any = 0, ret = -1;

	for (p = buf; p < end;) {
		if (pb_field_next(&p, end, &f) < 0)
			goto out;
		if (f.num == 6 && f.wt == 2) {
			ALLOC_GROW(str, nr + 1, alloc);
			str_len = xreallocarray(str_len, alloc, sizeof(*str_len));
			str[nr] = f.data;
			str_len[nr++] = f.len;
		}
	}
	mark = xcalloc(nr ? nr : 1, 1);
	for (p = buf; p < end;) {
		pb_field_next(&p, end, &f);
		if (f.num != 2 || f.wt != 2)
			continue;
		for (q = f.data; q < f.data + f.len;) {
			const unsigned char *lp, *le;
			uint64_t key = 0, val = 0;

			if (pb_field_next(&q, f.data + f.len, &sf) < 0)
				goto out;
			if (sf.num != 3 || sf.wt != 2)
				continue;
			for (lp = sf.data, le = sf.data + sf.len; lp < le;) {
				if (pb_field_next(&lp, le, &lf) < 0)
					goto out;
				if (lf.num == 1 && lf.wt == 0)
					key = lf.v;
				else if (lf.num == 2 && lf.wt == 0)
					val = lf.v;
			}
			if (val && val < nr && key < nr && is_secret_name((const char *)str[key], str_len[key]))
				mark[val] = any = 1;
		}
	}
	ret = 0;
	if (!any)
		goto out;
	for (p = buf, k = 0; p < end;) {
		const unsigned char *start = p;

		pb_field_next(&p, end, &f);
		if (f.num == 6 && f.wt == 2 && mark[k++]) {
			strbuf_addstr(out, "\x32\x08REDACTED");
			continue;
		}
		strbuf_add(out, start, (size_t)(p - start));
	}
	ret = 1;
out:
	free(str);
	free(str_len);
	free(mark);
	return ret;
}

/* Gzip, as Go serves profiles. */
static int gzip_into(const struct strbuf *in, struct strbuf *out)
{
	z_stream z;
	int r;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	strbuf_grow(out, deflateBound(&z, in->len));
	z.next_in = (unsigned char *)(in->buf ? in->buf : "");
	z.avail_in = (uInt)in->len;
	z.next_out = (unsigned char *)out->buf + out->len;
	z.avail_out = (uInt)(out->alloc - out->len - 1);
	r = deflate(&z, Z_FINISH);
	out->len += z.total_out;
	out->buf[out->len] = '\0';
	deflateEnd(&z);
	return r == Z_STREAM_END ? 0 : -1;
}

/*
 * pprof labels whose keys look secret (goroutine and CPU profiles carry
 * them) have their values replaced. Returns how many profiles changed:
 * 0 or 1; -1 with why if the profile could not be rewritten (it is then
 * not stored, as it may hold secrets).
 */
static int redact_profile_labels(struct strbuf *data, struct strbuf *why)
{
	struct mem_reader mr = { (const unsigned char *)data->buf, data->len, 0 };
	struct strbuf raw = STRBUF_INIT, red = STRBUF_INIT, gz = STRBUF_INIT;
	struct instream in;
	char chunk[65536];
	ssize_t n;
	int gzip, r = -1;

	if (instream_init(&in, mem_reader_read, &mr, "profile", 0, why) < 0)
		goto out;
	gzip = in.gzip;
	while ((n = instream_read(&in, chunk, sizeof(chunk), why)) > 0)
		strbuf_add(&raw, chunk, (size_t)n);
	if (n < 0)
		goto out;
	r = redact_label_values((const unsigned char *)(raw.buf ? raw.buf : ""), raw.len, &red);
	if (r < 0) {
		error_set(why, "cannot read its labels");
		goto out;
	}
	if (r == 1) {
		if (gzip && gzip_into(&red, &gz) < 0) {
			r = -1;
			error_set(why, "cannot compress it again after redacting labels");
			goto out;
		}
		strbuf_reset(data);
		strbuf_add(data, gzip ? gz.buf : red.buf, gzip ? gz.len : red.len);
	}
out:
	instream_release(&in);
	strbuf_release(&raw);
	strbuf_release(&red);
	strbuf_release(&gz);
	return r;
}

/*
 * A .pb.gz artifact is stored as ok only if it decodes as a pprof profile:
 * a proxy or an HTML index answering 200 is not a profile (issue 17). The
 * decoder reads the artifact where it is (memory or its spill file), and
 * the profile tells the plan how many stacks and goroutines there are and
 * whether any sample carries labels (only then are they rewritten).
 */
/*
 * A profile bigger than this (compressed) is checked as a stream, so
 * collect's memory does not follow the target's profile sizes: decoding
 * a 250k-stack heap profile whole took 30 MB.
 */
#define PROFILE_DECODE_MAX (512u << 10)

/* What the plan learns from a profile, read whole when small, as a stream when big. */
static int check_profile(struct fetch_ctx *fc, struct request *r, int *has_labels,
			 struct strbuf *why)
{
	struct profile_options opt = { 0, 0 };
	struct artifact_reader rd = { r->c, r->a, 0 };
	struct profile_scan ps;
	struct profile p;
	size_t i;
	int ret = -1, sat = 0;

	profile_init(&p);
	if (artifact_size(r->a) > PROFILE_DECODE_MAX) {
		if (profile_scan(artifact_reader_read, &rd, r->a->path, 0, &ps, why) < 0)
			goto out;
	} else {
		if (profile_decode(&p, artifact_reader_read, &rd, r->a->path, &opt, why) < 0)
			goto out;
		memset(&ps, 0, sizeof(ps));
		ps.samples = p.nr_samples;
		ps.duration_nanos = p.duration_nanos;
		for (i = 0; i < p.nr_labels; i++)
			ps.str_labels += p.labels[i].str != 0;
		for (i = 0; p.nr_values && i < p.nr_samples; i++)
			ps.first_value_sum = sat_add64(ps.first_value_sum, profile_value(&p, i, 0), &sat);
	}
	/* only string values can hold secrets: heap profiles' "bytes" labels are numbers */
	*has_labels = ps.str_labels > 0;
	if (!strcmp(r->src->path, ART_PROFILE_HEAP))
		fc->heap_stacks = (long long)ps.samples;
	else if (!strcmp(r->src->path, ART_PROFILE_GOROUTINE))
		fc->goroutines = ps.first_value_sum;
	else if (r->src->cpu && ps.duration_nanos > 0)
		fc->cpu_profiled = (int)((ps.duration_nanos + 500000000) / 1000000000);
	ret = 0;
out:
	profile_release(&p);
	return ret;
}

/*
 * Reads the artifact back, passes it through fn (a redaction) and stores
 * what fn left; data keeps it for the caller. 0, or -1 with why.
 */
static int rewrite_artifact(struct request *r, int (*fn)(struct strbuf *, struct strbuf *),
			    struct strbuf *data, struct strbuf *why)
{
	if (artifact_read_all(r->c, r->a, data) < 0)
		return error_set(why, "cannot read it back: %s", strerror(errno));
	if (fn(data, why) < 0)
		return -1;
	artifact_clear(r->a);
	artifact_append(r->c, r->a, data->buf ? data->buf : "", data->len);
	return 0;
}

/* expvar's JSON, redacted, and its MemStats when it has them. */
static int finish_expvar(struct fetch_ctx *fc, struct request *r, struct strbuf *why)
{
	struct strbuf data = STRBUF_INIT, err = STRBUF_INIT;
	struct memstats m;
	int ret = -1;

	if (rewrite_artifact(r, redact_expvar, &data, why) < 0)
		goto out;
	memstats_init(&m);
	if (memstats_parse_json(data.buf ? data.buf : "", data.len, &m, &err) == 0) {
		fc->ms = m;
		fc->ms_from = MS_EXPVAR;
	} else {
		strbuf_addf(&fc->ms_why, "/debug/vars: %s; ", err.buf);
	}
	ret = 0;
out:
	strbuf_release(&data);
	strbuf_release(&err);
	return ret;
}

/*
 * heap?debug=1 arrived as a stream of which only the last TRAILER_KEEP
 * bytes were kept: the "# runtime.MemStats" trailer is all triage reads
 * of it (the per-stack text is what the heap profile already holds).
 */
static int finish_debug1(struct fetch_ctx *fc, struct request *r, struct strbuf *why)
{
	const char *t = strbuf_str(&r->body), *start = NULL, *p = t;
	struct strbuf note = STRBUF_INIT, err = STRBUF_INIT;
	struct memstats m;
	int ret = -1;

	while ((p = strstr(p, "# runtime.MemStats"))) {
		if (p == t || p[-1] == '\n')
			start = p;
		p++;
	}
	if (!start) {
		error_set(why, "no '# runtime.MemStats' trailer in the last %d bytes of %" PRIu64
			  " served", TRAILER_KEEP, r->served);
		goto out;
	}
	artifact_append(r->c, r->a, start, r->body.len - (size_t)(start - t));
	strbuf_addf(&note, "the # runtime.MemStats trailer only, of %" PRIu64 " bytes served"
		    " (the per-stack text is what the heap profile holds)", r->served);
	free(r->a->note);
	r->a->note = strbuf_detach(&note, NULL);
	memstats_init(&m);
	if (memstats_parse_debug1(start, r->body.len - (size_t)(start - t), &m, &err) == 0) {
		if (fc->ms_from != MS_EXPVAR) {
			fc->ms = m;
			fc->ms_from = MS_DEBUG1;
		}
	} else {
		strbuf_addf(&fc->ms_why, "heap?debug=1: %s; ", err.buf);
	}
	ret = 0;
out:
	strbuf_release(&note);
	strbuf_release(&err);
	return ret;
}

static void finish_artifact(struct request *r, void *data)
{
	struct fetch_ctx *fc = data;
	struct artifact *a = r->a;
	struct strbuf why = STRBUF_INIT, line = STRBUF_INIT, rewritten = STRBUF_INIT;
	int labels = 0;

	describe_transport(r, &why);
	if (r->skipped) {
		artifact_skip(a, "%s", r->skip_reason);
	} else if (r->over_cap && !r->aborted) {
		artifact_fail(a, "response from %s larger than the cap of %" PRIu64 " bytes; truncated",
			      r->url, fc->c->max_artifact_bytes);
	} else if (why.len) {
		artifact_fail(a, "%s", why.buf);
	} else if (r->http_code != 200) {
		if (r->src->expvar && r->http_code == 404) {
			artifact_skip(a, "the program does not import expvar");
		} else {
			first_line(r->tail_only ? &r->body : &a->data, &line);
			artifact_fail(a, "%s: %s", r->status_line.len ? r->status_line.buf :
				      "unexpected HTTP status", line.buf);
		}
	} else if (!r->served) {
		artifact_fail(a, "empty response from %s", r->url);
	} else if (r->tail_only && finish_debug1(fc, r, &why) < 0) {
		artifact_fail(a, "%s", why.buf);
	} else if (r->src->expvar && finish_expvar(fc, r, &why) < 0) {
		artifact_fail(a, "%s", why.buf);
	} else if (!r->src->text && check_profile(fc, r, &labels, &why) < 0) {
		artifact_clear(a);
		artifact_fail(a, "the response from %s is not a profile: %s", r->url, why.buf);
	} else if (labels && rewrite_artifact(r, redact_profile_labels, &rewritten, &why) < 0) {
		artifact_clear(a);
		artifact_fail(a, "not stored, as it may hold secrets in its labels: %s", why.buf);
	} else {
		artifact_ok(a);
	}
	if (r->result == CURLE_OPERATION_TIMEDOUT && !r->served && !r->src->cpu)
		fc->silent++;
	else if (!r->skipped && !r->gave_up && !r->src->cpu)
		fc->silent = 0;
	plan_note(fc, r->src->path, a->status == ARTIFACT_SKIPPED ? "skipped" :
		  a->status == ARTIFACT_OK ? "fetched" : "failed",
		  r->skipped ? r->skip_reason : a->error);
	fc->emit(fc->c, a, fc->emit_data);
	strbuf_release(&why);
	strbuf_release(&line);
	strbuf_release(&rewritten);
}

/* The request's goroutine count: the index's, else the census's, else the goroutine profile's; -1 unknown. */
static long long goroutine_count(const struct fetch_ctx *fc)
{
	if (fc->count_goroutine >= 0)
		return fc->count_goroutine;
	return fc->o->census_goroutines >= 0 ? fc->o->census_goroutines : fc->goroutines;
}

static long long heap_stack_count(const struct fetch_ctx *fc)
{
	return fc->heap_stacks >= 0 ? fc->heap_stacks : fc->count_heap;
}

/*
 * The plan's decision for one request, as it is about to start (so it
 * knows what the requests before it found). NULL: go; otherwise why not.
 */
static char *plan_before(struct request *r, void *data)
{
	struct fetch_ctx *fc = data;
	const struct pprof_options *o = fc->o;
	const struct pprof_source *s = r->src;
	struct strbuf why = STRBUF_INIT;
	long long n;

	if (fc->silent >= 2 && !s->cpu) {
		/* a target that answers nothing would make every request wait its whole timeout */
		r->gave_up = 1;
		strbuf_addf(&why, "given up: the target stopped answering (%d requests in a row timed out"
			    " without a byte)", fc->silent);
	} else if (s->cpu && !fc->cpu_seconds) {
		strbuf_addstr(&why, "the CPU profile was not asked for (0 seconds)");
	} else if (o->near_limit && !o->force && (s->cpu || (s->text && !s->expvar))) {
		/* a dump that makes the target allocate must not be what kills it */
		strbuf_addstr(&why, "skipped near the memory limit: building it makes the target allocate"
			      " (--force takes it anyway)");
	} else if (!strcmp(s->path, ART_HEAP_DEBUG1)) {
		n = heap_stack_count(fc);
		if (fc->ms_from == MS_EXPVAR)
			strbuf_addstr(&why, "MemStats came from /debug/vars (expvar), which costs the target"
				      " one ReadMemStats; heap?debug=1 would also format every heap stack");
		else if (n > o->heap_text_max && !o->force) {
			strbuf_addf(&why, "the heap profile has %lld stacks: heap?debug=1 would be ", n);
			about_bytes(&why, n, 700);
			strbuf_addf(&why, " of text the target formats while holding the profile lock, for its"
				    " MemStats trailer alone (more than %ld stacks; import expvar for MemStats,"
				    " or --force)", o->heap_text_max);
		}
	} else if (!strcmp(s->path, ART_GOROUTINE_DEBUG2) && !o->force) {
		n = goroutine_count(fc);
		if (n < 0)
			strbuf_addstr(&why, "the goroutine count is unknown (no index, no goroutine profile):"
				      " goroutine?debug=2 stops the world for as long as it formats every stack");
		else if (n > o->goroutine_dump_max)
			strbuf_addf(&why, "%lld goroutines, more than --goroutine-dump-max %ld: goroutine?debug=2"
				    " stops the world while it formats every stack; %s", n, o->goroutine_dump_max,
				    o->census_goroutines >= 0 ? "the goroutine census read them from the target's memory" :
				    "the goroutine profile has their stacks, counted");
	} else if (!strcmp(s->path, ART_PROFILE_GOROUTINE) && !o->force && !o->cheap_only &&
		   o->census_goroutines > o->goroutine_dump_max) {
		/*
		 * The profile copies a 256-byte record per goroutine and builds
		 * a key string per stack in the target: 18-22 MB of its heap at
		 * 50k goroutines (tests/bench-collect.sh). The census read the
		 * same goroutines from its memory for nothing.
		 */
		strbuf_addf(&why, "the goroutine census read %lld goroutines from the target's memory (%s),"
			    " more than --goroutine-dump-max %ld: the goroutine profile would make the"
			    " target allocate ", o->census_goroutines, ART_GOROUTINE_CENSUS,
			    o->goroutine_dump_max);
		about_bytes(&why, o->census_goroutines, 400);
		strbuf_addstr(&why, " (--force takes it)");
	} else if (!strcmp(s->path, ART_PROFILE_HEAP) && o->near_limit && !o->force &&
		   (n = heap_stack_count(fc)) > o->heap_text_max) {
		strbuf_addf(&why, "skipped near the memory limit: the heap profile has %lld stacks, and"
			    " building it makes the target allocate (--force takes it anyway)", n);
	} else if ((!strcmp(s->path, ART_PROFILE_MUTEX) && !fc->count_mutex) ||
		   (!strcmp(s->path, ART_PROFILE_BLOCK) && !fc->count_block)) {
		strbuf_addf(&why, "the pprof index lists no %s records: the program has not enabled it"
			    " (runtime.%s) or nothing has waited yet", s->index_name,
			    !strcmp(s->path, ART_PROFILE_MUTEX) ? "SetMutexProfileFraction" : "SetBlockProfileRate");
	}
	if (!why.len) {
		strbuf_release(&why);
		return NULL;
	}
	return strbuf_detach(&why, NULL);
}

static void fail_sources(struct collection *lc, const struct pprof_options *o, const char *why)
{
	size_t i;

	for (i = 0; i < NR_SOURCES; i++)
		if (source_wanted(&sources[i], o))
			artifact_fail(collection_add(lc, sources[i].path, SOURCE_PPROF), "%s", why);
	artifact_fail(collection_add(lc, ART_MEMSTATS, SOURCE_PPROF), "%s", why);
}

static void add_memstats(struct fetch_ctx *fc, struct artifact *a)
{
	struct artifact *heap = collection_find(fc->c, ART_HEAP_DEBUG1);

	if (fc->ms_from != MS_NONE) {
		memstats_to_json(&fc->ms, &a->data);
		artifact_ok(a);
		a->note = xstrdup(fc->ms_from == MS_EXPVAR ? "from /debug/vars (expvar)" :
				  "from the heap?debug=1 trailer");
	} else if (heap && heap->status == ARTIFACT_SKIPPED && !fc->ms_why.len) {
		artifact_skip(a, "no source of MemStats: no expvar, and heap?debug=1 %s",
			      heap->error ? heap->error : "skipped");
	} else {
		if (heap && heap->status != ARTIFACT_OK && heap->error)
			strbuf_addf(&fc->ms_why, "heap?debug=1: %s; ", heap->error);
		if (fc->ms_why.len >= 2)
			fc->ms_why.len -= 2;
		artifact_fail(a, "no MemStats: %s", fc->ms_why.len ? fc->ms_why.buf : "no source answered");
	}
}

static const char *netns_label(int netns_state)
{
	return netns_state > 0 ? "same as triage" :
	       netns_state == 0 ? "the target's own (entered by a helper)" : "unknown";
}

/* Fetches the index page for its counts; 0 when it answered. */
static int read_index(struct fetch_ctx *fc, const char *base, const struct strbuf *query,
		      struct run_ctx *outer)
{
	struct request r;
	struct run_ctx ctx;
	struct strbuf url = STRBUF_INIT;
	const char *html;
	int ret = -1;

	memset(&r, 0, sizeof(r));
	memset(&ctx, 0, sizeof(ctx));
	strbuf_addstr(&url, base);
	add_query(&url, query);
	r.url = strbuf_detach(&url, NULL);
	r.timeout_ms = clamp_timeout(PROBE_TIMEOUT_MS * 3, outer->deadline_ms);
	r.body_cap = INDEX_BODY_CAP;
	r.env_proxy = !fc->o->pid && !is_loopback_url(r.url);
	ctx.interrupted = outer->interrupted;
	ctx.deadline_ms = outer->deadline_ms;
	ctx.cpu_index = (size_t)-1;
	run_requests(&r, 1, &ctx);
	if (r.http_code == 200 && (r.result == CURLE_OK || (r.over_cap && !r.aborted))) {
		html = strbuf_str(&r.body);
		fc->count_goroutine = pprof_index_count(html, "goroutine");
		fc->count_heap = pprof_index_count(html, "heap");
		fc->count_mutex = pprof_index_count(html, "mutex");
		fc->count_block = pprof_index_count(html, "block");
		ret = 0;
	}
	request_release(&r);
	return ret;
}

static void add_counts(struct json_object *root, const struct fetch_ctx *fc)
{
	struct json_object *o = json_object_new_object();

#define COUNT(name, v) if ((v) >= 0) json_object_object_add(o, name, json_object_new_int64(v))
	COUNT("goroutines", goroutine_count(fc));
	COUNT("heap_stacks", heap_stack_count(fc));
	COUNT("mutex_records", fc->count_mutex);
	COUNT("block_records", fc->count_block);
#undef COUNT
	json_object_object_add(root, "counts", o);
	json_object_object_add(root, "cpu_seconds_profiled", json_object_new_int(fc->cpu_profiled));
}

/*
 * Fills lc (a collection without prefix) with every pprof artifact, handing
 * each to emit as soon as it is finished. Runs in the caller, or in the
 * helper that joined the target's network namespace.
 */
static void collect_into(struct collection *lc, const struct pprof_options *o, int netns_state,
			 void (*emit)(struct collection *, struct artifact *, void *), void *emit_data)
{
	struct strbuf base = STRBUF_INIT, vars = STRBUF_INIT, query = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT, why = STRBUF_INIT;
	struct discovery d;
	struct request *reqs = NULL;
	struct run_ctx ctx;
	struct fetch_ctx fc;
	struct json_object *ep_json;
	struct artifact *ms;
	size_t i, nr = 0;
	long timeout = o->timeout_ms > 0 ? o->timeout_ms : PPROF_DEFAULT_TIMEOUT_MS;
	int cpu_seconds = o->cpu_seconds < 0 ? PPROF_DEFAULT_CPU_SECONDS : o->cpu_seconds;
	int found;

	memset(&d, 0, sizeof(d));
	d.chosen = -1;
	memset(&ctx, 0, sizeof(ctx));
	ctx.interrupted = lc->interrupted;
	ctx.deadline_ms = o->deadline_ms;
	ctx.cpu_index = (size_t)-1;
	memset(&fc, 0, sizeof(fc));
	fc.c = lc;
	fc.o = o;
	fc.count_goroutine = fc.count_heap = fc.count_mutex = fc.count_block = -1;
	fc.heap_stacks = fc.goroutines = -1;
	strbuf_init(&fc.ms_why);
	fc.plan = json_object_new_object();
	fc.emit = emit;
	fc.emit_data = emit_data;

	if (o->url)
		found = normalise_url(o->url, &base, &vars, &query, &err) == 0;
	else if (!o->pid)
		found = !error_set(&err, "no pprof URL and no PID to discover one from");
	else if (discover(&d, o->pid, &ctx, &err) == 0) {
		found = 1;
		normalise_url(d.cands[d.chosen].base, &base, &vars, &query, &err);
	} else {
		found = 0;
	}
	if (!found) {
		if (o->url)
			strbuf_addf(&why, "bad pprof URL: %s", err.buf);
		else
			strbuf_addf(&why, "no pprof endpoint found: %s", err.buf);
		fail_sources(lc, o, why.buf);
		for (i = 0; i < lc->nr; i++)
			emit(lc, &lc->arts[i], emit_data);
		goto endpoint;
	}

	/* a CPU profile that fits the deadline beats a timeout with nothing */
	if (o->deadline_ms && cpu_seconds > 0) {
		int64_t left = o->deadline_ms - clock_real_ms() - 1000;

		if (left < (int64_t)cpu_seconds * 1000)
			cpu_seconds = left >= 2000 ? (int)(left / 1000) : 1;
	}
	fc.cpu_seconds = cpu_seconds;

	/* the counts first: they cost the target nothing and steer the plan */
	if (read_index(&fc, base.buf, &query, &ctx) < 0)
		plan_note(&fc, "index", "failed", "the pprof index did not answer: no counts to plan with");

	/* all artifacts exist before any transfer: their pointers stay put */
	reqs = xcalloc(NR_SOURCES, sizeof(*reqs));
	for (i = 0; i < NR_SOURCES; i++) {
		const struct pprof_source *s = &sources[i];
		struct request *r;
		struct strbuf url = STRBUF_INIT;

		if (!source_wanted(s, o))
			continue;
		r = &reqs[nr++];
		if (s->expvar) {
			strbuf_addstr(&url, vars.buf);
		} else {
			strbuf_addstr(&url, base.buf);
			strbuf_addstr(&url, s->endpoint);
			if (o->gc_heap && !strcmp(s->path, ART_PROFILE_HEAP))
				strbuf_addstr(&url, PPROF_QUERY_GC);
		}
		if (s->cpu) {
			strbuf_addf(&url, "%d", cpu_seconds);
			r->timeout_ms = (long)cpu_seconds * 1000 + timeout;
			r->background = 1;
			ctx.cpu_index = (size_t)(r - reqs);
			ctx.cpu_end_mono = clock_mono_ms() + (int64_t)cpu_seconds * 1000;
		} else {
			r->timeout_ms = timeout;
		}
		r->tail_only = !strcmp(s->path, ART_HEAP_DEBUG1);
		add_query(&url, &query);
		r->url = strbuf_detach(&url, NULL);
		r->src = s;
		/* like Go's ProxyFromEnvironment: remote targets only, never loopback */
		r->env_proxy = !o->pid && !is_loopback_url(r->url);
		r->c = lc;
	}
	for (i = 0; i < nr; i++)
		collection_add(lc, reqs[i].src->path, SOURCE_PPROF);
	collection_add(lc, ART_MEMSTATS, SOURCE_PPROF);
	/* only now, with every artifact added, do their addresses stay put */
	ms = collection_find(lc, ART_MEMSTATS);
	for (i = 0; i < nr; i++)
		reqs[i].a = collection_find(lc, reqs[i].src->path);

	ctx.progress = o->progress;
	ctx.serial = 1;
	ctx.before = plan_before;
	ctx.done = finish_artifact;
	ctx.done_data = &fc;
	run_requests(reqs, nr, &ctx);
	add_memstats(&fc, ms);
	emit(lc, ms, emit_data);

endpoint:
	{
		struct artifact *ep = collection_add(lc, ART_PPROF_ENDPOINT, SOURCE_PPROF);

		ep_json = endpoint_json(o, netns_label(netns_state), &d, found ? base.buf : NULL,
					found ? NULL : why.buf);
		if (found) {
			add_counts(ep_json, &fc);
			json_object_object_add(ep_json, "plan", json_object_get(fc.plan));
		}
		json_to_artifact(ep_json, ep);
		json_object_put(ep_json);
		if (found)
			artifact_ok(ep);
		else
			artifact_fail(ep, "%s", why.buf);
		emit(lc, ep, emit_data);
	}

	for (i = 0; reqs && i < nr; i++)
		request_release(&reqs[i]);
	free(reqs);
	json_object_put(fc.plan);
	strbuf_release(&fc.ms_why);
	discovery_release(&d);
	strbuf_release(&base);
	strbuf_release(&vars);
	strbuf_release(&query);
	strbuf_release(&err);
	strbuf_release(&why);
}

/* Moves a finished artifact of lc into c, where c->prefix applies, and seals it there. */
static void adopt_artifact(struct collection *c, struct artifact *from)
{
	struct artifact *a = collection_add(c, from->path, SOURCE_PPROF);

	a->status = from->status;
	a->error = from->error ? xstrdup(from->error) : NULL;
	a->start_ms = from->start_ms;
	a->duration_ms = from->duration_ms;
	a->truncated = from->truncated;
	artifact_take_bytes(a, from);
	/* a spool that cannot be written leaves the bytes in memory: still a bundle */
	collection_seal(c, a, NULL);
}

static void emit_adopt(struct collection *lc, struct artifact *a, void *data)
{
	(void)lc;
	adopt_artifact(data, a);
}

static void adopt_all(struct collection *c, struct collection *lc)
{
	size_t i;

	for (i = 0; i < lc->nr; i++)
		adopt_artifact(c, &lc->arts[i]);
}

/* Records the same failure for every pprof artifact. */
static void fail_everything(struct collection *c, const struct pprof_options *o, const char *why)
{
	struct collection lc;
	struct json_object *ep_json;
	struct artifact *ep;

	collection_init(&lc);
	ep = collection_add(&lc, ART_PPROF_ENDPOINT, SOURCE_PPROF);
	ep_json = endpoint_json(o, netns_label(-1), NULL, NULL, why);
	json_to_artifact(ep_json, ep);
	json_object_put(ep_json);
	artifact_fail(ep, "%s", why);
	fail_sources(&lc, o, why);
	adopt_all(c, &lc);
	collection_release(&lc);
}

/* Every path collect_into() produces for these options; out holds NR_SOURCES + 2. */
static size_t expected_paths(const struct pprof_options *o, const char **out)
{
	size_t i, n = 0;

	out[n++] = ART_PPROF_ENDPOINT;
	for (i = 0; i < NR_SOURCES; i++)
		if (source_wanted(&sources[i], o))
			out[n++] = sources[i].path;
	out[n++] = ART_MEMSTATS;
	return n;
}

/* 1 when pid shares our network namespace, 0 when not, -1 when we cannot tell. */
static int same_netns(pid_t pid)
{
	char path[64];
	struct stat self, target;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	if (stat("/proc/self/ns/net", &self) < 0 || stat(path, &target) < 0)
		return -1;
	return self.st_ino == target.st_ino && self.st_dev == target.st_dev;
}

/* ---- another network namespace: the helper ------------------------------- */

/*
 * The helper sends each artifact as a frame, then an end frame, in native
 * byte order (both ends are this process, forked):
 *	u32 FRAME_ARTIFACT, u32 path length, path,
 *	u32 status, u32 truncated, i64 start_ms, i64 duration_ms,
 *	u32 error length (NO_ERROR for none), error,
 *	u32 note length (NO_ERROR for none), note, u64 data length, data
 *	u32 FRAME_END
 */
#define FRAME_ARTIFACT 0x41525446u
#define FRAME_END 0x454e4421u
#define NO_ERROR UINT32_MAX
#define MAX_FRAME_STRING (1u << 20)

static int send_u32(int fd, uint32_t v)
{
	return write_all(fd, &v, sizeof(v));
}

static int send_artifact(int fd, const struct collection *c, const struct artifact *a)
{
	uint32_t path_len = (uint32_t)strlen(a->path);
	uint32_t err_len = a->error ? (uint32_t)strlen(a->error) : NO_ERROR;
	uint32_t note_len = a->note ? (uint32_t)strlen(a->note) : NO_ERROR;
	uint64_t data_len = artifact_size(a), off = 0;
	char buf[65536];

	if (send_u32(fd, FRAME_ARTIFACT) < 0 || send_u32(fd, path_len) < 0 ||
	    write_all(fd, a->path, path_len) < 0 ||
	    send_u32(fd, (uint32_t)a->status) < 0 || send_u32(fd, a->truncated) < 0 ||
	    write_all(fd, &a->start_ms, sizeof(a->start_ms)) < 0 ||
	    write_all(fd, &a->duration_ms, sizeof(a->duration_ms)) < 0 ||
	    send_u32(fd, err_len) < 0 ||
	    (a->error && write_all(fd, a->error, err_len) < 0) ||
	    send_u32(fd, note_len) < 0 ||
	    (a->note && write_all(fd, a->note, note_len) < 0) ||
	    write_all(fd, &data_len, sizeof(data_len)) < 0)
		return -1;
	while (off < data_len) {
		ssize_t n = artifact_pread(c, a, buf, sizeof(buf), off);

		if (n <= 0 || write_all(fd, buf, (size_t)n) < 0)
			return -1;
		off += (uint64_t)n;
	}
	return 0;
}

struct helper_out {
	int fd;
	int broken;
};

/* The helper hands each artifact over as it is finished, then forgets its bytes. */
static void emit_send(struct collection *lc, struct artifact *a, void *data)
{
	struct helper_out *ho = data;

	if (!ho->broken && send_artifact(ho->fd, lc, a) < 0)
		ho->broken = 1;
	artifact_clear(a);
}

static volatile int helper_interrupted;

static void helper_on_sigint(int sig)
{
	(void)sig;
	helper_interrupted = 1;
}

/* The forked helper: joins the target's network namespace, collects, reports. */
static void __attribute__((noreturn))
helper_main(int nsfd, int out, const struct pprof_options *o, uint64_t cap,
	    const char *spool_dir, pid_t parent)
{
	struct collection lc;
	struct helper_out ho;
	struct sigaction sa;
	size_t i;
	int status = 0;

	/* never outlive the parent, whatever happens to it */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	/* the parent forwards its interrupt; a terminal's ^C reaches us directly */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = helper_on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);

	collection_init(&lc);
	lc.max_artifact_bytes = cap;
	lc.interrupted = &helper_interrupted;
	lc.spool_dir = spool_dir;
	ho.fd = out;
	ho.broken = 0;
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		struct strbuf why = STRBUF_INIT;
		struct json_object *ep_json = NULL;
		struct artifact *ep = collection_add(&lc, ART_PPROF_ENDPOINT, SOURCE_PPROF);

		strbuf_addf(&why, "cannot enter the network namespace of process %d: %s",
			    (int)o->pid, strerror(errno));
		ep_json = endpoint_json(o, netns_label(0), NULL, NULL, why.buf);
		json_to_artifact(ep_json, ep);
		json_object_put(ep_json);
		artifact_fail(ep, "%s", why.buf);
		fail_sources(&lc, o, why.buf);
		strbuf_release(&why);
		for (i = 0; i < lc.nr; i++)
			emit_send(&lc, &lc.arts[i], &ho);
	} else {
		collect_into(&lc, o, 0, emit_send, &ho);
	}
	close(nsfd);

	status = ho.broken;
	if (!status && send_u32(out, FRAME_END) < 0)
		status = 1;
	close(out);
	collection_release(&lc);
	_exit(status);
}

struct helper {
	pid_t pid;
	int fd;
	volatile int *interrupted;
	int64_t kill_at;	/* monotonic ms: SIGKILL the helper if still talking */
	unsigned sent_sigint:1, killed:1;
};

/* Waits until the pipe is readable, forwarding an interrupt and enforcing kill_at. */
static int helper_wait(struct helper *h)
{
	for (;;) {
		struct pollfd pfd = { .fd = h->fd, .events = POLLIN };
		int n;

		if (interrupted(h->interrupted) && !h->sent_sigint) {
			kill(h->pid, SIGINT);
			h->sent_sigint = 1;
			if (h->kill_at > clock_mono_ms() + HELPER_GRACE_MS)
				h->kill_at = clock_mono_ms() + HELPER_GRACE_MS;
		}
		if (!h->killed && clock_mono_ms() >= h->kill_at) {
			kill(h->pid, SIGKILL);
			h->killed = 1;
		}
		n = poll(&pfd, 1, POLL_INTERVAL_MS);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

static int helper_read(struct helper *h, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n;

		if (helper_wait(h) < 0)
			return -1;
		n = read(h->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int helper_read_string(struct helper *h, uint32_t len, struct strbuf *out)
{
	strbuf_reset(out);
	if (len > MAX_FRAME_STRING)
		return -1;
	strbuf_grow(out, len);
	if (helper_read(h, out->buf, len) < 0)
		return -1;
	out->len = len;
	out->buf[len] = '\0';
	return 0;
}

/*
 * Reads the helper's frames into c, marking which expected paths arrived;
 * returns 0 after the end frame, -1 when the stream broke off.
 */
static int helper_receive(struct helper *h, struct collection *c, const char **expected,
			  size_t nr_expected, int *seen)
{
	struct strbuf path = STRBUF_INIT, error = STRBUF_INIT, note = STRBUF_INIT;
	struct collection one;
	char buf[65536];
	int ret = -1;

	collection_init(&one);
	one.max_artifact_bytes = c->max_artifact_bytes;
	one.spool_dir = c->spool_dir;
	for (;;) {
		uint32_t kind, len, status, truncated, err_len, note_len;
		int64_t start_ms, duration_ms;
		uint64_t data_len, got = 0;
		struct artifact *a;
		size_t i;

		if (helper_read(h, &kind, sizeof(kind)) < 0)
			goto out;
		if (kind == FRAME_END)
			break;
		if (kind != FRAME_ARTIFACT ||
		    helper_read(h, &len, sizeof(len)) < 0 ||
		    helper_read_string(h, len, &path) < 0 ||
		    helper_read(h, &status, sizeof(status)) < 0 ||
		    helper_read(h, &truncated, sizeof(truncated)) < 0 ||
		    helper_read(h, &start_ms, sizeof(start_ms)) < 0 ||
		    helper_read(h, &duration_ms, sizeof(duration_ms)) < 0 ||
		    helper_read(h, &err_len, sizeof(err_len)) < 0 ||
		    (err_len != NO_ERROR && helper_read_string(h, err_len, &error) < 0) ||
		    helper_read(h, &note_len, sizeof(note_len)) < 0 ||
		    (note_len != NO_ERROR && helper_read_string(h, note_len, &note) < 0) ||
		    helper_read(h, &data_len, sizeof(data_len)) < 0 ||
		    status > ARTIFACT_SKIPPED || data_len > c->max_artifact_bytes)
			goto out;
		for (i = 0; i < nr_expected; i++)
			if (!strcmp(expected[i], path.buf))
				break;
		if (i == nr_expected || seen[i])
			goto out;	/* not something we asked for */
		seen[i] = 1;
		/* the bytes go where any artifact's go: memory, then a spill file */
		a = collection_add(&one, path.buf, SOURCE_PPROF);
		while (got < data_len) {
			size_t n = data_len - got < sizeof(buf) ? (size_t)(data_len - got) : sizeof(buf);

			if (helper_read(h, buf, n) < 0)
				goto out;
			artifact_append(&one, a, buf, n);
			got += n;
		}
		a->status = (enum artifact_status)status;
		a->error = err_len == NO_ERROR ? NULL : xstrdup(error.buf);
		a->note = note_len == NO_ERROR ? NULL : xstrdup(note.buf);
		a->start_ms = start_ms;
		a->duration_ms = duration_ms;
		a->truncated = truncated ? 1 : 0;
		adopt_artifact(c, a);
		collection_release(&one);
		collection_init(&one);
		one.max_artifact_bytes = c->max_artifact_bytes;
		one.spool_dir = c->spool_dir;
	}
	ret = 0;
out:
	collection_release(&one);
	strbuf_release(&path);
	strbuf_release(&error);
	strbuf_release(&note);
	return ret;
}

static void collect_via_helper(struct collection *c, const struct pprof_options *o)
{
	const char *expected[NR_SOURCES + 2];
	int seen[NR_SOURCES + 2] = { 0 };
	size_t nr_expected = expected_paths(o, expected), i;
	char nspath[64];
	int nsfd = -1, fds[2] = { -1, -1 }, wstatus = 0, complete;
	struct helper h;
	struct strbuf why = STRBUF_INIT;
	long timeout = o->timeout_ms > 0 ? o->timeout_ms : PPROF_DEFAULT_TIMEOUT_MS;
	int cpu_seconds = o->cpu_seconds < 0 ? PPROF_DEFAULT_CPU_SECONDS : o->cpu_seconds;
	int64_t start = clock_real_ms();
	pid_t parent = getpid();

	memset(&h, 0, sizeof(h));
	snprintf(nspath, sizeof(nspath), "/proc/%d/ns/net", (int)o->pid);
	nsfd = open(nspath, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0) {
		strbuf_addf(&why, "cannot open %s: %s", nspath, strerror(errno));
		fail_everything(c, o, why.buf);
		goto out;
	}
	if (pipe2(fds, O_CLOEXEC) < 0) {
		strbuf_addf(&why, "cannot create a pipe for the pprof helper: %s", strerror(errno));
		fail_everything(c, o, why.buf);
		goto out;
	}
	/* the child must not flush buffered output of ours a second time */
	fflush(NULL);
	h.pid = fork();
	if (h.pid < 0) {
		strbuf_addf(&why, "cannot fork the pprof helper: %s", strerror(errno));
		fail_everything(c, o, why.buf);
		goto out;
	}
	if (!h.pid) {
		close(fds[0]);
		helper_main(nsfd, fds[1], o, c->max_artifact_bytes, c->spool_dir, parent);
	}
	close(fds[1]);
	fds[1] = -1;

	/* the helper's own timeouts bound it; this only catches a wedged helper */
	h.fd = fds[0];
	h.interrupted = c->interrupted;
	h.kill_at = clock_mono_ms() + PROBE_TIMEOUT_MS + timeout +
		    (o->cheap_only ? 0 : (int64_t)cpu_seconds * 1000) + HELPER_GRACE_MS;
	if (o->deadline_ms && o->deadline_ms - start + HELPER_GRACE_MS < h.kill_at - clock_mono_ms())
		h.kill_at = clock_mono_ms() + (o->deadline_ms - start) + HELPER_GRACE_MS;

	complete = helper_receive(&h, c, expected, nr_expected, seen) == 0;
	if (!complete)
		kill(h.pid, SIGKILL);	/* still ours: not reaped yet */
	while (waitpid(h.pid, &wstatus, 0) < 0 && errno == EINTR)
		;

	if (WIFSIGNALED(wstatus))
		strbuf_addf(&why, "was killed by signal %d (%s)", WTERMSIG(wstatus),
			    strsignal(WTERMSIG(wstatus)));
	else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus))
		strbuf_addf(&why, "exited with status %d", WEXITSTATUS(wstatus));
	else
		strbuf_addstr(&why, "stopped reporting");
	for (i = 0; i < nr_expected; i++) {
		struct artifact *a;

		if (seen[i])
			continue;
		a = collection_add(c, expected[i], SOURCE_PPROF);
		a->start_ms = start;
		artifact_fail(a, "the pprof helper in the network namespace of process %d %s before sending this",
			      (int)o->pid, why.buf);
	}
out:
	if (nsfd >= 0)
		close(nsfd);
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	strbuf_release(&why);
}

void pprof_options_init(struct pprof_options *o)
{
	memset(o, 0, sizeof(*o));
	o->cpu_seconds = PPROF_DEFAULT_CPU_SECONDS;
	o->timeout_ms = PPROF_DEFAULT_TIMEOUT_MS;
	o->goroutine_dump_max = PPROF_DEFAULT_GOROUTINE_DUMP_MAX;
	o->heap_text_max = PPROF_DEFAULT_HEAP_TEXT_MAX;
	o->census_goroutines = -1;
}

/*
 * net/http/pprof's allocs endpoint serves the heap profile's data with
 * alloc_space as the default sample type. Fetching it again doubled the
 * target's cost (the profile is rebuilt under a lock) and the analysis's;
 * the bundle records allocs as a view of the heap profile instead.
 */
static void derive_allocs(struct collection *c, const struct pprof_options *o)
{
	struct strbuf heap = STRBUF_INIT;
	struct artifact *h, *a;

	strbuf_addf(&heap, "%s%s", c->prefix ? c->prefix : "", ART_PROFILE_HEAP);
	h = collection_find(c, heap.buf);
	strbuf_release(&heap);
	if (!h || h->status != ARTIFACT_OK || c->prefix || o->cheap_only)
		return;	/* the main snapshot's (allocs never was a cheap source), with a heap profile */
	a = collection_add(c, ART_PROFILE_ALLOCS, SOURCE_PPROF);
	a->derived_from = ART_PROFILE_HEAP;
	a->sample_type = "alloc_space";
	a->status = ARTIFACT_DERIVED;
	a->start_ms = h->start_ms;
	a->duration_ms = 0;
}

void collect_pprof(struct collection *c, const struct pprof_options *o)
{
	static int curl_ready;
	struct collection lc;
	int netns = 1;

	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			fail_everything(c, o, "cannot initialise libcurl");
			return;
		}
		curl_ready = 1;
	}
	if (o->pid) {
		netns = same_netns(o->pid);
		if (!netns) {
			collect_via_helper(c, o);
			derive_allocs(c, o);
			return;
		}
	}
	collection_init(&lc);
	lc.max_artifact_bytes = c->max_artifact_bytes;
	lc.interrupted = c->interrupted;
	lc.spool_dir = c->spool_dir;
	collect_into(&lc, o, netns, emit_adopt, c);
	collection_release(&lc);
	derive_allocs(c, o);
}
