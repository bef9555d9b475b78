#!/bin/bash
# daemon-start's output options as a user gives them: every malformed
# value or combination of --syslog, --syslog-tag, --output-max-size,
# --output-keep and --timestamps is exit 3 with one line naming the
# option, and nothing is started (no pidfile, no output file, the program
# never ran); and plain --output stays as it was: the program's stdout
# and stderr are the file itself, and no helper process runs beside it.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
# PID 1 is this script there: a daemon with nothing between is its child.
need_pidns "$@"

P=$T/d.pid
OUT=$T/out.log
RAN=$T/ran
# The program: it leaves a mark if it ever runs, then waits.
cat >"$T/prog" <<EOF
#!/bin/sh
: >"$RAN"
echo "out \$\$"
echo "err \$\$" >&2
exec sleep 300
EOF
chmod +x "$T/prog"

# fails DESC ERE ARGS...: exit 3, one line matching ERE, nothing started.
fails() {
	local desc=$1 re=$2
	shift 2
	rm -f "$P" "$OUT" "$RAN"
	run 3 "$desc: exit 3" "$START" -p "$P" "$@"
	grep_err "^daemon-start: $re" "$desc: message"
	check "$desc: one line" test "$(wc -l <"$T/err")" = 1
	check "$desc: no pidfile, no output file, the program never ran" \
		test ! -e "$P" -a ! -e "$OUT" -a ! -e "$RAN"
}

while IFS='|' read -r args re; do
	[ -n "$args" ] || continue
	# shellcheck disable=SC2086 # the options are words
	fails "$args" "$re" $args -- "$T/prog"
done <<EOF
-O $OUT --output-max-size 0|invalid value '0' for --output-max-size: a size
-O $OUT --output-max-size 10X|invalid value '10X' for --output-max-size: a size
-O $OUT --output-max-size 10KB|invalid value '10KB' for --output-max-size
-O $OUT --output-max-size -1|invalid value '-1' for --output-max-size
-O $OUT --output-max-size 1.5M|invalid value '1.5M' for --output-max-size
-O $OUT --output-max-size 9223372036854775808|invalid value '9223372036854775808' for --output-max-size
-O $OUT --output-max-size 1M --output-keep -1|invalid value '-1' for --output-keep: must be 0..1000
-O $OUT --output-max-size 1M --output-keep 1001|invalid value '1001' for --output-keep: must be 0..1000
-O $OUT --output-max-size 1M --output-keep x|invalid value 'x' for --output-keep: not a number
--output-max-size 1M|--output-max-size needs --output, --stdout or --stderr
-O $OUT --output-keep 3|--output-keep needs --output-max-size
--timestamps|--timestamps needs --output, --stdout or --stderr
--syslog=local8|invalid value 'local8' for --syslog: not a facility
--syslog=|invalid value '' for --syslog: not a facility
--syslog=LOG_USER|invalid value 'LOG_USER' for --syslog: not a facility
--syslog --syslog-tag a:b|invalid value 'a:b' for --syslog-tag: 1 to 64 printable characters
--syslog --syslog-tag web[1]|invalid value 'web\[1\]' for --syslog-tag
--syslog-tag web|--syslog-tag needs --syslog
--syslog -O $OUT|--syslog: no stream left for it, both go to files
--syslog --stdout $OUT --stderr $OUT|--syslog: no stream left for it
--syslog --forking|--syslog, --output-max-size and --timestamps cannot be used with --forking
--timestamps=yes|option '--timestamps' takes no value
EOF
fails "--syslog-tag ''" "invalid value '' for --syslog-tag" \
	--syslog --syslog-tag '' -- "$T/prog"
fails "-t with a size and no file" \
	"--output-max-size needs --output, --stdout or --stderr" \
	-t --output-max-size 1M -- "$T/prog"
rm -f "$P"
run 3 "a --name that cannot be a tag, with --syslog" \
	"$START" -n 'we b' --syslog -- "$T/prog"
grep_err "^daemon-start: --name we b cannot be a syslog tag: give --syslog-tag\$" \
	"it says what to do"
check "nothing was started for it" test ! -e "$RAN"

# ------------------------------------- plain --output: no helper at all
rm -f "$P" "$OUT" "$RAN"
run 0 "plain --output starts" "$START" -p "$P" -O "$OUT" -- "$T/prog"
pid=$(cat "$P" 2>/dev/null)
track "$pid"
check "the program ran" wait_for 100 test -e "$RAN"
check "its stdout is the file itself" \
	test "$(readlink "/proc/$pid/fd/1")" = "$OUT"
check "so is its stderr" test "$(readlink "/proc/$pid/fd/2")" = "$OUT"
check "both lines are in it, written by the program" \
	wait_for 100 grep -qx "err $pid" "$OUT"
grep -qx "out $pid" "$OUT" && ok "stdout's line too" || not_ok "stdout's line too"
sid=$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f4)
ppid=$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f2)
check "no other process in the daemon's session" \
	test "$(ps -o pid= -s "$sid" | tr -d ' ')" = "$pid"
check "its parent is PID 1: no process sits between ($ppid)" \
	test "$ppid" = 1
kill "$pid"
check "it ends on TERM" wait_gone "$pid"

done_testing
