#!/usr/bin/env bash
# make-corpus.sh: regenerate the triage incident corpus in bundles/.
#
# Builds the programs in bundles/programs/ (stdlib, local modules and Debian's
# golang-*-dev modules in /usr/share/gocode/src, through go.mod replace),
# runs each in its own cgroup v1 memory cgroup and network namespace
# (listening on its own 127.0.0.1:6060, like a pod), waits until it has
# reached the state of its incident, collects a bundle with
# `triage collect --samples 2`, stops it, removes the cgroup, and finally
# derives the synthetic kernel-3.10 variant of case 4 with
# tools/synthesize-kernel310.py. See bundles/README.md.
#
# usage: bundles/make-corpus.sh [NAME...]     (default: every bundle)
# env:   TRIAGE   the triage binary (default: build/triage next to bundles/)
#        OUT      where bundles go (default: bundles/)
#        GOCACHE  Go build cache (default: go's own, ~/.cache/go-build)
#
# Needs root, a writable cgroup v1 memory hierarchy at /sys/fs/cgroup/memory,
# go, unshare, ip, python3, (for healthy-prometheus*) prometheus, (for
# healthy-etcd) etcd-server, (for healthy-alertmanager)
# prometheus-alertmanager and (for offheap-fastcache) the Debian package
# golang-github-victoriametrics-fastcache-dev (modules in /usr/share/gocode/src). Every
# process started here ends by itself (-exit-after, timeout) and is also
# killed by PID on exit; every cgroup made here is removed.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
TRIAGE=${TRIAGE:-$ROOT/build/triage}
OUT=${OUT:-$HERE}
CG=/sys/fs/cgroup/memory
ALL=(case1-agent-cache case2-unclosed-body case3-etcd-watch case4-page-cache
	case5-small-objects healthy-service healthy-prometheus
	heap-goal-gogc400 mapped-file offheap-fastcache timer-loop race-build thp-sparse-arena
	healthy-prometheus-2g healthy-etcd healthy-alertmanager)

