#!/usr/bin/env bash
# The known-issue table's version logic on variants of a real bundle
# (bundles/timer-loop.tgz: time.After in a loop, built with go1.19.8),
# with only buildinfo/buildinfo.json (and proc/environ) rewritten:
#  - go1.23 semantics apply only when the main module's go line is >= 1.23,
#    which build info shows as DefaultGODEBUG without asynctimerchan=1;
#  - GODEBUG=asynctimerchan=1 at run time brings the old timers back.
set -u
: "${TRIAGE:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/workdir.sh" triage-known-issues
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

# variant NAME GO_VERSION DEFAULT_GODEBUG ENV_GODEBUG
variant() {
	python3 - "$SRCDIR/bundles/timer-loop.tgz" "$WORK/$1.tgz" "$2" "$3" "$4" <<'PY'
import io, json, sys, tarfile
src, dst, gover, dflt, env = sys.argv[1:6]
with tarfile.open(src, "r:gz") as tin, tarfile.open(dst, "w:gz", format=tarfile.PAX_FORMAT) as tout:
    for m in tin.getmembers():
        data = tin.extractfile(m).read()
        if m.name == "buildinfo/buildinfo.json":
            bi = json.loads(data)
            bi["go_version"] = gover
            if dflt:
                bi["settings"]["DefaultGODEBUG"] = dflt
            data = (json.dumps(bi, indent=2) + "\n").encode()
        elif m.name == "proc/environ" and env:
            data = ("GODEBUG=" + env + "\0").encode()
        m.size = len(data)
        tout.addfile(m, io.BytesIO(data))
PY
}

# fires NAME: whether go-time-after-in-loop is reported on the variant
fires() {
	"$TRIAGE" analyze --format json "$WORK/$1.tgz" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("yes" if any("time.After" in f["title"] for f in d["findings"] if f["id"] == "libraries-known-issue") else "no")'
}

check() {
	local name=$1 want=$2 what=$3 got
	got=$(fires "$name")
	[ "$got" = "$want" ] && ok "$what" || bad "$what: fired=$got, want $want"
}

variant go119 go1.19.8 "" ""
check go119 yes "go1.19.8: time.After timers stay until they fire"
variant go123-new go1.23.4 "" ""
check go123-new no "go1.23.4 with a main module on go >= 1.23: collected"
variant go123-old go1.23.4 "asynctimerchan=1,gotypesalias=0,httplaxcontentlength=1" ""
check go123-old yes "go1.23.4 with a main module below go 1.23 (DefaultGODEBUG asynctimerchan=1)"
variant go123-env go1.23.4 "" "asynctimerchan=1"
check go123-env yes "go1.23.4 with GODEBUG=asynctimerchan=1 at run time"

# the table's entries all load, with references
n=$("$TRIAGE" rules list | grep -Ec '^[a-z0-9.-]+ +data +built-in +known_issues:')
[ "$n" -ge 25 ] && ok "$n known issues" || bad "only $n known issues"
python3 - "$SRCDIR/plugins/data/known_issues.lua" <<'PY' && ok "every known issue has a reference" || fail=1
import re, sys
text = open(sys.argv[1]).read()
entries = re.split(r"\n  \{\n", text)[1:]
missing = [re.search(r'id = "([^"]+)"', e).group(1) for e in entries if not re.search(r'refs = \{ *"', e)]
if missing:
    print("FAIL entries without refs:", missing)
sys.exit(1 if missing else 0)
PY
exit $fail
