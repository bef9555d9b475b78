#!/bin/bash
# daemon-start's log keeper, end to end: --syslog against a real rsyslogd
# (private, in a private mount namespace: tests/integration/rsyslog.sh),
# size rotation and --timestamps into files, --respawn keeping the channel
# across restarts, a crash, no syslog socket at start; and the process
# count: the keeper is the supervisor, the one resident process beside the
# program, and plain --output runs none.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$DCTL_SRCDIR/tests/integration/rsyslog.sh"

OUT=$RS_OUT
rs_need "$@"

# Field N of /proc/PID/stat after the command name (2 ppid, 4 session).
stat_field() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f"$2"
}

# The live processes in session SID.
in_session() {
	local p
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		alive "$p" && [ "$(stat_field "$p" 4)" = "$1" ] && echo "$p"
	done
}

# The supervisor the state record names.
supervisor_of() {
	sed -n 's/^supervisor \([0-9]*\) .*/\1/p' "$1.state" 2>/dev/null
}

gone_files() {
	[ ! -e "$1" ] && [ ! -e "$1.state" ]
}

# rsyslogd discards what its queue still holds 1.5 s into a shutdown; on a
# loaded machine that would be its loss at the restart below, not ours.
echo 'main_queue(queue.timeoutShutdown="20000" queue.timeoutActionCompletion="20000")' \
	>>"$T/rsyslog.conf"
check "rsyslogd listens on the private /dev/log" rs_start

# ------------------------------------ syslog: fields, one resident process
PF=$T/web.pid
run 0 "--syslog=local3 --syslog-tag web starts" "$START" -p "$PF" \
	--syslog=local3 --syslog-tag web -- \
	sh -c 'echo "out $$"; echo "err $$" >&2; exec sleep 1000'
pid=$(cat "$PF" 2>/dev/null)
track "$pid"
sv=$(supervisor_of "$PF")
track "$sv"
check "wait for both lines" wait_msgs web 2
check "stdout is local3.info, tagged web[PID] with the program's PID" \
	grep -qx "local3|info|web\[$pid\]:|$pid| out $pid" "$OUT"
check "stderr is local3.err, same tag" \
	grep -qx "local3|err|web\[$pid\]:|$pid| err $pid" "$OUT"
check "the program's parent is the supervisor" \
	test "$(stat_field "$pid" 2)" = "$sv"
procs=$( (in_session "$(stat_field "$pid" 4)"; in_session "$(stat_field "$sv" 4)") |
	sort -u | tr '\n' ' ')
check "exactly the program and one resident process (the supervisor)" \
	test "$procs" = "$(printf '%s\n' "$pid" "$sv" | sort | tr '\n' ' ')"
children=$(for p in /proc/[0-9]*; do p=${p#/proc/}
	[ "$(stat_field "$p" 2)" = "$sv" ] && echo "$p"; done | tr '\n' ' ')
check "the supervisor has no child but the program" test "$children" = "$pid "
run 0 "daemon-status: running" "$STATUS" -p "$PF"
grep_out "running" "it says running"
run 0 "daemon-stop" "$STOP" -p "$PF"
check "the supervisor ended too" wait_gone "$sv" 600
check "pidfile and state record removed" gone_files "$PF"

# --------------------------- many lines in order, the last before an exit
PF=$T/many.pid
run 0 "5000 lines and an unterminated last one" "$START" -p "$PF" \
	--syslog=user --syslog-tag many -- sh -c 'seq 1 5000; printf last'
sv=$(supervisor_of "$PF")
track "$sv"
check "wait for 5001 messages" wait_msgs many 5001
check "all of them, in order, once each, the last one too" \
	test "$(msgs many | tr '\n' ' ')" = "$(seq 1 5000 | tr '\n' ' ')last "
check "without --respawn the supervisor ends with the program" \
	wait_for 600 gone_files "$PF"
check "and is gone" wait_gone "$sv" 600

# ----------------------------------------------- a crash after N lines
PF=$T/crash.pid
run 0 "a program that dies of SIGSEGV after 3000 lines" "$START" -p "$PF" \
	--syslog=user --syslog-tag crash -- sh -c 'seq 1 3000; kill -SEGV $$'
check "wait for 3000 messages" wait_msgs crash 3000
check "none lost" \
	test "$(msgs crash | tr '\n' ' ')" = "$(seq 1 3000 | tr '\n' ' ')"
check "its supervisor ends" wait_for 600 gone_files "$PF"

# ------------------------------------------ rsyslogd restarted mid-stream
# 30000 lines in three parts, each let go by a file: rsyslogd is stopped
# while the long second part flows, so that some lines are on its socket's
# queue when it goes; the third part only comes once it is gone, so that
# lines certainly go out after the stop. Nothing here hangs on who wins a
# race.
PF=$T/restart.pid
run 0 "30000 lines while rsyslogd restarts" "$START" -p "$PF" \
	--syslog=user --syslog-tag restart -- sh -c 'seq 1 3000
	while [ ! -e "$1" ]; do sleep 0.05; done; seq 3001 27000
	while [ ! -e "$2" ]; do sleep 0.05; done; seq 27001 30000' \
	restart "$T/go.2" "$T/go.3"
check "wait for the first 3000 lines" wait_msgs restart 3000
touch "$T/go.2"
check "wait for the second part to flow" wait_msgs restart 3001
rs_stop
before=$(grep -c '|restart\[' "$OUT")
diag "lines the old rsyslogd took: $before"
touch "$T/go.3"
# A moment with no syslog daemon at all; no check depends on its length.
sleep 0.3
check "rsyslogd is back" rs_start
# Lines in flight at the restart may come twice: wait for 30000 distinct.
distinct() {
	test "$(msgs "$1" | sort -u | wc -l)" -ge "$2"
}
check "wait for 30000 distinct lines" wait_for 600 distinct restart 30000
check "lines flowed on both sides of the restart" \
	test "$before" -gt 3000 -a "$before" -le 27000
msgs restart | sort -un | awk 'BEGIN { e = 1 } $1 != e { print "missing " e ".." $1 - 1 }
	{ e = $1 + 1 } END { if (e != 30001) print "missing " e "..30000" }' >"$T/gaps"
diag "$(cat "$T/gaps")"
check "every line reached one rsyslogd or the other, in order" \
	test "$(msgs restart | awk '!seen[$0]++' | tr '\n' ' ')" = \
	     "$(seq 1 30000 | tr '\n' ' ')"
check "the supervisor ends" wait_for 600 gone_files "$PF"

# ---------------------------------------- --respawn: lines across restarts
PF=$T/again.pid
run 0 "--respawn with --syslog" "$START" -p "$PF" --respawn \
	--respawn-delay 0.05 --syslog=user --syslog-tag again -- \
	sh -c 'echo "run $$"; exit 1'
sv=$(supervisor_of "$PF")
track "$sv"
check "three runs logged" wait_msgs again 3
run 0 "daemon-stop" "$STOP" -p "$PF"
check "the supervisor ended" wait_gone "$sv" 600
bad=$(grep '|again\[' "$OUT" | awk -F'|' '{ t = $3; sub(/.*\[/, "", t);
	sub(/\].*/, "", t); if (" run " t != $5) print }')
