#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine.
#
#   ./setup.sh demo   install what is missing, build, and analyze a shipped
#                     real incident bundle (the default)
#   ./setup.sh test   install what is missing (test tools too), build, and
#                     run the whole test suite; ends with "N passed, N failed"
#   ./setup.sh build  install the build dependencies and build only
#   ./setup.sh corpus [NAME...]  install what bundles/make-corpus.sh needs
#                     (Debian Go modules and services too), build, and
#                     regenerate the bundles (as root)
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
# tests/upload-e2e.sh checks uploads with s3cmd against s3rver (npm, into
# tests/s3); tests/k8s-manifests.sh parses docs/k8s/ with python3-yaml.
# clang builds the libFuzzer harnesses of tests/fuzz/ (the fuzz smoke run).
test_pkgs=(golang-go prometheus python3 valgrind time curl gzip protobuf-compiler
	iproute2 util-linux procps nodejs s3cmd python3-yaml chromium clang)
command -v npm >/dev/null 2>&1 || test_pkgs+=(npm)
# tests/html-report.sh drives Debian's chromium headless through
# playwright-core, a test-only npm package pinned by tests/browser/package-lock.json.
# bundles/make-corpus.sh rebuilds the knowledge bundles from real Debian
# packages: a Go module from /usr/share/gocode/src and three packaged
# services (the shipped bundles need none of them to be tested).
corpus_pkgs=(golang-github-victoriametrics-fastcache-dev etcd-server prometheus-alertmanager)

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

# playwright-core into tests/browser/node_modules (git-ignored), from the lock file.
install_browser_driver() {
	[ -d tests/browser/node_modules/playwright-core ] && return 0
	echo "setup: npm install --prefix tests/browser playwright-core" >&2
	# without it tests/html-report.sh skips; the rest of the suite still runs
	npm install --prefix tests/browser --no-audit --no-fund playwright-core >&2 ||
		echo "setup: npm install failed; tests/html-report.sh will be skipped" >&2
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
	# the S3 server of the upload and fleet tests, pinned by tests/s3/package-lock.json
	if [ ! -f tests/s3/node_modules/s3rver/bin/s3rver.js ]; then
		npm install --prefix tests/s3 --no-audit --no-fund >&2
	fi
	install_browser_driver
	exec bash tests/run-all.sh
	;;
corpus)
	install_missing "${build_pkgs[@]}" "${test_pkgs[@]}" "${corpus_pkgs[@]}"
	build
	shift
	exec bash bundles/make-corpus.sh "$@"
	;;
-h|--help|help)
	sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
	;;
*)
	echo "setup.sh: unknown mode '$mode' (demo, test or build)" >&2
	exit 2
	;;
esac
