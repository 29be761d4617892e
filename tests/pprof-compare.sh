#!/bin/bash
# Compare `triage top` with `go tool pprof -top` on real profiles: those
# written by the Go programs in tests/go/ (built here, offline), those served
# by a local Prometheus (if installed), and the shipped bundles/*.pb.gz.
# The comparing is done by tests/pprof_compare.py (see its docstring for the
# exact commands and what is compared).
#
# Environment: TRIAGE (binary), SRCDIR (source root), BUILDDIR (build root;
# the Go build cache is kept in $BUILDDIR/go-cache).
# Optional: SAVE_PROMETHEUS_DIR=DIR copies the fetched Prometheus profiles
# there (used to make bundles/prometheus-*.pb.gz).
# Exit: 0 all comparisons passed, 1 a comparison or a step failed, 77 skip
# (no Go toolchain or no python3).
set -u

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
TRIAGE=${TRIAGE:-${BUILDDIR:-$SRCDIR/build}/triage}

command -v go >/dev/null || { echo "SKIP: go not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: curl not installed"; exit 77; }
if [ ! -x "$TRIAGE" ]; then
	echo "FAIL: triage binary not found at $TRIAGE" >&2
	exit 1
fi

. "$SRCDIR/tests/workdir.sh" pprof-compare

# --- offline Go environment ---------------------------------------------------
export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local GOWORK=off GO111MODULE=on
export GOSUMDB=off
export GOPATH=$WORK/gopath
if [ -n "${BUILDDIR:-}" ] && mkdir -p "$BUILDDIR/go-cache" 2>/dev/null; then
	export GOCACHE=$BUILDDIR/go-cache
else
	export GOCACHE=$WORK/go-cache
fi

mkdir -p "$WORK/bin" "$WORK/prof"
for prog in alloc-mix goroutines manystacks idle-cpu; do
	(cd "$SRCDIR/tests/go/$prog" && go build -o "$WORK/bin/$prog" .) ||
		die "go build $prog"
done

for prog in alloc-mix goroutines; do
	mkdir -p "$WORK/prof/$prog"
	"$WORK/bin/$prog" "$WORK/prof/$prog" || die "running $prog"
done
mkdir -p "$WORK/prof/idle-cpu"
"$WORK/bin/idle-cpu" "$WORK/prof/idle-cpu/cpu.pb.gz" || die "running idle-cpu"
mkdir -p "$WORK/prof/manystacks"
"$WORK/bin/manystacks" -stacks 100000 "$WORK/prof/manystacks" || die "running manystacks"
# An uncompressed copy: triage must accept raw protobuf input too.
gzip -dc "$WORK/prof/alloc-mix/heap.pb.gz" >"$WORK/prof/alloc-mix/heap.pb" || die "gunzip"

SPECS=(
	"alloc-mix/heap=heap:$WORK/prof/alloc-mix/heap.pb.gz"
	"alloc-mix/heap-uncompressed=heap:$WORK/prof/alloc-mix/heap.pb"
	"alloc-mix/allocs=allocs:$WORK/prof/alloc-mix/allocs.pb.gz"
	"alloc-mix/goroutine=goroutine:$WORK/prof/alloc-mix/goroutine.pb.gz"
	"alloc-mix/cpu=cpu:$WORK/prof/alloc-mix/cpu.pb.gz"
	"alloc-mix/mutex=mutex:$WORK/prof/alloc-mix/mutex.pb.gz"
	"alloc-mix/block=block:$WORK/prof/alloc-mix/block.pb.gz"
	"goroutines/goroutine=goroutine:$WORK/prof/goroutines/goroutine.pb.gz"
	"goroutines/heap=heap:$WORK/prof/goroutines/heap.pb.gz"
	"goroutines/threadcreate=threadcreate:$WORK/prof/goroutines/threadcreate.pb.gz"
	"manystacks/heap=heap:$WORK/prof/manystacks/heap.pb.gz"
	# no samples: pprof prints an empty table, and so must triage
	"idle-cpu/cpu=cpu:$WORK/prof/idle-cpu/cpu.pb.gz"
)

