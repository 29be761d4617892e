#include "collect/bundle-write.h"
#include "base/hex.h"
#include "base/io.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	hex_encode(md, n < 32 ? n : 32, hex);
}

void format_utc_ms(char *buf, size_t len, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char base[32];

	gmtime_r(&t, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03dZ", base, (int)(ms % 1000));
}

int bundle_out_open(struct bundle_out *o, const char *path, struct strbuf *err)
{
	struct strbuf tmp = STRBUF_INIT;
	const char *slash;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	if (!strcmp(path, "-")) {
		o->fd = STDOUT_FILENO;
		return 0;
	}
	slash = strrchr(path, '/');
	if (slash)
		strbuf_add(&tmp, path, (size_t)(slash - path + 1));
	strbuf_addf(&tmp, ".%s.XXXXXX", slash ? slash + 1 : path);
	/* mkstemp creates it 0600: bundles hold command lines and memory maps */
	o->fd = mkostemp(tmp.buf, O_CLOEXEC);
	if (o->fd < 0) {
		int e = errno;

		error_set(err, "cannot write bundle '%s': %s", path, strerror(e));
		strbuf_release(&tmp);
		return -1;
	}
	o->tmp_path = strbuf_detach(&tmp, NULL);
	o->final_path = xstrdup(path);
	return 0;
}

static int add_header(struct archive *a, struct archive_entry *e, const char *path, uint64_t len,
		      int64_t mtime_ms, struct strbuf *err)
{
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_mtime(e, (time_t)(mtime_ms / 1000), (long)(mtime_ms % 1000) * 1000000);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		return error_set(err, "cannot add '%s' to the bundle: %s", path, archive_error_string(a));
	return 0;
}

/* An artifact's bytes, from memory, its spill file or the spool, in chunks. */
static int add_artifact(struct archive *a, const struct collection *c, const struct artifact *art,
			struct strbuf *err)
{
	struct archive_entry *e = archive_entry_new();
	char buf[65536];
	uint64_t size = artifact_size(art), off = 0;
	int ret = -1;

	if (add_header(a, e, art->path, size, art->start_ms, err) < 0)
		goto out;
	while (off < size) {
		ssize_t n = artifact_pread(c, art, buf, sizeof(buf), off);

		if (n <= 0) {
			error_set(err, "cannot read back '%s' for the bundle: %s", art->path,
				  n < 0 ? strerror(errno) : "short read");
			goto out;
		}
		if (archive_write_data(a, buf, (size_t)n) != n) {
			error_set(err, "cannot write '%s' into the bundle: %s", art->path, archive_error_string(a));
			goto out;
		}
		off += (uint64_t)n;
	}
	ret = 0;
out:
	archive_entry_free(e);
	return ret;
}

static int add_entry(struct archive *a, const char *path, const void *data, size_t len,
		     int64_t mtime_ms, struct strbuf *err)
{
	struct archive_entry *e = archive_entry_new();
	int ret = -1;

	if (add_header(a, e, path, len, mtime_ms, err) < 0)
		goto out;
	if (len && archive_write_data(a, data, len) != (la_ssize_t)len) {
		error_set(err, "cannot write '%s' into the bundle: %s", path, archive_error_string(a));
		goto out;
	}
	ret = 0;
out:
	archive_entry_free(e);
	return ret;
}

const char *artifact_status_name(enum artifact_status s)
{
	switch (s) {
	case ARTIFACT_OK: return STATUS_OK;
	case ARTIFACT_SKIPPED: return STATUS_SKIPPED;
	case ARTIFACT_DERIVED: return STATUS_DERIVED;
	default: return STATUS_ERROR;
	}
}

static json_object *artifacts_json(const struct collection *c)
{
	json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < c->nr; i++) {
		const struct artifact *a = &c->arts[i];
		json_object *o = json_object_new_object();
		char hex[65], when[40];

		artifact_sha256_hex(c, a, hex);
		format_utc_ms(when, sizeof(when), a->start_ms);
		json_object_object_add(o, MF_ART_PATH, json_object_new_string(a->path));
		json_object_object_add(o, MF_ART_SOURCE, json_object_new_string(a->source));
		json_object_object_add(o, MF_ART_STATUS, json_object_new_string(artifact_status_name(a->status)));
		json_object_object_add(o, MF_ART_ERROR, a->error ? json_object_new_string(a->error) : NULL);
		json_object_object_add(o, MF_ART_BYTES, json_object_new_int64((int64_t)artifact_size(a)));
		json_object_object_add(o, MF_ART_SHA256, json_object_new_string(hex));
		json_object_object_add(o, MF_ART_START, json_object_new_string(when));
		json_object_object_add(o, MF_ART_DURATION_MS, json_object_new_int64(a->duration_ms));
		if (a->truncated)
			json_object_object_add(o, MF_ART_TRUNCATED, json_object_new_boolean(1));
		if (a->note)
			json_object_object_add(o, MF_ART_NOTE, json_object_new_string(a->note));
		if (a->derived_from) {
			json_object_object_add(o, MF_ART_DERIVED_FROM, json_object_new_string(a->derived_from));
			json_object_object_add(o, MF_ART_SAMPLE_TYPE, json_object_new_string(a->sample_type));
		}
		json_object_array_add(arr, o);
	}
	return arr;
}

