/*
 * Unit tests for the pprof decoder and the aggregation primitives.
 *
 * Profiles are built here with a tiny protobuf writer, so each hostile case
 * is one visible change to a known-good profile. Run with a directory
 * argument (--write-fixtures DIR) it writes the same cases as files for the
 * command-line test (tests/decoder.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "profile/aggregate.h"
#include "profile/demangle.h"
#include "profile/flame.h"
#include "profile/owner.h"
#include "profile/profile.h"
#include "profile/scan.h"
#include "profile/re2posix.h"
#include "base/strbuf.h"
#include "pbwrite.h"
#include "check.h"

/* knobs that break one thing each */
struct knobs {
	int no_samples;
	int bad_string;		/* function name index out of range */
	int missing_location;	/* a sample names location 99 */
	int location_zero;	/* a location declares id 0 */
	int sample_loc_zero;	/* a sample names location 0 */
	int value_mismatch;	/* one sample has an extra value */
	int type_mismatch;	/* all samples have 2 values, 1 sample type declared */
	int missing_function;
	int missing_mapping;
	int duplicate_location;
	int no_leading_empty;	/* string_table[0] != "" */
	int unknown_fields;	/* fields 15, 16 and a Sample field 4: must be skipped */
	int wide_value;		/* the last sample's value needs 64 bits */
	int partial_inline;	/* location 4 = [leaf] as a real call, and a sample [4,2]=6 */
	int big_loc_id;		/* location 3 has id 70000: frames no longer fit 16 bits */
};

/*
 * functions: 1 main.leaf, 2 main.mid, 3 main.root
 * locations: 1 = [leaf inlined into mid], 2 = [root], 3 = [mid]
 * samples (alloc_space): [1,2]=10, [3,1,2]=5, [2]=0, [2]=7
 */
static void build_profile(struct strbuf *out, const struct knobs *k)
{
	static const char *const strings[] = {
		"", "alloc_space", "bytes", "main.leaf", "main.mid", "main.root", "main.go", "/bin/app",
	};
	struct strbuf m = STRBUF_INIT, sub = STRBUF_INIT;
	size_t i;

	strbuf_reset(out);
	/* sample type */
	pb_uint(&m, 1, 1);
	pb_uint(&m, 2, 2);
	pb_msg(out, 1, &m);
	if (k->unknown_fields) {
		pb_uint(out, 15, 12345);
		pb_bytes(out, 16, "future", 6);
	}
	if (!k->no_samples) {
		static const uint64_t s1[] = { 1, 2 }, s2[] = { 3, 1, 2 }, s3[] = { 2 }, s4[] = { 4, 2 };
		static const struct { const uint64_t *locs; size_t n; int64_t v; } ss[] = {
			{ s1, 2, 10 }, { s2, 3, 5 }, { s3, 1, 0 }, { s3, 1, 7 }, { s4, 2, 6 },
		};
		for (i = 0; i < (k->partial_inline ? 5u : 4u); i++) {
			size_t j;

			for (j = 0; j < ss[i].n; j++) {
				uint64_t id = ss[i].locs[j];

				if (k->missing_location && i == 1 && j == 0)
					id = 99;
				if (k->sample_loc_zero && i == 3)
					id = 0;
				if (k->big_loc_id && id == 3)
					id = 70000;
				pb_varint(&sub, id);
			}
			pb_msg(&m, 1, &sub);	/* packed location_id */
			pb_uint(&m, 2, (uint64_t)(ss[i].v + (k->wide_value && i == 3 ? (int64_t)1 << 33 : 0)));
			if ((k->value_mismatch && i == 2) || k->type_mismatch)
				pb_uint(&m, 2, 1);
			if (k->unknown_fields)
				pb_uint(&m, 4, 77);
			/* a numeric label, as Go's heap profile has */
			pb_uint(&sub, 1, 2);
			pb_uint(&sub, 3, 64);
			pb_msg(&m, 3, &sub);
			pb_msg(out, 2, &m);
		}
	}
	/* mapping 1 */
	pb_uint(&m, 1, 1);
	pb_uint(&m, 5, 7);
	pb_msg(out, 3, &m);
	/* location 1: leaf inlined into mid */
	pb_uint(&m, 1, k->location_zero ? 0 : 1);
	pb_uint(&m, 2, k->missing_mapping ? 9 : 1);
	pb_uint(&sub, 1, 1);
	pb_uint(&sub, 2, 10);
	pb_msg(&m, 4, &sub);
	pb_uint(&sub, 1, 2);
	pb_uint(&sub, 2, 20);
	pb_msg(&m, 4, &sub);
	pb_msg(out, 4, &m);
	/* location 2: root */
	pb_uint(&m, 1, 2);
	pb_uint(&m, 2, 1);
	pb_uint(&sub, 1, k->missing_function ? 42 : 3);
	pb_msg(&m, 4, &sub);
	pb_msg(out, 4, &m);
	/* location 3: mid */
	pb_uint(&m, 1, k->duplicate_location ? 2 : k->big_loc_id ? 70000 : 3);
	pb_uint(&sub, 1, 2);
	pb_msg(&m, 4, &sub);
	pb_msg(out, 4, &m);
	if (k->partial_inline) {
		/* location 4: leaf, called for real */
		pb_uint(&m, 1, 4);
		pb_uint(&sub, 1, 1);
		pb_msg(&m, 4, &sub);
		pb_msg(out, 4, &m);
	}
	/* functions */
	for (i = 1; i <= 3; i++) {
		pb_uint(&m, 1, i);
		pb_uint(&m, 2, k->bad_string && i == 2 ? 99 : 2 + i);
		pb_uint(&m, 4, 6);
		pb_msg(out, 5, &m);
	}
	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		const char *s = strings[i];

		if (i == 0 && k->no_leading_empty)
			s = "oops";
		pb_bytes(out, 6, s, strlen(s));
	}
	pb_uint(out, 9, 1700000000000000000ULL);
	strbuf_release(&m);
	strbuf_release(&sub);
}

static void gzip_buf(const struct strbuf *in, struct strbuf *out)
{
	z_stream z;
	unsigned char buf[65536];
	int ret;

	memset(&z, 0, sizeof(z));
	deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (unsigned char *)(in->buf ? in->buf : "");
	z.avail_in = (uInt)in->len;
	strbuf_reset(out);
	do {
		z.next_out = buf;
		z.avail_out = sizeof(buf);
		ret = deflate(&z, Z_FINISH);
		strbuf_add(out, buf, sizeof(buf) - z.avail_out);
	} while (ret == Z_OK);
	deflateEnd(&z);
}

/* A valid-looking stream of unknown 1 MiB fields, inflating to `mib` MiB. */
static void gzip_bomb(struct strbuf *out, size_t mib)
{
	static unsigned char chunk[1 << 20];
	unsigned char buf[65536], hdr[16];
	struct strbuf h = STRBUF_INIT;
	z_stream z;
	size_t i;

	pb_varint(&h, (uint64_t)100 << 3 | 2);
	pb_varint(&h, sizeof(chunk) - 8);
	memcpy(hdr, h.buf, h.len);
	memset(&z, 0, sizeof(z));
	deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY);
	strbuf_reset(out);
	for (i = 0; i <= mib; i++) {
		int last = i == mib;

		/* each MiB: a field header then zeros up to the next MiB */
		memset(chunk, 0, sizeof(chunk));
		memcpy(chunk, hdr, h.len);
		z.next_in = last ? NULL : chunk;
		z.avail_in = last ? 0 : (uInt)(h.len + sizeof(chunk) - 8);
		do {
			z.next_out = buf;
			z.avail_out = sizeof(buf);
			deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
			strbuf_add(out, buf, sizeof(buf) - z.avail_out);
		} while (z.avail_out == 0);
	}
	deflateEnd(&z);
	strbuf_release(&h);
}

