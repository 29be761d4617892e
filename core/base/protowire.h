#ifndef TRIAGE_PROTOWIRE_H
#define TRIAGE_PROTOWIRE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The protobuf wire format, read from a buffer: what the profile decoder,
 * the streaming profile check and collect's label redaction all walk.
 */

/* One varint at p: the bytes it takes, 0 if truncated, -1 if longer than 10 bytes. */
static inline int varint_get(const unsigned char *p, size_t avail, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < avail && i < 10; i++) {
		v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*out = v;
			return (int)i + 1;
		}
	}
	return i == 10 ? -1 : 0;
}

/* One field: its number and wire type; v for varints; data/len for length-delimited ones. */
struct pb_field {
	uint64_t num;
	int wt;
	uint64_t v;
	const unsigned char *data;
	size_t len;
};

/*
 * The field at *p (< end), *p moved past it; fixed 32/64-bit values are
 * skipped (not kept). 0, or -1 when truncated or of a wire type no
 * profile uses (groups).
 */
static inline int pb_field_next(const unsigned char **p, const unsigned char *end, struct pb_field *f)
{
	uint64_t key, x;
	int n = varint_get(*p, (size_t)(end - *p), &key);

	f->v = 0;
	f->data = NULL;
	f->len = 0;
	if (n <= 0)
		return -1;
	*p += n;
	f->num = key >> 3;
	f->wt = (int)(key & 7);
	switch (f->wt) {
	case 0:
		n = varint_get(*p, (size_t)(end - *p), &f->v);
		if (n <= 0)
			return -1;
		*p += n;
		return 0;
	case 1:
	case 5:
		if ((size_t)(end - *p) < (f->wt == 1 ? 8u : 4u))
			return -1;
		*p += f->wt == 1 ? 8 : 4;
		return 0;
	case 2:
		n = varint_get(*p, (size_t)(end - *p), &x);
		if (n <= 0 || x > (uint64_t)(end - *p - n))
			return -1;
		*p += n;
		f->data = *p;
		f->len = (size_t)x;
		*p += x;
		return 0;
	default:
		return -1;
	}
}

#endif
