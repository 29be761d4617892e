#!/usr/bin/env bash
# Pod identity on real cgroups: v1 memory cgroups created here, nested under
# the names the kubelet's cgroupfs and systemd drivers and the runtimes
# (containerd, CRI-O, Docker) give them, with a real process (sleep) in
# each; triage collect on each process must record the pod UID, QoS class,
# container ID, runtime and driver in the manifest, and show and analyze
# must print them. Everything lives under one cgroup named after this
# test's PID, so it can run beside other tests; processes are killed by PID
# and the cgroups removed on exit.
set -u
: "${TRIAGE:?}" "${SRCDIR:?}"
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root for cgroups"; exit 77; }
CG=/sys/fs/cgroup/memory
[ -w "$CG" ] || { echo "skip: no writable cgroup v1 memory hierarchy"; exit 77; }
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }

. "$SRCDIR/tests/workdir.sh" triage-pod
TOP=$CG/triage-pod-$$
CGS=()
cleanup_cgroups() {
	local i p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	# deepest first; rmdir fails with EBUSY until a killed task has left
	for ((i = ${#CGS[@]} - 1; i >= 0; i--)); do
		for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "${CGS[$i]}" 2>/dev/null && break; sleep 0.2; done
	done
	cleanup
}
trap cleanup_cgroups EXIT

status=0
fail() { echo "FAIL: $*"; status=1; }

# mkcg REL: creates $TOP/REL and every parent, remembering them for removal
mkcg() {
	local rel=$1 path=$TOP part
	[ -d "$TOP" ] || { mkdir "$TOP" && CGS+=("$TOP"); } || return 1
	IFS=/ read -ra parts <<<"$rel"
	for part in "${parts[@]}"; do
		path=$path/$part
		[ -d "$path" ] || { mkdir "$path" && CGS+=("$path"); } || return 1
	done
}

UID1=11111111-2222-3333-4444-555555555501
UID2=11111111-2222-3333-4444-555555555502
UID3=11111111-2222-3333-4444-555555555503
UID4=11111111-2222-3333-4444-555555555504
UID5=11111111-2222-3333-4444-555555555505
UID6=11111111-2222-3333-4444-555555555506
us() { echo "${1//-/_}"; }
CID=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd

# name | cgroup below $TOP | uid | qos | container | runtime ("" none) | driver
cases=(
	"cgroupfs-containerd|kubepods/burstable/pod$UID1/$CID|$UID1|Burstable|$CID||cgroupfs"
	"cgroupfs-guaranteed|kubepods/pod$UID2/$CID|$UID2|Guaranteed|$CID||cgroupfs"
	"cgroupfs-crio|kubepods/besteffort/pod$UID3/crio-$CID|$UID3|BestEffort|$CID|cri-o|cgroupfs"
	"systemd-containerd|kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$(us $UID4).slice/cri-containerd-$CID.scope|$UID4|Burstable|$CID|containerd|systemd"
	"systemd-crio|kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$(us $UID5).slice/crio-$CID.scope|$UID5|BestEffort|$CID|cri-o|systemd"
	"systemd-docker|kubepods.slice/kubepods-pod$(us $UID6).slice/docker-$CID.scope|$UID6|Guaranteed|$CID|docker|systemd"
)

for c in "${cases[@]}"; do
	IFS='|' read -r name rel uid qos cid runtime driver <<<"$c"
	mkcg "$rel" || { fail "$name: cannot create $TOP/$rel"; continue; }
	# the subshell joins the cgroup, then becomes sleep (same PID)
	(echo "$BASHPID" >"$TOP/$rel/cgroup.procs" && exec sleep 300) &
	pid=$!
	PIDS+=("$pid")
	for _ in $(seq 50); do grep -q "$rel" "/proc/$pid/cgroup" 2>/dev/null && break; sleep 0.1; done
	grep -q "memory:.*$rel" "/proc/$pid/cgroup" || { fail "$name: $pid did not join $rel"; continue; }

	b=$WORK/$name.tgz
	# sleep is not a Go program: the bundle is written and the exit status
	# says it holds no profile (4)
	"$TRIAGE" collect -q --cpu-seconds 0 --timeout 2 --deadline 30 -o "$b" "$pid" >/dev/null 2>"$WORK/$name.err"
	rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 4 ] || { fail "$name: collect failed ($rc): $(cat "$WORK/$name.err")"; continue; }
	"$TRIAGE" show --format json "$b" >"$WORK/$name.json" || { fail "$name: show --format json"; continue; }
	got=$(python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["target"].get("pod") or {}
print("|".join(p.get(k, "") for k in ("uid", "qos_class", "container_id", "runtime", "cgroup_driver")))
' "$WORK/$name.json")
	want="$uid|$qos|$cid|$runtime|$driver"
	[ "$got" = "$want" ] || fail "$name: manifest pod is '$got', want '$want'"
	"$TRIAGE" show "$b" | grep -q "^pod: *$uid  container $cid  runtime ${runtime:--}  QoS $qos" ||
		fail "$name: show lacks the pod line: $("$TRIAGE" show "$b" | grep pod)"
	[ "$got" = "$want" ] && echo "ok   $name: $got"
done

# the reports carry it (the last bundle: systemd, docker)
"$TRIAGE" analyze --rule-timeout 0 "$b" >"$WORK/report.txt" 2>&1 || fail "analyze text: $(tail -3 "$WORK/report.txt")"
grep -q "^kubernetes: pod $UID6 container ${CID:0:12} (docker, Guaranteed, systemd driver)" "$WORK/report.txt" ||
	fail "text report lacks the pod: $(head -4 "$WORK/report.txt")"
"$TRIAGE" analyze --rule-timeout 0 --format markdown "$b" 2>/dev/null | grep -q "^\*\*Kubernetes:\*\* pod $UID6" ||
	fail "markdown report lacks the pod"
"$TRIAGE" analyze --rule-timeout 0 --format json "$b" 2>/dev/null |
	python3 -c 'import json,sys; assert json.load(sys.stdin)["pod"]["uid"] == sys.argv[1]' "$UID6" ||
	fail "json report lacks the pod"

# a process outside any pod gets no pod key
(exec sleep 300) &
PIDS+=("$!")
"$TRIAGE" collect -q --cpu-seconds 0 --timeout 2 -o "$WORK/plain.tgz" "$!" >/dev/null 2>&1
rc=$?; [ $rc -eq 0 ] || [ $rc -eq 4 ] || fail "plain collect ($rc)"
"$TRIAGE" show --format json "$WORK/plain.tgz" | python3 -c 'import json,sys; assert "pod" not in json.load(sys.stdin)["target"]' ||
	fail "a process outside pods has a pod in its manifest"

[ $status = 0 ] && echo "pod-e2e: all passed"
exit $status
