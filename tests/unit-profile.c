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

#include "aggregate.h"
#include "profile.h"
#include "strbuf.h"

static int failures;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		failures++; \
		fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
	} \
} while (0)

/* ---- protobuf writer ---- */

static void pb_varint(struct strbuf *b, uint64_t v)
{
	while (v >= 0x80) {
		strbuf_addch(b, (char)(v | 0x80));
		v >>= 7;
	}
	strbuf_addch(b, (char)v);
}

static void pb_uint(struct strbuf *b, int field, uint64_t v)
{
	pb_varint(b, (uint64_t)field << 3);
	pb_varint(b, v);
}

static void pb_bytes(struct strbuf *b, int field, const void *data, size_t len)
{
	pb_varint(b, (uint64_t)field << 3 | 2);
	pb_varint(b, len);
	strbuf_add(b, data, len);
}

static void pb_msg(struct strbuf *b, int field, struct strbuf *m)
{
	pb_bytes(b, field, m->buf ? m->buf : "", m->len);
	strbuf_reset(m);
}

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
		static const uint64_t s1[] = { 1, 2 }, s2[] = { 3, 1, 2 }, s3[] = { 2 };
		static const struct { const uint64_t *locs; size_t n; int64_t v; } ss[] = {
			{ s1, 2, 10 }, { s2, 3, 5 }, { s3, 1, 0 }, { s3, 1, 7 },
		};
		for (i = 0; i < 4; i++) {
			size_t j;

			for (j = 0; j < ss[i].n; j++) {
				uint64_t id = ss[i].locs[j];

				if (k->missing_location && i == 1 && j == 0)
					id = 99;
				if (k->sample_loc_zero && i == 3)
					id = 0;
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
	pb_uint(&m, 1, k->duplicate_location ? 2 : 3);
	pb_uint(&sub, 1, 2);
	pb_msg(&m, 4, &sub);
	pb_msg(out, 4, &m);
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
	CHECK(mid && !mid->inline_in && mid->noinline_in, "mid is reached by real calls");
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
	/* beyond the default 1 GiB cap */
	gzip_bomb(&gz, 1100);
	ret |= write_file(dir, "bomb.pb.gz", &gz);
	strbuf_release(&raw);
	strbuf_release(&gz);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write-fixtures"))
		return write_fixtures(argv[2]);
	test_valid(0);
	test_valid(1);
	test_package_names();
	test_wide_values();
	test_hostile();
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("unit-profile: all checks passed\n");
	return 0;
}
