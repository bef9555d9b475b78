#!/bin/bash
# daemon-start --respawn end to end, with real programs that crash: the
# refused settings, the first start's failures, restarts after exit codes,
# signals and an outsider's KILL, the whole recipe on every run, the
# backoff and its record, giving up, ending supervision with daemon-stop
# (while running, during a backoff, racing, with a program that crashes
# or hangs during the stop), --no-wait, and the supervisor killed.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_pidns

# ------------------------------------------------------------ helpers

# The programs. Each writes one line per run to the output, so that the
# runs can be counted in the log file they share.
cat >"$T/crash" <<'EOF'
#!/bin/sh
# crash SECONDS CODE: live SECONDS, then exit CODE.
echo "run $$ in $(pwd)"
sleep "$1"
exit "$2"
EOF
cat >"$T/crash-when" <<'EOF'
#!/bin/sh
# crash-when GO SECONDS CODE: the first run lives SECONDS and until the
# file GO exists, then exits CODE; a later run (GO is there) lives until
# it is stopped. The test, not a timer, decides when the crash comes and
# that the next run is still there to be looked at.
echo "run $$ in $(pwd)"
if [ -e "$1" ]; then
	while :; do sleep 0.05; done
fi
sleep "$2"
while [ ! -e "$1" ]; do sleep 0.05; done
exit "$3"
EOF
cat >"$T/segv" <<'EOF'
#!/bin/sh
sleep "$1"
kill -SEGV $$
EOF
cat >"$T/serve" <<'EOF'
#!/bin/sh
# serve MARKS [TERM-EXIT]: run until stopped; HUP appends to MARKS; TERM
# makes it exit with TERM-EXIT (a crash during the stop), or, given
# "ignore", is ignored. Its line comes once the traps are set, so that a
# test that has seen it can signal it.
trap 'echo hup >>"$1"' HUP
case ${2:-} in
ignore) trap '' TERM ;;
'') ;;
*) trap "exit $2" TERM ;;
esac
echo "run $$"
while :; do sleep 0.05; done
EOF
cp /bin/sleep "$T/nap"
chmod +x "$T/crash" "$T/crash-when" "$T/segv" "$T/serve"

# field PIDFILE KEY: one value of the supervisor's state record.
field() {
	awk -v k="$2" '$1 == k { print $2 }' "$1.state" 2>/dev/null
}

# supervisor PIDFILE: the supervisor's PID, tracked for the cleanup.
supervisor() {
	local p
	p=$(field "$1" supervisor)
	[ -n "$p" ] && track "$p"
	echo "$p"
}

# ppid PID
ppid() {
	sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f2
}

pid_of() {
	head -c 16 "$1" 2>/dev/null | tr -dc 0-9
}

# recorded PIDFILE PID: the state record names PID as the run.
recorded() {
	[ "$(field "$1" pid)" = "$2" ]
}

# running_other PIDFILE OLD: the pidfile names a live process, not OLD.
running_other() {
	local p
	p=$(pid_of "$1")
	[ -n "$p" ] && [ "$p" != "$2" ] && [ "$p" != "$(field "$1" supervisor)" ] &&
		alive "$p"
}

status_is() {	# status_is PIDFILE REGEX
	"$STATUS" "$1" 2>&1 | grep -Eq -- "$2"
}

json() {	# json PIDFILE PYTHON-EXPRESSION-ON-o
	"$STATUS" --json "$1" >"$T/json"
	python3 -c '
import json, sys
o = json.loads(open(sys.argv[1]).read())
sys.exit(0 if eval(sys.argv[2]) else 1)' "$T/json" "$2"
}

instance() {
	tr '\0' '\n' <"/proc/$1/environ" | sed -n 's/^DAEMON_INSTANCE_ID=//p'
}

# locked PIDFILE: someone holds its lock (flock -n fails).
locked() {
	! flock -n "$1" true
}

# Any process whose command line names this test's directory, but this
# shell and its helpers.
leftovers() {
	local p
	for p in $(pgrep -f "$T/" 2>/dev/null); do
		[ "$p" = $$ ] || [ "$p" = "$watchdog" ] && continue
		alive "$p" && echo "$p"
	done
}

nothing_left() {
	[ -z "$(leftovers)" ]
}

# ------------------------------------------------- refused settings

