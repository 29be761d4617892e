#include "collect/collect.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "base/hex.h"
#include "base/io.h"

#define DEFAULT_MAX_ARTIFACT ((uint64_t)256 << 20)
/* past this, an artifact being written goes to a file of its own */
#define DEFAULT_SPILL_AT ((size_t)1 << 20)
#define COPY_CHUNK 65536

void collection_init(struct collection *c)
{
	memset(c, 0, sizeof(*c));
	c->max_artifact_bytes = DEFAULT_MAX_ARTIFACT;
	c->spill_at = DEFAULT_SPILL_AT;
	c->spool_fd = -1;
}

void artifact_clear(struct artifact *a)
{
	strbuf_release(&a->data);
	if (a->spill_fd >= 0)
		close(a->spill_fd);
	a->spill_fd = -1;
	a->spill_len = 0;
}

void collection_release(struct collection *c)
{
	size_t i;

	for (i = 0; i < c->nr; i++) {
		free(c->arts[i].path);
		free(c->arts[i].source);
		free(c->arts[i].error);
		free(c->arts[i].note);
		artifact_clear(&c->arts[i]);
	}
	free(c->arts);
	if (c->spool_fd >= 0)
		close(c->spool_fd);
	memset(c, 0, sizeof(*c));
	c->spool_fd = -1;
}

uint64_t artifact_size(const struct artifact *a)
{
	if (a->spool_off >= 0)
		return a->size;
	if (a->spill_fd >= 0)
		return a->spill_len;
	return a->data.len;
}

ssize_t artifact_pread(const struct collection *c, const struct artifact *a, void *buf,
		       size_t len, uint64_t off)
{
	uint64_t size = artifact_size(a);

	if (off >= size)
		return 0;
	if (len > size - off)
		len = (size_t)(size - off);
	if (a->spool_off >= 0)
		return pread_full(c->spool_fd, buf, len, (uint64_t)a->spool_off + off);
	if (a->spill_fd >= 0)
		return pread_full(a->spill_fd, buf, len, off);
	memcpy(buf, a->data.buf + off, len);
	return (ssize_t)len;
}

int artifact_read_all(const struct collection *c, const struct artifact *a, struct strbuf *out)
{
	uint64_t size = artifact_size(a);
	ssize_t n;

	strbuf_reset(out);
	if (size > SIZE_MAX / 2)
		return -1;
	strbuf_grow(out, (size_t)size);
	n = artifact_pread(c, a, out->buf, (size_t)size, 0);
	if (n < 0 || (uint64_t)n != size)
		return -1;
	out->len = (size_t)n;
	out->buf[out->len] = '\0';
	return 0;
}

ssize_t artifact_reader_read(void *ctx, void *buf, size_t len, struct strbuf *err)
{
	struct artifact_reader *r = ctx;
	ssize_t n = artifact_pread(r->c, r->a, buf, len, r->off);

	if (n < 0)
		return error_set(err, "cannot read back %s: %s", r->a->path, strerror(errno));
	r->off += (uint64_t)n;
	return n;
}

void artifact_take_bytes(struct artifact *dst, struct artifact *src)
{
	artifact_clear(dst);
	dst->data = src->data;
	strbuf_init(&src->data);
	dst->spill_fd = src->spill_fd;
	dst->spill_len = src->spill_len;
	src->spill_fd = -1;
	src->spill_len = 0;
	free(dst->note);
	dst->note = src->note;
	src->note = NULL;
}

int collection_seal(struct collection *c, struct artifact *a, struct strbuf *err)
{
	EVP_MD_CTX *md = NULL;
	unsigned char buf[COPY_CHUNK], digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	uint64_t size, off = 0;
	int ret = -1;

	if (!c->spool_dir || a->spool_off >= 0)
		return 0;
	if (c->spool_fd < 0 && (c->spool_fd = tmpfile_in(c->spool_dir, err)) < 0)
		return -1;
	size = artifact_size(a);
	md = EVP_MD_CTX_new();
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		error_set(err, "cannot start a SHA-256 digest");
		goto out;
	}
	while (off < size) {
		ssize_t n = artifact_pread(c, a, buf, sizeof(buf), off);

		if (n <= 0) {
			error_set(err, "cannot read back %s: %s", a->path, n < 0 ? strerror(errno) : "short");
			goto out;
		}
		if (pwrite(c->spool_fd, buf, (size_t)n, (off_t)(c->spool_len + off)) != n) {
			error_set(err, "cannot write the spool in %s: %s", c->spool_dir, strerror(errno));
			goto out;
		}
		EVP_DigestUpdate(md, buf, (size_t)n);
		off += (uint64_t)n;
	}
	EVP_DigestFinal_ex(md, digest, &dlen);
	hex_encode(digest, dlen < 32 ? dlen : 32, a->sha256);
	a->spool_off = (int64_t)c->spool_len;
	a->size = size;
	c->spool_len += size;
	strbuf_release(&a->data);
	if (a->spill_fd >= 0)
		close(a->spill_fd);
	a->spill_fd = -1;
	a->spill_len = 0;
	ret = 0;
out:
	EVP_MD_CTX_free(md);
	return ret;
}

void artifact_sha256_hex(const struct collection *c, const struct artifact *a, char hex[65])
{
	EVP_MD_CTX *md;
	unsigned char buf[COPY_CHUNK], digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	uint64_t off = 0;
	ssize_t got;

	if (a->spool_off >= 0) {
		memcpy(hex, a->sha256, 65);
		return;
	}
	hex[0] = '\0';
	md = EVP_MD_CTX_new();
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		goto out;
	while ((got = artifact_pread(c, a, buf, sizeof(buf), off)) > 0) {
		EVP_DigestUpdate(md, buf, (size_t)got);
		off += (uint64_t)got;
	}
	EVP_DigestFinal_ex(md, digest, &dlen);
	hex_encode(digest, dlen < 32 ? dlen : 32, hex);
out:
	EVP_MD_CTX_free(md);
}

int collection_seal_all(struct collection *c, struct strbuf *err)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < c->nr; i++)
		if (collection_seal(c, &c->arts[i], ret ? NULL : err) < 0)
			ret = -1;
	return ret;
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
	a->spill_fd = -1;
	a->spool_off = -1;
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

/* Moves what a holds in memory to a file of its own; -1 leaves it in memory. */
static int spill(struct collection *c, struct artifact *a)
{
	int fd = tmpfile_in(c->spool_dir, NULL);

	if (fd < 0)
		return -1;
	if (a->data.len && write_all(fd, a->data.buf, a->data.len) < 0) {
		close(fd);
		return -1;
	}
	a->spill_fd = fd;
	a->spill_len = a->data.len;
	strbuf_release(&a->data);
	return 0;
}

static int append_bytes(struct collection *c, struct artifact *a, const void *data, size_t len)
{
	if (a->spill_fd < 0 && c->spool_dir && a->data.len + len > c->spill_at)
		spill(c, a);	/* on failure memory still works, only bigger */
	if (a->spill_fd >= 0) {
		if (pwrite(a->spill_fd, data, len, (off_t)a->spill_len) != (ssize_t)len)
			return -1;
		a->spill_len += len;
		return 0;
	}
	strbuf_add(&a->data, data, len);
	return 0;
}

int artifact_append(struct collection *c, struct artifact *a, const void *data, size_t len)
{
	uint64_t have = artifact_size(a);

	if (have + len > c->max_artifact_bytes) {
		append_bytes(c, a, data, (size_t)(c->max_artifact_bytes - have));
		a->truncated = 1;
		return -1;
	}
	return append_bytes(c, a, data, len);
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
