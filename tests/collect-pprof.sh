#!/bin/bash
# The pprof source (core/collect/pprof.c) against a live Go service,
# tests/go/pprof-target, through tests/tools/pprof-fetch:
#   (a) discovery by PID, every artifact ok, profiles decode, MemStats parsed
#   (b) 10,000 goroutines: wall time beyond the CPU seconds
#   (c) endpoints that never answer: bounded time, timeout errors
#   (d) a port that is not pprof: every artifact an error, the tries recorded
#   (e) a target in its own network namespace (root and unshare only)
#   (f) remote mode, URL only
#   (g) the target exits mid-collection
#   (h) SIGINT during the CPU profile
#
# Only 127.0.0.1 and namespaces made here are used. Every process started is
# killed by PID on exit and also ends by itself (-exit-after, timeouts).
# Exit 0 all pass, 1 on failure, 77 without go.

set -u

: "${BUILDDIR:?BUILDDIR must be set (run through meson test)}"
: "${SRCDIR:?SRCDIR must be set (run through meson test)}"
: "${TRIAGE:?TRIAGE must be set (run through meson test)}"
fetch=$BUILDDIR/tests/tools/pprof-fetch

command -v go >/dev/null 2>&1 || { echo "skip: no go toolchain in PATH"; exit 77; }
[ -x "$fetch" ] || { echo "FAIL: $fetch is missing"; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/triage-collect-pprof.XXXXXX") || exit 1
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=0
if [ -w "$BUILDDIR" ]; then
	export GOCACHE=$BUILDDIR/go-cache
else
	export GOCACHE=$WORK/go-cache
fi
target=$WORK/pprof-target
(cd "$SRCDIR/tests/go/pprof-target" && go build -o "$target" .) ||
	{ echo "FAIL: go build pprof-target"; exit 1; }

status=0
fail() {
	echo "FAIL: $*"
	status=1
}
ok() {
	echo "ok   $*"
}

ms() {
	echo $(($(date +%s%N) / 1000000))
}

# start_target NAME [launcher...] -- [target flags...]: sets TPID and TPORT.
start_target() {
	local name=$1 out=$WORK/$1.out i
	shift
	local launcher=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		launcher+=("$1")
		shift
	done
	shift
	"${launcher[@]}" "$target" -exit-after 90s "$@" >"$out" 2>"$WORK/$name.err" &
	TPID=$!
	PIDS+=("$TPID")
	TPORT=
	for i in $(seq 1 100); do
		TPORT=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$out")
		[ -n "$TPORT" ] && return 0
		kill -0 "$TPID" 2>/dev/null || break
		sleep 0.1
	done
	echo "FAIL: $name: the target did not start"
	sed 's/^/    /' "$WORK/$name.err"
	return 1
}

stop_target() {
	kill -KILL "$TPID" 2>/dev/null
	wait "$TPID" 2>/dev/null
}

# run_fetch NAME args...: the listing in $WORK/NAME.list, artifacts under $WORK/NAME/.
run_fetch() {
	local name=$1
	shift
	timeout -s KILL 120 "$fetch" --save "$WORK/$name" "$@" >"$WORK/$name.list" 2>"$WORK/$name.stderr"
}

# field NAME PATH COLUMN: a column of the listing (2 status, 3 bytes, 5- error).
art_status() {
	awk -v p="$2" '$1 == p { print $2 }' "$WORK/$1.list"
}
art_error() {
	awk -v p="$2" '$1 == p { $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print }' "$WORK/$1.list"
}

# allocs is not fetched: it is recorded as derived from the heap profile
# (status "derived"), and only when the heap profile arrived
pprof_paths="profiles/heap.pb.gz profiles/goroutine.pb.gz
profiles/goroutine-debug2.txt profiles/heap-debug1.txt profiles/cpu.pb.gz
profiles/mutex.pb.gz profiles/block.pb.gz profiles/threadcreate.pb.gz
runtime/expvar.json runtime/memstats.json"

# Every artifact ok, or skipped only where the plan says so (issue 13):
# heap?debug=1 when expvar gave MemStats, mutex/block when the index lists
# no records, the goroutine dump above --goroutine-dump-max goroutines.
all_ok() { # NAME CASE
	local p st why bad=0
	for p in pprof/endpoint.json $pprof_paths; do
		st=$(art_status "$1" "$p")
		why=$(art_error "$1" "$p")
		[ "$st" = ok ] && continue
		if [ "$st" = skipped ]; then
			case "$p:$why" in
			profiles/heap-debug1.txt:"MemStats came from /debug/vars"*) continue ;;
			profiles/mutex.pb.gz:"the pprof index lists no mutex records"*) continue ;;
			profiles/block.pb.gz:"the pprof index lists no block records"*) continue ;;
			profiles/goroutine-debug2.txt:*"more than --goroutine-dump-max"*) continue ;;
			esac
		fi
		fail "$2: $p is '${st:-missing}': $why"
		bad=1
	done
	st=$(art_status "$1" profiles/allocs.pb.gz)
	[ "$st" = derived ] || { fail "$2: profiles/allocs.pb.gz is '${st:-missing}', want derived"; bad=1; }
	return $bad
}

