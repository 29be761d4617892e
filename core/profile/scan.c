/*
 * profile_scan(): a pprof Profile walked as a stream (see scan.h). The
 * field numbers and wire types are profile.proto's:
 *
 *	1 sample_type, 2 sample, 3 mapping, 4 location, 5 function,
 *	11 period_type: messages; 6 string_table: strings;
 *	7 drop_frames, 8 keep_frames, 9 time_nanos, 10 duration_nanos,
 *	12 period, 14 default_sample_type: varints; 13 comment: varints,
 *	packed or not.
 *	Sample: 1 location_id and 2 value (varints, packed or not), 3 label.
 */
#include "profile/scan.h"

#include <stdlib.h>
#include <string.h>

#include "base/protowire.h"
#include "base/satmath.h"
#include "base/strbuf.h"

struct stream {
	struct instream in;
	unsigned char buf[65536];
	size_t pos, len;
	uint64_t off;		/* bytes consumed */
	int eof;
	struct strbuf *err;
};

/* Makes at least one byte available: 1, 0 at the end, -1 on error. */
static int fill(struct stream *s)
{
	ssize_t n;

	if (s->pos < s->len)
		return 1;
	if (s->eof)
		return 0;
	n = instream_read(&s->in, s->buf, sizeof(s->buf), s->err);
	if (n < 0)
		return -1;
	if (!n) {
		s->eof = 1;
		return 0;
	}
	s->pos = 0;
	s->len = (size_t)n;
	return 1;
}

/* A varint; at_start: the end of input here is a clean end (returns 0). */
static int get_varint(struct stream *s, uint64_t *v, int at_start)
{
	uint64_t x = 0;
	int shift, r;

	for (shift = 0; shift < 70; shift += 7) {
		unsigned char b;

		r = fill(s);
		if (r < 0)
			return -1;
		if (!r) {
			if (at_start && !shift)
				return 0;
			return error_set(s->err, "truncated varint at byte %llu", (unsigned long long)s->off);
		}
		b = s->buf[s->pos++];
		s->off++;
		if (shift == 63 && b > 1)
			break;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return 1;
		}
	}
	return error_set(s->err, "varint longer than 64 bits at byte %llu", (unsigned long long)s->off);
}

/* Skips n bytes, or copies them to out when out is set. */
static int take(struct stream *s, uint64_t n, unsigned char *out)
{
	while (n) {
		size_t k;
		int r = fill(s);

		if (r < 0)
			return -1;
		if (!r)
			return error_set(s->err, "field runs past the end, at byte %llu", (unsigned long long)s->off);
		k = s->len - s->pos;
		if (k > n)
			k = (size_t)n;
		if (out) {
			memcpy(out, s->buf + s->pos, k);
			out += k;
		}
		s->pos += k;
		s->off += k;
		n -= k;
	}
	return 0;
}

/* Whether a Label message has a string value (field 2, str), not only a number. */
static int label_has_str(const unsigned char *p, const unsigned char *end)
{
	struct pb_field f;

	while (p < end) {
		if (pb_field_next(&p, end, &f) < 0)
			return 0;
		if (f.num == 2 && f.wt == 0 && f.v)
			return 1;
	}
	return 0;
}

/* A Sample message: its first value and its labels; 0, or -1 if malformed. */
static int scan_sample(const unsigned char *p, size_t len, struct profile_scan *out)
{
	const unsigned char *end = p + len;
	int have_value = 0, sat = 0;
	struct pb_field f;

	while (p < end) {
		if (pb_field_next(&p, end, &f) < 0 || !f.num)
			return -1;
		/* location_id, value and label have their wire types; others are skipped */
		if (f.num <= 3 && (f.wt == 1 || f.wt == 5 || (f.num == 3 && f.wt != 2)))
			return -1;
		if (f.wt == 0 && f.num == 2 && !have_value++) {
			out->first_value_sum = sat_add64(out->first_value_sum, (int64_t)f.v, &sat);
		} else if (f.wt == 2 && f.num == 3) {
			out->labels++;
			if (label_has_str(f.data, f.data + f.len))
				out->str_labels++;
		} else if (f.wt == 2 && f.num <= 2) {
			/* packed varints: each must be whole */
			const unsigned char *q = f.data, *qe = f.data + f.len;

			while (q < qe) {
				uint64_t x;
				int n = varint_get(q, (size_t)(qe - q), &x);

				if (n <= 0)
					return -1;
				q += n;
				if (f.num == 2 && !have_value++)
					out->first_value_sum = sat_add64(out->first_value_sum, (int64_t)x, &sat);
			}
		}
	}
	return 0;
}

