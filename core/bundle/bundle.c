#include "bundle/bundle.h"
#include "base/json.h"

#include <archive.h>
#include <archive_entry.h>
#include <json-c/json.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/escape.h"
#include "base/inflate.h"
#include "base/json.h"
#include "base/quantity.h"
#include "base/sort.h"
#include "bundle/vocab.h"

int bundle_path_ok(const char *name)
{
	const char *p = name;

	if (!*name || *name == '/')
		return 0;
	/* ESC, newline, C1 or bytes that are not UTF-8 in a name are an attack on whoever lists it */
	if (text_needs_escape(name, strlen(name)))
		return 0;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 0 && p[n] == '/')
			return 0;	/* "a//b" */
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p += n;
		if (*p == '/')
			p++;
	}
	return 1;
}

int bundle_sniff(const char *path, struct strbuf *err)
{
	struct fd_reader r;
	struct instream in;
	unsigned char head[512];
	size_t got = 0;
	int ret = -1;

	r.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r.fd < 0)
		return error_set(err, "cannot open '%s': %s", path, strerror(errno));
	if (instream_init(&in, fd_reader_read, &r, path, 0, err) < 0)
		goto out;
	while (got < sizeof(head)) {
		ssize_t n = instream_read(&in, head + got, sizeof(head) - got, err);

		if (n < 0) {
			/* not our problem here: the profile decoder explains it better */
			strbuf_reset(err);
			ret = 0;
			goto out_in;
		}
		if (!n)
			break;
		got += (size_t)n;
	}
	ret = got == sizeof(head) && !memcmp(head + 257, "ustar", 5);
out_in:
	instream_release(&in);
out:
	close(r.fd);
	return ret;
}

/* A bundle from a file (data NULL) or from memory. */
static struct archive *archive_start(const char *path, const void *data, size_t len,
				     struct strbuf *err)
{
	struct archive *a = archive_read_new();
	int r;

