/*
 * Unit test of the fact parsers: kvfile, memstats, mapsfile, cgroupmem,
 * kernel, goroutines; and the collection times samples are ordered by.
 *
 * Real inputs where there are any: this machine's /proc/self/status,
 * smaps_rollup, maps, /proc/meminfo and memory cgroup files, and Go's own
 * output captured into tests/data by tests/go/gdump (see tests/data/README;
 * found through SRCDIR, which meson test sets). Fixture strings stand in
 * for the other cgroup version and are named synthetic. Then hostile input
 * for every parser: empty, binary garbage, a 10 MB line without newline,
 * numbers past int64, negative values, missing fields, random mutations of
 * the real inputs.
 *
 * Prints every failed check and exits non-zero if there was one.
 */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse/cgroupmem.h"
#include "config.h"
#include "parse/goroutines.h"
#include "parse/kernel.h"
#include "parse/kvfile.h"
#include "parse/mapsfile.h"
#include "parse/memstats.h"
#include "base/io.h"
#include "base/strbuf.h"
#include "check.h"

#define BIG_LINE (10u << 20)

/* ---- helpers ------------------------------------------------------------------- */

static int read_path(struct strbuf *sb, const char *path)
{
	strbuf_reset(sb);
	return strbuf_read_file(sb, path, 64u << 20);
}

static void read_data(struct strbuf *sb, const char *name)
{
	const char *src = getenv("SRCDIR");
	struct strbuf path = STRBUF_INIT;

	strbuf_addf(&path, "%s/tests/data/%s", src && *src ? src : TRIAGE_SOURCE_DIR, name);
	if (read_path(sb, path.buf) < 0) {
		fprintf(stderr, "cannot read '%s'\n", path.buf);
		exit(1);
	}
	strbuf_release(&path);
}

/* Deterministic pseudo-random bytes (xorshift), so a failure reproduces. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static char *garbage(size_t len)
{
	char *p = xmalloc(len);
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (char)(rng() & 0xff);
	return p;
}

/* len bytes of 'x' with no newline: a line far past every cap */
static char *big_line(size_t len)
{
	char *p = xmalloc(len);

	memset(p, 'x', len);
	return p;
}

/* Copy of text with a few random bytes changed, inserted newlines and digits. */
static char *mutate(const char *text, size_t len)
{
	static const char pool[] = "0123456789\n\t :[],()-+#=/x\xff";
	char *p = xmalloc(len ? len : 1);
	size_t i, n = 1 + rng() % 8;

	memcpy(p, text, len);
	for (i = 0; len && i < n; i++)
		p[rng() % len] = pool[rng() % (sizeof(pool) - 1)];
	return p;
}

/* ---- kvfile -------------------------------------------------------------------- */

static void test_kv_proc(void)
{
	struct strbuf sb = STRBUF_INIT, comm = STRBUF_INIT, err = STRBUF_INIT;
	struct kvtable t;
	const char *s;
	int64_t v, v2;

	kvtable_init(&t);
	CHECK(!read_path(&sb, "/proc/self/status"), "read /proc/self/status");
	CHECK(!kvfile_parse(&t, sb.buf, sb.len, KV_COLON, "proc/status", &err), "status: %s", err.buf);
	CHECK(!kv_get(&t, "VmRSS", &v) && v > 0 && v % 1024 == 0, "status VmRSS in bytes");
	CHECK(!kv_get(&t, "Threads", &v) && v >= 1, "status Threads plain");
	CHECK(!kv_get_str(&t, "State", &s) && !strncmp(s, "R (running)", 11), "status State '%s'",
	      s);
	CHECK(kv_get(&t, "State", &v) < 0, "status State is not a number");
	CHECK(kv_get(&t, "Uid", &v) < 0 && !kv_get_str(&t, "Uid", &s), "status Uid is text");
	CHECK(kv_get(&t, "NoSuchKey", &v) < 0 && kv_get_str(&t, "NoSuchKey", &s) < 0, "missing key");
	if (!read_path(&comm, "/proc/self/comm")) {
		while (comm.len && comm.buf[comm.len - 1] == '\n')
			comm.buf[--comm.len] = '\0';
		CHECK(!kv_get_str(&t, "Name", &s) && !strcmp(s, comm.buf), "status Name '%s'", s);
	}
	CHECK(t.nr > 20, "status has %zu keys", t.nr);
	kvtable_release(&t);

	if (!read_path(&sb, "/proc/self/smaps_rollup")) {
		CHECK(!kvfile_parse(&t, sb.buf, sb.len, KV_COLON, "proc/smaps_rollup", &err),
		      "smaps_rollup: %s", err.buf);
		CHECK(t.nr_skipped == 1, "smaps_rollup header skipped (%zu skipped)", t.nr_skipped);
		CHECK(t.nr >= 10, "smaps_rollup keys %zu", t.nr);
		CHECK(!kv_get(&t, "Rss", &v) && v > 0, "smaps_rollup Rss");
		CHECK(!kv_get(&t, "Pss", &v2) && v2 <= v, "smaps_rollup Pss <= Rss");
		CHECK(!kv_get(&t, "Anonymous", &v) && v >= 0, "smaps_rollup Anonymous");
		kvtable_release(&t);
	} else {
		printf("skip: no /proc/self/smaps_rollup\n");
	}

	CHECK(!read_path(&sb, "/proc/meminfo"), "read /proc/meminfo");
	CHECK(!kvfile_parse(&t, sb.buf, sb.len, KV_COLON, "host/meminfo", &err), "meminfo: %s", err.buf);
	CHECK(!kv_get(&t, "MemTotal", &v) && v > 0, "meminfo MemTotal");
	CHECK(kv_get(&t, "MemAvailable", &v2) < 0 || v2 <= v, "meminfo MemAvailable <= MemTotal");
	CHECK(!kv_get(&t, "Active(file)", &v), "meminfo Active(file)");
	/* a count, not a size: must not be multiplied */
	CHECK(!kv_get(&t, "HugePages_Total", &v) && !kv_get_str(&t, "HugePages_Total", &s) &&
	      v == strtoll(s, NULL, 10), "meminfo HugePages_Total plain");
	CHECK(t.nr_skipped == 0, "meminfo skipped %zu", t.nr_skipped);
	kvtable_release(&t);

	strbuf_release(&sb);
	strbuf_release(&comm);
	strbuf_release(&err);
}

