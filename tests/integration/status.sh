#!/bin/bash
# daemon-status as scripts use it: every state with its LSB exit code, the
# one-line output, --all, --json read back by a real JSON parser, -q, -x/-u,
# and what another user sees. Hostile pidfile contents are fed below, so
# the whole test runs in a private PID namespace.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
need_pidns "$@"

R=$DAEMONCTL_RUNDIR
# Another user must be able to reach the test's files and the tools.
chmod 755 "$T" "$R"

# hold FILE: a process that locks FILE, writes its own PID into it, then
# becomes "sleep" keeping the lock: a daemon as daemon-start leaves it.
# The lock is taken by that process itself: /proc/locks, read inside a
# PID namespace, hides a flock whose taker has exited. Sets $held; a
# holder that never gets there fails a test step of its own.
hold() {
	python3 -c '
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
os.ftruncate(fd, 0)
os.write(fd, b"%d\n" % os.getpid())
os.set_inheritable(fd, True)
os.execv("/bin/sleep", ["sleep", "600"])' "$1" </dev/null >/dev/null 2>&1 &
	held=$!
	track "$held"
	disown "$held"
	# A deadline against a hang only: a loaded machine may take seconds.
	wait_for 600 holding "$held" "$1" && return 0
	not_ok "the holder of $1 started"
	return 1
}