# --- (a) discovery by PID -----------------------------------------------------
if start_target a -- -alloc 16 -goroutines 50; then
	run_fetch a --pid "$TPID" --cpu-seconds 2 || fail "(a) pprof-fetch exited $?"
	if all_ok a "(a)"; then
		ok "(a) discovery by PID: every artifact ok"
	else
		sed 's/^/    /' "$WORK/a.list"
	fi
	grep -q "\"chosen\":\"http://127.0.0.1:$TPORT/debug/pprof/\"" "$WORK/a/pprof/endpoint.json" ||
		fail "(a) endpoint.json does not name port $TPORT as chosen"
	for p in heap cpu; do
		if "$TRIAGE" top "$WORK/a/profiles/$p.pb.gz" >"$WORK/a.top" 2>&1; then
			ok "(a) triage top decodes $p.pb.gz"
		else
			fail "(a) triage top $p.pb.gz"
			sed 's/^/    /' "$WORK/a.top" | head -5
		fi
		if go tool pprof -top "$WORK/a/profiles/$p.pb.gz" >"$WORK/a.gotop" 2>&1; then
			ok "(a) go tool pprof opens $p.pb.gz"
		else
			fail "(a) go tool pprof -top $p.pb.gz"
			sed 's/^/    /' "$WORK/a.gotop" | head -5
		fi
	done
	if grep -Eq '"HeapSys": *[1-9]' "$WORK/a/runtime/memstats.json" &&
	   grep -Eq '"StackInuse": *[0-9]' "$WORK/a/runtime/memstats.json" &&
	   grep -Eq '"GCCPUFraction": *[0-9]' "$WORK/a/runtime/memstats.json" &&
	   grep -Eq '"DebugGC": *false' "$WORK/a/runtime/memstats.json"; then
		ok "(a) memstats.json: HeapSys > 0, StackInuse, GCCPUFraction, DebugGC"
	else
		fail "(a) memstats.json lacks HeapSys > 0 or the split fields"
	fi
	grep -q 'from /debug/vars (expvar)' "$WORK/a.list" ||
		fail "(a) memstats.json should say it came from expvar"
	stop_target
fi

# --- (a2) no expvar: MemStats from the heap?debug=1 trailer, streamed ----------
if start_target a2 -- -alloc 16 -no-expvar; then
	run_fetch a2 --pid "$TPID" --cpu-seconds 1 || fail "(a2) pprof-fetch exited $?"
	if [ "$(art_status a2 profiles/heap-debug1.txt)" = ok ] &&
	   [ "$(art_status a2 runtime/memstats.json)" = ok ] &&
	   [ "$(head -c 18 "$WORK/a2/profiles/heap-debug1.txt")" = "# runtime.MemStats" ] &&
	   ! grep -q '^heap profile:' "$WORK/a2/profiles/heap-debug1.txt" &&
	   grep -Eq '"HeapSys": *[1-9]' "$WORK/a2/runtime/memstats.json" &&
	   grep -q 'trailer only, of [0-9]* bytes served' "$WORK/a2.list"; then
		ok "(a2) no expvar: MemStats from the heap?debug=1 trailer, only the trailer kept"
	else
		fail "(a2) no expvar: MemStats or the trailer"
		sed 's/^/    /' "$WORK/a2.list"
	fi
	stop_target
fi

