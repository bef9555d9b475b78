#!/bin/bash
# The log keeper writing a file, driven through logkeep-pipe: size
# rotation with numbered lines (no gap, no split, no extra file), time
# prefixes, the last lines before an exit or a crash, restarts through the
# same pipe, and malformed values.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

LK=$DCTL_BUILDDIR/tests/helpers/logkeep-pipe
F=$T/app.log
# feed FILE COMMAND...: COMMAND reads FILE through a pipe.
FEED=$T/feed
printf '#!/bin/sh\nf=$1; shift\ncat "$f" | "$@"\n' >"$FEED"
chmod +x "$FEED"

# Lines "line 000001" .. "line N", with a tail of x's to make them 100 bytes.
numbered() {
	awk -v n="$1" 'BEGIN { pad = sprintf("%88s", ""); gsub(/ /, "x", pad);
		for (i = 1; i <= n; i++) printf "line %06d %s\n", i, pad }'
}

# The numbers of the lines of the files named, in order.
numbers() {
	cat "$@" | sed -n 's/^\(.*T[^ ]* \)\{0,1\}line \([0-9]*\) .*/\2/p' |
		sed 's/^0*//'
}

# Each number from $1 to $2 exactly once, in order.
consecutive() {
	[ "$(numbers "${@:3}" | tr '\n' ' ')" = "$(seq "$1" "$2" | tr '\n' ' ')" ]
}

# ------------------------------------------------------------ rotation
numbered 20000 >"$T/in"
run 0 "20000 lines through a 64K rotation, keep 3" \
	"$FEED" "$T/in" "$LK" --file "$F" --max-size 64K --keep 3
check "FILE and FILE.1 .. FILE.3 exist" \
	test -s "$F" -a -s "$F.1" -a -s "$F.2" -a -s "$F.3"
check "no FILE.4: the oldest is dropped" test ! -e "$F.4"
check "no other file beside them" \
	test "$(cd "$T" && ls app.log* | tr '\n' ' ')" = "app.log app.log.1 app.log.2 app.log.3 "
big=0 split=0
for f in "$F" "$F.1" "$F.2" "$F.3"; do
	[ "$(stat -c %s "$f")" -le 65536 ] || big=1
	[ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] || split=1
	grep -Evq '^line [0-9]{6} x{88}$' "$f" && split=1
done
check "no file passes 64K" test "$big" = 0
check "every file holds whole lines only" test "$split" = 0
first=$(numbers "$F.3" | head -n 1)
check "FILE.3 .. FILE hold the last lines with no gap" \
	consecutive "$first" 20000 "$F.3" "$F.2" "$F.1" "$F"
check "rotated files are full: FILE.3 starts where 64K files put it" \
	test "$first" = $((20000 - $(numbers "$F" | wc -l) - 3 * (65536 / 101) + 1))

rm -f "$F"*
run 0 "the same with keep 1000" \
	"$FEED" "$T/in" "$LK" --file "$F" --max-size 64K --keep 1000
n=$(ls "$F".* | wc -l)
per=$((65536 / 101))
check "as many rotated files as 64K files of whole lines need" \
	test "$n" = $(((20000 + per - 1) / per - 1))
# shellcheck disable=SC2046
check "no line lost or repeated across the rotated files" \
	consecutive 1 20000 $(for i in $(seq "$n" -1 1); do echo "$F.$i"; done) "$F"
check "the file is created 0640" test "$(stat -c %a "$F")" = 640

# ---------------------------------------------------------- timestamps
rm -f "$F"*
run 0 "timestamps" "$LK" --file "$F" --timestamps -- sh -c 'echo one; echo two >&2'
check "each line starts with an ISO 8601 UTC time" \
	test "$(grep -Ec '^[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{6}Z (one|two)$' "$F")" = 2
stamp=$(head -c 19 "$F")
now=$(date -u +%s)
then=$(date -u -d "${stamp/T/ }" +%s)
check "the time is now, in UTC" test $((now - then)) -ge 0 -a $((now - then)) -le 60

# -------------------------------------------------- exits and crashes
rm -f "$F"*
run 139 "a program killed by SIGSEGV after 5000 lines" \
	"$LK" --file "$F" -- sh -c 'i=0; while [ $i -lt 5000 ]; do i=$((i+1)); echo "line $i x"; done; kill -SEGV $$'
check "all 5000 lines reached the file" consecutive 1 5000 "$F"

rm -f "$F"*
run 134 "a program that aborts right after writing" \
	"$LK" --file "$F" -- python3 -c 'import os, sys
for i in range(1, 3001): sys.stdout.write("line %d x\n" % i)
sys.stdout.write("unterminated")
sys.stdout.flush(); os.abort()'
check "all 3000 lines and the unterminated one, ended" \
	test "$(numbers "$F" | wc -l)" = 3000 -a "$(tail -n 1 "$F")" = unterminated

rm -f "$F"*
run 0 "three runs through the same pipe" \
	"$LK" --file "$F" --runs 3 -- sh -c 'echo "run $$"; echo "err $$" >&2; printf "half $$"'
check "each run's lines, its half line ended before the next run" \
	test "$(awk '{ print $1 }' "$F" | tr '\n' ' ')" = "run err half run err half run err half "
check "the runs were three processes" test "$(sed -n 's/^run //p' "$F" | sort -u | wc -l)" = 3

# ------------------------------------------------------------ mistakes
for bad in 0 10X 10KB -1 1.5M ""; do
	run 3 "--max-size '$bad' is refused" "$LK" --file "$F" --max-size "$bad"
	grep_err "invalid size" "it says so"
done
run 3 "--keep -1 is refused" "$LK" --file "$F" --keep -1
run 3 "a directory as the file is refused" "$LK" --file "$T"
grep_err "cannot open $T" "it names the path"
done_testing