static int decode(const struct strbuf *data, struct profile *p, struct strbuf *err, uint64_t max)
{
	struct profile_options o = { .max_decompressed = max };

	profile_init(p);
	strbuf_reset(err);
	return profile_read_mem(p, data->buf ? data->buf : "", data->len, "test.pb", &o, err);
}

static void expect_error(const char *what, const struct strbuf *data, const char *needle)
{
	struct profile p;
	struct strbuf err = STRBUF_INIT;
	int r = decode(data, &p, &err, 0);

	CHECK(r == -1, "%s: decoded without error", what);
	CHECK(strstr(strbuf_str(&err), needle), "%s: error '%s' lacks '%s'", what, strbuf_str(&err), needle);
	profile_release(&p);
	strbuf_release(&err);
}

static const struct agg_row *find_row(const struct agg_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (!strcmp(agg_row_name(t, &t->rows[i]), name))
			return &t->rows[i];
	return NULL;
}

static void test_valid(int gz)
{
	struct knobs k = { 0 };
	struct strbuf raw = STRBUF_INIT, data = STRBUF_INIT, err = STRBUF_INIT;
	struct profile p;
	struct agg_table t;
	struct agg_options o = { 0 };
	const struct agg_row *leaf, *mid, *root;

	k.unknown_fields = 1;
	build_profile(&raw, &k);
	if (gz)
		gzip_buf(&raw, &data);
	else
		strbuf_add(&data, raw.buf, raw.len);
	CHECK(decode(&data, &p, &err, 0) == 0, "valid profile (gzip=%d): %s", gz, strbuf_str(&err));
	CHECK(p.nr_samples == 4, "4 samples, got %zu", p.nr_samples);
	{
		/* the streaming check sees what the decoder sees */
		struct mem_reader mr = { (const unsigned char *)data.buf, data.len, 0 };
		struct profile_scan ps;

		CHECK(profile_scan(mem_reader_read, &mr, "valid", 0, &ps, &err) == 0, "scan (gzip=%d): %s", gz,
		      strbuf_str(&err));
		CHECK(ps.samples == 4 && ps.labels == 4 && ps.sample_types == p.nr_sample_types &&
		      ps.strings == p.nr_strings && ps.bytes == raw.len,
		      "scan: %llu samples, %llu labels, %llu types, %llu strings, %llu bytes",
		      (unsigned long long)ps.samples, (unsigned long long)ps.labels,
		      (unsigned long long)ps.sample_types, (unsigned long long)ps.strings,
		      (unsigned long long)ps.bytes);
	}
	CHECK(p.nr_locations == 3 && p.nr_functions == 3 && p.nr_lines == 4, "counts");
	CHECK(p.nr_labels == 4 && p.labels[0].num == 64, "labels kept");
	CHECK(!strcmp(profile_str(&p, p.sample_types[0].type), "alloc_space"), "sample type name");
	CHECK(p.locations[0].mapping == 0, "mapping resolved");
	CHECK(profile_default_sample_index(&p) == 0, "default sample index");
	CHECK(profile_sample_index(&p, "alloc_space") == 0 && profile_sample_index(&p, "nope") == -1,
	      "sample index by name");
	CHECK(p.time_nanos == 1700000000000000000LL, "time_nanos");

	agg_table_init(&t);
	CHECK(profile_aggregate(&p, &o, &t, &err) == 0, "aggregate: %s", strbuf_str(&err));
	agg_table_mark_inline(&t, &p, t.nr);
	leaf = find_row(&t, "main.leaf");
	mid = find_row(&t, "main.mid");
	root = find_row(&t, "main.root");
	CHECK(t.total == 22, "total 22, got %lld", (long long)t.total);
	CHECK(leaf && leaf->flat == 10 && leaf->cum == 15, "leaf flat 10 cum 15");
	/* mid recurses in sample 2: counted once in cum */
	CHECK(mid && mid->flat == 5 && mid->cum == 15, "mid flat 5 cum 15, got %lld %lld",
	      mid ? (long long)mid->flat : -1, mid ? (long long)mid->cum : -1);
	CHECK(root && root->flat == 7 && root->cum == 22, "root flat 7 cum 22");
	CHECK(leaf && leaf->inline_in && !leaf->noinline_in, "leaf is reached inline only");
	/* mid is never an inlined frame: no marker, and its edges are not counted */
	CHECK(mid && !mid->inline_in && !mid->noinline_in, "mid is reached by real calls only");
	agg_table_sort(&t, 0);
	CHECK(!strcmp(agg_row_name(&t, &t.rows[0]), "main.leaf") &&
	      !strcmp(agg_row_name(&t, &t.rows[2]), "main.mid"), "flat order");
	agg_table_sort(&t, 1);
	CHECK(!strcmp(agg_row_name(&t, &t.rows[0]), "main.root") &&
	      !strcmp(agg_row_name(&t, &t.rows[1]), "main.leaf"), "cum order, ties by name");
	agg_table_release(&t);

	/* grouping and diff */
	{
		struct agg_table a, b;
		const char *mods[] = { "main" };

		agg_table_init(&a);
		agg_table_init(&b);
		o.group = AGG_PACKAGE;
		profile_aggregate(&p, &o, &a, &err);
		CHECK(a.nr == 1 && a.rows[0].flat == 22 && a.rows[0].cum == 22 &&
		      !strcmp(agg_row_name(&a, &a.rows[0]), "main"), "package main holds all");
		o.group = AGG_FUNCTION;
		agg_table_release(&a);
		agg_table_init(&a);
		profile_aggregate(&p, &o, &a, &err);
		profile_aggregate(&p, &o, &b, &err);
		CHECK(agg_table_subtract(&a, &b, &err) == 0, "subtract");
		CHECK(a.rows[0].flat == 0 && a.rows[0].cum == 0 && a.total == 0, "self diff is zero");
		agg_table_release(&a);
		agg_table_release(&b);
		o.group = AGG_MODULE;
		o.modules = mods;
		o.nr_modules = 1;
		agg_table_init(&a);
		profile_aggregate(&p, &o, &a, &err);
		CHECK(a.nr == 1 && !strcmp(agg_row_name(&a, &a.rows[0]), "main"), "module grouping");
		agg_table_release(&a);
	}
	profile_release(&p);
	strbuf_release(&raw);
	strbuf_release(&data);
	strbuf_release(&err);
}

/* values are stored in 32 bits until one does not fit, then widened */
static void test_wide_values(void)
{
	struct knobs k = { 0 };
	struct strbuf raw = STRBUF_INIT, err = STRBUF_INIT;
	struct profile p;
	struct agg_table t;
	struct agg_options o = { 0 };
	int64_t big = ((int64_t)1 << 33) + 7;

	k.wide_value = 1;
	build_profile(&raw, &k);
	CHECK(decode(&raw, &p, &err, 0) == 0, "wide: %s", strbuf_str(&err));
	CHECK(p.values64 && !p.values32, "values widened to 64 bits");
	CHECK(profile_value(&p, 0, 0) == 10 && profile_value(&p, 3, 0) == big, "values kept across widening");
	agg_table_init(&t);
	profile_aggregate(&p, &o, &t, &err);
	CHECK(t.total == 15 + big, "wide total");
	agg_table_release(&t);
	profile_release(&p);
	k.wide_value = 0;
	build_profile(&raw, &k);
	CHECK(decode(&raw, &p, &err, 0) == 0 && p.values32 && !p.values64, "small values stay 32-bit");
	CHECK(p.locs16 && !p.locs, "small location ids stay 16-bit");
	profile_release(&p);
	/* a location id past 16 bits, after frames stored narrow: widened mid-stream */
	k.big_loc_id = 1;
	build_profile(&raw, &k);
	CHECK(decode(&raw, &p, &err, 0) == 0, "big location id: %s", strbuf_str(&err));
	CHECK(p.locs && !p.locs16, "frames widened to 32 bits");
	agg_table_init(&t);
	profile_aggregate(&p, &o, &t, &err);
	CHECK(t.total == 22 && p.nr_locs == 7, "widened frames aggregate as before: total %lld, %zu frames",
	      (long long)t.total, p.nr_locs);
	{
		const struct agg_row *mid = find_row(&t, "main.mid");

		CHECK(mid && mid->flat == 5 && mid->cum == 15, "mid through the widened frames");
	}
	agg_table_release(&t);
	profile_release(&p);
	strbuf_release(&raw);
	strbuf_release(&err);
}