# --- (b) 10,000 goroutines ----------------------------------------------------
# above --goroutine-dump-max the dump (a stop-the-world) is skipped with the
# count and the threshold; --force takes it anyway
if start_target b -- -goroutines 10000; then
	t0=$(ms)
	run_fetch b --pid "$TPID" --cpu-seconds 1 --goroutine-dump-max 5000 || fail "(b) pprof-fetch exited $?"
	wall=$(($(ms) - t0))
	beyond=$((wall - 1000))
	echo "     (b) 10,000 goroutines: wall time ${wall} ms, ${beyond} ms beyond the 1 s CPU profile"
	all_ok b "(b)" || sed 's/^/    /' "$WORK/b.list"
	if [ "$(art_status b profiles/goroutine-debug2.txt)" = skipped ] &&
	   art_error b profiles/goroutine-debug2.txt | grep -Eq '^100[0-9][0-9] goroutines, more than --goroutine-dump-max 5000'; then
		ok "(b) the dump skipped: $(art_error b profiles/goroutine-debug2.txt | cut -c1-60)..."
	else
		fail "(b) goroutine-debug2.txt: $(art_status b profiles/goroutine-debug2.txt) $(art_error b profiles/goroutine-debug2.txt)"
	fi
	if [ "$beyond" -lt 2000 ]; then
		ok "(b) under 2 s beyond the CPU seconds"
	else
		fail "(b) ${beyond} ms beyond the CPU seconds (want < 2000)"
	fi
	run_fetch b2 --pid "$TPID" --cpu-seconds 0 --goroutine-dump-max 5000 --force || fail "(b) pprof-fetch exited $?"
	n=$(grep -c '^goroutine [0-9]* \[' "$WORK/b2/profiles/goroutine-debug2.txt" 2>/dev/null)
	if [ "${n:-0}" -ge 10000 ]; then
		ok "(b) --force: goroutine-debug2.txt holds $n goroutines"
	else
		fail "(b) --force: goroutine-debug2.txt holds ${n:-0} goroutines, want >= 10000"
	fi
	stop_target
fi

# --- (c) endpoints that hang ----------------------------------------------------
if start_target c -- -hang; then
	t0=$(ms)
	run_fetch c --pid "$TPID" --cpu-seconds 1 --timeout-ms 1500 || fail "(c) pprof-fetch exited $?"
	wall=$(($(ms) - t0))
	if [ "$wall" -lt 6000 ]; then
		ok "(c) hanging endpoints: done in ${wall} ms"
	else
		fail "(c) hanging endpoints took ${wall} ms (want < 6000)"
	fi
	[ "$(art_status c pprof/endpoint.json)" = ok ] || fail "(c) the index should have been found"
	# two silent timeouts in a row and the rest is given up, not waited for
	if [ "$(art_status c profiles/goroutine.pb.gz)" = error ] &&
	   art_error c profiles/goroutine.pb.gz | grep -q 'given up: the target stopped answering'; then
		ok "(c) profiles/goroutine.pb.gz: $(art_error c profiles/goroutine.pb.gz)"
	else
		fail "(c) profiles/goroutine.pb.gz should be given up: $(art_error c profiles/goroutine.pb.gz)"
	fi
	for p in profiles/heap.pb.gz profiles/cpu.pb.gz runtime/expvar.json; do
		if [ "$(art_status c "$p")" = error ] && art_error c "$p" | grep -q timeout; then
			ok "(c) $p: $(art_error c "$p")"
		else
			fail "(c) $p: want a timeout error, got $(art_status c "$p"): $(art_error c "$p")"
		fi
	done
	stop_target
fi

# --- (d) a port that is not pprof ---------------------------------------------
if start_target d -- -no-pprof; then
	run_fetch d --pid "$TPID" --cpu-seconds 1 || fail "(d) pprof-fetch exited $?"
	bad=0
	for p in pprof/endpoint.json $pprof_paths; do
		if [ "$(art_status d "$p")" != error ]; then
			fail "(d) $p is '$(art_status d "$p")', want error"
			bad=1
		fi
	done
	art_error d profiles/heap.pb.gz | grep -q "no pprof endpoint found: tried http://127.0.0.1:$TPORT/debug/pprof/" ||
		{ fail "(d) heap error does not say what was tried: $(art_error d profiles/heap.pb.gz)"; bad=1; }
	grep -q "\"url\":\"http://127.0.0.1:$TPORT/debug/pprof/\"" "$WORK/d/pprof/endpoint.json" ||
		{ fail "(d) endpoint.json does not list the candidate"; bad=1; }
	[ $bad = 0 ] && ok "(d) not pprof: all errors; $(art_error d profiles/heap.pb.gz)"
	stop_target