check "each run's line tagged with its own PID" test -z "$bad"
check "the PIDs differ from run to run" \
	test "$(msgs again | sort -u | wc -l)" = "$(msgs again | wc -l)"

# --------------------------------------------------- no syslog socket
rs_stop
rm -f /dev/log
PF=$T/nosock.pid
run 3 "no syslog socket: start fails" "$START" -p "$PF" --syslog -- \
	sleep 1000
grep_err "no syslog daemon listens on /dev/log" "a clear message"
check "no pidfile or state record left" gone_files "$PF"
check "no process left running sleep 1000" \
	test -z "$(grep -l 'sleep.1000' /proc/[0-9]*/cmdline 2>/dev/null)"

# ------------------------------------------------------- size rotation
LOG=$T/log/r.log
mkdir -p "$T/log"
PF=$T/rot.pid
run 0 "--output-max-size 4K --output-keep 100" "$START" -p "$PF" \
	--output "$LOG" --output-max-size 4K --output-keep 100 -- \
	seq -f 'line %06g' 1 20000
check "the supervisor ends" wait_for 600 gone_files "$PF"
n=$(find "$T/log" -name 'r.log.*' | wc -l)
cat_all() {
	local i
	for i in $(seq "$n" -1 1); do cat "$LOG.$i"; done
	cat "$LOG"
}
check "all 20000 lines, in order, across r.log.$n .. r.log" \
	test "$(cat_all | md5sum)" = "$(seq -f 'line %06g' 1 20000 | md5sum)"
check "only r.log and r.log.1..$n, no gap" test "$(ls "$T/log" | sort)" = \
	"$( (echo r.log; for i in $(seq "$n"); do echo "r.log.$i"; done) | sort)"
check "no file above 4K" \
	test -z "$(find "$T/log" -size +4096c)"
split=$(for f in "$T"/log/*; do [ "$(tail -c1 "$f" | od -An -c | tr -d ' ')" = '\n' ] || echo "$f"; done)
check "no file ends in the middle of a line" test -z "$split"
short=$(for i in $(seq "$n"); do
	[ "$(stat -c %s "$LOG.$i")" -gt $((4096 - 12)) ] || echo "$i"; done)
check "every rotated file is full: no extra file" test -z "$short"

# ------------------------------------------------------------ timestamps
LOG=$T/log/ts.log
PF=$T/ts.pid
run 0 "--timestamps" "$START" -p "$PF" --output "$LOG" --timestamps -- \
	sh -c 'echo one; echo two >&2'
check "the supervisor ends" wait_for 600 gone_files "$PF"
check "each line starts with an ISO 8601 UTC time in microseconds" \
	test "$(grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z (one|two)$' "$LOG")" = 2

# -------------------------------------------- plain --output: no helper
LOG=$T/log/plain.log
PF=$T/plain.pid
run 0 "plain --output" "$START" -p "$PF" --output "$LOG" -- sleep 1000
pid=$(cat "$PF")
track "$pid"
check "no state record: no supervisor" test ! -e "$PF.state"
check "descriptor 1 is the file itself" \
	test "$(readlink "/proc/$pid/fd/1")" = "$LOG"
check "the program alone in its session" \
	test "$(in_session "$(stat_field "$pid" 4)")" = "$pid"
check "its parent is no daemon-start process" \
	test "$(cat "/proc/$(stat_field "$pid" 2)/comm")" != daemon-start
run 0 "daemon-stop" "$STOP" -p "$PF"

done_testing
