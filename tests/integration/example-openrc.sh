#!/bin/bash
# examples/openrc/web, run by the real openrc-run: Debian's openrc package
# is unpacked here (not installed) and laid over /lib, /sbin and /etc in a
# private mount namespace, with a fresh /run/openrc as OpenRC's boot makes
# it; the service is bind-mounted into /etc/init.d there and run through
# its #!/sbin/openrc-run line. Its command is examples/demo-daemon, which
# says READY=1 over sd_notify. Checks the exit codes, OpenRC's state, the
# pidfile's bytes and lock, that daemon-status agrees, and that reload's
# HUP reaches the program.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$DCTL_SRCDIR/tests/integration/debs.sh"

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

DEMO=$DCTL_BUILDDIR/examples/demo-daemon
[ "$(id -u)" = 0 ] || skip_all "needs root (mounts in a private namespace)"
[ -x "$DEMO" ] || skip_all "examples/demo-daemon not built"
grep -qw overlay /proc/filesystems 2>/dev/null || modprobe -q overlay 2>/dev/null ||
	skip_all "no overlay filesystem to lay OpenRC over /lib and /sbin"
# A private PID and mount namespace: the mounts below and every daemon
# started end with the test.
need_pidns "$@"

# insserv only for its /etc/insserv.conf: Debian's OpenRC reads the LSB
# facility names ($network...) from it.
unpack_debs "$T/openrc" openrc librc1 libeinfo1 insserv || skip_all "$deb_why"

# /etc as OpenRC expects it, over the machine's: its rc.conf and
# runlevels, insserv.conf, and conf.d (a directory of the test's own,
# so that it can be changed while mounted).
E=$T/etc
mkdir -p "$E/conf.d" "$E/rc.conf.d" "$E/insserv.conf.d" "$T/conf.d"
cp "$T/openrc/etc/rc.conf" "$T/openrc/etc/insserv.conf" "$E/"
cp -r "$T/openrc/etc/runlevels" "$E/"

# The service's settings, as an admin writes them in /etc/conf.d/web; PATH
# puts this build's tools first (openrc-run puts its own before the rest).
LOG=$T/web.log
conf() {
	cat >"$T/conf.d/web" <<EOF
PATH="$DCTL_BUILDDIR/src:\$PATH"
command="$DEMO"
command_args="$1"
EOF
}
conf "-F -i 1 $LOG"

mount_all() {
	local lib sbin
	lib=$(readlink -f /lib) && sbin=$(readlink -f /sbin) &&
	mount -t overlay overlay -o "lowerdir=$T/openrc/lib:$lib" "$lib" &&
	mount -t overlay overlay -o "lowerdir=$T/openrc/sbin:$sbin" "$sbin" &&
	mount -t overlay overlay -o "lowerdir=$E:/etc" /etc &&
	mount --bind "$T/conf.d" /etc/conf.d &&
	mount -t tmpfs tmpfs /etc/init.d &&
	touch /etc/init.d/web &&
	mount --bind "$DCTL_SRCDIR/examples/openrc/web" /etc/init.d/web &&
	mount -t tmpfs tmpfs /run &&
	mkdir /run/openrc &&
	(cd /run/openrc && mkdir daemons exclusive failed hotplugged inactive \
		options scheduled started starting stopping tmp wasinactive) &&
	# What an OpenRC boot leaves: without it openrc-run warns that
	# OpenRC did not boot this system.
	echo default >/run/openrc/softlevel
}
check "OpenRC laid over /lib, /sbin, /etc and /run in this namespace" mount_all
[ -x /sbin/openrc-run ] || { not_ok "no /sbin/openrc-run"; done_testing; }

# The service needs net: what provides it on an OpenRC system is the
# network's own service. This one says so and checks that lo is up.
cat >/etc/init.d/netup <<'EOF'
#!/sbin/openrc-run
description="lo is up"
depend() {
	provide net
}
start() {
	[ $(($(cat /sys/class/net/lo/flags) & 1)) = 1 ]
}
EOF
chmod +x /etc/init.d/netup

PF=/run/web.pid
SVC=/etc/init.d/web