/* leaf inlined into mid in one stack and called by root in another: "(partial-inline)" */
static void test_partial_inline(void)
{
	struct knobs k = { 0 };
	struct strbuf raw = STRBUF_INIT, err = STRBUF_INIT;
	struct profile p;
	struct agg_table t;
	struct agg_options o = { 0 };
	const struct agg_row *leaf, *mid;

	k.partial_inline = 1;
	build_profile(&raw, &k);
	CHECK(decode(&raw, &p, &err, 0) == 0, "partial: %s", strbuf_str(&err));
	agg_table_init(&t);
	CHECK(profile_aggregate(&p, &o, &t, &err) == 0, "aggregate: %s", strbuf_str(&err));
	agg_table_mark_inline(&t, &p, t.nr);
	leaf = find_row(&t, "main.leaf");
	mid = find_row(&t, "main.mid");
	CHECK(leaf && leaf->flat == 16, "leaf flat 16");
	CHECK(leaf && leaf->inline_in && leaf->noinline_in, "leaf is reached inline and by a real call");
	CHECK(mid && !mid->inline_in, "mid is never inlined");
	/* a kept set without root: root's edge to leaf is bridged over, still real */
	agg_table_sort(&t, 0);
	agg_table_release(&t);
	profile_release(&p);
	strbuf_release(&raw);
	strbuf_release(&err);
}

static void test_package_names(void)
{
	static const struct { const char *fn, *pkg; } cases[] = {
		{ "main.main", "main" },
		{ "runtime.mallocgc", "runtime" },
		{ "net/http.(*conn).serve", "net/http" },
		{ "github.com/rancher/steve/pkg/stores/proxy.(*Store).List.func1", "github.com/rancher/steve/pkg/stores/proxy" },
		{ "gopkg.in/yaml%2ev2.(*decoder).unmarshal", "gopkg.in/yaml.v2" },
		{ "example.com/x.Map[go.shape.*example.com/y.T]", "example.com/x" },
		{ "noDotAtAll", "noDotAtAll" },
	};
	struct strbuf out = STRBUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		go_package_of(cases[i].fn, &out);
		CHECK(!strcmp(out.buf, cases[i].pkg), "package of %s: got %s", cases[i].fn, out.buf);
	}
	strbuf_release(&out);
}

struct bad_case {
	const char *file;
	struct knobs k;
	const char *needle;
};

static const struct bad_case bad_cases[] = {
	{ "bad-string-index.pb", { .bad_string = 1 }, "function id 2 name: string index 99 out of range" },
	{ "missing-location.pb", { .missing_location = 1 }, "sample 1 refers to location id 99, which does not exist" },
	{ "location-id-zero.pb", { .location_zero = 1 }, "location 0 has the reserved id 0" },
	{ "sample-location-zero.pb", { .sample_loc_zero = 1 }, "sample 3 refers to location id 0 (reserved)" },
	{ "value-count-mismatch.pb", { .value_mismatch = 1 }, "sample 2 has 2 values but sample 0 has 1" },
	{ "value-type-mismatch.pb", { .type_mismatch = 1 }, "samples have 2 values but the profile declares 1 sample types" },
	{ "missing-function.pb", { .missing_function = 1 }, "refers to function id 42, which does not exist" },
	{ "missing-mapping.pb", { .missing_mapping = 1 }, "refers to mapping id 9, which does not exist" },
	{ "duplicate-location.pb", { .duplicate_location = 1 }, "duplicate location id 2" },
	{ "no-leading-empty-string.pb", { .no_leading_empty = 1 }, "must start with \"\"" },
};

static void test_hostile(void)
{
	struct strbuf raw = STRBUF_INIT, gz = STRBUF_INIT, err = STRBUF_INIT;
	struct knobs k = { 0 };
	struct profile p;
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		build_profile(&raw, &bad_cases[i].k);
		expect_error(bad_cases[i].file, &raw, bad_cases[i].needle);
	}

	strbuf_reset(&raw);
	expect_error("empty", &raw, "empty file");
	gzip_buf(&raw, &gz);
	expect_error("empty gzip", &gz, "empty gzip stream");

	strbuf_addstr(&raw, "this is not a profile at all\n");
	expect_error("garbage", &raw, "neither gzip nor pprof protobuf");
	{
		/* the streaming check refuses what is not a profile, and truncations */
		static const char *const pages[] = {
			"this is not a profile at all\n",
			"<html><body>/debug/pprof/</body></html>\n",
			"404 page not found\n",
		};
		struct profile_scan ps;
		size_t j;

		for (j = 0; j < sizeof(pages) / sizeof(pages[0]); j++) {
			struct mem_reader mr = { (const unsigned char *)pages[j], strlen(pages[j]), 0 };

			CHECK(profile_scan(mem_reader_read, &mr, "page", 0, &ps, &err) < 0,
			      "scan took '%s' for a profile", pages[j]);
		}
		build_profile(&raw, &k);
		for (j = 1; j < raw.len; j += 1 + j / 8) {
			struct mem_reader mr = { (const unsigned char *)raw.buf, j, 0 };
			int r = profile_scan(mem_reader_read, &mr, "cut", 0, &ps, &err);

			/* a cut at a field boundary can still be a profile; inside a field never */
			CHECK(r < 0 || ps.bytes == j, "scan of %zu of %zu bytes", j, raw.len);
		}
		strbuf_reset(&raw);
		strbuf_addstr(&raw, "this is not a profile at all\n");
	}

	build_profile(&raw, &k);
	gzip_buf(&raw, &gz);
	gz.len = gz.len / 2;
	expect_error("truncated gzip", &gz, "truncated gzip data");
	gz.len = 12;
	expect_error("gzip header only", &gz, "truncated gzip data");

	build_profile(&raw, &k);
	raw.len -= 3;
	expect_error("truncated protobuf", &raw, "truncated");

	/* corrupt deflate data after a valid gzip header */
	build_profile(&raw, &k);
	gzip_buf(&raw, &gz);
	memset(gz.buf + 12, 0xff, 8);
	expect_error("corrupt gzip", &gz, "corrupt gzip data");

	/* a 64 MiB bomb against a 16 MiB cap fails at the cap */
	gzip_bomb(&gz, 64);
	{
		int r = decode(&gz, &p, &err, 16 << 20);

		CHECK(r == -1 && strstr(err.buf, "decompresses to more than 16 MiB"),
		      "bomb: %s", strbuf_str(&err));
		profile_release(&p);
	}
	/* a profile with no samples decodes: callers decide what that means */
	k.no_samples = 1;
	build_profile(&raw, &k);
	CHECK(decode(&raw, &p, &err, 0) == 0 && p.nr_samples == 0, "no samples decodes: %s", strbuf_str(&err));
	profile_release(&p);

	/* every prefix of a valid profile fails cleanly or decodes, never crashes */
	k.no_samples = 0;
	build_profile(&raw, &k);
	for (i = 0; i < raw.len; i++) {
		struct strbuf cut = STRBUF_INIT;

		strbuf_add(&cut, raw.buf, i);
		if (decode(&cut, &p, &err, 0) == 0)
			CHECK(p.nr_samples <= 4, "prefix %zu", i);
		profile_release(&p);
		strbuf_release(&cut);
	}
	/* and every single-byte corruption */
	for (i = 0; i < raw.len; i++) {
		char saved = raw.buf[i];

		raw.buf[i] = (char)(saved ^ 0x5a);
		decode(&raw, &p, &err, 0);
		profile_release(&p);
		raw.buf[i] = saved;
	}
	strbuf_release(&raw);
	strbuf_release(&gz);
	strbuf_release(&err);
}

