#!/usr/bin/env bash
# The goroutine census (core/parse/census.h) against real Go processes: the
# goroutines it reads from a target's memory are the ones the target's own
# goroutine?debug=2 dump lists, with the same states, creators and frames
# (less the inlined ones); above --goroutine-dump-max it stands in for the
# goroutine profile and the dump, and analyze finds the pile from it; a
# position-independent build works; a build without DWARF falls back to
# the goroutine profile, saying why. (A collector without ptrace rights is
# refused before the census by collect's own check, so its census error
# path is not reached here.)
#
# Only 127.0.0.1 is used; every target is killed by PID on exit and ends
# by itself anyway (-exit-after).
set -u
: "${TRIAGE:?}" "${SRCDIR:?}" "${BUILDDIR:?}"
command -v go >/dev/null || { echo "skip: no go"; exit 77; }
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root (reads other processes' memory)"; exit 77; }
. "$SRCDIR/tests/workdir.sh" triage-census
export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=0
export GOCACHE=${GOCACHE:-$BUILDDIR/go-cache}
src=$SRCDIR/tests/go/bigtarget
(cd "$src" && go build -o "$WORK/plain" . && go build -buildmode=pie -o "$WORK/pie" . &&
	go build -ldflags=-w -o "$WORK/nodwarf" .) || die "go build"

status=0
fail() { echo "FAIL: $*"; status=1; }
ok() { echo "ok   $*"; }

# start BINARY GOROUTINES: sets TPID
start() {
	"$WORK/$1" -goroutines "$2" -exit-after 300s > "$WORK/$1.out" 2> "$WORK/$1.err" &
	TPID=$!
	PIDS+=("$TPID")
	for _ in $(seq 300); do
		grep -q '^listening on' "$WORK/$1.out" && return 0
		kill -0 "$TPID" 2>/dev/null || break
		sleep 0.1
	done
	die "$1 did not start: $(cat "$WORK/$1.err")"
}

# art BUNDLE PATH -> "status<TAB>error-or-note" from the manifest
art() {
	python3 -c 'import json, sys, tarfile
m = json.load(tarfile.open(sys.argv[1]).extractfile("manifest.json"))
for a in m["artifacts"]:
    if a["path"] == sys.argv[2]:
        print(a["status"] + "\t" + (a.get("error") or a.get("note") or ""))
        break
else:
    print("absent\t")' "$1" "$2"
}
entry() { tar -xzOf "$1" "$2" 2>/dev/null; }

# compare CENSUS DUMP: the census against the target's own dump
compare() {
	python3 - "$1" "$2" <<'EOF'
import re, sys

def read(path):
    """id -> state, creator, frames; a frame's args "(...)" mark a call the compiler inlined"""
    gs, g = {}, None
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        m = re.match(r"goroutine (\d+) \[([^\]]*)\]:$", line)
        if m:
            items = m.group(2).split(", ")
            g = {"state": items[0], "frames": [], "real": [], "created_by": None}
            gs[int(m.group(1))] = g
        elif not line or line.startswith("#"):
            g = None
        elif g is None or line.startswith("\t") or line.startswith("..."):
            continue
        elif line.startswith("created by "):
            g["created_by"] = re.sub(r" in goroutine \d+$", "", line[len("created by "):])
        else:
            name = line[:line.rindex("(")] if "(" in line else line
            g["frames"].append(name)
            if not line.endswith("(...)"):
                g["real"].append(name)
    return gs

def subseq(a, b):
    it = iter(b)
    return all(x in it for x in a)

census, dump = read(sys.argv[1]), read(sys.argv[2])
common = set(census) & set(dump)
bad = []
for i in sorted(common):
    c, d = census[i], dump[i]
    if c["state"] != d["state"] and "running" not in (c["state"], d["state"]) and "runnable" not in (c["state"], d["state"]):
        bad.append("goroutine %d: state %r, dump %r" % (i, c["state"], d["state"]))
    elif c["created_by"] != d["created_by"]:
        bad.append("goroutine %d: created by %r, dump %r" % (i, c["created_by"], d["created_by"]))
    # every frame of the dump that is a real call (not inlined) is in the census, in order;
    # the census may have more: the wrappers the runtime's traceback elides (go f(x)'s closure)
    elif c["state"] == d["state"] and c["state"] not in ("running", "runnable") and not subseq(d["real"], c["frames"]):
        bad.append("goroutine %d: the dump's frames %r are not in the census's %r" % (i, d["real"], c["frames"]))
    elif c["state"] == d["state"] and c["state"] not in ("running", "runnable") and not c["frames"]:
        bad.append("goroutine %d: no frames" % i)
print("census %d, dump %d, in both %d, disagreeing %d" % (len(census), len(dump), len(common), len(bad)))
for b in bad[:5]:
    print("  " + b)
# the few goroutines that came or went between the two are HTTP handlers
sys.exit(0 if not bad and len(common) >= 0.99 * max(len(census), len(dump)) else 1)
EOF
}

# ---- 1. the census against the target's own dump, a plain and a PIE build ----
for bin in plain pie; do
	start "$bin" 3000
	"$TRIAGE" collect -q --cpu-seconds 0 -o "$WORK/$bin.tgz" "$TPID" 2> "$WORK/$bin.collect" ||
		{ fail "$bin: collect failed: $(cat "$WORK/$bin.collect")"; continue; }
	st=$(art "$WORK/$bin.tgz" runtime/goroutine-census.txt)
	case $st in
	ok*"3001 goroutines read"*|ok*"3002 goroutines read"*|ok*"3003 goroutines read"*) ok "$bin: census ok (${st#*	})" ;;
	*) fail "$bin: census: $st" ;;
	esac
	[ "$(art "$WORK/$bin.tgz" profiles/goroutine-debug2.txt | cut -f1)" = ok ] || fail "$bin: no dump to compare with"
	entry "$WORK/$bin.tgz" runtime/goroutine-census.txt > "$WORK/$bin.census"
	entry "$WORK/$bin.tgz" profiles/goroutine-debug2.txt > "$WORK/$bin.dump"
	if out=$(compare "$WORK/$bin.census" "$WORK/$bin.dump"); then
		ok "$bin: the census agrees with the dump goroutine by goroutine: $out"
	else
		fail "$bin: the census and the dump disagree: $out"
	fi
	grep -q '^main\.park(\.\.\.)$' "$WORK/$bin.census" && grep -q '^created by main\.main$' "$WORK/$bin.census" ||
		fail "$bin: no main.park frames created by main.main in the census"
	# below --goroutine-dump-max the goroutine profile is still taken
	[ "$(art "$WORK/$bin.tgz" profiles/goroutine.pb.gz | cut -f1)" = ok ] || fail "$bin: goroutine profile not taken below the limit"

	# ---- 2. above the limit: the census stands in for the profile and the dump ----
	# (not under the sanitizers' build: valgrind and ASan do not mix; ASan checks that run)
	if [ "$bin" = plain ] && command -v valgrind >/dev/null && [ -z "${ASAN_OPTIONS:-}" ]; then
		# no leak and no invalid access on the census path (it reads another process's memory)
		if valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
			--error-exitcode=99 "$TRIAGE" collect -q --cpu-seconds 0 --goroutine-dump-max 1000 \
			-o "$WORK/vg.tgz" "$TPID" > /dev/null 2> "$WORK/vg.err" &&
		   [ "$(art "$WORK/vg.tgz" runtime/goroutine-census.txt | cut -f1)" = ok ]; then
			ok "valgrind: collect with the census, no leak or invalid access"
		else
			fail "valgrind: $(head -20 "$WORK/vg.err")"
		fi
	fi
	if [ "$bin" = plain ]; then
		"$TRIAGE" collect -q --cpu-seconds 0 --goroutine-dump-max 1000 -o "$WORK/above.tgz" "$TPID" 2>/dev/null ||
			fail "above: collect failed"
		st=$(art "$WORK/above.tgz" profiles/goroutine.pb.gz)
		case $st in
		skipped*"goroutine census read"*"--force takes it"*) ok "above the limit: goroutine profile skipped (${st#*	})" ;;
		*) fail "above the limit: goroutine profile: $st" ;;
		esac
		[ "$(art "$WORK/above.tgz" profiles/goroutine-debug2.txt | cut -f1)" = skipped ] || fail "above: the dump was taken"
		"$TRIAGE" analyze --format json "$WORK/above.tgz" > "$WORK/above.json" 2>/dev/null
		# (among the findings: which ranks first depends on what else shares the test's cgroup)
		top=$(python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
f = [x for x in r["findings"] if x["id"] == "business-goroutine-leak"]
print(f[0]["title"] + " | " + " / ".join(f[0].get("evidence", [])) if f else "no goroutine-leak finding")' "$WORK/above.json" 2>&1)
		case $top in
		*"created by main.main"*"goroutine census"*) ok "analyze finds the pile from the census: ${top%% |*}" ;;
		*) fail "analyze on the census: $top" ;;
		esac
		"$TRIAGE" collect -q --cpu-seconds 0 --goroutine-dump-max 1000 --force -o "$WORK/forced.tgz" "$TPID" 2>/dev/null
		[ "$(art "$WORK/forced.tgz" profiles/goroutine.pb.gz | cut -f1)" = ok ] &&
			[ "$(art "$WORK/forced.tgz" profiles/goroutine-debug2.txt | cut -f1)" = ok ] &&
			ok "--force takes the goroutine profile and the dump anyway" ||
			fail "--force: goroutine profile or dump missing"

	fi
	kill "$TPID" 2>/dev/null
