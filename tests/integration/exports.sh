#!/bin/bash
# Three lists of the library's interface must agree: the functions the
# public header declares DCTL_EXPORT, the names the version script lists
# (each in one version node, no wildcard), and what the built
# libdaemonctl.so exports, each at the node the script gives it. Every
# export has a manual page.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

so=$DCTL_BUILDDIR/lib/.libs/libdaemonctl.so
sym=$DCTL_SRCDIR/lib/libdaemonctl.sym
header=$DCTL_SRCDIR/lib/daemonctl.h
if ! command -v nm >/dev/null || [ ! -e "$so" ]; then
	echo "1..0 # SKIP no nm or no shared library"
	exit 0
fi

# same DESC A B: the sorted lists in files A and B are equal.
same() {
	if cmp -s "$2" "$3"; then ok "$1"; return; fi
	not_ok "$1"
	diff "$2" "$3" | sed -n "s/^</# only in ${2##*/}:/p; s/^>/# only in ${3##*/}:/p"
}

# The header: the name right before the "(" of each DCTL_EXPORT
# declaration, comments removed and lines joined, so a declaration may
# span lines.
tr '\n' ' ' <"$header" | sed 's:/\*[^*]*\*\+\([^/*][^*]*\*\+\)*/::g' |
	grep -o 'DCTL_EXPORT[^;(]*(' | grep -o 'dctl_[a-z0-9_]*[ ]*($' |
	tr -d '( ' | sort >"$T/header"
check "the header declares exports" test -s "$T/header"

# The version script: "NAME VERSION" for each name listed under global:.
sed 's:/\*.*\*/::; s:#.*::' "$sym" | awk '
	/^[A-Za-z0-9_.]+[ \t]*\{/ { node = $1; sub(/\{.*/, "", node); scope = ""; next }
	/^[ \t]*\}/ { scope = ""; next }
	/global:/ { scope = "global"; next }
	/local:/ { scope = "local"; next }
	scope == "global" && /[^ \t]/ { n = $1; sub(/;.*/, "", n); print n, node }' |
	sort >"$T/script"
check "the version script names every symbol (no wildcard)" \
	test -z "$(awk '$1 ~ /[*?[]/' "$T/script")"
awk '$1 ~ /[*?[]/ { print "# pattern in " $2 ": " $1 }' "$T/script"
check "every listed name is in a DAEMONCTL_N node" \
	test -z "$(awk '$2 !~ /^DAEMONCTL_[0-9]+$/' "$T/script")"
check "no name is listed twice" \
	test -z "$(cut -d' ' -f1 "$T/script" | uniq -d)"

# The library: "NAME VERSION" of each defined dynamic symbol.
nm -D --defined-only "$so" | awk '$2 == "A" { next }	# the marker of a node
{
	n = split($3, part, "@+")
	if (n == 1) print $3, "(unversioned)"
	else if (part[1] != part[2]) print part[1], part[2] }' | sort >"$T/library"
check "some symbols are exported" test -s "$T/library"
check "every export is named dctl_" \
	test -z "$(awk '$1 !~ /^dctl_[a-z0-9_]+$/' "$T/library")"

cut -d' ' -f1 "$T/script" >"$T/listed"
cut -d' ' -f1 "$T/library" >"$T/exported"
same "the version script lists exactly what the header declares" \
	"$T/header" "$T/listed"
same "the library exports exactly what the header declares" \
	"$T/header" "$T/exported"
same "each export carries the version node the script gives it" \
	"$T/script" "$T/library"

missing=""
while read -r f; do
	[ -f "$DCTL_SRCDIR/man/$f.3" ] || missing="$missing $f"
done <"$T/exported"
check "every export has a man page (man/NAME.3)" test -z "$missing"
[ -n "$missing" ] && diag "no page:$missing"
done_testing
