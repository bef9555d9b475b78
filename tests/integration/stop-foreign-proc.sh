#!/bin/bash
# A PID namespace whose /proc is still its parent's (unshare --pid without
# a new /proc): every PID read there names some other process than the one
# the same number reaches by a signal. A stale pidfile whose PID /proc shows
# as an old, live process must then not get its PID signalled: the stop is
# refused (exit 3) and the process holding that PID here lives on.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_pidns

SSD=${DCTL_SSD:-$DCTL_BUILDDIR/src/start-stop-daemon}
P=$T/stale.pid

# The middle namespace has its own /proc; the inner one sees that /proc.
# In each, the first process forked gets PID 2: the middle's old sleep is
# what /proc calls 2, the inner bystander is what kill(2) reaches. The
# pidfile names the bystander but was last written (its time set back)
# between the two starts, more than the probe's one-second slack before
# the bystander's: stale, whatever /proc says.
# LeakSanitizer (in a sanitizer build) reads /proc/self/task at exit,
# which such a /proc does not have for us: it would fail every run.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
out=$(unshare --pid --fork --mount-proc bash -c '
	sleep 600 & old=$!
	t0=$(date +%s)
	echo "old=$old"
	until [ "$(date +%s)" -ge $((t0 + 3)) ]; do sleep 0.2; done
	exec unshare --pid --fork bash -c "
		sleep 600 & b=\$!
		echo \$b >\"\$3\"
		touch -d @\$(( $t0 + 1 )) \"\$3\"
		echo \"bystander=\$b\"
		\"\$1\" --retry 1 -p \"\$3\" 2>\"\$3.err1\"; echo \"stop=\$?\"
		kill -0 \$b 2>/dev/null && echo alive-after-stop
		\"\$2\" --stop --quiet --retry 1 --pidfile \"\$3\" 2>\"\$3.err2\"
		echo \"ssd=\$?\"
		kill -0 \$b 2>/dev/null && echo alive-after-ssd
		\"\$2\" --stop --quiet --retry 1 --exec /bin/sleep 2>\"\$3.err3\"
		echo \"scan=\$?\"
		kill -0 \$b 2>/dev/null && echo alive-after-scan
		kill \$b" sh "$1" "$2" "$3"' sh "$STOP" "$SSD" "$P" 2>"$T/ns-err")

diag "$out"
check "setup: the inner bystander has the PID /proc gives an old process" \
	grep -qx bystander=2 <<<"$out"
check "setup: that old process is the middle namespace's sleep" \
	grep -qx old=2 <<<"$out"
check "daemon-stop: refused (3)" grep -qx stop=3 <<<"$out"
check "daemon-stop: says /proc is another namespace's" \
	grep -q "namespace" "$P.err1"
check "daemon-stop: the bystander holding the stale PID is alive" \
	grep -qx alive-after-stop <<<"$out"
check "start-stop-daemon --stop --pidfile: refused (3)" grep -qx ssd=3 <<<"$out"
check "start-stop-daemon --stop --pidfile: bystander alive" \
	grep -qx alive-after-ssd <<<"$out"
check "start-stop-daemon --stop --exec (a scan of that /proc): refused (3)" \
	grep -qx scan=3 <<<"$out"
check "start-stop-daemon --stop --exec: bystander alive" \
	grep -qx alive-after-scan <<<"$out"
for f in "$P.err1" "$P.err2" "$P.err3"; do
	[ -s "$f" ] && diag "$(basename "$f"): $(cat "$f")"
done

done_testing
