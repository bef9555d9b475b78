#!/bin/bash
# daemon-stop as a user runs it: exit codes 0/1/2/3, messages, --oknodo,
# -v, -t, --no-wait, --exec/--user, --process-group, bad schedules and
# signals refused before anything is sent.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
# Private PID namespace: the stale-pidfile cases name PIDs that only our
# own processes can have.
need_pidns "$@"

SLEEP=$(readlink -f "$(command -v sleep)")

# daemon FILE [trap-TERM]: a process holding FILE's lock, as daemon-start
# leaves one: the pidfile written through the locked descriptor, which
# the exec'd program keeps. Sets $dpid.
daemon() {
	local f=$1 ignore=${2:-}
	(
		[ -n "$ignore" ] && trap '' TERM
		exec 9>"$f"
		flock -n 9 || exit 1
		echo "$BASHPID" >&9
		exec "$SLEEP" 300
	) &
	dpid=$!
	track "$dpid"
	wait_exec "$dpid"
}

# Wait until PID runs sleep (the exec happened, the pidfile is written).
# The deadline only ends a hang; one that passes fails a test step, so
# that what follows is not blamed on daemon-stop.
wait_exec() {
	wait_for 600 runs_sleep "$1" && return 0
	not_ok "process $1 got to exec $SLEEP"
	return 1
}

