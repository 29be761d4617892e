#!/bin/bash
# The HTML report in a real browser: Debian's chromium, headless, driven by
# playwright-core from npm (tests/browser/, installed by ./setup.sh test).
# For a corpus bundle, a bundle whose names hold markup and a 262k-stack
# heap profile: no console errors, no network requests, each flame graph's
# root equals `triage top --format json`'s total, clicking a frame zooms,
# a search highlights the expected frames, the ledger chart's segments sum
# to the headline, markup shows as text. Screenshots and the pages stay in
# BUILDDIR/html-report/ to be looked at.
#
# Environment: TRIAGE, SRCDIR, BUILDDIR as for the other shell tests.
set -u

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
BUILDDIR=${BUILDDIR:-$SRCDIR/build}
TRIAGE=${TRIAGE:-$BUILDDIR/triage}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMIUM

[ -x "$CHROMIUM" ] || { echo "SKIP: $CHROMIUM not installed (./setup.sh test installs it)"; exit 77; }
command -v node >/dev/null || { echo "SKIP: node not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
[ -d "$SRCDIR/tests/browser/node_modules/playwright-core" ] ||
	{ echo "SKIP: playwright-core not installed (./setup.sh test runs npm install --prefix tests/browser)"; exit 77; }
[ -x "$TRIAGE" ] || { echo "FAIL: triage binary not found at $TRIAGE" >&2; exit 1; }

. "$SRCDIR/tests/workdir.sh" html-report
OUT=$BUILDDIR/html-report
rm -rf "$OUT" && mkdir -p "$OUT" || die "cannot make $OUT"
# chromium wants a writable home for its profile and crash reports
export HOME=$WORK/home
mkdir -p "$HOME"
failed=0

# spec NAME FILE: writes $WORK/NAME.json from the variables below, for check-report.mjs
analyze_html() {
	local name=$1 bundle=$2
	"$TRIAGE" analyze --format html -o "$OUT/$name.html" "$bundle" >/dev/null
	local rc=$?
	[ $rc -le 1 ] || die "triage analyze --format html $bundle: exit $rc"
	"$TRIAGE" analyze --format json "$bundle" >"$WORK/$name.report.json"
	[ $? -le 1 ] || die "triage analyze --format json $bundle"
}

# top_total BUNDLE PROFILE [SAMPLE]: triage top's total for one view
top_total() {
	"$TRIAGE" top --format json --profile "$2" ${3:+--sample-index "$3"} "$1" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["total"])'
}

run_check() {
	local name=$1
	node "$SRCDIR/tests/browser/check-report.mjs" "$WORK/$name.spec.json" | tee "$OUT/$name.log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || failed=1
}

# --- a corpus bundle: casebook case 2, with samples over time -----------------
B=$SRCDIR/bundles/case2-unclosed-body.tgz
analyze_html case2 "$B"
python3 - "$WORK/case2.spec.json" "$OUT/case2.html" "$OUT" "$WORK/case2.report.json" \
	"$(top_total "$B" heap inuse_space)" "$(top_total "$B" heap inuse_objects)" \
	"$(top_total "$B" heap alloc_space)" "$(top_total "$B" cpu)" "$(top_total "$B" goroutine)" \
	"$("$TRIAGE" top --format json -n 1 "$B")" "$(top_total "$B" samples/001/profiles/heap.pb.gz inuse_space)" <<'EOF' || die "case2 spec"
import json, sys
spec, html, out, report, space, objects, alloc, cpu, gor, top, last = sys.argv[1:]
top = json.loads(top)["rows"][0]
json.dump({
    "name": "case2", "html": html, "outdir": out,
    "totals": {"heap-inuse_space": int(space), "heap-inuse_objects": int(objects),
               "heap-alloc_space": int(alloc), "cpu": int(cpu), "goroutine": int(gor),
               # the growth view is drawn with the last sample's widths
               "diff": int(last)},
    "nojs": True,
    "headline": json.load(open(report))["headline"]["bytes"],
    "search": ["bufio", "net/http"], "zoom": True, "readme": "net/http",
    "tooltip": {"name": top["name"], "flat": top["flat"], "cum": top["cum"]},
}, open(spec, "w"))
EOF
run_check case2

