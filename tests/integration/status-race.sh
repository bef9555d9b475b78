#!/bin/bash
# daemon-status must never disturb a concurrent start: with
# a status loop hammering the pidfile, two racing daemon-starts still give
# exactly one daemon, the loser exits 1, a started daemon always reads
# running, and stop still works. Bounded: a fixed number of rounds.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_pidns "$@"

ROUNDS=${DCTL_RACE_ROUNDS:-40}
F=$T/race.pid
# A private copy of sleep, so its processes can be counted by name (this
# PID namespace holds only the test's own processes).
cp "$(readlink -f /bin/sleep)" "$T/dsleep"

# The status loop: as fast as it can, until told to stop.
(
	while [ ! -e "$T/stop-loop" ]; do
		"$STATUS" -q -p "$F"
		echo $? >>"$T/codes"
		"$STATUS" --json -p "$F" >/dev/null
	done
) &
loop=$!
track "$loop"

bad_start=0 bad_count=0 bad_status=0 bad_stop=0
for round in $(seq "$ROUNDS"); do
	"$START" -p "$F" "$T/dsleep" 600 2>"$T/start1.err" &
	s1=$!
	"$START" -p "$F" "$T/dsleep" 600 2>"$T/start2.err" &
	s2=$!
	wait "$s1"
	r1=$?
	wait "$s2"
	r2=$?
	# Exactly one start wins, the other finds it running.
	if [ "$((r1 + r2))" != 1 ] || [ "$((r1 * r2))" != 0 ]; then
		bad_start=$((bad_start + 1))
		diag "round $round: starts exited $r1 and $r2"
		diag "$(cat "$T/start1.err" "$T/start2.err")"
	fi
	n=$(pgrep -c -x dsleep)
	if [ "$n" != 1 ]; then
		bad_count=$((bad_count + 1))
		diag "round $round: $n daemons"
	fi
	pid=$(cat "$F" 2>/dev/null)
	track "$pid"
	for i in 1 2 3; do
		if ! "$STATUS" -q -p "$F"; then
			bad_status=$((bad_status + 1))
			diag "round $round: a started daemon did not read running: $("$STATUS" -v -p "$F")"
		fi
	done
	if ! "$STOP" -p "$F" 2>"$T/stop.err" || alive "$pid"; then
		bad_stop=$((bad_stop + 1))
		diag "round $round: stop failed: $(cat "$T/stop.err")"
	fi
done
touch "$T/stop-loop"
wait "$loop"

check "$ROUNDS rounds: exactly one start won each time" test "$bad_start" = 0
check "$ROUNDS rounds: exactly one daemon each time" test "$bad_count" = 0
check "a started daemon always read running" test "$bad_status" = 0
check "stop worked every time" test "$bad_stop" = 0
check "the status loop ran ($(wc -l <"$T/codes") probes)" test "$(wc -l <"$T/codes")" -gt "$ROUNDS"
check "the status loop saw only LSB codes" \
	bash -c '! grep -qvxE "0|1|3|4" "$1"' _ "$T/codes"
check "no daemon left" test "$(pgrep -c -x dsleep)" = 0

done_testing
