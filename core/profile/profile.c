/*
 * pprof decoder.
 *
 * The Profile message is walked field by field while it is inflated, and
 * every submessage (Sample, Location, Function, Mapping, ValueType) is
 * decoded with the protobuf-c code generated from core/profile/profile.proto.
 * Unpacking the whole Profile with protobuf-c at once would hold the
 * inflated bytes and a pointer-rich copy of every sample at the same time,
 * several times the profile's size; walking the top level keeps only the
 * compact arrays of struct profile and one submessage at a time.
 *
 * Validation happens once, at the end, because the format allows any field
 * order: Go writes locations between samples and the string table last.
 */
#include "profile/profile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "profile.pb-c.h"
#include "base/protowire.h"
#include "base/io.h"
#include "base/quantity.h"
#include "base/sort.h"

/* ---- a bump allocator for protobuf-c, reset after each submessage ---- */

struct arena_chunk {
	struct arena_chunk *next;
	size_t size, used;
	max_align_t data[];
};

struct arena {
	struct arena_chunk *head;
	size_t bytes;		/* in all chunks */
	size_t limit;		/* refuse chunks past this many bytes; 0: no limit */
	int over;		/* a chunk was refused: the unpack failed for lack of budget */
};

static void *arena_alloc(void *data, size_t size)
{
	struct arena *a = data;
	struct arena_chunk *c = a->head;

	size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!c || c->size - c->used < size) {
		size_t csize = size > 65536 ? size : 65536;
		struct arena_chunk *n;

		/* the decoder's memory budget (decoder_footprint) covers the arena too */
		if (a->limit && a->bytes + sizeof(*n) + csize > a->limit) {
			a->over = 1;
			return NULL;
		}
		n = malloc(sizeof(*n) + csize);
		if (!n)
			return NULL;
		a->bytes += sizeof(*n) + csize;
		n->size = csize;
		n->used = 0;
		n->next = c;
		a->head = c = n;
	}
	c->used += size;
	return (char *)c->data + c->used - size;
}

static void arena_free(void *data, void *p)
{
	(void)data;
	(void)p;
}

/* Keeps the newest chunk for reuse: a submessage rarely needs more than 64 KiB. */
static void arena_reset(struct arena *a)
{
	struct arena_chunk *c = a->head;

	if (!c)
		return;
	while (c->next) {
		struct arena_chunk *n = c->next;

		c->next = n->next;
		free(n);
	}
	c->used = 0;
	a->bytes = sizeof(*c) + c->size;
}

static void arena_release(struct arena *a)
{
	while (a->head) {
		struct arena_chunk *n = a->head->next;

		free(a->head);
		a->head = n;
	}
	a->bytes = 0;
}

/* ---- a growable window over the inflated stream ---- */

struct window {
	struct instream *in;
	unsigned char *buf;
	size_t cap, pos, end;
	uint64_t base;		/* stream offset of buf[0] */
	int eof;
};

/* 1: n bytes are available at buf+pos; 0: the stream ended first; -1: error */
static int win_ensure(struct window *w, size_t n, struct strbuf *err)
{
	if (w->end - w->pos >= n)
		return 1;
	if (w->pos) {
		memmove(w->buf, w->buf + w->pos, w->end - w->pos);
		w->base += w->pos;
		w->end -= w->pos;
		w->pos = 0;
	}
	if (w->cap < n) {
		size_t ncap = w->cap ? w->cap : 1 << 20;

		while (ncap < n)
			ncap *= 2;
		w->buf = xrealloc(w->buf, ncap);
		w->cap = ncap;
	}
	while (w->end < n && !w->eof) {
		ssize_t got = instream_read(w->in, w->buf + w->end, w->cap - w->end, err);

		if (got < 0)
			return -1;
		if (got == 0)
			w->eof = 1;
		w->end += (size_t)got;
	}
	return w->end - w->pos >= n;
}

/* win_ensure's common case inline: called three times for every field of the profile. */
static inline int win_need(struct window *w, size_t n, struct strbuf *err)
{
	return w->end - w->pos >= n ? 1 : win_ensure(w, n, err);
}

/* Consumes n bytes through the window in chunks: 1 done, 0 stream too short, -1 error. */
static int win_skip(struct window *w, uint64_t n, struct strbuf *err)
{
	while (n) {
		size_t have = w->end - w->pos;

		if (!have) {
			int r = win_ensure(w, 1, err);

			if (r <= 0)
				return r;
			continue;
		}
		if (have > n)
			have = (size_t)n;
		w->pos += have;
		n -= have;
	}
	return 1;
}

/* Decodes a varint; returns bytes used, 0 if incomplete, -1 if over 10 bytes. */
/* ---- profile storage ---- */

void profile_init(struct profile *p)
{
	memset(p, 0, sizeof(*p));
}

void profile_release(struct profile *p)
{
	free(p->str_data);
	free(p->str_off);
	free(p->str_len);
	free(p->sample_types);
	free(p->mappings);
	free(p->functions);
	free(p->locations);
	free(p->lines);
	free(p->loc_off);
	free(p->locs);
	free(p->locs16);
	free(p->values32);
	free(p->values64);
	free(p->label_off);
	free(p->labels);
	free(p->comments);
	strbuf_release(&p->warnings);
	profile_init(p);
}

void profile_add_string(struct profile *p, const unsigned char *s, size_t len)
{
	size_t old = p->str_alloc;

	ALLOC_GROW(p->str_off, p->nr_strings + 1, p->str_alloc);
	if (old != p->str_alloc)
		p->str_len = xreallocarray(p->str_len, p->str_alloc, sizeof(*p->str_len));
	ALLOC_GROW(p->str_data, p->str_data_len + len + 1, p->str_data_alloc);
	memcpy(p->str_data + p->str_data_len, s, len);
	p->str_data[p->str_data_len + len] = '\0';
	p->str_off[p->nr_strings] = p->str_data_len;
	p->str_len[p->nr_strings] = (uint32_t)len;
	p->str_data_len += len + 1;
	p->nr_strings++;
}

