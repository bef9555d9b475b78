# shellcheck shell=bash
# Sourced by every integration test: TAP output, a time bound, the tools'
# paths, and cleanup of every process a test started, by PID.
#
#   . "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
#   need_pidns            # re-run this script in a private PID namespace
#   run 0 "start works" "$START" -p "$T/a.pid" sleep 100
#   ...
#   done_testing

set -u

: "${DCTL_BUILDDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${DCTL_SRCDIR:=$DCTL_BUILDDIR}"
START=${DCTL_START:-$DCTL_BUILDDIR/src/daemon-start}
STOP=${DCTL_STOP:-$DCTL_BUILDDIR/src/daemon-stop}
STATUS=${DCTL_STATUS:-$DCTL_BUILDDIR/src/daemon-status}
# Tests that want valgrind set DCTL_WRAP="valgrind --error-exitcode=99 ..."
WRAP=${DCTL_WRAP:-}

tap_n=0
tap_failed=0
tracked=""

# Re-execute the calling script inside a private PID and mount namespace,
# so that a signal sent to a hostile PID can only reach this test's own
# processes. Skips the whole test (exit 77) where namespaces are refused.
need_pidns() {
	if [ "${DCTL_IN_PIDNS:-}" = 1 ]; then
		return 0
	fi
	if ! unshare --pid --fork --mount-proc true 2>/dev/null; then
		echo "1..0 # SKIP no private PID namespace (needs root or user namespaces)"
		exit 0
	fi
	# exec skips the EXIT trap: end this copy's watchdog (it would
	# signal our PID, soon unshare's) and its directory first.
	kill "$watchdog" 2>/dev/null
	rm -rf "$T"
	DCTL_IN_PIDNS=1 exec unshare --pid --fork --mount-proc \
		"${BASH:-bash}" "$0" "$@"
}

T=$(mktemp -d "${TMPDIR:-/tmp}/dctl-test.XXXXXX")
export DAEMONCTL_RUNDIR="$T/run"
mkdir -p "$DAEMONCTL_RUNDIR"

# Remember a PID to kill at exit.
track() {
	tracked="$tracked $*"
}

cleanup() {
	local p
	for p in $tracked; do
		case $p in ''|*[!0-9]*) continue ;; esac
		[ "$p" -gt 1 ] && kill -KILL "$p" 2>/dev/null
	done
	# Every daemon whose pidfile the test left in $T (only our own files,
	# only well-formed PIDs above 1).
	for f in "$T"/*.pid "$T"/run/*.pid; do
		[ -f "$f" ] || continue
		p=$(head -c 16 "$f" 2>/dev/null | tr -dc 0-9)
		case $p in ''|0|1) continue ;; esac
		[ "${#p}" -le 7 ] && kill -KILL "$p" 2>/dev/null
	done
	[ -n "${watchdog:-}" ] && kill "$watchdog" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# Bound the whole test's time: past it, the test is killed and fails.
# The watchdog is a child of the test: wait for explicit PIDs, never a bare
# `wait`, which would also wait for the watchdog.
limit=${DCTL_TEST_LIMIT:-600}
# It waits with bash's own read -t rather than a sleep process, so that
# killing it at the end leaves no orphan behind (a sleep outlived every
# test by its whole limit). Its output goes nowhere, so that it never holds
# the TAP pipe open for the test driver.
( read -rt "$limit" <> <(:); kill -TERM $$ ) >/dev/null 2>&1 &
watchdog=$!
trap 'echo "not ok - timed out after ${limit}s"; exit 1' TERM

ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $*"
}

not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $*"
}

diag() {
	# shellcheck disable=SC2001
	echo "$*" | sed 's/^/# /'
}

# check DESC COMMAND...: ok if COMMAND succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# run CODE DESC COMMAND...: run with a time bound, stdout in $T/out,
# stderr in $T/err, ok if the exit status is CODE.
run() {
	local want=$1 desc=$2 rc
	shift 2
	timeout -k 2 "${DCTL_RUN_LIMIT:-120}" $WRAP "$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	if [ "$rc" = "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc (exit $rc, wanted $want)"
		diag "command: $*"
		diag "stdout: $(cat "$T/out")"
		diag "stderr: $(cat "$T/err")"
	fi
	return 0
}

# grep_err PATTERN DESC: the last run's stderr matches the ERE.
grep_err() {
	if grep -Eq -- "$1" "$T/err"; then ok "$2"; else
		not_ok "$2"; diag "stderr: $(cat "$T/err")"; fi
}

grep_out() {
	if grep -Eq -- "$1" "$T/out"; then ok "$2"; else
		not_ok "$2"; diag "stdout: $(cat "$T/out")"; fi
}

# alive PID: the process exists and is not a zombie.
alive() {
	local st
	case ${1:-} in ''|*[!0-9]*) return 1 ;; esac
	[ -r "/proc/$1/stat" ] || return 1
	st=$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)
	[ "$st" != Z ] && [ "$st" != X ]
}

# wait_gone PID [TENTHS]: wait until PID is gone or a zombie.
wait_gone() {
	local i=0
	while alive "$1"; do
		i=$((i + 1))
		[ "$i" -gt "${2:-300}" ] && return 1
		sleep 0.1
	done
}

# wait_for TENTHS COMMAND...: wait until COMMAND succeeds, polling every
# tenth of a second, at most TENTHS tenths. The deadline is only there to
# end a hang: make it generous (seconds), never a claim about speed.
wait_for() {
	local i=0 n=$1
	shift
	until "$@"; do
		i=$((i + 1))
		[ "$i" -gt "$n" ] && return 1
		sleep 0.1
	done
}

# A bystander process that must survive hostile input.
bystander() {
	sleep 600 &
	bystander_pid=$!
	track "$bystander_pid"
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" = 0 ]
	exit $?
}