P=$T/bad.pid
for args in "--respawn=sometimes" "--respawn --respawn-delay -1" \
	"--respawn --respawn-delay 1e3" "--respawn --respawn-delay .5" \
	"--respawn --respawn-stable 0.1234567891" \
	"--respawn --respawn-limit 5" "--respawn --respawn-limit 5/0" \
	"--respawn --respawn-limit 0/60" "--respawn --respawn-limit x/60" \
	"--respawn --respawn-limit 1001/60" \
	"--respawn --respawn-delay 2 --respawn-delay-max 1" \
	"--respawn-delay 0.5" "--respawn --forking"; do
	# shellcheck disable=SC2086
	run 3 "refused: $args" "$START" -p "$P" $args -- "$T/serve" "$T/m"
	check "refused: $args: one line, naming the option" \
		test "$(wc -l <"$T/err")" = 1
	grep_err 'daemon-start: .*(respawn|forking)' "refused: $args: says what"
	check "refused: $args: nothing started" test ! -e "$P"
done
check "refused settings leave no process" nothing_left

# ------------------------------------------ the first start is plain

run 3 "a program that cannot be found: exit 3" "$START" -p "$P" --respawn \
	-- "$T/nosuch"
grep_err 'nosuch' "  and the message names it"
run 3 "a program that exits during startup: exit 3" "$START" -p "$P" \
	--respawn --wait 500 -- "$T/crash" 0 7
grep_err 'exit(ed)? .*7|status 7' "  with its exit status"
check "  no pidfile, no record" test ! -e "$P" -a ! -e "$P.state"
check "  no supervisor, no program left" wait_for 300 nothing_left

# The wait is far longer than any start takes: the signal ends it, and
# must find daemon-start still waiting however slow the machine is.
"$START" -p "$P" --respawn --wait 60000 -- "$T/serve" "$T/m" 2>"$T/err" &
ds=$!
wait_for 300 test -e "$P"
kill -TERM "$ds"
wait "$ds"
check "SIGTERM to daemon-start during the first start's wait: exit 143" \
	test $? = 143
grep_err 'interrupted by SIGTERM' "  and it says so"
check "  the start is called off, supervisor and all" wait_for 300 nothing_left
check "  no pidfile" test ! -e "$P"

# ------------------------------------------------ a supervised start

P=$T/web.pid
run 0 "a supervised start" "$START" -p "$P" -d "$T" -e WEB_MARK=42 \
	-O "$T/web.log" --respawn --respawn-stable 0.2 --respawn-delay 1 \
	-- "$T/crash-when" "$T/web.go" 0.5 3
sv=$(supervisor "$P")
pid1=$(pid_of "$P")
track "$pid1"
check "the pidfile names the program, a child of the supervisor" \
	test -n "$pid1" -a "$(ppid "$pid1")" = "$sv"
check "the supervisor is detached (own session, not a leader)" \
	test "$(sed 's/.*) //' "/proc/$sv/stat" | cut -d' ' -f4)" != "$sv" -a \
	"$(sed 's/.*) //' "/proc/$sv/stat" | cut -d' ' -f4)" != "$(ps -o sid= $$ | tr -d ' ')"
check "the supervisor's stdio is /dev/null" \
	test "$(readlink "/proc/$sv/fd/1")" = /dev/null
check "status: running, supervised" json "$P" \
	'o["state"] == "running" and o["supervisor"] == '"$sv"' and o["restarts"] == 0 and o["last_exit"] is None'
inst1=$(instance "$pid1")

# Now it exits 3, after at least 0.5 s: a stable run (--respawn-stable
# 0.2), so the restart is at once; the next run lives on.
: >"$T/web.go"
check "an exit after a stable run: restarted" wait_for 300 running_other "$P" "$pid1"
pid2=$(pid_of "$P")
track "$pid2"
# The new run writes the pidfile before it execs the program: its line in
# the output file says that the program runs, with the recipe applied.
wait_for 300 grep -q "^run $pid2 in $T\$" "$T/web.log"
check "  by the same supervisor, holding the lock throughout" \
	test "$(ppid "$pid2")" = "$sv" -a "$(field "$P" supervisor)" = "$sv"
check "  with a fresh instance id" test -n "$(instance "$pid2")" -a \
	"$(instance "$pid2")" != "$inst1"
check "  the whole recipe again: directory and environment" \
	test "$(readlink "/proc/$pid2/cwd")" = "$T" -a \
	"$(tr '\0' '\n' <"/proc/$pid2/environ" | grep -c '^WEB_MARK=42$')" = 1
check "  and the output file" grep -q "^run $pid2 in $T\$" "$T/web.log"
# The supervisor records the run once its launch is done: wait for that.
check "status: 1 restart, last exit 3" wait_for 300 json "$P" \
	'o["restarts"] >= 1 and o["last_exit"] == "exit 3" and o["pid"] == '"$pid2"
