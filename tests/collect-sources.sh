#!/bin/bash
# The proc, cgroup, host and buildinfo sources on a live Go program: a tiny
# sleeper started in a memory cgroup made here (256 MiB limit), with a
# secret in its environment and on its command line. collect-dump runs the
# sources on it; the limit, the cgroup version, the filtered environment and
# command line and the build info must come out right, and the secrets must
# appear in no artifact at all.
#
# The v1 case runs when /sys/fs/cgroup/memory is a writable v1 memory
# hierarchy; the v2 case when a cgroup2 mount offers the memory controller
# (on a hybrid host where v1 holds memory it cannot, and says so).
#
# Exit 0 when all pass, 1 otherwise, 77 (skip) when not root, without go, or
# without any usable memory cgroup hierarchy.

set -u

: "${BUILDDIR:?BUILDDIR must be set (run through meson test)}"
dump=$BUILDDIR/tests/tools/collect-dump

if [ "$(id -u)" != 0 ]; then
	echo "skip: needs root to create cgroups"
	exit 77
fi
if ! command -v go >/dev/null 2>&1; then
	echo "skip: no go toolchain in PATH"
	exit 77
fi
if [ ! -x "$dump" ]; then
	echo "FAIL: $dump is missing"
	exit 1
fi

v1_root=/sys/fs/cgroup/memory
v2_root=
for d in /sys/fs/cgroup/unified /sys/fs/cgroup; do
	if [ "$(stat -f -c %T "$d" 2>/dev/null)" = cgroup2fs ]; then
		v2_root=$d
		break
	fi
done
have_v1=0
if [ -f "$v1_root/memory.usage_in_bytes" ] && [ -w "$v1_root" ]; then
	have_v1=1
fi
have_v2=0
if [ -n "$v2_root" ] && grep -qw memory "$v2_root/cgroup.controllers" 2>/dev/null; then
	have_v2=1
fi
if [ $have_v1 = 0 ] && [ $have_v2 = 0 ]; then
	echo "skip: no writable v1 memory hierarchy and no cgroup2 mount with the memory controller"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/triage-collect.XXXXXX") || exit 1
pids=()
cgroups=()
cleanup() {
	local p d i

	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	# rmdir fails with EBUSY until the killed task has left the cgroup
	for d in "${cgroups[@]}"; do
		for i in 1 2 3 4 5 6 7 8 9 10; do
			[ -d "$d" ] || break
			rmdir "$d" 2>/dev/null && break
			sleep 0.2
		done
		[ -d "$d" ] && echo "warning: could not remove $d"
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=0
gocache=$(go env GOCACHE 2>/dev/null)
case $gocache in
'' | off) export GOCACHE=$tmp/gocache ;;
esac

status=0
fail() {
	echo "FAIL: $*"
	status=1
}

module=example.com/triage/sleeper
mkdir -p "$tmp/sleeper" || exit 1
cat >"$tmp/sleeper/go.mod" <<EOF
module $module

go 1.19
EOF
cat >"$tmp/sleeper/main.go" <<'EOF'
package main

import "time"

// Holds a little heap so the cgroup has something to account, then waits
// to be killed. The arguments are only there to be redacted.
var keep [][]byte

func main() {
	for i := 0; i < 16; i++ {
		keep = append(keep, make([]byte, 1<<20))
	}
	for {
		time.Sleep(time.Hour)
	}
}
EOF
if ! (cd "$tmp/sleeper" && go build -buildvcs=false -o "$tmp/sleeper-bin" .) >"$tmp/build.log" 2>&1; then
	cat "$tmp/build.log"
	echo "FAIL: cannot build the test program"
	exit 1
fi
bin=$tmp/sleeper-bin

