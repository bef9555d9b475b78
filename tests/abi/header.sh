#!/bin/bash
# <daemonctl.h> as a program includes it: first, with no feature macros,
# under strict ISO C99 and C11 (pedantic errors, every warning an error)
# and as C++. A header that needs _GNU_SOURCE or a compiler extension would
# break its callers' builds.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

export LC_ALL=C
cc=${CC:-cc}
cxx=${CXX:-g++}
warn="-Wall -Wextra -Werror -pedantic-errors"

# A caller that uses a little of everything the header declares.
cat >"$T/use.c" <<'C'
#include <daemonctl.h>

int main(void)
{
	struct dctl_pidfile *pf = 0;
	pid_t pid;

	if (dctl_pidfile_read("/nonexistent", &pid, 0) == 0)
		return 1;
	(void)pf;
	return dctl_version() == 0;
}
C

# compile DESC COMMAND...: ok if COMMAND compiles the caller cleanly.
compile() {
	local desc=$1
	shift
	if "$@" >"$T/log" 2>&1; then
		ok "$desc"
		return
	fi
	not_ok "$desc"
	diag "$(head -n 20 "$T/log")"
}

inc="-I$DCTL_SRCDIR/lib"
compile "C99, pedantic: $cc -std=c99" \
	$cc -std=c99 $warn $inc -fsyntax-only "$T/use.c"
compile "C11, pedantic: $cc -std=c11" \
	$cc -std=c11 $warn $inc -fsyntax-only "$T/use.c"
compile "gnu11 with 64-bit off_t and time_t" \
	$cc -std=gnu11 $warn -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64 $inc \
	-fsyntax-only "$T/use.c"
if command -v "$cxx" >/dev/null; then
	compile "C++11, pedantic: $cxx -x c++" \
		$cxx -x c++ -std=c++11 $warn $inc -fsyntax-only "$T/use.c"
else
	ok "# SKIP no C++ compiler ($cxx)"
fi
done_testing