static void test_kv_fixtures(void)
{
	static const char colon[] =
		"Name:\tapp\n"
		"Size:   123 kB\n"
		"Plain:  42\n"
		"Neg:    -5 kB\n"
		"Huge:   99999999999999999999 kB\n"
		"Over:   9007199254740992 kB\n"
		"Max:    9223372036854775807\n"
		"Min:    -9223372036854775808\n"
		"Past:   9223372036854775808\n"
		"Unit:   7 MB\n"
		"Empty:\n"
		"Size:   1 kB\n"
		"no colon here\n"
		":novalue\n"
		"bad key: 1\n"
		"Crlf:\t9\r\n"
		"Tail:  12 kB";
	static const char space[] = "cache 100\nrss 200\n  spaced   300  \nalone\nneg -1\n";
	struct strbuf err = STRBUF_INIT;
	struct kvtable t;
	const char *s;
	int64_t v;

	kvtable_init(&t);
	CHECK(!kvfile_parse(&t, colon, strlen(colon), KV_COLON, "fixture", &err), "%s", err.buf);
	CHECK(!kv_get(&t, "Size", &v) && v == 123 * 1024, "kB to bytes (first duplicate wins)");
	CHECK(!kv_get(&t, "Plain", &v) && v == 42, "plain number");
	CHECK(!kv_get(&t, "Neg", &v) && v == -5 * 1024, "negative kB");
	CHECK(kv_get(&t, "Huge", &v) < 0 && !kv_get_str(&t, "Huge", &s), "overflow is text only");
	CHECK(kv_get(&t, "Over", &v) < 0, "kB multiplication overflow rejected");
	CHECK(!kv_get(&t, "Max", &v) && v == INT64_MAX, "INT64_MAX");
	CHECK(!kv_get(&t, "Min", &v) && v == INT64_MIN, "INT64_MIN");
	CHECK(kv_get(&t, "Past", &v) < 0, "INT64_MAX + 1 rejected");
	CHECK(kv_get(&t, "Unit", &v) < 0 && !kv_get_str(&t, "Unit", &s) && !strcmp(s, "7 MB"),
	      "unknown unit kept as text");
	CHECK(!kv_get_str(&t, "Empty", &s) && !*s, "empty value");
	CHECK(!kv_get_str(&t, "Name", &s) && !strcmp(s, "app"), "name");
	CHECK(!kv_get(&t, "Crlf", &v) && v == 9, "CR stripped");
	CHECK(!kv_get(&t, "Tail", &v) && v == 12 * 1024, "last line without newline");
	CHECK(t.nr_skipped == 3, "skipped %zu", t.nr_skipped);
	kvtable_release(&t);

	CHECK(!kvfile_parse(&t, space, strlen(space), KV_SPACE, "fixture", &err), "%s", err.buf);
	CHECK(!kv_get(&t, "cache", &v) && v == 100, "space cache");
	CHECK(!kv_get(&t, "spaced", &v) && v == 300, "space trimmed");
	CHECK(!kv_get(&t, "neg", &v) && v == -1, "space negative");
	CHECK(kv_get_str(&t, "alone", &s) < 0 && t.nr_skipped == 1, "key without value skipped");
	kvtable_release(&t);
}

static void test_kv_hostile(void)
{
	struct strbuf err = STRBUF_INIT, many = STRBUF_INIT;
	struct kvtable t;
	char *g, *big;
	size_t i;
	int64_t v;

	kvtable_init(&t);
	CHECK(!kvfile_parse(&t, "", 0, KV_COLON, "empty", &err) && t.nr == 0, "empty");
	CHECK(!kvfile_parse(&t, NULL, 0, KV_SPACE, "null", &err) && t.nr == 0, "NULL");

	g = garbage(1 << 16);
	CHECK(!kvfile_parse(&t, g, 1 << 16, KV_COLON, "garbage", &err), "garbage colon");
	kvtable_release(&t);
	CHECK(!kvfile_parse(&t, g, 1 << 16, KV_SPACE, "garbage", &err), "garbage space");
	kvtable_release(&t);
	free(g);

	big = big_line(BIG_LINE);
	memcpy(big, "Key: 1 kB", 9);
	CHECK(!kvfile_parse(&t, big, BIG_LINE, KV_COLON, "big", &err) && t.nr == 0 &&
	      t.nr_skipped == 1, "10 MB line skipped");
	kvtable_release(&t);
	free(big);

	CHECK(!kvfile_parse(&t, "A: 1\0B: 2\nC: 3\n", 15, KV_COLON, "nul", &err) && t.nr == 1 &&
	      !kv_get(&t, "C", &v) && v == 3, "line with NUL skipped");
	kvtable_release(&t);

	for (i = 0; i < KV_MAX_ENTRIES + 1; i++)
		strbuf_addf(&many, "k%zu 1\n", i);
	CHECK(kvfile_parse(&t, many.buf, many.len, KV_SPACE, "memory.stat", &err) < 0 && t.nr == 0,
	      "entry cap");
	CHECK(strstr(strbuf_str(&err), "memory.stat"), "cap message names the file: %s", err.buf);
	strbuf_release(&many);
	strbuf_release(&err);
}

/* ---- memstats ------------------------------------------------------------------ */

static void test_memstats_debug1(void)
{
	struct strbuf sb = STRBUF_INIT, json = STRBUF_INIT, err = STRBUF_INIT;
	struct memstats m, back;

	read_data(&sb, "heap-debug1-go1.19.txt");
	CHECK(!memstats_parse_debug1(sb.buf, sb.len, &m, &err), "debug1: %s", err.buf);
	/* the values gdump printed, see the file */
	CHECK(MEMSTATS_HAS(&m, MEMSTATS_ALLOC) && m.alloc == 13182992, "Alloc");
	CHECK(m.total_alloc == 13190096 && m.sys == 26850568, "TotalAlloc, Sys");
	CHECK(m.heap_alloc == 13182992 && m.heap_sys == 16351232 && m.heap_idle == 2859008 &&
	      m.heap_inuse == 13492224 && m.heap_released == 2744320 && m.heap_objects == 422,
	      "Heap*");
	CHECK(MEMSTATS_HAS(&m, MEMSTATS_STACK_SYS) && m.stack_inuse == 425984 &&
	      m.stack_sys == 425984, "Stack pair");
	CHECK(m.mspan_inuse == 48816 && m.mspan_sys == 48816, "MSpan pair");
	CHECK(m.mcache_inuse == 2400 && m.mcache_sys == 15600, "MCache pair");
	CHECK(m.buck_hash_sys == 1444350 && m.gc_sys == 8194880 && m.other_sys == 369706, "*Sys");
	CHECK(m.next_gc == 26599272 && m.last_gc == 1795321037375911983ull, "NextGC, LastGC");
	CHECK(m.num_gc == 3 && m.num_forced_gc == 1, "NumGC");
	CHECK(m.gc_cpu_fraction == 0.007853496921630067, "GCCPUFraction %.17g", m.gc_cpu_fraction);
	CHECK(MEMSTATS_HAS(&m, MEMSTATS_DEBUG_GC) && !m.debug_gc, "DebugGC");
	CHECK(MEMSTATS_HAS(&m, MEMSTATS_MAX_RSS) && m.max_rss == 4022272, "MaxRSS");
	CHECK(m.nr_pause_ns == 256 && m.pause_ns[0] == 305991 && m.pause_ns[2] == 175072 &&
	      m.pause_ns[3] == 0, "PauseNs");
	CHECK(m.nr_pause_end == 256 && m.pause_end[2] == 1795321037375911983ull, "PauseEnd");
	CHECK(!MEMSTATS_HAS(&m, MEMSTATS_PAUSE_TOTAL_NS) && !MEMSTATS_HAS(&m, MEMSTATS_ENABLE_GC),
	      "fields the trailer lacks stay absent");

	/* one parser for the collector: debug=1 -> struct -> JSON -> the same struct */
	memstats_to_json(&m, &json);
	CHECK(strstr(json.buf, "\"HeapInuse\": 13492224") || strstr(json.buf, "\"HeapInuse\":13492224"),
	      "Go field names in JSON");
	CHECK(!memstats_parse_json(json.buf, json.len, &back, &err), "round trip: %s", err.buf);
	CHECK(!memcmp(&m, &back, sizeof(m)), "round trip equal");
	CHECK(back.gc_cpu_fraction == m.gc_cpu_fraction, "double exact after round trip");
	CHECK(!strcmp(memstats_field_name(MEMSTATS_MCACHE_SYS), "MCacheSys") &&
	      !memstats_field_name(MEMSTATS_NR_FIELDS), "field names");

	strbuf_release(&sb);
	strbuf_release(&json);
	strbuf_release(&err);
}

