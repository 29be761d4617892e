#ifndef TRIAGE_COLLECT_H
#define TRIAGE_COLLECT_H

#include <stdint.h>
#include <sys/types.h>

#include "base/io.h"
#include "base/strbuf.h"

struct json_object;

/*
 * A collection in progress: the artifacts gathered so far, in memory, each
 * with its outcome. Sources (the files of core/collect/) add artifacts and never
 * abort: a source that fails records why in its artifact and the next one
 * runs (the model is git's diagnose.c). Only failing to write the bundle is
 * fatal, and that is collect_bundle()'s caller's business.
 *
 * Artifact paths are relative to the bundle root ("proc/status"); while
 * c->prefix is set (e.g. "samples/002/") it is prepended, so the same source
 * code fills both the main snapshot and each sample over time.
 */

enum artifact_status {
	ARTIFACT_OK,
	ARTIFACT_ERROR,		/* failed; data may hold what was read before */
	ARTIFACT_SKIPPED,	/* not applicable here (reason in error) */
	ARTIFACT_DERIVED,	/* another artifact's data seen another way: no bytes of its own */
};

struct artifact {
	char *path;
	char *source;		/* "proc", "cgroup", "host", "pprof", "buildinfo", ... */
	enum artifact_status status;
	char *error;		/* NULL when ok */
	struct strbuf data;
	int64_t start_ms;	/* unix epoch, milliseconds */
	int64_t duration_ms;
	unsigned truncated:1;	/* cut at the per-artifact cap */
	/* ARTIFACT_DERIVED: the artifact it is a view of, and the view's sample type */
	const char *derived_from, *sample_type;
	char *note;		/* what was kept when not everything was ("trailer only"), NULL */

	/*
	 * Where the bytes are (see collection_seal()): in data; past the
	 * collection's spill size, in spill_fd, an unlinked file of their own
	 * while the artifact is being written (spill_len bytes); once sealed,
	 * at spool_off in the collection's spool (size bytes, sha256 known).
	 */
	int spill_fd;
	uint64_t spill_len;
	int64_t spool_off;	/* -1 until sealed into the spool */
	uint64_t size;		/* sealed: how many bytes */
	char sha256[65];	/* sealed: their digest */
};

struct collection {
	struct artifact *arts;
	size_t nr, alloc;
	const char *prefix;		/* for samples over time; NULL for the main snapshot */
	uint64_t max_artifact_bytes;	/* per-artifact cap; default 256 MiB */
	volatile int *interrupted;	/* set by the SIGINT handler; sources stop early */
	/*
	 * Bounded memory (issue 13): with spool_dir set, an artifact past
	 * spill_at bytes moves to an unlinked file in spool_dir, and a sealed
	 * artifact's bytes move to one spool file there, so collect's RSS does
	 * not grow with the target's profile sizes or the number of samples.
	 * NULL keeps everything in memory (tests and tools read a->data).
	 */
	const char *spool_dir;
	size_t spill_at;
	int spool_fd;
	uint64_t spool_len;
};

void collection_init(struct collection *c);
void collection_release(struct collection *c);

/* Starts an artifact (its clock starts now); the pointer is valid until the next add. */
struct artifact *collection_add(struct collection *c, const char *path, const char *source);
/* Finds an artifact by full path, NULL if none. */
struct artifact *collection_find(struct collection *c, const char *path);

/* How many bytes the artifact holds, wherever they are. */
uint64_t artifact_size(const struct artifact *a);
/*
 * Moves a finished artifact's bytes into the spool (with spool_dir set;
 * otherwise a no-op) and frees its memory. -1 with err when the spool
 * cannot be written; the bytes then stay where they were.
 */
int collection_seal(struct collection *c, struct artifact *a, struct strbuf *err);
/* The lower-case hex SHA-256 of the artifact's bytes, wherever they are ("" if it cannot tell). */
void artifact_sha256_hex(const struct collection *c, const struct artifact *a, char hex[65]);
/* Seals every artifact of c; the first failure is in err. */
int collection_seal_all(struct collection *c, struct strbuf *err);
/* Reads up to len bytes at off of the artifact's bytes; 0 at the end, -1 on error. */
ssize_t artifact_pread(const struct collection *c, const struct artifact *a, void *buf,
		       size_t len, uint64_t off);
