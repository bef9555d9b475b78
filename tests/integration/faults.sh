#!/bin/bash
# Faults, as a table: each gets a clear one-line error naming the cause, a
# non-zero exit, and leaves nothing behind (no pidfile, no process). The
# filesystems are mounted in this test's private mount namespace only.
#   the pidfile directory full, out of inodes, read-only;
#   no free descriptors (ulimit -n) for each tool;
#   fork refused (ulimit -u, as nobody);
#   stdin, stdout, stderr closed, for each tool;
#   a daemon SIGSTOPped when the schedule reaches KILL;
#   daemon-stop SIGKILLed in the middle of a schedule.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_pidns "$@"

cp "$(readlink -f /bin/sleep)" "$T/fsleep"
chmod 755 "$T"

sleepers() {
	pgrep -c -x fsleep
}

no_sleeper() {
	[ "$(sleepers)" = 0 ]
}

# runs PID PROGRAM: PID has exec'd PROGRAM.
runs() {
	[ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$(readlink -f "$2")" ]
}

# stopped PID: PID is in the stopped state (T).
stopped() {
	[ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" = T ]
}

# fault DESC EXIT PATTERN PIDFILE COMMAND...: exit EXIT, one line on
# stderr matching PATTERN, no PIDFILE and no daemon left.
fault() {
	local desc=$1 want=$2 pattern=$3 pidfile=$4
	shift 4
	run "$want" "$desc: exit $want" "$@"
	grep_err "$pattern" "$desc: says why"
	check "$desc: one line" test "$(wc -l <"$T/err")" = 1
	check "$desc: no pidfile left" test ! -e "$pidfile"
	check "$desc: no process left" no_sleeper
}

# ------------------------------------------------------------ filesystems
mounts=1
mkdir -p "$T/full" "$T/noinode" "$T/ro"
if [ "$(id -u)" != 0 ] ||
	! mount -t tmpfs -o size=16k tmpfs "$T/full" 2>/dev/null; then
	mounts=0
	echo "# SKIP filesystem faults: cannot mount a tmpfs here"
fi
if [ "$mounts" = 1 ]; then
	# Full: every data page taken (creating the empty pidfile still works,
	# writing the PID does not).
	dd if=/dev/zero of="$T/full/fill" bs=4k 2>/dev/null
	fault "full filesystem" 3 \
		"^daemon-start: cannot write pidfile $T/full/d.pid: No space left on device$" \
		"$T/full/d.pid" "$START" -p "$T/full/d.pid" "$T/fsleep" 600

	# No free inode: the pidfile cannot even be created.
	mount -t tmpfs -o size=1m,nr_inodes=8 tmpfs "$T/noinode"
	for i in $(seq 20); do
		{ : >"$T/noinode/f$i"; } 2>/dev/null || break
	done
	fault "no free inode" 3 \
		"^daemon-start: pidfile $T/noinode/d.pid: No space left on device$" \
		"$T/noinode/d.pid" "$START" -p "$T/noinode/d.pid" "$T/fsleep" 600

	# Read-only.
	mount -t tmpfs -o ro,size=64k tmpfs "$T/ro"
	fault "read-only filesystem" 3 \
		"^daemon-start: pidfile $T/ro/d.pid: Read-only file system$" \
		"$T/ro/d.pid" "$START" -p "$T/ro/d.pid" "$T/fsleep" 600
	run 3 "read-only: status of its absent pidfile: not running" \
		"$STATUS" -p "$T/ro/d.pid"
	umount "$T/full" "$T/noinode" "$T/ro"
fi

# ------------------------------------------------------------ descriptors
# ulimit -n 5: stdio and two more. A tool either answers right or says
# "Too many open files"; it never calls a running daemon dead. What the
# test runner left open above stdio is closed first, so that the limit
# is what the tool gets.
P=$T/d.pid
cat >"$T/nofile" <<'EOF_NOFILE'
#!/bin/bash
# nofile N COMMAND...: COMMAND with at most N descriptors, 0-2 only open.
exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
ulimit -n "$1" && shift && exec "$@"
EOF_NOFILE
chmod 755 "$T/nofile"
# In a --enable-shared-tools build the tools are libtool's wrapper
# scripts: the shell that runs them would meet these limits, not the tool.
case $(head -c 2 "$START") in
'#!') wrapped=true ;;
*) wrapped=false ;;
esac
if $wrapped; then
	echo "# SKIP descriptor limits: the tools are libtool wrapper scripts here"
else
	fault "daemon-start, ulimit -n 5" 3 \
		"^daemon-start: .*Too many open files$" "$P" \
		"$T/nofile" 5 "$START" -p "$P" "$T/fsleep" 600
	run 0 "a daemon to look at" "$START" -p "$P" "$T/fsleep" 600
	pid=$(cat "$P")
	track "$pid"
	for n in 4 5; do
		run 0 "daemon-status, ulimit -n $n: still running" \
			"$T/nofile" "$n" "$STATUS" -p "$P"
	done
	run 3 "daemon-stop, ulimit -n 4: exit 3" \
		"$T/nofile" 4 "$STOP" -p "$P"
	grep_err "^daemon-stop: $P: cannot stop pid $pid: Too many open files$" \
		"daemon-stop, ulimit -n 4: says why"
	check "daemon-stop, ulimit -n 4: the daemon was left alone" alive "$pid"
	run 0 "daemon-stop, ulimit -n 5: stops it" \
		"$T/nofile" 5 "$STOP" -p "$P"
	check "daemon-stop, ulimit -n 5: nothing left" test ! -e "$P"
	check "daemon-stop, ulimit -n 5: no process left" no_sleeper