static void test_memstats_json(void)
{
	struct strbuf sb = STRBUF_INIT, json = STRBUF_INIT, err = STRBUF_INIT;
	struct memstats m, back;

	read_data(&sb, "memstats-go1.19.json");
	CHECK(!memstats_parse_json(sb.buf, sb.len, &m, &err), "json: %s", err.buf);
	CHECK(m.alloc == 13189224 && m.heap_sys == 16351232 && m.pause_total_ns == 353753 &&
	      MEMSTATS_HAS(&m, MEMSTATS_PAUSE_TOTAL_NS), "Go's encoding/json output");
	CHECK(MEMSTATS_HAS(&m, MEMSTATS_ENABLE_GC) && m.enable_gc && !m.debug_gc, "bools");
	CHECK(m.nr_pause_ns == 256 && m.pause_ns[1] == 91285, "PauseNs array");
	CHECK(!MEMSTATS_HAS(&m, MEMSTATS_MAX_RSS), "MaxRSS is not in MemStats");
	memstats_to_json(&m, &json);
	CHECK(!memstats_parse_json(json.buf, json.len, &back, &err) && !memcmp(&m, &back, sizeof(m)),
	      "json round trip");

	/* expvar's /debug/vars wraps it */
	strbuf_reset(&json);
	strbuf_addstr(&json, "{\"cmdline\": [\"/app\"], \"memstats\": ");
	strbuf_add(&json, sb.buf, sb.len);
	strbuf_addstr(&json, ", \"custom\": {\"HeapAlloc\": \"no\"}}\n");
	CHECK(!memstats_parse_json(json.buf, json.len, &back, &err) && back.alloc == m.alloc,
	      "expvar: %s", err.buf);
	strbuf_release(&sb);
	strbuf_release(&json);
	strbuf_release(&err);
}

static int debug1_ok(const char *trailer, struct memstats *m)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	int r;

	strbuf_addstr(&sb, "heap profile: 0: 0 [0: 0] @ heap/524288\n"
			   "1: 8 [1: 8] @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n# runtime.MemStats\n");
	strbuf_addstr(&sb, trailer);
	r = memstats_parse_debug1(sb.buf, sb.len, m, &err);
	if (r < 0 && !strstr(err.buf, "heap?debug=1"))
		CHECK(0, "message names the artifact: %s", err.buf);
	strbuf_release(&sb);
	strbuf_release(&err);
	return r == 0;
}

static int json_ok(const char *text, size_t len)
{
	struct strbuf err = STRBUF_INIT;
	struct memstats m;
	int r = memstats_parse_json(text, len, &m, &err);

	if (r < 0 && !strstr(err.buf, "memstats json"))
		CHECK(0, "message names the artifact: %s", err.buf);
	strbuf_release(&err);
	return r == 0;
}

#define JSON_OK(s) json_ok(s, strlen(s))

static void test_memstats_hostile(void)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	struct memstats m;
	char *g, *big;
	size_t i;

	CHECK(debug1_ok("# HeapAlloc = 18446744073709551615\n", &m) && m.heap_alloc == UINT64_MAX,
	      "uint64 max");
	CHECK(!debug1_ok("# HeapAlloc = 18446744073709551616\n", &m), "past uint64 rejected");
	CHECK(!debug1_ok("# HeapAlloc = -5\n", &m), "negative rejected");
	CHECK(!debug1_ok("# HeapAlloc = 12abc\n", &m), "junk rejected");
	CHECK(!debug1_ok("# Stack = 1 /\n", &m), "half pair rejected");
	CHECK(!debug1_ok("# Stack = 1/2\n", &m), "pair without spaces rejected");
	CHECK(!debug1_ok("# GCCPUFraction = nan\n", &m), "NaN rejected");
	CHECK(!debug1_ok("# DebugGC = maybe\n", &m), "bad bool rejected");
	CHECK(!debug1_ok("# PauseNs = [1 2 x]\n", &m), "bad array rejected");
	CHECK(!debug1_ok("", &m), "empty trailer");
	CHECK(!debug1_ok("# FutureField = 7\n# Another = [1 2]\n", &m), "only unknown fields");
	CHECK(debug1_ok("# FutureField = 7\n# NumGC = 9\nnot a comment\n#\n# X =\n", &m) &&
	      m.num_gc == 9 && m.present == (uint64_t)1 << MEMSTATS_NUM_GC, "unknown names ignored");
	CHECK(debug1_ok("# NumGC = 9\r\n", &m) && m.num_gc == 9, "CRLF");
	CHECK(debug1_ok("# NumGC = 9", &m) && m.num_gc == 9, "no final newline");
	CHECK(debug1_ok("# GCCPUFraction = 1.5e-05\n", &m) && m.gc_cpu_fraction == 1.5e-05, "exponent");

	/* 300 pauses: the first 256 are kept */
	strbuf_addstr(&sb, "# PauseNs = [");
	for (i = 0; i < 300; i++)
		strbuf_addf(&sb, "%s%zu", i ? " " : "", i + 1);
	strbuf_addstr(&sb, "]\n");
	CHECK(debug1_ok(sb.buf, &m) && m.nr_pause_ns == MEMSTATS_PAUSE_LEN &&
	      m.pause_ns[255] == 256, "PauseNs capped");
	strbuf_reset(&sb);

	CHECK(memstats_parse_debug1("", 0, &m, &err) < 0, "empty");
	CHECK(memstats_parse_debug1(NULL, 0, &m, &err) < 0, "NULL");
	CHECK(memstats_parse_debug1("# Alloc = 5\n", 12, &m, &err) < 0, "fields before the trailer ignored");
	g = garbage(1 << 16);
	CHECK(memstats_parse_debug1(g, 1 << 16, &m, &err) < 0, "garbage");
	CHECK(!json_ok(g, 1 << 16), "garbage json");
	free(g);

	big = big_line(BIG_LINE);
	CHECK(memstats_parse_debug1(big, BIG_LINE, &m, &err) < 0, "10 MB line");
	strbuf_addstr(&sb, "# runtime.MemStats\n# NumGC = 1\n# Alloc = ");
	strbuf_add(&sb, big, BIG_LINE);
	CHECK(!memstats_parse_debug1(sb.buf, sb.len, &m, &err) && !MEMSTATS_HAS(&m, MEMSTATS_ALLOC) &&
	      m.num_gc == 1, "10 MB value line skipped: %s", err.buf);
	CHECK(!json_ok(big, BIG_LINE), "10 MB non-json");
	free(big);

	CHECK(JSON_OK("{\"HeapAlloc\": 1}"), "minimal json");
	CHECK(JSON_OK("  {\"HeapAlloc\": 1, \"Future\": {\"x\": [1]}}\n\n"), "unknown keys");
	CHECK(!JSON_OK("{}"), "no known field");
	CHECK(!JSON_OK("[1, 2]"), "not an object");
	CHECK(!JSON_OK("{\"HeapAlloc\": 1"), "truncated");
	CHECK(!JSON_OK("{\"HeapAlloc\": 1} x"), "trailing garbage");
	CHECK(!JSON_OK("{\"HeapAlloc\": -1}"), "negative");
	CHECK(!JSON_OK("{\"HeapAlloc\": 100000000000000000000000}"), "past uint64");
	CHECK(!JSON_OK("{\"HeapAlloc\": 1.5}"), "fraction for an integer");
	CHECK(!JSON_OK("{\"HeapAlloc\": \"1\"}"), "string for an integer");
	CHECK(!JSON_OK("{\"GCCPUFraction\": 1e999}"), "infinite double");
	CHECK(!JSON_OK("{\"EnableGC\": 1}"), "int for a bool");
	CHECK(!JSON_OK("{\"PauseNs\": [1, -2]}"), "negative in array");
	CHECK(!JSON_OK("{\"PauseNs\": 5}"), "scalar for an array");
	CHECK(JSON_OK("{\"GCCPUFraction\": 0}"), "integer for a double");
	CHECK(!json_ok("{\"HeapAlloc\": 1}\0", 17), "NUL after the object");
	CHECK(!JSON_OK(""), "empty json");

	/* nesting beyond the tokener's depth */
	strbuf_reset(&sb);
	for (i = 0; i < 10000; i++)
		strbuf_addch(&sb, '[');
	CHECK(!json_ok(sb.buf, sb.len), "deep nesting");
	strbuf_release(&sb);
	strbuf_release(&err);
}

/* ---- mapsfile ------------------------------------------------------------------ */

static uint64_t bucket_sum(const struct maps_summary *s)
{
	return s->go_heap.bytes + s->anon_other.bytes + s->file_exe.bytes + s->file_lib.bytes +
	       s->file_other.bytes + s->stack.bytes + s->special.bytes;
}

