/*
 * pprof-fetch: runs the pprof source on its own, for tests/collect-pprof.sh.
 *
 *	pprof-fetch [--url URL] [--pid PID] [--cpu-seconds N] [--timeout-ms N]
 *		    [--deadline-ms N] [--max-bytes N] [--cheap] [--progress]
 *		    [--prefix P] [--cat PATH] [--save DIR]
 *
 * Prints one line per artifact: "path status bytes duration_ms error" (error
 * "-" when none). With --cat PATH that artifact's data goes to stdout and the
 * listing to stderr; --save DIR writes every artifact's data under DIR. Exit 0 after a collection (whatever its artifacts say),
 * 1 when --cat names no artifact or --save fails, 2 on bad usage.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/pprof.h"
#include "collect/collect.h"

static volatile int got_sigint;

static void on_sigint(int sig)
{
	(void)sig;
	got_sigint = 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: pprof-fetch [--url URL] [--pid PID] [--cpu-seconds N] [--timeout-ms N]\n"
		"                   [--deadline-ms N] [--max-bytes N] [--cheap] [--progress]\n"
		"                   [--force] [--goroutine-dump-max N]\n"
		"                   [--prefix P] [--cat PATH] [--save DIR]\n");
	return 2;
}

static int parse_long(const char *s, long *out)
{
	char *end;

	*out = strtol(s, &end, 10);
	return *s && !*end ? 0 : -1;
}

/* Writes data to dir/path, creating the directories in between. */
static int save_artifact(const char *dir, const char *path, const struct strbuf *data)
{
	struct strbuf file = STRBUF_INIT;
	FILE *f;
	size_t i;
	int ret = -1;

	strbuf_addf(&file, "%s/%s", dir, path);
	for (i = 1; i < file.len; i++) {
		if (file.buf[i] != '/')
			continue;
		file.buf[i] = '\0';
		if (mkdir(file.buf, 0777) < 0 && errno != EEXIST)
			goto out;
		file.buf[i] = '/';
	}
	f = fopen(file.buf, "wb");
	if (!f)
		goto out;
	if (fwrite(strbuf_str(data), 1, data->len, f) == data->len)
		ret = 0;
	if (fclose(f))
		ret = -1;
out:
	if (ret)
		fprintf(stderr, "pprof-fetch: cannot write '%s': %s\n", file.buf, strerror(errno));
	strbuf_release(&file);
	return ret;
}

int main(int argc, char **argv)
{
	struct pprof_options o;
	struct collection c;
	struct sigaction sa;
	const char *cat = NULL, *save = NULL;
	FILE *list = stdout;
	long v, max_bytes = 0;
	int i, ret = 0;

	pprof_options_init(&o);
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(arg, "--cheap")) {
			o.cheap_only = 1;
			continue;
		}
		if (!strcmp(arg, "--force")) {
			o.force = 1;
			continue;
		}
		if (!strcmp(arg, "--progress")) {
			o.progress = 1;
			continue;
		}
		if (!val)
			return usage();
		i++;
		if (!strcmp(arg, "--url")) {
			o.url = val;
		} else if (!strcmp(arg, "--cat")) {
			cat = val;
		} else if (!strcmp(arg, "--save")) {
			save = val;
		} else if (!strcmp(arg, "--prefix")) {
			/* set on the collection below */
		} else if (parse_long(val, &v) < 0 || v < 0) {
			return usage();
		} else if (!strcmp(arg, "--pid")) {
			o.pid = (pid_t)v;
		} else if (!strcmp(arg, "--cpu-seconds")) {
			o.cpu_seconds = (int)v;
		} else if (!strcmp(arg, "--timeout-ms")) {
			o.timeout_ms = v;
		} else if (!strcmp(arg, "--deadline-ms")) {
			o.deadline_ms = clock_real_ms() + v;
		} else if (!strcmp(arg, "--goroutine-dump-max")) {
			o.goroutine_dump_max = v;
		} else if (!strcmp(arg, "--max-bytes")) {
			max_bytes = v;
		} else {
			return usage();
		}
	}
	if (!o.url && !o.pid)
		return usage();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);

	collection_init(&c);
	c.interrupted = &got_sigint;
	if (max_bytes)
		c.max_artifact_bytes = (uint64_t)max_bytes;
	for (i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--prefix"))
			c.prefix = argv[i + 1];
	collect_pprof(&c, &o);

	if (cat)
		list = stderr;
	for (size_t k = 0; k < c.nr; k++) {
		const struct artifact *a = &c.arts[k];

		fprintf(list, "%s %s %zu %lld %s%s%s\n", a->path, artifact_status_name(a->status), a->data.len,
			(long long)a->duration_ms, a->error ? a->error : "-",
			a->note ? " note: " : "", a->note ? a->note : "");
		if (save && save_artifact(save, a->path, &a->data) < 0)
			ret = 1;
	}
	if (cat) {
		const struct artifact *a = collection_find(&c, cat);

		if (!a) {
			fprintf(stderr, "pprof-fetch: no artifact '%s'\n", cat);
			ret = 1;
		} else if (a->data.len && fwrite(a->data.buf, 1, a->data.len, stdout) != a->data.len) {
			ret = 1;
		}
	}
	if (got_sigint)
		fprintf(stderr, "pprof-fetch: interrupted\n");
	collection_release(&c);
	return ret;
}