/* ---- names as go tool pprof shows them ---- */

static void test_demangle(void)
{
	static const struct { const char *in, *out; } cases[] = {
		/* mangled: no parameters, no template arguments */
		{ "_ZN6server7Handler6handleERKNS_7RequestE", "server::Handler::handle" },
		{ "_Znwm", "operator new" },
		{ "_ZdlPv", "operator delete" },
		{ "_ZNSt6vectorIiSaIiEE9push_backERKi", "std::vector::push_back" },
		{ "_ZN8tcmalloc10tc_new_oomEm", "tcmalloc::tc_new_oom" },
		{ "_ZNKSt3mapIiiSt4lessIiESaISt4pairIKiiEEE4findERS3_", "std::map::find" },
		{ "_ZStlsISt11char_traitsIcEERSt13basic_ostreamIcT_ES5_PKc", "std::operator<<" },
		{ "_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEC2EPKcRKS3_",
		  "std::__cxx11::basic_string::basic_string" },
		{ "_ZZ3foovE1x", "foo()::x" },
		{ "_Z3foov.cold", "foo" },
		{ "_ZN3foo3barEv.constprop.0", "foo::bar" },
		{ "_Z3fooIiEvT_", "foo" },
		{ "_ZN2v88internal14CodeSerializer27SerializeSharedFunctionInfoENS0_6HandleINS0_18SharedFunctionInfoEEE",
		  "v8::internal::CodeSerializer::SerializeSharedFunctionInfo" },
		{ "_ZTVN2v88internal14PagedSpaceBaseE", "vtable for v8::internal::PagedSpaceBase" },
		{ "_ZgtIiEbRK1AIT_ES4_", "operator>" },
		{ "_GLOBAL__I__Z3foov", "global constructors keyed to foo()" },
		/* Rust: the hash goes, generic arguments stay */
		{ "_ZN4core3fmt9Formatter3pad17h0123456789abcdefE", "core::fmt::Formatter::pad" },
		{ "_ZN66_$LT$alloc..vec..Vec$LT$T$GT$$u20$as$u20$core..ops..drop..Drop$GT$4drop17h5d2a4e9f8c7b6a31E",
		  "<alloc::vec::Vec<T> as core::ops::drop::Drop>::drop" },
		{ "_RNvMs_Cs4Cv8Wi1oAIB_7mycrateNtB4_6Struct3new", "<mycrate::Struct>::new" },
		{ "_RINvNtCs9ltgdHTiPiY_4core3ptr13drop_in_placeINtNtCsjp7lWyQrE1C_5alloc3vec3VecmEECsfSdN8Ew8Y8u_5hello",
		  "core::ptr::drop_in_place::<alloc::vec::Vec<u32>>" },
		/* not mangled after all: the heuristic, which finds nothing to do */
		{ "_Zfoo", NULL },
		{ "_cgo_topofstack", NULL },
		/* already demangled C++: (...) and <...> groups go */
		{ "std::map<int, int>::find(int const&) const", "std::map::find const" },
		{ "util::hash(std::string const&)", "util::hash" },
		{ "server::Worker::run()", "server::Worker::run" },
		{ "x[abi:cxx11]()", "x[abi:cxx11]" },
		{ "a::b(c<d)>e", "a::b>e" },
		{ "std::operator<< <char>(std::ostream&)", "std::operator<< <char>" },
		{ "<<a>>b>c", "b>c" },
		{ "RegExp: \\b(e[a-z]*)\\s+([a-z]{4,})", "RegExp: \\b\\s+" },
		/* Go, Java and plain names stay */
		{ "main.(*List[...]).Push", NULL },
		{ "main.Map[...]", NULL },
		{ "net/http.(*conn).serve", NULL },
		{ "java.lang.Object.<init>", NULL },
		{ "type..eq.[2]interface {}", NULL },
		{ "compress_block", NULL },
		{ "f(int)", NULL },
		{ "", NULL },
	};
	struct strbuf out = STRBUF_INIT, big = STRBUF_INIT;
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = demangle_function_name(cases[i].in, strlen(cases[i].in), &out);

		if (cases[i].out)
			CHECK(r == 1 && !strcmp(out.buf, cases[i].out), "demangle %s: got %d '%s', want '%s'",
			      cases[i].in, r, r ? out.buf : "", cases[i].out);
		else
			CHECK(r == 0, "demangle %s: changed to '%s'", cases[i].in, out.buf);
	}

	CHECK(demangle_looks_like_cxx("a::b", 4) && demangle_looks_like_cxx("x[1]", 4) &&
	      demangle_looks_like_cxx("f<T>", 4), "looks like C++");
	CHECK(!demangle_looks_like_cxx("a:b", 3) && !demangle_looks_like_cxx("C.<clinit>", 10) &&
	      !demangle_looks_like_cxx("p.(*T[int]).M", 13), "does not look like C++");

	strcpy(buf, "a(b(c)d)e(f)g");
	CHECK(demangle_remove_matching(buf, strlen(buf), '(', ')') == 3 && !strcmp(buf, "aeg"),
	      "nested groups go: '%s'", buf);
	/* a close with nothing open stops there, keeping what was done */
	strcpy(buf, "a(b)c)d(e)");
	CHECK(demangle_remove_matching(buf, strlen(buf), '(', ')') == 7 && !strcmp(buf, "ac)d(e)"),
	      "mismatch stops: '%s'", buf);
	strcpy(buf, "a(b(c");
	CHECK(demangle_remove_matching(buf, strlen(buf), '(', ')') == 5 && !strcmp(buf, "a(b(c"),
	      "unclosed stays: '%s'", buf);

	/* untrusted lengths: over the cap, a name is left alone */
	strbuf_addstr(&big, "a::b<");
	while (big.len <= DEMANGLE_MAX_NAME)
		strbuf_addch(&big, 'x');
	strbuf_addch(&big, '>');
	CHECK(demangle_function_name(big.buf, big.len, &out) == 0, "an over-long name stays");
	strbuf_reset(&big);
	strbuf_addstr(&big, "_ZN");
	for (i = 0; i < 2000; i++)
		strbuf_addstr(&big, "1a");
	strbuf_addstr(&big, "E");
	CHECK(demangle_function_name(big.buf, big.len, &out) == 0, "an over-long mangled name stays");
	/* garbage after _Z: no crash, and whatever comes back is a string */
	for (i = 0; i < 256; i++) {
		char junk[16];

		snprintf(junk, sizeof(junk), "_Z%c%cS_S_", (char)(i | 1), (char)(i * 7 + 1));
		demangle_function_name(junk, strlen(junk), &out);
	}
	strbuf_release(&out);
	strbuf_release(&big);
}

