#include "collect/collect.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/io.h"

#define DEFAULT_MAX_ARTIFACT ((uint64_t)256 << 20)

void collection_init(struct collection *c)
{
	memset(c, 0, sizeof(*c));
	c->max_artifact_bytes = DEFAULT_MAX_ARTIFACT;
}

void collection_release(struct collection *c)
{
	size_t i;

	for (i = 0; i < c->nr; i++) {
		free(c->arts[i].path);
		free(c->arts[i].source);
		free(c->arts[i].error);
		strbuf_release(&c->arts[i].data);
	}
	free(c->arts);
	memset(c, 0, sizeof(*c));
}

struct artifact *collection_add(struct collection *c, const char *path, const char *source)
{
	struct artifact *a;
	struct strbuf full = STRBUF_INIT;

	ALLOC_GROW(c->arts, c->nr + 1, c->alloc);
	a = &c->arts[c->nr++];
	memset(a, 0, sizeof(*a));
	if (c->prefix)
		strbuf_addstr(&full, c->prefix);
	strbuf_addstr(&full, path);
	a->path = strbuf_detach(&full, NULL);
	a->source = xstrdup(source);
	a->start_ms = clock_real_ms();
	/* duration_ms holds the monotonic start until the artifact ends */
	a->duration_ms = clock_mono_ms();
	a->status = ARTIFACT_ERROR;	/* until someone says otherwise */
	return a;
}

struct artifact *collection_find(struct collection *c, const char *path)
{
	size_t i;

	for (i = 0; i < c->nr; i++)
		if (!strcmp(c->arts[i].path, path))
			return &c->arts[i];
	return NULL;
}

static void artifact_end(struct artifact *a, enum artifact_status st, const char *fmt, va_list ap)
{
	a->status = st;
	a->duration_ms = clock_mono_ms() - a->duration_ms;
	if (a->duration_ms < 0)
		a->duration_ms = 0;
	free(a->error);
	a->error = NULL;
	if (fmt) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_vaddf(&sb, fmt, ap);
		a->error = strbuf_detach(&sb, NULL);
	}
}

void artifact_ok(struct artifact *a)
{
	va_list ap;

	memset(&ap, 0, sizeof(ap));
	artifact_end(a, ARTIFACT_OK, NULL, ap);
}

void artifact_fail(struct artifact *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	artifact_end(a, ARTIFACT_ERROR, fmt, ap);
	va_end(ap);
}

void artifact_skip(struct artifact *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	artifact_end(a, ARTIFACT_SKIPPED, fmt, ap);
	va_end(ap);
}

void artifact_add_json(struct collection *c, struct artifact *a, struct json_object *o)
{
	const char *text = json_object_to_json_string_ext(o, COLLECT_JSON_FLAGS);

	artifact_append(c, a, text, strlen(text));
	artifact_append(c, a, "\n", 1);
	artifact_ok(a);
}

int artifact_append(struct collection *c, struct artifact *a, const void *data, size_t len)
{
	if (a->data.len + len > c->max_artifact_bytes) {
		strbuf_add(&a->data, data, (size_t)(c->max_artifact_bytes - a->data.len));
		a->truncated = 1;
		return -1;
	}
	strbuf_add(&a->data, data, len);
	return 0;
}

struct artifact *collect_file(struct collection *c, const char *path, const char *source,
			      const char *file, int optional)
{
	struct artifact *a = collection_add(c, path, source);
	char buf[65536];
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		if (optional && errno == ENOENT)
			artifact_skip(a, "%s: not present on this system", file);
		else
			artifact_fail(a, "cannot open %s: %s", file, strerror(errno));
		return a;
	}
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (artifact_append(c, a, buf, (size_t)n) < 0)
			break;
	}
	if (n < 0)
		artifact_fail(a, "cannot read %s: %s", file, strerror(errno));
	else if (a->truncated)
		artifact_fail(a, "%s: larger than the per-artifact cap; truncated", file);
	else
		artifact_ok(a);
	close(fd);
	return a;
}
