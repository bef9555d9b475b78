#!/bin/bash
# An interrupted start leaves nothing: SIGINT, SIGTERM or SIGHUP sent to
# daemon-start while it waits (--notify-await, --wait, --forking) ends the
# program, removes the pidfile, and daemon-start exits 128 + the signal
# with one line saying so.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_pidns "$@"

# A private copy of sleep, so its processes can be counted by name (this
# PID namespace holds only the test's own processes).
cp "$(readlink -f /bin/sleep)" "$T/isleep"
P=$T/int.pid

sleepers() {
	pgrep -c -x isleep
}

some_sleeper() {
	[ "$(sleepers)" -ge 1 ]
}

no_sleeper() {
	[ "$(sleepers)" = 0 ]
}

# interrupt SIG DESC OPTIONS... -- PROGRAM...: start in the background,
# wait until the program runs, send SIG to daemon-start, then check.
interrupt() {
	local sig=$1 desc=$2 pid rc want
	shift 2
	rm -f "$P"
	"$START" -p "$P" "$@" >"$T/out" 2>"$T/err" </dev/null &
	pid=$!
	track "$pid"
	if ! wait_for 100 some_sleeper; then
		not_ok "$desc: the program never ran"
		return
	fi
	kill "-$sig" "$pid"
	wait "$pid"
	rc=$?
	want=$((128 + $(kill -l "$sig")))
	check "$desc: exits $want" test "$rc" = "$want"
	grep_err "^daemon-start: interrupted by SIG$sig: .*cancelled while waiting for .*; $P removed$" \
		"$desc: says it was interrupted, and what it cleaned up"
	check "$desc: one line" test "$(wc -l <"$T/err")" = 1
	check "$desc: no pidfile left" test ! -e "$P"
	check "$desc: no process left" no_sleeper
}

for sig in INT TERM HUP; do
	interrupt "$sig" "--notify-await, SIG$sig" --notify-await -T 30 \
		"$T/isleep" 600
done
# The wait is far longer than any start takes: the signal ends it, and
# must find daemon-start still waiting however slow the machine is.
interrupt INT "--wait 60000, SIGINT" --wait 60000 "$T/isleep" 600
interrupt TERM "--wait 60000, SIGTERM" --wait 60000 "$T/isleep" 600
# --forking: a first process that never detaches, and one that detaches
# but never writes the pidfile.
interrupt HUP "--forking, first process still running, SIGHUP" \
	--forking -T 30 "$T/isleep" 600
interrupt TERM "--forking, no pidfile written yet, SIGTERM" \
	--forking -T 30 /bin/sh -c "\"$T/isleep\" 600 >/dev/null 2>&1 & exit 0"

# A start that is not interrupted still works, and its daemon gets an
# empty signal mask, whatever daemon-start blocked.
run 0 "--wait 300 uninterrupted: started" "$START" -p "$P" --wait 300 \
	"$T/isleep" 600
pid=$(cat "$P")
track "$pid"
check "its daemon blocks no signal" \
	grep -qx "SigBlk:	0000000000000000" "/proc/$pid/status"
run 0 "and it stops" "$STOP" -p "$P"
done_testing