run 0 "stop the supervised daemon" "$STOP" -p "$P"
check "  program and supervisor gone as it returns" \
	eval '! alive '"$sv"' && ! alive $(pid_of '"$P"' || echo '"$pid2"')'
check "  pidfile and record removed" test ! -e "$P" -a ! -e "$P.state"
check "  nothing restarted" wait_for 300 nothing_left

# ----------------------------------------- unstable runs: the backoff

P=$T/flap.pid
run 0 "a program that crashes quickly" "$START" -p "$P" --respawn \
	--respawn-delay 30 -- "$T/crash" 0.1 1
sv=$(supervisor "$P")
check "restarting after an unstable run: status says so, exit 1" \
	wait_for 300 status_is "$P" '^flap: restarting \(last: exit 1, next try in [0-9.]+s, 0 restarts\)$'
run 1 "  daemon-status exit code" "$STATUS" "$P"
check "  JSON: state restarting, the reason, supervisor" json "$P" \
	'o["state"] == "restarting" and o["supervisor"] == '"$sv"' and o["last_exit"] == "exit 1" and o["reason"].startswith("last: exit 1, next try in")'
check "  the lock is held during the backoff" locked "$P"
check "  the pidfile names the supervisor meanwhile" test "$(pid_of "$P")" = "$sv"
run 1 "a second start during the backoff: already running" "$START" \
	-p "$P" -- "$T/serve" "$T/m"
grep_err 'already running' "  and says so"
run 0 "a stop during the backoff: exit 0" "$STOP" -p "$P"
check "  the supervisor is gone at once" wait_gone "$sv" 300
check "  pidfile and record removed" test ! -e "$P" -a ! -e "$P.state"
check "  nothing restarted" nothing_left

# -------------------------------- signals, an outsider's KILL, SEGV

P=$T/sig.pid
run 0 "a supervised server" "$START" -p "$P" -O "$T/sig.log" --respawn \
	--respawn-stable 0 -- "$T/serve" "$T/marks"
sv=$(supervisor "$P")
p=$(pid_of "$P")
kill -KILL "$p"
check "an outsider's kill -KILL: restarted (immediately after a stable run)" \
	wait_for 300 running_other "$P" "$p"
# The pidfile names the new run before it has exec'd serve, and before
# the supervisor records it; serve's line says its traps are set.
p=$(pid_of "$P")
wait_for 300 grep -qx "run $p" "$T/sig.log"
check "  the record names the new run" wait_for 300 recorded "$P" "$p"
check "  last exit: signal KILL, 1 restart" wait_for 300 json "$P" \
	'o["last_exit"] == "signal KILL" and o["restarts"] == 1 and o["state"] == "running" and o["pid"] == '"$p"
check "  the line counts it" wait_for 300 status_is "$P" \
	'^sig: running \(pid '"$p"', up [0-9]+s, 1 restart\)$'
run 0 "--signal HUP --no-wait" "$STOP" -p "$P" --signal HUP --no-wait
check "  reaches the program" wait_for 300 grep -qs hup "$T/marks"
check "  and does not stop it" eval 'alive '"$p"' && test "$(pid_of '"$P"')" = '"$p"
check "  nor the supervision" test "$(field "$P" state)" = running
run 0 "stop it" "$STOP" -p "$P"
check "  nothing left" wait_for 300 nothing_left

P=$T/segv.pid
run 0 "a program that dies of SIGSEGV" "$START" -p "$P" --respawn \
	--respawn-delay 5 -- "$T/segv" 0.2
check "  restarting, last: signal SEGV" wait_for 300 json "$P" \
	'o["state"] == "restarting" and o["last_exit"] == "signal SEGV"'
run 0 "  stopped during its backoff" "$STOP" -p "$P"

# ------------------------------------------------ stops that race

P=$T/race.pid
run 0 "a server for racing stops" "$START" -p "$P" --respawn -- "$T/serve" "$T/m"
sv=$(supervisor "$P")
p=$(pid_of "$P")
for i in 1 2 3 4; do
	"$STOP" -p "$P" >"$T/stop$i.out" 2>&1 &
	stops="${stops:-} $!"
done
codes=""
for s in $stops; do
	wait "$s"
	codes="$codes $?"
done
check "four racing stops: each 0 (stopped) or 1 (nothing left to stop)" \
	test -z "$(echo "$codes" | tr ' ' '\n' | grep -v '^[01]$' | grep .)"
check "  at least one stopped it" eval 'echo "$codes" | grep -qw 0'
check "  program and supervisor gone, no restart" \
	eval '! alive '"$sv"' && ! alive '"$p"' && nothing_left'