/*
 * String indexes are int64 on the wire; they are kept as uint32 with
 * out-of-range values clamped to UINT32_MAX so that validation, which knows
 * the final table size, reports them.
 */
static uint32_t str_idx(int64_t v)
{
	return (v < 0 || v >= (int64_t)UINT32_MAX) ? UINT32_MAX : (uint32_t)v;
}

/* Ids are kept as the wire's uint64; indexes are resolved at the end. */

struct decoder {
	struct profile *p;
	const char *name;
	struct arena arena;
	ProtobufCAllocator alloc;
	/* per-sample id storage before resolution */
	int values_mismatch;
	size_t mismatch_sample, mismatch_count;
	int skip_labels;
	int big_id;			/* a location id did not fit 32 bits */
	uint64_t big_id_value;
	size_t big_id_sample;
	/* raw ids of lines' functions and locations' mappings */
	uint64_t *line_fn_ids;
	size_t line_fn_alloc;
	uint64_t *loc_mapping_ids;
	size_t loc_mapping_alloc;
	/* one sample's values, before they are stored */
	int64_t *values;
	size_t values_alloc;
	/*
	 * decoder_footprint() (less the arena) as of the last check: summing
	 * it after every field was 10% of decoding a big profile, so it is
	 * recomputed every BUDGET_CHECK_EVERY fields and after any large one.
	 */
	uint64_t used;
	unsigned since_check;
};

static int decode_value_type(struct decoder *d, const unsigned char *data, size_t len,
			     struct profile_value_type *out, const char *what, struct strbuf *err)
{
	Perftools__Profiles__ValueType *vt;

	vt = perftools__profiles__value_type__unpack(&d->alloc, len, data);
	if (!vt)
		return error_set(err, "cannot decode profile '%s': malformed %s message", d->name, what);
	out->type = str_idx(vt->type);
	out->unit = str_idx(vt->unit);
	return 0;
}

static void store_values(struct profile *p, size_t idx, const int64_t *v)
{
	size_t i, base = idx * p->nr_values;

	if (!p->values64) {
		for (i = 0; i < p->nr_values; i++)
			if (v[i] < INT32_MIN || v[i] > INT32_MAX)
				break;
		if (i == p->nr_values) {
			ALLOC_GROW(p->values32, base + p->nr_values, p->values_alloc);
			for (i = 0; i < p->nr_values; i++)
				p->values32[base + i] = (int32_t)v[i];
			return;
		}
		/* the first wide value: widen everything stored so far, once */
		if (!p->values_alloc)
			p->values_alloc = 16;
		p->values64 = xreallocarray(NULL, p->values_alloc, sizeof(int64_t));
		for (i = 0; i < base; i++)
			p->values64[i] = p->values32[i];
		free(p->values32);
		p->values32 = NULL;
	}
	ALLOC_GROW(p->values64, base + p->nr_values, p->values_alloc);
	memcpy(p->values64 + base, v, p->nr_values * sizeof(int64_t));
}

/*
 * Sample is walked by hand: it is most of a profile's bytes (a 262k-stack
 * heap profile has 262k of them) and protobuf-c's generic unpacker spent
 * half the decode in it, allocating two arrays per sample. The message is
 * two repeated varint fields, packed or not, and a list of Label
 * submessages, which still go through protobuf-c. The checks are the
 * unpacker's: a truncated or over-long varint, a length past the message,
 * a wire type that does not fit the field.
 */
static int sample_malformed(struct decoder *d, size_t idx, struct strbuf *err)
{
	return error_set(err, "cannot decode profile '%s': sample %zu is a malformed message", d->name, idx);
}

/* Fast path for the one- and two-byte varints that make up most ids and values. */
static inline int read_varint(const unsigned char *p, size_t avail, uint64_t *out)
{
	if (avail && !(p[0] & 0x80)) {
		*out = p[0];
		return 1;
	}
	if (avail > 1 && !(p[1] & 0x80)) {
		*out = (uint64_t)(p[0] & 0x7f) | ((uint64_t)p[1] << 7);
		return 2;
	}
	return varint_get(p, avail, out);
}

/* From 16-bit to 32-bit location ids, once: the first id that does not fit. */
static void widen_locs(struct profile *p)
{
	size_t i;
	uint32_t *w = xreallocarray(NULL, p->locs_alloc ? p->locs_alloc : 1, sizeof(*w));

	for (i = 0; i < p->nr_locs; i++)
		w[i] = p->locs16[i];
	free(p->locs16);
	p->locs16 = NULL;
	p->locs = w;
}

/* Room for n more frames in whichever width is in use. */
static void grow_locs(struct profile *p, size_t n)
{
	if (p->locs)
		ALLOC_GROW(p->locs, p->nr_locs + n, p->locs_alloc);
	else
		ALLOC_GROW(p->locs16, p->nr_locs + n, p->locs_alloc);
}

static void add_loc_id(struct decoder *d, size_t idx, uint64_t id)
{
	struct profile *p = d->p;

	if (id >= UINT32_MAX && !d->big_id) {
		d->big_id = 1;
		d->big_id_value = id;
		d->big_id_sample = idx;
	}
	if (!p->locs && id >= UINT16_MAX)
		widen_locs(p);
	if (p->locs)
		p->locs[p->nr_locs++] = id >= UINT32_MAX ? UINT32_MAX : (uint32_t)id;
	else
		p->locs16[p->nr_locs++] = (uint16_t)id;
}

static int decode_label(struct decoder *d, const unsigned char *data, size_t len, size_t idx,
			struct strbuf *err)
{
	struct profile *p = d->p;
	Perftools__Profiles__Label *lb = perftools__profiles__label__unpack(&d->alloc, len, data);
	struct profile_label *l;

	if (!lb)
		return sample_malformed(d, idx, err);
	ALLOC_GROW(p->labels, p->nr_labels + 1, p->labels_alloc);
	l = &p->labels[p->nr_labels++];
	l->key = str_idx(lb->key);
	l->str = str_idx(lb->str);
	l->num = lb->num;
	l->num_unit = str_idx(lb->num_unit);
	return 0;
}

