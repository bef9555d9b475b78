#!/bin/bash
# daemon-stop fed hostile pidfiles, inside a private PID namespace: a
# bystander process must survive every one of them, nothing may hang, and
# each gets exit 3 (malformed, unsafe) or 1 (stale) with one line naming
# the file.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_pidns "$@"

bystander
P=$T/h.pid

# The stops' schedule waits 120 s after its signal; a stop refused before
# any signal returns well within half of that. Each run's limit is above
# that bound (never less than the caller's), so that a stop that waited
# shows in the time as well as in the exit status.
lim=${DCTL_RUN_LIMIT:-120}
[ "$lim" -ge 90 ] || lim=90

# hostile DESC CODE: run daemon-stop on $P (the file already made), bounded
# in time, and check that the bystander and we ourselves are untouched.
hostile() {
	local desc=$1 want=$2 t0 ms n
	t0=$(date +%s%N)
	DCTL_RUN_LIMIT=$lim run "$want" "$desc: exit $want" \
		"$STOP" --retry TERM/120 -p "$P"
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	# Refused before any signal: not after the 120 s of the schedule.
	check "$desc: returns without waiting out a schedule ($ms ms)" test "$ms" -lt 60000
	n=$(wc -l <"$T/err")
	if [ "$n" = 1 ] && grep -q "^daemon-stop: $P: " "$T/err"; then
		ok "$desc: one line naming the file"
	else
		not_ok "$desc: one line naming the file"
		diag "stderr: $(cat "$T/err")"
	fi
	check "$desc: bystander alive" alive "$bystander_pid"
	rm -rf "$P"
}

content() {
	printf '%b' "$1" >"$P"
}

for c in '-1' '-1\n' '0' '0\n' '1' '1\n' '4294967296' '4294967296\n' \
	 '99999999999999999999999999' '1 ' ' 2' '2 \n' '+2' 'abc' '12abc' \
	 '' '\n' '2\n\n' '2\0' '0x2' "$bystander_pid "; do
	content "$c"
	hostile "content '$c'" 3
done

printf '%0100d\n' 7 >"$P"
hostile "a 101-byte pidfile" 3
content "$(( $(cat /proc/sys/kernel/pid_max) + 1 ))\n"
hostile "a PID above pid_max" 3

# The bystander's PID in a file written before it started: stale (its
# PID was reused), so it must not be signalled.
echo "$bystander_pid" >"$P"
touch -d '1 hour ago' "$P"
hostile "bystander's PID, written before it started" 1
grep_err "started after the pidfile was written" "stale by time: says why"

# Not regular files: refused without blocking (a FIFO must not hang).
echo "$bystander_pid" >"$T/target"
ln -s "$T/target" "$P"
hostile "symlink to a pidfile naming a live process" 3
grep_err "symlink|symbolic link" "symlink: says so"
mkfifo "$P"
hostile "FIFO" 3
mkdir "$P"
hostile "directory" 3
mknod "$P" c 1 3 2>/dev/null && hostile "character device" 3
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
	"$P" 2>/dev/null && hostile "socket" 3

# As root: a pidfile in a directory anyone can write is not trusted.
if [ "$(id -u)" = 0 ]; then
	mkdir -m 0777 "$T/open"
	P=$T/open/d.pid
	echo "$bystander_pid" >"$P"
	run 3 "root, untrusted pidfile: exit 3" "$STOP" -p "$P"
	grep_err "^daemon-stop: $P: not trusted.*--exec or --user" \
		"untrusted: says so and how to confirm"
	check "untrusted: bystander alive" alive "$bystander_pid"
	run 1 "untrusted, --user that does not match: exit 1" "$STOP" -p "$P" \
		--user 4242
	check "untrusted, mismatch: bystander alive" alive "$bystander_pid"
	run 0 "untrusted, --exec that matches: exit 0" "$STOP" -p "$P" \
		--exec "$(readlink "/proc/$bystander_pid/exe")"
	check "untrusted, confirmed: stopped" wait_gone "$bystander_pid" 20
fi

done_testing
