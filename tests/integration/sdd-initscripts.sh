#!/bin/bash
# Real init scripts of Debian packages (memcached, redis-server, cron, atd,
# privoxy, xinetd, dbus, rsyslog), each run through start, start again,
# status, reload (or force-reload), restart, stop, stop again and status,
# once with dpkg's start-stop-daemon and once with ours bind-mounted over
# /usr/sbin/start-stop-daemon; every exit status must be the same. Each run
# is in private mount, PID and network namespaces (loopback only), so
# nothing of the machine is touched. Then ours must stand up to hostile
# pidfiles fed to the script's stop, with a bystander that survives.
# A package that is not installed is skipped (scripts/install-deps).
DCTL_TEST_LIMIT=${DCTL_TEST_LIMIT:-900}
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

SSD=${DCTL_SSD:-$DCTL_BUILDDIR/src/start-stop-daemon}
RUNNER=$DCTL_SRCDIR/tests/integration/sdd-initscript-ns.bash

if [ "$(id -u)" != 0 ] || ! unshare --mount --pid --net --fork --mount-proc true 2>/dev/null; then
	echo "1..0 # SKIP needs root and mount, PID and network namespaces"
	exit 0
fi
if [ ! -x /usr/sbin/start-stop-daemon ]; then
	echo "1..0 # SKIP dpkg's start-stop-daemon is not installed"
	exit 0
fi
# In a --enable-shared-tools build (distcheck makes one) the front end is
# libtool's wrapper script, which would sit over /usr/sbin/start-stop-daemon
# in its place; the scripts are run against the program itself in the
# default and ASan builds.
case $(head -c 2 "$SSD") in
'#!')
	echo "1..0 # SKIP the front end here is libtool's wrapper script, not the program"
	exit 0
	;;
esac

# script pidfile
SCRIPTS="memcached:/run/memcached.pid
redis-server:/run/redis/redis-server.pid
cron:/run/crond.pid
atd:/run/atd.pid
privoxy:/run/privoxy.pid
xinetd:/run/xinetd.pid
dbus:/run/dbus/pid
rsyslog:/run/rsyslogd.pid"

in_namespaces() {	# IMPL SCRIPT PIDFILE
	timeout -k 5 400 unshare --mount --propagation private --pid --net \
		--fork --mount-proc bash "$RUNNER" "$1" "$2" "$3" "$SSD" 2>/dev/null
}

table="script      action        dpkg ours"
for entry in $SCRIPTS; do
	s=${entry%%:*} pf=${entry#*:}
	if [ ! -x "/etc/init.d/$s" ]; then
		ok "$s # SKIP /etc/init.d/$s not installed"
		continue
	fi
	in_namespaces dpkg "$s" "$pf" >"$T/$s.dpkg"
	in_namespaces ours "$s" "$pf" >"$T/$s.ours"
	if ! grep -qx 'status=0' <(sed -n 3p "$T/$s.dpkg"); then
		ok "$s # SKIP the daemon does not run here even with dpkg's: $(tr '\n' ' ' <"$T/$s.dpkg")"
		continue
	fi
	check "$s: with ours, status after start is 0 (running)" \
		grep -qx 'status=0' <(sed -n 3p "$T/$s.ours")
	for i in 1 2 3 4 5 6 7 8; do
		d=$(sed -n "${i}p" "$T/$s.dpkg") o=$(sed -n "${i}p" "$T/$s.ours")
		table=$(printf '%s\n%-11s %-13s %-4s %s' "$table" "$s" "${d%%=*}" "${d#*=}" "${o#*=}")
		if [ "$d" = "$o" ] && [ -n "$d" ]; then
			ok "$s step $i: ${d%%=*} exits ${d#*=} with both"
		else
			not_ok "$s step $i: dpkg's '$d', ours '$o'"
		fi
	done
	for h in -1 0 1 99999999999 reused symlink fifo; do
		o=$(grep -x "hostile-$h=[0-9]*" "$T/$s.ours")
		check "$s: stop over a pidfile '$h' came back (${o#*=})" test -n "$o"
		table=$(printf '%s\n%-11s %-13s %-4s %s' "$table" "$s" "stop ($h)" "-" "${o#*=}")
	done
	check "$s: the bystander survived every hostile pidfile" \
		grep -qx bystander=alive "$T/$s.ours"
done
diag "$table"
done_testing