fi

# ------------------------------------------------------------ fork refused
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && ! $wrapped; then
	mkdir -m 777 "$T/nobody"
	# A copy that nobody can run wherever the build tree is (root's 0700
	# home, say): the tools are whole binaries here, not wrappers.
	cp "$START" "$T/nobody/daemon-start"
	chmod 755 "$T/nobody/daemon-start"
	# Under ASan, LeakSanitizer's own thread could not start at exit
	# either; the leak check is the one thing turned off here.
	fault "fork refused (ulimit -u 1, as nobody)" 3 \
		"^daemon-start: fork: Resource temporarily unavailable$" \
		"$T/nobody/d.pid" \
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		bash -c 'ulimit -u 1 && exec "$@"' _ \
		env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		"$T/nobody/daemon-start" -p "$T/nobody/d.pid" "$T/fsleep" 600
else
	echo "# SKIP fork refused: needs root, setpriv and the tools themselves (not libtool wrappers)"
fi

# ------------------------------------------------------------ closed stdio
# daemon-start with all three closed: the lock must not land on 0-2 and be
# lost to the daemon's /dev/null.
"$START" -p "$P" "$T/fsleep" 600 <&- >&- 2>&-
rc=$?
check "daemon-start, stdin/stdout/stderr closed: started" test "$rc" = 0
pid=$(cat "$P" 2>/dev/null)
track "$pid"
run 0 "  its daemon is running, lock held" "$STATUS" -v -p "$P"
grep_out "lock held" "  the lock is held"
check "  its stdio is /dev/null, and above it only its lock" test \
	"$(cd "/proc/$pid/fd" && for fd in *; do readlink "$fd"; done | tr '\n' ' ')" = \
	"/dev/null /dev/null /dev/null $P "
"$STATUS" -p "$P" <&- >&- 2>&-
check "daemon-status, all closed: exit 4 (it could not print)" test "$?" = 4
"$STATUS" -p "$P" >&- 2>"$T/err"
check "daemon-status, stdout closed: exit 4" test "$?" = 4
grep_err "^daemon-status: cannot write to standard output: Bad file descriptor$" \
	"daemon-status, stdout closed: says why"
"$STATUS" -q -p "$P" <&- >&- 2>&-
check "daemon-status -q, all closed: exit 0 (nothing to print)" test "$?" = 0
"$STOP" -p "$P" <&- >&- 2>&-
check "daemon-stop, all closed: stopped" test "$?" = 0
check "  nothing left" test ! -e "$P"
check "  no process left" no_sleeper
"$STOP" -p "$P" <&- >&- 2>"$T/err"
check "daemon-stop, stdin/stdout closed, nothing to stop: exit 1" test "$?" = 1
grep_err "not running \(no pidfile\), nothing done$" "  says so on stderr"

# ------------------------------------------------------------ stopped daemon
# SIGSTOPped: TERM waits for a SIGCONT that never comes, KILL does not.
run 0 "a daemon to stop" "$START" -p "$P" "$T/fsleep" 600
pid=$(cat "$P")
track "$pid"
kill -STOP "$pid"
# The stop takes effect once the daemon is scheduled; a TERM that came
# first would end it before any KILL.
check "  it is stopped" wait_for 300 stopped "$pid"
run 0 "SIGSTOPped daemon, TERM/1/KILL/10: stopped by KILL" \
	"$STOP" -v -p "$P" --retry TERM/1/KILL/10
grep_err "sent KILL to $pid" "  KILL was sent"
check "  nothing left" test ! -e "$P"
check "  no process left" no_sleeper

# ------------------------------------------------------------ stop killed
# daemon-stop SIGKILLed while it waits: status still tells the truth, and
# the next stop works.
run 0 "a daemon that ignores TERM" "$START" -p "$P" /bin/bash -c \
	"trap '' TERM; exec \"$T/fsleep\" 600"
pid=$(cat "$P")
track "$pid"
# daemon-start returns once bash runs, not once it has run its trap; an
# ignored TERM stays ignored across the exec, so fsleep running means
# the trap is set.
check "  it ignores TERM (its trap done, fsleep exec'd)" \
	wait_for 300 runs "$pid" "$T/fsleep"
"$STOP" -v -p "$P" --retry TERM/30/KILL/5 >/dev/null 2>"$T/stopper.err" &
stopper=$!
track "$stopper"
wait_for 300 grep -qs "sent TERM to $pid, waiting up to 30 s" "$T/stopper.err"
kill -KILL "$stopper"
wait "$stopper" 2>/dev/null
run 0 "daemon-stop killed mid-schedule: status says running" "$STATUS" -p "$P"
grep_out "^d: running \(pid $pid, " "  naming the daemon"
run 0 "the next stop works" "$STOP" -p "$P" --retry TERM/1/KILL/5
check "  nothing left" test ! -e "$P"
check "  no process left" no_sleeper
done_testing
