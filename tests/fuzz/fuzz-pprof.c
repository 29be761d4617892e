/*
 * libFuzzer harness: a pprof profile (gzip or raw) through the streaming
 * check (scan.h), the decoder and
 * what triage top does with it: names, pruning, aggregation, sorting,
 * inline marks, ownership, units. Corpus files are plain profiles (the
 * regression inputs are also CLI test inputs): each is decoded with labels
 * kept and skipped, and aggregated by function, package and module.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/strbuf.h"
#include "profile/aggregate.h"
#include "profile/owner.h"
#include "profile/profile.h"
#include "profile/scan.h"
#include "profile/units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Past 1 MiB inflated is the bomb and amplification tests' business
 * (decoder.sh, analyze-limits.sh), not the fuzzer's: seeds that inflate to
 * the 64 MiB default took it from ~2,000 to ~60 executions a second.
 */
#define FUZZ_MAX_INFLATE ((uint64_t)1 << 20)

/* What triage top and the rules do with a decoded profile. */
static void use(const struct profile *p, int pass, struct strbuf *err)
{
	static const char *const modules[] = { "example.com/app", "github.com/x" };
	size_t i;

	for (i = 0; i < p->nr_sample_types && i < 4; i++) {
		struct agg_options ao = { i, (enum agg_group)((i + (size_t)pass) % 3), modules, 2 };
		struct agg_table t;
		struct owner_table ot, ct;
		char buf[64];
		size_t r;

		agg_table_init(&t);
		if (profile_aggregate(p, &ao, &t, err) == 0) {
			agg_table_drop_empty(&t);
			agg_table_sort(&t, pass);
			if (ao.group == AGG_FUNCTION)
				agg_table_mark_inline(&t, p, t.nr < 80 ? t.nr : 80);
			for (r = 0; r < t.nr && r < 80; r++)
				units_label(buf, sizeof(buf), t.rows[r].flat,
					    profile_str(p, p->sample_types[i].unit), "auto");
			units_percentage(buf, sizeof(buf), t.total, t.total);
		}
		agg_table_release(&t);
		owner_table_init(&ot);
		owner_table_init(&ct);
		profile_owners(p, i, modules, 2, &ot, err);
		profile_callers(p, i, "a", modules, 2, &ct, err);
		owner_table_release(&ot);
		owner_table_release(&ct);
	}
	profile_default_sample_index(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT;
	struct profile_options opt;
	struct profile p;
	int pass;

	/* collect's streaming check of big profiles reads the same bytes */
	{
		struct mem_reader mr = { data, size, 0 };
		struct profile_scan ps;

		profile_scan(mem_reader_read, &mr, "fuzz", FUZZ_MAX_INFLATE, &ps, &err);
	}
	/* a slow pattern must not read as a hang: matching gets 50 ms here */
	profile_prune_budget_ns = 50000000;
	for (pass = 0; pass < 2; pass++) {
		int r;

		memset(&opt, 0, sizeof(opt));
		opt.skip_labels = pass;
		opt.max_decompressed = FUZZ_MAX_INFLATE;
		profile_init(&p);
		r = profile_read_mem(&p, data, size, "fuzz", &opt, &err);
		if (r == 0)
			use(&p, pass, &err);
		profile_release(&p);
		if (r < 0)
			break;	/* labels do not change whether it decodes */
	}
	strbuf_release(&err);
	return 0;
}