static void test_maps_self(void)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	struct maps_summary s, guessed;
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	CHECK(n > 0, "readlink /proc/self/exe");
	exe[n > 0 ? n : 0] = '\0';
	CHECK(!read_path(&sb, "/proc/self/maps"), "read /proc/self/maps");
	CHECK(!mapsfile_parse(&s, sb.buf, sb.len, exe, &err), "maps: %s", err.buf);
	CHECK(s.nr_skipped == 0 && !s.truncated, "maps skipped %zu", s.nr_skipped);
	CHECK(s.file_exe.count >= 1, "the test binary is mapped");
	CHECK(s.stack.count == 1, "one [stack]");
	CHECK(s.special.count >= 1, "[vdso] and friends");
	CHECK(s.brk_heap.bytes <= s.anon_other.bytes, "[heap] is part of anon_other");
	CHECK(bucket_sum(&s) == s.total.bytes, "buckets add up to the total");
	CHECK(s.go_heap.count == 0, "no Go heap in a C program");
	CHECK(!mapsfile_parse(&guessed, sb.buf, sb.len, NULL, &err), "maps without exe");
	CHECK(guessed.file_exe.count == s.file_exe.count &&
	      guessed.file_exe.bytes == s.file_exe.bytes, "executable guessed from the first mapping");
	strbuf_release(&sb);
	strbuf_release(&err);
}

static void test_maps_fixture(void)
{
	/* synthetic: the shape of a cgo-linked Go service's maps */
	static const char maps[] =
		"00400000-00800000 r-xp 00000000 08:01 1234                               /usr/bin/app (deleted)\n"
		"00800000-00900000 rw-p 00400000 08:01 1234                               /usr/bin/app (deleted)\n"
		"01000000-01100000 rw-p 00000000 00:00 0                                  [heap]\n"
		"c000000000-c004000000 rw-p 00000000 00:00 0 \n"
		"c004000000-c008000000 ---p 00000000 00:00 0 \n"
		"fe00000000-fe00001000 rw-p 00000000 00:00 0                              [anon:go]\n"
		"ff00000000-ff00001000 rw-p 00000000 00:00 0 \n"
		"7f0000000000-7f0000100000 rw-p 00000000 00:00 0 \n"
		"7f0000100000-7f0000200000 r-xp 00000000 08:01 99  /lib/x86_64-linux-gnu/libc.so.6\n"
		"7f0000200000-7f0000201000 r--p 00000000 08:01 98  /usr/lib/libfoo-2.31.so\n"
		"7f0000201000-7f0000202000 r--p 00000000 08:01 97  /data/my file.db\n"
		"7f0000202000-7f0000203000 r--p 00000000 08:01 96  /data/notes.sober\n"
		"7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0   [stack]\n"
		"7ffc00100000-7ffc00102000 r-xp 00000000 00:00 0   [vdso]\n"
		"7ffc00102000-7ffc00104000 r--p 00000000 00:00 0   [vvar]\n"
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]\n"
		"2000-1000 rw-p 00000000 00:00 0\n"
		"12345678901234567-12345678901234568 rw-p 00000000 00:00 0\n"
		"zz-yy rw-p\n"
		"1000-2000 rw-p\n";
	struct strbuf err = STRBUF_INIT;
	struct maps_summary s;

	CHECK(!mapsfile_parse(&s, maps, strlen(maps), "/usr/bin/app", &err), "%s", err.buf);
	CHECK(s.file_exe.count == 2 && s.file_exe.bytes == 0x500000, "exe, deleted too");
	CHECK(s.go_heap.count == 2 && s.go_heap.bytes == 0x4000000 + 0x1000, "go heap");
	CHECK(s.anon_other.count == 4 && s.prot_none.count == 1 && s.prot_none.bytes == 0x4000000,
	      "anon other (reservation, [heap], past the arena range, mmap)");
	CHECK(s.brk_heap.count == 1 && s.brk_heap.bytes == 0x100000, "[heap]");
	CHECK(s.file_lib.count == 2 && s.file_other.count == 2, "libraries vs other files");
	CHECK(s.stack.count == 1 && s.special.count == 3, "stack and specials");
	CHECK(s.nr_skipped == 4 && s.nr_lines == 20, "malformed lines skipped (%zu)", s.nr_skipped);
	CHECK(bucket_sum(&s) == s.total.bytes, "buckets add up");
	strbuf_release(&err);
}

static void test_maps_hostile(void)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	struct maps_summary s;
	char *g, *big;
	size_t i;

	CHECK(!mapsfile_parse(&s, "", 0, NULL, &err) && s.total.count == 0, "empty");
	CHECK(!mapsfile_parse(&s, NULL, 0, NULL, &err), "NULL");
	g = garbage(1 << 16);
	CHECK(mapsfile_parse(&s, g, 1 << 16, NULL, &err) < 0 && strstr(err.buf, "maps"),
	      "garbage: %s", err.buf);
	free(g);
	big = big_line(BIG_LINE);
	CHECK(mapsfile_parse(&s, big, BIG_LINE, NULL, &err) < 0, "10 MB line");
	free(big);

	/* one line past the cap */
	for (i = 0; i < MAPS_MAX_LINES + 1; i++)
		strbuf_addstr(&sb, "0-1 ---p 0 0 0\n");
	CHECK(!mapsfile_parse(&s, sb.buf, sb.len, NULL, &err) && s.truncated &&
	      s.nr_lines == MAPS_MAX_LINES && s.prot_none.count == MAPS_MAX_LINES, "line cap");
	strbuf_release(&sb);
	strbuf_release(&err);
}

/* ---- cgroupmem ----------------------------------------------------------------- */

static char *slurp(const char *dir, const char *name)
{
	struct strbuf sb = STRBUF_INIT, path = STRBUF_INIT;

	strbuf_addf(&path, "%s/%s", dir, name);
	if (strbuf_read_file(&sb, path.buf, 1 << 20) < 0) {
		strbuf_release(&sb);
		strbuf_release(&path);
		return NULL;
	}
	strbuf_release(&path);
	return strbuf_detach(&sb, NULL);
}

/*
 * This process's own memory cgroup directory for version v, from
 * /proc/self/cgroup, under the usual mount points; NULL when absent. The
 * bundle's collector resolves mounts properly (cgroup.h); a test can guess.
 */
