#!/bin/bash
# The log keeper against a real syslog daemon: Debian's rsyslogd, run by
# this test with its own configuration and output file, in a private mount
# namespace where a tmpfs covers /dev, so that /dev/log is its socket and
# the host's /dev is never touched. Checks facility, priority, tag, PID,
# order, many lines, the last lines before an exit or a crash, a syslog
# daemon restarted mid-stream, and no socket at start.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

LK=$DCTL_BUILDDIR/tests/helpers/logkeep-pipe
RSYSLOGD=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
if [ ! -x "$RSYSLOGD" ]; then
	echo "1..0 # SKIP rsyslogd is not installed (scripts/install-deps)"
	exit 0
fi

: "${LOGKEEP_HOST_MNTNS:=$(readlink /proc/self/ns/mnt)}"
export LOGKEEP_HOST_MNTNS
need_pidns "$@"
# Mount over /dev only where that cannot reach the host.
if [ "$(readlink /proc/self/ns/mnt)" = "$LOGKEEP_HOST_MNTNS" ] ||
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

OUT=$T/syslog.out
cat >"$T/rsyslog.conf" <<EOC
global(workDirectory="$T/rs")
module(load="imuxsock" SysSock.Name="/dev/log" SysSock.RateLimit.Interval="0")
template(name="fields" type="string"
	string="%syslogfacility-text%|%syslogseverity-text%|%syslogtag%|%procid%|%msg%\n")
*.* action(type="omfile" file="$OUT" template="fields")
EOC

rs_pid=
rs_start() {
	"$RSYSLOGD" -n -f "$T/rsyslog.conf" -i "$T/rsyslogd.pid" 2>>"$T/rs.err" &
	rs_pid=$!
	track "$rs_pid"
	for _ in $(seq 100); do
		[ -S /dev/log ] && return 0
		sleep 0.05
	done
	return 1
}
rs_stop() {
	kill -TERM "$rs_pid"
	wait "$rs_pid"
}

# wait_lines TAG N: until the output holds N messages tagged TAG[...].
wait_lines() {
	for _ in $(seq 200); do
		[ "$(grep -c "|$1\[" "$OUT" 2>/dev/null)" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# The messages of TAG, without the blank rsyslog keeps before each one.
msgs() {
	grep "|$1\[" "$OUT" | cut -d'|' -f5- | sed 's/^ //'
}

check "rsyslogd listens on the private /dev/log" rs_start

# ------------------------------------------ fields: facility, priority
run 0 "two streams to local3" "$LK" --syslog local3 --tag web -- \
	sh -c 'echo "out $$"; echo "err $$" >&2'
wait_lines web 2
pid=$(msgs web | sed -n 's/^out //p')
check "stdout is local3.info, tagged web[PID] with the program's PID" \
	grep -qx "local3|info|web\[$pid\]:|$pid| out $pid" "$OUT"
check "stderr is local3.err, same tag" \
	grep -qx "local3|err|web\[$pid\]:|$pid| err $pid" "$OUT"

run 0 "the facility daemon" "$LK" --syslog daemon --tag dtag -- \
	sh -c 'echo up'
wait_lines dtag 1
check "daemon.info" grep -q '^daemon|info|dtag\[[0-9]*\]:|[0-9]*| up$' "$OUT"

# --------------------------------------------------- many lines, order
run 0 "20000 lines" "$LK" --syslog user --tag many -- seq 1 20000
wait_lines many 20000
check "all 20000, in order, once each" \
	test "$(msgs many | tr '\n' ' ')" = "$(seq 1 20000 | tr '\n' ' ')"

# ------------------------------------------ just before exit, a crash
run 3 "lines just before an exit" "$LK" --syslog user --tag bye -- \
	sh -c 'echo first; echo second >&2; printf "no newline"; exit 3'
wait_lines bye 3
check "all three arrived, the unterminated one too" \
	test "$(msgs bye | sort | tr '\n' ' ')" = "first no newline second "

run 139 "a program killed by SIGSEGV after 3000 lines" "$LK" --syslog user \
	--tag crash -- sh -c 'seq 1 3000; kill -SEGV $$'
wait_lines crash 3000
check "none of the 3000 lost" \
	test "$(msgs crash | tr '\n' ' ')" = "$(seq 1 3000 | tr '\n' ' ')"

# ---------------------------------------------- a syslog daemon restart
# 30000 lines as fast as rsyslogd takes them, so that some are always on
# its socket's queue; rsyslogd is stopped and started again in between.
"$LK" --syslog user --tag restart -- seq 1 30000 2>"$T/lk.err" &
lk=$!
track "$lk"
wait_lines restart 3000
rs_stop
before=$(grep -c '|restart\[' "$OUT")
sleep 0.3
check "rsyslogd is back" rs_start
wait "$lk"
check "the keeper exited 0" test $? = 0
wait_lines restart 30000
check "lines flowed on both sides of the restart" \
	test "$before" -lt 30000
first_seen=$(msgs restart | awk '!seen[$0]++')
check "every line of 30000 reached the old rsyslogd or the new one, in order" \
	test "$(echo "$first_seen" | tr '\n' ' ')" = "$(seq 1 30000 | tr '\n' ' ')"
dups=$(($(msgs restart | wc -l) - 30000))
diag "lines sent again after the restart (in flight when it went): $dups"
check "the keeper said it held the lines and that syslog was back" \
	grep -q 'holding the lines' "$T/lk.err"

# ------------------------------------------------ no socket at the start
rs_stop
rm -f /dev/log
run 3 "no syslog socket: a clear error" "$LK" --syslog user -- true
grep_err "cannot open /dev/log: No such file or directory" "it names the socket"
done_testing