static int decode_sample(struct decoder *d, const unsigned char *data, size_t len, struct strbuf *err)
{
	struct profile *p = d->p;
	size_t idx = p->nr_samples, pos = 0, nr_values = 0;
	size_t locs_before = p->nr_locs, labels_before = p->nr_labels;

	if (p->nr_locs >= UINT32_MAX - len || p->nr_labels >= UINT32_MAX - len)
		return error_set(err, "cannot decode profile '%s': more than 2^32 sample locations", d->name);
	while (pos < len) {
		uint64_t tag, v, field;
		int n = read_varint(data + pos, len - pos, &tag), wt;

		if (n <= 0)
			goto malformed;
		pos += (size_t)n;
		field = tag >> 3;
		wt = (int)(tag & 7);
		if ((field == 1 || field == 2) && wt == 2) {
			/* a packed run: at most one varint per byte, so the arrays grow once */
			const unsigned char *run;

			n = read_varint(data + pos, len - pos, &v);
			if (n <= 0 || v > len - pos - (size_t)n)
				goto malformed;
			pos += (size_t)n;
			run = data + pos;
			if (field == 1)
				grow_locs(p, (size_t)v);
			else
				ALLOC_GROW(d->values, nr_values + (size_t)v, d->values_alloc);
			if (field == 1 && !p->locs) {
				/* 16-bit ids: the common one- and two-byte varints inline */
				const unsigned char *end = data + pos + v;

				while (run < end) {
					uint64_t x;

					if (!(run[0] & 0x80)) {
						p->locs16[p->nr_locs++] = run[0];
						run++;
						continue;
					}
					if (end - run >= 2 && !(run[1] & 0x80)) {
						p->locs16[p->nr_locs++] = (uint16_t)((run[0] & 0x7f) | (run[1] << 7));
						run += 2;
						continue;
					}
					n = read_varint(run, (size_t)(end - run), &x);
					if (n <= 0)
						goto malformed;
					run += n;
					add_loc_id(d, idx, x);	/* may widen to 32 bits */
					if (p->locs)
						break;
				}
				if (run < end)
					goto wide;
			} else if (field == 1) {
				const unsigned char *end;
				uint32_t *out;
wide:
				end = data + pos + v;
				out = p->locs + p->nr_locs;
				while (run < end) {
					uint64_t x;

					/* ids of up to three bytes (2^21) are most of them */
					if (end - run >= 3 && !(run[0] & 0x80)) {
						*out++ = run[0];
						run++;
						continue;
					}
					if (end - run >= 3 && !(run[1] & 0x80)) {
						*out++ = (uint32_t)(run[0] & 0x7f) | ((uint32_t)run[1] << 7);
						run += 2;
						continue;
					}
					if (end - run >= 3 && !(run[2] & 0x80)) {
						*out++ = (uint32_t)(run[0] & 0x7f) | ((uint32_t)(run[1] & 0x7f) << 7) |
							 ((uint32_t)run[2] << 14);
						run += 3;
						continue;
					}
					n = read_varint(run, (size_t)(end - run), &x);
					if (n <= 0)
						goto malformed;
					run += n;
					p->nr_locs = (size_t)(out - p->locs);
					add_loc_id(d, idx, x);
					out = p->locs + p->nr_locs;
				}
				p->nr_locs = (size_t)(out - p->locs);
			} else {
				while (run < data + pos + v) {
					uint64_t x;

					n = read_varint(run, (size_t)(data + pos + v - run), &x);
					if (n <= 0)
						goto malformed;
					run += n;
					d->values[nr_values++] = (int64_t)x;
				}
			}
			pos += (size_t)v;
		} else if ((field == 1 || field == 2) && wt == 0) {
			n = read_varint(data + pos, len - pos, &v);
			if (n <= 0)
				goto malformed;
			pos += (size_t)n;
			if (field == 1) {
				grow_locs(p, 1);
				add_loc_id(d, idx, v);
			} else {
				ALLOC_GROW(d->values, nr_values + 1, d->values_alloc);
				d->values[nr_values++] = (int64_t)v;
			}
		} else if (field == 1 || field == 2 || (field == 3 && wt != 2)) {
			goto malformed;
		} else {
			/* a label, or an unknown field: both are length-delimited or skipped by wire type */
			switch (wt) {
			case 0:
				n = read_varint(data + pos, len - pos, &v);
				if (n <= 0)
					goto malformed;
				pos += (size_t)n;
				break;
			case 1:
				if (len - pos < 8)
					goto malformed;
				pos += 8;
				break;
			case 5:
				if (len - pos < 4)
					goto malformed;
				pos += 4;
				break;
			case 2:
				n = read_varint(data + pos, len - pos, &v);
				if (n <= 0 || v > len - pos - (size_t)n)
					goto malformed;
				pos += (size_t)n;
				if (field == 3 && !d->skip_labels &&
				    decode_label(d, data + pos, (size_t)v, idx, err) < 0)
					goto fail;
				pos += (size_t)v;
				break;
			default:
				goto malformed;	/* groups (3, 4) and reserved wire types */
			}
		}
	}

	if (idx == 0)
		p->nr_values = nr_values;
	else if (nr_values != p->nr_values && !d->values_mismatch) {
		d->values_mismatch = 1;
		d->mismatch_sample = idx;
		d->mismatch_count = nr_values;
	}
	if (d->values_mismatch) {
		/* reported once the sample types are known */
		p->nr_locs = locs_before;
		p->nr_labels = labels_before;
		return 0;
	}
	{
		size_t old = p->samples_alloc;

		ALLOC_GROW(p->loc_off, idx + 2, p->samples_alloc);
		if (old != p->samples_alloc && !d->skip_labels)
			p->label_off = xreallocarray(p->label_off, p->samples_alloc, sizeof(*p->label_off));
	}
	p->loc_off[idx] = (uint32_t)locs_before;
	if (p->label_off)
		p->label_off[idx] = (uint32_t)labels_before;
	if (p->nr_values)
		store_values(p, idx, d->values);
	p->nr_samples++;
	p->loc_off[p->nr_samples] = (uint32_t)p->nr_locs;
	if (p->label_off)
		p->label_off[p->nr_samples] = (uint32_t)p->nr_labels;
	return 0;

malformed:
	sample_malformed(d, idx, err);
fail:
	p->nr_locs = locs_before;
	p->nr_labels = labels_before;
	return -1;
}