static char *own_cgroup_dir(int v)
{
	struct strbuf sb = STRBUF_INIT, dir = STRBUF_INIT, probe = STRBUF_INIT;
	const char *p, *path = NULL;
	char *ret = NULL;
	size_t path_len = 0;

	if (read_path(&sb, "/proc/self/cgroup") < 0)
		goto done;
	for (p = sb.buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *c1 = strchr(p, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		const char *eol = strchrnul(p, '\n');

		if (!c2 || c2 > eol)
			continue;
		if ((v == 2 && c1 == p + 1 && *p == '0' && c2 == c1 + 1) ||
		    (v == 1 && (size_t)(c2 - c1 - 1) >= 6 && memmem(c1 + 1, (size_t)(c2 - c1 - 1), "memory", 6))) {
			path = c2 + 1;
			path_len = (size_t)(eol - path);
			break;
		}
	}
	if (!path)
		goto done;
	strbuf_addstr(&dir, v == 1 ? "/sys/fs/cgroup/memory" : "/sys/fs/cgroup");
	strbuf_add(&dir, path, path_len);
	strbuf_addf(&probe, "%s/%s", dir.buf, v == 1 ? "memory.usage_in_bytes" : "memory.current");
	if (!access(probe.buf, R_OK))
		ret = strbuf_detach(&dir, NULL);
done:
	strbuf_release(&sb);
	strbuf_release(&dir);
	strbuf_release(&probe);
	return ret;
}

static void test_cgroup_real(void)
{
	struct strbuf err = STRBUF_INIT;
	int v, tested = 0;

	for (v = 1; v <= 2; v++) {
		char *dir = own_cgroup_dir(v);
		int v1 = v == 1;
		struct cgroup_mem_input in = { 0 };
		struct cgroup_mem c;

		if (!dir)
			continue;
		in.version = v;
		in.stat = slurp(dir, "memory.stat");
		in.usage = slurp(dir, v1 ? "memory.usage_in_bytes" : "memory.current");
		in.limit = slurp(dir, v1 ? "memory.limit_in_bytes" : "memory.max");
		in.high = v1 ? NULL : slurp(dir, "memory.high");
		in.events = slurp(dir, v1 ? "memory.oom_control" : "memory.events");
		in.failcnt = v1 ? slurp(dir, "memory.failcnt") : NULL;
		in.max_usage = slurp(dir, v1 ? "memory.max_usage_in_bytes" : "memory.peak");
		cgroup_mem_init(&c);
		CHECK(!cgroupmem_parse(&in, &c, &err), "real v%d: %s", v, err.buf);
		CHECK(!c.warnings.len, "real v%d warnings: %s", v, strbuf_str(&c.warnings));
		CHECK(CGMEM_HAS(&c, CGMEM_USAGE) && c.usage > 0 && CGMEM_HAS(&c, CGMEM_LIMIT),
		      "real v%d usage and limit", v);
		CHECK(CGMEM_HAS(&c, CGMEM_WORKING_SET) && c.working_set <= c.usage,
		      "real v%d working_set %" PRId64 " <= usage %" PRId64, v, c.working_set, c.usage);
		CHECK(CGMEM_HAS(&c, CGMEM_ANON) && CGMEM_HAS(&c, CGMEM_FILE) &&
		      CGMEM_HAS(&c, CGMEM_INACTIVE_FILE) && CGMEM_HAS(&c, CGMEM_KERNEL),
		      "real v%d anon, file, inactive_file, kernel", v);
		CHECK(c.stat.nr > 5 && c.events.nr >= 2, "real v%d raw tables kept", v);
		printf("cgroup v%d %s: usage %" PRId64 " working_set %" PRId64 " limit %s\n",
		       v, dir, c.usage, c.working_set, c.limit_unlimited ? "unlimited" : "set");
		tested++;
		cgroup_mem_release(&c);
		free((char *)in.stat);
		free((char *)in.usage);
		free((char *)in.limit);
		free((char *)in.high);
		free((char *)in.events);
		free((char *)in.failcnt);
		free((char *)in.max_usage);
		free(dir);
	}
	if (!tested)
		printf("skip: no readable memory cgroup for this process\n");
	strbuf_release(&err);
}

/* synthetic v1 memory.stat: plain keys for this cgroup, total_* for the hierarchy */
static const char stat_v1_synthetic[] =
	"cache 1000\nrss 2000\nrss_huge 0\nshmem 10\nmapped_file 20\n"
	"inactive_anon 1\nactive_anon 2\ninactive_file 3\nactive_file 4\n"
	"hierarchical_memory_limit 4294967296\n"
	"total_cache 400000000\ntotal_rss 500000000\ntotal_shmem 1000\ntotal_mapped_file 2000\n"
	"total_inactive_anon 100\ntotal_active_anon 499999900\n"
	"total_inactive_file 150000000\ntotal_active_file 250000000\n";

/* synthetic v2 memory.stat, a 6.x kernel with a "kernel" key */
static const char stat_v2_synthetic[] =
	"anon 300000000\nfile 700000000\nkernel 52000000\nkernel_stack 1000000\npagetables 2000000\n"
	"sec_pagetables 0\npercpu 500000\nsock 4096\nvmalloc 0\nshmem 8192\nfile_mapped 100000\n"
	"file_dirty 0\nactive_anon 299000000\ninactive_anon 1000000\nactive_file 500000000\n"
	"inactive_file 200000000\nslab_reclaimable 30000000\nslab_unreclaimable 18500000\n"
	"slab 48500000\npgfault 1\npglazyfree 2560\npglazyfreed 512\n";

static void test_cgroup_fixtures(void)
{
	struct cgroup_mem_input in = { 0 };
	struct strbuf err = STRBUF_INIT;
	struct cgroup_mem c;

	in.version = 1;
	in.stat = stat_v1_synthetic;
	in.usage = "950000000\n";
	in.limit = "9223372036854771712\n";
	in.events = "oom_kill_disable 0\nunder_oom 1\noom_kill 3\n";
	in.failcnt = "17\n";
	in.max_usage = "990000000\n";
	cgroup_mem_init(&c);
	CHECK(!cgroupmem_parse(&in, &c, &err) && !c.warnings.len, "v1: %s %s", err.buf,
	      strbuf_str(&c.warnings));
	CHECK(c.version == 1 && CGMEM_HAS(&c, CGMEM_LIMIT) && c.limit_unlimited && c.limit == 0,
	      "v1 PAGE_COUNTER_MAX is unlimited");
	CHECK(CGMEM_HAS(&c, CGMEM_HIER_LIMIT) && c.hier_limit == 4294967296 && !c.hier_limit_unlimited,
	      "v1 hierarchical limit");
	CHECK(c.anon == 500000000 && c.file == 400000000, "v1 total_rss/total_cache preferred");
	CHECK(c.inactive_file == 150000000 && c.active_file == 250000000, "v1 total_*_file");
	CHECK(c.shmem == 1000 && c.file_mapped == 2000, "v1 shmem, mapped_file");
	CHECK(CGMEM_HAS(&c, CGMEM_WORKING_SET) && c.working_set == 800000000,
	      "v1 working set = usage - total_inactive_file");
	CHECK(CGMEM_HAS(&c, CGMEM_KERNEL) && c.kernel == 50000000 &&
	      c.kernel_source == CGMEM_KERNEL_DERIVED, "v1 kernel derived from usage");
	CHECK(c.oom_kill == 3 && c.under_oom == 1 && !CGMEM_HAS(&c, CGMEM_OOM_EVENTS), "v1 oom_control");
	CHECK(c.max_events == 17 && c.max_usage == 990000000, "v1 failcnt, max_usage");
	CHECK(!CGMEM_HAS(&c, CGMEM_SOCK) && !CGMEM_HAS(&c, CGMEM_SLAB) && !CGMEM_HAS(&c, CGMEM_HIGH),
	      "v1 has no sock, slab, high");
	cgroup_mem_release(&c);

	/* v1 without hierarchy keys falls back to the plain ones; usage below rss+cache */
	in.stat = "cache 1000\nrss 2000\ninactive_file 5000\n";
	in.usage = "2500";
	in.limit = "18446744073709551615";
	CHECK(!cgroupmem_parse(&in, &c, &err), "v1 plain");
	CHECK(c.anon == 2000 && c.file == 1000 && c.kernel == 0, "v1 plain keys, kernel floored");
	CHECK(c.working_set == 0, "working set floored at 0");
	CHECK(c.limit_unlimited, "limit past int64 is unlimited");
	cgroup_mem_release(&c);

	memset(&in, 0, sizeof(in));
	in.version = 2;
	in.stat = stat_v2_synthetic;
	in.usage = "1100000000\n";
	in.limit = "max\n";
	in.high = "2147483648\n";
	in.events = "low 0\nhigh 12\nmax 4\noom 2\noom_kill 1\noom_group_kill 0\n";
	in.max_usage = "1200000000\n";
	CHECK(!cgroupmem_parse(&in, &c, &err) && !c.warnings.len, "v2: %s", err.buf);
	CHECK(c.limit_unlimited && CGMEM_HAS(&c, CGMEM_LIMIT), "v2 max");
	CHECK(CGMEM_HAS(&c, CGMEM_HIGH) && c.high == 2147483648 && !c.high_unlimited, "v2 high");
	CHECK(c.anon == 300000000 && c.file == 700000000, "v2 anon, file");
	CHECK(c.kernel == 52000000 && c.kernel_source == CGMEM_KERNEL_STAT, "v2 kernel key");
	CHECK(c.slab == 48500000 && c.sock == 4096 && c.shmem == 8192 && c.file_mapped == 100000,
	      "v2 slab, sock, shmem, file_mapped");
	CHECK(c.working_set == 900000000, "v2 working set");
	CHECK(c.oom_events == 2 && c.oom_kill == 1 && c.high_events == 12 && c.max_events == 4,
	      "v2 events");
	CHECK(c.pglazyfree == 2560 && c.pglazyfreed == 512, "v2 lazyfree counters");
	CHECK(c.max_usage == 1200000000, "v2 peak");
	cgroup_mem_release(&c);

	/* synthetic v2 on an older kernel: no "kernel", no "slab" */
	in.stat = "anon 10\nfile 20\nkernel_stack 100\npercpu 5\nslab_reclaimable 7\n"
		  "slab_unreclaimable 8\nsock 1\ninactive_file 30\n";
	in.high = "max";
	CHECK(!cgroupmem_parse(&in, &c, &err), "v2 old");
	CHECK(c.slab == 15 && c.kernel == 120 && c.kernel_source == CGMEM_KERNEL_SUMMED,
	      "v2 kernel summed from parts");
	CHECK(c.high_unlimited && !CGMEM_HAS(&c, CGMEM_PGLAZYFREE), "v2 high max; no lazyfree");
	cgroup_mem_release(&c);

	/* hostile: every file bad, one at a time, and all missing */
	in.stat = "anon -5\nfile 99999999999999999999\ninactive_file x\n";
	in.usage = "12abc";
	in.limit = "-1";
	in.high = "";
	in.events = "oom -1\n";
	in.max_usage = "99999999999999999999";
	CHECK(!cgroupmem_parse(&in, &c, &err), "v2 hostile");
	CHECK(!CGMEM_HAS(&c, CGMEM_USAGE) && !CGMEM_HAS(&c, CGMEM_LIMIT) && !CGMEM_HAS(&c, CGMEM_HIGH) &&
	      !CGMEM_HAS(&c, CGMEM_ANON) && !CGMEM_HAS(&c, CGMEM_FILE) &&
	      !CGMEM_HAS(&c, CGMEM_WORKING_SET) && !CGMEM_HAS(&c, CGMEM_OOM_EVENTS) &&
	      !CGMEM_HAS(&c, CGMEM_MAX_USAGE), "bad values are absent, not zero");
	CHECK(strstr(strbuf_str(&c.warnings), "memory.current") &&
	      strstr(strbuf_str(&c.warnings), "memory.max") &&
	      strstr(strbuf_str(&c.warnings), "memory.peak"), "warnings name files: %s",
	      strbuf_str(&c.warnings));
	cgroup_mem_release(&c);

	memset(&in, 0, sizeof(in));
	in.version = 2;
	CHECK(!cgroupmem_parse(&in, &c, &err) && !c.present && !c.warnings.len, "nothing collected");
	cgroup_mem_release(&c);
	in.version = 3;
	CHECK(cgroupmem_parse(&in, &c, &err) < 0 && strstr(err.buf, "version 3"), "bad version");
	cgroup_mem_release(&c);

	{
		char *g = garbage(1 << 16), *big = big_line(BIG_LINE);

		g[(1 << 16) - 1] = '\0';
		big[BIG_LINE - 1] = '\0';
		in.version = 1;
		in.stat = g;
		in.usage = g;
		in.limit = big;
		in.events = big;
		in.failcnt = g;
		CHECK(!cgroupmem_parse(&in, &c, &err) && !CGMEM_HAS(&c, CGMEM_USAGE) &&
		      !CGMEM_HAS(&c, CGMEM_LIMIT), "garbage and 10 MB lines");
		cgroup_mem_release(&c);
		free(g);
		free(big);
	}
	strbuf_release(&err);
}

/* ---- kernel -------------------------------------------------------------------- */

static void test_kernel(void)
{
	static const struct {
		const char *release;
		int major, minor, patch;
	} ok[] = {
		{ "3.10.0-1160.el7.x86_64", 3, 10, 0 },
		{ "6.1.0-13-amd64", 6, 1, 0 },
		{ "5.15.0-1049-aws", 5, 15, 0 },
		{ "4.4", 4, 4, 0 },
		{ "4.4-rc1", 4, 4, 0 },
		{ "2.6.32-754.el6.x86_64", 2, 6, 32 },
		{ "6.18.44-fc-v769\n", 6, 18, 44 },
		{ " 5.10.209+ ", 5, 10, 209 },
	};
	static const char *const bad[] = {
		"", "linux", "5", "5.", ".5.1", "-1.2.3", "99999999999.1", "5.x", "5.99999999999999",
	};
	struct strbuf err = STRBUF_INIT, sb = STRBUF_INIT;
	struct kernel_version k;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		CHECK(!kernel_parse(ok[i].release, &k, &err) && k.major == ok[i].major &&
		      k.minor == ok[i].minor && k.patch == ok[i].patch, "kernel '%s'", ok[i].release);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(kernel_parse(bad[i], &k, &err) < 0 && !k.major && strstr(err.buf, "kernel release"),
		      "bad kernel '%s'", bad[i]);
	CHECK(kernel_parse(NULL, &k, &err) < 0, "NULL release");

	kernel_parse("3.10.0-1160.el7.x86_64", &k, &err);
	CHECK(!kernel_at_least(&k, 4, 5) && kernel_at_least(&k, 3, 10) && kernel_at_least(&k, 2, 6) &&
	      !kernel_at_least(&k, 3, 11), "3.10 comparisons");
	kernel_parse("4.5", &k, &err);
	CHECK(kernel_at_least(&k, 4, 5) && !kernel_at_least(&k, 5, 0), "4.5 comparisons");

	if (!read_path(&sb, "/proc/sys/kernel/osrelease")) {
		CHECK(!kernel_parse(sb.buf, &k, &err) && k.major >= 2, "this kernel: %s", err.buf);
	}
	strbuf_release(&sb);
	strbuf_release(&err);
}

/* ---- goroutines ---------------------------------------------------------------- */

static int is(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = s ? strlen(s) : 0, b = strlen(suffix);

	return s && a >= b && !strcmp(s + a - b, suffix);
}

static void test_goroutines_real(void)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	struct goroutine_dump d;
	struct goroutine_groups gr;
	const struct goroutine *g;
	size_t i, total = 0;

	read_data(&sb, "goroutines-go1.19.txt");
	goroutine_dump_init(&d);
	CHECK(!goroutines_parse(&d, sb.buf, sb.len, &err), "go1.19 dump: %s", err.buf);
	CHECK(d.nr == 17 && !d.truncated && d.nr_skipped == 0, "17 goroutines, got %zu", d.nr);

	g = goroutines_find(&d, 1);
	CHECK(g && is(g->state, "running") && g->nr_frames == 4 && !g->created_by.func,
	      "goroutine 1");
	CHECK(g && is(g->frames[0].func, "runtime/pprof.writeGoroutineStacks") &&
	      ends_with(g->frames[0].file, "/runtime/pprof/pprof.go") && g->frames[0].line == 692,
	      "leaf frame without args, file and line");
	CHECK(g && is(g->frames[2].func, "runtime/pprof.(*Profile).WriteTo") &&
	      is(g->frames[3].func, "main.main"), "method and main frames");

	g = goroutines_find(&d, 20);
	CHECK(g && is(g->state, "chan receive") && g->wait_minutes == 0 && !g->locked &&
	      g->nr_frames == 1 && is(g->frames[0].func, "main.recvForever") &&
	      is(g->created_by.func, "main.spawn") && g->created_by.line == 91 &&
	      ends_with(g->created_by.file, "tests/go/gdump/main.go") && g->creator_id == 0,
	      "chan receive goroutine");
	g = goroutines_find(&d, 23);
	CHECK(g && is(g->state, "chan send") && is(g->frames[0].func, "main.sendForever") &&
	      g->frames[0].line == 41 && is(g->frames[1].func, "main.main.func2"), "inlined frame");
	g = goroutines_find(&d, 25);
	CHECK(g && is(g->state, "select"), "select");
	g = goroutines_find(&d, 27);
	CHECK(g && is(g->state, "semacquire") && g->nr_frames == 4 &&
	      is(g->frames[2].func, "sync.(*Mutex).Lock") && g->frames[2].line == 90, "mutex");
	g = goroutines_find(&d, 29);
	CHECK(g && is(g->state, "sleep") && is(g->frames[0].func, "time.Sleep"), "sleep");
	g = goroutines_find(&d, 31);
	CHECK(g && is(g->state, "IO wait") && is(g->frames[0].func, "internal/poll.runtime_pollWait") &&
	      g->nr_frames == 8, "IO wait");
	g = goroutines_find(&d, 32);
	CHECK(g && is(g->state, "syscall"), "syscall");
	g = goroutines_find(&d, 33);
	CHECK(g && is(g->state, "chan receive") && g->locked, "locked to thread");
	g = goroutines_find(&d, 34);
	CHECK(g && g->nr_frames == 3 && is(g->frames[1].func, "main.(*server).handle") &&
	      is(g->created_by.func, "main.main") && g->created_by.line == 127, "created by main.main");
	/* interned: same text, same pointer */
	CHECK(goroutines_find(&d, 20)->state == goroutines_find(&d, 33)->state, "interned states");

	goroutine_groups_init(&gr);
	goroutines_group(&d, &gr);
	CHECK(gr.nr == 10, "10 groups, got %zu", gr.nr);
	for (i = 0; i < gr.nr; i++) {
		total += gr.items[i].count;
		if (i)
			CHECK(gr.items[i - 1].count >= gr.items[i].count, "sorted by count");
	}
	CHECK(total == d.nr, "groups cover every goroutine");
	CHECK(gr.nr && gr.items[0].count == 3 && gr.items[0].first->id == 20 &&
	      is(gr.items[0].first->created_by.func, "main.spawn"), "largest group first");
	CHECK(gr.nr > 5 && gr.items[1].first->id == 23 && gr.items[5].first->id == 34 &&
	      gr.items[5].count == 2, "ties by first goroutine id");
	/* the locked receiver shares state and function list with nobody: own group */
	for (i = 0; i < gr.nr; i++)
		if (gr.items[i].first->id == 33)
			CHECK(gr.items[i].count == 1 && gr.items[i].nr_locked == 1, "locked group");
	goroutine_groups_release(&gr);
	goroutine_dump_release(&d);

	/* hand-edited Go >= 1.21 form */
	read_data(&sb, "goroutines-synthetic-go1.21.txt");
	CHECK(!goroutines_parse(&d, sb.buf, sb.len, &err), "go1.21 dump: %s", err.buf);
	g = goroutines_find(&d, 20);
	CHECK(g && g->wait_minutes == 5 && g->creator_id == 1 && is(g->created_by.func, "main.spawn"),
	      "in goroutine N");
	g = goroutines_find(&d, 33);
	CHECK(g && g->locked && g->wait_minutes == 1 && is(g->state, "chan receive"),
	      "minutes and locked");
	g = goroutines_find(&d, 27);
	CHECK(g && is(g->state, "sync.Mutex.Lock") && g->wait_minutes == 3, "go1.20 wait reason");
	g = goroutines_find(&d, 34);
	CHECK(g && g->creator_id == 1 && is(g->created_by.func, "main.main"), "main.main in goroutine 1");
	goroutines_group(&d, &gr);
	CHECK(gr.nr == 10 && gr.items[0].first->id == 20 && gr.items[0].min_wait_minutes == 0 &&
	      gr.items[0].max_wait_minutes == 12, "group wait range");
	goroutine_groups_release(&gr);
	goroutine_dump_release(&d);
	strbuf_release(&sb);
	strbuf_release(&err);
}

