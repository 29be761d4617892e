#ifndef TRIAGE_FACTS_H
#define TRIAGE_FACTS_H

#include <json-c/json.h>
#include <lua.h>

#include "bundle/bundle.h"
#include "report/report.h"
#include "base/strbuf.h"

/*
 * Raw artifacts -> facts. Parses what the bundle holds (MemStats, /proc,
 * maps, cgroup memory, kernel, build info, goroutine dump, samples over
 * time) with the C parsers and pushes one Lua table, the `b` that plugins
 * and rules receive (docs/rules.md lists its fields). Profiles become
 * triage.profile userdata that decode on first use. A fact that cannot be
 * built is left out, and status[name] says why ("ok" otherwise), so rules
 * that need it are skipped with that reason.
 *
 * older (oldest first) are earlier bundles of the same target: with them,
 * b.samples is the series across all of them (see push_samples).
 *
 * The facts have a budget of their own, FACTS_MAX_MEMORY: every source is
 * bounded by construction (JSON in values, tables in entries, text in
 * bytes), and the caller checks the total and then sets it aside
 * (sandbox_set_aside), so the rules' memory cap starts on top of it.
 */
#define FACTS_MAX_MEMORY ((size_t)256 << 20)

int facts_push(lua_State *L, const struct bundle *b, const struct bundle *base,
	       const struct bundle *const *older, size_t nr_older, json_object *status,
	       struct strbuf *err);

/* The headline when no ledger plugin gave one: cgroup working set, else RSS. */
void facts_headline(const struct bundle *b, struct report *r);

#endif