# --- markup in function names, the exe path, the module and the host name -------
python3 "$SRCDIR/tests/browser/make-bundle.py" markup "$WORK/markup.tgz" >/dev/null || die "make markup bundle"
analyze_html markup "$WORK/markup.tgz"
python3 - "$WORK/markup.spec.json" "$OUT/markup.html" "$OUT" "$WORK/markup.report.json" \
	"$(top_total "$WORK/markup.tgz" heap inuse_space)" "$("$TRIAGE" top --format json "$WORK/markup.tgz")" <<'EOF' || die "markup spec"
import json, sys
spec, html, out, report, space, top = sys.argv[1:]
names = [r["name"] for r in json.loads(top)["rows"] if "<" in r["name"] or "\u2028" in r["name"]]
assert len(names) >= 2, names
json.dump({
    "name": "markup", "html": html, "outdir": out,
    "totals": {"heap-inuse_space": int(space)},
    "search": ["<script>", "__pwned"], "zoom": True, "markup": names,
}, open(spec, "w"))
EOF
grep -q '&lt;script&gt;window.__pwned' "$OUT/markup.html" || die "the exe path is not escaped in the header"
[ "$(grep -c '<script' "$OUT/markup.html")" -eq 2 ] || die "markup.html has a <script> that is not the page's own"
run_check markup

# --- the large profile: 262k stacks from tests/go/manystacks -------------------
if command -v go >/dev/null; then
	export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local GOWORK=off GO111MODULE=on GOSUMDB=off
	export GOPATH=$WORK/gopath GOCACHE=$BUILDDIR/go-cache
	(cd "$SRCDIR/tests/go/manystacks" && go build -o "$WORK/manystacks" .) || die "go build manystacks"
	"$WORK/manystacks" -stacks 262144 "$WORK" >/dev/null || die "running manystacks"
	python3 "$SRCDIR/tests/browser/make-bundle.py" wrap "$WORK/heap.pb.gz" "$WORK/large.tgz" || die "wrap"
	t0=$(date +%s%N)
	analyze_html large "$WORK/large.tgz"
	t1=$(date +%s%N)
	size=$(stat -c %s "$OUT/large.html")
	echo "large: $(python3 "$SRCDIR/tests/pprof_compare.py" --stacks "$WORK/heap.pb.gz") stacks," \
		"report $size bytes, analyze --format html $(( (t1 - t0) / 1000000 )) ms" | tee "$OUT/large-size.txt"
	# ~3 MB is the aim; the limit leaves room without letting it double
	[ "$size" -le 3500000 ] || { echo "FAIL: large report is $size bytes (> 3.5 MB)"; failed=1; }
	python3 - "$WORK/large.spec.json" "$OUT/large.html" "$OUT" "$WORK/large.report.json" \
		"$(top_total "$WORK/large.tgz" heap inuse_space)" "$(top_total "$WORK/large.tgz" heap alloc_space)" <<'EOF' || die "large spec"
import json, sys
spec, html, out, report, space, alloc = sys.argv[1:]
json.dump({
    "name": "large", "html": html, "outdir": out,
    "totals": {"heap-inuse_space": int(space), "heap-alloc_space": int(alloc)},
    "search": ["main."], "zoom": True,
    # generous on a loaded 2-core machine; the figure itself is printed
    "maxScriptMs": 5000,
}, open(spec, "w"))
EOF
	run_check large
else
	echo "note: go not installed; the large-profile check is skipped"
fi

[ $failed -eq 0 ] || { echo "FAIL: see $OUT/*.log and the screenshots in $OUT"; exit 1; }
echo "PASS: html-report (pages and screenshots in $OUT)"