	if (!a) {
		error_set(err, "cannot read bundle '%s': out of memory", path);
		return NULL;
	}
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	/* libarchive's own message for a missing file hides errno */
	if (!data && access(path, R_OK) < 0) {
		error_set(err, "cannot open bundle '%s': %s", path, strerror(errno));
		archive_read_free(a);
		return NULL;
	}
	if (data)
		r = archive_read_open_memory(a, data, len);
	else
		r = archive_read_open_filename(a, path, 64 * 1024);
	if (r != ARCHIVE_OK) {
		const char *why = archive_error_string(a);

		if (why && strstr(why, "Unrecognized archive format"))
			why = "not a triage bundle (expected a gzip-compressed tar archive)";
		error_set(err, "cannot open bundle '%s': %s", path, why ? why : "unreadable");
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/*
 * Moves to the next regular file, checking everything on the way: the
 * name, the type, the declared size, the entry count and the running total
 * (which is what keeps a tar of huge zero-filled members from inflating
 * forever). Returns 1 with *ae set, 0 at the end, -1 on a refused entry.
 */
static int next_checked(struct archive *a, const char *path, size_t *count, uint64_t *total,
			uint64_t max_total, struct archive_entry **ae, struct strbuf *err)
{
	for (;;) {
		const char *name;
		mode_t type;
		int64_t size;
		int r = archive_read_next_header(a, ae);

		if (r == ARCHIVE_EOF)
			return 0;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return error_set(err, "cannot read bundle '%s': %s", path, archive_error_string(a));
		if (++*count > BUNDLE_MAX_ENTRIES)
			return error_set(err, "bundle '%s' has more than %d entries", path, BUNDLE_MAX_ENTRIES);
		name = archive_entry_pathname(*ae);
		if (!name || !bundle_path_ok(name)) {
			struct strbuf tmp = STRBUF_INIT;

			error_set(err, "bundle '%s' holds an unsafe path '%s'", path,
				  name ? text_safe(&tmp, name) : "(none)");
			strbuf_release(&tmp);
			return -1;
		}
		type = archive_entry_filetype(*ae);
		if (type == AE_IFDIR)
			continue;
		if (type != AE_IFREG || archive_entry_hardlink(*ae) || archive_entry_symlink(*ae))
			return error_set(err, "bundle '%s' holds '%s', which is not a regular file", path, name);
		size = archive_entry_size(*ae);
		if (size < 0 || size > BUNDLE_MAX_ENTRY_SIZE)
			return error_set(err, "bundle '%s': entry '%s' is larger than 1 GiB", path, name);
		*total += (uint64_t)size;
		if (*total > BUNDLE_MAX_TOTAL)
			return error_set(err, "bundle '%s' holds more than 2 GiB in all", path);
		if (*total > max_total) {
			char cap[32];

			format_bytes(cap, sizeof(cap), (int64_t)max_total);
			return error_set(err, "bundle '%s' holds more than %s in all, more than its size allows (64 MiB plus 64 times the compressed size)",
					 path, cap);
		}
		return 1;
	}
}

int bundle_open_entry(struct bundle_reader *br, const char *path, const char *entry,
		      struct strbuf *err)
{
	struct archive_entry *ae;
	size_t count = 0;
	uint64_t total = 0;

	memset(br, 0, sizeof(*br));
	br->path = path;
	br->a = archive_start(path, NULL, 0, err);
	if (!br->a)
		return -1;
	for (;;) {
		/* streamed, never held whole: the absolute cap is enough */
		int r = next_checked(br->a, path, &count, &total, BUNDLE_MAX_TOTAL, &ae, err);

		if (r < 0)
			return -1;
		if (!r)
			return error_set(err, "bundle '%s' has no entry '%s'", path, entry);
		if (!strcmp(archive_entry_pathname(ae), entry)) {
			br->entry = xstrdup(entry);
			br->size = archive_entry_size(ae);
			br->left = br->size;
			return 0;
		}
	}
}

ssize_t bundle_entry_read(void *ctx, void *buf, size_t len, struct strbuf *err)
{
	struct bundle_reader *br = ctx;
	la_ssize_t n = archive_read_data(br->a, buf, len);

	if (n < 0)
		return error_set(err, "cannot read '%s' from bundle '%s': %s", br->entry, br->path,
				 archive_error_string(br->a));
	return n;
}

void bundle_reader_release(struct bundle_reader *br)
{
	if (br->a)
		archive_read_free(br->a);
	free(br->entry);
	memset(br, 0, sizeof(*br));
}

int bundle_read_entry(const char *path, const char *entry, struct strbuf *out, size_t max,
		      struct strbuf *err)
{
	struct bundle_reader br;
	char buf[65536];
	int ret = -1;

	if (bundle_open_entry(&br, path, entry, err) < 0)
		goto out;
	if (br.size > (int64_t)max) {
		error_set(err, "bundle '%s': '%s' is larger than %zu bytes", path, entry, max);
		goto out;
	}
	for (;;) {
		ssize_t n = bundle_entry_read(&br, buf, sizeof(buf), err);

		if (n < 0)
			goto out;
		if (!n)
			break;
		if (out->len + (size_t)n > max) {
			error_set(err, "bundle '%s': '%s' is larger than %zu bytes", path, entry, max);
			goto out;
		}
		strbuf_add(out, buf, (size_t)n);
	}
	ret = 0;
out:
	bundle_reader_release(&br);
	return ret;
}

void bundle_init(struct bundle *b)
{
	memset(b, 0, sizeof(*b));
}

void bundle_release(struct bundle *b)
{
	size_t i;

	for (i = 0; i < b->nr; i++) {
		free(b->files[i].path);
		free(b->files[i].data);
	}
	free(b->files);
	free(b->path);
	if (b->manifest)
		json_object_put(b->manifest);
	bundle_init(b);
}

static int file_cmp(const void *x, const void *y)
{
	return strcmp(((const struct bundle_file *)x)->path, ((const struct bundle_file *)y)->path);
}

static int check_manifest(struct bundle *b, struct strbuf *err)
{
	const struct bundle_file *mf = bundle_get(b, ART_MANIFEST);
	struct strbuf why = STRBUF_INIT;
	const char *ver;
	int major = -1, minor = 0;

	if (!mf)
		return 0;	/* hand-made bundles may lack one: analysis still runs */
	b->manifest = json_parse_bounded((const char *)mf->data, mf->len, 64, JSON_MAX_VALUES, &why);
	if (!b->manifest || !json_object_is_type(b->manifest, json_type_object)) {
		if (b->manifest)
			json_object_put(b->manifest);
		b->manifest = NULL;
		error_set(err, "bundle '%s': manifest.json is not a JSON object (%s)", b->path,
			  why.len ? why.buf : "wrong type");
		strbuf_release(&why);
		return -1;
	}
	ver = json_get_str(b->manifest, MF_FORMAT_VERSION, NULL);
	if (!ver)
		return error_set(err, "bundle '%s': manifest.json has no format_version", b->path);
	if (sscanf(ver, "%d.%d", &major, &minor) < 1 || major < 0)
		return error_set(err, "bundle '%s': manifest.json format_version '%s' is not MAJOR.MINOR",
				 b->path, ver);
	if (major != BUNDLE_READ_MAJOR)
		return error_set(err, "bundle '%s' has format %s; this triage reads format %d.x (%s)",
				 b->path, ver, BUNDLE_READ_MAJOR,
				 major > BUNDLE_READ_MAJOR ? "upgrade triage" : "collect it again");
	b->format_major = major;
	b->format_minor = minor;
	return 0;
}

/*
 * Entries read only for their end: heap?debug=1 text is the heap profile
 * again, as text (176 MB for a 260k-stack heap), followed by the MemStats
 * trailer, which is all triage reads from it. Holding the whole text was
 * most of analyze's time and memory on a large bundle.
 */
static int tail_only(const char *entry)
{
	size_t n = strlen(entry), k = strlen(ART_HEAP_DEBUG1);

	return n >= k && !strcmp(entry + n - k, ART_HEAP_DEBUG1) &&
	       (n == k || entry[n - k - 1] == '/');
}

/*
 * Streams an entry, keeping its last BUNDLE_TAIL_KEEP bytes in a ring, from
 * libarchive's own blocks: the head is inflated (a gzip stream cannot be
 * skipped) but never copied.
 */
static int read_tail(struct archive *a, struct bundle_file *f, size_t size, size_t *got)
{
	unsigned char *ring = xmalloc(BUNDLE_TAIL_KEEP + 1);
	size_t head = 0;	/* next write position in the ring */

	*got = 0;
	for (;;) {
		const void *block;
		size_t len;
		la_int64_t off;
		int r = archive_read_data_block(a, &block, &len, &off);
		const unsigned char *p = block;

		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN || (uint64_t)off != *got) {
			free(ring);
			return -1;	/* an error, or a sparse entry: not what a collector writes */
		}
		*got += len;
		if (len >= BUNDLE_TAIL_KEEP) {
			memcpy(ring, p + len - BUNDLE_TAIL_KEEP, BUNDLE_TAIL_KEEP);
			head = 0;
			continue;
		}
		while (len) {
			size_t n = BUNDLE_TAIL_KEEP - head < len ? BUNDLE_TAIL_KEEP - head : len;

			memcpy(ring + head, p, n);
			head = (head + n) % BUNDLE_TAIL_KEEP;
			p += n;
			len -= n;
		}
		if (*got > size)
			break;
	}
	if (*got >= BUNDLE_TAIL_KEEP && head) {
		/* oldest byte at head: rotate it to the front */
		unsigned char *lin = xmalloc(BUNDLE_TAIL_KEEP + 1);

		memcpy(lin, ring + head, BUNDLE_TAIL_KEEP - head);
		memcpy(lin + BUNDLE_TAIL_KEEP - head, ring, head);
		free(ring);
		ring = lin;
	}
	f->data = ring;
	f->len = *got < BUNDLE_TAIL_KEEP ? *got : BUNDLE_TAIL_KEEP;
	f->skipped = *got - f->len;
	return 0;
}

static uint64_t load_bound(uint64_t compressed)
{
	if (compressed > (BUNDLE_MAX_TOTAL - BUNDLE_LOAD_BASE) / BUNDLE_LOAD_RATIO)
		return BUNDLE_MAX_TOTAL;
	return BUNDLE_LOAD_BASE + compressed * BUNDLE_LOAD_RATIO;
}

static int load(struct bundle *b, const char *path, const void *data, size_t len,
		struct strbuf *err)
{
	struct archive *a;
	struct archive_entry *ae;
	size_t count = 0, i, alloc = 0;
	uint64_t total = 0, max_total;
	struct stat st;
	int r, ret = -1;

