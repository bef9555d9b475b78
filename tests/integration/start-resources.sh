#!/bin/bash
# daemon-start's resources and privileges, read back from the daemon it
# started: /proc/PID/{limits,status,environ,oom_score_adj,sched}, ionice
# and chrt; a daemon as nobody binding port 80 with one capability, in a
# network namespace of its own; environment files; a table of malformed
# values; and what an unprivileged caller may and may not change.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

if [ "$(id -u)" != 0 ] || ! id nobody >/dev/null 2>&1; then
	echo "1..0 # SKIP needs root and a user nobody"
	exit 0
fi

# nobody must reach the programs, the scripts and its own run directory.
chmod 755 "$T"
mkdir -p "$T/bin"
cp /bin/sleep "$T/bin/rsleep"
D="$T/bin/rsleep"
NOBODY_UID=$(id -u nobody)
NOGROUP_GID=$(id -g nobody)
AS=()			# the caller: root, or (below) runuser -u nobody --

# Does this process hold capability N? (A container may withhold some.)
have_cap() {
	local eff
	eff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
	(( (16#$eff >> $1) & 1 ))
}
CAP_SYS_RESOURCE=24

# start DESC PIDFILE ARGS...: must start; $pid is the daemon.
start() {
	local desc=$1 pf=$2
	shift 2
	rm -f "$pf"
	run 0 "$desc: started" "${AS[@]}" "$START" -p "$pf" "$@"
	pid=$(cat "$pf" 2>/dev/null)
	track "$pid"
}

stop() {
	[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait_gone "$pid" 50
	pid=
}

# limit PID "Max open files": "SOFT:HARD" as /proc/PID/limits says.
limit() {
	sed -n "s/^$2  *\([^ ]*\)  *\([^ ]*\).*/\1:\2/p" "/proc/$1/limits"
}

# is DESC GOT WANT
is() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1"; diag "got '$2', wanted '$3'"; fi
}

status_field() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | tr -s '\t ' ' ' |
		sed 's/ $//'
}

sched_field() {
	sed -n "s/^$2  *: *//p" "/proc/$1/sched"
}

# The daemon's environment, one NAME=VALUE a line, sorted.
environ() {
	tr '\0' '\n' <"/proc/$1/environ" | sort
}

# ------------------------------------------------------------ limits
start "limits" "$T/l.pid" --limit nofile=4096:8192 --limit core=0:unlimited \
	--limit stack=8M:16m --limit cpu=3600:unlimited \
	--limit NOFILE=1024:8192 -- "$D" 300
is "limits: the later nofile replaces the earlier" \
	"$(limit "$pid" "Max open files")" "1024:8192"
is "limits: core 0, hard unlimited" "$(limit "$pid" "Max core file size")" \
	"0:unlimited"
is "limits: stack in M" "$(limit "$pid" "Max stack size")" "8388608:16777216"
is "limits: cpu soft and hard" "$(limit "$pid" "Max cpu time")" "3600:unlimited"
stop

# A file size limit below the PID's length must not stop the daemon from
# writing its pidfile (SIGXFSZ would kill it unseen, the start "succeed").
start "fsize 0" "$T/z.pid" --limit fsize=0 -- "$D" 300
check "fsize 0: the pidfile names a live daemon" alive "$pid"
check "fsize 0: one line, the PID" test "$(wc -c <"$T/z.pid")" -gt 1
is "fsize 0: the daemon runs with it" "$(limit "$pid" "Max file size")" "0:0"
stop

# Root raises a hard limit before the switch to nobody, who could not.
if have_cap $CAP_SYS_RESOURCE; then
	start "65536 descriptors for nobody" "$T/n.pid" -c nobody \
		--limit nofile=65536 --limit nice=-5 -- "$D" 300
	is "nobody's daemon has 65536 descriptors" \
		"$(limit "$pid" "Max open files")" "65536:65536"
	is "nice -5 is the raw limit 25" "$(limit "$pid" "Max nice priority")" \
		"25:25"
	is "and runs as nobody" "$(status_field "$pid" Uid)" \
		"$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID"
	stop
else
	ok "# SKIP raising a hard limit: this root lacks CAP_SYS_RESOURCE"
fi

# ------------------------------------------------- scheduling, OOM
start "iosched best-effort:2" "$T/i.pid" --iosched best-effort:2 -- "$D" 300
is "ionice says best-effort 2" "$(ionice -p "$pid")" "best-effort: prio 2"
stop
start "iosched idle" "$T/i.pid" --iosched idle -- "$D" 300
is "ionice says idle" "$(ionice -p "$pid")" "idle"
stop

start "procsched rr:10" "$T/s.pid" --procsched rr:10 -- "$D" 300
check "chrt says SCHED_RR" grep -q "policy: SCHED_RR$" <(chrt -p "$pid")
check "chrt says priority 10" grep -q "priority: 10$" <(chrt -p "$pid")
is "/proc sched: policy 2 (rr)" "$(sched_field "$pid" policy)" 2
is "/proc sched: kernel prio 89 (99 - 10)" "$(sched_field "$pid" prio)" 89
stop
start "procsched batch" "$T/s.pid" --procsched batch -- "$D" 300
check "chrt says SCHED_BATCH" grep -q "policy: SCHED_BATCH$" <(chrt -p "$pid")
is "/proc sched: policy 3 (batch)" "$(sched_field "$pid" policy)" 3
stop

start "oom-score-adj 500" "$T/o.pid" --oom-score-adj 500 -- "$D" 300
is "oom_score_adj is 500" "$(cat "/proc/$pid/oom_score_adj")" 500
stop
if have_cap $CAP_SYS_RESOURCE; then
	start "oom-score-adj -1000" "$T/o.pid" --oom-score-adj -1000 -- "$D" 300
	is "oom_score_adj is -1000" "$(cat "/proc/$pid/oom_score_adj")" -1000
	stop
else
	ok "# SKIP lowering the OOM score: this root lacks CAP_SYS_RESOURCE"
fi

# ------------------------------------------- privileges and group
start "plain" "$T/p.pid" -- "$D" 300
is "without --no-new-privs: NoNewPrivs 0" "$(status_field "$pid" NoNewPrivs)" 0
stop
start "no-new-privs" "$T/p.pid" --no-new-privs -- "$D" 300
is "NoNewPrivs 1" "$(status_field "$pid" NoNewPrivs)" 1
stop

start "-g without --chuid" "$T/g.pid" -g "$NOGROUP_GID" -- "$D" 300
is "-g: every gid is the group" "$(status_field "$pid" Gid)" \
	"$NOGROUP_GID $NOGROUP_GID $NOGROUP_GID $NOGROUP_GID"
is "-g: still root" "$(status_field "$pid" Uid)" "0 0 0 0"
is "-g: root's supplementary groups dropped" "$(status_field "$pid" Groups)" ""
stop
start "--group with --chuid" "$T/g.pid" -c nobody --group root -- "$D" 300
is "--group replaces the user's group" "$(status_field "$pid" Gid)" "0 0 0 0"
is "--chuid still nobody" "$(status_field "$pid" Uid)" \
	"$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID"
stop

start "capabilities" "$T/c.pid" -c nobody --capabilities cap_net_bind_service \
	-- "$D" 300
is "ambient: net_bind_service only" "$(status_field "$pid" CapAmb)" \
	0000000000000400
is "effective: net_bind_service only" "$(status_field "$pid" CapEff)" \
	0000000000000400
stop

# Port 80 for real, in a network namespace of our own (the host's ports
# are never touched); without the capability, nobody is refused.
cat >"$T/bin/bind80" <<'EOF'
use IO::Socket::INET;
$| = 1;
my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 80,
			       Listen => 1, ReuseAddr => 1);
if (!$s) { print "bind: $!\n"; exit 1; }
print "bound\n";
sleep 300;
EOF
chmod 644 "$T/bin/bind80"
cat >"$T/bin/in-netns" <<'EOF'
#!/bin/sh
exec unshare --net sh -c 'ip link set lo up && exec "$@"' sh "$@"
EOF
chmod 755 "$T/bin/in-netns"
if "$T/bin/in-netns" true 2>/dev/null; then
	rm -f "$T/bind.log"
	AS=("$T/bin/in-netns")
	start "port 80 as nobody" "$T/b.pid" -c nobody \
		--capabilities net_bind_service -O "$T/bind.log" \
		-- /usr/bin/perl "$T/bin/bind80"
	check "the daemon bound 127.0.0.1:80" \
		wait_for 100 grep -qx bound "$T/bind.log"
	check "and listens there, as nobody" \
		grep -q '127.0.0.1:80 ' <(nsenter -t "$pid" -n ss -Hltn)
	is "the listener runs as nobody" "$(status_field "$pid" Uid)" \
		"$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID"
	stop
	rm -f "$T/bind.log"
	start "port 80 as nobody, no capability" "$T/b.pid" -c nobody \
		-O "$T/bind.log" -- /usr/bin/perl "$T/bin/bind80"
	check "without it the bind is refused" \
		wait_for 100 grep -q '^bind: Permission denied' "$T/bind.log"
	stop
	AS=()
else
	ok "# SKIP no private network namespace (unshare --net)"
fi

# ------------------------------------------------------ environment
cat >"$T/env" <<'EOF'
# a comment, and a blank line

; another comment
PLAIN=value
  SPACED = kept inside   
EQUALS=a=b=c
SINGLE='it''s # not a comment'
DOUBLE="say \"hi\" \$HOME"
JOINED=one\
two
MULTI="line1
line2"
HOME=/from/file
NOTIFY_SOCKET=/run/systemd/notify
DAEMON_INSTANCE_ID=forged
EOF
export CALLER_VAR=from-caller
start "env file" "$T/e.pid" --env-file "$T/env" -e HOME=/from/option \
	-- "$D" 300
environ "$pid" >"$T/environ"
for want in PLAIN=value "SPACED=kept inside" EQUALS=a=b=c \
	"SINGLE=its # not a comment" 'DOUBLE=say "hi" $HOME' JOINED=onetwo \
	CALLER_VAR=from-caller HOME=/from/option; do
	check "env file: $want" grep -qxF "$want" "$T/environ"
done
vars=$(tr '\0' '\001' <"/proc/$pid/environ")
check "env file: a quoted newline stays" \
	test -z "${vars##*$'\001MULTI=line1\nline2\001'*}"
check "env file: no NOTIFY_SOCKET of its own" \
	test -z "$(grep '^NOTIFY_SOCKET=' "$T/environ")"
check "env file: no forged instance id" \
	grep -qE '^DAEMON_INSTANCE_ID=[0-9a-f-]{36}$' "$T/environ"
stop
start "env file after -e" "$T/e.pid" -e HOME=/from/option \
	--env-file "$T/env" -- "$D" 300
check "the later --env-file wins" grep -qxz HOME=/from/file "/proc/$pid/environ"
stop

start "clear-env" "$T/e.pid" --clear-env -e ONLY=this -- "$D" 300
environ "$pid" | cut -d= -f1 >"$T/names"
is "clear-env: only PATH, ours and -e" "$(tr '\n' ' ' <"$T/names")" \
	"DAEMON_INSTANCE_ID ONLY PATH "
check "clear-env: no caller variable" test -z "$(grep CALLER_VAR "$T/names")"
check "clear-env: the default PATH" grep -qxz \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	"/proc/$pid/environ"
stop
start "clear-env with chuid" "$T/e.pid" --clear-env -c nobody -- "$D" 300
environ "$pid" | cut -d= -f1 >"$T/names"
is "clear-env + chuid: HOME USER LOGNAME too" "$(tr '\n' ' ' <"$T/names")" \
	"DAEMON_INSTANCE_ID HOME LOGNAME PATH USER "
stop
unset CALLER_VAR

# ---------------------------------------------------- refused values
P="$T/bad.pid"
leftovers() {
	local p out=""
	for p in $(pgrep -f "$T/bin/rsleep" || true); do
		out="$out $p"
	done
	echo "$out"
}

# fails DESC ERE ARGS...: exit 3, one line matching ERE, nothing left.
fails() {
	local desc=$1 re=$2
	shift 2
	rm -f "$P"
	run 3 "$desc: exit 3" "${AS[@]}" "$START" -p "$P" "$@"
	grep_err "^daemon-start: $re" "$desc: message"
	check "$desc: one line" test "$(wc -l <"$T/err")" = 1
	check "$desc: no pidfile left" test ! -e "$P"
	check "$desc: no process left" test -z "$(leftovers)"
}

printf 'GOOD=1\nexport BAD=2\n' >"$T/env-export"
printf 'NOEQUALS\n' >"$T/env-noeq"
printf "OPEN='never closed\n" >"$T/env-quote"
printf '1X=y\n' >"$T/env-name"
while IFS='|' read -r opt val re; do
	[ -n "$opt" ] || continue
	fails "$opt '$val'" "$re" "$opt" "$val" -- "$D" 300
done <<EOF
--limit|nofile|invalid value 'nofile' for --limit: NAME=SOFT\[:HARD\] wanted
--limit|nofiles=5|invalid value 'nofiles=5' for --limit: unknown resource
--limit|nofile=|invalid value 'nofile=' for --limit: no soft limit given
--limit|nofile=5:|invalid value 'nofile=5:' for --limit: no hard limit after ':'
--limit|nofile=5:4|invalid value 'nofile=5:4' for --limit: the soft limit is above the hard limit
--limit|nofile=-1|invalid value 'nofile=-1' for --limit: not a number or 'unlimited'
--limit|nofile=1K|invalid value 'nofile=1K' for --limit: a size suffix fits only a limit in bytes
--limit|nofile=unlimited|invalid value 'nofile=unlimited' for --limit: the descriptor limit cannot be unlimited
--limit|as=1T|invalid value 'as=1T' for --limit: not a number, size or 'unlimited'
--limit|as=9223372036854775808|invalid value 'as=9223372036854775808' for --limit: too large
--limit|nice=41|invalid value 'nice=41' for --limit: the raw nice limit is 0..40
--limit|rtprio=100|invalid value 'rtprio=100' for --limit: a real-time priority limit is 0..99
--iosched|fast|invalid value 'fast' for --iosched: unknown class
--iosched|best-effort:8|invalid value 'best-effort:8' for --iosched: the level is 0..7
--iosched|idle:x|invalid value 'idle:x' for --iosched: the level is not a number
--procsched|deadline|invalid value 'deadline' for --procsched: unknown policy
--procsched|fifo:0|invalid value 'fifo:0' for --procsched: the priority is out of the policy's range
--procsched|other:5|invalid value 'other:5' for --procsched: this policy takes priority 0 only
--oom-score-adj|1001|invalid value '1001' for --oom-score-adj
--oom-score-adj|x|invalid value 'x' for --oom-score-adj
--oom-score-adj| 5|invalid value ' 5' for --oom-score-adj
--capabilities|net_bind|invalid value 'net_bind' for --capabilities: unknown capability
--capabilities|chown,,kill|invalid value 'chown,,kill' for --capabilities: an empty name in the list
--capabilities|net_bind_service|--capabilities: needs --chuid with a user other than root
-g|nosuchgroup$$|unknown group in --group nosuchgroup$$
-g|4294967295|--group 4294967295: Invalid argument
--group|a:b|invalid value 'a:b' for --group
--env-file|$T/nosuch|--env-file $T/nosuch: cannot open: No such file or directory
--env-file|$T|--env-file $T: not a regular file
--env-file|$T/env-export|--env-file $T/env-export:2: 'export' is shell syntax
--env-file|$T/env-noeq|--env-file $T/env-noeq:1: no '=' in the line
--env-file|$T/env-quote|--env-file $T/env-quote:1: the quote opened on this line is never closed
--env-file|$T/env-name|--env-file $T/env-name:1: invalid variable name
EOF
fails "--capabilities with --chuid root" \
	"--capabilities: needs --chuid with a user other than root" \
	-c root --capabilities net_bind_service -- "$D" 300

# -------------------------------------------------------- as nobody
# An unprivileged caller may lower what is its own to lower; what only
# the kernel can refuse is refused from the daemon, naming the option.
# A build tree under a directory nobody cannot enter (root's home, say)
# leaves these cases nothing to run.
if runuser -u nobody -- test -x "$START"; then
	mkdir -p "$T/nobody"
	chown nobody "$T/nobody"
	AS=(runuser -u nobody --)
	hard=$(ulimit -Hn)
	start "nobody lowers" "$T/nobody/a.pid" --limit nofile=256:512 \
		--limit core=0 --oom-score-adj 300 --iosched idle --procsched idle \
		--no-new-privs -- "$D" 300
	is "nobody: nofile lowered" "$(limit "$pid" "Max open files")" "256:512"
	is "nobody: core 0" "$(limit "$pid" "Max core file size")" "0:0"
	is "nobody: oom_score_adj raised" "$(cat "/proc/$pid/oom_score_adj")" 300
	is "nobody: ionice idle" "$(ionice -p "$pid")" idle
	check "nobody: SCHED_IDLE" grep -q "policy: SCHED_IDLE$" <(chrt -p "$pid")
	is "nobody: NoNewPrivs" "$(status_field "$pid" NoNewPrivs)" 1
	stop

	P="$T/nobody/bad.pid"
	fails "nobody: a hard limit above its own" \
		"cannot apply --limit nofile: Operation not permitted" \
		--limit nofile=256:$((hard + 1)) -- "$D" 300
	fails "nobody: a lower OOM score" \
		"cannot apply --oom-score-adj: Permission denied" \
		--oom-score-adj -100 -- "$D" 300
	fails "nobody: a real-time policy" \
		"cannot apply --procsched: Operation not permitted" \
		--procsched fifo:10 -- "$D" 300
	fails "nobody: real-time I/O" \
		"cannot apply --iosched: Operation not permitted" \
		--iosched real-time -- "$D" 300
	fails "nobody: another group" \
		"cannot apply --group root: setgid: Operation not permitted" \
		-g root -- "$D" 300
	fails "nobody: capabilities without --chuid" \
		"--capabilities: needs --chuid with a user other than root" \
		--capabilities net_bind_service -- "$D" 300
	AS=()
else
	ok "# SKIP the cases as nobody: nobody cannot run $START"
fi

done_testing