static void test_re2posix(void)
{
	/* 1 match, 0 no match, -1 not compiled */
	static const struct { const char *re, *s; int want; } cases[] = {
		{ "malloc|operator new.*|tcmalloc::.*", "malloc", 1 },
		{ "malloc|operator new.*|tcmalloc::.*", "operator new[]", 1 },
		{ "malloc|operator new.*|tcmalloc::.*", "tcmalloc::tc_new_oom", 1 },
		{ "malloc|operator new.*|tcmalloc::.*", "xmalloc", 0 },
		{ "malloc|operator new.*|tcmalloc::.*", "malloc2", 0 },
		{ "runtime\\.panic|runtime\\.call[0-9]*", "runtime.call32", 1 },
		{ "runtime\\.panic|runtime\\.call[0-9]*", "runtimeXpanic", 0 },
		{ "(__)?posix_memalign", "__posix_memalign", 1 },
		{ "a)|(b", "a", 1 },	/* anchored as text: ^(a)|(b)$ */
		{ "a)|(b", "ba", 0 }, { "a)|(b", "xb", 1 },
		{ "\\d+", "123", 1 }, { "\\d+", "12a", 0 }, { "\\D+", "ab", 1 },
		{ "\\w+::\\w+", "foo::bar", 1 }, { "[\\w:]+", "a::b", 1 }, { "\\s", "\t", 1 },
		{ "(?:foo|bar)baz", "barbaz", 1 }, { "(?P<n>foo)+", "foofoo", 1 },
		{ "(?i)foo", "FoO", 1 }, { "(?s)foo", "foo", -1 },
		{ "a{2}", "aa", 1 }, { "a{2}", "aaa", 0 }, { "a{,2}", "a{,2}", 1 },
		{ "a{1001}", "a", -1 }, { "a**", "a", -1 }, { "*a", "a", -1 }, { "a*?", "aa", 1 },
		{ "{lambda.*", "{lambda()#1}", 1 }, { "\\{lambda\\(\\)#1\\}", "{lambda()#1}", 1 },
		{ "[]a]+", "]a", 1 }, { "[a-]+", "a-", 1 }, { "[\\]]", "]", 1 }, { "[\\^]", "^", 1 },
		{ "[\\^]", "\\", 0 }, { "[\\^-]", "-", 1 }, { "[^^]", "^", 0 }, { "[\\.]", "\\", 0 },
		{ "[[:alpha:]]+", "abc", 1 }, { "[[:word:]]+", "a_1", 1 }, { "[[:^alpha:]]", "1", -1 },
		{ ".", "\n", 0 }, { "a.b", "a.b", 1 }, { "\\Qa.b\\E", "aXb", 0 }, { "\\Qa.b\\E", "a.b", 1 },
		{ "\\x41", "A", 1 }, { "\\101", "A", 1 }, { "\\1", "a", -1 }, { "\\8", "8", -1 },
		{ "\\pL", "a", -1 }, { "\\<", "<", 1 }, { "\\>", ">", 1 }, { "\\Afoo\\z", "foo", 1 },
		{ "\\bfoo\\b", "foo", 1 }, { "(", "(", -1 }, { ")", ")", -1 }, { "[a", "a", -1 },
		{ "[z-a]", "a", -1 }, { "\\", "\\", -1 }, { "\\C", "C", -1 },
		{ "std::vector<.*>::.*", "std::vector<int>::push_back", 1 },
		/* counted repetition cannot blow up regcomp */
		{ "((((a{100}){100}){100}){100})", "a", -1 },
		/* nor can repetition of what matches empty (issue 17's regex bombs) */
		{ "(){1,1000}", "", -1 }, { "(a*){1,1000}", "a", -1 }, { "(|a){1,1000}", "a", -1 },
		{ "(a?){1,50}(a?){1,50}(a?){1,50}", "a", -1 }, { "((){1,10}){1,10}", "", -1 },
		/* Go's bound on nested counts: over 1000 copies in product */
		{ "(a{2}){501}", "aa", -1 }, { "((ab){10}){101}", "ab", -1 }, { "((ab){10}){100}", "ab", 0 },
		{ "(a{2}){500}", "aa", 0 }, { "(a?){1,20}b", "aab", 1 }, { "(a|b?)+", "ab", 1 },
		{ "(a?b){1,1000}", "ab", 1 }, { "x(){2}y", "xy", 1 }, { "(a*)*", "aa", 1 },
	};
	struct strbuf err = STRBUF_INIT, big = STRBUF_INIT;
	size_t i;
	regex_t re;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got;

		strbuf_reset(&err);
		if (re2posix_compile_full(&re, cases[i].re, strlen(cases[i].re), &err) < 0) {
			got = -1;
		} else {
			got = re2posix_match(&re, cases[i].s, strlen(cases[i].s));
			regfree(&re);
		}
		CHECK(got == cases[i].want, "regexp '%s' on '%s': got %d, want %d (%s)",
		      cases[i].re, cases[i].s, got, cases[i].want, strbuf_str(&err));
		CHECK(got != -1 || err.len, "regexp '%s': no reason given", cases[i].re);
	}
	/* the length is capped before anything else */
	while (big.len <= RE2POSIX_MAX_PATTERN)
		strbuf_addch(&big, 'a');
	CHECK(re2posix_compile_full(&re, big.buf, big.len, &err) < 0 && strstr(err.buf, "longer than"),
	      "over-long pattern: %s", strbuf_str(&err));
	/* and so is nesting */
	strbuf_reset(&big);
	for (i = 0; i < 1200; i++)
		strbuf_addch(&big, '(');
	for (i = 0; i < 1200; i++)
		strbuf_addch(&big, ')');
	CHECK(re2posix_compile_full(&re, big.buf, big.len, &err) < 0 && strstr(err.buf, "nests too deeply"),
	      "deep nesting: %s", strbuf_str(&err));
	strbuf_release(&err);
	strbuf_release(&big);
}

/*
 * A profile from tables, for the pprof passes applied at decode time.
 * Strings: index 0 is "", then whatever the tables name. Function i (from
 * 1) is fns[i-1]; a location is up to 3 function ids, innermost first; a
 * sample is up to 8 location ids, leaf first.
 */
struct tfn { const char *name, *system_name; };
struct tloc { int fns[3]; };
struct tsample { int locs[8]; int64_t value; };
struct tprofile {
	const struct tfn *fns;
	size_t nr_fns;
	const struct tloc *locs;
	size_t nr_locs;
	const struct tsample *samples;
	size_t nr_samples;
	const char *drop, *keep;
};

static uint64_t tstr(struct strbuf *strings, size_t *nr, const char *s)
{
	const char *p = strings->buf;
	size_t i;

	for (i = 0; i < *nr; i++, p += strlen(p) + 1)
		if (!strcmp(p, s))
			return i;
	strbuf_add(strings, s, strlen(s) + 1);
	return (*nr)++;
}