	bundle_init(b);
	b->path = xstrdup(path);
	a = archive_start(path, data, len, err);
	if (!a) {
		/* on failure nothing stays allocated, as on every other path (found by fuzz-bundle) */
		bundle_release(b);
		return -1;
	}
	if (data)
		max_total = load_bound(len);
	else
		max_total = stat(path, &st) == 0 && st.st_size > 0 ? load_bound((uint64_t)st.st_size)
								   : BUNDLE_LOAD_BASE;
	while ((r = next_checked(a, path, &count, &total, max_total, &ae, err)) > 0) {
		struct bundle_file *f;
		size_t size = (size_t)archive_entry_size(ae), got = 0;

		ALLOC_GROW(b->files, b->nr + 1, alloc);
		f = &b->files[b->nr++];
		memset(f, 0, sizeof(*f));
		f->path = xstrdup(archive_entry_pathname(ae));
		f->size = size;
		if (size > BUNDLE_TAIL_KEEP && tail_only(f->path)) {
			if (read_tail(a, f, size, &got) < 0) {
				error_set(err, "cannot read '%s' from bundle '%s': %s", f->path, path,
					  archive_error_string(a));
				goto out;
			}
		} else {
			f->data = xmalloc(size + 1);
			while (got < size) {
				la_ssize_t n = archive_read_data(a, f->data + got, size - got);

				if (n < 0) {
					error_set(err, "cannot read '%s' from bundle '%s': %s", f->path, path,
						  archive_error_string(a));
					goto out;
				}
				if (!n)
					break;
				got += (size_t)n;
			}
			f->len = got;
		}
		if (got != size) {
			error_set(err, "bundle '%s' is truncated: '%s' holds %zu of %zu bytes", path, f->path, got, size);
			goto out;
		}
		f->data[f->len] = '\0';	/* text artifacts can be used as C strings */
	}
	if (r < 0)
		goto out;
	if (!b->nr) {
		error_set(err, "bundle '%s' is empty", path);
		goto out;
	}
	sort_array(b->files, b->nr, sizeof(*b->files), file_cmp);
	for (i = 1; i < b->nr; i++) {
		if (!strcmp(b->files[i].path, b->files[i - 1].path)) {
			error_set(err, "bundle '%s' holds '%s' twice", path, b->files[i].path);
			goto out;
		}
	}
	if (check_manifest(b, err) < 0)
		goto out;
	ret = 0;
out:
	archive_read_free(a);
	if (ret < 0) {
		struct strbuf keep = STRBUF_INIT;

		/* keep the message across the release */
		strbuf_addstr(&keep, strbuf_str(err));
		bundle_release(b);
		error_set(err, "%s", keep.buf);
		strbuf_release(&keep);
	}
	return ret;
}

int bundle_load(struct bundle *b, const char *path, struct strbuf *err)
{
	return load(b, path, NULL, 0, err);
}

int bundle_load_mem(struct bundle *b, const char *name, const void *data, size_t len,
		    struct strbuf *err)
{
	/* libarchive reads a NULL buffer as an error: an empty bundle is one */
	static const char empty[1];