runs_sleep() {
	[ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$SLEEP" ]
}

# One line on stderr, starting with the tool's name.
one_line() {
	local n
	n=$(wc -l <"$T/err")
	if [ "$n" = 1 ] && grep -q '^daemon-stop: ' "$T/err"; then ok "$1"; else
		not_ok "$1"; diag "stderr: $(cat "$T/err")"; fi
}

P=$T/d.pid

# --- not running
run 1 "no pidfile: exit 1" "$STOP" -p "$P"
grep_err "^daemon-stop: $P: not running \(no pidfile\), nothing done$" \
	"no pidfile: says so, naming the file"
run 0 "no pidfile with --oknodo: exit 0" "$STOP" -p "$P" --oknodo
check "--oknodo: silent" test ! -s "$T/err"
run 1 "no pidfile with -q: exit 1" "$STOP" -q -p "$P"
check "-q: silent" test ! -s "$T/err"

# A stale pidfile: the process it names is gone.
sleep 0 & gone=$!
wait "$gone"
echo "$gone" >"$P"
run 1 "stale pidfile: exit 1" "$STOP" -p "$P"
grep_err "^daemon-stop: $P: process $gone (is )?not running, nothing done$" \
	"stale pidfile: names the process"
check "stale pidfile left for daemon-start to replace" test -f "$P"
rm -f "$P"

# --- a daemon that obeys TERM
daemon "$P"
run 0 "stop: exit 0" "$STOP" -p "$P"
check "stop: silent" test ! -s "$T/err" -a ! -s "$T/out"
check "stop: daemon gone" wait_gone "$dpid" 600
check "stop: pidfile removed" test ! -e "$P"

daemon "$P"
run 0 "-v: exit 0" "$STOP" -v -p "$P"
grep_err "^daemon-stop: sent TERM to $dpid, waiting up to 30 s$" \
	"-v: says what it sent and how long it waits"
grep_err "^daemon-stop: $dpid exited [0-9.]+ s after the first signal$" \
	"-v: says when it exited"

daemon "$P"
run 0 "--keep-pidfile: exit 0" "$STOP" -p "$P" --keep-pidfile
check "--keep-pidfile: pidfile kept" test -f "$P"
check "--keep-pidfile: daemon gone" wait_gone "$dpid" 600
rm -f "$P"

daemon "$DAEMONCTL_RUNDIR/web.pid"
run 0 "--name: exit 0" "$STOP" --name web
check "--name: daemon gone" wait_gone "$dpid" 600
check "--name: pidfile removed" test ! -e "$DAEMONCTL_RUNDIR/web.pid"

# --- -t: says, sends nothing
daemon "$P"
run 0 "-t: exit 0" "$STOP" -t -p "$P" --retry INT/3/KILL/1
grep_out "^daemon-stop: would stop pid $dpid \($P\) along INT/3/KILL/1$" \
	"-t: says what it would do"
sleep 0.1
check "-t: daemon untouched" alive "$dpid"
check "-t: pidfile untouched" test "$(cat "$P")" = "$dpid"

# --- bad usage: exit 3, one line naming the option, nothing sent
bad() {
	local desc=$1
	shift
	run 3 "$desc: exit 3" "$STOP" -p "$P" "$@"
	one_line "$desc: one line"
}
bad "--retry TERM/x" --retry TERM/x
grep_err "invalid value 'TERM/x' for --retry" "--retry TERM/x: named"
bad "--retry TERM/-0" --retry TERM/-0
bad "--retry NOSUCHSIG/5" --retry NOSUCHSIG/5
bad "--retry /5" --retry /5
bad "--retry TERM//5" --retry TERM//5
bad "--retry empty" --retry ''
bad "--retry TERM/5/forever" --retry TERM/5/forever
bad "--retry forever twice" --retry TERM/forever/5/forever/5
bad "--retry overflow" --retry TERM/99999999999
grep_err "too large" "--retry overflow: says why"
bad "--retry TERM alone" --retry TERM
bad "--signal 0x1" --signal 0x1
grep_err "invalid value '0x1' for --signal" "--signal 0x1: named"
bad "--signal -5" --signal -5
bad "--signal 9999" --signal 9999
bad "--signal empty" --signal ''
bad "--signal 0" --signal 0
bad "--signal NOSUCHSIG" --signal NOSUCHSIG
bad "--user unknown" --user no-such-user-here
grep_err "invalid value 'no-such-user-here' for --user" "--user: named"
bad "--instance not a UUID" --instance 1234
bad "--exec empty" --exec ''
bad "--no-wait with --retry" --no-wait --retry 5
bad "unexpected argument" extra
bad "unknown option" --frobnicate
grep_err "^daemon-stop: unknown option '--frobnicate'" "unknown option: named"
bad "unknown short option" -Z
grep_err "^daemon-stop: unknown option '-Z'" "unknown short option: named"
bad "missing value" --retry
grep_err "^daemon-stop: option '--retry' needs a value" "missing value: named"
run 3 "no pidfile option: exit 3" "$STOP"
one_line "no pidfile option: one line"
run 3 "--pidfile and --name: exit 3" "$STOP" -p "$P" -n web
one_line "--pidfile and --name: one line"
check "bad usage: nothing was sent" alive "$dpid"

# --- a match that fails: exit 1, nothing sent
run 1 "--exec mismatch: exit 1" "$STOP" -p "$P" --exec /usr/sbin/nologin
grep_err "does not match --exec /usr/sbin/nologin" "--exec mismatch: says so"
run 1 "--user mismatch: exit 1" "$STOP" -p "$P" --user 4242
run 0 "--user mismatch with --oknodo: exit 0" "$STOP" -p "$P" -u 4242 -o
check "mismatch: daemon untouched" alive "$dpid"
run 0 "--exec and --user that match: exit 0" "$STOP" -p "$P" \
	--exec "$SLEEP" --user "$(id -un)"
check "match: daemon gone" wait_gone "$dpid" 600

# --- --no-wait: a reload signal
reloader() {
	# A shell of its own with HUP at its default: one that inherits HUP
	# ignored (a suite run under nohup) cannot trap it. The trap comes
	# before the PID: once the pidfile names it, a HUP is a reload.
	env --default-signal=HUP bash -c '
		trap "echo hup >>\"\$1\"" HUP
		exec 9>"$2"
		flock -n 9 || exit 1
		echo "$$" >&9
		while :; do sleep 0.05 9>&- & wait $!; done' \
		reloader "$T/hups" "$P" &
	dpid=$!
	track "$dpid"
	wait_for 600 test -s "$P" || not_ok "the reloader wrote its PID"
}
reloader
run 0 "--no-wait --signal HUP: exit 0" "$STOP" -p "$P" --signal HUP --no-wait
wait_for 600 test -s "$T/hups"
check "--no-wait: the daemon got HUP" test "$(cat "$T/hups" 2>/dev/null)" = hup
check "--no-wait: daemon still running" alive "$dpid"
check "--no-wait: pidfile kept" test -f "$P"
kill -KILL "$dpid"
wait_gone "$dpid" 600
rm -f "$P"

# --- escalation and exit 2
daemon "$P" ignore-term
start=$(date +%s%N)
run 0 "TERM ignored: KILL after 1 s, exit 0" "$STOP" -v -p "$P" --retry TERM/1/KILL/5
ms=$(( ($(date +%s%N) - start) / 1000000 ))
# KILL came once the TERM's second was out, not before; the upper bound is
# only there to tell a stop that waited for nothing from a slow machine.
check "escalation: KILL not before the first timeout ($ms ms)" test "$ms" -ge 1000 -a "$ms" -lt 30000
grep_err "^daemon-stop: sent KILL to $dpid, waiting up to 5 s$" "-v: says it sent KILL"
check "escalation: daemon gone" wait_gone "$dpid" 600
check "escalation: pidfile removed" test ! -e "$P"

daemon "$P" ignore-term
run 2 "schedule runs out: exit 2" "$STOP" -p "$P" --retry TERM/1
grep_err "^daemon-stop: $P: pid $dpid still running at the end of TERM/1, pidfile kept$" \
	"exit 2: says so"
check "exit 2: daemon still running" alive "$dpid"
check "exit 2: pidfile kept" test "$(cat "$P")" = "$dpid"
run 0 "bare timeout 1 with --signal INT: INT/1/KILL/1" "$STOP" -v -p "$P" -s INT -R 1
grep_err "sent INT to $dpid, waiting up to 1 s" "bare timeout uses --signal"
check "bare timeout: daemon gone" wait_gone "$dpid" 600

# --- --process-group
group_daemon() {
	setsid bash -c '
		sleep 300 & echo $! >"$2"
		exec 9>"$1"; flock -n 9 || exit 1; echo $$ >&9
		exec "$3" 300' grp "$P" "$T/member" "$SLEEP" &
	dpid=$!
	track "$dpid"
	wait_exec "$dpid"
	member=$(cat "$T/member")
	track "$member"
}
group_daemon
run 0 "--process-group: exit 0" "$STOP" -v -p "$P" --process-group
grep_err "sent TERM to process group $dpid" "--process-group: says which group"
check "--process-group: daemon gone" wait_gone "$dpid" 600
check "--process-group: the rest of the group gone" wait_gone "$member" 600

group_daemon
run 0 "without --process-group: exit 0" "$STOP" -p "$P"
check "without --process-group: daemon gone" wait_gone "$dpid" 600
check "without --process-group: the group member survives" alive "$member"
kill "$member"

daemon "$P"
run 3 "--process-group of a daemon in our session: exit 3" "$STOP" -p "$P" --process-group
one_line "own group: one line"
check "own group: nothing sent" alive "$dpid"
kill "$dpid"

done_testing
