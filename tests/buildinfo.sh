#!/bin/bash
# The build info reader against the Go toolchain: for Go programs built here
# (one with a replaced dependency and build settings, one 32-bit) and for
# Go binaries Debian ships, "buildinfo-dump BINARY" must print exactly what
# "go version -m BINARY" prints.
#
# Exit 0 when all agree, 1 otherwise, 77 (skip) without a go toolchain.

set -u

: "${BUILDDIR:?BUILDDIR must be set (run through meson test)}"
dump=$BUILDDIR/tests/tools/buildinfo-dump

if ! command -v go >/dev/null 2>&1; then
	echo "skip: no go toolchain in PATH"
	exit 77
fi
if [ ! -x "$dump" ]; then
	echo "FAIL: $dump is missing"
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/triage-buildinfo.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# Offline: the programs use the standard library and a local module only.
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

# --- a program with a replaced dependency and quoted build settings ---------
mkdir -p "$tmp/app/fakedep" || exit 1
cat >"$tmp/app/go.mod" <<'EOF'
module example.com/triage/app

go 1.19

require example.com/fakedep v1.2.3

replace example.com/fakedep v1.2.3 => ./fakedep
EOF
cat >"$tmp/app/main.go" <<'EOF'
package main

import (
	"fmt"

	"example.com/fakedep"
)

var greeting = "unset"

func main() {
	fmt.Println(greeting, fakedep.Name())
}
EOF
cat >"$tmp/app/fakedep/go.mod" <<'EOF'
module example.com/fakedep

go 1.19
EOF
cat >"$tmp/app/fakedep/fakedep.go" <<'EOF'
package fakedep

func Name() string { return "fakedep" }
EOF

# The space in -ldflags makes go quote that setting: the parser must unquote
# it. (With -trimpath go would not record -ldflags at all.)
if ! (cd "$tmp/app" && go build -buildvcs=false -tags 'triage,buildinfo' \
	-ldflags='-buildid= -X main.greeting=hello' -o "$tmp/app-amd64" .) >"$tmp/build.log" 2>&1; then
	cat "$tmp/build.log"
	fail "cannot build the test program with a replaced module"
fi

# --- a 32-bit program, for the ELF32 reader -----------------------------
mkdir -p "$tmp/small" || exit 1
cat >"$tmp/small/go.mod" <<'EOF'
module example.com/triage/small

go 1.19
EOF
cat >"$tmp/small/main.go" <<'EOF'
package main

import "os"

func main() { os.Stdout.WriteString("small\n") }
EOF
if ! (cd "$tmp/small" && GOARCH=386 go build -buildvcs=false -trimpath -ldflags=-buildid= \
	-o "$tmp/small-386" .) >"$tmp/build.log" 2>&1; then
	cat "$tmp/build.log"
	fail "cannot build the GOARCH=386 test program"
fi

compare() {
	local bin=$1

	if ! go version -m "$bin" >"$tmp/want" 2>"$tmp/want.err"; then
		cat "$tmp/want.err"
		fail "go version -m $bin failed"
		return
	fi
	if ! "$dump" "$bin" >"$tmp/got" 2>"$tmp/got.err"; then
		cat "$tmp/got.err"
		fail "buildinfo-dump $bin failed"
		return
	fi
	if ! diff -u "$tmp/want" "$tmp/got"; then
		fail "buildinfo-dump $bin differs from go version -m"
		return
	fi
	echo "ok: $bin ($(wc -l <"$tmp/got") lines)"
	# the build ID the fleet summary groups by, against "go tool buildid"
	if go tool buildid "$bin" >"$tmp/want-id" 2>/dev/null; then
		"$dump" --build-id "$bin" >"$tmp/got-id" 2>&1
		diff -u "$tmp/want-id" "$tmp/got-id" || fail "build ID of $bin differs from go tool buildid"
	fi
}

binaries=()
[ -f "$tmp/app-amd64" ] && binaries+=("$tmp/app-amd64")
[ -f "$tmp/small-386" ] && binaries+=("$tmp/small-386")
if [ -x /usr/bin/prometheus ]; then
	binaries+=(/usr/bin/prometheus)
else
	echo "note: /usr/bin/prometheus not installed, not compared"
fi
binaries+=("$(readlink -f "$(command -v go)")")

for bin in "${binaries[@]}"; do
	compare "$bin"
done

# The cases above must really have exercised what they were built for.
if [ -f "$tmp/app-amd64" ]; then
	"$dump" "$tmp/app-amd64" >"$tmp/got" 2>&1
	if ! grep -q "$(printf '\tdep\texample.com/fakedep\tv1.2.3$')" "$tmp/got" ||
	   ! grep -q "$(printf '\t=>\t./fakedep\t')" "$tmp/got"; then
		fail "replaced dependency missing from the dump"
	fi
	grep -q "$(printf '\tbuild\t-ldflags="-buildid= -X main.greeting=hello"$')" "$tmp/got" ||
		fail "quoted -ldflags setting missing from the dump"
fi
if [ -f "$tmp/small-386" ] && [ "$(od -An -tx1 -j4 -N1 "$tmp/small-386" | tr -d ' ')" != 01 ]; then
	fail "$tmp/small-386 is not ELF32"
fi

# A binary that is not Go must be refused by name, not misread.
if "$dump" /bin/true >"$tmp/got" 2>"$tmp/got.err"; then
	fail "buildinfo-dump accepted /bin/true"
elif ! grep -q "cannot read build info from '/bin/true': not a Go binary" "$tmp/got.err"; then
	cat "$tmp/got.err"
	fail "unexpected error for /bin/true"
fi

exit $status