static int decode_mapping(struct decoder *d, const unsigned char *data, size_t len, struct strbuf *err)
{
	struct profile *p = d->p;
	Perftools__Profiles__Mapping *m;
	struct profile_mapping *o;

	m = perftools__profiles__mapping__unpack(&d->alloc, len, data);
	if (!m)
		return error_set(err, "cannot decode profile '%s': mapping %zu is a malformed message",
				 d->name, p->nr_mappings);
	ALLOC_GROW(p->mappings, p->nr_mappings + 1, p->mappings_alloc);
	o = &p->mappings[p->nr_mappings++];
	o->id = m->id;
	o->memory_start = m->memory_start;
	o->memory_limit = m->memory_limit;
	o->file_offset = m->file_offset;
	o->filename = str_idx(m->filename);
	o->build_id = str_idx(m->build_id);
	o->has_functions = !!m->has_functions;
	o->has_filenames = !!m->has_filenames;
	o->has_line_numbers = !!m->has_line_numbers;
	o->has_inline_frames = !!m->has_inline_frames;
	return 0;
}

static int decode_location(struct decoder *d, const unsigned char *data, size_t len, struct strbuf *err)
{
	struct profile *p = d->p;
	Perftools__Profiles__Location *l;
	struct profile_location *o;
	size_t i;

	l = perftools__profiles__location__unpack(&d->alloc, len, data);
	if (!l)
		return error_set(err, "cannot decode profile '%s': location %zu is a malformed message",
				 d->name, p->nr_locations);
	if (p->nr_lines + l->n_line > UINT32_MAX)
		return error_set(err, "cannot decode profile '%s': more than 2^32 lines", d->name);
	ALLOC_GROW(p->locations, p->nr_locations + 1, p->locations_alloc);
	if (d->loc_mapping_alloc < p->locations_alloc) {
		d->loc_mapping_ids = xreallocarray(d->loc_mapping_ids, p->locations_alloc, sizeof(uint64_t));
		d->loc_mapping_alloc = p->locations_alloc;
	}
	d->loc_mapping_ids[p->nr_locations] = l->mapping_id;
	o = &p->locations[p->nr_locations++];
	o->id = l->id;
	o->address = l->address;
	o->mapping = PROFILE_NONE;
	o->line_off = (uint32_t)p->nr_lines;
	o->nr_lines = (uint32_t)l->n_line;
	ALLOC_GROW(p->lines, p->nr_lines + l->n_line, p->lines_alloc);
	if (d->line_fn_alloc < p->lines_alloc) {
		d->line_fn_ids = xreallocarray(d->line_fn_ids, p->lines_alloc, sizeof(uint64_t));
		d->line_fn_alloc = p->lines_alloc;
	}
	for (i = 0; i < l->n_line; i++) {
		d->line_fn_ids[p->nr_lines] = l->line[i]->function_id;
		p->lines[p->nr_lines].function = PROFILE_NONE;
		p->lines[p->nr_lines].line = l->line[i]->line;
		p->nr_lines++;
	}
	return 0;
}

static int decode_function(struct decoder *d, const unsigned char *data, size_t len, struct strbuf *err)
{
	struct profile *p = d->p;
	Perftools__Profiles__Function *f;
	struct profile_function *o;

	f = perftools__profiles__function__unpack(&d->alloc, len, data);
	if (!f)
		return error_set(err, "cannot decode profile '%s': function %zu is a malformed message",
				 d->name, p->nr_functions);
	ALLOC_GROW(p->functions, p->nr_functions + 1, p->functions_alloc);
	o = &p->functions[p->nr_functions++];
	o->id = f->id;
	o->name = str_idx(f->name);
	o->system_name = str_idx(f->system_name);
	o->filename = str_idx(f->filename);
	o->start_line = f->start_line;
	return 0;
}

static void add_comment(struct profile *p, uint64_t v)
{
	ALLOC_GROW(p->comments, p->nr_comments + 1, p->comments_alloc);
	p->comments[p->nr_comments++] = str_idx((int64_t)v);
}

static const char *const field_names[] = {
	NULL, "sample_type", "sample", "mapping", "location", "function", "string_table",
	"drop_frames", "keep_frames", "time_nanos", "duration_nanos", "period_type",
	"period", "comment", "default_sample_type",
};

static int wrong_wire_type(struct decoder *d, uint64_t field, int wt, uint64_t off, struct strbuf *err)
{
	return error_set(err, "cannot decode profile '%s': field %" PRIu64 " (%s) has wire type %d at byte %" PRIu64,
			 d->name, field, field_names[field], wt, off);
}

static int dispatch_len(struct decoder *d, uint64_t field, const unsigned char *data, size_t len,
			uint64_t off, struct strbuf *err)
{
	struct profile *p = d->p;
	int ret = 0;

	switch (field) {
	case 1:
		ALLOC_GROW(p->sample_types, p->nr_sample_types + 1, p->sample_types_alloc);
		ret = decode_value_type(d, data, len, &p->sample_types[p->nr_sample_types], "sample_type", err);
		if (!ret)
			p->nr_sample_types++;
		break;
	case 2: ret = decode_sample(d, data, len, err); break;
	case 3: ret = decode_mapping(d, data, len, err); break;
	case 4: ret = decode_location(d, data, len, err); break;
	case 5: ret = decode_function(d, data, len, err); break;
	case 6:
		profile_add_string(p, data, len);
		break;
	case 11:
		ret = decode_value_type(d, data, len, &p->period_type, "period_type", err);
		p->has_period_type = !ret;
		break;
	case 13: {
		/* packed repeated int64 */
		size_t pos = 0;

		while (pos < len) {
			uint64_t v;
			int n = varint_get(data + pos, len - pos, &v);

			if (n <= 0)
				return error_set(err, "cannot decode profile '%s': malformed packed comment list at byte %" PRIu64,
						 d->name, off);
			add_comment(p, v);
			pos += (size_t)n;
		}
		break;
	}
	default:
		if (field >= 1 && field <= 14)
			return wrong_wire_type(d, field, 2, off, err);
		break;	/* unknown field: skipped */
	}
	if (ret < 0)
		return -1;
	arena_reset(&d->arena);
	return 0;
}

