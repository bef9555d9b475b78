#!/bin/bash
# Races on one pidfile: 40 concurrent daemon-starts give exactly
# one daemon, one exit 0 and 39 exits 1; then a bounded storm of start,
# stop and status never fails a start nor leaves two daemons.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_pidns "$@"

mkdir -p "$T/bin"
cp /bin/sleep "$T/bin/rsleep"
D="$T/bin/rsleep"
P="$T/r.pid"

# PIDs of live (non-zombie) processes running our copy of sleep.
daemons() {
	local d p
	for d in /proc/[0-9]*; do
		p=${d#/proc/}
		[ "$(readlink "$d/exe" 2>/dev/null)" = "$D" ] || continue
		alive "$p" 2>/dev/null && echo "$p"
	done
}

# --------------------------------------------------------- 40 at once
n=40
for i in $(seq "$n"); do
	(
		"$START" -p "$P" -- "$D" 300 >/dev/null 2>"$T/err.$i"
		echo $? >"$T/rc.$i"
	) &
	starters="${starters:-} $!"
done
# Not a bare wait: that would wait for lib.sh's watchdog too.
wait $starters

zeros=0 ones=0 others=0
for i in $(seq "$n"); do
	case $(cat "$T/rc.$i") in
	0) zeros=$((zeros + 1)) ;;
	1) ones=$((ones + 1)) ;;
	*) others=$((others + 1)); diag "start $i: $(cat "$T/err.$i")" ;;
	esac
done
running=$(daemons)
count=$(echo "$running" | grep -c .)
pid=$(cat "$P" 2>/dev/null)
track $running
check "exactly one start exited 0 (got $zeros)" test "$zeros" = 1
check "the other $((n - 1)) exited 1 (got $ones, $others other)" test "$ones" = $((n - 1))
check "exactly one daemon runs (got $count)" test "$count" = 1
check "the pidfile names it" test "$pid" = "$running"
# A loser names the PID once the winner has written it; one that gave up
# waiting for it (a loaded machine can take longer than the library waits)
# says only that the pidfile is locked, which is true too.
said=0 named=0 wrong=0
for i in $(seq "$n"); do
	[ "$(cat "$T/rc.$i")" = 1 ] || continue
	grep -q "already running" "$T/err.$i" && said=$((said + 1))
	for p in $(sed -n 's/.*already running (pid \([0-9]*\), .*/\1/p' "$T/err.$i"); do
		if [ "$p" = "$pid" ]; then
			named=$((named + 1))
		else
			wrong=$((wrong + 1))
			diag "start $i: $(cat "$T/err.$i")"
		fi
	done
done
check "every loser exited 1 saying already running (got $said)" test "$said" = $((n - 1))
check "every loser that named a PID named the winner's ($wrong others)" test "$wrong" = 0
check "at least one loser named the winner's PID (got $named)" test "$named" -ge 1
kill $running 2>/dev/null
for p in $running; do wait_gone "$p"; done
rm -f "$P"

# ------------------------------------------------- start/stop/status storm
if [ ! -x "$STOP" ] || [ ! -x "$STATUS" ]; then
	ok "# SKIP storm: daemon-stop or daemon-status not built"
	done_testing
fi

secs=${DCTL_STORM_SECONDS:-4}
end=$(( $(date +%s) + secs ))
storm() {
	local kind=$1 i=0 rc
	while [ "$(date +%s)" -lt "$end" ]; do
		i=$((i + 1))
		case $kind in
		start)
			"$START" -o -p "$P" -- "$D" 300 >/dev/null 2>>"$T/storm-start.err"
			rc=$?
			[ "$rc" = 0 ] || echo "start $i exit $rc" >>"$T/storm-fail"
			;;
		stop)
			"$STOP" -o -R 5 -p "$P" >/dev/null 2>>"$T/storm-stop.err"
			;;
		status)
			"$STATUS" -p "$P" >/dev/null 2>&1
			;;
		esac
	done
	echo "$i" >"$T/storm-count.$kind.$BASHPID"
}
: >"$T/storm-fail"
jobs_=""
for kind in start start stop status status; do
	storm "$kind" &
	jobs_="$jobs_ $!"
done

# Watch while they run: never two live daemons at once.
max=0
while [ "$(date +%s)" -lt "$end" ]; do
	c=$(daemons | grep -c .)
	[ "$c" -gt "$max" ] && max=$c
	[ "$c" -gt 1 ] && diag "two daemons: $(daemons | tr '\n' ' ') pidfile: $(cat "$P" 2>&1)"
done
wait $jobs_
starts=$(cat "$T"/storm-count.start.* | awk '{ s += $1 } END { print s }')
diag "storm: $starts starts in ${secs}s"
check "storm: never two daemons at once (max $max)" test "$max" -le 1
check "storm: no start failed" test ! -s "$T/storm-fail"
[ -s "$T/storm-fail" ] && diag "$(head -5 "$T/storm-fail")" && diag "$(tail -5 "$T/storm-start.err")"
running=$(daemons)
count=$(echo "$running" | grep -c .)
check "storm: at most one daemon left (got $count)" test "$count" -le 1
if [ "$count" = 1 ]; then
	check "storm: the pidfile names the one left" test "$(cat "$P" 2>/dev/null)" = "$running"
fi
track $running
kill $running 2>/dev/null

done_testing
