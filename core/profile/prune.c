/*
 * What go tool pprof does to a profile after loading it, before any view:
 * simplifying names as its -top shows them (demangled C++/Rust, Go's
 * receivers and generics as printed), then cutting the stacks at the
 * profile's own drop_frames/keep_frames patterns. Kept apart from the
 * decoder (profile.c), which only turns bytes into struct profile.
 */
#include "profile/profile.h"

#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/escape.h"
#include "base/io.h"
#include "profile/demangle.h"
#include "profile/re2posix.h"

void profile_simplify_names(struct profile *p)
{
	struct strbuf buf = STRBUF_INIT;
	size_t i;

	for (i = 0; i < p->nr_functions; i++) {
		struct profile_function *f = &p->functions[i];
		uint32_t len = p->str_len[f->system_name];

		/* a name of its own (not the system name) is already demangled */
		if (f->name != f->system_name && p->str_len[f->name] &&
		    (p->str_len[f->name] != len ||
		     memcmp(profile_str(p, f->name), profile_str(p, f->system_name), len)))
			continue;
		if (!len)
			continue;
		f->name = f->system_name;
		if (demangle_function_name(profile_str(p, f->system_name), len, &buf)) {
			f->name = (uint32_t)p->nr_strings;
			profile_add_string(p, (const unsigned char *)buf.buf, buf.len);
		}
	}
	strbuf_release(&buf);
}

/*
 * pprof's simplifyFunc: a leading '.' (PPC64 ELFv1) goes, and the name
 * ends at its first '(' that does not start "(anonymous namespace)" or
 * belong to "operator()".
 */
static void prune_name(const char *s, size_t len, size_t *off, size_t *n)
{
	static const char anon[] = "(anonymous namespace)", call[] = "operator()";
	size_t i, start = len && s[0] == '.';

	for (i = start; i < len; i++) {
		if (s[i] == 'o' && len - i >= sizeof(call) - 1 && !memcmp(s + i, call, sizeof(call) - 1)) {
			i += sizeof(call) - 2;
		} else if (s[i] == '(') {
			if (len - i >= sizeof(anon) - 1 && !memcmp(s + i, anon, sizeof(anon) - 1))
				i += sizeof(anon) - 2;
			else
				break;
		}
	}
	*off = start;
	*n = i - start;
}

/* A pattern for a message: quoted, control bytes escaped, cut at 200 bytes. */
static void add_quoted(struct strbuf *sb, const char *s, size_t len)
{
	strbuf_addch(sb, '"');
	strbuf_add_escaped(sb, s, len < 200 ? len : 200);
	strbuf_addstr(sb, len > 200 ? "\"..." : "\"");
}

static void prune_warning(struct profile *p, const char *name, const char *what, uint32_t re,
			  const struct strbuf *err)
{
	strbuf_addf(&p->warnings, "profile '%s': drop_frames not applied (as pprof does): cannot compile %s regexp ",
		    name, what);
	add_quoted(&p->warnings, profile_str(p, re), p->str_len[re]);
	strbuf_addf(&p->warnings, ": %s\n", err->buf);
}

int64_t profile_prune_budget_ns = -1;

struct pruner {
	regex_t drop, keep;
	int has_keep;
	unsigned char *fn_drop;	/* per function: 0 not yet known, 1 kept, 2 dropped */
	int64_t deadline;
};

#define PRUNE_MAX_NAME 16384

/* 1 dropped, 0 kept, -1 out of time */
static int fn_dropped(const struct profile *p, struct pruner *pr, uint32_t fn)
{
	if (!pr->fn_drop[fn]) {
		const char *fname = profile_str(p, p->functions[fn].name);
		size_t off, n;

		if (clock_mono_ns() > pr->deadline)
			return -1;
		prune_name(fname, p->str_len[p->functions[fn].name], &off, &n);
		/* one call must stay short too: no real name is near this long */
		if (n > PRUNE_MAX_NAME)
			pr->fn_drop[fn] = 1;
		else
			pr->fn_drop[fn] = re2posix_match(&pr->drop, fname + off, n) &&
					  !(pr->has_keep && re2posix_match(&pr->keep, fname + off, n)) ? 2 : 1;
	}
	return pr->fn_drop[fn] == 2;
}

#define PRUNE_WHOLE UINT32_MAX
#define PRUNE_NONE (UINT32_MAX - 1)

/*
 * Where each location is cut: PRUNE_NONE, PRUNE_WHOLE, or the number of
 * inner lines that go. -1 if matching ran out of time (nothing decided).
 */