# holding PID FILE: PID runs sleep and FILE names it.
holding() {
	[ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$(readlink -f /bin/sleep)" ] &&
		names "$2" "$1"
}

# names FILE PID: FILE holds just PID.
names() {
	[ "$(cat "$1" 2>/dev/null)" = "$2" ]
}

# stale FILE: FILE names a process that has exited (and was reaped).
stale() {
	sleep 0 &
	local p=$!
	wait "$p"
	echo "$p" >"$1"
}

# --------------------------------------------------------------- running
hold "$R/web.pid"
web=$held
run 0 "running: exit 0" "$STATUS" --pidfile "$R/web.pid"
grep_out "^web: running \\(pid $web, up [0-9]+s\\)$" "running: one line, name, pid, uptime"
check "running: nothing on stderr" test ! -s "$T/err"
run 0 "--name finds RUNDIR/NAME.pid" "$STATUS" --name web
grep_out "^web: running \\(pid $web" "--name: the name starts the line"
run 0 "positional pidfile" "$STATUS" "$R/web.pid"
check "the probe leaves the lock to its holder" \
	bash -c '! flock -n "$1" true' _ "$R/web.pid"
check "the holder is untouched" alive "$web"
check "the pidfile is untouched" test "$(cat "$R/web.pid")" = "$web"
run 0 "-v: running" "$STATUS" -v -n web
grep_out "^web: running \\(pid $web, up [0-9]+s\\) \\[pidfile $R/web.pid; lock held; exe $(readlink -f /bin/sleep); user root\\]$" \
	"-v: pidfile, lock, exe and user"
run 0 "-t is accepted and changes nothing" "$STATUS" -t -n web
grep_out "^web: running" "-t: same report"

# A daemon that wrote its own pidfile and holds no lock: still running.
sleep 600 &
self=$!
track "$self"
disown "$self"
sleep 0.05
echo "$self" >"$R/selfpid.pid"
run 0 "unlocked pidfile of a live process: running" "$STATUS" -v -n selfpid
grep_out "^selfpid: running \\(pid $self, .*no lock held: pidfile written by the daemon itself" \
	"-v says no lock is held"

# The lock taken by a process that has exited since (daemon-start locks,
# then forks the daemon): still running, whether or not /proc/locks shows
# the lock here (it hides it inside a PID namespace).
bash -c 'exec 9>>"$1" && flock -n 9 && echo $$ >"$1" && exec sleep 600' \
	_ "$R/inherited.pid" </dev/null >/dev/null 2>&1 &
inherited=$!
track "$inherited"
disown "$inherited"
check "inherited lock: the locker wrote its PID" \
	wait_for 600 names "$R/inherited.pid" "$inherited"
run 0 "lock inherited from an exited locker: running" "$STATUS" -n inherited
grep_out "^inherited: running \\(pid $inherited, up [0-9]+s\\)$" \
	"inherited lock: the daemon's pid"

# ----------------------------------------------------------- not running
run 3 "no pidfile: exit 3" "$STATUS" -n nosuch
grep_out "^nosuch: not running$" "not running: the line"
run 3 "no pidfile given by path" "$STATUS" -p "$T/none/x.pid"

# ------------------------------------------------------------------ dead
stale "$R/old.pid"
oldpid=$(cat "$R/old.pid")
run 1 "stale pidfile: exit 1" "$STATUS" -n old
grep_out "^old: dead, pidfile exists \\(pid $oldpid\\)$" "dead: the line"
run 1 "-v: why dead" "$STATUS" -v -n old
grep_out "^old: dead, pidfile exists \\(pid $oldpid\\) \\[pidfile $R/old.pid; process $oldpid not running\\]$" \
	"-v: the reason"
check "status leaves a stale pidfile alone" test -f "$R/old.pid"

# A pidfile naming a process started after it was written (PID reuse).
echo "$self" >"$T/reused.pid"
touch -d '1 hour ago' "$T/reused.pid"
run 1 "PID reused by a younger process: dead" "$STATUS" "$T/reused.pid"

# --------------------------------------------------------------- unknown
unknown() {	# unknown NAME CONTENT(printf format) REASON-ERE
	# shellcheck disable=SC2059
	printf -- "$2" >"$T/u-$1.pid"
	run 4 "malformed ($1): exit 4" "$STATUS" "$T/u-$1.pid"
	grep_out "^u-$1: unknown \\(malformed pidfile: $3\\)$" "malformed ($1): reason given"
	check "malformed ($1): file untouched" test "$(cat -v "$T/u-$1.pid")" = "$(printf -- "$2" | cat -v)"
}
bystander
unknown empty '' 'empty file'
unknown text 'hello\n' 'not a number'
unknown minus '-1\n' 'not a number'
unknown zero '0\n' 'PID 0 or 1 is never a daemon'
unknown one '1\n' 'PID 0 or 1 is never a daemon'
unknown huge '99999999999999999999\n' 'PID out of range \(above pid_max\)'
unknown pidmax "$(($(cat /proc/sys/kernel/pid_max) + 1))\\n" 'PID out of range \(above pid_max\)'
unknown trailing "$bystander_pid x\\n" 'trailing garbage after the PID'
unknown twolines "$bystander_pid\\n\\n" 'trailing garbage after the PID'
unknown nul "$bystander_pid\\0\\n" 'NUL byte in file'
check "hostile pidfiles: the bystander lives" alive "$bystander_pid"
head -c 100 /dev/zero | tr '\0' 7 >"$T/u-big.pid"
run 4 "a 100-byte pidfile: unknown" "$STATUS" "$T/u-big.pid"

ln -s "$R/web.pid" "$T/link.pid"
run 4 "symlink: exit 4" "$STATUS" "$T/link.pid"
grep_out "^link: unknown \\(.*symbolic link.*\\)$" "symlink: reason given"
mkfifo "$T/fifo.pid"
start=$(date +%s%N)
run 4 "FIFO: exit 4, no hang" "$STATUS" "$T/fifo.pid"
# Opening the FIFO would wait for a writer forever: an answer at all, well
# inside the test's own time limit, shows the probe did not open it.
check "FIFO: answered, not stuck on the FIFO" \
	test $(( ($(date +%s%N) - start) / 1000000000 )) -lt 60
grep_out "^fifo: unknown \\(.*FIFO.*\\)$" "FIFO: reason given"
mkdir "$T/dir.pid"
run 4 "directory: exit 4" "$STATUS" "$T/dir.pid"
grep_out "directory" "directory: reason given"

# ------------------------------------------------------- several, --all
run 3 "running + not running: 3" "$STATUS" -n web -n nosuch
run 1 "running + dead: 1" "$STATUS" -n web -n old
run 4 "dead + unknown + running: 4" "$STATUS" -n old "$T/u-text.pid" -n web
run 0 "two running: 0" "$STATUS" -n web -p "$R/selfpid.pid"
check "several: one line each, in the order given" \
	test "$(cut -d: -f1 "$T/out" | tr '\n' ' ')" = "web selfpid "

mkdir "$T/all"
export DAEMONCTL_RUNDIR=$T/all
hold "$T/all/zeta.pid"
hold "$T/all/alpha.pid"
stale "$T/all/mid.pid"
: >"$T/all/.hidden.pid"
: >"$T/all/notes.txt"
run 1 "--all: the largest code" "$STATUS" --all
check "--all: sorted by name, only *.pid" \
	test "$(cut -d: -f1 "$T/out" | tr '\n' ' ')" = "alpha mid zeta "
printf '12x\n' >"$T/all/bad.pid"
run 4 "--all with a malformed one: 4" "$STATUS" -a
check "--all: four lines" test "$(wc -l <"$T/out")" = 4
run 0 "--all over an empty directory: 0" env DAEMONCTL_RUNDIR="$T/none-yet" \
	bash -c 'mkdir "$DAEMONCTL_RUNDIR" && exec "$@"' _ "$STATUS" --all
check "--all over an empty directory: no output" test ! -s "$T/out"
run 4 "--all, run dir missing: 4" env DAEMONCTL_RUNDIR="$T/missing" "$STATUS" --all
grep_err "^daemon-status: --all: .*$T/missing" "--all, run dir missing: says where"
export DAEMONCTL_RUNDIR=$R

# -------------------------------------------------------------------- -q
run 4 "-q: exit status kept" "$STATUS" -q -n web "$T/u-text.pid"
check "-q: nothing on stdout" test ! -s "$T/out"
check "-q: nothing on stderr" test ! -s "$T/err"
run 0 "-q running" "$STATUS" -q -n web
check "-q running: silent" test ! -s "$T/out"

# --------------------------------------------------------------- -x, -u
run 0 "--exec matching: running" "$STATUS" -x /bin/sleep -n web
run 1 "--exec not matching: dead" "$STATUS" --exec /bin/true -n web
grep_out "^web: dead, pidfile exists \\(pid $web\\)$" "--exec mismatch: reported dead"
run 0 "--user root: running" "$STATUS" -u root -n web
run 0 "--user 0: running" "$STATUS" -u 0 -n web
run 1 "--user nobody: dead" "$STATUS" --user nobody -n web
check "--exec/--user mismatch: the daemon lives" alive "$web"

# -------------------------------------------------------------- --json
json_check() {	# json_check PYTHON-EXPRESSION-ON-RECORDS (list r)
	python3 -c '
import json, sys
keys = ["name", "pidfile", "pid", "state", "locked", "started", "uptime",
        "instance", "exe", "user", "reason", "supervisor", "restarts",
        "last_exit"]
r = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
for o in r:
    assert list(o) == keys, list(o)
    assert o["state"] in ("running", "dead", "not-running", "unknown",
                          "restarting")
    assert o["supervisor"] is None and o["restarts"] == 0, o
    assert o["last_exit"] is None, o
    assert isinstance(o["locked"], bool)
    assert (o["reason"] is None) == (o["state"] in ("running", "not-running")), o
    assert o["pid"] is None or type(o["pid"]) is int
sys.exit(0 if eval(sys.argv[2]) else 1)' "$T/out" "$1"
}
DAEMON_INSTANCE_ID=6d1f1c2e-8b1a-4c55-9a37-3c2b0f9d4e10 hold "$R/inst.pid"
inst=$held
before=$(date +%s)
run 4 "--json: exit code as without" "$STATUS" --json -n web -n inst -n old -n nosuch \
	"$T/u-text.pid" "$T/fifo.pid"
after=$(date +%s)
check "--json: one valid object per line, the documented keys in order" json_check 'len(r) == 6'
check "--json: running record" json_check "r[0]['pid'] == $web and r[0]['state'] == 'running' and r[0]['locked'] is True and r[0]['exe'] == '$(readlink -f /bin/sleep)' and r[0]['user'] == 'root' and type(r[0]['uptime']) is int and r[0]['uptime'] >= 0 and r[0]['instance'] is None and r[0]['name'] == 'web' and r[0]['pidfile'] == '$R/web.pid'"
check "--json: started is ISO 8601 UTC, matching uptime" json_check "(
__import__('re').fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ', r[0]['started']) and
$before - 1 <= __import__('calendar').timegm(__import__('time').strptime(r[0]['started'], '%Y-%m-%dT%H:%M:%SZ')) + r[0]['uptime'] <= $after + 1)"
check "--json: instance from the daemon's environment" \
	json_check "r[1]['instance'] == '6d1f1c2e-8b1a-4c55-9a37-3c2b0f9d4e10' and r[1]['pid'] == $inst"
