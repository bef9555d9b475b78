#!/bin/bash
# daemon-stop on a daemon that exits on TERM, whose parent either reaps it
# at once or never does (as where PID 1 reaps late): the stop succeeds in
# both cases, as soon as the daemon has exited, not after the schedule
# (a zombie cannot be killed: waiting it out would end in exit 2), and the
# pidfile is removed. How soon is measured by bench/stop-latency.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_pidns "$@"

P=$T/z.pid
ROUNDS=${DCTL_ZOMBIE_ROUNDS:-5}

# The daemon: the TERM trap is set before the pidfile is written, so it is
# always in place when the tool reads the PID; it notes its exit.
daemon_body() {
	trap 'kill $!; echo exited >"$T/exited"; exit 0' TERM
	exec 9>"$P"
	flock -n 9 || exit 1
	echo "$BASHPID" >&9
	while :; do sleep 300 9>&- & wait $!; done
}

# start MODE: sets $parent, the process to end afterwards.
start() {
	rm -f "$T/exited" "$P"
	if [ "$1" = zombie ]; then
		# The daemon's parent execs sleep, which never reaps it.
		( daemon_body & exec sleep 300 ) &
	else
		daemon_body &
	fi
	parent=$!
	track "$parent"
	wait_for 300 test -s "$P"
}

# state PID: the process's state letter from /proc, or "gone".
state() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1 | grep . || echo gone
}

is_gone() {
	[ "$(state "$1")" = gone ]
}

for mode in reaped zombie; do
	bad=""
	for i in $(seq "$ROUNDS"); do
		if ! start "$mode"; then
			bad="$bad $i:no-pidfile"
			continue
		fi
		pid=$(cat "$P")
		# TERM, then 20 s: an exit missed (a zombie taken for alive)
		# would end in KILL and, for the zombie, exit 2.
		timeout -k 2 60 "$STOP" -p "$P" --retry TERM/20/KILL/1 \
			>"$T/out" 2>"$T/err" </dev/null
		rc=$?
		# The reaping parent is this shell: give it time to reap.
		[ "$mode" = reaped ] && wait_for 100 is_gone "$pid"
		st=$(state "$pid")
		[ "$rc" = 0 ] || bad="$bad $i:exit-$rc"
		[ -s "$T/exited" ] || bad="$bad $i:not-by-TERM"
		[ ! -e "$P" ] || bad="$bad $i:pidfile-left"
		case $mode:$st in
		reaped:gone|zombie:Z) ;;
		*) bad="$bad $i:state-$st" ;;
		esac
		grep -q KILL "$T/err" && bad="$bad $i:KILL-sent"
		kill -KILL "$parent" "$pid" 2>/dev/null
		wait "$parent" 2>/dev/null
	done
	check "daemon-stop, parent $mode: $ROUNDS stops, each exit 0, by TERM, pidfile removed" \
		test -z "$bad"
	[ -n "$bad" ] && diag "failed rounds:$bad; last stderr: $(cat "$T/err")"
done
done_testing
