#ifndef TRIAGE_INFLATE_H
#define TRIAGE_INFLATE_H

#include <stdint.h>
#include <sys/types.h>
#include <zlib.h>

#include "base/strbuf.h"

/*
 * A byte source that transparently inflates gzip (sniffed from the first two
 * bytes) and passes anything else through, with a hard cap on the bytes it
 * will produce. The cap is what makes a gzip bomb fail in a fraction of a
 * second instead of eating the machine.
 *
 * The underlying reader returns the number of bytes read, 0 at end of input,
 * or -1 after filling err.
 */
typedef ssize_t (*byte_reader_fn)(void *ctx, void *buf, size_t len, struct strbuf *err);

#define INSTREAM_DEFAULT_MAX ((uint64_t)1 << 30)
/*
 * With the default cap, gzip input may also not inflate past 64 MiB plus
 * 64 times the compressed bytes read so far: real profiles inflate 3 to 10
 * times, while a small file of zeros, 8000 sample types of zero values or
 * one 900 MB string inflates hundreds of times, and the decoder's memory
 * follows what is inflated (docs/bundle-format.md). An explicit cap
 * (--max-decompressed) replaces both bounds.
 */
#define INSTREAM_RATIO_BASE ((uint64_t)64 << 20)
#define INSTREAM_RATIO 64

struct instream {
	byte_reader_fn read;
	void *ctx;
	const char *name;	/* for messages: the file or bundle entry */
	int gzip;
	int z_ready;		/* inflateInit2 done */
	int z_done;		/* last gzip member ended and input is exhausted */
	int in_eof;
	z_stream z;
	unsigned char *in;
	size_t in_len;		/* bytes valid in in[] starting at z.next_in */
	uint64_t produced;
	uint64_t max_out;
	int ratio_bound;	/* the default cap: INSTREAM_RATIO applies too */
	uint64_t raw_in;	/* bytes taken from the reader */
};

int instream_init(struct instream *s, byte_reader_fn read, void *ctx,
		  const char *name, uint64_t max_out, struct strbuf *err);
/* Reads up to len bytes; returns the count, 0 at the end, -1 on error. */
ssize_t instream_read(struct instream *s, void *buf, size_t len, struct strbuf *err);
void instream_release(struct instream *s);

/* Readers for the common sources. */
struct fd_reader { int fd; };
ssize_t fd_reader_read(void *ctx, void *buf, size_t len, struct strbuf *err);
struct mem_reader { const unsigned char *data; size_t len, pos; };
ssize_t mem_reader_read(void *ctx, void *buf, size_t len, struct strbuf *err);

#endif