check "--json: dead record" json_check "r[2]['state'] == 'dead' and r[2]['pid'] == $oldpid and r[2]['started'] is None and r[2]['exe'] is None"
check "--json: not-running record" json_check "r[3]['state'] == 'not-running' and r[3]['pid'] is None and r[3]['locked'] is False"
check "--json: unknown records say why" json_check "r[4]['state'] == 'unknown' and 'not a number' in r[4]['reason'] and 'FIFO' in r[5]['reason']"

# Hostile file names: quotes, backslashes, a newline, a tab, non-UTF-8.
evil=$(printf '%s/we"b\\x\n\t\001\377\300\257caf\303\251' "$T")
hold "$evil.pid"
run 0 "--json: a hostile file name" "$STATUS" --json -p "$evil.pid"
check "--json: still one line" test "$(wc -l <"$T/out")" = 1
check "--json: the exact bytes come back (surrogateescape)" python3 -c '
import json, os, sys
o = json.loads(open(sys.argv[1], encoding="utf-8").read())
assert os.fsencode(o["pidfile"]) == os.fsencode(sys.argv[2] + ".pid"), o
assert os.fsencode(o["name"]) == os.fsencode(os.path.basename(sys.argv[2])), o
' "$T/out" "$evil"
check "--json: jq accepts it too" bash -c 'command -v jq >/dev/null || exit 0; jq -e .pid "$1" >/dev/null' _ "$T/out"
run 0 "human line for a hostile name stays one line" "$STATUS" -p "$evil.pid"
check "human: one line, control bytes shown escaped" \
	bash -c '[ "$(wc -l <"$1")" = 1 ] && grep -q "^we\"b\\\\\\\\x\\\\n\\\\t\\\\x01" "$1"' _ "$T/out"

