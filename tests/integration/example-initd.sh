#!/bin/bash
# examples/init.d/nginx, run for real with Debian's nginx: a private
# configuration listening on 127.0.0.1, pidfile and logs in this test's
# directory, settings given through the script's DEFAULTS file, the tools
# from the build tree first on PATH. Every action and its LSB exit code,
# the master and worker processes read from /proc, a request served, and
# the LSB header block parsed as update-rc.d and insserv read it (and fed
# to both, on scratch directories in a private mount namespace).
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$DCTL_SRCDIR/tests/integration/debs.sh"
. "$DCTL_SRCDIR/tests/integration/lsb.sh"

SCRIPT=$DCTL_SRCDIR/examples/init.d/nginx
NGINX=/usr/sbin/nginx

# nginx's master and workers outlive their caller: a private PID namespace
# ends every one of them with the test.
if [ -x "$NGINX" ] && [ "$(id -u)" = 0 ]; then
	need_pidns "$@"
fi

# ------------------------------------------------- the LSB header block
check_lsb_header "$SCRIPT" nginx

# What update-rc.d makes of it, on private copies of /etc/init.d and the
# rc?.d directories (tmpfs in a mount namespace of its own, so the
# machine's links are never touched; _SKIP_SYSTEMD_NATIVE keeps it from
# calling systemctl).
rcd_links() {
	unshare --mount --propagation private sh -ec '
		script=$1 out=$2
		for d in /etc/init.d /etc/rc0.d /etc/rc1.d /etc/rc2.d /etc/rc3.d \
			/etc/rc4.d /etc/rc5.d /etc/rc6.d /etc/rcS.d; do
			[ -d "$d" ] && mount -t tmpfs tmpfs "$d"
		done
		cp "$script" /etc/init.d/nginx
		_SKIP_SYSTEMD_NATIVE=1 update-rc.d nginx defaults >"$out.err" 2>&1
		cd /etc && ls -d rc?.d/* | sed "s/[0-9][0-9]nginx\$/NNnginx/" | sort | tr "\n" " " >"$out"
		for l in rc?.d/*; do [ "$(readlink "$l")" = ../init.d/nginx ]; done
		_SKIP_SYSTEMD_NATIVE=1 update-rc.d nginx remove >>"$out.err" 2>&1
		test -z "$(find rc?.d -mindepth 1)"
	' sh "$SCRIPT" "$T/links"
}
want_links="rc0.d/KNNnginx rc1.d/KNNnginx rc2.d/SNNnginx rc3.d/SNNnginx rc4.d/SNNnginx rc5.d/SNNnginx rc6.d/KNNnginx "
if ! command -v update-rc.d >/dev/null; then
	ok "# SKIP update-rc.d not installed (init-system-helpers)"
elif ! unshare --mount true 2>/dev/null; then
	ok "# SKIP no private mount namespace for update-rc.d"
else
	check "update-rc.d defaults, then remove, on private rc?.d" rcd_links
	check "update-rc.d links it from Default-Start/Default-Stop" \
		test "$(cat "$T/links")" = "$want_links"
	[ "$(cat "$T/links")" = "$want_links" ] || diag "links: $(cat "$T/links") $(cat "$T/links.err")"
fi

# insserv, the dependency-based ordering update-rc.d uses when installed,
# from its package unpacked here: a dry run on a scratch init.d.
if unpack_debs "$T/insserv" insserv; then
	# It works in -p's parent directory, rc?.d beside init.d.
	mkdir -p "$T/initd" "$T"/rc0.d "$T"/rc1.d "$T"/rc2.d "$T"/rc3.d \
		"$T"/rc4.d "$T"/rc5.d "$T"/rc6.d "$T"/rcS.d
	cp "$SCRIPT" "$T/initd/nginx"
	run 0 "insserv accepts the header" "$T/insserv/sbin/insserv" -n -s \
		-c "$T/insserv/etc/insserv.conf" -o "$T/initd-overrides" \
		-p "$T/initd" nginx
	grep_out "^S:[0-9]+:2 3 4 5:nginx\$" "insserv starts it in 2 3 4 5"
	grep_out "^K:[0-9]+:0 1 6:nginx\$" "insserv stops it in 0 1 6"
	# It tells what it would link, and that a dry run writes no
	# depend.* files; anything else is a complaint about the header.
	grep -Ev '^insserv: (enable service \.\./init\.d/nginx -> |dryrun, not creating)' \
		"$T/err" >"$T/complaints"
	check "insserv has no complaint" test ! -s "$T/complaints"
	[ -s "$T/complaints" ] && diag "$(cat "$T/complaints")"
else
	ok "insserv # SKIP $deb_why"
fi

# ------------------------------------------------------------ the daemon
if [ ! -x "$NGINX" ]; then
	ok "# SKIP $NGINX not installed (apt-get install nginx-light)"
	done_testing
fi
if [ "$(id -u)" != 0 ]; then
	ok "# SKIP nginx runs its workers as nobody: needs root"
	done_testing
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null)
[ -n "$port" ] || port=$((20000 + $$ % 20000))

# nginx's workers run as nobody: they must reach the document root.
chmod 0711 "$T"
mkdir -p "$T/www" "$T/tmp"
token="served by nginx for $$"
echo "$token" >"$T/www/index.html"
chmod -R a+rX "$T/www"

# nginx_conf NAME PORT: a configuration of its own in $T/NAME.conf.
nginx_conf() {
	cat >"$T/$1.conf" <<EOF
worker_processes 1;
error_log $T/$1-error.log notice;
events { worker_connections 32; }
http {
	access_log $T/$1-access.log;
	client_body_temp_path $T/tmp/body;
	proxy_temp_path $T/tmp/proxy;
	fastcgi_temp_path $T/tmp/fastcgi;
	uwsgi_temp_path $T/tmp/uwsgi;
	scgi_temp_path $T/tmp/scgi;
	server {
		listen 127.0.0.1:$2;
		root $T/www;
	}
}
EOF
	cat >"$T/$1.default" <<EOF
DAEMON=$NGINX
CONF=$T/$1.conf
PIDFILE=$T/$1.pid
EOF
	# The script as an admin runs it (service(8) gives it an empty
	# environment but PATH), with the tools of this build.
	cat >"$T/$1.initd" <<EOF
#!/bin/sh
exec env -i PATH="$DCTL_BUILDDIR/src:/usr/sbin:/usr/bin:/sbin:/bin" \\
	DEFAULTS="$T/$1.default" sh "$SCRIPT" "\$@"
EOF
	chmod +x "$T/$1.initd"
}
nginx_conf nginx "$port"
PF=$T/nginx.pid

initd=$T/nginx.initd

pidfile_pid() {
	local p
	p=$(cat "$PF" 2>/dev/null)
	case $p in ''|*[!0-9]*|0|1) return 1 ;; esac
	[ "$(cat "$PF")" = "$p" ] && [ "$(wc -c <"$PF")" = $((${#p} + 1)) ] || return 1
	echo "$p"
}

workers() {
	pgrep -P "$1" | sort -n | tr '\n' ' '
}

# serves: a request on the port gets the page.
serves() {
	timeout 10 bash -c '
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		printf "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n" >&3
		cat <&3' - "$port" >"$T/http" 2>&1 &&
	head -n 1 "$T/http" | grep -q '^HTTP/1.[01] 200 ' &&
	grep -qx "$token" "$T/http"
}

# wait_until TENTHS COMMAND...: until COMMAND succeeds.
wait_until() {
	local i=0 n=$1
	shift
	until "$@"; do
		i=$((i + 1))
		[ "$i" -gt "$n" ] && return 1
		sleep 0.1
	done
}

new_worker() {
	local w
	w=$(workers "$1")
	[ -n "$w" ] && case " $w" in *" $2 "*) return 1 ;; *) return 0 ;; esac
}

run 0 "start: exit 0" "$initd" start
master=$(pidfile_pid) || master=
check "start: the pidfile holds the PID and a newline" test -n "$master"
[ -n "$master" ] && track "$master"
master=${master:-999999999}
check "start: the PID is nginx" test "$(readlink "/proc/$master/exe")" = "$NGINX"
check "start: it is the master process" \
	grep -q '^nginx: master process' "/proc/$master/cmdline"
check "start: it has a worker" wait_until 100 test -n "$(workers "$master")"
check "start: it serves a request on 127.0.0.1:$port" wait_until 50 serves
worker=$(workers "$master")

run 0 "start again: exit 0" "$initd" start
check "start again: the same master" test "$(pidfile_pid)" = "$master"
check "start again: no second nginx" test "$(pgrep -x nginx | wc -l)" = 2

run 0 "status: exit 0 (running)" "$initd" status
grep_out "^nginx: running \(pid $master" "status: names the master"

run 0 "reload: exit 0" "$initd" reload
check "reload: the master stays" test "$(pidfile_pid)" = "$master"
check "reload: a new worker takes over" wait_until 100 new_worker "$master" "$worker"
check "reload: the old worker leaves" wait_gone "${worker%% *}" 100
check "reload: nginx logged the HUP" \
	grep -q "signal 1 (SIGHUP) received.*reconfiguring" "$T/nginx-error.log"
check "reload: still serving" wait_until 50 serves

worker=$(workers "$master")
run 0 "force-reload: exit 0" "$initd" force-reload
check "force-reload: the master stays" test "$(pidfile_pid)" = "$master"
check "force-reload: a new worker" wait_until 100 new_worker "$master" "$worker"

run 0 "restart: exit 0" "$initd" restart
check "restart: the old master is gone" wait_gone "$master" 100
new=$(pidfile_pid) || new=
[ -n "$new" ] && track "$new"
check "restart: a new master in the pidfile" test -n "$new" -a "$new" != "$master"
check "restart: the new PID is nginx" test "$(readlink "/proc/${new:-0}/exe")" = "$NGINX"
check "restart: serving again" wait_until 50 serves
master=${new:-999999999}

# A second instance whose configuration passes "nginx -t" but whose port
# is taken (by the first): nginx itself fails while starting.
nginx_conf busy "$port"
PF=$T/busy.pid
run 1 "start on a taken port: exit 1 (LSB: failed)" "$T/busy.initd" start
# Not even the empty one "nginx -t" makes.
check "start on a taken port: no pidfile" test ! -e "$T/busy.pid"
run 3 "status after the failed start: exit 3 (not running)" "$T/busy.initd" status
check "start on a taken port: nginx said why" \
	grep -q "bind() to 127.0.0.1:$port failed" "$T/busy-error.log"
first=$( (echo "$master"; pgrep -P "$master") | sort -n | tr '\n' ' ')
check "start on a taken port: no nginx but the first" \
	test "$(pgrep -x nginx | sort -n | tr '\n' ' ')" = "$first"
PF=$T/nginx.pid

# reload with a broken configuration: refused, the running one stays.
cp "$T/nginx.conf" "$T/nginx.conf.good"
echo "this is not a directive;" >>"$T/nginx.conf"
run 1 "reload with a broken config: exit 1" "$initd" reload
grep_err "unknown directive \"this\"" "reload with a broken config: nginx -t says why"
check "reload with a broken config: the master stays" test "$(pidfile_pid)" = "$master"
check "reload with a broken config: still serving" serves
cp "$T/nginx.conf.good" "$T/nginx.conf"

run 0 "stop: exit 0" "$initd" stop
check "stop: nginx is gone" wait_gone "$master" 100
check "stop: no nginx left" test -z "$(pgrep -x nginx)"
check "stop: the pidfile is gone" test ! -e "$PF"

run 0 "stop again: exit 0" "$initd" stop
run 3 "status after stop: exit 3 (not running)" "$initd" status
run 7 "reload when stopped: exit 7 (not running)" "$initd" reload
run 7 "force-reload when stopped: exit 7" "$initd" force-reload

echo "this is not a directive;" >>"$T/nginx.conf"
run 1 "start with a broken config: exit 1" "$initd" start
grep_err "unknown directive \"this\"" "start with a broken config: nginx -t says why"
check "start with a broken config: no pidfile" test ! -e "$PF"
check "start with a broken config: no nginx" test -z "$(pgrep -x nginx)"
cp "$T/nginx.conf.good" "$T/nginx.conf"

run 2 "an unknown action: exit 2" "$initd" frobnicate
grep_err "^Usage: " "an unknown action: the usage"
run 0 "restart when stopped starts it" "$initd" restart
new=$(pidfile_pid) || new=
[ -n "$new" ] && track "$new"
check "restart when stopped: nginx runs" test "$(readlink "/proc/${new:-0}/exe")" = "$NGINX"
run 0 "stop: exit 0" "$initd" stop
check "stop: nginx is gone" wait_gone "${new:-999999999}" 100

# Debian's own nginx.conf names its pidfile ("pid /run/nginx.pid;"):
# the script must use that one and not give nginx a second "pid".
nginx_conf debian "$port"
sed -i "1i pid $T/debian-own.pid;" "$T/debian.conf"
sed -i '/^PIDFILE=/d' "$T/debian.default"
PF=$T/debian-own.pid
run 0 "a config with its own pid: start exit 0" "$T/debian.initd" start
new=$(pidfile_pid) || new=
[ -n "$new" ] && track "$new"
check "a config with its own pid: that pidfile names nginx" \
	test "$(readlink "/proc/${new:-0}/exe")" = "$NGINX"
run 0 "a config with its own pid: status exit 0" "$T/debian.initd" status
run 0 "a config with its own pid: reload exit 0" "$T/debian.initd" reload
run 0 "a config with its own pid: stop exit 0" "$T/debian.initd" stop
check "a config with its own pid: nginx is gone" wait_gone "${new:-999999999}" 100
check "a config with its own pid: its pidfile is gone" test ! -e "$PF"

done_testing
