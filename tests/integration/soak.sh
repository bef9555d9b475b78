#!/bin/bash
# The soak: DCTL_SOAK_CYCLES (default 10,000) start/stop cycles of one
# daemon with two status loops probing it all along. Every start and stop
# must succeed, no status may ever answer unknown, each daemon inherits
# nothing but stdio and its lock, and at the end no process, pidfile or
# descriptor is left. It takes minutes, so it runs once per test-all: in
# the default build (sources and build in one tree), not in distcheck's,
# nor under ASan or valgrind. DCTL_SOAK=1 forces it, DCTL_SOAK=0 skips it.
# A few minutes: the run's own bound, past lib.sh's default.
export DCTL_TEST_LIMIT=${DCTL_TEST_LIMIT:-600}
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

soak=${DCTL_SOAK:-}
if [ -z "$soak" ]; then
	soak=1
	[ "$(cd "$DCTL_SRCDIR" && pwd -P)" = "$(cd "$DCTL_BUILDDIR" && pwd -P)" ] || soak=0
	[ -n "$WRAP" ] && soak=0
	grep -q -- '-fsanitize' "$DCTL_BUILDDIR/config.log" 2>/dev/null && soak=0
fi
if [ "$soak" != 1 ]; then
	echo "1..0 # SKIP the soak runs in the default build only (DCTL_SOAK=1 forces it)"
	exit 0
fi
need_pidns "$@"

CYCLES=${DCTL_SOAK_CYCLES:-10000}
F=$T/soak.pid
cp "$(readlink -f /bin/sleep)" "$T/ssleep"
fds_before=$(ls /proc/$$/fd | wc -l)

prober() {
	local rc
	while [ ! -e "$T/done" ]; do
		"$STATUS" -p "$F" >"$T/probe.$1" 2>&1
		rc=$?
		echo "$rc" >>"$T/codes.$1"
		[ "$rc" = 4 ] && cat "$T/probe.$1" >>"$T/unknown"
	done
}
prober 1 &
p1=$!
prober 2 &
p2=$!
track "$p1" "$p2"

bad_start=0 bad_stop=0 bad_fds=0
for i in $(seq "$CYCLES"); do
	if ! "$START" -p "$F" "$T/ssleep" 600 2>>"$T/start.err"; then
		bad_start=$((bad_start + 1))
		continue
	fi
	# Now and then: the daemon holds stdio and its lock, nothing more.
	if [ $((i % 500)) = 1 ]; then
		pid=$(cat "$F")
		fds=$(cd "/proc/$pid/fd" && for fd in *; do readlink "$fd"; done | tr '\n' ' ')
		[ "$fds" = "/dev/null /dev/null /dev/null $F " ] ||
			{ bad_fds=$((bad_fds + 1)); diag "cycle $i: daemon fds: $fds"; }
	fi
	"$STOP" -p "$F" 2>>"$T/stop.err" || bad_stop=$((bad_stop + 1))
done
touch "$T/done"
wait "$p1" "$p2"

probes=$(cat "$T"/codes.* | wc -l)
unknown=$(cat "$T"/codes.* | grep -cx 4)
diag "$CYCLES cycles in $SECONDS s, $probes status answers beside them, $unknown unknown"
[ -s "$T/unknown" ] && diag "$(sort "$T/unknown" | uniq -c | sort -rn | head -5)"
[ -s "$T/start.err" ] && diag "start: $(sort "$T/start.err" | uniq -c | sort -rn | head -3)"
[ -s "$T/stop.err" ] && diag "stop: $(sort "$T/stop.err" | uniq -c | sort -rn | head -3)"
check "every start succeeded ($bad_start failed)" test "$bad_start" = 0
check "every stop succeeded ($bad_stop failed)" test "$bad_stop" = 0
check "each daemon sampled held only stdio and its lock" test "$bad_fds" = 0
check "the status loops ran ($probes answers)" test "$probes" -gt 0
check "no status answer was unknown" test "$unknown" = 0
check "no pidfile left" test ! -e "$F"
check "nothing left in the run directory" \
	test -z "$(ls -A "$DAEMONCTL_RUNDIR")"
check "no daemon left" test "$(pgrep -c -x ssleep)" = 0
# Only this shell (PID 1 here), its watchdog and this pipeline are left.
left=$(ps -eo pid=,comm= | grep -vE '^ *[0-9]+ (bash|ps|grep)$')
check "no other process left" test -z "$left"
[ -n "$left" ] && diag "left: $left"
check "no descriptor left open in the test" \
	test "$(ls /proc/$$/fd | wc -l)" -le "$fds_before"
done_testing
