/*
 * Unit test of the /proc/PID/smaps parser (core/parse/smaps.c): this
 * process's own smaps, a fixture with a mapped file and huge pages, and
 * hostile input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "base/strbuf.h"
#include "parse/smaps.h"

static void test_self(void)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	struct smaps s;
	size_t i, files = 0;
	uint64_t rss = 0;

	CHECK(strbuf_read_file(&sb, "/proc/self/smaps", 64 << 20) == 0, "read /proc/self/smaps");
	CHECK(!smaps_parse(&s, sb.buf, sb.len, &err), "smaps: %s", err.buf);
	CHECK(s.nr > 3 && s.nr == s.nr_mappings && !s.truncated, "%zu mappings", s.nr);
	CHECK(s.nr_skipped == 0, "%zu lines skipped", s.nr_skipped);
	for (i = 0; i < s.nr; i++) {
		rss += s.items[i].rss;
		files += smaps_is_file(&s.items[i]);
		CHECK(s.items[i].size == s.items[i].end - s.items[i].start, "Size of mapping %zu", i);
	}
	CHECK(rss == s.rss && s.rss > 0, "per-mapping Rss adds up to the total");
	CHECK(files >= 1 && s.file_rss > 0, "the test binary is a mapped file");
	smaps_release(&s);
	strbuf_release(&sb);
	strbuf_release(&err);
}

static void test_fixture(void)
{
	static const char text[] =
		"c000000000-c004000000 rw-p 00000000 00:00 0 \n"
		"Size:              65536 kB\n"
		"Rss:               40960 kB\n"
		"Pss:               40960 kB\n"
		"Shared_Clean:          0 kB\n"
		"Private_Dirty:     40960 kB\n"
		"Anonymous:         40960 kB\n"
		"AnonHugePages:     36864 kB\n"
		"VmFlags: rd wr mr mw me ac sd \n"
		"7f0000000000-7f0024000000 r--s 00000000 08:01 1234 /var/lib/app/data.db\n"
		"Size:             589824 kB\n"
		"Rss:              500000 kB\n"
		"Pss:              250000 kB\n"
		"Shared_Clean:     500000 kB\n"
		"Shared_Dirty:          0 kB\n"
		"Private_Clean:         0 kB\n"
		"Private_Dirty:         0 kB\n"
		"Anonymous:             0 kB\n"
		"THPeligible:    0\n"
		"7f1000000000-7f1000001000 rw-p 00000000 08:01 99 /usr/bin/app (deleted)\n"
		"Rss:                   4 kB\n";
	struct strbuf err = STRBUF_INIT;
	struct smaps s;

	CHECK(!smaps_parse(&s, text, strlen(text), &err), "%s", err.buf);
	CHECK_INT(s.nr, 3);
	CHECK(s.items[0].path == NULL && !strcmp(s.items[0].perms, "rw-p"), "anonymous first");
	CHECK_INT(s.items[0].anon_huge, 36864 * 1024ull);
	CHECK_INT(s.items[0].private_dirty, 40960 * 1024ull);
	CHECK_STR(s.items[1].path, "/var/lib/app/data.db");
	CHECK_INT(s.items[1].shared_clean, 500000 * 1024ull);
	CHECK_INT(s.items[1].pss, 250000 * 1024ull);
	CHECK_STR(s.items[1].perms, "r--s");
	CHECK_STR(s.items[2].path, "/usr/bin/app (deleted)");
	CHECK_INT(s.rss, (40960 + 500000 + 4) * 1024ull);
	CHECK_INT(s.file_rss, (500000 + 4) * 1024ull);
	CHECK_INT(s.anon_huge, 36864 * 1024ull);
	CHECK_INT(s.nr_skipped, 0);
	smaps_release(&s);
	strbuf_release(&err);
}

static void test_hostile(void)
{
	struct strbuf err = STRBUF_INIT, big = STRBUF_INIT;
	struct smaps s;
	char *g;
	size_t i;

	CHECK(!smaps_parse(&s, "", 0, &err) && s.nr == 0, "empty");
	smaps_release(&s);
	CHECK(!smaps_parse(&s, NULL, 0, &err) && s.nr == 0, "NULL");
	smaps_release(&s);
	/* fields before any mapping, a number that overflows, a NUL, no newline at the end */
	{
		static const char t[] = "Rss: 5 kB\n"
			"1000-2000 r-xp 00000000 08:01 7 /bin/x\n"
			"Rss: 99999999999999999999 kB\n"
			"Pss: 18014398509481984 kB\n"
			"Size: 4 kB";
		CHECK(!smaps_parse(&s, t, sizeof(t) - 1, &err), "%s", err.buf);
		CHECK(s.nr == 1 && s.items[0].rss == 0 && s.items[0].pss == 0 && s.items[0].size == 4096,
		      "bad numbers are ignored");
		CHECK(s.nr_skipped >= 1, "the field before any mapping is skipped");
		smaps_release(&s);
	}
	g = malloc(1 << 16);
	for (i = 0; i < 1 << 16; i++)
		g[i] = (char)(i * 7 + 3);
	CHECK(smaps_parse(&s, g, 1 << 16, &err) < 0 && strstr(err.buf, "smaps"), "garbage: %s", err.buf);
	smaps_release(&s);
	free(g);
	/* more mappings than are kept: counted and summed, not stored */
	for (i = 0; i < SMAPS_MAX_MAPPINGS + 5; i++)
		strbuf_addf(&big, "%zx-%zx rw-p 00000000 00:00 0\nRss: 4 kB\n", i * 4096, i * 4096 + 4096);
	CHECK(!smaps_parse(&s, big.buf, big.len, &err), "%s", err.buf);
	CHECK(s.truncated && s.nr == SMAPS_MAX_MAPPINGS && s.nr_mappings == SMAPS_MAX_MAPPINGS + 5,
	      "kept %zu of %zu", s.nr, s.nr_mappings);
	CHECK_INT(s.rss, (SMAPS_MAX_MAPPINGS + 5) * 4096ull);
	smaps_release(&s);
	strbuf_release(&big);
	strbuf_release(&err);
}

int main(void)
{
	test_self();
	test_fixture();
	test_hostile();
	return failures ? 1 : 0;
}
