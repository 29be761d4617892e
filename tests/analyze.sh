#!/usr/bin/env bash
# triage analyze and triage rules, end to end on a real bundle
# (tests/rules/hostile/bundle.tgz, collected from tests/go/pprof-target):
# the rule contract and sandbox through the rule test harness, rule
# origins and overrides, report formats, --fail-on, and bundles whose
# profiles are hostile.
set -u
: "${TRIAGE:?}" "${SRCDIR:?}" "${BUILDDIR:?}"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
B=$SRCDIR/tests/rules/hostile/bundle.tgz
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# 1. the sandbox and the rule contract, through the harness teams use
out=$("$TRIAGE" rules test "$SRCDIR/tests/rules/hostile" 2>&1); rc=$?
[ $rc -eq 0 ] && [ "$(tail -1 <<<"$out")" = "1 passed, 0 failed" ] && ok "rules test: hostile rules classified" ||
	bad "rules test hostile: rc $rc: $out"
[ -e /tmp/triage-pwned ] && bad "os.execute ran"

# the harness fails a case whose expectation does not hold, and says why
mkdir -p "$W/case"
cp "$B" "$W/case/bundle.tgz"
echo '{"bundle": "bundle.tgz", "findings": [{"id": "no-such-rule"}], "verdicts": {"runtime": "implicated"}}' > "$W/case/expect.json"
out=$("$TRIAGE" rules test "$W/case" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "finding no-such-rule did not fire" <<<"$out" && grep -q "^0 passed, 1 failed$" <<<"$out" &&
	ok "rules test reports a failing case" || bad "failing case: rc $rc: $out"

# 2. origins and overrides
out=$("$TRIAGE" rules list --rules "$SRCDIR/tests/rules/hostile/rules")
grep -q "^runtime-stacks .*built-in .*replaced by a later rule" <<<"$out" &&
grep -q "^runtime-stacks .*--rules .*team version" <<<"$out" && grep -q "^t-good .*--rules" <<<"$out" &&
grep -q "LOAD ERROR: .*binary chunks are not allowed" <<<"$out" &&
	ok "rules list: origins, override, load errors" || bad "rules list: $out"
mkdir -p "$W/xdg/triage/rules" "$W/envrules"
printf 'return { id = "xdg-rule", rung = "tooling", title = "from XDG", check = function(b, r) end }\n' > "$W/xdg/triage/rules/x.lua"
printf 'return { id = "env-rule", rung = "tooling", title = "from env", check = function(b, r) end }\n' > "$W/envrules/e.lua"
out=$(XDG_CONFIG_HOME=$W/xdg TRIAGE_RULES_PATH=$W/envrules "$TRIAGE" rules list)
grep -q "^xdg-rule .*XDG_CONFIG_HOME" <<<"$out" && grep -q "^env-rule .*TRIAGE_RULES_PATH" <<<"$out" &&
	ok "rules from XDG_CONFIG_HOME and TRIAGE_RULES_PATH" || bad "rule dirs: $out"

# 3. report formats
"$TRIAGE" analyze --format json -o "$W/r.json" "$B" || bad "analyze json exit $?"
python3 - "$W/r.json" <<'PY' && ok "json report: schema, ladder in order, findings ranked, ledger, rules" || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
bad = []
if d.get("schema") != "triage.report/1": bad.append("schema")
if [x["rung"] for x in d["ladder"]] != ["business", "libraries", "runtime", "tooling", "environment"]: bad.append("ladder order")
for x in d["ladder"]:
    if x["verdict"] not in ("implicated", "ruled_out", "inconclusive") or not x["evidence"]: bad.append("verdict " + x["rung"])
ranks = [f["rank"] for f in d["findings"]]
if ranks != list(range(1, len(ranks) + 1)): bad.append("ranks")
scores = [f["score"] for f in d["findings"]]
if scores != sorted(scores, reverse=True): bad.append("not ranked by score")
for f in d["findings"]:
    for k in ("id", "rung", "severity", "confidence", "bytes", "title", "summary", "evidence", "advice", "refs"):
        if k not in f: bad.append("finding lacks " + k)
if not d["ledger"] or not d["ledger"]["rows"] or not d["ledger"]["headline"]["bytes"]: bad.append("ledger")
if not all(r["status"] in ("ran", "skipped", "error") for r in d["rules"]) or len(d["rules"]) < 15: bad.append("rules")
if bad: print("FAIL: json report: " + ", ".join(bad)); sys.exit(1)
PY
"$TRIAGE" analyze --format markdown "$B" > "$W/r.md" && grep -q "^## Ladder" "$W/r.md" && grep -q "^## Memory ledger" "$W/r.md" &&
	ok "markdown report" || bad "markdown"
"$TRIAGE" analyze "$B" > "$W/r.txt" || bad "text exit"
long=$(awk 'length > 100' "$W/r.txt" | grep -v 'https\?://' | head -3)
[ -z "$long" ] && ok "text report fits 100 columns" || bad "lines over 100 columns: $long"
grep -q $'\033\[' "$W/r.txt" && bad "colour escapes when not a terminal"
# the HTML report's structure; tests/html-report.sh opens it in a browser
"$TRIAGE" analyze --format html -o "$W/r.html" "$B" && grep -q "Content-Security-Policy" "$W/r.html" &&
	grep -q '<section id="ledger">' "$W/r.html" && grep -q '<script type="application/json" id="triage-data">' "$W/r.html" &&
	[ "$(grep -c '<script' "$W/r.html")" -eq 2 ] && ! grep -q 'src="http\|href="http[^"]*\.\(css\|js\)' "$W/r.html" &&
	ok "html report: one file, CSP, ledger, flame data" || bad "html report"
"$TRIAGE" analyze --format html --base "$B" -o "$W/rb.html" "$B" && grep -q '"id":"diff","title":"heap growth: against --base' "$W/rb.html" &&
	ok "html report: --base gives the growth flame graph" || bad "html report --base"

# 4. --fail-on
mkdir -p "$W/crit"
printf 'return { id = "crit", rung = "runtime", title = "c", check = function(b, r) r:finding{severity = "critical", title = "on fire"} end }\n' > "$W/crit/c.lua"
"$TRIAGE" analyze --rules "$W/crit" --fail-on high "$B" > /dev/null; rc=$?
[ $rc -eq 1 ] && ok "--fail-on high exits 1 on a critical finding" || bad "--fail-on: exit $rc"
"$TRIAGE" analyze --fail-on critical "$B" > /dev/null; rc=$?
[ $rc -eq 0 ] && ok "--fail-on critical exits 0 without one" || bad "--fail-on critical: exit $rc"
"$TRIAGE" analyze --fail-on severe "$B" > /dev/null 2>&1; [ $? -eq 2 ] || bad "bad --fail-on must exit 2"

# 5. hostile profiles inside a bundle: reported, never a crash
"$BUILDDIR/tests/unit-profile" --write-fixtures "$W/fx" 2>/dev/null || { mkdir -p "$W/fx"; "$BUILDDIR/tests/unit-profile" --write-fixtures "$W/fx"; }
python3 - "$B" "$W" <<'PY' || fail=1
import io, sys, tarfile
src, w = sys.argv[1], sys.argv[2]
def swap(name, repl):
    with tarfile.open(src) as s, tarfile.open(f"{w}/{name}.tgz", "w:gz") as d:
        for m in s.getmembers():
            data = s.extractfile(m).read()
            if m.name in repl: data = repl[m.name]
            info = tarfile.TarInfo(m.name); info.size = len(data); info.mode = 0o600
            d.addfile(info, io.BytesIO(data))
swap("bomb", {"profiles/heap.pb.gz": open(f"{w}/fx/bomb.pb.gz", "rb").read()})
swap("badidx", {"profiles/heap.pb.gz": open(f"{w}/fx/missing-location.pb", "rb").read(),
                "profiles/goroutine.pb.gz": open(f"{w}/fx/bad-string-index.pb", "rb").read(),
                "runtime/memstats.json": b"{not json", "proc/status": b"\x00\xff garbage"})
PY
for n in bomb badidx; do
	t0=$(date +%s%N)
	"$TRIAGE" analyze --format json -o "$W/$n.json" "$W/$n.tgz" 2>"$W/$n.err"; rc=$?
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	if [ $rc -ne 0 ]; then bad "$n: exit $rc: $(cat "$W/$n.err")"; continue; fi
	"$TRIAGE" analyze --format html -o "$W/$n.html" "$W/$n.tgz" 2>"$W/$n.herr" && grep -q '<section id="notes">' "$W/$n.html" ||
		bad "$n: html report: exit $? $(cat "$W/$n.herr")"
	python3 - "$W/$n.json" "$n" <<'PY' && ok "$n bundle analyzed in ${ms} ms, bad profile reported" || fail=1
import json, sys
d, n = json.load(open(sys.argv[1])), sys.argv[2]
text = json.dumps(d)
if "unusable" not in text and "decompresses to more than" not in text and "does not exist" not in text:
    print("FAIL: %s: no rule or fact mentions the bad profile" % n); sys.exit(1)
PY
done
# 6. a bundle missing nearly everything still analyzes: rules are skipped, with reasons
python3 - "$B" "$W/thin.tgz" <<'PY' || fail=1
import io, sys, tarfile
with tarfile.open(sys.argv[1]) as s, tarfile.open(sys.argv[2], "w:gz") as d:
    for m in s.getmembers():
        if m.name in ("manifest.json", "proc/status", "host/osrelease"):
            data = s.extractfile(m).read()
            info = tarfile.TarInfo(m.name); info.size = len(data)
            d.addfile(info, io.BytesIO(data))
PY
"$TRIAGE" analyze --format json -o "$W/thin.json" "$W/thin.tgz"; rc=$?
"$TRIAGE" analyze --format html -o "$W/thin.html" "$W/thin.tgz" && grep -q "no profile to draw" "$W/thin.html" ||
	bad "thin bundle: html report"
python3 - "$W/thin.json" <<'PY' && ok "a bundle without profiles, cgroup or MemStats: rules skipped with reasons" || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
skipped = [r for r in d["rules"] if r["status"] == "skipped"]
bad = [r for r in skipped if "unavailable" not in (r["reason"] or "")]
if len(skipped) < 5 or bad or d["headline"]["bytes"] <= 0:
    print("FAIL: thin bundle: %d skipped, %d without a reason, headline %r" % (len(skipped), len(bad), d["headline"]))
    sys.exit(1)
PY
[ $rc -eq 0 ] || bad "thin bundle: exit $rc"
# a plugin named like an existing fact can never run: it is reported like a
# load error, not dropped without a trace
mkdir -p "$W/data"
cp -r "$SRCDIR/plugins" "$SRCDIR/rules" "$W/data/"
printf 'return { name = "memstats", build = function(b) return {} end }\n' > "$W/data/plugins/clash.lua"
TRIAGE_DATADIR=$W/data "$TRIAGE" analyze --format json -o "$W/clash.json" "$B"
python3 - "$W/clash.json" <<'PY' && ok "a plugin named like a fact is reported" || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
rows = [r for r in d["rules"] if r["id"] == "memstats" and r["status"] == "error"]
if not rows or "name of an existing fact" not in (rows[0]["reason"] or "") or d["facts"].get("memstats") != "ok":
    print("FAIL: clash: %r, facts.memstats %r" % (rows, d["facts"].get("memstats")))
    sys.exit(1)
PY
# a large heap?debug=1 is read for its MemStats trailer only: the reader
# keeps its end (docs/bundle-format.md), and MemStats still come from it
python3 - "$B" "$W/bigdebug.tgz" <<'PY'
import io, sys, tarfile
src, dst = sys.argv[1], sys.argv[2]
with tarfile.open(src) as s, tarfile.open(dst, "w:gz") as d:
    for m in s.getmembers():
        if m.name == "runtime/memstats.json":
            continue	# MemStats must come from the debug=1 text
        data = s.extractfile(m).read() if m.isfile() else b""
        if m.name == "profiles/heap-debug1.txt":
            cut = data.index(b"# runtime.MemStats")
            data = data[:cut] + b"".join(b"1: 8 [1: 8] @ 0x%x\n#\t0x%x\tmain.f+0x1\tmain.go:1\n" % (i, i) for i in range(60000)) + data[cut:]
        info = tarfile.TarInfo(m.name); info.size = len(data); info.mode = m.mode
        d.addfile(info, io.BytesIO(data))
PY
"$TRIAGE" analyze --format json -o "$W/bigdebug.json" "$W/bigdebug.tgz" && "$TRIAGE" analyze --format json -o "$W/orig.json" "$B"
python3 - "$W/bigdebug.json" "$W/orig.json" "$W/bigdebug.tgz" <<'PY' && ok "a 2 MiB+ heap?debug=1: MemStats read from its tail" || fail=1
import json, sys, tarfile
big, orig = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
size = tarfile.open(sys.argv[3]).getmember("profiles/heap-debug1.txt").size
led = lambda d: {r["name"]: r["bytes"] for r in d["ledger"]["rows"]}
if size < (2 << 20) or big["facts"].get("memstats") != "ok" or led(big).get("heap in use (HeapInuse)") != led(orig).get("heap in use (HeapInuse)"):
    print("FAIL: big debug=1 (%d bytes): memstats %r, HeapInuse %r vs %r" % (size, big["facts"].get("memstats"),
          led(big).get("heap in use (HeapInuse)"), led(orig).get("heap in use (HeapInuse)")))
    sys.exit(1)
PY
# growth: several bundles of one target are one series; of different
# targets they are refused unless --force; --base joins the series
C2=$SRCDIR/bundles/case2-unclosed-body.tgz C3=$SRCDIR/bundles/case3-etcd-watch.tgz
out=$("$TRIAGE" analyze "$C2" "$C3" 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] && grep -q "different targets" <<<"$out" && ok "bundles of different targets are refused" ||
	bad "different targets: exit $rc: $out"
"$TRIAGE" analyze --force --format json -o "$W/series.json" "$C3" "$C2" || bad "--force series: exit $?"
"$TRIAGE" analyze --format json --base "$C2" -o "$W/self.json" "$C2" || bad "--base itself: exit $?"
python3 - "$W/series.json" "$W/self.json" "$C3" <<'PY' && ok "a series of bundles is ordered by time, the newest analyzed" || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
g = d["growth"] or {}
ids = [r["id"] for r in g.get("rows", [])]
bad = []
if d["bundle"] != sys.argv[3]: bad.append("analyzed %s, want the newest" % d["bundle"])
if ids != ["case2-unclosed-body.tgz:000", "case2-unclosed-body.tgz:001", "case3-etcd-watch.tgz:000", "case3-etcd-watch.tgz:001"]:
    bad.append("rows %r" % ids)
if not (g.get("span", 0) > 30 and g.get("headline", {}).get("slope_per_min")): bad.append("span/slope %r" % g.get("summary"))
s = json.load(open(sys.argv[2]))["growth"] or {}
if s.get("n") != 2: bad.append("--base with the same bundle: %r samples, want 2" % s.get("n"))
for b in bad: print("FAIL: series: " + b)
sys.exit(1 if bad else 0)
PY
# two samples a second apart: a rate, but no verdict, and the leak rules do not call it growth
python3 - "$C2" "$W/short.tgz" <<'PY'
import io, json, sys, tarfile
src, dst = tarfile.open(sys.argv[1]), tarfile.open(sys.argv[2], "w:gz")
for m in src.getmembers():
    data = src.extractfile(m).read()
    if m.name == "manifest.json":
        # samples/001 one second after samples/000, whenever the bundle was made
        import datetime
        d = json.loads(data)
        fmt = "%Y-%m-%dT%H:%M:%S.%fZ"
        t0 = min(datetime.datetime.strptime(a["start"], fmt) for a in d["artifacts"]
                 if a["path"].startswith("samples/000/"))
        one = (t0 + datetime.timedelta(seconds=1)).strftime(fmt)[:-4] + "Z"
        for a in d["artifacts"]:
            if a["path"].startswith("samples/001/"):
                a["start"] = one
        data = json.dumps(d).encode()
    info = tarfile.TarInfo(m.name); info.size = len(data); info.mode = 0o600
    dst.addfile(info, io.BytesIO(data))
dst.close()
PY
"$TRIAGE" analyze --format json -o "$W/short.json" "$W/short.tgz" || bad "short series: exit $?"
python3 - "$W/short.json" <<'PY' && ok "too short a span: cannot decide, with the reason" || fail=1
import json, sys
g = json.load(open(sys.argv[1]))["growth"] or {}
bad = []
if g.get("verdict") != "cannot decide": bad.append("verdict %r" % g.get("verdict"))
if not any("span only" in r for r in g.get("reasons", [])): bad.append("reasons %r" % g.get("reasons"))
if "trend" in (g.get("heap") or {}) or "projection" in (g.get("headline") or {}): bad.append("a trend or projection anyway")
for b in bad: print("FAIL: short series: " + b)
sys.exit(1 if bad else 0)
PY
exit $fail
