#!/usr/bin/env bash
# triage collect end to end, through the command line, against real Go
# services (tests/go/pprof-target) in their own memory cgroups, one of them
# in its own network namespace, and the faults an SRE meets at 3 a.m.
#
# Only 127.0.0.1 and namespaces made here are used; every process started
# is killed by PID on exit and ends by itself (-exit-after).
set -u
: "${TRIAGE:?}" "${SRCDIR:?}" "${BUILDDIR:?}"
command -v go >/dev/null || { echo "skip: no go"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root for cgroups and namespaces"; exit 77; }
CG=/sys/fs/cgroup/memory
[ -w "$CG" ] || { echo "skip: no writable cgroup v1 memory hierarchy"; exit 77; }

W=$(mktemp -d /tmp/triage-e2e.XXXXXX)
PIDS=() CGS=()
cleanup() {
	local p c
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	for c in "${CGS[@]}"; do rmdir "$c" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=0
export GOCACHE=${GOCACHE:-$BUILDDIR/go-cache}
(cd "$SRCDIR/tests/go/pprof-target" && go build -o "$W/pprof-target" .) || { echo "FAIL: go build"; exit 1; }

status=0
fail() { echo "FAIL: $*"; status=1; }
ok() { echo "ok   $*"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# start_target NAME LIMIT [env...] -- [args...]: runs pprof-target in a new
# memory cgroup with LIMIT bytes; sets TPID and TADDR.
start_target() {
	local name=$1 limit=$2 cg
	shift 2
	cg=$CG/triage-e2e-$$-$name
	mkdir "$cg" && echo "$limit" > "$cg/memory.limit_in_bytes" || return 1
	CGS+=("$cg")
	local envs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' sh "$cg" \
		env "${envs[@]}" "$W/pprof-target" "$@" > "$W/$name.out" 2>&1 &
	TPID=$!
	PIDS+=("$TPID")
	for _ in $(seq 100); do
		TADDR=$(sed -n 's/^listening on //p' "$W/$name.out")
		[ -n "$TADDR" ] && return 0
		sleep 0.05
	done
	return 1
}

entry() { tar -xzOf "$1" "$2" 2>/dev/null; }
manifest_status() { # bundle path -> status
	python3 -c 'import json,sys,tarfile
m=json.load(tarfile.open(sys.argv[1]).extractfile("manifest.json"))
print(next((a["status"]+" "+str(a.get("error") or "") for a in m["artifacts"] if a["path"]==sys.argv[2]), "absent"))' "$1" "$2"
}

# 1. the main case: a service in a 512 MiB cgroup, secrets on its command
#    line and in its environment
start_target main 536870912 GODEBUG=madvdontneed=1 SECRET_TOKEN=hunter2 GOGC=150 -- \
	-goroutines 200 -alloc 16 -exit-after 120s -- --password=hunter2 --token hunter3 --name=ok ||
	{ fail "target did not start"; exit 1; }
out=$W/main.tgz
t0=$(now_ms)
"$TRIAGE" collect --cpu-seconds 1 -o "$out" "$TPID" > "$W/collect.out" 2>&1 || fail "collect exit $?: $(cat "$W/collect.out")"
echo "     collect took $(( $(now_ms) - t0 )) ms with --cpu-seconds 1"
[ -f "$out" ] || { fail "no bundle"; exit 1; }
[ "$(stat -c %a "$out")" = 600 ] && ok "bundle is mode 0600" || fail "bundle mode $(stat -c %a "$out")"
[ "$(head -1 "$W/collect.out")" = "$out" ] && ok "prints the bundle path" || fail "stdout: $(head -1 "$W/collect.out")"
for a in profiles/heap.pb.gz profiles/goroutine.pb.gz profiles/cpu.pb.gz \
	profiles/goroutine-debug2.txt runtime/expvar.json runtime/memstats.json proc/status \
	proc/smaps_rollup proc/maps cgroup/memory.stat cgroup/memory.limit_in_bytes cgroup/info.json \
	host/osrelease host/meminfo buildinfo/buildinfo.json; do
	s=$(manifest_status "$out" "$a")
	[ "${s%% *}" = ok ] || fail "$a: $s"
done
ok "every main artifact ok"
# MemStats from expvar: heap?debug=1 (every heap stack as text) is not asked for
s=$(manifest_status "$out" profiles/heap-debug1.txt)
[[ "$s" == "skipped MemStats came from /debug/vars"* ]] && ok "heap?debug=1 not fetched: MemStats from expvar" ||
	fail "heap-debug1: $s"
for p in heap allocs goroutine cpu; do
	"$TRIAGE" top -p "$p" "$out" > /dev/null 2>&1 || fail "profile $p does not decode"
done
# allocs is not fetched again: it is the heap profile with alloc_space as
# its default sample (as net/http/pprof serves it), recorded as derived
s=$(python3 -c 'import json, sys, tarfile
m = json.load(tarfile.open(sys.argv[1]).extractfile("manifest.json"))
a = next(a for a in m["artifacts"] if a["path"] == "profiles/allocs.pb.gz")
print(a["status"], a.get("derived_from"), a.get("sample_type"), "profiles/allocs.pb.gz" in tarfile.open(sys.argv[1]).getnames())' "$out")
[ "$s" = "derived profiles/heap.pb.gz alloc_space False" ] &&
	cmp -s <("$TRIAGE" top -p allocs "$out") <("$TRIAGE" top -i alloc_space "$out") &&
	"$TRIAGE" top -p allocs "$out" | grep -q "^Type: alloc_space$" &&
	ok "allocs derived from the heap profile: top -p allocs is heap's alloc_space" || fail "derived allocs: $s"
a=$("$TRIAGE" analyze --format json "$out" | python3 -c 'import json, sys; f = json.load(sys.stdin)["facts"]; print(f.get("profiles.allocs"), f.get("profiles.heap"))')
[ "$a" = "ok ok" ] && ok "analyze sees the derived allocs profile" || fail "analyze facts for derived allocs: $a"
mkdir "$W/x" && tar -xzf "$out" -C "$W/x"
go tool pprof -top "$W/x/profiles/heap.pb.gz" > /dev/null 2>&1 && ok "go tool pprof opens the unpacked heap profile" ||
	fail "go tool pprof cannot open profiles/heap.pb.gz"
python3 - "$W/x" "$TPID" <<'PY' || status=1
import json, sys
d, pid = sys.argv[1], int(sys.argv[2])
bad = []
ms = json.load(open(d + "/runtime/memstats.json"))
if not ms.get("HeapSys", 0) > 0: bad.append("HeapSys %r" % ms.get("HeapSys"))
info = json.load(open(d + "/cgroup/info.json"))
if info.get("version") != 1: bad.append("cgroup version %r" % info.get("version"))
if open(d + "/cgroup/memory.limit_in_bytes").read().strip() != "536870912": bad.append("limit")
bi = json.load(open(d + "/buildinfo/buildinfo.json"))
if bi["main"]["path"] != "example.com/triage-test/pprof-target": bad.append("main module %r" % bi["main"]["path"])
env = open(d + "/proc/environ", "rb").read().split(b"\0")
if b"GODEBUG=madvdontneed=1" not in env: bad.append("GODEBUG not kept")
if b"GOGC=150" not in env: bad.append("GOGC not kept")
if any(e.startswith(b"SECRET_TOKEN") for e in env): bad.append("SECRET_TOKEN leaked")
cmd = open(d + "/proc/cmdline", "rb").read()
if b"hunter2" in cmd or b"hunter3" in cmd: bad.append("secret in cmdline")
if b"--name=ok" not in cmd: bad.append("harmless flag lost")
m = json.load(open(d + "/manifest.json"))
if m["target"]["pid"] != pid: bad.append("manifest pid")
if m["target"].get("go_version", "").startswith("go") is False: bad.append("go_version")
if m["format_version"] != "1.0": bad.append("format_version")
import hashlib
for a in m["artifacts"]:
    try:
        data = open(d + "/" + a["path"], "rb").read()
    except FileNotFoundError:
        if a["status"] == "ok": bad.append("missing " + a["path"])
        continue
    if hashlib.sha256(data).hexdigest() != a["sha256"] or len(data) != a["bytes"]:
        bad.append("sha256/bytes of " + a["path"])
for root, dirs, files in __import__("os").walk(d):
    for f in files:
        if b"hunter2" in open(root + "/" + f, "rb").read(): bad.append("hunter2 in " + f)
if bad: print("FAIL: " + "; ".join(bad)); sys.exit(1)
print("ok   MemStats HeapSys > 0, cgroup limit 512 MiB, main module, environ allowlist, cmdline redacted, sha256s")
PY
"$TRIAGE" show "$out" > "$W/show.out" 2>&1 && grep -q "profiles/cpu.pb.gz *ok" "$W/show.out" &&
	ok "triage show lists the artifacts" || fail "show: $(head -5 "$W/show.out")"

# 2. samples over time, and stdout output
"$TRIAGE" collect -q --cpu-seconds 0 --samples 3 --interval 1 -o - "$TPID" > "$W/samples.tgz" 2>"$W/s.err" ||
	fail "samples collect: $(cat "$W/s.err")"
n=$(tar -tzf "$W/samples.tgz" | grep -c '^samples/00[0-2]/profiles/heap.pb.gz$')
[ "$n" = 3 ] && ok "--samples 3 gives samples/000..002" || fail "samples: $n heap profiles"
for a in samples/002/runtime/memstats.json samples/002/proc/status samples/002/cgroup/memory.stat samples/001/profiles/goroutine.pb.gz; do
	[ "$(manifest_status "$W/samples.tgz" "$a" | cut -d' ' -f1)" = ok ] || fail "$a not ok"
done
[ "$(manifest_status "$W/samples.tgz" profiles/cpu.pb.gz | cut -d' ' -f1)" = skipped ] &&
	ok "--cpu-seconds 0 skips the CPU profile" || fail "cpu with --cpu-seconds 0: $(manifest_status "$W/samples.tgz" profiles/cpu.pb.gz)"

# 3. remote mode: --pprof-url only, HTTP sources only
"$TRIAGE" collect -q --cpu-seconds 0 --pprof-url "http://$TADDR/debug/pprof/" -o "$W/remote.tgz" > /dev/null 2>&1 ||
	fail "remote collect"
tar -tzf "$W/remote.tgz" | grep -q '^proc/' && fail "remote mode collected /proc" ||
	{ [ "$(manifest_status "$W/remote.tgz" profiles/heap.pb.gz | cut -d' ' -f1)" = ok ] && ok "remote mode: HTTP sources only"; }

# 3b. triage's own credentials in --pprof-url (userinfo, a query token) reach
#     the target (a query string is kept on every request) but no bundle member
"$TRIAGE" collect -q --cpu-seconds 0 --pprof-url "http://user:PWMARK9@$TADDR/debug/pprof/?token=TOKMARK9" \
	-o "$W/cred.tgz" > /dev/null 2>&1 || fail "collect with credentials in --pprof-url"
if [ "$(manifest_status "$W/cred.tgz" profiles/heap.pb.gz | cut -d' ' -f1)" = ok ] &&
   ! tar -xzOf "$W/cred.tgz" 2>/dev/null | grep -q -e PWMARK9 -e TOKMARK9; then
	ok "--pprof-url credentials and query token: profiles fetched, no member holds them"
else
	fail "--pprof-url credentials: heap $(manifest_status "$W/cred.tgz" profiles/heap.pb.gz), or a member holds them"
fi

# 4. 10,000 goroutines: wall time beyond the CPU seconds
start_target many 1073741824 -- -goroutines 10000 -exit-after 120s || fail "many: target did not start"
t0=$(now_ms)
"$TRIAGE" collect -q --cpu-seconds 1 -o "$W/many.tgz" "$TPID" > /dev/null 2>&1 || fail "many: collect"
t=$(( $(now_ms) - t0 ))
echo "     10,000 goroutines: collect ${t} ms with --cpu-seconds 1 => $(( t - 1000 )) ms beyond the CPU seconds; bundle $(stat -c %s "$W/many.tgz") bytes"
# above the default --goroutine-dump-max (10000) the stop-the-world dump is skipped
s=$(manifest_status "$W/many.tgz" profiles/goroutine-debug2.txt)
[[ "$s" =~ ^skipped\ 100[0-9][0-9]\ goroutines,\ more\ than\ --goroutine-dump-max\ 10000 ]] &&
	ok "many: the goroutine dump skipped above 10000 goroutines" || fail "many: debug2: $s"
# ... and so is the goroutine profile: the census read them from the target's memory
s=$(manifest_status "$W/many.tgz" profiles/goroutine.pb.gz)
[[ "$s" =~ ^skipped\ the\ goroutine\ census\ read\ 100[0-9][0-9]\ goroutines ]] &&
	ok "many: the goroutine profile skipped, the census stands in" || fail "many: goroutine profile: $s"
# without the dump, the goroutine groups come from the census, and the
# pile of parked goroutines is still found (the goroutine profile's
# stand-in is checked by tests/census.sh, on a binary without DWARF)
s=$("$TRIAGE" analyze --format json "$W/many.tgz" | python3 -c 'import json, sys
d = json.load(sys.stdin)
f = [x for x in d["findings"] if x["id"] == "business-goroutine-leak"]
print(d["facts"].get("goroutines"), bool(f and any("goroutine census" in e for e in f[0]["evidence"])))')
[ "$s" = "ok True" ] && ok "many: goroutine groups from the census, the pile found" ||
	fail "many: goroutines fact / leak finding without the dump: $s"
"$TRIAGE" collect -q --cpu-seconds 0 --force -o "$W/many-force.tgz" "$TPID" > /dev/null 2>&1 || fail "many: collect --force"
[ "$(manifest_status "$W/many-force.tgz" profiles/goroutine-debug2.txt | cut -d' ' -f1)" = ok ] &&
	ok "many: --force takes the dump" || fail "many: --force: $(manifest_status "$W/many-force.tgz" profiles/goroutine-debug2.txt)"
# a deadline shorter than the CPU seconds: the profile is cut to fit, and the
# manifest says how many seconds it really covers
"$TRIAGE" collect -q --cpu-seconds 10 --deadline 5 -o "$W/short.tgz" "$TPID" > /dev/null 2>&1 || fail "short: collect"
s=$(python3 -c 'import json, sys, tarfile
m = json.load(tarfile.open(sys.argv[1]).extractfile("manifest.json"))["collection"]
print(m["cpu_seconds"], m["cpu_seconds_profiled"])' "$W/short.tgz")
[ "${s%% *}" = 10 ] && [ "${s##* }" -ge 1 ] && [ "${s##* }" -le 4 ] &&
	ok "deadline 5 s: CPU profile asked 10 s, covers ${s##* } s, and the manifest says so" ||
	fail "deadline: cpu_seconds / cpu_seconds_profiled = $s"
# near the limit (here: a threshold of 1% of the 1 GiB cgroup, so it holds on
# any machine) the CPU profile and the text dumps are skipped, and said so
"$TRIAGE" collect -q --cpu-seconds 1 --near-limit 1 -o "$W/near.tgz" "$TPID" > "$W/near.out" 2>&1 || fail "near: collect"
s=$(python3 -c 'import json, sys, tarfile
m = json.load(tarfile.open(sys.argv[1]).extractfile("manifest.json"))
st = {a["path"]: (a["status"], a.get("error") or "") for a in m["artifacts"]}
n = m["collection"].get("near_limit") or {}
bad = [p for p in ("profiles/cpu.pb.gz", "profiles/goroutine-debug2.txt")
       if st[p][0] != "skipped" or "near the memory limit" not in st[p][1]]
print("ok" if not bad and st["profiles/heap.pb.gz"][0] == "ok" and n.get("threshold") == 1 and n.get("percent", 0) >= 1
      and m["collection"]["cpu_seconds_profiled"] == 0 else "bad %s %s" % (bad, n))' "$W/near.tgz")
[ "$s" = ok ] && grep -q "working set is .* of its limit" "$W/near.out" &&
	ok "near the limit: CPU profile and dumps skipped, heap kept, manifest says so" || fail "near limit: $s $(cat "$W/near.out")"

# 5. a pod: the target in its own network namespace, listening on its 127.0.0.1
cg=$CG/triage-e2e-$$-netns; mkdir "$cg" && echo 268435456 > "$cg/memory.limit_in_bytes"; CGS+=("$cg")
unshare --net sh -c 'echo $$ > "$1/cgroup.procs"; ip link set lo up; exec "$2" -addr 127.0.0.1:6060 -exit-after 60s' \
	sh "$cg" "$W/pprof-target" > "$W/netns.out" 2>&1 &
NPID=$!; PIDS+=("$NPID")
for _ in $(seq 100); do grep -q listening "$W/netns.out" && break; sleep 0.05; done
if [ "$(readlink /proc/$NPID/ns/net)" = "$(readlink /proc/self/ns/net)" ]; then
	fail "netns target is not in its own namespace"
else
	"$TRIAGE" collect -q --cpu-seconds 0 -o "$W/netns.tgz" "$NPID" > /dev/null 2>&1 || fail "netns: collect"
	s=$(manifest_status "$W/netns.tgz" profiles/heap.pb.gz)
	[ "${s%% *}" = ok ] && ok "target in another network namespace reached on its 127.0.0.1:6060" || fail "netns heap: $s"
	[ "$(entry "$W/netns.tgz" cgroup/memory.limit_in_bytes)" = 268435456 ] || fail "netns cgroup limit"
fi

# 6. no pprof endpoint: everything else is there, and the manifest says why
start_target nopprof 268435456 -- -no-pprof -exit-after 60s || fail "no-pprof target"
# the bundle is written, but the exit status (4) and the summary say loudly
# that it holds no profile, and why
err=$("$TRIAGE" collect -q --cpu-seconds 1 -o "$W/nopprof.tgz" "$TPID" 2>&1 > /dev/null); rc=$?
[ $rc -eq 4 ] && [[ "$err" == "triage collect: no profiles: no pprof endpoint found"*"0 of 7 profiles"* ]] &&
	ok "no endpoint: exit 4, summary: $err" || fail "no-pprof: exit $rc: $err"
s=$(manifest_status "$W/nopprof.tgz" profiles/heap.pb.gz)
[[ "$s" == error*"no pprof endpoint"* ]] && ok "no endpoint: $s" || fail "no endpoint: heap is '$s'"
for a in proc/status cgroup/memory.stat host/meminfo buildinfo/buildinfo.json; do
	[ "$(manifest_status "$W/nopprof.tgz" "$a" | cut -d' ' -f1)" = ok ] || fail "no endpoint: $a not ok"
done

# 6b. pprof mounted under a prefix (/admin/debug/pprof/), linked from the
#     server's root page: discovery follows the link
start_target prefixed 268435456 -- -prefix /admin -exit-after 60s || fail "prefixed target"
err=$("$TRIAGE" collect -q --cpu-seconds 0 -o "$W/prefixed.tgz" "$TPID" 2>&1 > /dev/null); rc=$?
s=$(manifest_status "$W/prefixed.tgz" profiles/heap.pb.gz)
[ $rc -eq 0 ] && [ "${s%% *}" = ok ] && entry "$W/prefixed.tgz" pprof/endpoint.json | grep -q '/admin/debug/pprof/' &&
	ok "pprof under /admin/debug/pprof/ found through the root page's link" ||
	fail "prefixed: exit $rc, heap '$s': $err"

# 7. an endpoint that hangs: bounded by --timeout
start_target hang 268435456 -- -hang -exit-after 60s || fail "hang target"
t0=$(now_ms)
"$TRIAGE" collect -q --cpu-seconds 1 --timeout 2 -o "$W/hang.tgz" "$TPID" > /dev/null 2>&1; rc=$?
[ $rc -eq 4 ] || fail "hang: exit $rc (want 4: no profile arrived)"
t=$(( $(now_ms) - t0 ))
s=$(manifest_status "$W/hang.tgz" profiles/heap.pb.gz)
[ $t -lt 8000 ] && [[ "$s" == error* ]] && ok "hanging endpoint: done in ${t} ms, heap '$s'" || fail "hang: ${t} ms, heap '$s'"

# 8. the target exits mid-collection: what was gathered is kept
start_target exits 268435456 -- -exit-after 1500ms || fail "exiting target"
"$TRIAGE" collect -q --cpu-seconds 4 -o "$W/exits.tgz" "$TPID" > /dev/null 2>&1 || fail "exits: exit $?"
[ "$(manifest_status "$W/exits.tgz" proc/status | cut -d' ' -f1)" = ok ] &&
[ "$(manifest_status "$W/exits.tgz" profiles/heap.pb.gz | cut -d' ' -f1)" = ok ] &&
[[ "$(manifest_status "$W/exits.tgz" profiles/cpu.pb.gz)" == error* ]] &&
	ok "target exit mid-collection: early artifacts kept, cpu an error" ||
	fail "exits: proc $(manifest_status "$W/exits.tgz" proc/status) heap $(manifest_status "$W/exits.tgz" profiles/heap.pb.gz) cpu $(manifest_status "$W/exits.tgz" profiles/cpu.pb.gz)"

# 9. a non-Go target
sleep 60 & SPID=$!; PIDS+=("$SPID")
err=$("$TRIAGE" collect -q --cpu-seconds 0 --timeout 1 -o "$W/sleep.tgz" "$SPID" 2>&1 > /dev/null); rc=$?
[ $rc -eq 4 ] && [[ "$err" == "triage collect: process $SPID is not a Go program"* ]] ||
	fail "non-Go: exit $rc: $err"
[[ "$(manifest_status "$W/sleep.tgz" buildinfo/buildinfo.json)" == *"not a Go binary"* ]] &&
[ "$(manifest_status "$W/sleep.tgz" proc/status | cut -d' ' -f1)" = ok ] &&
	ok "non-Go target: bundle written, build info says not a Go binary" || fail "non-Go: $(manifest_status "$W/sleep.tgz" buildinfo/buildinfo.json)"

# 10. PID missing or not permitted: exit 2, clear message, no file
mkdir "$W/empty"
dead=$(sh -c 'echo $$'); sleep 0.1
out=$(cd "$W/empty" && "$TRIAGE" collect "$dead" 2>&1); rc=$?
[ $rc -eq 2 ] && [[ "$out" == *"no process with pid $dead"* ]] && [ -z "$(ls -A "$W/empty")" ] &&
	ok "missing pid: $out" || fail "missing pid: rc $rc: $out"
if command -v setpriv >/dev/null; then
	chmod 777 "$W/empty"
	out=$(cd "$W/empty" && setpriv --reuid=65534 --regid=65534 --clear-groups "$TRIAGE" collect 1 2>&1); rc=$?
	[ $rc -eq 2 ] && [[ "$out" == *"not permitted"* ]] && [ -z "$(ls -A "$W/empty")" ] &&
		ok "not permitted: $out" || fail "not permitted: rc $rc: $out"
fi

# 11. destination not writable: clear error, nothing left behind
out=$("$TRIAGE" collect -q -o /nonexistent-dir/b.tgz "$$" 2>&1); rc=$?
[ $rc -eq 2 ] && [[ "$out" == *"cannot write bundle '/nonexistent-dir/b.tgz'"* ]] && ok "unwritable: $out" ||
	fail "unwritable: rc $rc: $out"
mkdir "$W/ro" && chmod 555 "$W/ro"
setpriv --reuid=65534 --regid=65534 --clear-groups sleep 60 & NPID=$!; PIDS+=("$NPID")
sleep 0.2
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$TRIAGE" collect -q -o "$W/ro/b.tgz" "$NPID" 2>&1); rc=$?
[ $rc -eq 2 ] && [[ "$out" == *"cannot write bundle"*"Permission denied"* ]] && [ -z "$(ls -A "$W/ro")" ] && ok "read-only directory: nothing left ($out)" || fail "ro dir: rc $rc: $out; $(ls -A "$W/ro")"

# 12. Ctrl-C during the CPU profile: stops promptly, writes what it has
start_target sigint 268435456 -- -exit-after 60s || fail "sigint target"
"$TRIAGE" collect -q --cpu-seconds 8 -o "$W/int.tgz" "$TPID" > /dev/null 2>"$W/int.err" &
CPID=$!; PIDS+=("$CPID")
sleep 1.5
t0=$(now_ms)
kill -INT "$CPID"
wait "$CPID"; rc=$?
t=$(( $(now_ms) - t0 ))
if [ $rc -eq 0 ] && [ -f "$W/int.tgz" ] && [ $t -lt 3000 ]; then
	s=$(manifest_status "$W/int.tgz" profiles/heap.pb.gz)
	c=$(manifest_status "$W/int.tgz" profiles/cpu.pb.gz)
	i=$(entry "$W/int.tgz" manifest.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["collection"]["interrupted"])')
	[ "${s%% *}" = ok ] && [[ "$c" == error* ]] && [ "$i" = True ] &&
		ok "SIGINT: stopped in ${t} ms, heap ok, cpu '$c', manifest interrupted" ||
		fail "SIGINT: heap '$s' cpu '$c' interrupted '$i'"
else
	fail "SIGINT: rc $rc, ${t} ms, $(cat "$W/int.err")"
fi
# 13. SIGTERM and SIGHUP (a pod's shutdown, a closed terminal) behave like
#     Ctrl-C: a valid bundle with what was gathered, no temporary file
for sig in TERM HUP; do
	"$TRIAGE" collect -q --cpu-seconds 8 -o "$W/sig$sig.tgz" "$TPID" > /dev/null 2>"$W/sig$sig.err" &
	CPID=$!; PIDS+=("$CPID")
	sleep 1.5
	kill -"$sig" "$CPID"
	wait "$CPID"; rc=$?
	s=$(manifest_status "$W/sig$sig.tgz" profiles/heap.pb.gz)
	[ $rc -eq 0 ] && [ "${s%% *}" = ok ] && "$TRIAGE" show "$W/sig$sig.tgz" > /dev/null &&
		ok "SIG$sig: a valid bundle with what was gathered" || fail "SIG$sig: rc $rc, heap '$s': $(cat "$W/sig$sig.err")"
done
ls "$W"/.*.tgz.* >/dev/null 2>&1 && fail "temporary files left: $(ls -a "$W")"
exit $status
