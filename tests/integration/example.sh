#!/bin/bash
# examples/demo-daemon: a C program that detaches itself with
# dctl_daemonize(). Checks the daemon it leaves behind from /proc, the
# pidfile's bytes and lock, the startup result reaching the caller, and a
# clean exit on TERM. Every process is stopped by PID.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

DEMO=$DCTL_BUILDDIR/examples/demo-daemon
PF=$T/demo.pid
LOG=$T/demo.log

# Field N (1-based, after the command name) of /proc/PID/stat.
stat_field() {
	sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f"$2"
}

status_line() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"
}

# has_line FILE ERE: FILE has a line matching ERE.
has_line() {
	grep -Eq -- "$2" "$1" 2>/dev/null
}

# A hostile caller: signals ignored, odd umask and cwd.
run 0 "demo-daemon detaches and reports ready" \
	bash -c 'trap "" HUP INT USR2; umask 077; cd "$1" && shift && exec "$@"' \
	- "$T" "$DEMO" -p "$PF" -i 1 "$LOG"
grep_out "^demo-daemon: starting, logging to $LOG\$" \
	"it prints before detaching"

pid=$(cat "$PF" 2>/dev/null)
case $pid in ''|*[!0-9]*|0|1) pid= ;; esac
check "the pidfile holds one PID and a newline" \
	test -n "$pid" -a "$(cat "$PF")" = "$pid" -a "$(wc -c <"$PF")" = "$((${#pid} + 1))"
[ -n "$pid" ] && track "$pid"
pid=${pid:-999999999}

check "the daemon runs" alive "$pid"
check "its PID is logged" grep -qx "demo-daemon\[$pid\]: started" "$LOG"
check "not a session leader" test "$(stat_field "$pid" 4)" != "$pid"
check "in a session of its own" test "$(stat_field "$pid" 4)" != "$(stat_field $$ 4)"
check "no controlling terminal" test "$(stat_field "$pid" 5)" = 0
check "cwd is /" test "$(readlink "/proc/$pid/cwd")" = /
check "umask 022" test "$(status_line "$pid" Umask)" = 0022
# Even glibc's own 32 and 33, which GNU make leaves ignored.
check "no signal ignored" test "$(status_line "$pid" SigIgn)" = 0000000000000000
check "stdin is /dev/null" test "$(readlink "/proc/$pid/fd/0")" = /dev/null
check "stdout goes to the log" test "$(readlink "/proc/$pid/fd/1")" = "$LOG"
check "stderr goes to the log" test "$(readlink "/proc/$pid/fd/2")" = "$LOG"
fds=$(ls "/proc/$pid/fd" 2>/dev/null | sort -n | tr '\n' ' ')
extra=$(ls "/proc/$pid/fd" 2>/dev/null | sort -n | tail -n 1)
check "only 0-2 and the pidfile lock are open ($fds)" \
	test "$(echo $fds | wc -w)" = 4 -a "$(readlink "/proc/$pid/fd/$extra")" = "$PF"
check "the pidfile is locked" \
	test "$(flock -n -E 99 "$PF" true; echo $?)" = 99
check "it writes heartbeats" wait_for 100 has_line "$LOG" "^demo-daemon\[$pid\]: alive\$"
# By now it is in its loop, where it blocks HUP, INT and TERM itself (to
# take them with sigtimedwait): nothing else may be blocked.
blk=$(status_line "$pid" SigBlk)
check "no signal blocked but the demo's own" \
	test "$(( 0x${blk:-1} & ~0x4003 ))" = 0

run 1 "a second start is refused" "$DEMO" -p "$PF" "$T/second.log"
grep_err "^demo-daemon: $PF: already running \(pid $pid\)\$" \
	"the refusal names the running PID"
check "the first daemon's pidfile is intact" test "$(cat "$PF")" = "$pid"

mv "$LOG" "$LOG.1"
kill -HUP "$pid"
check "HUP reopens the log" wait_for 100 has_line "$LOG" "^demo-daemon\[$pid\]: log reopened\$"

# A startup step that fails after detaching reaches the caller.
run 1 "a failed startup is the caller's exit status" \
	"$DEMO" -p "$T/bad.pid" -c /nonexistent-dctl/config "$T/bad.log"
grep_err "failed to start, see $T/bad.log" "the caller says where to look"
check "the log says why" grep -q "cannot read /nonexistent-dctl/config: No such file" "$T/bad.log"
check "the failed start left no pidfile" test ! -e "$T/bad.pid"
bad=$(sed -n 's/^demo-daemon\[\([0-9]*\)\]: started$/\1/p' "$T/bad.log")
[ -n "$bad" ] && track "$bad"
check "the failed daemon is gone" wait_gone "${bad:-999999999}"

run 1 "an unwritable log is refused before detaching" \
	"$DEMO" -p "$T/nolog.pid" /nonexistent-dctl/demo.log
grep_err "^demo-daemon: cannot daemonize: No such file or directory\$" \
	"with the reason"
check "and no pidfile" test ! -e "$T/nolog.pid"
run 2 "no LOGFILE is a usage error" "$DEMO"
run 2 "a bad interval is refused" "$DEMO" -i 0 "$T/x.log"
grep_err "^demo-daemon: invalid interval '0'\$" "the bad value is named"

kill -TERM "$pid"
check "TERM stops it" wait_gone "$pid"
check "it said so in the log" grep -qx "demo-daemon\[$pid\]: exiting on TERM" "$LOG"
check "and removed its pidfile" test ! -e "$PF"

# Under a supervisor that waits for sd_notify: stay in the foreground.
if [ -x "$START" ] && "$START" --help 2>/dev/null | grep -q -- --notify-await; then
	run 0 "daemon-start --notify-await gets READY=1 from it" \
		"$START" --notify-await -T 10 -p "$T/n.pid" -- "$DEMO" -F "$T/n.log"
	npid=$(cat "$T/n.pid" 2>/dev/null)
	case $npid in ''|*[!0-9]*|0|1) npid= ;; esac
	[ -n "$npid" ] && track "$npid"
	check "the pidfile names the demo" \
		grep -qx "demo-daemon\[${npid:-x}\]: running in the foreground" "$T/n.log"
	[ -n "$npid" ] && kill -TERM "$npid"
	check "TERM stops it" wait_gone "${npid:-999999999}"
else
	ok "daemon-start --notify-await # SKIP daemon-start not built"
fi

done_testing