fi

# --- (e) a target in its own network namespace ----------------------------------
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null || ! command -v ip >/dev/null; then
	echo "skip (e): needs root, unshare and ip"
elif ! unshare --net true 2>/dev/null; then
	echo "skip (e): unshare --net is not permitted here"
else
	# sh execs the target, so $! is the target itself
	if start_target e unshare --net sh -c 'ip link set lo up && exec "$0" "$@"' -- -alloc 8; then
		if [ "$(readlink /proc/$TPID/ns/net)" = "$(readlink /proc/self/ns/net)" ]; then
			fail "(e) the target is not in its own network namespace"
		fi
		run_fetch e --pid "$TPID" --cpu-seconds 1 || fail "(e) pprof-fetch exited $?"
		if all_ok e "(e)"; then
			ok "(e) network namespace: every artifact ok"
		else
			sed 's/^/    /' "$WORK/e.list"
		fi
		grep -q '"network_namespace":"the target' "$WORK/e/pprof/endpoint.json" ||
			fail "(e) endpoint.json does not say the helper was used"

		# SIGINT reaches the helper through the parent
		"$fetch" --pid "$TPID" --cpu-seconds 5 >"$WORK/e2.list" 2>"$WORK/e2.stderr" &
		fpid=$!
		PIDS+=("$fpid")
		sleep 1.5
		t0=$(ms)
		kill -INT "$fpid"
		wait "$fpid"
		took=$(($(ms) - t0))
		if [ "$took" -lt 1500 ] && [ "$(art_status e2 profiles/cpu.pb.gz)" = error ] &&
		   art_error e2 profiles/cpu.pb.gz | grep -q interrupted &&
		   [ "$(art_status e2 profiles/heap.pb.gz)" = ok ]; then
			ok "(e) SIGINT in the namespace case: exit ${took} ms after the signal, heap kept"
		else
			fail "(e) SIGINT in the namespace case: ${took} ms"
			sed 's/^/    /' "$WORK/e2.list"
		fi
		stop_target
	fi
fi

# --- (f) remote mode ---------------------------------------------------------
if start_target f -- -alloc 4; then
	run_fetch f --url "127.0.0.1:$TPORT" --cpu-seconds 1 || fail "(f) pprof-fetch exited $?"
	all_ok f "(f) host:port" && ok "(f) remote mode, --url 127.0.0.1:$TPORT"
	run_fetch f2 --url "http://127.0.0.1:$TPORT/debug/pprof" --cpu-seconds 0 --cheap ||
		fail "(f) pprof-fetch exited $?"
	bad=0
	for p in pprof/endpoint.json profiles/heap.pb.gz profiles/goroutine.pb.gz \
		 runtime/expvar.json runtime/memstats.json; do
		[ "$(art_status f2 "$p")" = ok ] || { fail "(f) --cheap: $p not ok"; bad=1; }
	done
	[ "$(art_status f2 profiles/heap-debug1.txt)" = skipped ] ||
		{ fail "(f) --cheap: heap-debug1.txt should be skipped (MemStats from expvar)"; bad=1; }
	if [ "$(wc -l <"$WORK/f2.list")" != 6 ]; then
		fail "(f) --cheap should give exactly six artifacts"
		bad=1
	fi
	[ $bad = 0 ] && ok "(f) remote mode, cheap sample"
	stop_target
fi

