#!/bin/bash
# daemon-start failures: each one exits 3 with one clear line, and leaves
# no pidfile and no process behind. Already running: 1 (0 with --oknodo).
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

mkdir -p "$T/bin"
cp /bin/sleep "$T/bin/dsleep"
D="$T/bin/dsleep"
P="$T/x.pid"

# Every process still running whose command line names this test's dir
# (our daemons all do), the test scripts themselves excepted.
leftovers() {
	local p out=""
	for p in $(pgrep -f "$T/bin/" || true); do
		[ "$p" = $$ ] && continue
		out="$out $p"
	done
	echo "$out"
}

# fails DESC ERE ARGS...: exit 3, message matching ERE, nothing left.
fails() {
	local desc=$1 re=$2
	shift 2
	rm -f "$P"
	run 3 "$desc: exit 3" "$START" -p "$P" "$@"
	grep_err "^daemon-start: $re" "$desc: message"
	check "$desc: one line" test "$(wc -l <"$T/err")" = 1
	check "$desc: no pidfile left" test ! -e "$P"
	check "$desc: no process left" test -z "$(leftovers)"
}

# ------------------------------------------------- before any fork
fails "missing program" "program not found: nosuch-$$" -- "nosuch-$$"
touch "$T/bin/plain"
fails "non-executable program" "program not executable: $T/bin/plain" -- "$T/bin/plain"
mkdir -p "$T/bin/adir"
fails "a directory as program" "program not executable" -- "$T/bin/adir"
fails "bad umask" "invalid value '8' for --umask" -k 8 -- "$D" 100
fails "umask above 0777" "invalid value '1000' for --umask" -k 1000 -- "$D" 100
fails "nice out of range" "invalid value '20' for --nicelevel" -N 20 -- "$D" 100
fails "nice not a number" "invalid value 'x' for --nicelevel" -N x -- "$D" 100
fails "negative wait" "invalid value '-1' for --wait" -w -1 -- "$D" 100
fails "zero timeout" "invalid value '0' for --timeout" -T 0 -- "$D" 100
fails "forged instance id" "invalid environment entry 'DAEMON_INSTANCE_ID=x': DAEMON_INSTANCE_ID is set by daemon-start" \
	-e DAEMON_INSTANCE_ID=x -- "$D" 100
fails "forged notify socket" "invalid environment entry 'NOTIFY_SOCKET=/tmp/s': NOTIFY_SOCKET is set by daemon-start" \
	-e NOTIFY_SOCKET=/tmp/s -- "$D" 100
fails "bad env entry" "invalid environment entry 'NOEQUALS'" -e NOEQUALS -- "$D" 100
fails "bad env name" "invalid environment entry '1X=y'" -e 1X=y -- "$D" 100
fails "unknown user" "unknown user in --chuid nosuchuser$$" -c "nosuchuser$$" -- "$D" 100
fails "unknown group" "unknown group in --chuid root:nosuchgroup$$" \
	-c "root:nosuchgroup$$" -- "$D" 100
fails "missing chdir" "directory $T/nodir: No such file or directory" \
	-d "$T/nodir" -- "$D" 100
fails "missing chroot" "chroot directory $T/noroot: No such file or directory" \
	-r "$T/noroot" -- "$D" 100
fails "unwritable output" "cannot open output file $T/nodir/log" \
	-O "$T/nodir/log" -- "$D" 100
fails "no program" "no program given" --
# An output FIFO nobody reads: refused at once, not a hang.
mkfifo "$T/out.fifo"
start=$(date +%s%N)
fails "output FIFO without reader" \
	"cannot open output file $T/out.fifo: no process reads it$" \
	-O "$T/out.fifo" -- "$D" 100
check "output FIFO: refused, not stuck opening it" \
	test $(( ($(date +%s%N) - start) / 1000000 )) -lt 60000
fails "exclusive readiness" "--notify-await and --forking are exclusive" \
	--notify-await --forking -- "$D" 100
rm -f "$P"
run 3 "no pidfile and no name" "$START" -- "$D" 100
grep_err "^daemon-start: no daemon named" "no pidfile: message"
run 3 "--pidfile and --name" "$START" -p "$P" -n x -- "$D" 100
grep_err "exclusive" "--pidfile with --name: message"
run 3 "unknown option" "$START" --frobnicate -p "$P" -- "$D" 100
grep_err "^daemon-start: unknown option '--frobnicate'" "unknown option: named"
check "unknown option: one line" test "$(wc -l <"$T/err")" = 1
run 3 "unknown short option" "$START" -Z -p "$P" -- "$D" 100
grep_err "^daemon-start: unknown option '-Z'" "unknown short option: named"
check "unknown short option: one line" test "$(wc -l <"$T/err")" = 1
run 3 "option without its value" "$START" --pidfile
grep_err "^daemon-start: option '--pidfile' needs a value" \
	"option without its value: named"
