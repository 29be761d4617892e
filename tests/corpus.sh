#!/usr/bin/env bash
# The incident corpus (bundles/): every casebook bundle's top finding is at
# the right rung and names the cause, healthy bundles raise nothing at
# medium or above (bundles/cases/*/expect.json, through triage rules
# test), every report's ledger accounts for its headline with named
# remainders, its leaves sum to the headline, and no leaf is claimed by two
# findings.
set -u
: "${TRIAGE:?}" "${SRCDIR:?}"
fail=0
out=$("$TRIAGE" rules test "$SRCDIR/bundles/cases" 2>&1); rc=$?
echo "$out"
[ $rc -eq 0 ] || fail=1
n=$(ls -d "$SRCDIR"/bundles/cases/*/ | wc -l)
[ "$(tail -1 <<<"$out")" = "$n passed, 0 failed" ] || { echo "FAIL: expected $n cases to pass"; fail=1; }
for b in "$SRCDIR"/bundles/*.tgz; do
	"$TRIAGE" analyze --format json "$b" | python3 -c '
import json, sys
name = sys.argv[1]
d = json.load(sys.stdin)
led = d.get("ledger") or {}
h = (led.get("headline") or {}).get("bytes") or 0
rows = led.get("rows") or []
names = [r["name"] for r in rows]
bad = []
if h <= 0: bad.append("no headline")
# each layer names what it cannot explain
need = ["HeapInuse not in the profile", "anonymous RSS not accounted by Go", "cgroup anon not in this process"]
for k in need:
    if not any(k in x for x in names): bad.append("no row " + repr(k))
for r in rows:
    if r.get("bytes") is None: continue
    if h and abs(r.get("share", 0) - r["bytes"] / h) > 1e-6: bad.append("share of " + r["name"])
# one attribution: the leaves sum to the headline, what no source explains
# is small, and no leaf is claimed by two findings
leaves = led.get("leaves") or []
total = sum(l["bytes"] for l in leaves)
if abs(total - h) > 1: bad.append("leaves sum to %d, headline %d" % (total, h))
un = sum(l["bytes"] for l in leaves if l["id"] == "unattributed")
tol = max(0.02 * h, 4 << 20)
if abs(un) > tol: bad.append("unattributed %d beyond the tolerance %d" % (un, tol))
ids = [l["id"] for l in leaves]
if len(ids) != len(set(ids)): bad.append("duplicate leaf ids")
byid = {l["id"]: l["bytes"] for l in leaves}
claimed = {}
for f in d["findings"]:
    for c in f.get("claims") or []:
        if c in claimed: bad.append("leaf %s claimed by %s and %s" % (c, claimed[c], f["id"]))
        claimed[c] = f["id"]
        if c not in byid: bad.append("%s claims %s, not a leaf" % (f["id"], c))
    if f.get("claims") and f["bytes"] != sum(byid.get(c, 0) for c in f["claims"]):
        bad.append("%s: bytes %r are not the sum of its leaves" % (f["id"], f["bytes"]))
print(("FAIL " if bad else "ok   ") + name + ": headline %d bytes, %d ledger rows, %d leaves (unattributed %d), %d claimed"
      % (h, len(rows), len(leaves), un, len(claimed)) + ("; " + ", ".join(bad) if bad else ""))
sys.exit(1 if bad else 0)' "$(basename "$b")" || fail=1
done
# the growth cases show their rate, the healthy ones no growth verdict above plateau
for c in case2-unclosed-body case3-etcd-watch; do
	g=$("$TRIAGE" analyze --no-color "$SRCDIR/bundles/$c.tgz" | sed -n '/^GROWTH/,/^$/p')
	if grep -q "MiB/min" <<<"$g" && grep -q "growing" <<<"$g"; then echo "ok   $c: growth rate shown"
	else echo "FAIL: $c: no growth rate in the report: $g"; fail=1; fi
done
exit $fail