# ------------------------------------- a program that crashes in a stop

P=$T/crashstop.pid
run 0 "a program that exits 1 on TERM" "$START" -p "$P" --respawn \
	--respawn-stable 0 -- "$T/serve" "$T/m" 1
sv=$(supervisor "$P")
run 0 "  stop: exit 0" "$STOP" -p "$P"
check "  not restarted, supervisor gone" eval '! alive '"$sv"' && nothing_left'

P=$T/hang.pid
run 0 "a program that ignores TERM" "$START" -p "$P" --respawn \
	--respawn-stable 0 -- "$T/serve" "$T/m" ignore
sv=$(supervisor "$P")
p=$(pid_of "$P")
run 0 "  stop along TERM/1/KILL/5: exit 0" "$STOP" -p "$P" -R TERM/1/KILL/5
check "  KILLed, not restarted" eval '! alive '"$p"' && ! alive '"$sv"' && nothing_left'
check "  pidfile removed" test ! -e "$P"

# ------------------------------------------------ policies and limits

P=$T/once.pid
run 0 "--respawn=on-failure" "$START" -p "$P" --respawn=on-failure \
	-- "$T/crash" 0.3 0
sv=$(supervisor "$P")
check "  after exit 0 supervision ends" wait_gone "$sv" 300
check "  and the pidfile is removed" test ! -e "$P" -a ! -e "$P.state"
run 3 "  daemon-status: not running" "$STATUS" "$P"

P=$T/limit.pid
run 0 "--respawn-limit 2/60" "$START" -p "$P" --respawn --respawn-delay 0.05 \
	--respawn-limit 2/60 -- "$T/crash" 0 1
sv=$(supervisor "$P")
check "  gives up: the supervisor ends" wait_gone "$sv" 300
run 1 "  daemon-status exit 1" "$STATUS" "$P"
grep_out '^limit: failed \(gave up after 2 restarts in 60 s; last: exit 1\)$' \
	"  failed, with the reason"
check "  JSON: dead, with the reason" json "$P" \
	'o["state"] == "dead" and o["reason"].startswith("gave up after 2 restarts") and o["restarts"] == 2'
check "  the lock is released" eval '! locked '"$P"
run 0 "  a new start replaces it" "$START" -p "$P" -- "$T/serve" "$T/m"
track "$(pid_of "$P")"
check "  and its record is gone" test ! -e "$P.state"
check "  so status is plain running" json "$P" \
	'o["state"] == "running" and o["supervisor"] is None and o["restarts"] == 0'
run 0 "  stop" "$STOP" -p "$P"

# -------------------------------------------- the supervisor killed

# A program that forks nothing: serve's sleeps inherit the lock, and one
# still running when daemon-stop kills serve would keep the pidfile.
P=$T/orphan.pid
run 0 "a supervised server" "$START" -p "$P" --respawn -- "$T/nap" 600
sv=$(supervisor "$P")
p=$(pid_of "$P")
track "$p"
kill -KILL "$sv"
wait_gone "$sv" 300
check "its supervisor killed: the program runs on, the lock held" \
	eval 'alive '"$p"' && locked '"$P"
run 0 "  status: running (exit 0)" "$STATUS" "$P"
grep_out "^orphan: running \\(pid $p, up [0-9]+s, unsupervised: supervisor $sv is gone\\)\$" \
	"  and says it is unsupervised"
check "  JSON: supervisor null, the reason" json "$P" \
	'o["supervisor"] is None and "unsupervised" in o["reason"]'
run 0 "  daemon-stop stops the program directly" "$STOP" -p "$P"
check "  gone, pidfile and record removed" eval '! alive '"$p"' && test ! -e '"$P"' -a ! -e '"$P.state"

P=$T/orphan2.pid
run 0 "a supervised crasher" "$START" -p "$P" --respawn --respawn-delay 30 \
	-- "$T/crash" 0.1 1
sv=$(supervisor "$P")
check "  in its backoff" wait_for 300 status_is "$P" restarting
kill -KILL "$sv"
wait_gone "$sv" 300
run 1 "its supervisor killed in a backoff: dead" "$STATUS" "$P"
grep_out "dead, pidfile exists \\(pid $sv\\)" "  the pidfile names the gone supervisor"
check "  JSON says why" json "$P" \
	'o["state"] == "dead" and "waiting to restart" in o["reason"]'
run 1 "  daemon-stop: not running" "$STOP" -p "$P"
check "  nothing left" nothing_left

done_testing