static int dispatch_varint(struct decoder *d, uint64_t field, uint64_t v, uint64_t off, struct strbuf *err)
{
	struct profile *p = d->p;

	switch (field) {
	case 7: p->drop_frames = str_idx((int64_t)v); break;
	case 8: p->keep_frames = str_idx((int64_t)v); break;
	case 9: p->time_nanos = (int64_t)v; break;
	case 10: p->duration_nanos = (int64_t)v; break;
	case 12: p->period = (int64_t)v; break;
	case 13: add_comment(p, v); break;
	case 14: p->default_sample_type = str_idx((int64_t)v); break;
	default:
		if (field >= 1 && field <= 14)
			return wrong_wire_type(d, field, 0, off, err);
		break;
	}
	return 0;
}

/* Caps one length-delimited field: no legitimate message is near this. */
#define MAX_FIELD_LEN ((uint64_t)1 << 30)

/*
 * The decoder's memory, checked after every field against a budget of
 * DECODE_MEMORY_BASE plus DECODE_MEMORY_RATIO times the protobuf bytes
 * read so far. Real profiles need 2 to 4 times their protobuf; messages of
 * two bytes (empty or repeated locations, lines, strings) need 10 to 30
 * times, so a 60 KB gzip profile of 16M copies of one location grew to
 * 640 MB, and one of a location with 16M empty lines to 2 GB, both within
 * the inflate bounds (issue 17). protobuf-c's arena counts too, and is
 * refused before it grows past what is left, since one submessage may be
 * most of the profile.
 */
#define DECODE_MEMORY_BASE ((uint64_t)64 << 20)
#define DECODE_MEMORY_RATIO 8

static uint64_t decoder_footprint(const struct decoder *d)
{
	const struct profile *p = d->p;

	return (uint64_t)p->str_data_alloc +
	       (uint64_t)p->str_alloc * (sizeof(*p->str_off) + sizeof(*p->str_len)) +
	       (uint64_t)p->sample_types_alloc * sizeof(*p->sample_types) +
	       (uint64_t)p->mappings_alloc * sizeof(*p->mappings) +
	       (uint64_t)p->functions_alloc * sizeof(*p->functions) +
	       (uint64_t)p->locations_alloc * sizeof(*p->locations) +
	       (uint64_t)p->lines_alloc * sizeof(*p->lines) +
	       (uint64_t)p->samples_alloc * (sizeof(*p->loc_off) + sizeof(*p->label_off)) +
	       (uint64_t)p->locs_alloc * (p->locs ? sizeof(*p->locs) : sizeof(*p->locs16)) +
	       (uint64_t)p->values_alloc * (p->values64 ? sizeof(*p->values64) : sizeof(*p->values32)) +
	       (uint64_t)p->labels_alloc * sizeof(*p->labels) +
	       (uint64_t)p->comments_alloc * sizeof(*p->comments) +
	       (uint64_t)d->line_fn_alloc * sizeof(*d->line_fn_ids) +
	       (uint64_t)d->loc_mapping_alloc * sizeof(*d->loc_mapping_ids) +
	       (uint64_t)d->values_alloc * sizeof(*d->values) +
	       d->arena.bytes;
}

/*
 * One submessage's unpacked form: a Location of 300k lines is already
 * 16 MiB, and no profile writer emits one of more than a few hundred.
 */
#define DECODE_MAX_SUBMESSAGE ((size_t)16 << 20)

static int over_budget(struct decoder *d, uint64_t read, struct strbuf *err)
{
	char mem[64], pb[64];

	format_bytes(mem, sizeof(mem), (int64_t)(DECODE_MEMORY_BASE + DECODE_MEMORY_RATIO * read));
	format_bytes(pb, sizeof(pb), (int64_t)read);
	return error_set(err, "cannot decode profile '%s': needs more than %s of memory for %s of protobuf, over %d times its size (a degenerate or hostile profile)",
			 d->name, mem, pb, DECODE_MEMORY_RATIO);
}

static int submessage_too_big(struct decoder *d, uint64_t field, uint64_t off, struct strbuf *err)
{
	return error_set(err, "cannot decode profile '%s': field %" PRIu64 " (%s) at byte %" PRIu64 " needs more than 16 MiB of memory to unpack (a degenerate or hostile profile)",
			 d->name, field, field_names[field], off);
}

/* Fields between two looks at the decoder's memory (each field adds little). */
#define BUDGET_CHECK_EVERY 256
/* A field this long is checked at once: it alone may add much. */
#define BUDGET_CHECK_LEN 4096

