#!/usr/bin/env bash
# meson install puts the binary, the Lua plugins and rules, and the man page
# under the prefix, and the installed binary finds its Lua files relative to
# itself (so a relocated install works) unless TRIAGE_DATADIR says otherwise.
set -u
: "${BUILDDIR:?}"
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$BUILDDIR" --no-rebuild --destdir "$dest" >"$dest/log" 2>&1 ||
	{ cat "$dest/log"; exit 1; }
fail=0
bin=$(find "$dest" -path '*/bin/triage' -type f | head -1)
[ -x "$bin" ] || { echo "FAIL: no installed bin/triage"; exit 1; }
prefix=$(dirname "$(dirname "$bin")")
for f in share/triage/rules share/triage/plugins share/man/man1/triage.1; do
	[ -e "$prefix/$f" ] || { echo "FAIL: $f not installed"; fail=1; }
done
want=$(cd "$prefix/share/triage" && pwd -P)
got=$("$bin" version --verbose | sed -n 's/^data directory: //p')
got=$(cd "$got" 2>/dev/null && pwd -P)
[ "$got" = "$want" ] || { echo "FAIL: installed binary looks in '$got', want '$want'"; fail=1; }
# relocated: move the whole prefix elsewhere
mv "$prefix" "$dest/moved"
got=$("$dest/moved/bin/triage" version --verbose | sed -n 's/^data directory: //p')
[ "$(cd "$got" 2>/dev/null && pwd -P)" = "$(cd "$dest/moved/share/triage" && pwd -P)" ] ||
	{ echo "FAIL: relocated binary looks in '$got'"; fail=1; }
got=$(TRIAGE_DATADIR=/opt/rules "$dest/moved/bin/triage" version --verbose | sed -n 's/^data directory: //p')
[ "$got" = /opt/rules ] || { echo "FAIL: TRIAGE_DATADIR ignored ($got)"; fail=1; }
man -l "$dest/moved/share/man/man1/triage.1" 2>/dev/null | grep -q "triage top" ||
	{ command -v man >/dev/null && { echo "FAIL: man page does not render"; fail=1; }; }
[ $fail -eq 0 ] && echo "install: ok ($prefix)"
exit $fail
