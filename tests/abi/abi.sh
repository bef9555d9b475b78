#!/bin/bash
# The shared library against the ABI baseline committed in lib/abi/ (made
# by `make abi-baseline`): every program built against the baseline must
# still load and run. abidiff must find no change but added functions
# (no function removed, none whose type or reachable types changed), and
# a version node the baseline has must hold the same symbols as before:
# new functions belong in a new node.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

so=$DCTL_BUILDDIR/lib/.libs/libdaemonctl.so
base=$DCTL_SRCDIR/lib/abi/libdaemonctl.abi
if ! command -v abidiff >/dev/null || ! command -v abidw >/dev/null; then
	echo "1..0 # SKIP abidw/abidiff not installed (Debian: abigail-tools)"
	exit 0
fi
if [ ! -e "$so" ]; then
	echo "1..0 # SKIP no shared library was built"
	exit 0
fi
"$DCTL_SRCDIR/tests/abi/abi-dump" "$so" "$DCTL_SRCDIR/lib/daemonctl.h" \
	"$T/now.abi" 2>"$T/err"
rc=$?
if [ "$rc" = 3 ]; then
	echo "1..0 # SKIP $(cat "$T/err")"
	exit 0
fi
check "abidw describes the built library" test "$rc" = 0 -a -s "$T/now.abi"
check "the baseline is in the tree ($base)" test -s "$base"

# The objects the header only declares ("struct dctl_spawn;") are opaque:
# a program holds pointers to them and never sees inside, so the library
# may change what they hold (an option added) without breaking it. The
# debug information still describes them: tell abidiff to leave them out.
sed -n 's/^struct \(dctl_[a-z0-9_]*\);$/[suppress_type]\n  name = \1\n/p' \
	"$DCTL_SRCDIR/lib/daemonctl.h" >"$T/opaque.suppr"
check "the header declares opaque objects" test -s "$T/opaque.suppr"

# abidiff's status is a bit mask: 1 error, 2 usage, 4 a change, 8 an
# incompatible change. Added functions are left out of the report, so any
# bit left set is a change a built program would notice.
abidiff --no-added-syms --suppressions "$T/opaque.suppr" "$base" \
	"$T/now.abi" >"$T/diff" 2>&1
rc=$?
check "abidiff finds nothing but additions (status $rc)" test "$rc" = 0
[ "$rc" = 0 ] || diag "$(head -n 60 "$T/diff")"

# The interface as the compiler saw it at the release: a program that
# declares the release's prototypes and relies on its enumerators' values
# must compile against today's header. (A changed parameter or return type
# is a conflicting declaration; a changed value fails its static assert.)
api=$DCTL_SRCDIR/lib/abi/libdaemonctl.api
if [ -s "$api" ]; then
	{
		echo '#include "daemonctl.h"'
		sed -n '/^\/\* prototypes/,/^\/\* enumerators/p' "$api" | grep -v '^/\*'
		sed -n '/^\/\* enumerators/,$p' "$api" | grep -v '^/\*' |
			awk '{ printf "_Static_assert((long long)(%s) == %sLL, \"%s changed\");\n", $1, $2, $1 }'
	} >"$T/release.c"
	check "a program of the release's prototypes and values compiles" \
		${CC:-cc} -std=c11 -fsyntax-only -Werror -I"$DCTL_SRCDIR/lib" "$T/release.c"
	${CC:-cc} -std=c11 -fsyntax-only -Werror -I"$DCTL_SRCDIR/lib" "$T/release.c" 2>&1 |
		grep -E 'error' | head -n 10 | sed 's/^/# /'
else
	not_ok "the release's interface is in the tree ($api)"
fi

# node_syms FILE NODE: the symbols FILE (abidw XML) puts in version NODE.
node_syms() {
	sed -n "s/.*<elf-symbol name='\([^']*\)' version='$2'.*/\1/p" "$1" | sort
}
nodes=$(sed -n "s/.*<elf-symbol name='[^']*' version='\([^']*\)'.*/\1/p" \
	"$base" | sort -u)
for node in $nodes; do
	node_syms "$base" "$node" >"$T/was"
	node_syms "$T/now.abi" "$node" >"$T/is"
	check "version node $node holds the symbols it was released with" \
		cmp -s "$T/was" "$T/is"
	diff "$T/was" "$T/is" | sed -n 's/^</# gone from '"$node"':/p; s/^>/# added to released '"$node"':/p'
done
done_testing