static void build_table_profile(struct strbuf *out, const struct tprofile *t)
{
	struct strbuf m = STRBUF_INIT, sub = STRBUF_INIT, strings = STRBUF_INIT;
	size_t i, j, nr = 0;
	const char *p;

	strbuf_reset(out);
	tstr(&strings, &nr, "");
	pb_uint(&m, 1, tstr(&strings, &nr, "samples"));
	pb_uint(&m, 2, tstr(&strings, &nr, "count"));
	pb_msg(out, 1, &m);
	for (i = 0; i < t->nr_samples; i++) {
		for (j = 0; j < 8 && t->samples[i].locs[j]; j++)
			pb_varint(&sub, (uint64_t)t->samples[i].locs[j]);
		pb_msg(&m, 1, &sub);
		pb_uint(&m, 2, (uint64_t)t->samples[i].value);
		pb_msg(out, 2, &m);
	}
	for (i = 0; i < t->nr_locs; i++) {
		pb_uint(&m, 1, i + 1);
		for (j = 0; j < 3 && t->locs[i].fns[j]; j++) {
			pb_uint(&sub, 1, (uint64_t)t->locs[i].fns[j]);
			pb_msg(&m, 4, &sub);
		}
		pb_msg(out, 4, &m);
	}
	for (i = 0; i < t->nr_fns; i++) {
		pb_uint(&m, 1, i + 1);
		pb_uint(&m, 2, tstr(&strings, &nr, t->fns[i].name));
		pb_uint(&m, 3, tstr(&strings, &nr, t->fns[i].system_name));
		pb_msg(out, 5, &m);
	}
	if (t->drop)
		pb_uint(out, 7, tstr(&strings, &nr, t->drop));
	if (t->keep)
		pb_uint(out, 8, tstr(&strings, &nr, t->keep));
	for (i = 0, p = strings.buf; i < nr; i++, p += strlen(p) + 1)
		pb_bytes(out, 6, p, strlen(p));
	strbuf_release(&m);
	strbuf_release(&sub);
	strbuf_release(&strings);
}

/* A sample's stack as "name;name;..." leaf first, each location's lines innermost first. */
static void stack_string(const struct profile *p, size_t s, struct strbuf *out)
{
	uint32_t k, j;

	strbuf_reset(out);
	strbuf_addstr(out, "");
	for (k = p->loc_off[s]; k < p->loc_off[s + 1]; k++) {
		const struct profile_location *l = &p->locations[profile_loc(p, k)];

		for (j = 0; j < l->nr_lines; j++) {
			uint32_t fn = p->lines[l->line_off + j].function;

			if (out->len)
				strbuf_addch(out, ';');
			strbuf_addstr(out, profile_str(p, p->functions[fn].name));
		}
	}
}

static void test_simplify_names(void)
{
	static const struct tfn fns[] = {
		{ "_ZN6server7Handler6handleERKNS_7RequestE", "_ZN6server7Handler6handleERKNS_7RequestE" },
		{ "", "_ZNSt6vectorIiSaIiEE9push_backERKi" },
		/* a name of its own is kept, whatever the system name */
		{ "server::Pool<Conn>::get(int)", "_ZN6server4PoolI4ConnE3getEi" },
		{ "std::map<int, int>::find(int const&) const", "std::map<int, int>::find(int const&) const" },
		{ "main.(*List[...]).Push", "main.(*List[...]).Push" },
		{ "", "" },
		{ "plain", "" },
	};
	static const struct tloc locs[] = { { { 1, 2, 3 } }, { { 4, 5, 6 } }, { { 7 } } };
	static const struct tsample samples[] = { { { 1, 2, 3 }, 1 } };
	static const char *const want[] = {
		"server::Handler::handle", "std::vector::push_back", "server::Pool<Conn>::get(int)",
		"std::map::find const", "main.(*List[...]).Push", "", "plain",
	};
	const struct tprofile t = { fns, 7, locs, 3, samples, 1, NULL, NULL };
	struct strbuf raw = STRBUF_INIT, err = STRBUF_INIT;
	struct profile p;
	size_t i;

	build_table_profile(&raw, &t);
	CHECK(decode(&raw, &p, &err, 0) == 0, "names profile: %s", strbuf_str(&err));
	for (i = 0; i < p.nr_functions && i < 7; i++)
		CHECK(!strcmp(profile_str(&p, p.functions[i].name), want[i]), "function %zu: '%s', want '%s'",
		      i + 1, profile_str(&p, p.functions[i].name), want[i]);
	/* the system names stay as they were */
	CHECK(!strcmp(profile_str(&p, p.functions[0].system_name), fns[0].system_name), "system name kept");
	/* a second pass changes nothing */
	profile_simplify_names(&p);
	CHECK(!strcmp(profile_str(&p, p.functions[3].name), "std::map::find const"), "idempotent");
	profile_release(&p);
	strbuf_release(&raw);
	strbuf_release(&err);
}

