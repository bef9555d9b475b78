#!/bin/bash
# Debian's logrotate in create mode, with no postrotate, forced again and
# again while lines flow into the log keeper: it follows each new file by
# itself, no line is lost or repeated, none goes to a deleted file.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

LK=$DCTL_BUILDDIR/tests/helpers/logkeep-pipe
F=$T/app.log
LOGROTATE=$(command -v logrotate || echo /usr/sbin/logrotate)
if [ ! -x "$LOGROTATE" ]; then
	echo "1..0 # SKIP logrotate is not installed (scripts/install-deps)"
	exit 0
fi

cat >"$T/logrotate.conf" <<EOC
$F {
	create 0640
	rotate 50
	nocompress
	missingok
}
EOC
# logrotate refuses a config that others could write.
chmod 0644 "$T/logrotate.conf"

# Lines, a hundred every 0.05 s, until the rotations are done and at least
# 6000 are out: the program outlasts the rotations however slow the
# machine. Its last line says how many came before it.
"$LK" --file "$F" -- sh -c 'i=0; while [ $i -lt 6000 ] || [ ! -e "$1" ]; do
	i=$((i+1)); echo "line $i"; [ $((i % 100)) = 0 ] && sleep 0.05; done
	echo "end $i"' writer "$T/stop" &
lk=$!
track "$lk"

# The keeper's descriptor for the log, as /proc shows its target.
target() {
	local fd
	for fd in /proc/"$lk"/fd/*; do
		case $(readlink "$fd") in "$F"*) readlink "$fd"; return ;; esac
	done
}

lines_in() { cat "$@" 2>/dev/null | wc -l; }

rotations=0 followed=0
for i in 1 2 3 4 5; do
	sleep 0.4
	if "$LOGROTATE" -f -s "$T/logrotate.state" "$T/logrotate.conf" 2>"$T/lr.err"; then
		rotations=$((rotations + 1))
	else
		diag "logrotate: $(cat "$T/lr.err")"
	fi
	# Once a line has reached the new file, the keeper writes there; a
	# loaded machine gets a generous deadline to show it.
	before=$(lines_in "$F")
	deadline=$((SECONDS + 30))
	while [ "$SECONDS" -lt "$deadline" ]; do
		if [ "$(lines_in "$F")" -gt "$before" ] &&
		   [ "$(target)" = "$F" ]; then
			followed=$((followed + 1))
			break
		fi
		sleep 0.05
	done
done
check "logrotate -f rotated at least 3 times while lines flowed" test "$rotations" -ge 3
check "after each rotation the keeper wrote to the new FILE" test "$followed" = "$rotations"
check "the program outlasted the rotations" alive "$lk"
touch "$T/stop"
wait "$lk"
check "the keeper exited 0 once the program ended" test $? = 0

n=$(ls "$F".* 2>/dev/null | wc -l)
check "one rotated file per rotation" test "$n" = "$rotations"
# shellcheck disable=SC2046
cat $(for i in $(seq "$n" -1 1); do echo "$F.$i"; done) "$F" >"$T/all"
last=$(tail -n 1 "$T/all" | sed -n 's/^end \([0-9][0-9]*\)$/\1/p')
check "the program's last line came, after at least 6000 (${last:-none})" \
	test "${last:-0}" -ge 6000
{ seq -f 'line %.0f' 1 "${last:-0}"; echo "end ${last:-0}"; } >"$T/want"
check "all ${last:-0} lines, each once, in order, across the files" \
	cmp -s "$T/want" "$T/all"
cmp -s "$T/want" "$T/all" || diag "$(diff "$T/want" "$T/all" | head -5)"
check "the file logrotate created keeps its mode" test "$(stat -c %a "$F")" = 640
done_testing