static int walk_profile(struct decoder *d, struct window *w, struct strbuf *err)
{
	for (;;) {
		uint64_t tag, field, off;
		int wt, n, r;

		r = win_need(w, 10, err);
		if (r < 0)
			return -1;
		if (w->pos == w->end)
			return 0;	/* clean end at a field boundary */
		off = w->base + w->pos;
		n = varint_get(w->buf + w->pos, w->end - w->pos, &tag);
		if (n <= 0)
			return error_set(err, "cannot decode profile '%s': %s field tag at byte %" PRIu64,
					 d->name, n < 0 ? "malformed" : "truncated", off);
		w->pos += (size_t)n;
		field = tag >> 3;
		wt = (int)(tag & 7);
		if (field == 0)
			return error_set(err, "cannot decode profile '%s': not a pprof protobuf (field number 0 at byte %" PRIu64 ")",
					 d->name, off);
		switch (wt) {
		case 0: {
			uint64_t v;

			if (win_need(w, 10, err) < 0)
				return -1;
			n = varint_get(w->buf + w->pos, w->end - w->pos, &v);
			if (n <= 0)
				return error_set(err, "cannot decode profile '%s': %s varint at byte %" PRIu64,
						 d->name, n < 0 ? "malformed" : "truncated", off);
			w->pos += (size_t)n;
			if (dispatch_varint(d, field, v, off, err) < 0)
				return -1;
			break;
		}
		case 1:
		case 5: {
			size_t sz = wt == 1 ? 8 : 4;

			if (field >= 1 && field <= 14)
				return wrong_wire_type(d, field, wt, off, err);
			r = win_need(w, sz, err);
			if (r <= 0)
				return r < 0 ? -1 : error_set(err, "cannot decode profile '%s': truncated at byte %" PRIu64,
							      d->name, off);
			w->pos += sz;
			break;
		}
		case 2: {
			uint64_t len, budget, used;

			if (win_need(w, 10, err) < 0)
				return -1;
			n = varint_get(w->buf + w->pos, w->end - w->pos, &len);
			if (n <= 0)
				return error_set(err, "cannot decode profile '%s': %s length at byte %" PRIu64,
						 d->name, n < 0 ? "malformed" : "truncated", off);
			w->pos += (size_t)n;
			if (len > MAX_FIELD_LEN || len > w->in->max_out)
				return error_set(err, "cannot decode profile '%s': field %" PRIu64 " at byte %" PRIu64 " claims %" PRIu64 " bytes, more than any profile field may hold",
						 d->name, field, off, len);
			if (field > 14) {
				/* unknown: skip without buffering, so padding cannot grow memory */
				r = win_skip(w, len, err);
				if (r < 0)
					return -1;
				if (!r)
					return error_set(err, "cannot decode profile '%s': truncated: field %" PRIu64 " at byte %" PRIu64 " needs %" PRIu64 " bytes",
							 d->name, field, off, len);
				break;
			}
			r = win_need(w, (size_t)len, err);
			if (r < 0)
				return -1;
			if (!r)
				return error_set(err, "cannot decode profile '%s': truncated: field %" PRIu64 " at byte %" PRIu64 " needs %" PRIu64 " bytes, %zu left",
						 d->name, field, off, len, w->end - w->pos);
			d->arena.over = 0;
			/*
			 * samples are walked by hand (only their labels use the arena,
			 * a few bytes each): the periodic check covers their growth
			 */
			if (field == 2) {
				d->arena.limit = DECODE_MAX_SUBMESSAGE;
			} else {
				budget = DECODE_MEMORY_BASE + DECODE_MEMORY_RATIO * (w->base + w->pos + len);
				if (!d->since_check || len >= BUDGET_CHECK_LEN)
					d->used = decoder_footprint(d) - d->arena.bytes;
				used = d->used;
				d->arena.limit = used >= budget ? 1 :
						 budget - used < DECODE_MAX_SUBMESSAGE ? (size_t)(budget - used) :
						 DECODE_MAX_SUBMESSAGE;
			}
			if (dispatch_len(d, field, w->buf + w->pos, (size_t)len, off, err) < 0) {
				if (!d->arena.over)
					return -1;
				if (d->arena.limit == DECODE_MAX_SUBMESSAGE)
					return submessage_too_big(d, field, off, err);
				return over_budget(d, w->base + w->pos + len, err);
			}
			w->pos += (size_t)len;
			break;
		}
		default:
			return error_set(err, "cannot decode profile '%s': not a pprof protobuf (wire type %d at byte %" PRIu64 ")",
					 d->name, wt, off);
		}
		if (++d->since_check >= BUDGET_CHECK_EVERY || w->base + w->pos - off >= BUDGET_CHECK_LEN) {
			d->since_check = 0;
			if (decoder_footprint(d) > DECODE_MEMORY_BASE + DECODE_MEMORY_RATIO * (w->base + w->pos))
				return over_budget(d, w->base + w->pos, err);
		}
	}
}

/* ---- id resolution ---- */

struct idmap {
	uint32_t *dense;	/* id -> index + 1, when ids are small */
	size_t dense_len;
	struct idpair { uint64_t id; uint32_t idx; } *sorted;
	size_t nr;
};

static int idpair_cmp(const void *a, const void *b)
{
	const struct idpair *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * Builds id -> index. Dense ids (what Go and most writers emit) get a direct
 * table; anything else a sorted array. Id 0 and duplicates are errors.
 */
static int idmap_build(struct idmap *m, const void *base, size_t stride, size_t nr,
		       const char *what, const char *name, struct strbuf *err)
{
	uint64_t max = 0;
	size_t i;

	memset(m, 0, sizeof(*m));
	m->nr = nr;
	for (i = 0; i < nr; i++) {
		uint64_t id = *(const uint64_t *)((const char *)base + i * stride);

		if (!id)
			return error_set(err, "invalid profile '%s': %s %zu has the reserved id 0", name, what, i);
		if (id > max)
			max = id;
	}
	if (max <= 2 * (uint64_t)nr + 4096) {
		m->dense_len = (size_t)max + 1;
		m->dense = xcalloc(m->dense_len, sizeof(*m->dense));
		for (i = 0; i < nr; i++) {
			uint64_t id = *(const uint64_t *)((const char *)base + i * stride);

			if (m->dense[id])
				return error_set(err, "invalid profile '%s': duplicate %s id %" PRIu64, name, what, id);
			m->dense[id] = (uint32_t)i + 1;
		}
		return 0;
	}
	m->sorted = xcalloc(nr, sizeof(*m->sorted));
	for (i = 0; i < nr; i++) {
		m->sorted[i].id = *(const uint64_t *)((const char *)base + i * stride);
		m->sorted[i].idx = (uint32_t)i;
	}
	sort_array(m->sorted, nr, sizeof(*m->sorted), idpair_cmp);
	for (i = 1; i < nr; i++)
		if (m->sorted[i].id == m->sorted[i - 1].id)
			return error_set(err, "invalid profile '%s': duplicate %s id %" PRIu64, name, what,
					 m->sorted[i].id);
	return 0;
}

static uint32_t idmap_find(const struct idmap *m, uint64_t id)
{
	size_t lo = 0, hi;

	if (m->dense)
		return id < m->dense_len && m->dense[id] ? m->dense[id] - 1 : PROFILE_NONE;
	hi = m->nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->sorted[mid].id < id)
			lo = mid + 1;
		else if (m->sorted[mid].id > id)
			hi = mid;
		else
			return m->sorted[mid].idx;
	}
	return PROFILE_NONE;
}