static void test_prune(void)
{
	static const struct tfn fns[] = {
		/* 1 */ { "malloc", "malloc" },
		/* 2 */ { "_ZN8tcmalloc10tc_new_oomEm", "_ZN8tcmalloc10tc_new_oomEm" },
		/* 3 */ { "_Znwm", "_Znwm" },
		/* 4 */ { "server::Pool<Conn>::get(int)", "x" },
		/* 5 */ { "main", "main" },
		/* 6 */ { "tc_keep_me", "tc_keep_me" },
		/* 7 */ { "helper", "helper" },
		/* 8 */ { ".dotted", "y" },
		/* 9 */ { "(anonymous namespace)::alloc_wrapper(int)", "z" },
		/* 10 */ { "operator()(int)", "w" },
	};
	static const struct tloc locs[] = {
		/* 1 */ { { 1 } }, /* 2 */ { { 2 } }, /* 3 */ { { 3 } }, /* 4 */ { { 4 } }, /* 5 */ { { 5 } },
		/* 6 */ { { 6 } },
		/* 7: helper inlined into operator new inlined into Pool::get */
		/* 7 */ { { 7, 3, 4 } },
		/* 8 */ { { 8 } }, /* 9 */ { { 9 } }, /* 10 */ { { 10 } },
		/* 11: the dropped frame is the outermost line: the whole location goes */
		/* 11 */ { { 7, 3 } },
	};
	static const struct tsample samples[] = {
		{ { 1, 2, 3, 4, 5 }, 10 },	/* allocator frames under user code */
		{ { 1, 6, 3, 4, 5 }, 20 },	/* a kept frame under a dropped one goes too */
		{ { 1, 6, 4, 5 }, 30 },	/* tc_keep_me is kept, malloc below it is not */
		{ { 1, 2 }, 40 },		/* only allocator frames: stays whole */
		{ { 1, 7, 5 }, 50 },	/* inline: the location keeps its outer line */
		{ { 4, 5, 1 }, 60 },	/* dropped root, before any user frame: stays */
		{ { 8, 5 }, 70 },		/* ".dotted" matched as "dotted" */
		{ { 1, 9, 5 }, 80 },	/* "(anonymous namespace)::alloc_wrapper" */
		{ { 1, 10, 5 }, 90 },	/* "operator()" */
		{ { 1, 11, 4, 5 }, 100 },
	};
	static const char *const want[] = {
		"server::Pool<Conn>::get(int);main",
		"server::Pool<Conn>::get(int);main",
		"tc_keep_me;server::Pool<Conn>::get(int);main",
		"malloc;tcmalloc::tc_new_oom",
		"server::Pool<Conn>::get(int);main",
		"server::Pool<Conn>::get(int);main;malloc",
		"main",
		"main",
		"main",
		"server::Pool<Conn>::get(int);main",
	};
	struct tprofile t = { fns, 10, locs, 11, samples, 10,
			      "malloc|operator new.*|tcmalloc::.*|dotted|\\(anonymous namespace\\)::alloc_wrapper|operator\\(\\)",
			      "tc_keep_me" };
	struct strbuf raw = STRBUF_INIT, err = STRBUF_INIT, st = STRBUF_INIT;
	struct profile p;
	struct agg_table tab;
	struct agg_options o = { 0 };
	const struct agg_row *r;
	size_t i;

	build_table_profile(&raw, &t);
	CHECK(decode(&raw, &p, &err, 0) == 0, "prune profile: %s", strbuf_str(&err));
	CHECK(p.nr_samples == 10, "10 samples");
	for (i = 0; i < p.nr_samples && i < 10; i++) {
		stack_string(&p, i, &st);
		CHECK(!strcmp(st.buf, want[i]), "sample %zu: '%s', want '%s'", i, st.buf, want[i]);
	}
	CHECK(p.loc_off[p.nr_samples] == p.nr_locs, "offsets end at nr_locs");
	CHECK(!p.warnings.len, "no warnings: %s", strbuf_str(&p.warnings));
	/* the table sees the pruned stacks: flat moves to the cut location */
	agg_table_init(&tab);
	CHECK(profile_aggregate(&p, &o, &tab, &err) == 0, "aggregate pruned: %s", strbuf_str(&err));
	r = find_row(&tab, "server::Pool<Conn>::get(int)");
	CHECK(r && r->flat == 10 + 20 + 50 + 60 + 100 && r->cum == 10 + 20 + 30 + 50 + 60 + 100,
	      "Pool::get flat/cum after pruning: %lld/%lld", r ? (long long)r->flat : -1,
	      r ? (long long)r->cum : -1);
	CHECK(tab.total == 550, "total keeps every sample: %lld", (long long)tab.total);
	agg_table_release(&tab);
	profile_release(&p);

	/* without keep_frames, tc_keep_me is not special but does not match either */
	t.keep = NULL;
	build_table_profile(&raw, &t);
	CHECK(decode(&raw, &p, &err, 0) == 0, "no keep: %s", strbuf_str(&err));
	stack_string(&p, 1, &st);
	CHECK(!strcmp(st.buf, "server::Pool<Conn>::get(int);main"), "no keep, sample 1: %s", st.buf);
	profile_release(&p);

	/* keep_frames matching a dropped name saves it */
	t.keep = "tc_keep_me|malloc";
	build_table_profile(&raw, &t);
	CHECK(decode(&raw, &p, &err, 0) == 0, "keep malloc: %s", strbuf_str(&err));
	stack_string(&p, 0, &st);
	CHECK(!strcmp(st.buf, "server::Pool<Conn>::get(int);main"), "keep malloc, sample 0: %s", st.buf);
	stack_string(&p, 5, &st);
	CHECK(!strcmp(st.buf, "server::Pool<Conn>::get(int);main;malloc"), "keep malloc, sample 5: %s", st.buf);
	profile_release(&p);

	/* a pattern that does not compile: pprof ignores it, triage says so */
	t.drop = "malloc|(";
	t.keep = NULL;
	build_table_profile(&raw, &t);
	CHECK(decode(&raw, &p, &err, 0) == 0, "bad drop decodes: %s", strbuf_str(&err));
	stack_string(&p, 0, &st);
	CHECK(!strcmp(st.buf, "malloc;tcmalloc::tc_new_oom;operator new;server::Pool<Conn>::get(int);main"),
	      "bad drop prunes nothing: %s", st.buf);
	CHECK(strstr(strbuf_str(&p.warnings), "cannot compile drop_frames regexp \"malloc|(\""),
	      "bad drop warns: %s", strbuf_str(&p.warnings));
	profile_release(&p);
	t.drop = "malloc";
	t.keep = "a{2000}";
	build_table_profile(&raw, &t);
	CHECK(decode(&raw, &p, &err, 0) == 0, "bad keep decodes: %s", strbuf_str(&err));
	stack_string(&p, 0, &st);
	CHECK(!strncmp(st.buf, "malloc;", 7), "bad keep prunes nothing: %s", st.buf);
	CHECK(strstr(strbuf_str(&p.warnings), "keep_frames"), "bad keep warns: %s", strbuf_str(&p.warnings));
	profile_release(&p);

	/* matching that runs out of time prunes nothing, and says so */
	t.drop = "malloc";
	t.keep = NULL;
	profile_prune_budget_ns = 0;
	build_table_profile(&raw, &t);
	CHECK(decode(&raw, &p, &err, 0) == 0, "no time: %s", strbuf_str(&err));
	profile_prune_budget_ns = -1;
	stack_string(&p, 0, &st);
	CHECK(!strncmp(st.buf, "malloc;", 7), "no time prunes nothing: %s", st.buf);
	CHECK(strstr(strbuf_str(&p.warnings), "took over 0.0 s"), "no time warns: %s", strbuf_str(&p.warnings));
	profile_release(&p);

	/* every single-byte corruption of a pruned profile: no crash, offsets stay sane */
	t.drop = "malloc|operator new.*|tcmalloc::.*";
	t.keep = "tc_keep_me";
	build_table_profile(&raw, &t);
	for (i = 0; i < raw.len; i++) {
		char saved = raw.buf[i];

		raw.buf[i] = (char)(saved ^ 0x21);
		if (decode(&raw, &p, &err, 0) == 0) {
			size_t k;

			CHECK(!p.nr_samples || p.loc_off[p.nr_samples] == p.nr_locs, "corrupt %zu: offsets", i);
			for (k = 0; k < p.nr_locs; k++)
				CHECK(profile_loc(&p, k) < p.nr_locations, "corrupt %zu: location index", i);
		}
		profile_release(&p);
		raw.buf[i] = saved;
	}

	/* drop_frames without samples */
	t.drop = "malloc";
	t.keep = NULL;
	t.nr_samples = 0;
	build_table_profile(&raw, &t);
	CHECK(decode(&raw, &p, &err, 0) == 0 && !p.nr_samples, "no samples: %s", strbuf_str(&err));
	profile_release(&p);

	strbuf_release(&raw);
	strbuf_release(&err);
	strbuf_release(&st);
}

static int write_file(const char *dir, const char *name, const struct strbuf *data)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data->buf ? data->buf : "", 1, data->len, f) != data->len || fclose(f)) {
		perror(path);
		return -1;
	}
	return 0;
}

