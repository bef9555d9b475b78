# shellcheck shell=bash
# A private, real syslog daemon for a test: Debian's rsyslogd with its own
# configuration, writing every message it gets to $RS_OUT as
#   facility|severity|tag|procid|message
# in a private mount namespace where a tmpfs covers /dev, so that /dev/log
# is its socket and the host's /dev is never touched.
#
#   . tests/integration/lib.sh
#   . tests/integration/rsyslog.sh
#   rs_need "$@"          # skips unless rsyslogd and a private /dev can be had
#   check "rsyslogd listens" rs_start
#   wait_msgs TAG N; msgs TAG; rs_stop
#
# rs_need re-runs the script through need_pidns, whose namespace has a
# private mount namespace of its own; /dev is only mounted over there.

RSYSLOGD=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
RS_OUT=$T/syslog.out

rs_need() {
	if [ ! -x "$RSYSLOGD" ]; then
		echo "1..0 # SKIP rsyslogd is not installed (scripts/install-deps)"
		exit 0
	fi
	: "${RS_HOST_MNTNS:=$(readlink /proc/self/ns/mnt)}"
	export RS_HOST_MNTNS
	need_pidns "$@"
	# Mount over /dev only where that cannot reach the host.
	if [ "$(readlink /proc/self/ns/mnt)" = "$RS_HOST_MNTNS" ] ||
	   [ "$(findmnt -no PROPAGATION /)" != private ]; then
		echo "1..0 # SKIP no private mount namespace"
		exit 0
	fi
	mkdir -p "$T/hostdev" "$T/rs"
	mount --bind /dev "$T/hostdev" &&
		mount -t tmpfs -o mode=0755,size=1m dctl-dev /dev || {
		echo "1..0 # SKIP cannot mount a private /dev"
		exit 0
	}
	for d in null zero random urandom; do
		: >"/dev/$d" && mount --bind "$T/hostdev/$d" "/dev/$d"
	done
	umount -l "$T/hostdev"
	# A restart of rsyslogd (TERM) must not drop what it has read: its
	# input gets all the time it needs to end by itself, instead of being
	# cancelled mid-message after a second (its default), which under load
	# lost a line that no sender could ever know was not written.
	cat >"$T/rsyslog.conf" <<EOC
global(workDirectory="$T/rs" inputs.timeout.shutdown="60000")
module(load="imuxsock" SysSock.Name="/dev/log" SysSock.RateLimit.Interval="0")
template(name="fields" type="string"
	string="%syslogfacility-text%|%syslogseverity-text%|%syslogtag%|%procid%|%msg%\n")
*.* action(type="omfile" file="$RS_OUT" template="fields")
EOC
}

rs_pid=
# Start rsyslogd and wait for its socket (at most 60 s: a bound against a
# hang, not a speed claim).
rs_start() {
	"$RSYSLOGD" -n -f "$T/rsyslog.conf" -i "$T/rsyslogd.pid" 2>>"$T/rs.err" &
	rs_pid=$!
	track "$rs_pid"
	for _ in $(seq 1200); do
		[ -S /dev/log ] && return 0
		sleep 0.05
	done
	return 1
}

rs_stop() {
	kill -TERM "$rs_pid"
	wait "$rs_pid"
}

# wait_msgs TAG N: until $RS_OUT holds N messages tagged TAG[...] (at
# most 60 s: a bound against a hang, not a speed claim).
wait_msgs() {
	for _ in $(seq 1200); do
		[ "$(grep -c "|$1\[" "$RS_OUT" 2>/dev/null)" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# The messages of TAG, without the blank rsyslog keeps before each one.
msgs() {
	grep "|$1\[" "$RS_OUT" | cut -d'|' -f5- | sed 's/^ //'
}