int profile_scan(byte_reader_fn read, void *ctx, const char *name, uint64_t max_out,
		 struct profile_scan *out, struct strbuf *err)
{
	struct stream *s = calloc(1, sizeof(*s));
	unsigned char *sample = NULL;
	size_t sample_alloc = 0;
	int ret = -1, r;

	memset(out, 0, sizeof(*out));
	if (!s)
		return error_set(err, "%s: out of memory", name);
	s->err = err;
	if (instream_init(&s->in, read, ctx, name, max_out, err) < 0)
		goto out;
	for (;;) {
		uint64_t key, v, at = s->off;
		unsigned field, wt;

		r = get_varint(s, &key, 1);
		if (r < 0)
			goto out;
		if (!r)
			break;
		field = (unsigned)(key >> 3);
		wt = (unsigned)(key & 7);
		switch (field) {
		case 1: case 2: case 3: case 4: case 5: case 6: case 11:
			if (wt != 2)
				goto bad_type;
			if (get_varint(s, &v, 0) < 0)
				goto out;
			if (field == 2) {
				if (v > PROFILE_SCAN_MAX_SAMPLE) {
					error_set(err, "%s: a sample of %llu bytes at byte %llu (more than %llu)", name,
						  (unsigned long long)v, (unsigned long long)at,
						  (unsigned long long)PROFILE_SCAN_MAX_SAMPLE);
					goto out;
				}
				/* as big as the largest sample so far: most are tens of bytes */
				if (v > sample_alloc || !sample) {
					size_t want = v < 4096 ? 4096 : (size_t)v;
					unsigned char *grown = realloc(sample, want);

					if (!grown) {
						error_set(err, "%s: out of memory", name);
						goto out;
					}
					sample = grown;
					sample_alloc = want;
				}
				if (take(s, v, sample) < 0)
					goto out;
				if (scan_sample(sample, (size_t)v, out) < 0) {
					error_set(err, "%s: malformed sample at byte %llu", name, (unsigned long long)at);
					goto out;
				}
				out->samples++;
				continue;
			}
			if (field == 6 && !out->strings && v) {
				error_set(err, "%s: the string table does not start with \"\" (byte %llu)", name,
					  (unsigned long long)at);
				goto out;
			}
			out->sample_types += field == 1;
			out->strings += field == 6;
			if (take(s, v, NULL) < 0)
				goto out;
			break;
		case 13:
			/* comments: packed, or one varint each */
			if (wt == 2 && (get_varint(s, &v, 0) < 0 || take(s, v, NULL) < 0))
				goto out;
			if (wt != 2 && wt != 0)
				goto bad_type;
			if (wt == 0 && get_varint(s, &v, 0) < 0)
				goto out;
			break;
		case 7: case 8: case 9: case 10: case 12: case 14:
			if (wt != 0)
				goto bad_type;
			if (get_varint(s, &v, 0) < 0)
				goto out;
			if (field == 10)
				out->duration_nanos = (int64_t)v;
			break;
		default:
			/* unknown fields are skipped, as protobuf decoders (and profile.c) do */
			if (!field) {
				error_set(err, "%s: field 0 at byte %llu: not a pprof profile", name,
					  (unsigned long long)at);
				goto out;
			}
			if (wt == 0) {
				if (get_varint(s, &v, 0) < 0)
					goto out;
			} else if (wt == 1 || wt == 5) {
				if (take(s, wt == 1 ? 8 : 4, NULL) < 0)
					goto out;
			} else if (wt == 2) {
				if (get_varint(s, &v, 0) < 0 || take(s, v, NULL) < 0)
					goto out;
			} else {
				goto bad_type;
			}
		}
		continue;
bad_type:
		error_set(err, "%s: field %u with wire type %u at byte %llu: not a pprof profile", name,
			  field, wt, (unsigned long long)at);
		goto out;
	}
	if (!out->sample_types) {
		error_set(err, "%s: no sample type: not a pprof profile", name);
		goto out;
	}
	out->bytes = s->off;
	ret = 0;
out:
	instream_release(&s->in);
	free(sample);
	free(s);
	return ret;
}
