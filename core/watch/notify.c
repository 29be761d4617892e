/*
 * The kernel's own notifications, so that watching costs nothing while the
 * service is healthy: the loop sleeps in poll() until the kernel says
 * something changed.
 *
 * cgroup v1 (Documentation/admin-guide/cgroup-v1/memory.rst, "Memory
 * thresholds", "OOM control", "Memory Pressure"): writing "EFD CFD ARGS" to
 * cgroup.event_control registers an eventfd; it is signalled when
 * memory.usage_in_bytes crosses a registered threshold in either direction,
 * on OOM, or on vmpressure. Closing the eventfd unregisters.
 *
 * cgroup v2 (Documentation/accounting/psi.rst, cgroup-v2.rst): a trigger
 * "some STALL_US WINDOW_US" written to memory.pressure makes poll() return
 * POLLPRI when tasks stalled that long in a window; memory.events is a
 * kernfs file that poll()s POLLPRI after it changes, re-armed by reading it.
 * v2 has no usage thresholds, so the loop polls memory.current there.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/io.h"
#include "watch/watch.h"

/* the PSI window: the kernel accepts 500 ms to 10 s */
#define PSI_WINDOW_US 1000000
#define MAX_THRESHOLDS 64

void watch_notify_init(struct watch_notify *n)
{
	int i;

	memset(n, 0, sizeof(*n));
	for (i = 0; i < NOTIFY_NR; i++)
		n->fd[i] = -1;
	strbuf_init(&n->mode);
}

void watch_notify_release(struct watch_notify *n)
{
	int i;

	for (i = 0; i < NOTIFY_NR; i++)
		if (n->fd[i] >= 0)
			close(n->fd[i]);
	strbuf_release(&n->mode);
	watch_notify_init(n);
}