check "option without its value: one line" test "$(wc -l <"$T/err")" = 1
run 3 "bad --name" "$START" -n ../x -- "$D" 100
grep_err "invalid value '../x' for --name" "bad --name: message"
mkfifo "$T/fifo.pid"
run 3 "a FIFO as pidfile" "$START" -p "$T/fifo.pid" -- "$D" 100
grep_err "pidfile $T/fifo.pid" "FIFO pidfile: message names the file"
check "FIFO pidfile: no process left" test -z "$(leftovers)"
run 3 "pidfile in a missing directory" "$START" -p "$T/nodir/x.pid" -- "$D" 100
grep_err "pidfile $T/nodir/x.pid: No such file or directory" "missing dir: message"

# ---------------------------------------------------- after the fork
printf '#!%s/no-such-interpreter\n' "$T" >"$T/bin/badint"
chmod +x "$T/bin/badint"
fails "exec failure (bad interpreter)" \
	"cannot execute $T/bin/badint: No such file or directory" -- "$T/bin/badint"
cat >"$T/bin/exit3" <<EOF
#!/bin/sh
# names this test dir: $T/bin/
sleep 0.1
exit 3
EOF
cat >"$T/bin/segv" <<EOF
#!/bin/sh
# $T/bin/
kill -SEGV \$\$
EOF
cat >"$T/bin/forks-then-dies" <<EOF
#!/bin/sh
# $T/bin/: leaves a child behind, then fails
$D 200 &
exit 4
EOF
chmod +x "$T/bin/exit3" "$T/bin/segv" "$T/bin/forks-then-dies"
# The programs die at once: a --wait long enough that they always do
# within it, ended by the death, not waited out.
fails "--wait, exits 3" "$T/bin/exit3 exited with status 3 during startup" \
	-w 30000 -- "$T/bin/exit3"
fails "--wait, killed by SEGV" "$T/bin/segv killed by signal SEGV during startup" \
	-w 30000 -- "$T/bin/segv"
fails "--wait, child left behind" ".*forks-then-dies exited with status 4 during startup" \
	-w 30000 -- "$T/bin/forks-then-dies"
# A child that left the daemon's session with setsid() is swept up too
# (it carries the start's DAEMON_INSTANCE_ID), and a leftover is
# killed by PID here whatever the result, so that nothing outlives the test.
sweep_leftovers() {
	local p
	for p in $(leftovers); do
		kill "$p" 2>/dev/null
	done
}
fails "--wait, setsid'd child left behind" ".*sh exited with status 4 during startup" \
	-w 30000 -- /bin/sh -c "setsid $D 300 </dev/null >/dev/null 2>&1 & exit 4"
sweep_leftovers
# -T is waited out in full; the sh must have exited within it for this
# message (else it did not detach): room for a slow machine.
fails "--forking, setsid'd child left behind" \
	"pidfile $P names no live process after 10 s" \
	--forking -T 10 -- /bin/sh -c "setsid $D 301 </dev/null >/dev/null 2>&1 & exit 0"
sweep_leftovers
# Reported at once, not after the wait: the bound is half the wait, and
# the run's limit above the bound (never less than the caller's), so that
# a start that waited it out shows in the time as well as in the status.
lim=${DCTL_RUN_LIMIT:-120}
[ "$lim" -ge 90 ] || lim=90
start=$(date +%s%N)
DCTL_RUN_LIMIT=$lim fails "--wait 120000, early exit" ".*exit3 exited with status 3" \
	-w 120000 -- "$T/bin/exit3"
check "early exit reported when it happens, not after the 120 s wait" \
	test $(( ($(date +%s%N) - start) / 1000000 )) -lt 60000
rm -f "$P"
run 0 "--wait, alive: started" "$START" -p "$P" -w 300 -- "$D" 100
pid=$(cat "$P" 2>/dev/null)
track "$pid"
check "--wait: pidfile names the live daemon" alive "${pid:-none}"

# ------------------------------------------------- already running
run 1 "already running: exit 1" "$START" -p "$P" -- "$D" 100
grep_err "^daemon-start: already running \(pid $pid, $P\)$" "already running: names the PID"
run 0 "already running, --oknodo: exit 0" "$START" -o -p "$P" -- "$D" 100
run 1 "already running, --test: exit 1" "$START" -t -p "$P" -- "$D" 100
run 1 "already running, with --output: exit 1" \
	"$START" -O "$T/new.log" -p "$P" -- "$D" 100
check "already running: no empty --output file created" test ! -e "$T/new.log"
check "the daemon is untouched" test "$(cat "$P")" = "$pid"
kill "$pid"
wait_gone "$pid"

# A stale pidfile (dead PID) is replaced.
echo 99999 >"$P"
run 0 "stale pidfile replaced" "$START" -p "$P" -- "$D" 100
pid=$(cat "$P" 2>/dev/null)
track "$pid"
check "stale pidfile now names the new daemon" alive "${pid:-none}"
kill "$pid"
wait_gone "$pid"

done_testing
