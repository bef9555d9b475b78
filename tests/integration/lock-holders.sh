#!/bin/bash
# A daemon gone while its children still hold the lock they inherited:
# status, start and stop name the processes that hold it, and
# daemon-stop --process-group ends them and removes the pidfile.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_pidns "$@"

cp "$(readlink -f /bin/sleep)" "$T/lsleep"
P=$T/kids.pid

sleepers() {
	pgrep -c -x lsleep
}

two_sleepers() {
	[ "$(sleepers)" = 2 ]
}

no_sleeper() {
	[ "$(sleepers)" = 0 ]
}

# The daemon forks a worker that inherits the lock, then becomes lsleep.
start_family() {
	run 0 "$1: started" "$START" -p "$P" /bin/bash -c \
		"\"$T/lsleep\" 600 & exec \"$T/lsleep\" 600"
	daemon=$(cat "$P")
	track "$daemon"
	wait_for 100 two_sleepers
	worker=$(pgrep -x -P "$daemon" lsleep)
	track "$worker"
	check "$1: daemon $daemon and worker $worker run" \
		test -n "$worker" -a "$(sleepers)" = 2
}

# The daemon killed outright: its worker keeps the lock.
start_family "killed daemon"
kill -KILL "$daemon"
wait_gone "$daemon"

run 4 "status: unknown, not dead" "$STATUS" -p "$P"
grep_out "^kids: unknown \(locked by process $worker, but process $daemon (is not running|is a zombie)\)$" \
	"status names the worker that holds the lock"
run 4 "status --json too" "$STATUS" --json -p "$P"
grep_out "\"locked\":true.*\"reason\":\"locked by process $worker, " \
	"JSON: locked, the reason names the worker"
run 1 "start: already running" "$START" -p "$P" "$T/lsleep" 600
grep_err "^daemon-start: already running\? $P: locked by process $worker, but process $daemon " \
	"start names the worker"
check "no second daemon" test "$(sleepers)" = 1
run 3 "stop without --process-group: nothing sent, exit 3" "$STOP" -p "$P"
grep_err "^daemon-stop: $P: locked by process $worker, .* \(--process-group stops them\)$" \
	"stop names the worker and the way to end it"
check "the worker still runs" alive "$worker"
run 0 "stop --process-group: exit 0" "$STOP" --process-group -p "$P"
check "the worker is gone" wait_gone "$worker"
check "the pidfile is gone" test ! -e "$P"
run 3 "status: not running" "$STATUS" -p "$P"

# A stop of the daemon alone, whose worker ignores nothing but is not
# signalled: exit 2, the worker named; then --process-group ends it.
start_family "stopped daemon"
run 2 "stop: the daemon stops, its worker keeps the lock: exit 2" \
	"$STOP" -p "$P"
grep_err "^daemon-stop: $P: pid $daemon stopped, but process $worker still holds its lock: pidfile kept \(--process-group stops them too\)$" \
	"stop says who keeps the lock"
check "the daemon is gone" wait_gone "$daemon"
check "the worker still runs" alive "$worker"
run 0 "stop --process-group ends the worker" "$STOP" --process-group -p "$P"
check "the worker is gone" wait_gone "$worker"
check "the pidfile is gone" test ! -e "$P"

# --process-group from the start: both go at once.
start_family "whole group"
run 0 "stop --process-group: exit 0" "$STOP" --process-group -p "$P"
check "nothing left" wait_for 50 no_sleeper
check "the pidfile is gone" test ! -e "$P"
done_testing