int bundle_out_write(struct bundle_out *o, const struct collection *c, json_object *manifest,
		     struct strbuf *err)
{
	struct archive *a = archive_write_new();
	const char *text;
	const char *name = o->final_path ? o->final_path : "(stdout)";
	size_t i;
	int ret = -1;

	json_object_object_add(manifest, MF_ARTIFACTS, artifacts_json(c));
	text = json_object_to_json_string_ext(manifest, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!a) {
		error_set(err, "cannot write bundle '%s': out of memory", name);
		goto out;
	}
	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_gzip(a);
	if (archive_write_open_fd(a, o->fd) != ARCHIVE_OK) {
		error_set(err, "cannot write bundle '%s': %s", name, archive_error_string(a));
		goto out;
	}
	if (add_entry(a, ART_MANIFEST, text, strlen(text), clock_real_ms(), err) < 0)
		goto out;
	for (i = 0; i < c->nr; i++) {
		const struct artifact *art = &c->arts[i];

		/* failed artifacts keep what was read before the failure */
		if (!artifact_size(art) && art->status != ARTIFACT_OK)
			continue;
		if (add_artifact(a, c, art, err) < 0)
			goto out;
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		error_set(err, "cannot finish bundle '%s': %s", name, archive_error_string(a));
		goto out;
	}
	if (o->final_path) {
		if (fsync(o->fd) < 0) {
			error_set(err, "cannot write bundle '%s': %s", name, strerror(errno));
			goto out;
		}
		if (rename(o->tmp_path, o->final_path) < 0) {
			error_set(err, "cannot move the bundle into place as '%s': %s", name, strerror(errno));
			goto out;
		}
		free(o->tmp_path);
		o->tmp_path = NULL;
	}
	ret = 0;
out:
	if (a)
		archive_write_free(a);
	return ret;
}

void bundle_out_spool_dir(const struct bundle_out *o, struct strbuf *dir)
{
	const char *slash = o->tmp_path ? strrchr(o->tmp_path, '/') : NULL;
	const char *tmp = getenv("TMPDIR");

	strbuf_reset(dir);
	if (o->tmp_path && slash)
		strbuf_add(dir, o->tmp_path, (size_t)(slash - o->tmp_path) + (slash == o->tmp_path));
	else if (o->tmp_path)
		strbuf_addstr(dir, ".");
	else
		strbuf_addstr(dir, tmp && *tmp ? tmp : "/tmp");
}

void bundle_out_release(struct bundle_out *o)
{
	if (o->tmp_path)
		unlink(o->tmp_path);
	if (o->fd > STDERR_FILENO)
		close(o->fd);
	free(o->tmp_path);
	free(o->final_path);
	memset(o, 0, sizeof(*o));
	o->fd = -1;
}
