/*
 * Source "census": the target's goroutines, read from its memory
 * (core/parse/census.h). It costs the target nothing, so it runs with the
 * local sources, before any HTTP request, and its count lets the plan
 * skip the goroutine profile and the dump, which cost the target most at
 * the goroutine counts where they matter (issue 13).
 */
#include "collect/collect.h"
#include "parse/census.h"
#include "parse/mapsfile.h"
#include "bundle/vocab.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define PTRACE_HINT " (the census needs ptrace rights over the target: the same user, or" \
	" CAP_SYS_PTRACE; the goroutine profile stands in)"


struct target {
	pid_t pid;
	int first_errno;	/* why the first read failed: EPERM is a lack of rights */
};

static int read_target(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct target *t = ctx;
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n;

	if (!len)
		return 0;
	do
		n = process_vm_readv(t->pid, &local, 1, &remote, 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0 && !t->first_errno)
		t->first_errno = errno;
	return n == (ssize_t)len ? 0 : -1;
}

struct emit_ctx {
	struct collection *c;
	struct artifact *a;
	size_t idx;		/* the artifact's index: a pointer moves when the array grows */
};

static int emit_text(void *ctx, const char *text, size_t len)
{
	struct emit_ctx *e = ctx;

	return artifact_append(e->c, &e->c->arts[e->idx], text, len);
}

/*
 * Where a position-independent executable is loaded: the lowest mapping
 * of the file (at offset 0) in /proc/PID/maps.
 */
static int load_bias(pid_t pid, const struct census_layout *l, uint64_t *bias, struct strbuf *err)
{
	struct strbuf maps = STRBUF_INIT;
	char link[64], exe[PATH_MAX];
	const char *p, *end;
	uint64_t start = UINT64_MAX;
	ssize_t n;
	int ret = -1;

	snprintf(link, sizeof(link), "/proc/%ld/exe", (long)pid);
	n = readlink(link, exe, sizeof(exe) - 1);
	snprintf(link, sizeof(link), "/proc/%ld/maps", (long)pid);
	if (n <= 0 || strbuf_read_file(&maps, link, 64 << 20) < 0) {
		error_set(err, "cannot read %s: %s", link, strerror(errno));
		goto out;
	}
	exe[n] = '\0';
	for (p = maps.buf, end = maps.buf + maps.len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct maps_line ml;

		if (!nl)
			nl = end;
		if (mapsfile_line(p, nl, &ml) == 0 && ml.path && ml.offset == 0 &&
		    ml.path_len == (size_t)n && !memcmp(ml.path, exe, (size_t)n) && ml.start < start)
			start = ml.start;
		p = nl + 1;
	}
	if (start == UINT64_MAX) {
		error_set(err, "the executable is not in %s", link);
		goto out;
	}
	*bias = start - l->link_base;
	ret = 0;
out:
	strbuf_release(&maps);
	return ret;
}

long long collect_census(struct collection *c, pid_t pid)
{
	struct strbuf err = STRBUF_INIT;
	struct census_layout l;
	struct census_symbols syms;
	struct census_stats st;
	struct emit_ctx e = { c, NULL, 0 };
	struct target t = { pid, 0 };
	struct artifact *a, *bi;
	struct timespec now;
	int bi_ok;
	char exe[64];
	int fd = -1;
	long long ret = -1;
	int64_t t0 = clock_mono_ms();

	census_symbols_init(&syms);
	bi = collection_find(c, ART_BUILDINFO_JSON);
	bi_ok = bi && bi->status == ARTIFACT_OK;
	a = collection_add(c, ART_GOROUTINE_CENSUS, SOURCE_CENSUS);
	e.idx = (size_t)(a - c->arts);
	if (!bi_ok) {
		/* the build info source said why (not Go, unreadable): no need to read DWARF to say it again */
		artifact_skip(a, "the executable has no readable Go build info: the census reads Go programs only");
		goto out;
	}
	snprintf(exe, sizeof(exe), "/proc/%ld/exe", (long)pid);
	fd = open(exe, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		artifact_fail(a, "cannot open %s: %s%s", exe, strerror(errno),
			      errno == EACCES || errno == EPERM ? PTRACE_HINT : "");
		goto out;
	}
	/* read in pieces by offset, not mapped: only the few ranges the census needs are touched */
	if (census_layout_read_file(&l, &syms, exe, fd, &err) < 0) {
		artifact_skip(a, "%s (the goroutine profile stands in)", err.buf);
		goto out;
	}
	if (l.pie && load_bias(pid, &l, &l.bias, &err) < 0) {
		artifact_fail(a, "%s", err.buf);
		goto out;
	}
	strbuf_addf(&err, "# goroutine census of process %ld, read from its memory by triage: the format\n"
		    "# of goroutine?debug=2, but frames have no arguments, files or inlined calls\n\n",
		    (long)pid);
	artifact_append(c, a, err.buf, err.len);
	strbuf_reset(&err);
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (census_walk(&l, &syms, read_target, &t, (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec,
			emit_text, &e, &st, &err) < 0) {
		a = &c->arts[e.idx];
		if (t.first_errno == EPERM)
			artifact_fail(a, "%s: %s%s", err.buf, strerror(t.first_errno), PTRACE_HINT);
		else if (t.first_errno)
			artifact_fail(a, "%s: %s", err.buf, strerror(t.first_errno));
		else
			artifact_fail(a, "%s", err.buf);
		goto out;
	}
	a = &c->arts[e.idx];
	if (!st.goroutines && st.unreadable) {
		artifact_fail(a, "none of the %zu goroutines could be read", st.slots);
		goto out;
	}
	free(a->note);
	strbuf_addf(&err, "%zu goroutines read from the target's memory in %lld ms (%zu of the"
		    " runtime's own left out, %zu unreadable%s)", st.goroutines,
		    (long long)(clock_mono_ms() - t0), st.system, st.unreadable,
		    st.truncated ? ", cut at a cap" : "");
	a->note = strbuf_detach(&err, NULL);
	a->truncated |= st.truncated;
	artifact_ok(a);
	ret = (long long)st.goroutines;
out:
	if (fd >= 0)
		close(fd);
	census_symbols_release(&syms);
	strbuf_release(&err);
	return ret;
}
