#!/bin/bash
# Messages that name the cause: an unsafe runtime directory is named, with
# what is wrong with it (owner, mode, type), not EPERM's text; a 4100-byte
# path reaches the end of every tool's message, "File name too long"
# included. The runtime directory cases run as nobody in a private mount
# namespace with a /tmp of its own.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

# The long path, for each tool: the whole path, then the cause.
long=$T/$(head -c 4100 /dev/zero | tr '\0' a)
for tool in status stop start; do
	case $tool in
	status) cmd=("$STATUS" -p "$long") want=4 ;;
	stop) cmd=("$STOP" -p "$long") want=3 ;;
	start) cmd=("$START" -p "$long" /bin/true) want=3 ;;
	esac
	run "$want" "daemon-$tool, 4100-byte pidfile path: exit $want" "${cmd[@]}"
	# status names the daemon by the last component, the others give
	# the path.
	out=$T/err what=$long
	[ "$tool" = status ] && out=$T/out what=${long##*/}
	check "daemon-$tool: the whole name is in the message" \
		grep -qF -- "$what: " "$out"
	check "daemon-$tool: the message ends with the cause" \
		grep -qE -- "File name too long\)?$" "$out"
	check "daemon-$tool: one line" test "$(wc -l <"$out")" = 1
done

# nobody must be able to run the tools: a build under a directory nobody
# may not enter (root's 0700 home) leaves these cases nothing to run.
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null ||
	! unshare --mount --propagation private true 2>/dev/null ||
	! setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$STATUS" --version >/dev/null 2>&1; then
	echo "# SKIP runtime directory cases: need root, setpriv, mount namespaces, and tools nobody can run"
	done_testing
fi

# rundir_case SETUP: in a private mount namespace with a fresh /tmp, set
# up /tmp/daemonctl-65534 with SETUP, then run each tool as nobody with
# --name; prints "TOOL EXIT STDERR" lines.
rundir_case() {
	unshare --mount --propagation private /bin/bash -c '
		mount -t tmpfs -o size=1m tmpfs /tmp || exit 99
		d=/tmp/daemonctl-65534
		eval "$1"
		as() { env -u XDG_RUNTIME_DIR -u DAEMONCTL_RUNDIR \
			setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
		e=$(as "$2" --name web 2>&1 >/dev/null); echo "status $? $e"
		e=$(as "$3" --name web 2>&1 >/dev/null); echo "stop $? $e"
		e=$(as "$4" --name web /bin/true 2>&1 >/dev/null); echo "start $? $e"
		' _ "$1" "$STATUS" "$STOP" "$START" >"$T/case" 2>&1
}

# expect DESC TOOL EXIT PATTERN
expect() {
	local line
	line=$(grep "^$2 " "$T/case")
	check "$1: daemon-$2 exits $3" test "${line#$2 }" != "" -a \
		"$(echo "$line" | cut -d' ' -f2)" = "$3"
	if echo "$line" | grep -qE -- "$4"; then ok "$1: daemon-$2 says why"; else
		not_ok "$1: daemon-$2 says why"; diag "$line"; fi
}

D=/tmp/daemonctl-65534
rundir_case 'mkdir -m 700 "$d"'
for t in status:4 stop:3 start:3; do
	expect "owned by root" "${t%:*}" "${t#*:}" \
		"daemon-${t%:*}: --name web: unsafe runtime directory $D: owned by uid 0, not by uid 65534$"
done
rundir_case 'mkdir -m 777 "$d" && chown 65534 "$d" && chmod 777 "$d"'
for t in status:4 stop:3 start:3; do
	expect "mode 0777" "${t%:*}" "${t#*:}" \
		"--name web: unsafe runtime directory $D: mode 0777 lets group or others write in it"
done
rundir_case 'ln -s / "$d"'
for t in status:4 stop:3 start:3; do
	expect "a symlink" "${t%:*}" "${t#*:}" \
		"--name web: unsafe runtime directory $D: a symbolic link, not a directory"
done
check "no message says Operation not permitted" \
	bash -c '! grep -q "Operation not permitted" "$1"' _ "$T/case"
done_testing
