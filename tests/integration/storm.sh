#!/bin/bash
# A probe is never fooled by a concurrent start or stop: three loops start
# and stop one daemon while two loops ask daemon-status about it. Every
# answer must be the state before or after someone's start or stop
# (running, dead, not running), never "unknown" because of another tool's
# half-done work. Bounded by DCTL_STORM_SECS (default 8 s).
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_pidns "$@"

SECS=${DCTL_STORM_SECS:-8}
F=$T/storm.pid
cp "$(readlink -f /bin/sleep)" "$T/dsleep"
end=$(( $(date +%s) + SECS ))

starter() {
	while [ "$(date +%s)" -lt "$end" ]; do
		"$START" -p "$F" "$T/dsleep" 600 2>>"$T/start.err"
		"$STOP" -p "$F" 2>>"$T/stop.err"
	done
}

# Each prober answers at least once, however late a slow machine lets it
# begin.
prober() {
	local rc
	while :; do
		"$STATUS" -v -p "$F" >"$T/probe.$1" 2>&1
		rc=$?
		echo "$rc" >>"$T/codes.$1"
		[ "$rc" = 4 ] && cat "$T/probe.$1" >>"$T/unknown"
		[ "$(date +%s)" -lt "$end" ] || break
	done
}

pids=""
for i in 1 2 3; do starter & pids="$pids $!"; done
for i in 1 2; do prober "$i" & pids="$pids $!"; done
track $pids
# shellcheck disable=SC2086
wait $pids

total=$(cat "$T"/codes.* | wc -l)
unknown=$(cat "$T"/codes.* | grep -cx 4)
diag "$SECS s: $total status answers, $unknown unknown"
[ -s "$T/unknown" ] && diag "$(sort "$T/unknown" | sed 's/pid [0-9]*/pid N/g; s/process [0-9]*/process N/g' | uniq -c | sort -rn | head -5)"
check "the status loops ran ($total answers)" test "$total" -gt 0
check "no status answer was unknown ($unknown of $total)" test "$unknown" = 0
check "only LSB answers" bash -c '! cat "$@" | grep -qvxE "0|1|3|4"' _ "$T"/codes.*
"$STOP" -p "$F" >/dev/null 2>&1
check "no daemon left" test "$(pgrep -c -x dsleep)" = 0
check "no pidfile left" test ! -e "$F"
done_testing
