#!/usr/bin/env bash
# docs/triage.1 is generated from the usage texts ("triage help --man"), so
# the man page and --help say the same; this fails when someone changed a
# usage text and did not regenerate the page, and checks it renders cleanly.
set -u
: "${TRIAGE:?}" "${SRCDIR:?}"
page=$SRCDIR/docs/triage.1
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
fail=0
"$TRIAGE" help --man >"$tmp" || { echo "FAIL: triage help --man exited $?"; exit 1; }
if ! diff -u "$page" "$tmp"; then
	echo "FAIL: docs/triage.1 is stale; regenerate it: triage help --man >docs/triage.1"
	fail=1
fi
# every command has its own section
for c in $("$TRIAGE" help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p'); do
	grep -qx "\.SS $c" "$page" || { echo "FAIL: docs/triage.1 does not document '$c'"; fail=1; }
done
if command -v groff >/dev/null; then
	warn=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
	[ -z "$warn" ] || { echo "FAIL: groff warns about docs/triage.1:"; echo "$warn"; fail=1; }
fi
[ $fail -eq 0 ] && echo "man: ok"
exit $fail
