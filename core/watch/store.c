/*
 * The watch directory: bundles named by target and time, the JSONL event
 * log, and retention. Bundles appear only whole (bundle_out_open() writes a
 * hidden temporary file and renames it), so listing *.tgz never sees half
 * of one.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/io.h"
#include "base/json.h"
#include "base/quantity.h"
#include "base/strlist.h"
#include "collect/bundle-write.h"
#include "watch/watch.h"

void watch_bundle_list_init(struct watch_bundle_list *l)
{
	memset(l, 0, sizeof(*l));
}

void watch_bundle_list_release(struct watch_bundle_list *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		free(l->items[i].path);
	free(l->items);
	watch_bundle_list_init(l);
}

static int cmp_bundle(const void *a, const void *b)
{
	const struct watch_bundle *x = a, *y = b;

	if (x->mtime_ms != y->mtime_ms)
		return x->mtime_ms < y->mtime_ms ? -1 : 1;
	return strcmp(x->path, y->path);
}

int watch_list_bundles(const char *dir, struct watch_bundle_list *l, struct strbuf *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct strbuf path = STRBUF_INIT;

	if (!d)
		return error_set(err, "cannot read directory '%s': %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		struct watch_bundle *b;

		/* hidden files are collections still being written */
		if (de->d_name[0] == '.' || !str_ends_with(de->d_name, ".tgz"))
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, de->d_name);
		if (stat(path.buf, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		ALLOC_GROW(l->items, l->nr + 1, l->alloc);
		b = &l->items[l->nr++];
		b->path = xstrdup(path.buf);
		b->mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
		b->bytes = (uint64_t)st.st_size;
	}
	closedir(d);
	strbuf_release(&path);
	if (l->nr)
		qsort(l->items, l->nr, sizeof(*l->items), cmp_bundle);
	return 0;
}

int watch_is_dir(const char *dir)
{
	struct strbuf path = STRBUF_INIT;
	int ret;

	strbuf_addf(&path, "%s/%s", dir, WATCH_EVENTS_FILE);
	ret = is_dir(dir) && access(path.buf, F_OK) == 0;
	strbuf_release(&path);
	return ret;
}

void watch_bundle_name(struct strbuf *out, const char *dir, const char *exe, pid_t pid,
		       int64_t real_ms, const char *trigger)
{
	const char *base = exe ? strrchr(exe, '/') : NULL, *p;
	time_t t = (time_t)(real_ms / 1000);
	struct tm tm;
	char ts[32];

	base = base ? base + 1 : (exe && *exe ? exe : "target");
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y%m%dT%H%M%S", &tm);
	strbuf_addf(out, "%s/", dir);
	/* names come from the target's binary: keep them to safe characters */
	for (p = base; *p && p - base < 64; p++)
		strbuf_addch(out, (isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.') ? *p : '_');
	strbuf_addf(out, "-%ld-%s.%03dZ-%s.tgz", (long)pid, ts, (int)(real_ms % 1000), trigger);
}

void watch_remove_temporaries(const char *final_path)
{
	const char *slash = strrchr(final_path, '/');
	struct strbuf dir = STRBUF_INIT, prefix = STRBUF_INIT, path = STRBUF_INIT;
	struct dirent *de;
	DIR *d;

	if (slash)
		strbuf_add(&dir, final_path, (size_t)(slash - final_path));
	else
		strbuf_addch(&dir, '.');
	/* bundle_out_open()'s ".NAME.XXXXXX" */
	strbuf_addf(&prefix, ".%s.", slash ? slash + 1 : final_path);
	d = opendir(dir.buf);
	while (d && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix.buf, prefix.len) || strlen(de->d_name) != prefix.len + 6)
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir.buf, de->d_name);
		unlink(path.buf);
	}
	if (d)
		closedir(d);
	strbuf_release(&dir);
	strbuf_release(&prefix);
	strbuf_release(&path);
}

