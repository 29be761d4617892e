#include "base/inflate.h"
#include "base/quantity.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IN_CHUNK (256 * 1024)

ssize_t fd_reader_read(void *ctx, void *buf, size_t len, struct strbuf *err)
{
	struct fd_reader *r = ctx;
	ssize_t n;

	do
		n = read(r->fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		error_set(err, "read error: %s", strerror(errno));
	return n;
}

ssize_t mem_reader_read(void *ctx, void *buf, size_t len, struct strbuf *err)
{
	struct mem_reader *r = ctx;
	size_t n = r->len - r->pos;

	(void)err;
	if (n > len)
		n = len;
	memcpy(buf, r->data + r->pos, n);
	r->pos += n;
	return (ssize_t)n;
}

static int fill_input(struct instream *s, struct strbuf *err)
{
	ssize_t n;

	if (s->in_eof)
		return 0;
	/* keep unconsumed input at the front */
	if (s->in_len && s->z.next_in != s->in)
		memmove(s->in, s->z.next_in, s->in_len);
	s->z.next_in = s->in;
	n = s->read(s->ctx, s->in + s->in_len, IN_CHUNK - s->in_len, err);
	if (n < 0)
		return -1;
	if (n == 0)
		s->in_eof = 1;
	s->in_len += (size_t)n;
	s->raw_in += (uint64_t)n;
	return 0;
}

int instream_init(struct instream *s, byte_reader_fn read, void *ctx,
		  const char *name, uint64_t max_out, struct strbuf *err)
{
	memset(s, 0, sizeof(*s));
	s->read = read;
	s->ctx = ctx;
	s->name = name;
	s->max_out = max_out ? max_out : INSTREAM_DEFAULT_MAX;
	s->ratio_bound = !max_out;
	s->in = xmalloc(IN_CHUNK);
	s->z.next_in = s->in;
	/* sniff: read until two bytes are there or the input ends */
	while (s->in_len < 2 && !s->in_eof)
		if (fill_input(s, err) < 0)
			return -1;
	if (s->in_len >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b) {
		s->gzip = 1;
		/* 15 window bits + 16: gzip framing only */
		if (inflateInit2(&s->z, 15 + 16) != Z_OK)
			return error_set(err, "cannot initialise zlib");
		s->z_ready = 1;
		s->z.next_in = s->in;
		s->z.avail_in = (uInt)s->in_len;
	}
	return 0;
}

static int over_limit(struct instream *s, struct strbuf *err)
{
	char lim[64];

	format_size(lim, sizeof(lim), s->max_out);
	return error_set(err, "'%s' decompresses to more than %s (a gzip bomb, or raise the limit with --max-decompressed)",
			 s->name, lim);
}

static int over_ratio(struct instream *s, struct strbuf *err)
{
	char lim[64];

	format_bytes(lim, sizeof(lim), (int64_t)s->produced);
	return error_set(err, "'%s' decompresses to more than %s, over %d times its compressed size (a gzip bomb, or allow it with --max-decompressed)",
			 s->name, lim, INSTREAM_RATIO);
}

ssize_t instream_read(struct instream *s, void *buf, size_t len, struct strbuf *err)
{
	size_t got = 0;

	if (!len)
		return 0;
	if (!s->gzip) {
		/* pass-through: serve buffered bytes, then read directly */
		while (got < len) {
			if (!s->in_len) {
				if (s->in_eof)
					break;
				s->z.next_in = s->in;
				if (fill_input(s, err) < 0)
					return -1;
				continue;
			}
			size_t n = s->in_len < len - got ? s->in_len : len - got;
			memcpy((unsigned char *)buf + got, s->z.next_in, n);
			s->z.next_in += n;
			s->in_len -= n;
			got += n;
		}
		if (s->produced + got > s->max_out)
			return over_limit(s, err);
		s->produced += got;
		return (ssize_t)got;
	}

	while (got < len && !s->z_done) {
		int ret;
		uint64_t room = s->max_out - s->produced;

		if (!s->in_len && !s->in_eof) {
			if (fill_input(s, err) < 0)
				return -1;
			s->z.avail_in = (uInt)s->in_len;
		}
		if (!room)
			return over_limit(s, err);
		s->z.next_out = (unsigned char *)buf + got;
		s->z.avail_out = (uInt)((len - got) < room ? (len - got) : room);
		s->z.avail_in = (uInt)s->in_len;
		{
			uInt before_in = s->z.avail_in, before_out = s->z.avail_out;

			ret = inflate(&s->z, Z_NO_FLUSH);
			s->in_len -= before_in - s->z.avail_in;
			got += before_out - s->z.avail_out;
			s->produced += before_out - s->z.avail_out;
			if (s->ratio_bound && s->produced > INSTREAM_RATIO_BASE &&
			    (s->produced - INSTREAM_RATIO_BASE) / INSTREAM_RATIO > s->raw_in)
				return over_ratio(s, err);
			if (ret == Z_STREAM_END) {
				/* another gzip member may follow (concatenated gzip) */
				if (!s->in_len && !s->in_eof && fill_input(s, err) < 0)
					return -1;
				s->z.avail_in = (uInt)s->in_len;
				if (!s->in_len) {
					s->z_done = 1;
					break;
				}
				if (inflateReset(&s->z) != Z_OK)
					return error_set(err, "'%s': cannot restart gzip decoding", s->name);
				continue;
			}
			if (ret == Z_BUF_ERROR && before_in == s->z.avail_in &&
			    before_out == s->z.avail_out) {
				if (s->in_eof && !s->in_len)
					return error_set(err, "'%s': truncated gzip data (input ends before the end of the compressed stream)",
							 s->name);
				continue;
			}
			if (ret != Z_OK && ret != Z_BUF_ERROR)
				return error_set(err, "'%s': corrupt gzip data: %s", s->name,
						 s->z.msg ? s->z.msg : zError(ret));
		}
	}
	return (ssize_t)got;
}

void instream_release(struct instream *s)
{
	if (s->z_ready)
		inflateEnd(&s->z);
	free(s->in);
	s->in = NULL;
	s->z_ready = 0;
}
