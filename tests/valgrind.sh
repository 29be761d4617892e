#!/usr/bin/env bash
# No leaks and no invalid accesses, on success and on every error path,
# checked by valgrind on the real binary.
set -u
: "${TRIAGE:?}" "${BUILDDIR:?}" "${SRCDIR:?}"
command -v valgrind >/dev/null || { echo "valgrind not installed"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$BUILDDIR/tests/unit-profile" --write-fixtures "$dir" || exit 1

fail=0
check() { # expected-exit args...
	local want=$1 rc
	shift
	valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
		"$TRIAGE" "$@" >"$dir/out" 2>"$dir/err"
	rc=$?
	if [ $rc -ne "$want" ]; then
		echo "FAIL triage $*: exit $rc (want $want)"
		sed 's/^/    /' "$dir/err" | head -40
		fail=1
	else
		echo "ok   triage $*"
	fi
}

check 0 top "$dir/valid.pb"
check 0 top --format json "$dir/valid.pb.gz"
check 0 top --group package --cum "$dir/valid.pb"
check 0 top --base "$dir/valid.pb" "$dir/valid.pb.gz"
check 2 top "$dir/truncated.pb.gz"
check 2 top "$dir/missing-location.pb"
check 2 top "$dir/bad-string-index.pb"
check 2 top "$dir/value-count-mismatch.pb"
check 2 top "$dir/garbage.pb"
check 2 top "$dir/empty.pb"
check 0 top "$dir/no-samples.pb"
check 2 top --max-decompressed 4M "$dir/bomb.pb.gz"
check 2 top --format nope "$dir/valid.pb"
check 2 nosuchcommand
check 0 version --verbose
# the HTML report reads the bundle again: flame trees, samples, the --base diff
check 0 analyze --rule-timeout 0 --format html -o "$dir/r.html" --base "$SRCDIR/bundles/healthy-service.tgz" \
	"$SRCDIR/bundles/case2-unclosed-body.tgz"
for f in "$SRCDIR"/bundles/*.pb.gz; do
	[ -e "$f" ] && check 0 top "$f"
done
exit $fail
