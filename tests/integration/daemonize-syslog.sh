#!/bin/bash
# A daemon that detaches itself with dctl_daemonize() and asks for syslog
# (examples/demo-daemon -s IDENT): its syslog(3) lines reach a real
# rsyslogd, run privately (tests/integration/rsyslog.sh), with the ident,
# the daemon's own PID, the facility and the priority it gave; its
# connection is one close-on-exec socket beside 0-2 and the pidfile lock.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$DCTL_SRCDIR/tests/integration/rsyslog.sh"

DEMO=$DCTL_BUILDDIR/examples/demo-daemon
rs_need "$@"
OUT=$RS_OUT
PF=$T/demo.pid
LOG=$T/demo.log

# pidfile_pid FILE: the PID it names, or a PID that cannot exist.
pidfile_pid() {
	local p
	p=$(cat "$1" 2>/dev/null)
	case $p in ''|*[!0-9]*|0|1) echo 999999999 ;; *) echo "$p" ;; esac
}

check "rsyslogd listens on the private /dev/log" rs_start

run 0 "demo-daemon -s demo -f local5 detaches" \
	"$DEMO" -p "$PF" -i 1 -s demo -f local5 "$LOG"
pid=$(pidfile_pid "$PF")
track "$pid"
check "it writes heartbeats to syslog" wait_msgs demo 2
check "'started' is local5.info, tagged demo[PID] with the daemon's PID" \
	grep -qx "local5|info|demo\[$pid\]:|$pid| started" "$OUT"
check "so are the heartbeats" \
	grep -qx "local5|info|demo\[$pid\]:|$pid| alive" "$OUT"
# Besides rsyslogd's own start message.
check "nothing else reached syslog under another ident or PID" \
	test "$(grep -v '|rsyslogd:|' "$OUT" |
		grep -vc "^local5|info|demo\[$pid\]:|$pid| \(started\|alive\)\$")" = 0
check "the log file still gets every line" \
	grep -qx "demo-daemon\[$pid\]: started" "$LOG"

fds=$(ls "/proc/$pid/fd" | sort -n | tr '\n' ' ')
sockets=0
cloexec=0
for fd in /proc/"$pid"/fd/*; do
	n=${fd##*/}
	[ "$n" -gt 2 ] || continue
	case $(readlink "$fd") in
	socket:*)
		sockets=$((sockets + 1))
		flags=$(sed -n 's/^flags:[[:space:]]*//p' "/proc/$pid/fdinfo/$n")
		[ $((8#$flags & 8#2000000)) != 0 ] && cloexec=$((cloexec + 1))
		;;
	esac
done
check "0-2, the pidfile lock and one socket are open ($fds)" \
	test "$(echo $fds | wc -w)" = 5 -a "$sockets" = 1
check "the syslog socket is close-on-exec" test "$cloexec" = 1

kill -TERM "$pid"
check "TERM stops it" wait_gone "$pid"
check "its last words are local5.notice" \
	wait_for 100 grep -qx "local5|notice|demo\[$pid\]:|$pid| exiting on TERM" "$OUT"

# A startup that fails once detached says why in syslog, at err.
run 1 "a failed startup" "$DEMO" -p "$T/bad.pid" -s demobad \
	-c /nonexistent-dctl/config "$T/bad.log"
bad=$(sed -n 's/^demo-daemon\[\([0-9]*\)\]: started$/\1/p' "$T/bad.log")
check "the reason is daemon.err (the default facility) under the ident" \
	wait_for 100 grep -qx "daemon|err|demobad\[${bad:-x}\]:|${bad:-x}| cannot read /nonexistent-dctl/config: No such file or directory" "$OUT"

run 2 "an unknown facility is refused" "$DEMO" -s demo -f local9 "$T/x.log"
grep_err "^demo-daemon: unknown facility 'local9'\$" "the name is quoted"
check "nothing was started for it" test ! -e "$T/x.log"

rs_stop
done_testing