# ----------------------------------------------------------- bad usage
run 4 "no daemon named: 4" "$STATUS"
grep_err "^daemon-status: no daemon named" "no daemon named: message"
run 4 "unknown option: 4" "$STATUS" --bogus -n web
grep_err "^daemon-status: unknown option '--bogus'" "unknown option: message"
check "unknown option: one line" test "$(wc -l <"$T/err")" = 1
run 4 "missing argument: 4" "$STATUS" -n
grep_err "^daemon-status: option '-n' needs a value" "missing argument: message"
run 4 "empty --pidfile: 4" "$STATUS" -p ''
run 4 "bad --name: 4" "$STATUS" -n ../etc/x
grep_err "^daemon-status: .*--name" "bad --name: message"
run 4 "unknown --user: 4" "$STATUS" -u no-such-user-here -n web
grep_err "^daemon-status: .*--user" "unknown --user: message"
if [ -w /dev/full ]; then
	timeout 10 "$STATUS" -n web >/dev/full 2>"$T/err"
	check "stdout full: exit 4" test $? = 4
	grep_err "^daemon-status: cannot write to standard output" "stdout full: said so"
fi
run 0 "--help: 0" "$STATUS" --help
grep_out "^Usage: daemon-status" "--help: usage"
run 0 "--version: 0" "$STATUS" -V
grep_out "^daemon-status \\(daemonctl\\) [0-9]" "--version: version"

