#!/bin/bash
# examples/init.d/redis-supervised, run for real with Debian's redis-server
# under daemon-start --respawn, its log lines going to a real rsyslogd of
# this test's own: a private configuration on a free 127.0.0.1 port, data
# and pidfile in this test's directory, settings given through the
# script's DEFAULTS file, the tools from the build tree first on PATH.
# Every action and its LSB exit code, the processes read from /proc, redis
# answering, a KILL from outside followed by a restart, the lines rsyslogd
# received, and nothing left after a stop.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$DCTL_SRCDIR/tests/integration/rsyslog.sh"
. "$DCTL_SRCDIR/tests/integration/lsb.sh"

SCRIPT=$DCTL_SRCDIR/examples/init.d/redis-supervised
REDIS=/usr/bin/redis-server

if [ ! -x "$REDIS" ]; then
	echo "1..0 # SKIP $REDIS not installed (apt-get install redis-server)"
	exit 0
fi
# rsyslogd on a private /dev/log, in a private PID namespace that ends
# redis and its supervisor with the test.
rs_need "$@"

check_lsb_header "$SCRIPT" redis-supervised

# --------------------------------------------------------- the set-up
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null)
[ -n "$port" ] || port=$((20000 + $$ % 20000))

# redis runs as redis where that user exists, as Debian runs it: it must
# reach its configuration and write its data directory. Its descriptor
# limit is this machine's hard one (raising that may not be allowed here).
run_as=
id redis >/dev/null 2>&1 && run_as=redis:redis
chmod 0711 "$T"
mkdir -p "$T/data"
[ -n "$run_as" ] && chown "$run_as" "$T/data"
cat >"$T/redis.conf" <<EOF
bind 127.0.0.1
port $port
protected-mode yes
dir $T/data
save ""
appendonly no
loglevel notice
EOF
chmod 0644 "$T/redis.conf"
cat >"$T/redis.default" <<EOF
DAEMON=$REDIS
CONF=$T/redis.conf
PIDFILE=$T/redis.pid
RUN_AS=$run_as
NOFILE=$(ulimit -Hn)
STOP_SCHEDULE=TERM/30/KILL/5
EOF
# The script as an admin runs it (service(8) gives it an empty
# environment but PATH), with the tools of this build.
initd=$T/redis.initd
cat >"$initd" <<EOF
#!/bin/sh
exec env -i PATH="$DCTL_BUILDDIR/src:/usr/sbin:/usr/bin:/sbin:/bin" \\
	DEFAULTS="$T/redis.default" sh "$SCRIPT" "\$@"
EOF
chmod +x "$initd"
PF=$T/redis.pid

