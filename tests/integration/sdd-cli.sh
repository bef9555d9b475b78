#!/bin/bash
# The start-stop-daemon front end driven directly, in the call shapes init
# scripts use most (--exec, --quiet, --pidfile, --oknodo, --retry and
# --retry=, --signal, --name, --test, --user, --chuid, --background,
# --make-pidfile, --startas, --remove-pidfile, --umask), plus its rules of
# usage and what it refuses. Each daemon is a copy of the Python
# interpreter running tests/integration/sdd-daemon.py.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_pidns

SSD=${DCTL_SSD:-$DCTL_BUILDDIR/src/start-stop-daemon}
NAME=sddpy$$
NAME=${NAME:0:15}
D=$T/$NAME
cp -L /usr/bin/python3 "$D"
# A copy: the daemon runs it as nobody, who may not enter the source tree
# (root's 0700 home, say).
PY=$T/sdd-daemon.py
cp "$DCTL_SRCDIR/tests/integration/sdd-daemon.py" "$PY"
chmod 644 "$PY"
P=$T/d.pid

pid_of() { tr -dc 0-9 <"$1" 2>/dev/null; }
euid_of() { awk '/^Uid:/ { print $3 }' "/proc/$1/status"; }
# until_true CMD...: until CMD succeeds, within a deadline generous for
# a loaded machine (it only takes longer there, it never fails sooner).
until_true() {
	local end=$((SECONDS + 30))
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}
# wait_file FILE [TEST]: until it exists and is not empty (daemons
# detach), or passes test(1) TEST.
wait_file() { until_true test "${2:--s}" "$1"; }
found_fg() { pid=$(pgrep -f "$PY fg $T/x.pid" | head -1); [ -n "$pid" ]; }
is_zombie() { [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -c1)" = Z ]; }

# 1. The skeleton's check before a start: --test says whether it would.
run 0 "--start --test: would start (not running)" \
	"$SSD" --start --quiet --pidfile "$P" --exec "$D" --test -- "$PY" detach "$P"
check "--test --quiet prints nothing" test ! -s "$T/out"
check "--test started nothing" test ! -e "$P"

# 2. A daemon that detaches itself and writes its own pidfile.
run 0 "--start --quiet --pidfile --exec: self-detaching daemon" \
	"$SSD" --start --quiet --pidfile "$P" --exec "$D" -- "$PY" detach "$P"
wait_file "$P"
pid=$(pid_of "$P"); track "$pid"
check "its pidfile names a live process" alive "$pid"
check "running the --exec binary" test "/proc/$pid/exe" -ef "$D"

# 3. Again: already running; --oknodo makes that 0.
run 1 "second --start: already running (1)" \
	"$SSD" --start --quiet --pidfile "$P" --exec "$D" -- "$PY" detach "$P"
run 0 "second --start --oknodo: 0" \
	"$SSD" --start --quiet --oknodo --pidfile "$P" --exec "$D" -- "$PY" detach "$P"
run 1 "--start --test while running: 1" \
	"$SSD" --start --quiet --pidfile "$P" --exec "$D" --test
run 0 "--status --pidfile: running (0)" "$SSD" --status --pidfile "$P"
run 0 "--status --exec (scan): running (0)" "$SSD" --status --exec "$D"

# 4. Reload: --signal 1 without --retry sends and returns.
run 0 "--stop --signal 1 --quiet --pidfile --name: reload" \
	"$SSD" --stop --signal 1 --quiet --pidfile "$P" --name "$NAME"
wait_file "$P.hup"
check "the daemon got SIGHUP" grep -qx hup "$P.hup"
check "and is still running" alive "$pid"

# 5. --stop --test lists what it would signal.
run 0 "--stop --test: would send" "$SSD" --stop --test --pidfile "$P" --exec "$D"
grep_out "^Would send signal 15 to $pid\.$" "--test names the signal and PID"
check "--test sent nothing" alive "$pid"

# 5b. Signal 0, as kill(2) takes it: "is it running?", which LSB's
# killproc asks with "--signal 0". Found: 0; not found: 1; nothing sent.
run 0 "--stop --signal 0 --quiet --pidfile --name: found (0)" \
	"$SSD" --stop --signal 0 --quiet --pidfile "$P" --name "$NAME"
check "--signal 0: the daemon is untouched" alive "$pid"
check "--signal 0: no SIGHUP either" test "$(wc -l <"$P.hup")" = 1
run 1 "--stop --signal 0 of a process not there: nothing done (1)" \
	"$SSD" --stop --signal 0 --quiet --pidfile "$T/none.pid"
run 0 "--stop --signal 0 --test: would send signal 0" \
	"$SSD" --stop --signal 0 --test --pidfile "$P"
grep_out "^Would send signal 0 to $pid\.$" "--signal 0 --test names signal 0"
run 3 "--signal 0 with --retry -5: still refused" \
	"$SSD" --stop --signal 0 --retry -5 --quiet --pidfile "$P"
check "--signal 0 and bad usage: the daemon is untouched" alive "$pid"
# A bare --retry N with signal 0 is 0/N/KILL/N: a wait, then KILL.
sleep 600 & s0=$!
track "$s0"
run 0 "--stop --signal 0 --retry 1 --pid: stopped (0)" \
	"$SSD" --stop --signal 0 --retry 1 --quiet --pid "$s0"
wait "$s0"
rc=$?
check "--signal 0 --retry 1: ended by KILL, not TERM (status $rc)" test "$rc" = 137

# 6. A --user that does not own it: every condition must hold.
run 1 "--stop --user nobody --pidfile: not its owner, nothing done" \
	"$SSD" --stop --quiet --user nobody --pidfile "$P" --exec "$D"
check "not signalled" alive "$pid"

# 7. The skeleton's stop: --retry=TERM/30/KILL/5 --pidfile --name.
run 0 "--stop --quiet --retry=TERM/30/KILL/5 --pidfile --name: stopped" \
	"$SSD" --stop --quiet --retry=TERM/30/KILL/5 --pidfile "$P" --name "$NAME"
check "the daemon is gone when stop returns" test ! -d "/proc/$pid"
run 1 "second --stop: nothing done (1)" \
	"$SSD" --stop --quiet --retry=TERM/30/KILL/5 --pidfile "$P" --name "$NAME"
run 0 "second --stop --oknodo: 0" \
	"$SSD" --stop --quiet --oknodo --retry 5 --pidfile "$P" --name "$NAME"
run 1 "--status, stale pidfile: dead, pidfile exists (1)" \
	"$SSD" --status --pidfile "$P"
check "without --remove-pidfile the file stays (as dpkg)" test -f "$P"

# 8. No pidfile at all: found by --exec, stopped with --oknodo --retry 5.
"$SSD" --start --quiet --background --exec "$D" -- "$PY" fg "$T/x.pid"
until_true found_fg
track "$pid"
check "--background without --make-pidfile: detached" alive "$pid"
check "in a session of its own" test "$(ps -o sid= -p "$pid" | tr -d ' ')" != "$(ps -o sid= -p $$ | tr -d ' ')"
run 0 "--stop --oknodo --retry 5 --exec (scan): stopped" \
	"$SSD" --stop --quiet --oknodo --retry 5 --exec "$D"
check "gone" test ! -d "/proc/$pid"
run 3 "--status --exec: not running (3)" "$SSD" --status --exec "$D"

# 9. A locked start as another user, then stop and --remove-pidfile. The
# daemon, as nobody, says it serves in a directory of its own.
chmod 755 "$T"
mkdir -p "$T/run" && chown nobody "$T/run"
run 0 "--start --background --make-pidfile --chuid nobody --umask 027" \
	"$SSD" --start --quiet --background --make-pidfile --pidfile "$P" \
	--chuid nobody --umask 027 --startas "$D" --exec "$D" -- "$PY" fg "$T/run/n"
pid=$(pid_of "$P"); track "$pid"
check "it serves (as nobody, in its directory)" wait_file "$T/run/n.ready" -e
check "pidfile is the PID and a newline" test "$(cat "$P")" = "$pid"
check "it runs as nobody" test "$(euid_of "$pid")" = 65534
check "with umask 027" grep -q '^Umask:.0027' "/proc/$pid/status"
check "the pidfile is locked while it runs" bash -c "! flock -n '$P' true"
run 1 "--start again: already running (1)" \
	"$SSD" --start --quiet --background --make-pidfile --pidfile "$P" \
	--exec "$D" -- "$PY" fg "$T/run/n"
run 0 "--stop --user nobody --retry=TERM/5 --remove-pidfile" \
	"$SSD" --stop --quiet --user nobody --retry=TERM/5 --remove-pidfile \
	--pidfile "$P" --exec "$D"
check "gone" test ! -d "/proc/$pid"
check "pidfile removed" test ! -e "$P"

# 10. No --background: the program runs in place, in this very process.
"$SSD" --start --quiet --chdir "$T" --umask 0022 --exec /bin/sh -- \
	-c 'echo $$; pwd; umask' >"$T/inplace" &
sp=$!
wait "$sp"
check "in place: the program has start-stop-daemon's PID" \
	test "$(sed -n 1p "$T/inplace")" = "$sp"
check "in place: --chdir applied" test "$(sed -n 2p "$T/inplace")" = "$T"
check "in place: --umask applied" test "$(sed -n 3p "$T/inplace")" = 0022

# A pidfile written without a final newline is live (by its start time).
"$SSD" --start --quiet --pidfile "$P" --exec "$D" -- "$PY" detach-nonl "$P"
wait_file "$P"
pid=$(pid_of "$P"); track "$pid"
check "pidfile without newline written" test "$(wc -l <"$P")" = 0
run 0 "--status of a pidfile without newline: running" "$SSD" --status --pidfile "$P"
"$SSD" --stop --quiet --retry 5 --pidfile "$P" --exec "$D"
check "stopped" test ! -d "/proc/$pid"

# --retry that runs out: exit 2, the process still there.
"$SSD" --start --quiet --background --make-pidfile --pidfile "$P" \
	--exec "$D" -- "$PY" stubborn "$T/s"
pid=$(pid_of "$P"); track "$pid"
wait_file "$T/s.ready"
run 2 "--retry TERM/1 on a process ignoring TERM: 2" \
	"$SSD" --stop --quiet --retry TERM/1 --pidfile "$P"
check "it is still alive" alive "$pid"
run 0 "--retry -15/1/-9/5 (signal numbers): stopped" \
	"$SSD" --stop --quiet --retry -15/1/-9/5 --pidfile "$P"
check "gone" test ! -d "/proc/$pid"

# A zombie counts as gone (dpkg would report it running and "kill" it).
"$D" "$PY" zombie "$T/z.pid" &
zp=$!; track "$zp"
wait_file "$T/z.pid"
z=$(pid_of "$T/z.pid")
until_true is_zombie "$z"
run 1 "--stop --ppid of a zombie only: nothing to stop" \
	"$SSD" --stop --quiet --name "$NAME" --ppid "$zp"
run 3 "--status --pid ZOMBIE: not running" "$SSD" --status --pid "$z"
run 0 "--status --pid of its live parent: running" "$SSD" --status --pid "$zp"
kill "$zp"; wait "$zp" 2>/dev/null

# Never this program or its callers.
# (dpkg's own would signal the shell that runs it.)
SH=$T/sddsh$$
SH=${SH:0:$((${#T} + 16))}
cp -L /bin/bash "$SH"
run 0 "--stop --name SHELL from that shell: never the caller" \
	"$SH" -c '"$1" --stop --quiet --name "$2"; echo "rc=$?"' sh "$SSD" "${SH##*/}"
grep_out "^rc=1$" "the calling shell survived to say: nothing done (1)"
run 3 "--stop --pid of the caller: refused" "$SSD" --stop --pid $$
grep_err "one of its callers" "the refusal says why"

# A --name longer than the kernel keeps: a warning, the first 15 bytes.
run 1 "--stop --name with 20 characters: warns" \
	"$SSD" --stop --name abcdefghijklmnopqrst
grep_err "warning: .*15" "the warning names the limit"

# Rules of usage: 3, and 4 for --status.
run 3 "no command: 3" "$SSD" --exec "$D"
grep_err "need one of --start or --stop or --status" "says what is missing"
run 3 "no match option: 3" "$SSD" --stop
run 3 "--make-pidfile without --pidfile: 3" "$SSD" --start -m --exec "$D"
run 3 "--background with --stop: 3" "$SSD" --stop -b --exec "$D"
run 3 "bad --retry: 3" "$SSD" --stop --retry TERM/forever --exec "$D"
run 4 "--status with a bad option: 4" "$SSD" --status --pidfile "$P" --bogus
run 4 "--status --exec of a missing file: 4" "$SSD" --status --exec "$T/none"
run 3 "two commands: 3" "$SSD" -S -K --exec "$D"
run 0 "--help: 0" "$SSD" --help
grep_out "^Usage: start-stop-daemon" "--help prints the usage"
run 0 "-V: 0" "$SSD" -V
# BusyBox's short forms are dpkg's letters.
run 0 "short options -S -b -m -p -x -q -o" "$SSD" -S -b -m -p "$P" -x "$D" -q -o -- "$PY" fg "$T/bb"
pid=$(pid_of "$P"); track "$pid"
run 0 "short options -K -p -x -R -q" "$SSD" -K -p "$P" -x "$D" -R 5 -q
check "gone" test ! -d "/proc/$pid"

done_testing