# secrets in every shape the target carries (issue 17): none of the markers
# may be in any artifact (expvar republishes the command line), and
# triage's own --url credentials stay out of endpoint.json
if start_target s -- -p MARK-P-1 "-header=Authorization: Bearer MARK-H-2" \
	"-url=https://up.example/x?access_token=MARK-Q-3&page=1" \
	"-dsn=postgres://user:MARK-D-4@db.example/x" -expvar-secret MARK-E -label-secret MARK-L-7; then
	run_fetch s --url "http://user:MARK-U-5@127.0.0.1:$TPORT/?token=MARK-T-6" --cpu-seconds 1 ||
		fail "(s) pprof-fetch exited $?"
	# the query is kept on every request, not buried under the paths, and
	# what comes back is checked to be a profile before it counts as ok
	all_ok s "(s) --url with a query string" && ok "(s) --url with a query string: every source ok"
	# profiles are gzip: every artifact is searched decompressed
	found=$(for f in $(find "$WORK/s" -type f); do
		if [[ $f == *.gz ]]; then gzip -dc "$f"; else cat "$f"; fi |
			grep -qaE 'MARK-(P-1|H-2|Q-3|D-4|E-1|E-2|U-5|T-6|L-7)' && echo "$f"
	done)
	if [ "$(art_status s runtime/expvar.json)" != ok ]; then
		fail "(s) expvar.json not collected: $(art_error s runtime/expvar.json)"
	elif [ -n "$found" ]; then
		fail "(s) secrets reached: $found"
		grep -rhoaE '.{0,30}MARK-[A-Z]-[0-9].{0,10}' "$WORK/s" | head -5 | sed 's/^/    /'
	elif ! grep -q REDACTED "$WORK/s/runtime/expvar.json"; then
		fail "(s) expvar.json shows no redaction"
	elif ! gzip -dc "$WORK/s/profiles/goroutine.pb.gz" | grep -qa REDACTED ||
	     ! "$TRIAGE" top "$WORK/s/profiles/goroutine.pb.gz" >/dev/null; then
		fail "(s) goroutine profile: labels not redacted, or it no longer decodes"
	else
		ok "(s) no secret marker in any artifact (command line, headers, query, DSN, expvars, --url)"
	fi
	stop_target
fi

# remote mode against a server without pprof: the HTTP status and body in the error
if start_target f3 -- -no-pprof; then
	run_fetch f3 --url "127.0.0.1:$TPORT" --cpu-seconds 1 || fail "(f) pprof-fetch exited $?"
	if [ "$(art_status f3 profiles/heap.pb.gz)" = error ] &&
	   art_error f3 profiles/heap.pb.gz | grep -q '404 Not Found: 404 page not found' &&
	   [ "$(art_status f3 runtime/expvar.json)" = skipped ] &&
	   art_error f3 runtime/expvar.json | grep -q 'does not import expvar'; then
		ok "(f) remote mode, no pprof: $(art_error f3 profiles/heap.pb.gz)"
	else
		fail "(f) remote mode against a server without pprof"
		sed 's/^/    /' "$WORK/f3.list"
	fi
	stop_target
fi

# --- (g) the target exits mid-collection ----------------------------------------
if start_target g -- -exit-after 1s; then
	run_fetch g --pid "$TPID" --cpu-seconds 3 || fail "(g) pprof-fetch exited $?"
	if [ "$(art_status g profiles/heap.pb.gz)" = ok ] &&
	   [ "$(art_status g runtime/memstats.json)" = ok ] &&
	   [ "$(art_status g profiles/cpu.pb.gz)" = error ]; then
		ok "(g) target exited: heap kept, cpu: $(art_error g profiles/cpu.pb.gz)"
	else
		fail "(g) target exited mid-collection"
		sed 's/^/    /' "$WORK/g.list"
	fi
	stop_target
fi

# --- (h) SIGINT during the CPU profile ------------------------------------------
if start_target h -- -alloc 4; then
	"$fetch" --pid "$TPID" --cpu-seconds 5 >"$WORK/h.list" 2>"$WORK/h.stderr" &
	fpid=$!
	PIDS+=("$fpid")
	sleep 1.5
	t0=$(ms)
	kill -INT "$fpid"
	wait "$fpid"
	rc=$?
	took=$(($(ms) - t0))
	bad=0
	[ $rc = 0 ] || { fail "(h) pprof-fetch exited $rc"; bad=1; }
	[ "$took" -lt 1000 ] || { fail "(h) exit took ${took} ms after SIGINT"; bad=1; }
	for p in profiles/heap.pb.gz profiles/goroutine.pb.gz \
		 profiles/goroutine-debug2.txt runtime/memstats.json; do
		[ "$(art_status h "$p")" = ok ] || { fail "(h) $p not ok"; bad=1; }
	done
	[ "$(art_status h profiles/allocs.pb.gz)" = derived ] || { fail "(h) allocs not derived"; bad=1; }
	if [ "$(art_status h profiles/cpu.pb.gz)" != error ] ||
	   ! art_error h profiles/cpu.pb.gz | grep -q interrupted; then
		fail "(h) cpu.pb.gz should be an 'interrupted' error"
		bad=1
	fi
	if [ $bad = 0 ]; then
		ok "(h) SIGINT: exit ${took} ms after the signal, other profiles ok"
	else
		sed 's/^/    /' "$WORK/h.list"
	fi
	stop_target
fi

exit $status