static int parse_str(struct goroutine_dump *d, const char *s)
{
	struct strbuf err = STRBUF_INIT;
	int r;

	goroutine_dump_init(d);
	r = goroutines_parse(d, s, strlen(s), &err);
	if (r < 0)
		CHECK(strstr(err.buf, "goroutine dump"), "message names the artifact: %s", err.buf);
	strbuf_release(&err);
	return r;
}

static void test_goroutines_lenient(void)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	struct goroutine_dump d;
	const struct goroutine *g;
	size_t i;

	CHECK(!parse_str(&d,
		"goroutine 7 [select, 2 minutes, locked to thread, some future thing]:\n"
		"main.F[...](0xc000, {0x1, 0x2})\n\t/src/a.go:10 +0x1f\n"
		"main.(*T).M(...)\n\t/src/a b.go:20\n"
		"weird(\n\tC:/win/path.go:30 +0x2\n"
		"...additional frames elided...\n"
		"created by main.start in goroutine 99999999999999999999\n\t/src/a.go:5 +0x1\n"
		"\n"
		"goroutine 8 gp=0xc000 m=nil [running]:\n\tgoroutine running on other thread; stack unavailable\n"
		"\n"
		"goroutine 99999999999999999999 [x]:\nf()\n\t/a:1\n\n"
		"goroutine 9 [chan receive]\nf()\n\n"
		"goroutine 10 [a, 99999999999999999999 minutes, 3 minute]:\nf()\n\t/a:x\n"), "lenient");
	CHECK(d.nr == 3 && !d.truncated, "three goroutines, got %zu", d.nr);
	g = goroutines_find(&d, 7);
	CHECK(g && is(g->state, "select") && g->wait_minutes == 2 && g->locked && g->elided,
	      "header with a future item");
	CHECK(g && g->nr_frames == 3 && is(g->frames[0].func, "main.F[...]") &&
	      is(g->frames[0].file, "/src/a.go") && g->frames[0].line == 10 &&
	      is(g->frames[1].func, "main.(*T).M") && is(g->frames[1].file, "/src/a b.go") &&
	      g->frames[1].line == 20 && is(g->frames[2].func, "weird(") &&
	      is(g->frames[2].file, "C:/win/path.go") && g->frames[2].line == 30, "frames");
	CHECK(g && is(g->created_by.func, "main.start in goroutine 99999999999999999999") &&
	      g->creator_id == 0, "creator id past uint64 stays in the name");
	g = goroutines_find(&d, 8);
	CHECK(g && is(g->state, "running") && g->nr_frames == 0, "traceback header with gp/m fields");
	g = goroutines_find(&d, 10);
	CHECK(g && g->wait_minutes == 3 && g->nr_frames == 1 && is(g->frames[0].file, "/a:x") &&
	      g->frames[0].line == 0, "unparsable minutes and line");
	CHECK(d.nr_skipped >= 5, "skipped %zu", d.nr_skipped);
	goroutine_dump_release(&d);

	/* frame cap */
	strbuf_addstr(&sb, "goroutine 1 [running]:\n");
	for (i = 0; i < GOROUTINES_MAX_FRAMES + 500; i++)
		strbuf_addf(&sb, "main.f%zu(...)\n\t/a.go:%zu\n", i, i + 1);
	strbuf_addstr(&sb, "created by main.main\n\t/a.go:1 +0x1\n");
	goroutine_dump_init(&d);
	CHECK(!goroutines_parse(&d, sb.buf, sb.len, &err), "deep: %s", err.buf);
	CHECK(d.nr == 1 && d.items[0].nr_frames == GOROUTINES_MAX_FRAMES && d.items[0].elided &&
	      d.items[0].frames[999].line == 1000 && is(d.items[0].created_by.func, "main.main") &&
	      !d.truncated, "frames capped, created by still read");
	goroutine_dump_release(&d);
	strbuf_release(&sb);
	strbuf_release(&err);
}

