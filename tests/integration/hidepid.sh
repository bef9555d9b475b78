#!/bin/bash
# /proc mounted with hidepid=2, seen by an unprivileged user: a daemon of
# another user that /proc hides is never called dead or not running.
# daemon-status says running with the details unknown where the lock is
# in sight, else "permission denied" (unknown); daemon-stop exits 3,
# "permission denied", and sends nothing. The hiding /proc is mounted in
# this test's own PID and mount namespaces only.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	echo "1..0 # SKIP needs root and setpriv (util-linux)"
	exit 0
fi
need_pidns "$@"
if ! mount -t proc -o hidepid=2 proc /proc 2>/dev/null; then
	echo "1..0 # SKIP this kernel refuses hidepid=2"
	exit 0
fi

chmod 755 "$T"
cp "$(readlink -f /bin/sleep)" "$T/hsleep"
# Run a tool as nobody, with no group of root's; a build under a directory
# nobody may not enter (root's 0700 home) leaves nothing to run.
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
if ! "${nobody[@]}" "$STATUS" --version >/dev/null 2>&1; then
	echo "1..0 # SKIP nobody cannot run $STATUS"
	exit 0
fi
run 0 "nobody cannot see root's processes here" \
	"${nobody[@]}" test ! -e /proc/1/stat

# A daemon started by daemon-start: the process that took the lock has
# exited, and this PID namespace's /proc/locks leaves such a lock out, so
# nobody sees neither the process nor the lock.
run 0 "root starts a daemon" "$START" -p "$T/d.pid" "$T/hsleep" 600
pid=$(cat "$T/d.pid")
track "$pid"
run 4 "status as nobody: unknown, not dead" \
	"${nobody[@]}" "$STATUS" -p "$T/d.pid"
grep_out "^d: unknown \(permission denied: /proc hides process $pid and shows no lock on the pidfile\)$" \
	"status says permission denied, naming the process"
run 4 "status --json as nobody" "${nobody[@]}" "$STATUS" --json -p "$T/d.pid"
grep_out '"state":"unknown"' "JSON state unknown"
grep_out '"reason":"permission denied: ' "JSON reason permission denied"
run 3 "stop as nobody: exit 3, not 1" "${nobody[@]}" "$STOP" -p "$T/d.pid"
grep_err "^daemon-stop: $T/d.pid: permission denied: /proc hides process $pid" \
	"stop says permission denied"
check "the daemon still runs" alive "$pid"
check "its pidfile is still there" test -s "$T/d.pid"
run 0 "root still sees it running" "$STATUS" -p "$T/d.pid"

# A daemon that took its lock itself and still holds it: the lock is in
# sight, so it is running, with the details unknown.
perl -MFcntl=:flock -MIO::Handle -e '
	open(my $f, ">", $ARGV[0]) or die "open: $!";
	flock($f, LOCK_EX | LOCK_NB) or die "flock: $!";
	$f->autoflush(1);
	print $f "$$\n";
	sleep 600;' "$T/self.pid" &
self=$!
track "$self"
wait_for 100 test -s "$T/self.pid"
run 0 "status as nobody, lock in sight: running" \
	"${nobody[@]}" "$STATUS" -p "$T/self.pid"
grep_out "^self: running \(pid $self, details unknown: permission denied\)$" \
	"status says running, details unknown"
run 0 "status --json: running and locked" \
	"${nobody[@]}" "$STATUS" --json -p "$T/self.pid"
grep_out '"state":"running","locked":true' "JSON running, locked"
run 3 "stop as nobody: exit 3" "${nobody[@]}" "$STOP" -p "$T/self.pid"
grep_err "^daemon-stop: $T/self.pid: cannot stop pid $self: permission denied" \
	"stop says permission denied"
check "that daemon still runs" alive "$self"
run 0 "root stops it" "$STOP" -p "$T/self.pid"
run 0 "root stops the first one" "$STOP" -p "$T/d.pid"
check "nothing left" test "$(pgrep -c -x hsleep)" = 0
done_testing