	return load(b, name, len ? data : empty, len, err);
}

const struct bundle_file *bundle_get(const struct bundle *b, const char *path)
{
	size_t lo = 0, hi = b->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(b->files[mid].path, path);

		if (!c)
			return &b->files[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct json_object *bundle_manifest_entry(struct json_object *manifest, const char *path)
{
	json_object *arts = json_get_array(manifest, MF_ARTIFACTS);
	size_t i, n = arts ? json_object_array_length(arts) : 0;

	for (i = 0; i < n; i++) {
		json_object *a = json_object_array_get_idx(arts, i);
		const char *p = json_get_str(a, MF_ART_PATH, NULL);

		if (p && !strcmp(p, path))
			return a;
	}
	return NULL;
}

int bundle_derived(struct json_object *manifest, const char *path, const char **from,
		   const char **sample)
{
	json_object *a = bundle_manifest_entry(manifest, path);

	if (!a || strcmp(json_get_str(a, MF_ART_STATUS, ""), STATUS_DERIVED))
		return 0;
	*from = json_get_str(a, MF_ART_DERIVED_FROM, NULL);
	*sample = json_get_str(a, MF_ART_SAMPLE_TYPE, NULL);
	/* a view of itself, or of nothing, is no view */
	return *from && *sample && strcmp(*from, path) && bundle_path_ok(*from);
}