# --- Prometheus ----------------------------------------------------------------
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_prometheus: sets PROM_PID and PROM_URL, or returns 1.
start_prometheus() {
	local port i
	port=$(free_port) || return 1
	mkdir -p "$WORK/prom/data"
	cat >"$WORK/prom/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: self
    static_configs:
      - targets: ["127.0.0.1:$port"]
EOF
	prometheus --config.file="$WORK/prom/prometheus.yml" \
		--storage.tsdb.path="$WORK/prom/data" \
		--web.listen-address="127.0.0.1:$port" \
		>"$WORK/prom/log" 2>&1 &
	PROM_PID=$!
	PIDS+=("$PROM_PID")
	PROM_URL=http://127.0.0.1:$port
	for i in $(seq 1 100); do
		if curl -sf -o /dev/null --max-time 2 "$PROM_URL/-/ready"; then
			return 0
		fi
		kill -0 "$PROM_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill "$PROM_PID" 2>/dev/null && wait "$PROM_PID" 2>/dev/null
	return 1
}

# load: bounded query load (about 3 s) so the CPU profile has samples.
load() {
	local end=$((SECONDS + ${1:-3}))
	while [ "$SECONDS" -lt "$end" ]; do
		curl -s -o /dev/null --max-time 2 "$PROM_URL/metrics"
		curl -s -o /dev/null --max-time 2 \
			"$PROM_URL/api/v1/query?query=sum%20by%20(__name__)(rate({__name__=~%22.%2B%22}[10s]))"
	done
}

if command -v prometheus >/dev/null; then
	started=0
	for attempt in 1 2 3; do
		if start_prometheus; then started=1; break; fi
	done
	if [ $started = 0 ]; then
		tail -n 20 "$WORK/prom/log" >&2
		die "prometheus did not become ready"
	fi
	p=$WORK/prof/prometheus
	mkdir -p "$p"
	# A CPU profile can come back empty when the machine is busy (CI runs
	# the sanitizer build beside this): retry a few times, longer each time.
	for secs in 2 4 6; do
		load $((secs + 1)) &
		LOAD_PID=$!
		PIDS+=("$LOAD_PID")
		curl -sf --max-time 30 -o "$p/cpu.pb.gz" "$PROM_URL/debug/pprof/profile?seconds=$secs" ||
			die "fetching prometheus CPU profile"
		wait "$LOAD_PID"
		# an empty profile is valid (rows: []), but compares nothing useful
		"$TRIAGE" top --format json "$p/cpu.pb.gz" 2>/dev/null |
			python3 -c 'import json, sys; sys.exit(0 if json.load(sys.stdin)["rows"] else 1)' && break
		echo "note: prometheus CPU profile of ${secs}s has no samples; retrying"
	done
	for prof in heap allocs goroutine; do
		curl -sf --max-time 20 -o "$p/$prof.pb.gz" "$PROM_URL/debug/pprof/$prof" ||
			die "fetching prometheus $prof profile"
	done
	kill "$PROM_PID" && wait "$PROM_PID" 2>/dev/null
	if [ -n "${SAVE_PROMETHEUS_DIR:-}" ]; then
		mkdir -p "$SAVE_PROMETHEUS_DIR" && cp "$p"/*.pb.gz "$SAVE_PROMETHEUS_DIR"/ ||
			die "saving prometheus profiles"
	fi
	SPECS+=(
		"prometheus/heap=heap:$p/heap.pb.gz"
		"prometheus/allocs=allocs:$p/allocs.pb.gz"
		"prometheus/goroutine=goroutine:$p/goroutine.pb.gz"
		"prometheus/cpu=cpu:$p/cpu.pb.gz"
	)
else
	echo "SKIP prometheus: not installed (profiles from tests/go/ and bundles/ only)"
fi

# --- shipped bundles -------------------------------------------------------------
for f in "$SRCDIR"/bundles/prometheus-heap.pb.gz; do
	[ -f "$f" ] && SPECS+=("bundles/prometheus-heap=heap:$f")
done
for f in "$SRCDIR"/bundles/prometheus-goroutine.pb.gz; do
	[ -f "$f" ] && SPECS+=("bundles/prometheus-goroutine=goroutine:$f")
done

python3 "$SRCDIR/tests/pprof_compare.py" --triage "$TRIAGE" --jobs 2 "${SPECS[@]}"
