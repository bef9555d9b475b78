#!/bin/bash
# The shared library exports only the dctl_ names of <daemonctl.h>, each
# versioned DAEMONCTL_1, and every one of them has a manual page.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

so=$DCTL_BUILDDIR/lib/.libs/libdaemonctl.so
if ! command -v nm >/dev/null || [ ! -e "$so" ]; then
	echo "1..0 # SKIP no nm or no shared library"
	exit 0
fi
nm -D --defined-only "$so" | awk '{print $3}' | sort >"$T/syms"
check "some symbols are exported" test -s "$T/syms"
check "every export is dctl_*@@DAEMONCTL_1 (or the version node)" \
	test -z "$(grep -Ev '^(dctl_[a-z0-9_]+@@DAEMONCTL_1|DAEMONCTL_1)$' "$T/syms")"
grep -Ev '^(dctl_[a-z0-9_]+@@DAEMONCTL_1|DAEMONCTL_1)$' "$T/syms" | sed 's/^/# unexpected: /'
missing=""
for f in $(sed -n 's/@@DAEMONCTL_1$//p' "$T/syms"); do
	[ -f "$DCTL_SRCDIR/man/$f.3" ] || missing="$missing $f"
done
check "every export has a man page (man/NAME.3)" test -z "$missing"
[ -n "$missing" ] && diag "no page:$missing"
# The name right before the "(" of each DCTL_EXPORT declaration.
declared=$(grep -o 'DCTL_EXPORT [^(]*(' "$DCTL_SRCDIR/lib/daemonctl.h" |
	grep -o 'dctl_[a-z0-9_]*($' | tr -d '(' | sort)
check "the exports are exactly the functions the header declares" \
	test "$declared" = "$(sed -n 's/@@DAEMONCTL_1$//p' "$T/syms")"
done_testing