pidfile_pid() {
	local p
	p=$(cat "$PF" 2>/dev/null)
	case $p in ''|*[!0-9]*|0|1) return 1 ;; esac
	[ "$(wc -c <"$PF")" = $((${#p} + 1)) ] || return 1
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

# Debian's OpenRC looks for plugins in a directory it never installs and
# says "scandir: No such file or directory" on every run: not ours.
noise='^scandir: No such file or directory$'

run 0 "start: exit 0" "$SVC" start
grep_out "Starting web \.\.\. \[ ok \]" "start: OpenRC says ok"
pid=$(pidfile_pid) || pid=
check "start: /run/web.pid holds the PID and a newline" test -n "$pid"
[ -n "$pid" ] && track "$pid"
pid=${pid:-999999999}
check "start: the daemon runs" alive "$pid"
check "start: it is the demo, in the foreground" \
	grep -qx "demo-daemon\[$pid\]: running in the foreground" "$LOG"
# (flock(1) would create a missing file.)
check "start: the pidfile is locked for the daemon's life" \
	test -f "$PF" -a "$(flock -n -E 99 "$PF" true; echo $?)" = 99
check "start: OpenRC marked it started" test -L /run/openrc/started/web
check "start: OpenRC started what provides net first" test -L /run/openrc/started/netup
grep -Ev "$noise" "$T/err" >"$T/complaints"
check "start: nothing else on stderr" test ! -s "$T/complaints"
[ -s "$T/complaints" ] && diag "$(cat "$T/complaints")"

run 0 "status: exit 0" "$SVC" status
grep_out "^web: running \(pid $pid," "status: the running PID"
run 0 "daemon-status agrees: exit 0" "$STATUS" --pidfile "$PF"
grep_out "^web: running \(pid $pid," "daemon-status: the same PID"

run 0 "start again: exit 0" "$SVC" start
grep_err "already been started" "start again: OpenRC says so"
check "start again: the same daemon" test "$(pidfile_pid)" = "$pid"

run 0 "reload: exit 0" "$SVC" reload
check "reload: HUP reached the program" \
	wait_for "$LOG" "^demo-daemon\[$pid\]: log reopened\$"
check "reload: the same daemon" test "$(pidfile_pid)" = "$pid"

run 0 "stop: exit 0" "$SVC" stop
check "stop: the daemon is gone" wait_gone "$pid" 100
check "stop: it ended on TERM" grep -qx "demo-daemon\[$pid\]: exiting on TERM" "$LOG"
check "stop: the pidfile is gone" test ! -e "$PF"
check "stop: OpenRC marked it stopped" test ! -e /run/openrc/started/web

run 3 "status when stopped: exit 3" "$SVC" status
grep_out "^web: not running" "status when stopped: says so"
run 3 "daemon-status agrees: exit 3" "$STATUS" --pidfile "$PF"
run 1 "reload when stopped: refused" "$SVC" reload
grep_err "cannot .reload. as it has not been started" "reload when stopped: OpenRC says why"

# A program that dies before it is ready: the start fails at once, and
# leaves neither a pidfile nor a process nor a started service.
conf "-F -c $T/no-such-config $LOG"
run 1 "start of a program that fails: exit 1" "$SVC" start
grep_err "exited with status 1" "the failure names the program's exit"
check "no pidfile after the failed start" test ! -e "$PF"
check "OpenRC did not mark it started" test ! -e /run/openrc/started/web
check "the failed program is gone" test -z "$(pgrep -f "$DEMO")"
conf "-F -i 1 $LOG"

# Killed behind OpenRC's back: status asks daemon-status, not OpenRC's
# bookkeeping, and says what LSB calls dead with a pidfile.
run 0 "start after the failure: exit 0" "$SVC" start
pid=$(pidfile_pid) || pid=
[ -n "$pid" ] && track "$pid"
kill -KILL "${pid:-999999999}"
check "the daemon is killed" wait_gone "${pid:-999999999}" 100
run 1 "status after the daemon died: exit 1 (dead, pidfile exists)" "$SVC" status
grep_out "^web: dead, pidfile exists \(pid $pid\)" "status after the daemon died: names it"
run 0 "stop after the daemon died: exit 0 (nothing to stop)" "$SVC" stop
check "OpenRC marked it stopped" test ! -e /run/openrc/started/web
# daemon-stop leaves a stale pidfile alone; the next start takes it over.
run 0 "start over the dead daemon's pidfile: exit 0" "$SVC" start
new=$(pidfile_pid) || new=
[ -n "$new" ] && track "$new"
check "a new daemon in the pidfile" test -n "$new" -a "$new" != "$pid"
run 0 "status: exit 0" "$SVC" status
run 0 "stop: exit 0" "$SVC" stop
check "stop: the daemon is gone" wait_gone "${new:-999999999}" 100
check "OpenRC marked it stopped again" test ! -e /run/openrc/started/web

done_testing