# pidfile_pid: the PID the pidfile holds, as "PID\n" and nothing else.
pidfile_pid() {
	local p
	p=$(cat "$PF" 2>/dev/null)
	case $p in ''|*[!0-9]*|0|1) return 1 ;; esac
	[ "$(wc -c <"$PF")" = $((${#p} + 1)) ] || return 1
	echo "$p"
}

# supervisor: the supervisor's PID from the state record beside the pidfile.
supervisor() {
	awk '$1 == "supervisor" { print $2 }' "$PF.state" 2>/dev/null
}

ppid() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f2
}

# Debian's redis-server is a symbolic link to redis-check-rdb, the one
# binary that is both: /proc names the file.
REDIS_EXE=$(readlink -f "$REDIS")
is_redis() {
	[ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$REDIS_EXE" ]
}

# restarted OLD: the pidfile names a live redis-server other than OLD.
restarted() {
	local p
	p=$(pidfile_pid) || return 1
	[ "$p" != "$1" ] && alive "$p" && is_redis "$p"
}

# pong: redis answers PING on the port.
pong() {
	if command -v redis-cli >/dev/null; then
		[ "$(timeout 5 redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]
		return
	fi
	timeout 5 bash -c '
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		printf "PING\r\n" >&3
		read -r reply <&3
		[ "$reply" = "+PONG"$'"'\r'"' ]' - "$port"
}

# logged PID TEXT: rsyslogd got redis's line TEXT from PID, at daemon.info,
# tagged redis[PID] (redis starts each line with its own PID too).
logged() {
	grep -F "daemon|info|redis[$1]:|$1|" "$RS_OUT" 2>/dev/null |
		grep -q "^[^|]*|[^|]*|[^|]*|[^|]*| *$1:[A-Z] .*$2"
}

# Every redis-server process there is (this PID namespace has only ours).
redises() {
	pgrep -x redis-server | tr '\n' ' '
}

# ------------------------------------------------------------ the daemon
check "rsyslogd listens on the private /dev/log" rs_start

# A daemon-start that does not run the log keeper in its supervisor yet
# refuses --syslog, saying so: then there is nothing to test.
timeout -k 2 60 "$initd" start >"$T/out" 2>"$T/err" </dev/null
rc=$?
if [ "$rc" != 0 ] && grep -q "need the log keeper" "$T/err"; then
	ok "# SKIP daemon-start cannot send output to syslog yet: $(head -n 1 "$T/err")"
	rs_stop
	done_testing
fi
check "start: exit 0" test "$rc" = 0
[ "$rc" = 0 ] || diag "exit $rc: $(cat "$T/err")"
pid=$(pidfile_pid) || pid=
check "start: the pidfile holds the PID and a newline" test -n "$pid"
[ -n "$pid" ] && track "$pid"
pid=${pid:-999999999}
sv=$(supervisor)
[ -n "$sv" ] && track "$sv"
check "start: the PID is redis-server" is_redis "$pid"
check "start: a supervisor is recorded, alive" alive "${sv:-999999999}"
check "start: redis's parent is the supervisor" \
	test -n "$sv" -a "$(ppid "$pid")" = "$sv"
check "start: the supervisor is not in the pidfile" test "$sv" != "$pid"
if [ -n "$run_as" ]; then
	check "start: redis runs as redis" \
		test "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" = "$(id -u redis)"
fi
check "start: redis answers PING on 127.0.0.1:$port" wait_for 100 pong

run 0 "start again: exit 0" "$initd" start
check "start again: the same redis" test "$(pidfile_pid)" = "$pid"
check "start again: no second redis-server" test "$(redises)" = "$pid "

run 0 "status: exit 0 (running)" "$initd" status
grep_out "running \(pid $pid" "status: names redis"

# redis's own log lines, from its standard output through the supervisor.
check "syslog: redis's lines arrived" wait_msgs redis 3
check "syslog: daemon.info, tagged redis[$pid], redis's start" \
	logged "$pid" "Ready to accept connections"
check "syslog: every redis line is facility daemon" \
	test -z "$(grep '|redis\[' "$RS_OUT" | grep -v '^daemon|')"

# A KILL from outside: the supervisor starts redis again.
kill -KILL "$pid"
check "kill -KILL: redis is gone" wait_gone "$pid" 100
check "kill -KILL: a new redis-server in the pidfile" wait_for 200 restarted "$pid"
old=$pid
pid=$(pidfile_pid) || pid=
[ -n "$pid" ] && track "$pid"
pid=${pid:-999999999}
check "restart: the same supervisor is its parent" \
	test -n "$sv" -a "$(ppid "$pid")" = "$sv"
check "restart: only the new redis-server runs" test "$(redises)" = "$pid "
check "restart: redis answers PING again" wait_for 100 pong
run 0 "restart: status exit 0 (running)" "$initd" status
grep_out "running \(pid $pid.*, 1 restart([^s]|$)" "restart: status shows 1 restart"
check "restart: the new redis's lines are tagged with its PID" \
	wait_for 100 logged "$pid" "Ready to accept connections"
check "restart: the old one's start is still under its own PID" \
	logged "$old" "Ready to accept connections"

# force-reload restarts: a new redis under a new supervisor.
run 0 "force-reload: exit 0" "$initd" force-reload
check "force-reload: the old redis is gone" wait_gone "$pid" 100
check "force-reload: the old supervisor is gone" wait_gone "$sv" 100
check "force-reload: a new redis-server" restarted "$pid"
old=$pid
pid=$(pidfile_pid) || pid=
[ -n "$pid" ] && track "$pid"
pid=${pid:-999999999}
sv=$(supervisor)
[ -n "$sv" ] && track "$sv"
check "force-reload: under a new supervisor" \
	test -n "$sv" -a "$(ppid "$pid")" = "$sv"
check "force-reload: redis answers PING" wait_for 100 pong
check "force-reload: the old redis logged its exit" \
	wait_for 100 logged "$old" "ready to exit, bye bye"

run 3 "reload: exit 3 (unimplemented)" "$initd" reload
grep_err "no reload" "reload: says why"
check "reload: redis untouched" test "$(pidfile_pid)" = "$pid"

run 0 "stop: exit 0" "$initd" stop
check "stop: redis is gone" wait_gone "$pid" 100
check "stop: the supervisor is gone" wait_gone "$sv" 100
check "stop: no redis-server left" test -z "$(redises)"
check "stop: the pidfile is gone" test ! -e "$PF"
check "stop: redis's last line reached syslog" \
	wait_for 100 logged "$pid" "ready to exit, bye bye"
check "stop: no restart after the stop" test -z "$(redises)"

run 0 "stop again: exit 0" "$initd" stop
run 3 "status after stop: exit 3 (not running)" "$initd" status
run 3 "reload when stopped: exit 3 (unimplemented)" "$initd" reload
run 2 "an unknown action: exit 2" "$initd" frobnicate
grep_err "^Usage: " "an unknown action: the usage"

run 0 "restart when stopped starts it" "$initd" restart
pid=$(pidfile_pid) || pid=
[ -n "$pid" ] && track "$pid"
sv=$(supervisor)
[ -n "$sv" ] && track "$sv"
check "restart when stopped: redis runs" is_redis "${pid:-0}"
run 0 "stop: exit 0" "$initd" stop
check "stop: redis is gone" wait_gone "${pid:-999999999}" 100
check "stop: the supervisor is gone" wait_gone "${sv:-999999999}" 100

rs_stop
done_testing