die() { echo "make-corpus: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (cgroups, network namespaces)"
[ -w "$CG/cgroup.procs" ] && [ -e "$CG/memory.limit_in_bytes" ] || die "no writable cgroup v1 memory hierarchy at $CG"
[ -x "$TRIAGE" ] || die "no triage binary at $TRIAGE (set TRIAGE)"
for t in go unshare ip python3 timeout; do command -v $t >/dev/null || die "$t not found"; done

NAMES=("$@")
[ ${#NAMES[@]} -gt 0 ] || NAMES=("${ALL[@]}")
for n in "${NAMES[@]}"; do
	[[ " ${ALL[*]} " == *" $n "* ]] || die "unknown bundle '$n' (one of: ${ALL[*]})"
done

# The work directory is on a disk file system (case 4's page cache must be
# file pages, not tmpfs/shmem).
W=$(mktemp -d /var/tmp/triage-corpus.XXXXXX) || die "mktemp"
PIDS=() CGS=()
cleanup() {
	local p c i
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for c in "${CGS[@]}"; do
		for i in 1 2 3 4 5 6 7 8 9 10; do
			[ -d "$c" ] || break
			rmdir "$c" 2>/dev/null && break
			sleep 0.2
		done
		[ -d "$c" ] && echo "make-corpus: could not remove $c" >&2
	done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=0
T0=$(date +%s)
log() { printf '[%3ds] %s\n' $(( $(date +%s) - T0 )) "$*"; }

# build NAME PACKAGE BINARY: the binary's name is what the bundle shows as exe
build() {
	log "build $1 -> $3"
	(cd "$HERE/programs/$1" && go build -trimpath -buildvcs=false -o "$W/bin/$3" "$2") || die "go build $1"
}

# start NAME LIMIT_BYTES CMD...: runs CMD in a new memory cgroup with the
# limit and a new network namespace; sets TPID (the target's PID).
start() {
	local name=$1 limit=$2 cg
	shift 2
	cg=$CG/triage-corpus-$$-$name
	mkdir "$cg" || die "mkdir $cg"
	CGS+=("$cg")
	echo "$limit" > "$cg/memory.limit_in_bytes" || die "limit on $cg"
	# unshare execs (no fork): $! is sh, which joins the cgroup and execs CMD
	unshare --net sh -c 'echo $$ > "$1/cgroup.procs" && ip link set lo up && shift && exec "$@"' \
		sh "$cg" "$@" > "$W/$name.out" 2>&1 &
	TPID=$!
	PIDS+=("$TPID")
	CUR_CG=$cg
}

# wait_line NAME REGEX SECONDS: until the program's output has a line matching REGEX
wait_line() {
	local i
	for i in $(seq $(( $3 * 10 ))); do
		grep -Eq "$2" "$W/$1.out" && return 0
		kill -0 "$TPID" 2>/dev/null || { cat "$W/$1.out" >&2; die "$1 exited before '$2'"; }
		sleep 0.1
	done
	cat "$W/$1.out" >&2
	die "$1: no '$2' within $3 s"
}

# collect NAME PID INTERVAL: two samples INTERVAL seconds apart, 2 s of CPU profile
collect() {
	local name=$1 pid=$2 interval=$3 cg=$CUR_CG
	log "$name: usage $(( $(cat "$cg/memory.usage_in_bytes") >> 20 )) MiB of $(( $(cat "$cg/memory.limit_in_bytes") >> 20 )) MiB; collecting (pid $pid)"
	# into the work directory first: an interrupted collection (Ctrl-C makes
	# triage write what it has) never replaces a good bundle
	"$TRIAGE" collect -q --samples 2 --interval "$interval" --cpu-seconds 2 -o "$W/$name.tgz" "$pid" > "$W/$name.collect" 2>&1 ||
		{ cat "$W/$name.collect" >&2; die "$name: triage collect failed"; }
	tar -xzOf "$W/$name.tgz" manifest.json | grep -q '"interrupted": *false' || die "$name: collection was interrupted"
	chmod 0644 "$W/$name.tgz"
	mv -f "$W/$name.tgz" "$OUT/$name.tgz" || die "$name: cannot move the bundle to $OUT"
	log "$name: $(stat -c %s "$OUT/$name.tgz") bytes -> $OUT/$name.tgz"
}

# collect_small NAME PID: one snapshot, 1 s of CPU profile: a small bundle
collect_small() {
	local name=$1 pid=$2 cg=$CUR_CG
	log "$name: usage $(( $(cat "$cg/memory.usage_in_bytes") >> 20 )) MiB of $(( $(cat "$cg/memory.limit_in_bytes") >> 20 )) MiB; collecting (pid $pid)"
	"$TRIAGE" collect -q --cpu-seconds 1 -o "$W/$name.tgz" "$pid" > "$W/$name.collect" 2>&1 ||
		{ cat "$W/$name.collect" >&2; die "$name: triage collect failed"; }
	tar -xzOf "$W/$name.tgz" manifest.json | grep -q '"interrupted": *false' || die "$name: collection was interrupted"
	chmod 0644 "$W/$name.tgz"
	mv -f "$W/$name.tgz" "$OUT/$name.tgz" || die "$name: cannot move the bundle to $OUT"
	log "$name: $(stat -c %s "$OUT/$name.tgz") bytes -> $OUT/$name.tgz"
}

# daemon NAME LIMIT_BYTES EXE ARGS...: a packaged service that does not end
# by itself, in a new memory cgroup and network namespace under timeout
# (outside the cgroup); sets TPID (timeout) and DPID (the service).
daemon() {
	local name=$1 limit=$2 exe=$3 cg
	shift 2
	command -v "$exe" >/dev/null || die "$exe not found"
	cg=$CG/triage-corpus-$$-$name
	mkdir "$cg" || die "mkdir $cg"
	CGS+=("$cg")
	CUR_CG=$cg
	echo "$limit" > "$cg/memory.limit_in_bytes" || die "limit on $cg"
	timeout -k 5 150 unshare --net sh -c 'echo $$ > "$1/cgroup.procs" && ip link set lo up && shift && exec "$@"' \
		sh "$cg" "$@" > "$W/$name.out" 2>&1 &
	TPID=$!
	PIDS+=("$TPID")
	DPID=
	for _ in $(seq 50); do
		DPID=$(cat "/proc/$TPID/task/$TPID/children" 2>/dev/null | awk '{print $1}')
		[ -n "$DPID" ] && [ "$(readlink "/proc/$DPID/exe")" = "$(command -v "$exe")" ] && break
		DPID=
		sleep 0.1
	done
	[ -n "$DPID" ] || die "$exe did not start"
	PIDS+=("$DPID")
}

# stop_daemon: TERM the service (timeout reaps it), then stop timeout and the cgroup
stop_daemon() {
	kill -TERM "$DPID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$DPID" 2>/dev/null && kill -KILL "$DPID"
	forget "$DPID"
	stop $TPID
}

# forget PID: no longer ours to kill (it was waited for)
forget() {
	local p keep=()
	for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	PIDS=("${keep[@]}")
}

# stop PID: TERM, then KILL after 5 s; reap it; then remove the current cgroup
stop() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	forget "$pid"
	for i in $(seq 20); do rmdir "$CUR_CG" 2>/dev/null && break; sleep 0.2; done
	[ -d "$CUR_CG" ] && die "could not remove $CUR_CG"
	forget_cg "$CUR_CG"
}

forget_cg() {
	local c keep=()
	for c in "${CGS[@]}"; do [ "$c" = "$1" ] || keep+=("$c"); done
	CGS=("${keep[@]}")
}

MiB=$((1 << 20))
ADDR=127.0.0.1:6060

for name in "${NAMES[@]}"; do
	case $name in
	case1-agent-cache)
		# the rancher agent: 512 MiB; ~250 cached lists of ~250 KB at ready,
		# +12 lists and +60 leaked sessions a second after
		build case1-agent-cache ./cmd/agent agent
		start $name $((512 * MiB)) "$W/bin/agent" -addr $ADDR -exit-after 120s
		wait_line $name '^ready' 60
		sleep 6
		collect $name $TPID 8
		stop $TPID
		;;
	case2-unclosed-body)
		# 60 HTTPS downloads a second, 90% answered 403 and never closed: 256 MiB
		build case2-unclosed-body . asset-sync
		start $name $((256 * MiB)) "$W/bin/asset-sync" -addr $ADDR -exit-after 120s
		wait_line $name '^ready' 60
		sleep 15
		collect $name $TPID 8
		stop $TPID
		;;
	case3-etcd-watch)
		# 2500 contended etcd locks a second, each leaving a watch stream: 512 MiB
		build case3-etcd-watch . kube-odin
		start $name $((512 * MiB)) "$W/bin/kube-odin" -addr $ADDR -exit-after 120s
		wait_line $name '^ready' 60
		sleep 15
		collect $name $TPID 8
		stop $TPID
		;;
	case4-page-cache)
		# 172 MiB of assets re-read by every job plus output files, in 192 MiB
		build case4-page-cache . render-service
		mkdir -p "$W/render"
		start $name $((192 * MiB)) "$W/bin/render-service" -addr $ADDR -exit-after 120s -dir "$W/render" \
			-assets-mb 172 -keep 6
		wait_line $name '^ready' 60
		sleep 15
		collect $name $TPID 8
		stop $TPID
		rm -rf "$W/render"
		;;
	case5-small-objects)
		# 5500 exec probes back to back, then 60 a second: ~2 million small objects, 512 MiB
		build case5-small-objects . edge-kubelet
		start $name $((512 * MiB)) "$W/bin/edge-kubelet" -addr $ADDR -exit-after 120s
		wait_line $name '^ready' 90
		sleep 3
		collect $name $TPID 8
		stop $TPID
		;;
	healthy-service)
		build healthy-service . catalog-api
		start $name $((256 * MiB)) "$W/bin/catalog-api" -addr $ADDR -exit-after 120s
		wait_line $name '^ready' 60
		sleep 20
		collect $name $TPID 8
		stop $TPID
		;;
	healthy-prometheus)
		command -v prometheus >/dev/null || die "prometheus not found (apt-get install prometheus)"
		mkdir -p "$W/prom-data"
		cat > "$W/prometheus.yml" <<-EOF
		global:
		  scrape_interval: 1s
		  evaluation_interval: 1s
		scrape_configs:
		  - job_name: prometheus
		    static_configs:
		      - targets: ['$ADDR']
		EOF
		# prometheus does not end by itself: timeout (outside the cgroup) ends it
		cg=$CG/triage-corpus-$$-$name
		mkdir "$cg" || die "mkdir $cg"
		CGS+=("$cg")
		CUR_CG=$cg
		echo $((512 * MiB)) > "$cg/memory.limit_in_bytes"
		timeout -k 5 120 unshare --net sh -c 'echo $$ > "$1/cgroup.procs" && ip link set lo up && shift && exec "$@"' \
			sh "$cg" prometheus --config.file="$W/prometheus.yml" --storage.tsdb.path="$W/prom-data" \
			--web.listen-address=$ADDR > "$W/$name.out" 2>&1 &
		TPID=$!
		PIDS+=("$TPID")
		ppid=
		for _ in $(seq 50); do
			ppid=$(cat "/proc/$TPID/task/$TPID/children" 2>/dev/null | awk '{print $1}')
			[ -n "$ppid" ] && [ "$(readlink "/proc/$ppid/exe")" = /usr/bin/prometheus ] && break
			sleep 0.1
		done
		[ -n "$ppid" ] || die "prometheus did not start"
		PIDS+=("$ppid")
		wait_line $name 'Server is ready to receive web requests' 60
		sleep 10
		collect $name "$ppid" 8
		kill -TERM "$ppid" 2>/dev/null # prometheus (not our child: timeout reaps it)
		for _ in $(seq 50); do kill -0 "$ppid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$ppid" 2>/dev/null && kill -KILL "$ppid"
		forget "$ppid"
		stop $TPID
		rm -rf "$W/prom-data"
		;;
	heap-goal-gogc400)
		# ~240 MiB of live sessions, 400 MiB/s of garbage, GOGC=400 and no
		# GOMEMLIMIT in 1.5 GiB: the heap goal is ~5x live, ~1.2 GiB
		build gogc400 . session-store
		start $name $((1536 * MiB)) env GOGC=400 "$W/bin/session-store" -addr $ADDR -exit-after 120s
		wait_line $name '^ready' 60
		sleep 15
		collect_small $name $TPID
		stop $TPID
		;;
	mapped-file)
		# a 600 MB data file written, mapped read-only and read whole, in 2 GiB
		build mapped-file . geo-lookup
		mkdir -p "$W/geo"
		start $name $((2048 * MiB)) "$W/bin/geo-lookup" -addr $ADDR -exit-after 120s -file "$W/geo/GeoLite2-City.mmdb" \
			-size-mb 600
		wait_line $name '^ready' 90
		sleep 3
		collect_small $name $TPID
		stop $TPID
		rm -rf "$W/geo"
		;;
	offheap-fastcache)
		# github.com/VictoriaMetrics/fastcache from Debian: 400 MiB in mmap'd chunks, in 1 GiB
		build offheap-fastcache . token-cache
		start $name $((1024 * MiB)) "$W/bin/token-cache" -addr $ADDR -exit-after 120s -max-mb 512 -fill-mb 400
		wait_line $name '^ready' 60
		sleep 3
		collect_small $name $TPID
		stop $TPID
		;;
	timer-loop)
		# 40,000 events a second through select { case out <- ev: case <-time.After(time.Minute): }
		# with Go 1.19: every timer stays in the heap for its minute
		build timer-loop . event-relay
		start $name $((512 * MiB)) "$W/bin/event-relay" -addr $ADDR -exit-after 120s
		wait_line $name '^ready' 60
		sleep 20
		collect_small $name $TPID
		stop $TPID
		;;
	race-build)
		# the healthy catalog service, built with -race (cgo), in 512 MiB
		log "build healthy-service -race -> catalog-api"
		(cd "$HERE/programs/healthy-service" && CGO_ENABLED=1 go build -race -trimpath -buildvcs=false \
			-o "$W/bin/catalog-api-race" .) || die "go build -race healthy-service"
		start $name $((512 * MiB)) "$W/bin/catalog-api-race" -addr $ADDR -exit-after 120s
		wait_line $name '^ready' 60
		sleep 20
		collect_small $name $TPID
		stop $TPID
		;;
	thp-sparse-arena)
		# 12,000 64-byte slots hashed over a 768 MiB table advised MADV_HUGEPAGE, in 1 GiB
		build thp-sparse-arena . slot-index
		start $name $((1024 * MiB)) "$W/bin/slot-index" -addr $ADDR -exit-after 120s
		wait_line $name '^ready' 60
		sleep 3
		collect_small $name $TPID
		stop $TPID
		;;
	healthy-prometheus-2g)
		# Debian's prometheus scraping itself, in 2 GiB
		mkdir -p "$W/prom2-data"
		cat > "$W/prometheus2.yml" <<-EOF
		global:
		  scrape_interval: 1s
		scrape_configs:
		  - job_name: prometheus
		    static_configs:
		      - targets: ['$ADDR']
		EOF
		daemon $name $((2048 * MiB)) prometheus --config.file="$W/prometheus2.yml" \
			--storage.tsdb.path="$W/prom2-data" --web.listen-address=$ADDR
		wait_line $name 'Server is ready to receive web requests' 60
		sleep 10
		collect_small $name "$DPID"
		stop_daemon
		rm -rf "$W/prom2-data"
		;;
	healthy-etcd)
		# Debian's etcd-server 3.4, a one-member cluster with pprof on its client port, in 2 GiB
		mkdir -p "$W/etcd-data"
		daemon $name $((2048 * MiB)) etcd --data-dir "$W/etcd-data" --enable-pprof \
			--listen-client-urls http://$ADDR --advertise-client-urls http://$ADDR \
			--listen-peer-urls http://127.0.0.1:2380
		wait_line $name 'ready to serve client requests' 60
		sleep 10
		collect_small $name "$DPID"
		stop_daemon
		rm -rf "$W/etcd-data"
		;;
	healthy-alertmanager)
		# Debian's prometheus-alertmanager 0.25 with a null receiver, in 2 GiB
		mkdir -p "$W/am-data"
		cat > "$W/alertmanager.yml" <<-EOF
		route:
		  receiver: 'null'
		receivers:
		  - name: 'null'
		EOF
		daemon $name $((2048 * MiB)) prometheus-alertmanager --config.file="$W/alertmanager.yml" \
			--storage.path="$W/am-data" --web.listen-address=$ADDR --cluster.listen-address=
		wait_line $name 'Listening' 60
		sleep 10
		collect_small $name "$DPID"
		stop_daemon
		rm -rf "$W/am-data"
		;;
	esac
done

if [[ " ${NAMES[*]} " == *" case4-page-cache "* ]]; then
	log "case4-page-cache-synthetic-kernel3.10: from case4-page-cache.tgz"
	python3 "$HERE/tools/synthesize-kernel310.py" "$OUT/case4-page-cache.tgz" \
		"$OUT/case4-page-cache-synthetic-kernel3.10.tgz" || die "synthesize-kernel310.py failed"
	chmod 0644 "$OUT/case4-page-cache-synthetic-kernel3.10.tgz"
fi
log "done"
