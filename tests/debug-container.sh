#!/usr/bin/env bash
# triage collect from a debug container, as kubectl debug --target makes
# one: its own mount and cgroup namespaces, the target's PID namespace
# visible. The target runs in a "container" made with
#   unshare --mount --cgroup --pid --fork --mount-proc
# inside its own v1 memory cgroup (limit 300M), with the cgroup filesystem
# mounted in its mount namespace as a runtime does; the collector runs in a
# sibling: another cgroup, 'unshare --mount --cgroup'. There
# /proc/PID/cgroup names the target's cgroup "/../app", outside the
# collector's cgroup namespace, so collect must find the files through the
# target's own mount (/proc/PID/root/sys/fs/cgroup/memory).
#
# Then the two ways it fails, with what is missing named:
#   - without CAP_SYS_PTRACE (capability dropped, as kubectl debug's
#     baseline/restricted profiles do): the cgroup artifact's error names
#     /proc/PID/root and CAP_SYS_PTRACE
#   - in its own PID namespace (no --target, no hostPID): the same
#     unshare --mount --cgroup --pid --fork --mount-proc as the target's,
#     which cannot see it: "no process with pid" and the hint
# Processes are killed by PID and the cgroups removed on exit.
set -u
: "${TRIAGE:?}" "${SRCDIR:?}"
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root for namespaces and cgroups"; exit 77; }
CG=/sys/fs/cgroup/memory
[ -w "$CG" ] || { echo "skip: no writable cgroup v1 memory hierarchy"; exit 77; }
command -v unshare >/dev/null && command -v setpriv >/dev/null || { echo "skip: no unshare/setpriv (util-linux)"; exit 77; }
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
unshare --mount --cgroup true 2>/dev/null || { echo "skip: cannot create mount and cgroup namespaces here"; exit 77; }

. "$SRCDIR/tests/workdir.sh" triage-debug
TOP=$CG/triage-debug-$$
cleanup_all() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	for d in "$TOP/app" "$TOP/app2" "$TOP/debug" "$TOP"; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do [ -d "$d" ] || break; rmdir "$d" 2>/dev/null && break; sleep 0.2; done
	done
	cleanup
}
trap cleanup_all EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }
ok() { echo "ok   $*"; }

mkdir -p "$TOP/app" "$TOP/app2" "$TOP/debug" || die "cannot create cgroups under $TOP"
echo 300M >"$TOP/app/memory.limit_in_bytes"

