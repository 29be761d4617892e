#ifndef TRIAGE_TESTS_PBWRITE_H
#define TRIAGE_TESTS_PBWRITE_H

/*
 * A minimal protobuf writer for tests: enough to build pprof profiles
 * byte by byte, so each hostile case is one visible change to a good one.
 */
#include <stdint.h>

#include "base/strbuf.h"

static inline void pb_varint(struct strbuf *b, uint64_t v)
{
	while (v >= 0x80) {
		strbuf_addch(b, (char)(v | 0x80));
		v >>= 7;
	}
	strbuf_addch(b, (char)v);
}

static inline void pb_uint(struct strbuf *b, int field, uint64_t v)
{
	pb_varint(b, (uint64_t)field << 3);
	pb_varint(b, v);
}

static inline void pb_bytes(struct strbuf *b, int field, const void *data, size_t len)
{
	pb_varint(b, (uint64_t)field << 3 | 2);
	pb_varint(b, len);
	strbuf_add(b, data, len);
}

/* Appends m to b as field, then empties m for the next message. */
static inline void pb_msg(struct strbuf *b, int field, struct strbuf *m)
{
	pb_bytes(b, field, m->buf ? m->buf : "", m->len);
	strbuf_reset(m);
}

#endif
