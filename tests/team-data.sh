#!/usr/bin/env bash
# Teams extend the knowledge without forking (docs/rules.md, "Knowledge
# kept as data"): a rule directory's data/ adds and replaces known issues
# and off-heap modules, its plugins/ adds plugins, `triage rules list`
# says where each entry came from, and broken data files are reported.
set -u
: "${TRIAGE:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/workdir.sh" triage-team-data
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
TEAM=$SRCDIR/tests/rules/team-data/team
B=$SRCDIR/bundles/offheap-fastcache.tgz

out=$("$TRIAGE" rules test "$SRCDIR/tests/rules/team-data" 2>&1)
[ "$(tail -1 <<<"$out")" = "1 passed, 0 failed" ] && ok "rules test with a team rule directory" || bad "rules test: $out"

list=$("$TRIAGE" rules list --rules "$TEAM")
grep -Eq '^acme-fastcache-bucket-maps +data +--rules +known_issues: ACME' <<<"$list" && ok "a team known issue is listed with its origin" || bad "team known issue not listed"
grep -Eq '^fastcache-mmap-chunks +data +built-in .*\(replaced by a later rule\)' <<<"$list" && ok "the built-in entry it replaces is marked" || bad "replaced built-in entry not marked"
grep -Eq '^acme +plugin +--rules' <<<"$list" && ok "a team plugin is listed" || bad "team plugin not listed"
n=$(grep -Ec '^[a-z0-9.-]+ +data +built-in +known_issues:' <<<"$list")
[ "$n" -ge 25 ] && ok "$n built-in known issues" || bad "only $n built-in known issues"
grep -Eq '^acme-rss-budget ' <<<"$("$TRIAGE" rules list)" && bad "team rule listed without --rules" || ok "nothing of the team's without --rules"
TRIAGE_RULES_PATH=$TEAM "$TRIAGE" rules list | grep -Eq '^acme-fastcache-bucket-maps +data +TRIAGE_RULES_PATH' &&
	ok "TRIAGE_RULES_PATH data entries" || bad "TRIAGE_RULES_PATH data entry missing"

"$TRIAGE" analyze --rules "$TEAM" --format json "$B" > "$WORK/team.json" || bad "analyze with the team directory"
python3 - "$WORK/team.json" <<'PY' && ok "the report uses the team's entries" || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
f = {x["id"]: x for x in d["findings"]}
bad = []
ki = f.get("libraries-known-issue")
if not ki or "ACME" not in ki["title"] or not any("from --rules" in e for e in ki["evidence"]):
    bad.append("team known issue")
oh = f.get("runtime-off-heap")
if not oh or not any("ACME: holds the token cache" in e for e in oh["evidence"]):
    bad.append("replaced off-heap entry")
if "acme-rss-budget" not in f:
    bad.append("rule using the team plugin")
if d["facts"].get("acme") != "ok":
    bad.append("team plugin fact")
for b in bad:
    print("FAIL " + b)
sys.exit(1 if bad else 0)
PY

# a broken data file is reported, the rest still runs
mkdir -p "$WORK/broken/data"
echo 'return { { id = "Bad ID" } }' > "$WORK/broken/data/known_issues.lua"
"$TRIAGE" analyze --rules "$WORK/broken" --format json "$B" > "$WORK/broken.json"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
errs = [r for r in d["rules"] if r["status"] == "error"]
assert any("entry 1 has no valid" in r["reason"] and r["failure"] == "load" for r in errs), errs
assert any(f["id"] == "runtime-off-heap" for f in d["findings"])
' "$WORK/broken.json" && ok "a broken data file is a load error, the analysis goes on" || bad "broken data file"
exit $fail
