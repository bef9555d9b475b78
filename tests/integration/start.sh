#!/bin/bash
# daemon-start: the daemon it leaves behind, checked from /proc, even when
# the caller is hostile (umask 077, HUP/INT ignored, a signal blocked, an
# extra descriptor open, an odd cwd).
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

uuid_re='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'

# A copy of sleep whose path names this test, so its processes are ours.
mkdir -p "$T/bin" "$T/odd dir"
cp /bin/sleep "$T/bin/dsleep"
D="$T/bin/dsleep"

# stat_field PID N: field N of /proc/PID/stat (1-based, comm skipped right).
stat_field() {
	local rest
	rest=$(sed 's/.*) //' "/proc/$1/stat")
	# rest starts at field 3
	echo "$rest" | cut -d' ' -f$(($2 - 2))
}

status_field() {
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"
}

fds_of() {
	ls "/proc/$1/fd" | sort -n | tr '\n' ' '
}

env_of() {
	tr '\0' '\n' <"/proc/$1/environ" | sed -n "s/^$2=//p"
}

locked_by_flock() {
	local ino
	ino=$(stat -c %i "$1")
	grep -Eq "FLOCK +ADVISORY +WRITE +[0-9]+ +[0-9a-f]+:[0-9a-f]+:$ino " /proc/locks
}

pidfile_exact() {
	[ "$(od -An -c "$1" | tr -d ' ')" = "$(printf '%s\\n' "$2")" ]
}

# lib.sh's alive "" would look at /proc/stat: insist on a PID.
live() {
	case $1 in ''|*[!0-9]*) return 1 ;; esac
	alive "$1"
}

# Run the tool from a hostile shell: it inherits all of this. A script, so
# that run's timeout can start it.
cat >"$T/hostile" <<'EOF_HOSTILE'
#!/bin/bash
echo $$ >"$HOSTILE_DIR/caller"	# daemon-start runs as this PID (exec)
umask 077
trap '' HUP INT
exec 7</dev/null 8>"$HOSTILE_DIR/extra"
cd "$HOSTILE_DIR/odd dir" || exit 99
if command -v python3 >/dev/null 2>&1; then
	# Block USR1 and TERM across exec: the daemon must not inherit the mask.
	exec python3 -c 'import os, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGTERM})
os.execv(sys.argv[1], sys.argv[1:])' "$@"
fi
exec "$@"
EOF_HOSTILE
chmod +x "$T/hostile"
export HOSTILE_DIR="$T"

# ---------------------------------------------------------------- basics
P="$T/a.pid"
run 0 "starts from a hostile caller" "$T/hostile" "$START" -p "$P" -O "$T/out.log" -- "$D" 300
pid=$(cat "$P" 2>/dev/null)
track "$pid"
check "pidfile names a live process" live "$pid"
check "the process is the program" test "$(readlink "/proc/$pid/exe")" = "$D"
check "pidfile bytes are exactly PID and a newline" pidfile_exact "$P" "$pid"
check "pidfile is flock-ed" locked_by_flock "$P"
check "not a session leader" test "$(stat_field "$pid" 6)" != "$pid"
check "in a session of its own (not the caller's)" \
	test "$(stat_field "$pid" 6)" != "$(stat_field $$ 6)"
check "no controlling terminal" test "$(stat_field "$pid" 7)" = 0
check "reparented away from the caller (and from daemon-start)" \
	test "$(stat_field "$pid" 4)" != "$(cat "$T/caller")" -a \
	"$(stat_field "$pid" 4)" != $$