/* The whole artifact into out (for the small ones: JSON, /proc files). -1 on error. */
int artifact_read_all(const struct collection *c, const struct artifact *a, struct strbuf *out);
/* A byte_reader_fn over an artifact (inflate.h), for decoders. */
struct artifact_reader {
	const struct collection *c;
	const struct artifact *a;
	uint64_t off;
};
ssize_t artifact_reader_read(void *ctx, void *buf, size_t len, struct strbuf *err);
/* Drops the artifact's bytes, wherever they are (not the spool's copy). */
void artifact_clear(struct artifact *a);
/*
 * Moves src's bytes, spill file and note into dst (of collection c, whose
 * cap applies); src is left empty.
 */
void artifact_take_bytes(struct artifact *dst, struct artifact *src);

/* "ok", "error", "skipped", "derived": the manifest's word for a status (bundle-write.c). */
const char *artifact_status_name(enum artifact_status s);
void artifact_ok(struct artifact *a);
void artifact_fail(struct artifact *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void artifact_skip(struct artifact *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends data, honouring the cap; returns -1 (and marks truncated) once over it. */
int artifact_append(struct collection *c, struct artifact *a, const void *data, size_t len);

/* How JSON artifacts and the manifest are written: indented, "key": value, '/' unescaped. */
#define COLLECT_JSON_FLAGS \
	(JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)
/* Appends o as COLLECT_JSON_FLAGS text and a newline, then marks the artifact ok. */
void artifact_add_json(struct collection *c, struct artifact *a, struct json_object *o);

/* Whether the SIGINT handler asked the sources to stop early. */
static inline int collection_interrupted(const struct collection *c)
{
	return c->interrupted && *c->interrupted;
}

/*
 * Copies a file (e.g. under /proc) into a new artifact: ok, or error with
 * the errno text ("permission denied"), or skipped when absent and
 * optional is set. Returns the artifact.
 */
struct artifact *collect_file(struct collection *c, const char *path, const char *source,
			      const char *file, int optional);

/* Sources. Each records its own failures; none returns an error. */
void collect_proc(struct collection *c, pid_t pid, int cheap_only);
void collect_cgroup(struct collection *c, pid_t pid, int cheap_only);
void collect_host(struct collection *c);
void collect_buildinfo(struct collection *c, pid_t pid);
/* The goroutines read from the target's memory (census.c): how many, -1 when it could not. */
long long collect_census(struct collection *c, pid_t pid);

/* ---- plan.c: a whole collection into one bundle ---- */

/* the working set at or above this share of the limit: collect cheaply */
#define COLLECT_DEFAULT_NEAR_LIMIT_PCT 90.0

struct bundle_out;

struct collect_request {
	pid_t pid;		/* 0: remote mode, HTTP sources only */
	const char *url;	/* the target's /debug/pprof/, NULL to discover */
	int cpu_seconds;
	long samples;		/* 1: no samples over time */
	long interval_s;
	long timeout_s;		/* per HTTP request */
	long deadline_s;	/* 0: derived from the others */
	uint64_t max_artifact;	/* 0: the default cap */
	int progress;		/* a progress line on stderr */
	int gc_heap;		/* heap?gc=1: a GC in the target before each heap profile */
	int cheap;		/* near the memory limit: only what costs the target little
				   (no CPU profile, no debug text dumps; see pprof.h near_limit) */
	int force;		/* the expensive requests whatever the counts and the headroom */
	long goroutine_dump_max;	/* goroutine?debug=2 only up to this many goroutines */
	double near_limit_pct;	/* the cgroup's working set at or above this share of its
				   limit makes the collection cheap (see cheap); 0: never */
	const char *spool_dir;	/* where bytes wait for the bundle; NULL: memory only */
	volatile int *interrupted;	/* set from a signal handler to stop early */
};

struct collect_result {
	size_t artifacts, failed;
	int interrupted;
	size_t profiles;	/* pprof profiles of the main snapshot that arrived */
	int has_memstats;
	int not_go;		/* the executable has no Go build info */
	/*
	 * One line for a person: what was collected, what failed, the most
	 * important failure first ("no profiles: no pprof endpoint ...").
	 */
	struct strbuf summary;
};

void collect_result_release(struct collect_result *res);

void collect_request_init(struct collect_request *rq);
/* triage-HOST-PID-YYYYMMDDTHHMMSSZ.tgz (remote instead of PID in remote mode) */
void collect_default_output(struct strbuf *out, pid_t pid);
/*
 * Collects everything rq asks for and writes it, with its manifest, to the
 * opened out. -1 only when the bundle cannot be written; res may be NULL.
 */
int collect_bundle(const struct collect_request *rq, struct bundle_out *out,
		   struct collect_result *res, struct strbuf *err);

#endif
