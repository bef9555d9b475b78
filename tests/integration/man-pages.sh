#!/bin/bash
# The man pages: one header style in every page, the version and date
# that configure sets filled in as they are installed (make install-man
# into this test's directory), and an EXAMPLES and a SEE ALSO section in
# each tool's page. Every installed page renders without a warning.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

title() {
	case $1 in
	1) echo "User Commands" ;;
	3) echo "Library Functions Manual" ;;
	5) echo "File Formats Manual" ;;
	8) echo "System Manager's Manual" ;;
	*) echo "?" ;;
	esac
}

# header FILE: a page's .TH line, or its first line if it has none (a .so
# link); a preprocessor line such as '\" t may stand before the .TH.
header() {
	case $(head -n 1 "$1") in
	"'\\\" "*) sed -n 2p "$1" ;;
	*) head -n 1 "$1" ;;
	esac
}

pages=0
for f in "$DCTL_SRCDIR"/man/*.[1-8]; do
	b=${f##*/} sec=${f##*.}
	first=$(header "$f")
	case $first in .so\ *) continue ;; esac
	pages=$((pages + 1))
	name=$(echo "${b%.*}" | tr '[:lower:]' '[:upper:]')
	want=".TH $name $sec @MAN_DATE@ \"daemonctl @PACKAGE_VERSION@\" \"$(title "$sec")\""
	[ "$first" = "$want" ] || { not_ok "$b: header"; diag "has:  $first"; diag "want: $want"; continue; }
	ok "$b: header"
	case $sec in 1|8)
		check "$b: has EXAMPLES" grep -q '^\.SH EXAMPLES$' "$f"
		check "$b: has SEE ALSO" grep -q '^\.SH "\?SEE ALSO"\?$' "$f"
	esac
done
check "$pages pages with a header of their own" test "$pages" -gt 3

version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$DCTL_BUILDDIR/config.h")
date=$(sed -n 's/^MAN_DATE = //p' "$DCTL_BUILDDIR/Makefile")
check "configure set a version ($version) and a date ($date)" \
	test -n "$version" -a -n "$(echo "$date" | grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}$')"

run 0 "make install-man into a scratch DESTDIR" ${MAKE:-make} -s -C "$DCTL_BUILDDIR" \
	install-man install-man-header DESTDIR="$T/dest"
installed=$(find "$T/dest" -type f -name '*.[1-8]' | sort)
check "pages were installed" test -n "$installed"
bad=
for f in $installed; do
	first=$(header "$f")
	case $first in
	.so\ *) ;;
	*" $date \"daemonctl $version\" "*) ;;
	*) bad="$bad ${f##*/}" ;;
	esac
done
check "every installed header has $date and daemonctl $version${bad:+ (not:$bad)}" test -z "$bad"
warned=
for f in $installed; do
	case $(head -n 1 "$f") in .so\ *) continue ;; esac
	# -t: tbl, for the pages that ask for it with '\" t (and harmless
	# for the others).
	if LC_ALL=C.UTF-8 MANWIDTH=80 groff -t -man -Tutf8 -ww -z "$f" 2>&1 | grep -q .; then
		warned="$warned ${f##*/}"
	fi
done
check "they render without a warning${warned:+ (not:$warned)}" test -z "$warned"

done_testing
