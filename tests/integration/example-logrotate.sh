#!/bin/bash
# examples/logrotate/daemonctl-web with Debian's logrotate: the snippet's
# path rewritten into this test's directory, a state file of its own,
# rotation forced (-f), against the log keeper of
# `daemon-start --output FILE --output-max-size 1M` and a program that
# writes numbered lines without pause. No postrotate: the keeper must
# notice the rename by itself. Checks that no line is lost or doubled
# across the rotated files, that the keeper writes to the new file and no
# longer to the renamed one, and what the snippet asks for (create mode,
# delaycompress, then compress).
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

command -v logrotate >/dev/null || skip_all "logrotate not installed (apt-get install logrotate)"
"$START" --help 2>&1 | grep -q -- '--output-max-size' ||
	skip_all "daemon-start has no --output-max-size yet"
# A build that parses the option but runs no log keeper refuses it.
"$START" -t -p "$T/probe.pid" --output "$T/probe.log" --output-max-size 1M \
	-- /bin/true 2>&1 | grep -q 'need the log keeper' &&
	skip_all "this daemon-start runs no log keeper"
need_pidns "$@"

SNIPPET=$DCTL_SRCDIR/examples/logrotate/daemonctl-web
LOG=$T/log/web.log
PF=$T/web.pid
mkdir -p "$T/log"

# The snippet with its path moved here; owner root:adm as it says, when
# the group exists (Debian has it), else root's own group.
group=adm
getent group adm >/dev/null || group=$(id -gn)
sed -e "s|^/var/log/web/web\\.log {|$LOG {|" \
	-e "s|create 0640 root adm|create 0640 root $group|" "$SNIPPET" >"$T/logrotate.conf"
check "the copy differs only in the path (and group)" \
	test "$(diff "$SNIPPET" "$T/logrotate.conf" | grep -c '^>')" -le 2
check "no postrotate in the snippet" \
	test -z "$(grep -v '^[[:space:]]*#' "$SNIPPET" | grep -w postrotate)"
run 0 "logrotate -d accepts the snippet" logrotate -d -s "$T/state" "$T/logrotate.conf"

# numbered lines, in bursts, forever.
cat >"$T/writer" <<'EOF'
#!/bin/bash
i=0
while :; do
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		i=$((i + 1))
		echo "line $i"
	done
	read -rt 0.002 <> <(:)
done
EOF
chmod +x "$T/writer"

lines() {
	if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi
}

# wait_lines FILE N: until FILE has at least N lines.
wait_lines() {
	local i=0
	until [ "$(lines "$1")" -ge "$2" ]; do
		i=$((i + 1))
		[ "$i" -gt 200 ] && return 1
		sleep 0.1
	done
}

rotate=(logrotate -f -s "$T/state" "$T/logrotate.conf")

run 0 "daemon-start --output --output-max-size 1M: started" \
	"$START" -p "$PF" --output "$LOG" --output-max-size 1M -- "$T/writer"
pid=$(cat "$PF" 2>/dev/null)
case $pid in ''|*[!0-9]*|0|1) pid=999999999 ;; esac
track "$pid"
check "the writer runs" alive "$pid"
check "lines reach the log" wait_lines "$LOG" 1000

run 0 "first forced rotation: exit 0" "${rotate[@]}"
check "web.log was renamed to web.log.1" test -s "$LOG.1"
check "and a new web.log created" test -f "$LOG"
check "with mode 0640" test "$(stat -c %a "$LOG" 2>/dev/null)" = 640
check "owned by root:$group" test "$(stat -c %U:%G "$LOG" 2>/dev/null)" = "root:$group"
check "the keeper writes to the new file" wait_lines "$LOG" 1
# Lines already on their way may still land in web.log.1 (the reason for
# delaycompress); once the keeper writes to the new file, none may.
size1=$(stat -c %s "$LOG.1")
check "the keeper keeps writing to the new file" \
	wait_lines "$LOG" $(($(lines "$LOG") + 2000))
check "nothing more went to the renamed file" test "$(stat -c %s "$LOG.1")" = "$size1"
check "delaycompress: web.log.1 is not compressed" \
	test "$(head -c 5 "$LOG.1")" = "line "

run 0 "second forced rotation: exit 0" "${rotate[@]}"
check "compress: the older file is web.log.2.gz" gzip -t "$LOG.2.gz"
check "the keeper writes to the newest file" wait_lines "$LOG" 1000

run 0 "daemon-stop: exit 0" "$STOP" -p "$PF"
check "the writer is gone" wait_gone "$pid" 100

# Every line from 1 to the last, once, across the three files in order.
{ zcat "$LOG.2.gz"; cat "$LOG.1" "$LOG"; } 2>/dev/null | sed -n 's/^line //p' >"$T/all"
n=$(wc -l <"$T/all")
check "$n lines kept" test "$n" -gt 3000
check "no line lost, none doubled, none out of order" \
	cmp -s "$T/all" <(seq 1 "$n")
cmp -s "$T/all" <(seq 1 "$n") || diag "first difference: $(cmp "$T/all" <(seq 1 "$n") 2>&1)"

done_testing
