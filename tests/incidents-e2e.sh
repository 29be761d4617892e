#!/usr/bin/env bash
# Live end to end: two casebook scenarios (unclosed response bodies and the
# etcd watch leak) built from bundles/programs, run in their own memory
# cgroups and network namespaces by bundles/make-corpus.sh, collected with
# triage collect, analyzed, and the top finding's rung and id checked with
# the corpus's own expectations.
set -u
: "${TRIAGE:?}" "${SRCDIR:?}" "${BUILDDIR:?}"
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
[ -w /sys/fs/cgroup/memory/cgroup.procs ] || { echo "skip: no cgroup v1 memory hierarchy"; exit 77; }
for t in go unshare ip python3; do command -v $t >/dev/null || { echo "skip: no $t"; exit 77; }; done
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export GOCACHE=${GOCACHE:-$BUILDDIR/go-cache} GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local
cases=(case2-unclosed-body case3-etcd-watch)
OUT=$W TRIAGE=$TRIAGE bash "$SRCDIR/bundles/make-corpus.sh" "${cases[@]}" || { echo "FAIL: make-corpus"; exit 1; }
for n in "${cases[@]}"; do
	[ -f "$W/$n.tgz" ] || { echo "FAIL: no bundle for $n"; exit 1; }
	mkdir -p "$W/cases/$n"
	python3 - "$SRCDIR/bundles/cases/$n/expect.json" "$W/cases/$n/expect.json" "$n" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["bundle"] = "../../%s.tgz" % sys.argv[3]
json.dump(d, open(sys.argv[2], "w"))
PY
	"$TRIAGE" analyze "$W/$n.tgz" | sed -n '/^FINDINGS/,/^MEMORY/p' | grep '^  #' | head -3
done
out=$("$TRIAGE" rules test "$W/cases"); rc=$?
echo "$out"
[ $rc -eq 0 ] && [ "$(tail -1 <<<"$out")" = "${#cases[@]} passed, 0 failed" ]