# Starts the sleeper inside the cgroup whose cgroup.procs is $1; sets $pid.
start_in() {
	local procs=$1 i

	# the subshell joins the cgroup, then becomes the program (same pid)
	(echo "$BASHPID" >"$procs" &&
		exec env GODEBUG=madvdontneed=1 SECRET_TOKEN=hunter2 \
			"$bin" --password=hunter2 --token hunter3 --name=ok) &
	pid=$!
	pids+=("$pid")
	for i in $(seq 100); do
		[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$bin" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	return 1
}

cat_art() {
	"$dump" --cat "$1" "$pid"
}

# The checks common to both cgroup versions; $1 names the case.
check_common() {
	local name=$1 path st

	"$dump" "$pid" >"$tmp/list" 2>"$tmp/list.err" || fail "$name: collect-dump exited non-zero"
	cat "$tmp/list.err"

	st=$(awk -F'\t' '$1 == "proc/status" { print $2 }' "$tmp/list")
	[ "$st" = ok ] || fail "$name: proc/status is '$st'"

	cat_art proc/environ | tr '\0' '\n' >"$tmp/environ"
	grep -qx 'GODEBUG=madvdontneed=1' "$tmp/environ" || fail "$name: proc/environ lacks GODEBUG"
	if grep -q 'SECRET_TOKEN\|hunter' "$tmp/environ"; then
		fail "$name: proc/environ leaks: $(cat "$tmp/environ")"
	fi

	cat_art proc/cmdline | tr '\0' '\n' >"$tmp/cmdline"
	grep -qx -- '--name=ok' "$tmp/cmdline" || fail "$name: proc/cmdline lacks --name=ok"
	grep -qx -- '--password=REDACTED' "$tmp/cmdline" || fail "$name: proc/cmdline: $(cat "$tmp/cmdline")"
	if grep -q 'hunter' "$tmp/cmdline"; then
		fail "$name: proc/cmdline leaks: $(cat "$tmp/cmdline")"
	fi

	# no artifact of any source may carry the secrets
	while IFS=$'\t' read -r path _; do
		if cat_art "$path" | grep -aq 'hunter[23]'; then
			fail "$name: $path contains a secret"
		fi
	done <"$tmp/list"

	cat_art buildinfo/buildinfo.json >"$tmp/bi.json"
	if command -v jq >/dev/null 2>&1; then
		got=$(jq -r .main.path "$tmp/bi.json")
	else
		got=$(grep -A1 '"main": {' "$tmp/bi.json" | sed -n 's/.*"path": "\(.*\)",*/\1/p')
	fi
	[ "$got" = "$module" ] || fail "$name: buildinfo main path '$got', want '$module'"
	cat_art buildinfo/go-version-m.txt | grep -q "$(printf '^\tmod\t%s\t' "$module")" ||
		fail "$name: go-version-m.txt lacks the mod line"

	cat_art cgroup/cgroup.procs | grep -qx "$pid" || fail "$name: cgroup/cgroup.procs lacks $pid"
}

# --- v1 ---------------------------------------------------------------------
if [ $have_v1 = 1 ]; then
	cg=$v1_root/triage-test-$$
	if mkdir "$cg" && cgroups+=("$cg") && echo 256M >"$cg/memory.limit_in_bytes"; then
		if start_in "$cg/cgroup.procs"; then
			check_common v1
			got=$(cat_art cgroup/memory.limit_in_bytes)
			[ "$got" = 268435456 ] || fail "v1: memory.limit_in_bytes is '$got'"
			cat_art cgroup/info.json >"$tmp/info.json"
			grep -q '"version": 1,' "$tmp/info.json" || fail "v1: info.json: $(cat "$tmp/info.json")"
			grep -q "\"dir\": \"$cg\"" "$tmp/info.json" || fail "v1: info.json dir is not $cg"
			st=$(awk -F'\t' '$1 == "cgroup/memory.stat" { print $2 }' "$tmp/list")
			[ "$st" = ok ] || fail "v1: cgroup/memory.stat is '$st'"
			[ $status = 0 ] && echo "ok: v1 memory cgroup $cg"
		else
			fail "v1: the test program did not start in $cg"
		fi
	else
		fail "v1: cannot create $cg with a 256M limit"
	fi
else
	echo "note: no writable v1 memory hierarchy at $v1_root; v1 case not run"
fi

# --- v2 ---------------------------------------------------------------------
if [ $have_v2 = 1 ]; then
	cg=$v2_root/triage-test-$$
	if ! grep -qw memory "$v2_root/cgroup.subtree_control"; then
		echo +memory >"$v2_root/cgroup.subtree_control" 2>/dev/null
	fi
	if mkdir "$cg" && cgroups+=("$cg") && [ -f "$cg/memory.max" ] &&
	   echo 268435456 >"$cg/memory.max"; then
		if start_in "$cg/cgroup.procs"; then
			check_common v2
			got=$(cat_art cgroup/memory.max)
			[ "$got" = 268435456 ] || fail "v2: memory.max is '$got'"
			cat_art cgroup/info.json >"$tmp/info.json"
			grep -q '"version": 2,' "$tmp/info.json" || fail "v2: info.json: $(cat "$tmp/info.json")"
			echo "ok: v2 memory cgroup $cg (status so far $status)"
		else
			fail "v2: the test program did not start in $cg"
		fi
	else
		echo "note: cannot enable the memory controller under $v2_root; v2 case not run"
	fi
elif [ -n "$v2_root" ]; then
	echo "note: cgroup2 at $v2_root offers no memory controller" \
		"(controllers: $(cat "$v2_root/cgroup.controllers" 2>/dev/null));" \
		"memory is bound to the v1 hierarchy here, v2 case not run"
else
	echo "note: no cgroup2 mount; v2 case not run"
fi

exit $status