static void test_goroutines_truncated(void)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	struct goroutine_dump d;
	const char *cut;
	size_t len, first_header;

	read_data(&sb, "goroutines-go1.19.txt");
	/* cut right after a function line: the file line is missing */
	cut = strstr(sb.buf, "goroutine 21 [chan receive]:\nmain.recvForever()\n");
	CHECK(cut != NULL, "fixture has goroutine 21");
	if (cut) {
		len = (size_t)(cut - sb.buf) + strlen("goroutine 21 [chan receive]:\nmain.recvForever()\n");
		goroutine_dump_init(&d);
		CHECK(!goroutines_parse(&d, sb.buf, len, &err), "cut: %s", err.buf);
		CHECK(d.truncated && d.nr == 3 && d.items[2].id == 21 && d.items[2].truncated &&
		      d.items[2].nr_frames == 1 && !d.items[2].frames[0].file &&
		      !d.items[1].truncated, "cut after a function line");
		goroutine_dump_release(&d);
		/* cut mid-line */
		CHECK(!goroutines_parse(&d, sb.buf, len - 5, &err) && d.truncated && d.items[2].truncated,
		      "cut mid-line");
		goroutine_dump_release(&d);
	}

	/* every prefix: never crashes, never more goroutines, truncated unless cut cleanly */
	first_header = strlen("goroutine 1 [running]:");
	for (len = 0; len <= sb.len; len++) {
		int r;

		goroutine_dump_init(&d);
		r = goroutines_parse(&d, sb.buf, len, &err);
		if (len < first_header) {
			CHECK(r < 0, "prefix %zu has no goroutine", len);
		} else {
			CHECK(!r && d.nr >= 1 && d.nr <= 17, "prefix %zu", len);
			if (!r && sb.buf[len - 1] != '\n')
				CHECK(d.truncated, "prefix %zu ends mid-line", len);
		}
		goroutine_dump_release(&d);
	}
	strbuf_release(&sb);
	strbuf_release(&err);
}