# start_app CGROUP [PREFIX...]: the app container: joins its cgroup, then
# new namespaces; inside, the cgroup filesystem mounted as a v1 runtime
# does (a tmpfs at /sys/fs/cgroup, the memory hierarchy in it, whose root
# is the container's cgroup), then sleep, run through PREFIX (setpriv to
# another user). Sets tpid to its PID as seen here.
start_app() {
	local cg=$1 upid
	shift
	(echo "$BASHPID" >"$cg/cgroup.procs" &&
		exec unshare --mount --cgroup --pid --fork --mount-proc \
			sh -c 'mount -t tmpfs -o mode=755 tmpfs /sys/fs/cgroup && mkdir /sys/fs/cgroup/memory &&
				mount -t cgroup -o memory cgroup /sys/fs/cgroup/memory && exec "$@" sleep 300' sh "$@") &
	upid=$!
	PIDS+=("$upid")
	tpid=
	for _ in $(seq 50); do
		tpid=$(cat "/proc/$upid/task/$upid/children" 2>/dev/null | tr -d ' ')
		[ -n "$tpid" ] && [ "$(readlink "/proc/$tpid/exe")" = "$(readlink -f "$(command -v sleep)")" ] && break
		sleep 0.1
	done
	[ -n "$tpid" ] || die "the app container did not start"
	PIDS+=("$tpid")
}
start_app "$TOP/app"

# the debug container: another cgroup, its own mount and cgroup namespaces
debug() { (echo "$BASHPID" >"$TOP/debug/cgroup.procs" && exec unshare --mount --cgroup "$@"); }

view=$(debug cat "/proc/$tpid/cgroup" | grep memory)
[[ "$view" == *":/../app" ]] || fail "the debug container should see the target outside its cgroup namespace, sees '$view'"

# the app is not a Go program: a written bundle without profiles exits 4
debug "$TRIAGE" collect -q --cpu-seconds 0 --timeout 2 -o "$WORK/debug.tgz" "$tpid" >/dev/null 2>"$WORK/debug.err"
rc=$?; [ $rc -eq 0 ] || [ $rc -eq 4 ] || fail "collect from the debug container ($rc): $(cat "$WORK/debug.err")"
"$TRIAGE" show --format json "$WORK/debug.tgz" >"$WORK/m.json" 2>/dev/null
python3 - "$WORK/debug.tgz" "$WORK/m.json" <<'PY' && ok "debug container: cgroup files found through the target's own mount ($view)" || status=1
import json, sys, tarfile
m = json.load(open(sys.argv[2]))
arts = {a["path"]: a for a in m["artifacts"]}
t = tarfile.open(sys.argv[1])
def read(p):
    return t.extractfile(p).read().decode()
ok = True
def check(cond, msg):
    global ok
    if not cond:
        print("FAIL:", msg)
        ok = False
check(arts.get("cgroup/info.json", {}).get("status") == "ok", "cgroup/info.json: %s" % arts.get("cgroup/info.json"))
if arts.get("cgroup/info.json", {}).get("status") == "ok":
    info = json.loads(read("cgroup/info.json"))
    check("found_via" in info and info.get("read_via", "").startswith("/proc/"), "info: %s" % info)
    check(read("cgroup/memory.limit_in_bytes").strip() == str(300 << 20), "limit %s" % read("cgroup/memory.limit_in_bytes"))
    check(arts.get("cgroup/memory.stat", {}).get("status") == "ok", "memory.stat")
sys.exit(0 if ok else 1)
PY

# without CAP_SYS_PTRACE (dropped, as kubectl debug's baseline and restricted
# profiles do): /proc/PID/root is refused, so the cgroup cannot be reached;
# the rest is still collected and the manifest names the missing capability
debug setpriv --inh-caps=-sys_ptrace --bounding-set=-sys_ptrace \
	"$TRIAGE" collect -q --cpu-seconds 0 --timeout 2 -o "$WORK/noptrace.tgz" "$tpid" >/dev/null 2>"$WORK/noptrace.err"
rc=$?
if [ $rc -eq 2 ]; then
	# kernels that also refuse the memory maps stop before collecting
	grep -q "CAP_SYS_PTRACE" "$WORK/noptrace.err" && ok "without CAP_SYS_PTRACE: refused up front, hint names it" ||
		fail "without CAP_SYS_PTRACE: $(cat "$WORK/noptrace.err")"
else
	err=$("$TRIAGE" show "$WORK/noptrace.tgz" 2>&1 | grep "^cgroup/info.json")
	{ [ $rc -eq 0 ] || [ $rc -eq 4 ]; } && [[ "$err" == *"error"*"/proc/$tpid/root"*"CAP_SYS_PTRACE"* ]] &&
		ok "without CAP_SYS_PTRACE: collected what it could; show says: ${err#cgroup/info.json}" |
		tr -s ' ' || fail "without CAP_SYS_PTRACE: rc $rc, $err, $(cat "$WORK/noptrace.err")"
fi

# no capabilities at all but the app's UID (how Pod Security baseline allows
# it): the same-UID ptrace check lets /proc/PID/root through
echo 200M >"$TOP/app2/memory.limit_in_bytes"
app1=$tpid
start_app "$TOP/app2" setpriv --reuid=65534 --regid=65534 --clear-groups --
chmod 1777 "$WORK"
debug setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
	"$TRIAGE" collect -q --cpu-seconds 0 --timeout 2 -o "$WORK/sameuid.tgz" "$tpid" >/dev/null 2>"$WORK/sameuid.err"
rc=$?; [ $rc -eq 0 ] || [ $rc -eq 4 ] || fail "same UID, no capabilities ($rc): $(cat "$WORK/sameuid.err")"
got=$(tar xzf "$WORK/sameuid.tgz" -O cgroup/memory.limit_in_bytes 2>/dev/null)
[ "$got" = $((200 << 20)) ] && ok "same UID, no capabilities: the cgroup found through /proc/PID/root (limit $got)" ||
	fail "same UID, no capabilities: limit '$got'; $("$TRIAGE" show "$WORK/sameuid.tgz" 2>&1 | grep cgroup/info)"
tpid=$app1

# in a PID namespace of its own (no --target, no hostPID): the target is invisible
(echo "$BASHPID" >"$TOP/debug/cgroup.procs" &&
	exec unshare --mount --cgroup --pid --fork --mount-proc \
		"$TRIAGE" collect -q --cpu-seconds 0 -o "$WORK/nopid.tgz" "$tpid") >/dev/null 2>"$WORK/nopid.err"
rc=$?
[ $rc -eq 2 ] && grep -q "no process with pid $tpid" "$WORK/nopid.err" && grep -q "hostPID" "$WORK/nopid.err" &&
	ok "own PID namespace: exit 2, target invisible, hint names --target/hostPID" || fail "own PID namespace: rc $rc: $(cat "$WORK/nopid.err")"

[ $status = 0 ] && echo "debug-container: all passed"
exit $status
