#!/bin/bash
# daemon-start readiness: --notify-await (sd_notify from the daemon only,
# STATUS=, ERRNO=, MAINPID=, EXTEND_TIMEOUT_USEC=, early death, timeout)
# and --forking (a program that detaches itself), with real daemons where
# installed (redis-server, nginx).
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

mkdir -p "$T/bin"
P="$T/n.pid"

live() {
	case $1 in ''|*[!0-9]*) return 1 ;; esac
	alive "$1"
}

leftovers() {
	local p out=""
	for p in $(pgrep -f "$T/bin/" || true); do
		[ "$p" = $$ ] && continue
		out="$out $p"
	done
	echo "$out"
}

nothing_left() {
	check "$1: no pidfile left" test ! -e "$P"
	check "$1: no process left" test -z "$(leftovers)"
}

stop_daemon() {
	local pid
	pid=$(cat "$P" 2>/dev/null)
	case $pid in ''|*[!0-9]*) return ;; esac
	kill "$pid" 2>/dev/null
	wait_gone "$pid"
	rm -f "$P"
}

if ! command -v python3 >/dev/null 2>&1; then
	ok "# SKIP --notify-await tests need python3 to send datagrams"
else
# notifier SCRIPT: a python daemon whose script names this test dir.
notifier() {
	cat >"$T/bin/$1" <<EOF
#!/usr/bin/env python3
# $T/bin/
import os, socket, sys, time
def say(msg):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.sendto(msg.encode(), os.environ["NOTIFY_SOCKET"])
$(cat)
EOF
	chmod +x "$T/bin/$1"
}

notifier ready <<'EOF'
time.sleep(0.3)
say("STATUS=warming up")
say("READY=1")
time.sleep(300)
EOF
# The socket's directory goes in this test's own TMPDIR, so that other
# tests' sockets (make -j) cannot be mistaken for a leftover of this one.
mkdir -p "$T/tmp"
run 0 "READY=1: started" env TMPDIR="$T/tmp" "$START" -v --notify-await -T 60 -p "$P" -- "$T/bin/ready"
grep_err "warming up" "STATUS= shown with -v"
pid=$(cat "$P" 2>/dev/null)
track "$pid"
check "pidfile names the notifying daemon" live "$pid"
check "NOTIFY_SOCKET was in its environment" \
	grep -q '^NOTIFY_SOCKET=' <(tr '\0' '\n' <"/proc/$pid/environ")
stop_daemon
check "the notification directory is gone" \
	test -z "$(find "$T/tmp" -maxdepth 1 -name 'dctl-notify.*' 2>/dev/null)"

notifier errno <<'EOF'
say("STATUS=cannot bind\nERRNO=98")
time.sleep(300)
EOF
run 3 "ERRNO=: exit 3" "$START" --notify-await -T 60 -p "$P" -- "$T/bin/errno"
grep_err "^daemon-start: daemon reported failure: Address already in use$" "ERRNO=: message"
nothing_left "ERRNO="

# ERRNO=17 (EEXIST) is the daemon's failure, not "already running".
notifier errno17 <<'EOF'
say("ERRNO=17")
time.sleep(300)
EOF
run 3 "ERRNO=17: exit 3, not 1" "$START" --notify-await -T 60 -p "$P" -- "$T/bin/errno17"
grep_err "^daemon-start: daemon reported failure: File exists$" "ERRNO=17: message"
nothing_left "ERRNO=17"
run 3 "ERRNO=17 with --oknodo: still exit 3" \
	"$START" --oknodo --notify-await -T 60 -p "$P" -- "$T/bin/errno17"
nothing_left "ERRNO=17 with --oknodo"

notifier dies <<'EOF'
time.sleep(0.2)
sys.exit(5)
EOF
start=$(date +%s%N)
run 3 "death before READY: exit 3" "$START" --notify-await -T 30 -p "$P" -- "$T/bin/dies"
grep_err "exited with status 5 before it was ready" "death before READY: message"
check "death reported when it happens, not at the 30 s timeout" \
	test $(( ($(date +%s%N) - start) / 1000000 )) -lt 25000
nothing_left "death before READY"

notifier silent <<'EOF'
time.sleep(300)
EOF
run 3 "no READY: timeout" "$START" --notify-await -T 1 -p "$P" -- "$T/bin/silent"
grep_err "^daemon-start: not ready after 1 s" "timeout: message"
nothing_left "timeout"