void watch_psi_trigger(struct strbuf *out, int64_t stall_us)
{
	strbuf_addf(out, "some %lld %d", (long long)stall_us, PSI_WINDOW_US);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

size_t watch_v1_thresholds(const double *levels, int nr_levels, double hysteresis, int64_t limit,
			   int64_t *out, size_t max)
{
	size_t n = 0, i, j;
	int k;

	if (limit <= 0)
		return 0;
	/*
	 * Every level and its re-arm point, so crossings in both directions
	 * wake the loop exactly; and every 5%, so a climb wakes it often
	 * enough to measure growth between the levels.
	 */
	for (k = 0; k < nr_levels && n + 2 <= max; k++) {
		out[n++] = (int64_t)((double)limit * levels[k] / 100.0);
		if (levels[k] - hysteresis > 0)
			out[n++] = (int64_t)((double)limit * (levels[k] - hysteresis) / 100.0);
	}
	/* the same arithmetic as the levels, so equal percentages deduplicate */
	for (k = 5; k < 100 && n < max; k += 5)
		out[n++] = (int64_t)((double)limit * k / 100.0);
	qsort(out, n, sizeof(*out), cmp_i64);
	for (i = 0, j = 0; i < n; i++)
		if (out[i] > 0 && (!j || out[i] != out[j - 1]))
			out[j++] = out[i];
	return j;
}

/* Registers efd for file with args ("" for OOM); -1 with errno. */
static int v1_register(int ctl, int efd, const char *dir, const char *file, const char *args)
{
	char path[PATH_MAX], line[128];
	int cfd, e, ret;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	cfd = open(path, O_RDONLY | O_CLOEXEC);
	if (cfd < 0)
		return -1;
	snprintf(line, sizeof(line), "%d %d%s%s", efd, cfd, *args ? " " : "", args);
	ret = write_all(ctl, line, strlen(line));
	e = errno;
	/* the registration holds the cgroup, not this descriptor */
	close(cfd);
	errno = e;
	return ret;
}

static void setup_v1(struct watch_notify *n, const struct watch_cgroup *cg,
		     const double *levels, int nr_levels, double hysteresis, int64_t limit)
{
	char path[PATH_MAX];
	int64_t th[MAX_THRESHOLDS];
	size_t nr, i;
	int ctl;

	snprintf(path, sizeof(path), "%s/cgroup.event_control", cg->dir);
	ctl = open(path, O_WRONLY | O_CLOEXEC);
	if (ctl < 0) {
		strbuf_addf(&n->mode, "v1, no cgroup.event_control (%s): usage polled", strerror(errno));
		return;
	}
	strbuf_addstr(&n->mode, "v1 events:");

	nr = watch_v1_thresholds(levels, nr_levels, hysteresis, limit, th, MAX_THRESHOLDS);
	if (nr) {
		n->fd[NOTIFY_USAGE] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		for (i = 0; n->fd[NOTIFY_USAGE] >= 0 && i < nr; i++) {
			char arg[32];

			snprintf(arg, sizeof(arg), "%lld", (long long)th[i]);
			if (v1_register(ctl, n->fd[NOTIFY_USAGE], cg->dir, "memory.usage_in_bytes", arg) < 0) {
				strbuf_addf(&n->mode, " no usage thresholds (%s), usage polled;", strerror(errno));
				close(n->fd[NOTIFY_USAGE]);
				n->fd[NOTIFY_USAGE] = -1;
			}
		}
		if (n->fd[NOTIFY_USAGE] >= 0)
			strbuf_addf(&n->mode, " %zu usage thresholds,", nr);
		n->limit = limit;
	} else {
		strbuf_addstr(&n->mode, " no limit so no usage thresholds,");
	}

	n->fd[NOTIFY_OOM] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (n->fd[NOTIFY_OOM] >= 0 &&
	    v1_register(ctl, n->fd[NOTIFY_OOM], cg->dir, "memory.oom_control", "") == 0) {
		strbuf_addstr(&n->mode, " oom,");
	} else {
		strbuf_addf(&n->mode, " no oom notification (%s),", strerror(errno));
		if (n->fd[NOTIFY_OOM] >= 0)
			close(n->fd[NOTIFY_OOM]);
		n->fd[NOTIFY_OOM] = -1;
	}

	n->fd[NOTIFY_PRESSURE] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (n->fd[NOTIFY_PRESSURE] >= 0 &&
	    v1_register(ctl, n->fd[NOTIFY_PRESSURE], cg->dir, "memory.pressure_level", "critical") == 0) {
		strbuf_addstr(&n->mode, " vmpressure critical");
	} else {
		strbuf_addf(&n->mode, " no vmpressure (%s)", strerror(errno));
		if (n->fd[NOTIFY_PRESSURE] >= 0)
			close(n->fd[NOTIFY_PRESSURE]);
		n->fd[NOTIFY_PRESSURE] = -1;
	}
	close(ctl);
}

static void setup_v2(struct watch_notify *n, const struct watch_cgroup *cg, int64_t stall_us)
{
	struct strbuf trig = STRBUF_INIT;
	char path[PATH_MAX];
	int fd;

	strbuf_addstr(&n->mode, "v2 events:");
	snprintf(path, sizeof(path), "%s/memory.pressure", cg->dir);
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	watch_psi_trigger(&trig, stall_us);
	/* the kernel wants the trigger in one write, NUL included */
	if (fd >= 0 && write(fd, trig.buf, trig.len + 1) == (ssize_t)(trig.len + 1)) {
		n->fd[NOTIFY_PRESSURE] = fd;
		strbuf_addf(&n->mode, " PSI trigger '%s',", trig.buf);
	} else {
		strbuf_addf(&n->mode, " no PSI trigger (%s),", strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	snprintf(path, sizeof(path), "%s/memory.events", cg->dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n->fd[NOTIFY_EVENTS] = fd;
		watch_notify_drain(n, NOTIFY_EVENTS);
		strbuf_addstr(&n->mode, " memory.events changes; usage polled (v2 has no thresholds)");
	} else {
		strbuf_addf(&n->mode, " no memory.events (%s); usage polled", strerror(errno));
	}
	strbuf_release(&trig);
}

void watch_notify_setup(struct watch_notify *n, const struct watch_cgroup *cg,
			const double *levels, int nr_levels, double hysteresis,
			int64_t limit, int64_t psi_stall_us)
{
	watch_notify_release(n);
	n->version = cg->version;
	if (cg->version == 1)
		setup_v1(n, cg, levels, nr_levels, hysteresis, limit);
	else
		setup_v2(n, cg, psi_stall_us);
}

short watch_notify_events(const struct watch_notify *n, enum watch_notify_kind kind)
{
	/*
	 * v1 eventfds are readable; v2 PSI and kernfs files signal POLLPRI
	 * only, and are always "readable" (asking for POLLIN would spin).
	 */
	(void)kind;
	return n->version == 1 ? POLLIN : POLLPRI;
}

void watch_notify_drain(struct watch_notify *n, enum watch_notify_kind kind)
{
	char buf[4096];
	int fd = n->fd[kind];

	if (fd < 0)
		return;
	if (kind == NOTIFY_EVENTS) {
		/* reading re-arms kernfs poll */
		if (lseek(fd, 0, SEEK_SET) == 0)
			while (read(fd, buf, sizeof(buf)) > 0)
				;
	} else if (n->version == 1) {
		uint64_t v;

		/* an eventfd: a nonblocking read resets its counter (EAGAIN when already 0) */
		if (read(fd, &v, sizeof(v)) < 0)
			return;
	}
	/* a v2 PSI trigger re-arms itself in poll() */
}

int watch_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}