static void test_goroutines_hostile(void)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	struct goroutine_dump d;
	char *g, *big;

	CHECK(parse_str(&d, "") < 0, "empty");
	goroutine_dump_init(&d);
	CHECK(goroutines_parse(&d, NULL, 0, &err) < 0, "NULL");
	CHECK(parse_str(&d, "goroutine ") < 0, "bare word");
	CHECK(parse_str(&d, "goroutine 1") < 0, "no brackets");
	CHECK(!parse_str(&d, "goroutine 1 []:") && d.nr == 1 && is(d.items[0].state, "") &&
	      d.truncated, "empty state, no frames");
	goroutine_dump_release(&d);
	CHECK(!parse_str(&d, "goroutine 1 [a]:\ncreated by \n\t\n") && d.nr == 1 &&
	      is(d.items[0].created_by.func, ""), "empty created by");
	goroutine_dump_release(&d);

	g = garbage(1 << 16);
	goroutine_dump_init(&d);
	CHECK(goroutines_parse(&d, g, 1 << 16, &err) < 0, "garbage");
	memcpy(g + 100, "\ngoroutine 5 [x]:\n", 18);
	CHECK(!goroutines_parse(&d, g, 1 << 16, &err) && d.nr == 1, "header inside garbage");
	goroutine_dump_release(&d);
	free(g);

	big = big_line(BIG_LINE);
	CHECK(goroutines_parse(&d, big, BIG_LINE, &err) < 0, "10 MB line");
	strbuf_addstr(&sb, "goroutine 1 [running]:\nmain.main()\n\t/a.go:1\n");
	strbuf_add(&sb, big, BIG_LINE);
	CHECK(!goroutines_parse(&d, sb.buf, sb.len, &err) && d.nr == 1 && d.nr_skipped == 1 &&
	      d.truncated, "10 MB line after a goroutine");
	goroutine_dump_release(&d);
	free(big);
	CHECK(goroutines_parse(&d, "x", GOROUTINES_MAX_INPUT + 1, &err) < 0 &&
	      strstr(err.buf, "too large"), "input cap checked before reading");
	strbuf_release(&sb);
	strbuf_release(&err);
}

/* ---- mutations of the real inputs ---------------------------------------------- */

static void test_mutations(void)
{
	struct strbuf dump = STRBUF_INIT, heap = STRBUF_INIT, json = STRBUF_INIT, maps = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT;
	int i;

	read_data(&dump, "goroutines-go1.19.txt");
	read_data(&heap, "heap-debug1-go1.19.txt");
	read_data(&json, "memstats-go1.19.json");
	CHECK(!read_path(&maps, "/proc/self/maps"), "maps");
	for (i = 0; i < 400; i++) {
		struct goroutine_dump d;
		struct goroutine_groups gr;
		struct memstats m;
		struct maps_summary s;
		struct kvtable t;
		char *p;

		p = mutate(dump.buf, dump.len);
		goroutine_dump_init(&d);
		if (!goroutines_parse(&d, p, dump.len, &err)) {
			goroutine_groups_init(&gr);
			goroutines_group(&d, &gr);
			goroutine_groups_release(&gr);
		}
		goroutine_dump_release(&d);
		free(p);

		p = mutate(heap.buf, heap.len);
		memstats_parse_debug1(p, heap.len, &m, &err);
		free(p);
		p = mutate(json.buf, json.len);
		memstats_parse_json(p, json.len, &m, &err);
		free(p);
		p = mutate(maps.buf, maps.len);
		mapsfile_parse(&s, p, maps.len, NULL, &err);
		kvtable_init(&t);
		kvfile_parse(&t, p, maps.len, KV_COLON, "maps", &err);
		kvtable_release(&t);
		free(p);
	}
	strbuf_release(&dump);
	strbuf_release(&heap);
	strbuf_release(&json);
	strbuf_release(&maps);
	strbuf_release(&err);
}

/* The manifest's times, which rates divide by: exact to the millisecond, strict about the form. */
static void test_utc_times(void)
{
	static const char *const bad[] = {
		"", "2026-11-22", "2026-11-22T04:01:02", "2026-11-22T04:01:02.Z", "2026-13-22T04:01:02Z",
		"2026-11-22T24:01:02Z", "2026-11-22T04:01:02.345+01:00", "2026-11-22T04:01:02.345Zx", "garbage",
	};
	int64_t ms = 0;
	size_t i;

	CHECK(parse_utc_ms("1970-01-01T00:00:00Z", &ms) == 0 && ms == 0, "epoch is %" PRId64, ms);
	/* date -u -d 2026-11-22T04:01:02Z +%s = 1795320062 */
	CHECK(parse_utc_ms("2026-11-22T04:01:02.345Z", &ms) == 0 && ms == INT64_C(1795320062345),
	      "2026-11-22T04:01:02.345Z is %" PRId64, ms);
	CHECK(parse_utc_ms("2026-11-22T04:01:02.3Z", &ms) == 0 && ms == INT64_C(1795320062300), "one digit: %" PRId64, ms);
	CHECK(parse_utc_ms("2024-02-29T23:59:59.999999Z", &ms) == 0 && ms == INT64_C(1709251199999),
	      "leap day, microseconds: %" PRId64, ms);
	CHECK(parse_utc_ms("2000-03-01T00:00:00Z", &ms) == 0 && ms == INT64_C(951868800000), "2000-03-01: %" PRId64, ms);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(parse_utc_ms(bad[i], &ms) < 0, "'%s' parsed", bad[i]);
	CHECK(parse_utc_ms(NULL, &ms) < 0, "NULL parsed");
}

int main(void)
{
	test_utc_times();
	test_kv_proc();
	test_kv_fixtures();
	test_kv_hostile();
	test_memstats_debug1();
	test_memstats_json();
	test_memstats_hostile();
	test_maps_self();
	test_maps_fixture();
	test_maps_hostile();
	test_cgroup_real();
	test_cgroup_fixtures();
	test_kernel();
	test_goroutines_real();
	test_goroutines_lenient();
	test_goroutines_truncated();
	test_goroutines_hostile();
	test_mutations();
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("all fact parser checks passed\n");
	return 0;
}
