#!/bin/bash
# The log keeper against a real syslog daemon: Debian's rsyslogd, run by
# this test with its own configuration and output file, in a private mount
# namespace where a tmpfs covers /dev, so that /dev/log is its socket and
# the host's /dev is never touched (tests/integration/rsyslog.sh). Checks
# facility, priority, tag, PID, order, many lines, the last lines before
# an exit or a crash, a syslog daemon restarted mid-stream, and no socket
# at start.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$DCTL_SRCDIR/tests/integration/rsyslog.sh"

LK=$DCTL_BUILDDIR/tests/helpers/logkeep-pipe
OUT=$RS_OUT
rs_need "$@"

check "rsyslogd listens on the private /dev/log" rs_start

# ------------------------------------------ fields: facility, priority
run 0 "two streams to local3" "$LK" --syslog local3 --tag web -- \
	sh -c 'echo "out $$"; echo "err $$" >&2'
wait_msgs web 2
pid=$(msgs web | sed -n 's/^out //p')
check "stdout is local3.info, tagged web[PID] with the program's PID" \
	grep -qx "local3|info|web\[$pid\]:|$pid| out $pid" "$OUT"
check "stderr is local3.err, same tag" \
	grep -qx "local3|err|web\[$pid\]:|$pid| err $pid" "$OUT"

run 0 "the facility daemon" "$LK" --syslog daemon --tag dtag -- \
	sh -c 'echo up'
wait_msgs dtag 1
check "daemon.info" grep -q '^daemon|info|dtag\[[0-9]*\]:|[0-9]*| up$' "$OUT"

# --------------------------------------------------- many lines, order
run 0 "20000 lines" "$LK" --syslog user --tag many -- seq 1 20000
wait_msgs many 20000
check "all 20000, in order, once each" \
	test "$(msgs many | tr '\n' ' ')" = "$(seq 1 20000 | tr '\n' ' ')"

# ------------------------------------------ just before exit, a crash
run 3 "lines just before an exit" "$LK" --syslog user --tag bye -- \
	sh -c 'echo first; echo second >&2; printf "no newline"; exit 3'
wait_msgs bye 3
check "all three arrived, the unterminated one too" \
	test "$(msgs bye | sort | tr '\n' ' ')" = "first no newline second "

run 139 "a program killed by SIGSEGV after 3000 lines" "$LK" --syslog user \
	--tag crash -- sh -c 'seq 1 3000; kill -SEGV $$'
wait_msgs crash 3000
check "none of the 3000 lost" \
	test "$(msgs crash | tr '\n' ' ')" = "$(seq 1 3000 | tr '\n' ' ')"

# ---------------------------------------------- a syslog daemon restart
# 30000 lines as fast as rsyslogd takes them, in three parts, each let go
# by a file. rsyslogd is stopped while the long second part flows, so that
# some lines are on its socket's queue when it goes; the third part only
# comes once it is gone, so that lines certainly meet a syslog daemon that
# is down, and are held until it is back. Either way, nothing here hangs on
# who wins a race.
"$LK" --syslog user --tag restart -- sh -c 'seq 1 3000
	while [ ! -e "$1" ]; do sleep 0.05; done; seq 3001 27000
	while [ ! -e "$2" ]; do sleep 0.05; done; seq 27001 30000' \
	restart "$T/go.2" "$T/go.3" 2>"$T/lk.err" &
lk=$!
track "$lk"
wait_msgs restart 3000
touch "$T/go.2"
wait_msgs restart 3001
rs_stop
before=$(grep -c '|restart\[' "$OUT")
diag "lines the old rsyslogd took: $before"
touch "$T/go.3"
# The keeper finds the old socket dead, with the third part at the latest.
wait_for 600 grep -q 'holding the lines' "$T/lk.err"
check "rsyslogd is back" rs_start
wait "$lk"
check "the keeper exited 0" test $? = 0
wait_msgs restart 30000
check "lines flowed on both sides of the restart" \
	test "$before" -gt 3000 -a "$before" -le 27000
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