done

# ---- 4. a build without DWARF: skipped with the reason, the profile stands in ----
start nodwarf 3000
"$TRIAGE" collect -q --cpu-seconds 0 --goroutine-dump-max 1000 -o "$WORK/nodwarf.tgz" "$TPID" 2>/dev/null ||
	fail "nodwarf: collect failed"
st=$(art "$WORK/nodwarf.tgz" runtime/goroutine-census.txt)
case $st in
skipped*"no DWARF"*) ok "no DWARF: census skipped (${st#*	})" ;;
*) fail "no DWARF: census: $st" ;;
esac
[ "$(art "$WORK/nodwarf.tgz" profiles/goroutine.pb.gz | cut -f1)" = ok ] && ok "no DWARF: the goroutine profile stands in" ||
	fail "no DWARF: goroutine profile: $(art "$WORK/nodwarf.tgz" profiles/goroutine.pb.gz)"
top=$("$TRIAGE" analyze --format json "$WORK/nodwarf.tgz" 2>/dev/null | python3 -c 'import json, sys
f = [x for x in json.load(sys.stdin)["findings"] if x["id"] == "business-goroutine-leak"]
print(any("from the goroutine profile" in e for e in f[0]["evidence"]) if f else "no goroutine-leak finding")' 2>&1)
[ "$top" = True ] && ok "no DWARF: analyze still finds the pile, from the goroutine profile" || fail "no DWARF: $top"

# ---- 5. not a Go program: skipped, saying so, without reading its DWARF ----
sleep 60 & PIDS+=($!)
"$TRIAGE" collect -q --cpu-seconds 0 -o "$WORK/notgo.tgz" "$!" > /dev/null 2>&1
st=$(art "$WORK/notgo.tgz" runtime/goroutine-census.txt)
case $st in
skipped*"Go programs only"*) ok "not a Go program: census skipped (${st#*	})" ;;
*) fail "not a Go program: census: $st" ;;
esac

[ $status -eq 0 ] && echo "census: all checks passed"
exit $status