check "cwd is /" test "$(readlink "/proc/$pid/cwd")" = /
check "umask 0022" test "$(status_field "$pid" Umask)" = 0022
sigign=$(status_field "$pid" SigIgn)
check "no signal ignored (SigIgn $sigign)" test "$sigign" = 0000000000000000
check "empty signal mask" test "$(status_field "$pid" SigBlk)" = 0000000000000000
fds=$(fds_of "$pid")
lockfd=${fds#0 1 2 }
lockfd=${lockfd% }
check "descriptors 0 1 2 and one more only (got: $fds)" \
	eval '[[ $fds =~ ^"0 1 2 "[0-9]+" "$ ]]'
check "the one more is the pidfile (the lock)" \
	test "$(readlink "/proc/$pid/fd/$lockfd")" = "$P"
check "it is not the caller's extra descriptor 8" test "$(readlink "/proc/$pid/fd/8")" != "$T/extra"
check "stdin is /dev/null" test "$(readlink "/proc/$pid/fd/0")" = /dev/null
check "stdout is the --output file" test "$(readlink "/proc/$pid/fd/1")" = "$T/out.log"
check "stderr is the --output file" test "$(readlink "/proc/$pid/fd/2")" = "$T/out.log"
check "output file created 0640" test "$(stat -c %a "$T/out.log")" = 640
inst=$(env_of "$pid" DAEMON_INSTANCE_ID)
check "DAEMON_INSTANCE_ID is a UUID" eval '[[ $inst =~ $uuid_re ]]'

run 1 "a second start on the same pidfile exits 1" "$START" -p "$P" -- "$D" 300
grep_err "^daemon-start: already running \(pid $pid, $P\)$" "the message names the running PID"
run 0 "--oknodo exits 0 when running" "$START" -o -p "$P" -- "$D" 300
check "the first daemon still holds the pidfile" pidfile_exact "$P" "$pid"

# A second instance gets a fresh instance id.
P2="$T/b.pid"
run 0 "start-stop-daemon form: --exec PATH -b -m -- ARGS" \
	"$START" -b -m -p "$P2" --exec "$D" -- 301
pid2=$(cat "$P2" 2>/dev/null)
track "$pid2"
check "arguments after -- reach the program" \
	test "$(tr '\0' ' ' <"/proc/$pid2/cmdline")" = "$D 301 "
check "each start has its own instance id" \
	test "$(env_of "$pid2" DAEMON_INSTANCE_ID)" != "$inst"
check "stdout defaults to /dev/null" test "$(readlink "/proc/$pid2/fd/1")" = /dev/null
kill "$pid" "$pid2"
wait_gone "$pid"
wait_gone "$pid2"

# ------------------------------------------------------- the options
P="$T/c.pid"
mkdir -p "$T/work"
run 0 "--chdir --umask --nicelevel --env --stdout --stderr" \
	"$START" -p "$P" -d "$T/work" -k 027 -N 5 -e FOO=old -e FOO=bar -e 'EMPTY=' \
	--stdout "$T/o.log" --stderr "$T/e.log" -- \
	/bin/sh -c "echo to-out; echo to-err >&2; exec $D 302"
pid=$(cat "$P" 2>/dev/null)
track "$pid"
# The daemon writes both lines after its exec: wait for them.
wait_for 300 grep -qx to-out "$T/o.log"
wait_for 300 grep -qx to-err "$T/e.log"
check "cwd is --chdir" test "$(readlink "/proc/$pid/cwd")" = "$T/work"
check "umask is --umask" test "$(status_field "$pid" Umask)" = 0027
check "niceness raised by 5" test "$(stat_field "$pid" 19)" = $(( $(stat_field $$ 19) + 5 ))
check "--env FOO=bar set, the last -e FOO winning, once" \
	test "$(env_of "$pid" FOO)" = bar
check "--env EMPTY= set, empty" grep -qx 'EMPTY=' <(tr '\0' '\n' <"/proc/$pid/environ")
check "stdout file got stdout" grep -qx to-out "$T/o.log"
check "stderr file got stderr" grep -qx to-err "$T/e.log"
check "stdout not in stderr file" test "$(grep -c to-out "$T/e.log")" = 0
kill "$pid"
wait_gone "$pid"

# --name: the pidfile in the run directory.
run 0 "--name puts the pidfile in RUNDIR" "$START" -n web -- "$D" 303
pid=$(cat "$DAEMONCTL_RUNDIR/web.pid" 2>/dev/null)
track "$pid"
check "RUNDIR/web.pid names the daemon" live "$pid"
kill "$pid"
wait_gone "$pid"

# Output appends, never truncates.
echo before >"$T/app.log"
run 0 "output file opened for append" "$START" -p "$T/d.pid" -O "$T/app.log" -- \
	/bin/sh -c 'echo after'
wait_for 300 grep -qx after "$T/app.log"
check "earlier content kept" test "$(head -n1 "$T/app.log")" = before
check "new content appended" grep -qx after "$T/app.log"

# --chuid: root only; a log the user cannot write is opened before the drop.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	mkdir -m 0700 "$T/rootonly"
	P="$T/e.pid"
	chmod 0755 "$T" "$T/bin"
	run 0 "--chuid nobody" "$START" -p "$P" -c nobody -O "$T/rootonly/log" -- "$D" 304
	pid=$(cat "$P" 2>/dev/null)
	track "$pid"
	check "runs as nobody" test "$(status_field "$pid" Uid)" = "$(id -u nobody)"
	check "with nobody's group" test "$(status_field "$pid" Gid)" = "$(id -g nobody)"
	check "HOME/USER/LOGNAME of nobody" test \
		"$(env_of "$pid" USER):$(env_of "$pid" LOGNAME):$(env_of "$pid" HOME)" = \
		"nobody:nobody:$(getent passwd nobody | cut -d: -f6)"
	check "log in a root-only directory opened before the drop" \
		test "$(readlink "/proc/$pid/fd/1")" = "$T/rootonly/log"
	check "supplementary groups are nobody's, not root's" test \
		"$(sed -n 's/^Groups:\s*//p' "/proc/$pid/status" | tr -s ' \t' '\n\n' | sed '/^$/d' | sort -n | tr '\n' ' ')" = \
		"$(id -G nobody | tr ' ' '\n' | sort -n | tr '\n' ' ')"
	kill "$pid"
	wait_gone "$pid"

	# --chroot with a tree holding sleep and its libraries.
	R="$T/root"
	mkdir -p "$R/bin" "$R/dev" "$R/tmp"
	cp "$D" "$R/bin/sleep"
	for lib in $(ldd "$D" | grep -o '/[^ ]*'); do
		mkdir -p "$R$(dirname "$lib")"
		cp "$lib" "$R$lib"
	done
	run 0 "--chroot" "$START" -p "$T/f.pid" -r "$R" -d /tmp -- /bin/sleep 305
	pid=$(cat "$T/f.pid" 2>/dev/null)
	track "$pid"
	check "root is the chroot" test "$(readlink "/proc/$pid/root")" = "$R"
	check "cwd is --chdir inside it" test "$(readlink "/proc/$pid/cwd")" = "$R/tmp"
	kill "$pid"
	wait_gone "$pid"
else
	ok "# SKIP --chuid/--chroot need root"
fi

# ---------------------------------------------------------- test mode
run 0 "--test starts nothing" "$START" -t -p "$T/g.pid" -- "$D" 306
grep_out "would start" "--test says what it would do"
check "--test leaves no pidfile" test ! -e "$T/g.pid"
check "--test leaves no process" test -z "$(pgrep -f "$D 306")"

done_testing
