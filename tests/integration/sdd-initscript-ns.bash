#!/bin/bash
# Run inside private mount, PID and network namespaces by sdd-initscripts.sh:
#   sdd-initscript-ns.bash IMPL SCRIPT PIDFILE [SSD]
# IMPL "dpkg" leaves /usr/sbin/start-stop-daemon alone; "ours" bind-mounts
# SSD over it (this mount namespace only). Runs /etc/init.d/SCRIPT through
# its life and prints "ACTION=CODE" per step; with "ours", then feeds the
# script hostile pidfiles with a bystander and prints "hostile-WHAT=CODE"
# and "bystander=alive|dead". Everything started here ends with PID 1 of
# this namespace (this script) when it exits.
set -u
# It mounts over /run and /usr/sbin: only ever as PID 1 of namespaces of
# its own (unshare --fork --pid --mount), never on the machine itself.
if [ "$$" != 1 ]; then
	echo "sdd-initscript-ns.bash: run only by sdd-initscripts.sh, in namespaces of its own" >&2
	exit 99
fi
impl=$1 script=$2 pidfile=$3 ssd=${4:-}
init=/etc/init.d/$script

# Only loopback exists here: the daemons can listen nowhere else.
ip link set lo up 2>/dev/null || echo "# no ip(8): loopback may be down"
# A /run of our own: the daemons' pidfiles and sockets stay in here.
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/lock
if [ "$impl" = ours ]; then
	mount --bind "$ssd" /usr/sbin/start-stop-daemon || exit 99
fi
# rsyslog: no /dev/log socket (that would be the machine's), a file only.
if [ "$script" = rsyslog ]; then
	conf=$(mktemp)
	printf '%s\n' '*.* /run/rsyslog-test.log' >"$conf"
	mount --bind "$conf" /etc/rsyslog.conf
fi

step() {	# ACTION: run it, bounded, and print its exit status.
	timeout -k 5 90 "$init" "$1" >/dev/null 2>&1 </dev/null
	echo "$1=$?"
}

reload=force-reload
grep -Eq '^[[:space:]]*([a-z-]+\|)*reload(\|[a-z-]+)*\)' "$init" && reload=reload

step start
step start
step status
step "$reload"
step restart
step stop
step stop
step status

[ "$impl" = ours ] || exit 0

# Hostile pidfiles through the script's own stop, a bystander beside it.
sleep 600 &
by=$!
hostile() {	# WHAT: the script's stop on the pidfile as it is now.
	timeout -k 5 90 "$init" stop >/dev/null 2>&1 </dev/null
	echo "hostile-$1=$?"
}
mkdir -p "$(dirname "$pidfile")"
for v in -1 0 1 99999999999; do
	rm -f "$pidfile"; echo "$v" >"$pidfile"; hostile "$v"
done
rm -f "$pidfile"; echo "$by" >"$pidfile"; touch -d '1 hour ago' "$pidfile"
hostile reused
rm -f "$pidfile"; echo "$by" >/run/target; ln -s /run/target "$pidfile"
hostile symlink
rm -f "$pidfile"; mkfifo "$pidfile"
hostile fifo
rm -f "$pidfile"
if [ -d "/proc/$by" ]; then echo bystander=alive; else echo bystander=dead; fi