# ------------------------------------------------------------ other users
# nobody must be able to run the tool: a build under a directory nobody
# may not enter (root's 0700 home) leaves these cases nothing to run.
if id nobody >/dev/null 2>&1 && [ "$(id -u)" = 0 ] &&
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$STATUS" --version >/dev/null 2>&1; then
	as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	mkdir -m 700 "$T/private"
	hold "$T/private/secret.pid"
	run 4 "as nobody, a pidfile in a 0700 directory: unknown" "${as_nobody[@]}" "$STATUS" "$T/private/secret.pid"
	grep_out "^secret: unknown \\(.*permission denied.*\\)$" "as nobody: the reason is given"
	run 4 "as nobody, --json: unknown with a reason" "${as_nobody[@]}" "$STATUS" --json "$T/private/secret.pid"
	check "as nobody, --json: reason says permission" json_check "'permission' in r[0]['reason']"
	run 0 "as nobody, root's daemon: running" "${as_nobody[@]}" "$STATUS" --json -n web
	check "as nobody, root's daemon: pid, user, no exe" \
		json_check "r[0]['pid'] == $web and r[0]['user'] == 'root' and r[0]['exe'] is None and r[0]['locked'] is True"
	# A daemon of another user, seen by root.
	mkdir -m 755 "$T/other"
	chown nobody "$T/other"
	"${as_nobody[@]}" bash -c 'exec 9>>"$1" && flock -n 9 && echo $$ >"$1" && exec sleep 600' \
		_ "$T/other/theirs.pid" </dev/null >/dev/null 2>&1 &
	theirs=$!
	track "$theirs"
	disown "$theirs"
	check "another user's daemon wrote its PID" \
		wait_for 600 names "$T/other/theirs.pid" "$theirs"
	run 0 "root sees another user's daemon running" "$STATUS" --json "$T/other/theirs.pid"
	check "another user's daemon: its user" json_check "r[0]['pid'] == $theirs and r[0]['user'] == 'nobody'"
	run 0 "-u nobody matches it" "$STATUS" -u nobody "$T/other/theirs.pid"
	run 0 "-v: another user's pidfile, seen by root" "$STATUS" -v "$T/other/theirs.pid"
	grep_out "pidfile not trusted: another user could have written it; .*user nobody" \
		"-v: root is told not to trust it"
else
	ok "# SKIP permission cases need root and setpriv"
fi

# ------------------------------------------------------ 1,000 pidfiles
# 1,000 pidfiles, each locked by one helper that wrote its PID into all.
# Only the answers are checked here; how fast they come is for bench/run
# to measure, so the time is just noted.
mkdir "$T/many"
python3 - "$T/many" <<'EOF' &
import fcntl, os, resource, sys, time
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
keep = []
for i in range(1000):
    f = open(os.path.join(sys.argv[1], "d%04d.pid" % i), "w")
    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    f.write("%d\n" % os.getpid())
    f.flush()
    keep.append(f)
open(os.path.join(sys.argv[1], "ready"), "w").close()
time.sleep(600)
EOF
many=$!
track "$many"
disown "$many"
check "1,000 pidfiles locked and written" wait_for 600 test -e "$T/many/ready"
rm -f "$T/many/ready"
run 0 "--all over 1,000 running daemons: 0" env DAEMONCTL_RUNDIR="$T/many" "$STATUS" --all
check "--all over 1,000: 1,000 running lines" test "$(grep -c ': running (pid' "$T/out")" = 1000
t0=$(date +%s%N)
run 0 "--all --json over 1,000 running daemons: 0" env DAEMONCTL_RUNDIR="$T/many" "$STATUS" --all --json
t1=$(date +%s%N)
check "--all --json over 1,000: 1,000 running records, the helper's PID" \
	json_check "len(r) == 1000 and all(o['state'] == 'running' and o['pid'] == $many for o in r)"
diag "daemon-status --all --json over 1,000 running daemons: $(( (t1 - t0) / 1000000 )) ms"

done_testing