# A process other than the daemon cannot make it ready.
notifier foreign <<'EOF'
if os.fork() == 0:
    say("READY=1")
    os._exit(0)
time.sleep(300)
EOF
run 3 "READY=1 from another PID is ignored" "$START" --notify-await -T 1 -p "$P" -- "$T/bin/foreign"
grep_err "not ready after 1 s" "foreign READY=1: timeout"
nothing_left "foreign READY=1"

notifier extend <<'EOF'
say("EXTEND_TIMEOUT_USEC=60000000")
time.sleep(12)
say("READY=1")
time.sleep(300)
EOF
# Ready 12 s after it asked, so always past -T 10 (which only has to
# leave python the time to start and ask), within the 60 s it asked for.
# The run takes those 12 s at least: room above them for a slow machine
# (never less than the limit the caller chose).
lim=${DCTL_RUN_LIMIT:-120}
[ "$lim" -ge 60 ] || lim=60
DCTL_RUN_LIMIT=$lim run 0 "EXTEND_TIMEOUT_USEC= extends the timeout" \
	"$START" --notify-await -T 10 -p "$P" -- "$T/bin/extend"
track "$(cat "$P" 2>/dev/null)"
stop_daemon

# MAINPID=: the daemon forks, names its child, and exits.
notifier mainpid <<'EOF'
child = os.fork()
if child == 0:
    time.sleep(300)
    os._exit(0)
say("MAINPID=%d\nREADY=1" % child)
time.sleep(0.5)
EOF
run 0 "MAINPID= then READY=1" "$START" --notify-await -T 60 -p "$P" -- "$T/bin/mainpid"
pid=$(cat "$P" 2>/dev/null)
track "$pid"
check "pidfile names the main PID" live "$pid"
# The first process exits 0.5 s after READY=1; the main PID stays.
first_gone() { [ -z "$(pgrep -f "$T/bin/mainpid" | grep -vx "$pid")" ]; }
check "the first process exits" wait_for 300 first_gone
check "the main PID outlives the first process" live "$pid"
stop_daemon

# MAINPID= of a child that called setsid() (a session of its own): still
# the daemon's child, accepted; named by a first process that then exits
# before READY=1 too (the child is ours by then, subreaper). There the
# child says READY=1 only once its parent is gone: its parent sent
# MAINPID= before exiting, so that READY=1 comes after it however slow
# either is (before it, it would be a foreign PID's, rightly ignored).
notifier mainpid-setsid <<'EOF'
r, w = os.pipe()
child = os.fork()
if child == 0:
    # The parent waits for the pipe below: it is alive here.
    parent = os.getppid()
    os.setsid()
    os.write(w, b"x")
    if sys.argv[1] == "exit":
        while os.getppid() == parent:
            time.sleep(0.05)
        say("READY=1")
    time.sleep(300)
    os._exit(0)
os.read(r, 1)
if sys.argv[1] == "exit":
    say("MAINPID=%d" % child)
    os._exit(0)
say("MAINPID=%d\nREADY=1" % child)
time.sleep(0.5)
EOF
for how in ready exit; do
	run 0 "MAINPID= of a setsid() child ($how): started" \
		"$START" --notify-await -T 60 -p "$P" -- "$T/bin/mainpid-setsid" "$how"
	pid=$(cat "$P" 2>/dev/null)
	track "$pid"
	check "MAINPID= of a setsid() child ($how): pidfile names it" live "$pid"
	check "MAINPID= of a setsid() child ($how): in a session of its own" \
		test "$(ps -o sid= -p "${pid:-0}" | tr -d ' ')" = "$pid"
	stop_daemon
	# Whatever went wrong, nothing of this case outlives it.
	for pid in $(leftovers); do
		kill "$pid" 2>/dev/null
	done
done

# MAINPID= naming a process that is not the daemon's (a bystander of ours,
# in another session): refused, and the bystander neither written into
# the pidfile nor signalled by the cleanup.
sleep 301 </dev/null >/dev/null 2>&1 &
bystander=$!
track "$bystander"
notifier stranger <<'EOF'
say("MAINPID=%s\nREADY=1" % sys.argv[1])
time.sleep(300)
EOF
run 3 "MAINPID= of a bystander with READY=1: refused" \
	"$START" --notify-await -T 60 -p "$P" -- "$T/bin/stranger" "$bystander"
