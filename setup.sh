#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine.
#
#   ./setup.sh demo   install what is missing, build, and analyze a shipped
#                     real incident bundle (the default)
#   ./setup.sh test   install what is missing (test tools too), build, and
#                     run the whole test suite; ends with "N passed, N failed"
#   ./setup.sh build  install the build dependencies and build only
#
# Packages are installed only when missing: 'apt-get update' once, then one
# 'apt-get install -y'. Re-running is cheap.
set -euo pipefail

cd "$(dirname "$0")"
mode=${1:-demo}

build_pkgs=(gcc pkg-config meson ninja-build protobuf-c-compiler libprotobuf-c-dev
	liblua5.4-dev zlib1g-dev libcurl4-openssl-dev libarchive-dev libjson-c-dev libssl-dev
	libiberty-dev)
# Tests compare against the real go tool pprof, run real Go programs and a
# real Debian-packaged Go service (prometheus), and check leaks with valgrind.
# tests/other-lang.sh profiles a Node.js program: nodejs, and npm unless the
# installed nodejs brings its own (NodeSource's does, and conflicts with
# Debian's npm package).
# clang builds the libFuzzer harnesses of tests/fuzz/ (the fuzz smoke run).
test_pkgs=(golang-go prometheus python3 valgrind time curl gzip protobuf-compiler
	iproute2 util-linux procps nodejs clang)
command -v npm >/dev/null 2>&1 || test_pkgs+=(npm)

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_missing() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "setup: installing ${missing[*]}" >&2
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >&2
}

build() {
	if [ ! -f build/build.ninja ]; then
		meson setup build --werror >&2
	fi
	ninja -C build >&2
}

case "$mode" in
demo)
	install_missing "${build_pkgs[@]}"
	build
	# a real bundle: casebook case 2 (unclosed HTTP response bodies),
	# collected by triage collect from bundles/programs/case2-unclosed-body
	echo "\$ build/triage analyze bundles/case2-unclosed-body.tgz"
	build/triage analyze bundles/case2-unclosed-body.tgz
	;;
build)
	install_missing "${build_pkgs[@]}"
	build
	;;
test)
	install_missing "${build_pkgs[@]}" "${test_pkgs[@]}"
	exec bash tests/run-all.sh
	;;
-h|--help|help)
	sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
	;;
*)
	echo "setup.sh: unknown mode '$mode' (demo, test or build)" >&2
	exit 2
	;;
esac
