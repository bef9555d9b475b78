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

# The PID the pidfile names, if that process is alive (else nothing).
live_pid() {
	local p
	p=$(cat "$pidfile" 2>/dev/null) || return 1
	case $p in ''|*[!0-9]*) return 1 ;; esac
	[ -d "/proc/$p" ] && ! grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null &&
		echo "$p"
}

# until_true SECONDS CMD...: wait for a condition, bounded; a loaded
# machine only makes it take longer, never changes what is compared.
until_true() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

gone() { [ ! -d "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

# A daemon that detaches writes its pidfile after the script returned,
# and one that was signalled exits a moment after: before the next step,
# wait until the state the step asked for is there, so that both
# start-stop-daemons are compared on the same settled state.
step() {	# ACTION: run it, bounded, and print its exit status.
	local before rc
	before=$(live_pid)
	timeout -k 5 90 "$init" "$1" >/dev/null 2>&1 </dev/null
	rc=$?
	echo "$1=$rc"
	case $1 in
	stop) [ -z "$before" ] || until_true 30 gone "$before" ;;
	start|restart|reload|force-reload) until_true 30 live_pid >/dev/null ;;
	esac
	return 0
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
