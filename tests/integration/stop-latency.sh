#!/bin/bash
# How long after a daemon's exit does daemon-stop return? Measured against
# start-stop-daemon in the same run, on a daemon that exits at once on TERM:
#  - "reaped": its parent reaps it at once;
#  - "zombie": its parent never reaps it (as where PID 1 reaps late).
# The daemon notes $EPOCHREALTIME in its TERM trap just before it exits;
# the test notes it again when the tool returns. Medians of $RUNS runs are
# printed as TAP comments; ours must be within $LIMIT_US in both cases.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_pidns "$@"

export LC_ALL=C
RUNS=${DCTL_LATENCY_RUNS:-20}
LIMIT_US=${DCTL_LATENCY_LIMIT_US:-20000}
SSD=$(command -v start-stop-daemon || true)
P=$T/lat.pid

# The daemon: the TERM trap is set before the pidfile is written, so it
# is always in place when a tool reads the PID.
daemon_body() {
	trap 'kill $!; printf "%s\n" "$EPOCHREALTIME" >"$T/exit_ts"; exit 0' TERM
	exec 9>"$P"
	flock -n 9 || exit 1
	echo "$BASHPID" >&9
	while :; do sleep 300 9>&- & wait $!; done
}

# start MODE: sets $parent (the process to end afterwards).
start() {
	rm -f "$T/exit_ts" "$P"
	if [ "$1" = zombie ]; then
		# The daemon's parent execs sleep, which never reaps it.
		( daemon_body & exec sleep 300 ) &
	else
		daemon_body &
	fi
	parent=$!
	track "$parent"
	for _ in $(seq 200); do [ -s "$P" ] && return 0; sleep 0.01; done
	return 1
}

us() {
	local t=${1/./}
	echo $((10#$t))
}

# once TOOL MODE: one stop; prints the latency in microseconds, or
# "fail:STATUS" if the tool did not report success.
once() {
	local rc t1 pid
	start "$2" || { echo fail:start; return; }
	pid=$(cat "$P")
	if [ "$1" = ours ]; then
		"$STOP" -p "$P" --retry TERM/5 >/dev/null 2>&1
	else
		"$SSD" --stop --quiet --pidfile "$P" --retry TERM/1 \
			--remove-pidfile >/dev/null 2>&1
	fi
	rc=$?
	t1=$EPOCHREALTIME
	kill -KILL "$parent" "$pid" 2>/dev/null
	wait "$parent" 2>/dev/null
	if [ "$rc" != 0 ] || [ ! -s "$T/exit_ts" ]; then
		echo "fail:$rc"
		return
	fi
	echo $(( $(us "$t1") - $(us "$(cat "$T/exit_ts")") ))
}

median() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "none"; exit }
		if (NR % 2) print v[(NR + 1) / 2];
		else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# series TOOL MODE: RUNS stops; sets $med and $fails.
series() {
	local i v
	: >"$T/samples"
	fails=0
	for i in $(seq "$RUNS"); do
		v=$(once "$1" "$2")
		if [ "${v%%:*}" = fail ]; then
			fails=$((fails + 1))
			last_fail=${v#fail:}
			# A tool that cannot stop it once will not, 19 more times.
			[ "$1" = ssd ] && break
		else
			echo "$v" >>"$T/samples"
		fi
	done
	med=$(median <"$T/samples")
}

for mode in reaped zombie; do
	series ours "$mode"
	diag "daemon-stop, $mode: median ${med} us from exit to return ($RUNS runs, $fails failed)"
	check "daemon-stop, $mode: every stop succeeded" test "$fails" = 0
	check "daemon-stop, $mode: median ${med} us < ${LIMIT_US} us" \
		test "$med" != none -a "${med:-999999999}" -lt "$LIMIT_US" 2>/dev/null
	if [ -n "$SSD" ]; then
		series ssd "$mode"
		if [ "$med" = none ]; then
			diag "start-stop-daemon, $mode: did not see it exit (exit status $last_fail after --retry TERM/1)"
		else
			diag "start-stop-daemon, $mode: median ${med} us from exit to return ($fails failed)"
		fi
	fi
done

done_testing