int watch_retain(const char *dir, uint64_t budget,
		 void (*deleted)(const char *path, uint64_t bytes, void *data), void *data,
		 struct strbuf *err)
{
	struct watch_bundle_list l;
	uint64_t total = 0;
	size_t i;
	int ret = -1;

	watch_bundle_list_init(&l);
	if (watch_list_bundles(dir, &l, err) < 0)
		goto out;
	for (i = 0; i < l.nr; i++)
		total += l.items[i].bytes;
	/* the newest stays even over budget: it is the one closest to the incident */
	for (i = 0; i + 1 < l.nr && total > budget; i++) {
		if (unlink(l.items[i].path) < 0)
			continue;
		total -= l.items[i].bytes;
		if (deleted)
			deleted(l.items[i].path, l.items[i].bytes, data);
	}
	ret = 0;
out:
	watch_bundle_list_release(&l);
	return ret;
}

int watch_log_open(struct watch_log *lg, const char *dir, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;

	strbuf_addf(&path, "%s/%s", dir, WATCH_EVENTS_FILE);
	/* O_APPEND: several runs over the same directory make one history */
	lg->fd = open(path.buf, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (lg->fd < 0)
		error_set(err, "cannot write the event log '%s': %s", path.buf, strerror(errno));
	strbuf_release(&path);
	return lg->fd < 0 ? -1 : 0;
}

void watch_log_close(struct watch_log *lg)
{
	if (lg->fd >= 0)
		close(lg->fd);
	lg->fd = -1;
}

void watch_log_event(struct watch_log *lg, const char *event, struct json_object *o)
{
	struct json_object *line = json_object_new_object();
	struct json_object_iterator it, end;
	struct strbuf sb = STRBUF_INIT;
	char when[40];

	/* time and event first, so a person reading the file sees them first */
	format_utc_ms(when, sizeof(when), clock_real_ms());
	json_object_object_add(line, "time", json_object_new_string(when));
	json_object_object_add(line, "event", json_object_new_string(event));
	it = json_object_iter_begin(o);
	end = json_object_iter_end(o);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
		json_object_object_add(line, json_object_iter_peek_name(&it),
				       json_object_get(json_object_iter_peek_value(&it)));
	strbuf_addstr(&sb, json_object_to_json_string_ext(line, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE));
	strbuf_addch(&sb, '\n');
	if (lg->fd >= 0 && write_all(lg->fd, sb.buf, sb.len) < 0)
		fprintf(stderr, "triage watch: cannot write the event log: %s\n", strerror(errno));
	strbuf_release(&sb);
	json_object_put(line);
	json_object_put(o);
}

void watch_log_human(struct watch_log *lg, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	time_t t = time(NULL);
	struct tm tm;
	char ts[16];
	va_list ap;

	if (lg->quiet)
		return;
	localtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	strbuf_addf(&sb, "triage watch: %s ", ts);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_addch(&sb, '\n');
	/* one write, so lines from the collection child never interleave inside it */
	if (write_all(STDERR_FILENO, sb.buf, sb.len) < 0) {
		/* stderr gone: the event log still has it */
	}
	strbuf_release(&sb);
}

/* "NAME-PID" of "DIR/NAME-PID-TIME-TRIGGER.tgz": the process a bundle is of. */
static size_t incarnation_len(const char *path)
{
	const char *base = strrchr(path, '/'), *end;
	int dashes = 0;

	base = base ? base + 1 : path;
	for (end = base + strlen(base); end > base; end--)
		if (end[-1] == '-' && ++dashes == 2)
			return (size_t)(end - 1 - path);
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/*
 * What events.jsonl says about the listed bundles (trigger and share of the
 * limit, by file name: DIR may be spelt differently than watch was given
 * it), and the kills, so the listing shows the climb. Silent without a log.
 */
static void print_climb(const char *dir, const struct watch_bundle_list *l, FILE *out)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	char **notes = xcalloc(l->nr ? l->nr : 1, sizeof(*notes));
	struct strlist kills = STRLIST_INIT;
	const char *line, *nl;
	size_t i;

	strbuf_addf(&path, "%s/%s", dir, WATCH_EVENTS_FILE);
	if (strbuf_read_file(&text, path.buf, (size_t)64 << 20) < 0)
		goto print;
	for (line = strbuf_str(&text); *line; line = nl ? nl + 1 : line + strlen(line)) {
		struct strbuf one = STRBUF_INIT, note = STRBUF_INIT;
		json_object *e, *sample, *pct;
		const char *event, *p;

		nl = strchr(line, '\n');
		strbuf_add(&one, line, nl ? (size_t)(nl - line) : strlen(line));
		e = json_tokener_parse(one.buf);
		strbuf_release(&one);
		if (!e)
			continue;
		event = json_get_str(e, "event", "");
		sample = json_get_obj(e, "sample");
		pct = NULL;
		if (sample)
			json_object_object_get_ex(sample, "pct", &pct);
		if (!strcmp(event, "bundle") && (p = json_get_str(e, "path", NULL)) != NULL) {
			strbuf_addf(&note, "%s", json_get_str(e, "trigger", "?"));
			if (pct)
				strbuf_addf(&note, " at %.1f%% of the limit", json_object_get_double(pct));
			if (strcmp(json_get_str(e, "status", "ok"), "ok"))
				strbuf_addf(&note, " (%s)", json_get_str(e, "status", ""));
			for (i = 0; i < l->nr; i++) {
				if (!strcmp(base_name(l->items[i].path), base_name(p))) {
					free(notes[i]);
					notes[i] = strbuf_detach(&note, NULL);
				}
			}
		} else if (!strcmp(event, "kill")) {
			json_object *lb = json_get_obj(e, "last_bundle");

			strbuf_addf(&note, "%s of pid %lld at %s", json_get_str(e, "cause", "?"),
				    (long long)json_get_int(e, "pid", 0), json_get_str(e, "time", "?"));
			if (lb)
				strbuf_addf(&note, ", %.1f s after %s", json_object_get_double(
					    json_object_object_get(lb, "seconds_before_kill")),
					    base_name(json_get_str(lb, "path", "?")));
			strlist_add(&kills, note.buf);
		}
		strbuf_release(&note);
		json_object_put(e);
	}
print:
	for (i = 0; i < l->nr; i++) {
		char size[32];

		format_bytes(size, sizeof(size), (int64_t)l->items[i].bytes);
		fprintf(out, "  %s  %s%s%s\n", l->items[i].path, size, notes[i] ? "  " : "", notes[i] ? notes[i] : "");
		free(notes[i]);
	}
	for (i = 0; i < kills.nr; i++)
		fprintf(out, "  kill: %s\n", kills.items[i]);
	free(notes);
	strlist_release(&kills);
	strbuf_release(&path);
	strbuf_release(&text);
}

int watch_dir_pick(const char *dir, struct strbuf *newest, struct strbuf *base,
		   struct strlist *between, FILE *out, struct strbuf *err)
{
	struct watch_bundle_list l;
	size_t i, n;
	int ret = -1;

	watch_bundle_list_init(&l);
	if (watch_list_bundles(dir, &l, err) < 0)
		goto out;
	if (!l.nr) {
		error_set(err, "'%s' is a directory with no bundles (*.tgz) in it", dir);
		goto out;
	}
	if (out) {
		fprintf(out, "%s: %zu bundle%s, oldest first:\n", dir, l.nr, l.nr == 1 ? "" : "s");
		print_climb(dir, &l, out);
	}
	strbuf_addstr(newest, l.items[l.nr - 1].path);
	/* the first bundle of the same process shows what grew on the way to the newest */
	n = incarnation_len(newest->buf);
	for (i = 0; n && i + 1 < l.nr; i++) {
		if (incarnation_len(l.items[i].path) != n || strncmp(l.items[i].path, newest->buf, n))
			continue;
		if (!base->len)
			strbuf_addstr(base, l.items[i].path);
		else if (between)
			strlist_add(between, l.items[i].path);
	}
	ret = 0;
out:
	watch_bundle_list_release(&l);
	return ret;
}
