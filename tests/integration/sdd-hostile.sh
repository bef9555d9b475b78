#!/bin/bash
# Hostile pidfiles given to the start-stop-daemon front end, inside a
# private PID namespace (and one nested in it), with a bystander that must
# survive every one: -1 (dpkg's kill(-1, SIG) would end every process),
# 0, 1, a number beyond any PID, text, a PID reused by another process, a
# symlink, a FIFO, a directory. A stop refuses loudly (exit 3, naming the
# file) and signals nothing; a stale one is "nothing done".
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_pidns

SSD=${DCTL_SSD:-$DCTL_BUILDDIR/src/start-stop-daemon}
F=$T/hostile.pid
bystander
b=$bystander_pid

stop_refused() {	# CONTENT DESC
	printf '%s' "$1" >"$F"
	run 3 "--stop, pidfile '$2': refused (3)" \
		"$SSD" --stop --quiet --oknodo --retry=TERM/30/KILL/5 --pidfile "$F"
	grep_err "$F" "the message names the file ('$2')"
	check "bystander alive after '$2'" alive "$b"
	run 4 "--status, pidfile '$2': unknown (4)" "$SSD" --status --pidfile "$F"
	run 3 "--stop --name sleep, pidfile '$2': still refused, no scan" \
		"$SSD" --stop --quiet --name sleep --pidfile "$F"
	check "bystander alive" alive "$b"
}

stop_refused "-1" "-1"
stop_refused "-1
" "-1 and newline"
stop_refused "0" "0"
stop_refused "1" "1"
stop_refused "99999999999999999999" "overflow"
stop_refused "4194305" "above pid_max"
stop_refused "$b junk" "PID and junk"
stop_refused "" "empty"

# A PID reused: the file was written before the process now holding that
# PID started, so it is stale and its PID is never signalled.
echo "$b" >"$F"
touch -d '1 hour ago' "$F"
run 1 "--stop, reused PID: nothing done (1)" \
	"$SSD" --stop --quiet --retry=TERM/30/KILL/5 --pidfile "$F"
check "bystander (holder of the reused PID) alive" alive "$b"
run 0 "--stop --oknodo, reused PID: 0" \
	"$SSD" --stop --quiet --oknodo --pidfile "$F" --signal KILL
check "bystander alive" alive "$b"
run 1 "--status, reused PID: dead, pidfile exists (1)" \
	"$SSD" --status --pidfile "$F"
run 0 "--start with a reused-PID pidfile: not running, so it starts" \
	"$SSD" --start --quiet --test --pidfile "$F" --exec /bin/sleep

# A symlink to a file that names the bystander.
echo "$b" >"$T/target"
rm -f "$F"; ln -s "$T/target" "$F"
run 3 "--stop, symlink: refused (3)" \
	"$SSD" --stop --quiet --retry 5 --pidfile "$F"
grep_err "$F.*(symlink|symbolic link)" "the message says symlink"
check "bystander alive after symlink" alive "$b"
run 3 "--start --background --make-pidfile over a symlink: refused" \
	"$SSD" --start --quiet --background --make-pidfile --pidfile "$F" \
	--exec /bin/sleep -- 100
check "the symlink's target is untouched" test "$(cat "$T/target")" = "$b"

# A FIFO: nothing opens it for reading in a way that would block.
rm -f "$F"; mkfifo "$F"
run 3 "--stop, FIFO: refused (3), no hang" \
	"$SSD" --stop --quiet --retry 5 --pidfile "$F"
check "bystander alive after FIFO" alive "$b"
run 4 "--status, FIFO: unknown (4), no hang" "$SSD" --status --pidfile "$F"
rm -f "$F"; mkdir "$F"
run 3 "--stop, directory: refused (3)" "$SSD" --stop --quiet --pidfile "$F"
rmdir "$F"

# --pid with hostile values never gets as far as a signal.
run 3 "--stop --pid 0: bad usage" "$SSD" --stop --pid 0
run 3 "--stop --pid -1: bad usage" "$SSD" --stop --pid -1
run 3 "--stop --pid 1: refused" "$SSD" --stop --pid 1
check "bystander alive" alive "$b"

# One more namespace down: there PID 1 is the shell that runs us.
out=$(unshare --pid --fork --mount-proc bash -c '
	sleep 600 & inner=$!
	echo 1 >"$2"
	"$1" --stop --quiet --retry 5 --pidfile "$2"; echo "rc=$?"
	"$1" --stop --quiet --pid 1; echo "rc=$?"
	[ -d "/proc/$inner" ] && echo inner-alive
	kill "$inner"' sh "$SSD" "$T/inner.pid" 2>/dev/null)
check "nested namespace, pidfile '1': refused (3)" grep -qx rc=3 <<<"$(echo "$out" | sed -n 1p)"
check "nested namespace, --pid 1: refused (3)" grep -qx rc=3 <<<"$(echo "$out" | sed -n 2p)"
check "nested namespace: its bystander alive" grep -qx inner-alive <<<"$out"
check "outer bystander alive at the end" alive "$b"

done_testing
