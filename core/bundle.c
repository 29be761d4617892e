#include "bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inflate.h"

int bundle_path_ok(const char *name)
{
	const char *p = name;

	if (!*name || *name == '/')
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

int bundle_open_entry(struct bundle_reader *br, const char *path, const char *entry,
		      struct strbuf *err)
{
	struct archive_entry *ae;
	size_t count = 0;
	int r;

	memset(br, 0, sizeof(*br));
	br->path = path;
	br->a = archive_read_new();
	if (!br->a)
		return error_set(err, "cannot read bundle '%s': out of memory", path);
	archive_read_support_filter_gzip(br->a);
	archive_read_support_format_tar(br->a);
	if (archive_read_open_filename(br->a, path, 64 * 1024) != ARCHIVE_OK)
		return error_set(err, "cannot open bundle '%s': %s", path, archive_error_string(br->a));
	for (;;) {
		const char *name;
		mode_t type;

		r = archive_read_next_header(br->a, &ae);
		if (r == ARCHIVE_EOF)
			return error_set(err, "bundle '%s' has no entry '%s'", path, entry);
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return error_set(err, "cannot read bundle '%s': %s", path, archive_error_string(br->a));
		if (++count > BUNDLE_MAX_ENTRIES)
			return error_set(err, "bundle '%s' has more than %d entries", path, BUNDLE_MAX_ENTRIES);
		name = archive_entry_pathname(ae);
		if (!name || !bundle_path_ok(name))
			return error_set(err, "bundle '%s' holds an unsafe path '%s'", path, name ? name : "(none)");
		type = archive_entry_filetype(ae);
		if (type == AE_IFDIR)
			continue;
		if (type != AE_IFREG)
			return error_set(err, "bundle '%s' holds '%s', which is not a regular file", path, name);
		if (archive_entry_size(ae) > BUNDLE_MAX_ENTRY_SIZE)
			return error_set(err, "bundle '%s': entry '%s' is larger than 1 GiB", path, name);
		if (!strcmp(name, entry)) {
			br->entry = xstrdup(name);
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