static void idmap_release(struct idmap *m)
{
	free(m->dense);
	free(m->sorted);
	memset(m, 0, sizeof(*m));
}

static int check_str(const struct profile *p, uint32_t idx, const char *name, struct strbuf *err,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int check_str(const struct profile *p, uint32_t idx, const char *name, struct strbuf *err,
		     const char *fmt, ...)
{
	struct strbuf where = STRBUF_INIT;
	va_list ap;

	if (idx < p->nr_strings)
		return 0;
	va_start(ap, fmt);
	strbuf_vaddf(&where, fmt, ap);
	va_end(ap);
	if (idx == UINT32_MAX)
		error_set(err, "invalid profile '%s': %s: string index out of range (the string table has %zu entries)",
			  name, where.buf, p->nr_strings);
	else
		error_set(err, "invalid profile '%s': %s: string index %" PRIu32 " out of range (the string table has %zu entries)",
			  name, where.buf, idx, p->nr_strings);
	strbuf_release(&where);
	return -1;
}

static int resolve(struct decoder *d, struct strbuf *err)
{
	struct profile *p = d->p;
	struct idmap maps = { 0 }, funcs = { 0 }, locs = { 0 };
	const char *name = d->name;
	size_t i;
	int ret = -1;

	if (!p->nr_strings) {
		error_set(err, "invalid profile '%s': no string table (not a pprof profile?)", name);
		goto out;
	}
	if (p->str_len[0] != 0) {
		error_set(err, "invalid profile '%s': the string table must start with \"\"", name);
		goto out;
	}
	if (d->values_mismatch) {
		error_set(err, "invalid profile '%s': sample %zu has %zu values but sample 0 has %zu",
			  name, d->mismatch_sample, d->mismatch_count, p->nr_values);
		goto out;
	}
	if (p->nr_samples && p->nr_values != p->nr_sample_types) {
		error_set(err, "invalid profile '%s': samples have %zu values but the profile declares %zu sample types",
			  name, p->nr_values, p->nr_sample_types);
		goto out;
	}
	if (!p->nr_samples)
		p->nr_values = p->nr_sample_types;
	if (d->big_id) {
		error_set(err, "invalid profile '%s': sample %zu refers to location id %" PRIu64 ", beyond the supported 2^32-1",
			  name, d->big_id_sample, d->big_id_value);
		goto out;
	}
	for (i = 0; i < p->nr_sample_types; i++) {
		if (check_str(p, p->sample_types[i].type, name, err, "sample_type[%zu].type", i) ||
		    check_str(p, p->sample_types[i].unit, name, err, "sample_type[%zu].unit", i))
			goto out;
	}
	if (p->has_period_type &&
	    (check_str(p, p->period_type.type, name, err, "period_type.type") ||
	     check_str(p, p->period_type.unit, name, err, "period_type.unit")))
		goto out;
	if (check_str(p, p->drop_frames, name, err, "drop_frames") ||
	    check_str(p, p->keep_frames, name, err, "keep_frames") ||
	    check_str(p, p->default_sample_type, name, err, "default_sample_type"))
		goto out;
	for (i = 0; i < p->nr_comments; i++)
		if (check_str(p, p->comments[i], name, err, "comment[%zu]", i))
			goto out;
	for (i = 0; i < p->nr_labels; i++) {
		if (check_str(p, p->labels[i].key, name, err, "label %zu key", i) ||
		    check_str(p, p->labels[i].str, name, err, "label %zu str", i) ||
		    check_str(p, p->labels[i].num_unit, name, err, "label %zu num_unit", i))
			goto out;
	}

	/* (an empty array may be NULL: no member address is taken of it) */
	if (idmap_build(&maps, p->mappings ? &p->mappings[0].id : NULL, sizeof(*p->mappings),
			p->nr_mappings, "mapping", name, err) ||
	    idmap_build(&funcs, p->functions ? &p->functions[0].id : NULL, sizeof(*p->functions),
			p->nr_functions, "function", name, err) ||
	    idmap_build(&locs, p->locations ? &p->locations[0].id : NULL, sizeof(*p->locations),
			p->nr_locations, "location", name, err))
		goto out;

	for (i = 0; i < p->nr_mappings; i++) {
		struct profile_mapping *m = &p->mappings[i];

		if (check_str(p, m->filename, name, err, "mapping id %" PRIu64 " filename", m->id) ||
		    check_str(p, m->build_id, name, err, "mapping id %" PRIu64 " build_id", m->id))
			goto out;
	}
	for (i = 0; i < p->nr_functions; i++) {
		struct profile_function *f = &p->functions[i];

		if (check_str(p, f->name, name, err, "function id %" PRIu64 " name", f->id) ||
		    check_str(p, f->system_name, name, err, "function id %" PRIu64 " system_name", f->id) ||
		    check_str(p, f->filename, name, err, "function id %" PRIu64 " filename", f->id))
			goto out;
	}
	for (i = 0; i < p->nr_locations; i++) {
		struct profile_location *l = &p->locations[i];
		uint64_t mid = d->loc_mapping_ids[i];
		uint32_t j;

		if (mid) {
			l->mapping = idmap_find(&maps, mid);
			if (l->mapping == PROFILE_NONE) {
				error_set(err, "invalid profile '%s': location id %" PRIu64 " refers to mapping id %" PRIu64 ", which does not exist",
					  name, l->id, mid);
				goto out;
			}
		}
		for (j = 0; j < l->nr_lines; j++) {
			uint64_t fid = d->line_fn_ids[l->line_off + j];

			/* function id 0 means "no function", as go tool pprof reads it */
			if (!fid)
				continue;
			p->lines[l->line_off + j].function = idmap_find(&funcs, fid);
			if (p->lines[l->line_off + j].function == PROFILE_NONE) {
				error_set(err, "invalid profile '%s': location id %" PRIu64 " line %" PRIu32 " refers to function id %" PRIu64 ", which does not exist",
					  name, l->id, j, fid);
				goto out;
			}
		}
	}
	/*
	 * Every sample frame goes through here. The ids of real profiles are
	 * dense (1..N), so the common case is one table lookup over the whole
	 * array; a sample is only needed for the message when one fails.
	 */
	/* indexes stay 16-bit when there are fewer locations than that */
	if (p->locs16 && p->nr_locations >= UINT16_MAX)
		widen_locs(p);
	if (locs.dense) {
		size_t k, n = p->nr_locs;

		if (p->locs16) {
			for (k = 0; k < n; k++) {
				uint32_t id = p->locs16[k];
				uint32_t e = id < locs.dense_len ? locs.dense[id] : 0;

				if (!e)
					break;
				p->locs16[k] = (uint16_t)(e - 1);
			}
		} else {
			for (k = 0; k < n; k++) {
				uint32_t id = p->locs[k];
				uint32_t e = id < locs.dense_len ? locs.dense[id] : 0;

				if (!e)
					break;
				p->locs[k] = e - 1;
			}
		}
		if (k == n) {
			ret = 0;
			goto out;
		}
		/* the first bad frame: name its sample as the careful loop would */
		{
			size_t lo = 0, hi = p->nr_samples;
			uint32_t id = profile_loc(p, k);

			while (hi - lo > 1) {
				size_t mid = lo + (hi - lo) / 2;

				if (p->loc_off[mid] <= k)
					lo = mid;
				else
					hi = mid;
			}
			if (!id)
				error_set(err, "invalid profile '%s': sample %zu refers to location id 0 (reserved)",
					  name, lo);
			else
				error_set(err, "invalid profile '%s': sample %zu refers to location id %" PRIu32 ", which does not exist",
					  name, lo, id);
			goto out;
		}
	}
	for (i = 0; i < p->nr_samples; i++) {
		uint32_t k;

		for (k = p->loc_off[i]; k < p->loc_off[i + 1]; k++) {
			uint32_t id = profile_loc(p, k);
			uint32_t idx = id ? idmap_find(&locs, id) : PROFILE_NONE;

			if (idx == PROFILE_NONE) {
				if (!id)
					error_set(err, "invalid profile '%s': sample %zu refers to location id 0 (reserved)",
						  name, i);
				else
					error_set(err, "invalid profile '%s': sample %zu refers to location id %" PRIu32 ", which does not exist",
						  name, i, id);
				goto out;
			}
			if (p->locs)
				p->locs[k] = idx;
			else
				p->locs16[k] = (uint16_t)idx;
		}
	}
	ret = 0;
out:
	idmap_release(&maps);
	idmap_release(&funcs);
	idmap_release(&locs);
	return ret;
}

int profile_decode(struct profile *p, byte_reader_fn read, void *ctx, const char *name,
		   const struct profile_options *opt, struct strbuf *err)
{
	struct instream in;
	struct window w = { 0 };
	struct decoder d;
	int ret = -1;

	memset(&d, 0, sizeof(d));
	d.p = p;
	d.name = name;
	d.skip_labels = opt && opt->skip_labels;
	d.alloc.alloc = arena_alloc;
	d.alloc.free = arena_free;
	d.alloc.allocator_data = &d.arena;
	if (instream_init(&in, read, ctx, name, opt ? opt->max_decompressed : 0, err) < 0)
		goto out;
	w.in = &in;
	if (win_ensure(&w, 1, err) < 0)
		goto out;
	if (w.end == 0) {
		error_set(err, "cannot decode profile '%s': empty %s", name,
			  in.gzip ? "gzip stream (no profile inside)" : "file");
		goto out;
	}
	if (walk_profile(&d, &w, err) < 0) {
		/* garbage that is neither gzip nor protobuf deserves a plain word */
		if (!in.gzip && !p->nr_strings && !p->nr_samples && w.base + w.pos < 64) {
			struct strbuf tmp = STRBUF_INIT;

			const char *detail = strstr(strbuf_str(err), "': ");

			strbuf_addf(&tmp, "cannot decode profile '%s': neither gzip nor pprof protobuf (%s)",
				    name, detail ? detail + 3 : strbuf_str(err));
			error_set(err, "%s", tmp.buf);
			strbuf_release(&tmp);
		}
		goto out;
	}
	p->decoded_bytes = w.base + w.end;
	if (resolve(&d, err) < 0)
		goto out;
	profile_simplify_names(p);
	profile_prune(p, name);
	ret = 0;
out:
	free(w.buf);
	free(d.line_fn_ids);
	free(d.loc_mapping_ids);
	free(d.values);
	arena_release(&d.arena);
	if (w.in)
		instream_release(&in);
	else if (in.in)
		instream_release(&in);
	return ret;
}

int profile_read_file(struct profile *p, const char *path,
		      const struct profile_options *opt, struct strbuf *err)
{
	struct fd_reader r;
	int ret;

	r.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r.fd < 0)
		return error_set(err, "cannot open profile '%s': %s", path, strerror(errno));
	ret = profile_decode(p, fd_reader_read, &r, path, opt, err);
	close(r.fd);
	return ret;
}

int profile_read_mem(struct profile *p, const void *data, size_t len, const char *name,
		     const struct profile_options *opt, struct strbuf *err)
{
	struct mem_reader r = { data, len, 0 };

	return profile_decode(p, mem_reader_read, &r, name, opt, err);
}

size_t profile_default_sample_index(const struct profile *p)
{
	size_t i;

	if (!p->nr_sample_types)
		return 0;
	if (p->default_sample_type) {
		const char *want = profile_str(p, p->default_sample_type);

		for (i = 0; i < p->nr_sample_types; i++)
			if (!strcmp(profile_str(p, p->sample_types[i].type), want))
				return i;
	}
	return p->nr_sample_types - 1;
}

int profile_sample_index(const struct profile *p, const char *name)
{
	size_t i;
	long n;

	for (i = 0; i < p->nr_sample_types; i++)
		if (!strcmp(profile_str(p, p->sample_types[i].type), name))
			return (int)i;
	if (!parse_long_range(name, 0, (long)p->nr_sample_types - 1, &n))
		return (int)n;
	return -1;
}
