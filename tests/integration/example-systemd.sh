#!/bin/bash
# examples/systemd/web.service: systemd-analyze verify on a copy whose
# paths name this build's tools and this test's directory, then its
# ExecStart=, ExecReload= and ExecStop= command lines run in order as
# systemd runs them for Type=forking (no shell, an empty environment, cwd
# /, stdin /dev/null): ExecStart exits 0 once PIDFile= names the live main
# process; reload's HUP reaches it; stop ends it and leaves nothing.
# The program is examples/demo-daemon, which says READY=1 over sd_notify.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

DEMO=$DCTL_BUILDDIR/examples/demo-daemon
if [ ! -x "$DEMO" ]; then
	echo "1..0 # SKIP examples/demo-daemon not built"
	exit 0
fi
# The daemon outlives ExecStart, as under systemd: a private PID namespace
# ends it with the test whatever happens.
need_pidns "$@"

UNIT=$DCTL_SRCDIR/examples/systemd/web.service
PF=$T/web.pid
LOG=$T/web.log

# key NAME [FILE]: the value of NAME= in the unit (one line each here).
key() {
	sed -n "s/^$1=//p" "${2:-$T/web.service}"
}

# The copy: the tools of this build, the pidfile here, the demo for
# /usr/bin/web. Nothing else may differ.
sed -e "s|/usr/bin/daemon-start |$DCTL_BUILDDIR/src/daemon-start |" \
	-e "s|/usr/bin/daemon-stop |$DCTL_BUILDDIR/src/daemon-stop |g" \
	-e "s|/run/web\.pid|$PF|g" \
	-e "s|-- /usr/bin/web\$|-- $DEMO -F -i 1 $LOG|" "$UNIT" >"$T/web.service"
check "the copy differs only in those paths" \
	test "$(diff "$UNIT" "$T/web.service" | grep -c '^>')" = 4
check "the copy names no /usr/bin or /run path" \
	test -z "$(grep -E '/usr/bin/|/run/' "$T/web.service" | grep -v '^#')"

if command -v systemd-analyze >/dev/null; then
	run 0 "systemd-analyze verify: exit 0" systemd-analyze verify "$T/web.service"
	check "systemd-analyze verify: no complaint" test ! -s "$T/err" -a ! -s "$T/out"
	[ -s "$T/err" ] && diag "$(cat "$T/err")"
else
	ok "systemd-analyze verify # SKIP systemd-analyze not installed (apt-get install systemd)"
fi

check "Type=forking" test "$(key Type)" = forking
check "PIDFile= is the pidfile the tools are given" test "$(key PIDFile "$UNIT")" = /run/web.pid
for k in ExecStart ExecReload ExecStop; do
	check "$k= passes --pidfile /run/web.pid" \
		grep -Eq -- "--pidfile /run/web\.pid( |\$)" <(key "$k" "$UNIT")
done
# daemon-start must give up (and clean up) before systemd would kill it.
tmo=$(key ExecStart | sed -n 's/.*--timeout \([0-9]*\).*/\1/p')
check "daemon-start's --timeout ($tmo s) is below TimeoutStartSec= ($(key TimeoutStartSec) s)" \
	test -n "$tmo" -a "${tmo:-0}" -lt "$(key TimeoutStartSec)"

# systemd splits a command line into words at white space, honouring
# quotes and expanding $VAR and %-specifiers; these lines have none, so
# splitting on white space is what systemd does with them.
check "the command lines have no quotes, \$ or %" \
	test -z "$(key 'Exec[A-Za-z]*' | grep -E "[\"'\$%\\\\]")"

# as_systemd KEY: that line, in $cmd, as systemd runs a service's command.
as_systemd() {
	# shellcheck disable=SC2207 # systemd's word splitting, see above
	cmd=(env -C / -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin
		LANG=C.UTF-8 $(key "$1"))
}

# What systemd accepts in a PIDFile=: a decimal PID, then white space.
pidfile_pid() {
	local p
	p=$(cat "$PF" 2>/dev/null)
	case $p in ''|*[!0-9]*|0|1) return 1 ;; esac
	[ "$(od -An -c "$PF" | tr -d ' \n')" = "$p\\n" ] || return 1
	echo "$p"
}

wait_for() {
	local i=0
	until grep -Eq -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -gt "${3:-100}" ] && return 1
		sleep 0.1
	done
}

as_systemd ExecStart
run 0 "ExecStart: exit 0" "${cmd[@]}"
pid=$(pidfile_pid) || pid=
check "PIDFile= holds a decimal PID and a newline, at ExecStart's exit" test -n "$pid"
[ -n "$pid" ] && track "$pid"
pid=${pid:-999999999}
check "the main PID is alive" alive "$pid"
check "the main PID is the program, ready" \
	grep -qx "demo-daemon\[$pid\]: running in the foreground" "$LOG"
check "it runs in /" test "$(readlink "/proc/$pid/cwd")" = /
check "the pidfile is locked by it" \
	test -f "$PF" -a "$(flock -n -E 99 "$PF" true; echo $?)" = 99
# Its NOTIFY_SOCKET was daemon-start's own, not systemd's (Type=forking
# gives none), and went with it.
sock=$(tr '\0' '\n' <"/proc/$pid/environ" | sed -n 's/^NOTIFY_SOCKET=//p')
check "it was given daemon-start's notify socket ($sock)" test -n "$sock"
check "which is gone with daemon-start" test ! -e "${sock:-/}"

as_systemd ExecReload
run 0 "ExecReload: exit 0" "${cmd[@]}"
check "ExecReload: HUP reached the program" \
	wait_for "$LOG" "^demo-daemon\[$pid\]: log reopened\$"
check "ExecReload: the main PID stays" test "$(pidfile_pid)" = "$pid"

as_systemd ExecStop
run 0 "ExecStop: exit 0" "${cmd[@]}"
check "ExecStop: the main PID is gone when it returns" test ! -d "/proc/$pid" -o "$(alive "$pid" && echo yes)" != yes
check "ExecStop: it ended on TERM" grep -qx "demo-daemon\[$pid\]: exiting on TERM" "$LOG"
check "ExecStop: the pidfile is gone" test ! -e "$PF"
check "nothing left for KillMode= to find" test -z "$(pgrep -f "$DEMO")"

# systemd runs ExecStop= also when the daemon has already exited or
# crashed; a failure there would leave the unit failed.
as_systemd ExecStop
run 0 "ExecStop with nothing running: exit 0" "${cmd[@]}"

done_testing