static int prune_decide(const struct profile *p, struct pruner *pr, uint32_t *cut, size_t *nr_cut)
{
	size_t i;

	*nr_cut = 0;
	for (i = 0; i < p->nr_locations; i++) {
		const struct profile_location *l = &p->locations[i];
		uint32_t j;

		cut[i] = PRUNE_NONE;
		/* from the outermost line inward: the first dropped one cuts */
		for (j = l->nr_lines; j-- > 0;) {
			uint32_t fn = p->lines[l->line_off + j].function;
			int d;

			if (fn == PROFILE_NONE || !p->str_len[p->functions[fn].name])
				continue;
			d = fn_dropped(p, pr, fn);
			if (d < 0)
				return -1;
			if (d)
				break;
		}
		if (j == UINT32_MAX)
			continue;
		/* the dropped line and those inlined into it go */
		cut[i] = j == l->nr_lines - 1 ? PRUNE_WHOLE : j + 1;
		(*nr_cut)++;
	}
	return 0;
}

static void prune_apply(struct profile *p, const uint32_t *cut)
{
	uint32_t out = 0;
	size_t i, s;

	for (i = 0; i < p->nr_locations; i++) {
		if (cut[i] != PRUNE_NONE && cut[i] != PRUNE_WHOLE) {
			p->locations[i].line_off += cut[i];
			p->locations[i].nr_lines -= cut[i];
		}
	}
	/*
	 * Each sample, from the root: past the first location not cut (those
	 * above it stay, so a stack of dropped frames only is kept whole), the
	 * first cut location ends the stack, itself included if cut whole.
	 */
	for (s = 0; s < p->nr_samples; s++) {
		uint32_t start = p->loc_off[s], end = p->loc_off[s + 1], keep_from = start, k;
		int found_user = 0;

		for (k = end; k-- > start;) {
			uint32_t c = cut[profile_loc(p, k)];

			if (c == PRUNE_NONE) {
				found_user = 1;
				continue;
			}
			if (!found_user)
				continue;
			keep_from = c == PRUNE_WHOLE ? k + 1 : k;
			break;
		}
		p->loc_off[s] = out;
		if (p->locs)
			memmove(p->locs + out, p->locs + keep_from, (end - keep_from) * sizeof(*p->locs));
		else
			memmove(p->locs16 + out, p->locs16 + keep_from, (end - keep_from) * sizeof(*p->locs16));
		out += end - keep_from;
	}
	if (p->nr_samples) {
		p->loc_off[p->nr_samples] = out;
		p->nr_locs = out;
	}
}

void profile_prune(struct profile *p, const char *name)
{
	struct strbuf err = STRBUF_INIT;
	struct pruner pr;
	uint32_t *cut = NULL;
	size_t nr_cut;
	int64_t budget = profile_prune_budget_ns;

	/* Go profiles never set drop_frames: this is the whole cost for them */
	if (!p->str_len[p->drop_frames])
		return;
	memset(&pr, 0, sizeof(pr));
	if (re2posix_compile_full(&pr.drop, profile_str(p, p->drop_frames),
				  p->str_len[p->drop_frames], &err) < 0) {
		prune_warning(p, name, "drop_frames", p->drop_frames, &err);
		goto out;
	}
	if (p->str_len[p->keep_frames]) {
		if (re2posix_compile_full(&pr.keep, profile_str(p, p->keep_frames),
					  p->str_len[p->keep_frames], &err) < 0) {
			/* pprof gives up on both */
			prune_warning(p, name, "keep_frames", p->keep_frames, &err);
			regfree(&pr.drop);
			goto out;
		}
		pr.has_keep = 1;
	}
	/*
	 * glibc's matcher can spend microseconds a byte on a crafted pattern
	 * (one that makes every byte a new automaton state), where real ones
	 * take nanoseconds: matching gets 1 s plus 0.1 s per MB of profile.
	 */
	if (budget < 0)
		budget = 1000000000 + (int64_t)(p->decoded_bytes / 10);
	pr.deadline = clock_mono_ns() + budget;
	pr.fn_drop = xcalloc(p->nr_functions ? p->nr_functions : 1, 1);
	cut = xmalloc((p->nr_locations ? p->nr_locations : 1) * sizeof(*cut));
	if (prune_decide(p, &pr, cut, &nr_cut) < 0)
		strbuf_addf(&p->warnings, "profile '%s': drop_frames not applied: matching function names against it took over %.1f s (a pathological pattern?)\n",
			    name, (double)budget / 1e9);
	else if (nr_cut)
		prune_apply(p, cut);
	regfree(&pr.drop);
	if (pr.has_keep)
		regfree(&pr.keep);
out:
	free(pr.fn_drop);
	free(cut);
	strbuf_release(&err);
}