static int write_fixtures(const char *dir)
{
	struct strbuf raw = STRBUF_INIT, gz = STRBUF_INIT;
	struct knobs k = { 0 };
	size_t i;
	int ret = 0;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		build_profile(&raw, &bad_cases[i].k);
		ret |= write_file(dir, bad_cases[i].file, &raw);
	}
	strbuf_reset(&raw);
	ret |= write_file(dir, "empty.pb", &raw);
	strbuf_addstr(&raw, "this is not a profile at all\n");
	ret |= write_file(dir, "garbage.pb", &raw);
	k.no_samples = 1;
	build_profile(&raw, &k);
	ret |= write_file(dir, "no-samples.pb", &raw);
	k.no_samples = 0;
	build_profile(&raw, &k);
	ret |= write_file(dir, "valid.pb", &raw);
	gzip_buf(&raw, &gz);
	ret |= write_file(dir, "valid.pb.gz", &gz);
	gz.len /= 2;
	ret |= write_file(dir, "truncated.pb.gz", &gz);
	/* C++-style: mangled names, drop_frames; then a pattern that does not compile */
	{
		static const struct tfn fns[] = {
			{ "malloc", "malloc" }, { "_Znwm", "_Znwm" },
			{ "", "_ZNSt6vectorIiSaIiEE9push_backERKi" }, { "main", "main" },
		};
		static const struct tloc locs[] = { { { 1 } }, { { 2 } }, { { 3 } }, { { 4 } } };
		static const struct tsample samples[] = { { { 1, 2, 3, 4 }, 5 }, { { 3, 4 }, 7 } };
		struct tprofile t = { fns, 4, locs, 4, samples, 2, "malloc|operator new.*", NULL };
		struct strbuf long_re = STRBUF_INIT;

		build_table_profile(&raw, &t);
		ret |= write_file(dir, "drop-frames.pb", &raw);
		t.drop = "malloc|(";
		build_table_profile(&raw, &t);
		ret |= write_file(dir, "bad-drop-frames.pb", &raw);
		while (long_re.len <= RE2POSIX_MAX_PATTERN)
			strbuf_addstr(&long_re, "a|");
		t.drop = long_re.buf;
		build_table_profile(&raw, &t);
		ret |= write_file(dir, "long-drop-frames.pb", &raw);
		strbuf_release(&long_re);
	}
	/* issue 17: regex bombs for glibc's regcomp, and totals that overflow int64 */
	{
		static const char *const bombs[] = { "(){1,1000}", "(a*){1,1000}", "(|a){1,1000}" };
		static const struct tfn fns[] = { { "malloc", "malloc" }, { "main", "main" } };
		static const struct tloc locs[] = { { { 1 } }, { { 2 } } };
		struct tsample samples[] = { { { 1, 2 }, INT64_MAX }, { { 2 }, INT64_MAX } };
		struct tprofile t = { fns, 2, locs, 2, samples, 2, NULL, NULL };
		char name[64];

		for (i = 0; i < sizeof(bombs) / sizeof(bombs[0]); i++) {
			t.drop = bombs[i];
			build_table_profile(&raw, &t);
			snprintf(name, sizeof(name), "regex-bomb-%zu.pb", i + 1);
			ret |= write_file(dir, name, &raw);
		}
		t.drop = NULL;
		build_table_profile(&raw, &t);
		ret |= write_file(dir, "int64-max.pb", &raw);
		samples[0].value = samples[1].value = INT64_MIN;
		build_table_profile(&raw, &t);
		ret |= write_file(dir, "int64-min.pb", &raw);
	}
	/* beyond the default 1 GiB cap */
	gzip_bomb(&gz, 1100);
	ret |= write_file(dir, "bomb.pb.gz", &gz);
	strbuf_release(&raw);
	strbuf_release(&gz);
	return ret ? 1 : 0;
}

/* The flame graph tree: paths, values, inlined frames, merging of small children, owners. */
static const struct flame_node *flame_child(const struct flame_tree *t, uint32_t parent, const struct agg_table *a,
					    const char *name)
{
	uint32_t c;

	for (c = t->nodes[parent].child; c != FLAME_NONE; c = t->nodes[c].sibling)
		if (t->nodes[c].key < a->nr && !strcmp(agg_row_name(a, &a->rows[t->nodes[c].key]), name))
			return &t->nodes[c];
	return NULL;
}

static void test_flame(void)
{
	static const struct tfn fns[] = {
		{ "main.main", "" }, { "main.a", "" }, { "main.b", "" }, { "runtime.x", "" },
	};
	/* location 5 is main.b inlined into main.a: two frames */
	static const struct tloc locs[] = { { { 1 } }, { { 2 } }, { { 3 } }, { { 4 } }, { { 3, 2 } } };
	static const struct tsample samples[] = {
		{ { 2, 1 }, 10 }, { { 3, 1 }, 5 }, { { 3, 2, 1 }, 1 }, { { 4 }, 1 }, { { 5, 1 }, 2 },
	};
	static const char *const modules[] = { "example.com/app", "github.com/dep/x" };
	const struct tprofile t = { fns, 4, locs, 5, samples, 5, NULL, NULL };
	struct strbuf raw = STRBUF_INIT, err = STRBUF_INIT;
	struct agg_options o = { 0, AGG_FUNCTION, NULL, 0 };
	struct agg_table a;
	struct flame_tree full, shown;
	const struct flame_node *mm, *ma, *mb, *mab;
	struct profile p;
	uint32_t c;

	build_table_profile(&raw, &t);
	CHECK(decode(&raw, &p, &err, 0) == 0, "flame profile: %s", strbuf_str(&err));
	agg_table_init(&a);
	flame_tree_init(&full);
	flame_tree_init(&shown);
	CHECK(flame_tree_add(&full, &p, 0, &a, 0, &err) < 0, "a tree needs the profile aggregated first");
	CHECK(profile_aggregate(&p, &o, &a, &err) == 0, "aggregate: %s", strbuf_str(&err));
	CHECK(flame_tree_add(&full, &p, 0, &a, 0, &err) == 0, "flame: %s", strbuf_str(&err));
	CHECK_INT(full.nodes[0].value, a.total);
	CHECK_INT(full.nodes[0].value, 19);
	mm = flame_child(&full, 0, &a, "main.main");
	CHECK(mm && mm->value == 18, "main.main is 18");
	ma = mm ? flame_child(&full, (uint32_t)(mm - full.nodes), &a, "main.a") : NULL;
	mb = mm ? flame_child(&full, (uint32_t)(mm - full.nodes), &a, "main.b") : NULL;
	CHECK(ma && ma->value == 13, "main.main;main.a is 10 + 1 + 2 (the inlined frames)");
	CHECK(mb && mb->value == 5, "main.main;main.b is 5");
	mab = ma ? flame_child(&full, (uint32_t)(ma - full.nodes), &a, "main.b") : NULL;
	CHECK(mab && mab->value == 3, "main.a;main.b is 1 + 2 (inlined)");
	CHECK_INT(full.nr, 6);

	/* runtime.x (1) is under 2: merged into one box under the root, listed last */
	flame_tree_merge_small(&full, 2, &shown);
	CHECK_INT(shown.nr, 6);
	CHECK_INT(shown.nr_merged, 1);
	CHECK_INT(shown.nodes[0].value, 19);
	for (c = shown.nodes[0].child; c != FLAME_NONE && shown.nodes[c].sibling != FLAME_NONE; c = shown.nodes[c].sibling)
		;
	CHECK(c != FLAME_NONE && shown.nodes[c].key == FLAME_MERGED && shown.nodes[c].value == 1 &&
	      shown.nodes[c].nr_merged == 1, "the merged box is last, 1 frame of value 1");
	c = shown.nodes[0].child;
	CHECK(c != FLAME_NONE && shown.nodes[c].value == 18, "children by value, largest first");

	/* a diff against itself: every node's base is its value */
	CHECK(flame_tree_add(&full, &p, 0, &a, 1, &err) == 0, "diff: %s", strbuf_str(&err));
	for (c = 0; c < full.nr; c++)
		CHECK(full.nodes[c].base == full.nodes[c].value, "node %u: base %lld, value %lld", c,
		      (long long)full.nodes[c].base, (long long)full.nodes[c].value);

	CHECK_INT(owner_class_of("main.main", modules, 2), OWNER_MAIN);
	CHECK_INT(owner_class_of("example.com/app/store.(*Cache).Put", modules, 2), OWNER_MAIN);
	CHECK_INT(owner_class_of("github.com/dep/x/y.F", modules, 2), OWNER_DEPENDENCY);
	CHECK_INT(owner_class_of("net/http.(*conn).serve", modules, 2), OWNER_STDLIB);
	CHECK_INT(owner_class_of("runtime.mallocgc", modules, 2), OWNER_RUNTIME);
	CHECK_INT(owner_class_of("github.com/other/z.F", modules, 2), OWNER_OTHER);

	flame_tree_release(&full);
	flame_tree_release(&shown);
	agg_table_release(&a);
	profile_release(&p);
	strbuf_release(&raw);
	strbuf_release(&err);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write-fixtures"))
		return write_fixtures(argv[2]);
	test_valid(0);
	test_valid(1);
	test_partial_inline();
	test_package_names();
	test_wide_values();
	test_hostile();
	test_demangle();
	test_re2posix();
	test_simplify_names();
	test_prune();
	test_flame();
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("unit-profile: all checks passed\n");
	return 0;
}