grep_err "^daemon-start: MAINPID=$bystander is not a process of the daemon$" \
	"MAINPID= of a bystander: message"
check "MAINPID= of a bystander: the bystander is alive" live "$bystander"
nothing_left "MAINPID= of a bystander"

# The same, named by a first process that then exits before READY=1.
notifier stranger-exit <<'EOF'
say("MAINPID=%s" % sys.argv[1])
time.sleep(0.3)
EOF
run 3 "MAINPID= of a bystander, then exit: refused" \
	"$START" --notify-await -T 60 -p "$P" -- "$T/bin/stranger-exit" "$bystander"
grep_err "^daemon-start: MAINPID=$bystander is not a process of the daemon$" \
	"MAINPID= of a bystander, then exit: message"
check "MAINPID= of a bystander, then exit: the bystander is alive" \
	live "$bystander"
nothing_left "MAINPID= of a bystander, then exit"
kill "$bystander" 2>/dev/null
fi

# ------------------------------------------------------------- --forking
# forker PIDFILE STATUS DELAY: detaches a sleep that writes the pidfile
# after DELAY seconds, or, DELAY an absolute path, once that file exists
# (or its directory is gone: the test ended, nothing must linger).
cat >"$T/bin/forker" <<EOF
#!/bin/sh
# $T/bin/
pidfile=\$1
(
	case \$3 in
	/*)
		while [ ! -e "\$3" ] && [ -d "\${3%/*}" ]; do
			sleep 0.1
		done
		;;
	*) sleep "\$3" ;;
	esac
	sh -c 'echo \$PPID' >"\$pidfile.tmp"
	mv "\$pidfile.tmp" "\$pidfile"
	exec $T/bin/dsleep 300
) </dev/null >/dev/null 2>&1 &
exit \$2
EOF
chmod +x "$T/bin/forker"
cp /bin/sleep "$T/bin/dsleep"

run 0 "--forking: started" "$START" --forking -T 60 -p "$P" -- "$T/bin/forker" "$P" 0 0.3
pid=$(cat "$P" 2>/dev/null)
track "$pid"
check "--forking: pidfile names the detached process" live "$pid"
check "--forking: it is the program's child" \
	test "$(readlink "/proc/$pid/exe")" = "$T/bin/dsleep"
run 1 "--forking: already running" "$START" --forking -p "$P" -- "$T/bin/forker" "$P" 0 0
grep_err "already running \(pid $pid" "--forking: already running names the PID"
stop_daemon

# Two --forking starts at once: the start window is serialized, so one
# starts the daemon and the other, after it, finds that daemon running.
rm -f "$P"
timeout -k 2 120 "$START" --forking -T 60 -p "$P" -- "$T/bin/forker" "$P" 0 0.3 \
	</dev/null >/dev/null 2>"$T/err1" &
s1=$!
timeout -k 2 120 "$START" --forking -T 60 -p "$P" -- "$T/bin/forker" "$P" 0 0.3 \
	</dev/null >/dev/null 2>"$T/err2" &
s2=$!
wait "$s1"
rc1=$?
wait "$s2"
rc2=$?
daemons=$(pgrep -f "^$T/bin/dsleep 300" || true)
track $daemons
codes=$(printf '%s\n' "$rc1" "$rc2" | sort | tr '\n' ' ')
check "concurrent --forking starts: one exit 0, one exit 1 (got $codes)" \
	test "$codes" = "0 1 "
check "concurrent --forking starts: exactly one daemon (got $(echo $daemons))" \
	test "$(echo "$daemons" | wc -w)" = 1
check "concurrent --forking starts: the pidfile names it" \
	test "$(cat "$P" 2>/dev/null)" = "$(echo $daemons)"
check "concurrent --forking starts: the loser says already running" \
	grep -q "already running (pid $(echo $daemons)" "$T/err1" "$T/err2"
stop_daemon

# The start window is locked per pidfile (PIDFILE.lock, left in place):
# a start of another pidfile in the same directory does not wait for it.
# The slow start's pidfile is written only once $T/release exists, made
# after the checks: it holds its lock until then, however slow the
# machine (its -T only ends a hang).
rm -f "$P"
timeout -k 2 120 "$START" --forking -T 90 -p "$P" -- \
	"$T/bin/forker" "$P" 0 "$T/release" </dev/null >/dev/null 2>"$T/err1" &
s1=$!
lock_held() { ! flock -n "$P.lock" true; }
check "--forking: the slow start holds PIDFILE.lock" wait_for 300 lock_held
run 0 "--forking, other pidfile in the same directory: started" \
	"$START" --forking -T 60 -p "$T/other.pid" -- "$T/bin/forker" "$T/other.pid" 0 0
check "--forking, other pidfile: done while the slow start holds its lock" lock_held
track "$(cat "$T/other.pid" 2>/dev/null)"
check "--forking: the slow start still runs meanwhile" kill -0 "$s1"
check "--forking: PIDFILE.lock is a regular file" test -f "$P.lock"
touch "$T/release"
wait "$s1"
check "--forking: the slow start then succeeds" test $? = 0
track "$(cat "$P" 2>/dev/null)"
stop_daemon
pid=$(cat "$T/other.pid" 2>/dev/null)
case $pid in ''|*[!0-9]*) ;; *) kill "$pid"; wait_gone "$pid" ;; esac
rm -f "$T/other.pid"
ln -s "$T/elsewhere" "$T/link.pid.lock"
run 3 "--forking: a symlinked PIDFILE.lock is refused" \
	"$START" --forking -T 1 -p "$T/link.pid" -- "$T/bin/forker" "$T/link.pid" 0 0
grep_err "^daemon-start: lock file $T/link.pid.lock: " "--forking: symlinked lock: message"
check "--forking: symlinked lock: its target is not created" test ! -e "$T/elsewhere"

run 3 "--forking: first process exits 2" "$START" --forking -T 60 -p "$P" -- "$T/bin/forker" "$P" 2 0.3
grep_err "forker exited with status 2 while detaching" "--forking: exit status reported"
sleep 0.5
nothing_left "--forking exit 2"

cat >"$T/bin/no-pidfile" <<EOF
#!/bin/sh
# $T/bin/
$T/bin/dsleep 300 </dev/null >/dev/null 2>&1 &
exit 0
EOF
chmod +x "$T/bin/no-pidfile"
# The first process must have exited within -T for this message (else it
# did not detach): a -T that leaves a slow machine the time, paid in full.
run 3 "--forking: no pidfile written" "$START" --forking -T 10 -p "$P" -- "$T/bin/no-pidfile"
grep_err "pidfile $P names no live process after 10 s" "--forking: timeout message"
nothing_left "--forking without pidfile"

# ------------------------------------------------------- real daemons
if command -v nginx >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	mkdir -p "$T/nginx"
	port=$((20000 + $$ % 20000))
	cat >"$T/nginx/nginx.conf" <<EOF
daemon on;
pid $P;
error_log $T/nginx/error.log;
worker_processes 1;
events { worker_connections 16; }
http {
	access_log off;
	client_body_temp_path $T/nginx;
	proxy_temp_path $T/nginx;
	fastcgi_temp_path $T/nginx;
	uwsgi_temp_path $T/nginx;
	scgi_temp_path $T/nginx;
	server { listen 127.0.0.1:$port; }
}
EOF
	run 0 "nginx --forking: started" "$START" --forking -T 20 -p "$P" -- \
		"$(command -v nginx)" -p "$T/nginx" -c "$T/nginx/nginx.conf"
	pid=$(cat "$P" 2>/dev/null)
	track "$pid"
	check "nginx: pidfile names the nginx master" \
		test "$(readlink "/proc/${pid:-0}/exe")" = "$(readlink -f "$(command -v nginx)")"
	kill -QUIT "$pid" 2>/dev/null
	wait_gone "$pid" 100
else
	ok "# SKIP nginx not installed (apt-get install nginx-light)"
fi

if command -v redis-server >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1; then
	port=$((20000 + ($$ + 7) % 20000))
	run 0 "redis --supervised systemd: ready" "$START" -v --notify-await -T 20 \
		-p "$P" -d "$T" -- "$(command -v redis-server)" --port "$port" \
		--bind 127.0.0.1 --supervised systemd --daemonize no --save '' \
		--dir "$T"
	pid=$(cat "$P" 2>/dev/null)
	track "$pid"
	check "redis: pidfile names redis-server" live "$pid"
	grep_err "status: Ready to accept connections" "redis: its STATUS= shown with -v"
	stop_daemon
else
	ok "# SKIP redis-server not installed (apt-get install redis-server)"
fi

done_testing
