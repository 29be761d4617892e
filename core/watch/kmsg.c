/*
 * The OOM killer's own word on whom it killed: its "Killed process PID
 * (COMM) ... anon-rss:NkB" line in the kernel log. The cgroup's oom_kill
 * counter says that someone in the cgroup was killed, not who; the line
 * names the victim. /dev/kmsg hands out one record per read(); opened at
 * the end, only what happens while watching is read. Containers often
 * have no /dev/kmsg: then the kill record goes without it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "watch/watch.h"

int watch_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0 && lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int watch_kmsg_parse(const char *msg, struct watch_victim *v)
{
	const char *p = strstr(msg, "Killed process "), *open, *close;
	char *end;
	long pid;

	if (!p)
		return -1;
	p += strlen("Killed process ");
	pid = strtol(p, &end, 10);
	if (end == p || pid <= 0 || strncmp(end, " (", 2))
		return -1;
	open = end + 2;
	close = strchr(open, ')');
	if (!close)
		return -1;
	memset(v, 0, sizeof(*v));
	v->pid = (pid_t)pid;
	snprintf(v->comm, sizeof(v->comm), "%.*s", (int)(close - open), open);
	v->anon_rss_kb = -1;
	p = strstr(close, "anon-rss:");
	if (p)
		v->anon_rss_kb = strtoll(p + strlen("anon-rss:"), NULL, 10);
	return 0;
}

/* Whether the "oom-kill:" line's task_memcg=PATH is the cgroup at dir (mount + PATH). */
static int memcg_is(const char *msg, const char *dir)
{
	const char *p = strstr(msg, "task_memcg="), *end;
	size_t n, d = strlen(dir);

	if (!p)
		return 0;
	p += strlen("task_memcg=");
	end = strchr(p, ',');
	n = end ? (size_t)(end - p) : strcspn(p, "\n");
	/* "/" would match every directory */
	return n > 1 && d >= n && !strncmp(dir + d - n, p, n);
}

int watch_kmsg_victim(int fd, const char *cg_dir, pid_t pid, struct watch_victim *v)
{
	char rec[8192];
	int found = -1, in_cgroup = 0;

	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		struct watch_victim cand;
		const char *msg;

		if (n < 0 && errno == EPIPE)
			continue;	/* records were overwritten before we read them */
		if (n <= 0)
			break;
		rec[n] = '\0';
		/* "PRIO,SEQ,USEC,FLAGS;MESSAGE\n" */
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		/* the kernel names the victim's cgroup on the line before; other cgroups' kills are not ours */
		if (!strncmp(msg, "oom-kill:", 9)) {
			in_cgroup = memcg_is(msg, cg_dir);
			continue;
		}
		if (watch_kmsg_parse(msg, &cand) == 0 && (cand.pid == pid || in_cgroup)) {
			*v = cand;
			found = 0;
		}
		in_cgroup = 0;
	}
	return found;
}
