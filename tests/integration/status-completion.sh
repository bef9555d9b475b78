#!/bin/bash
# Bash completion of the three tools: source each file as bash-completion
# would, fill COMP_WORDS as readline does, and check COMPREPLY.
. "${DCTL_SRCDIR:-$(dirname "$0")/../..}/tests/integration/lib.sh"

C=$DCTL_SRCDIR/completion

# comp FUNC WORD...: complete the last WORD (COMP_WORDBREAKS splitting is
# done by the caller: pass "--pidfile" "=" "x" for "--pidfile=x").
comp() {
	local fn=$1
	shift
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	"$fn" 2>"$T/comp-err"
}

# has WORD: COMPREPLY holds WORD.
has() {
	local w
	for w in "${COMPREPLY[@]}"; do
		[ "$w" = "$1" ] && return 0
	done
	return 1
}

# only WORD...: COMPREPLY is exactly these words, in any order.
only() {
	local got want
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort)
	want=$(printf '%s\n' "$@" | sort)
	[ "$got" = "$want" ] || { diag "got: $got"; return 1; }
}

if command -v shellcheck >/dev/null; then
	check "shellcheck is clean" shellcheck -s bash \
		"$C/daemon-start" "$C/daemon-stop" "$C/daemon-status"
else
	ok "# SKIP shellcheck not installed"
fi

for f in daemon-start daemon-stop daemon-status; do
	# shellcheck disable=SC1090
	. "$C/$f"
	spec=$(complete -p "$f" 2>/dev/null)
	check "$f registers its completion" test "$spec" = "complete -F _${f//-/_} $f"
done

: >"$DAEMONCTL_RUNDIR/web.pid"
: >"$DAEMONCTL_RUNDIR/worker.pid"
: >"$DAEMONCTL_RUNDIR/db.pid"
: >"$DAEMONCTL_RUNDIR/notes.txt"
mkdir -p "$T/files"
: >"$T/files/a.pid"
: >"$T/files/b.pid"

comp _daemon_status daemon-status --js
check "status: --js completes to --json" only --json

comp _daemon_status daemon-status -
check "status: options listed" has --all

comp _daemon_status daemon-status --name w
check "status --name: names from RUNDIR" only web worker

comp _daemon_status daemon-status -n ""
check "status -n: every name, no other files" only db web worker

comp _daemon_status daemon-status --name = ""
check "status --name=: names too" only db web worker

comp _daemon_status daemon-status --pidfile "$T/files/"
check "status --pidfile: file names" only "$T/files/a.pid" "$T/files/b.pid"

comp _daemon_status daemon-status "$T/files/a"
check "status positional: file names" only "$T/files/a.pid"

comp _daemon_status daemon-status --user roo
check "status --user: users" has root

comp _daemon_stop daemon-stop --signal TE
check "stop --signal TE: TERM" only TERM

comp _daemon_stop daemon-stop -s SIGKI
check "stop -s SIGKI: KILL" only KILL

comp _daemon_stop daemon-stop --signal = HU
check "stop --signal=HU: HUP" only HUP

comp _daemon_stop daemon-stop --na
check "stop --na: --name" only --name

comp _daemon_stop daemon-stop -n d
check "stop -n d: db" only db

comp _daemon_stop daemon-stop -vs HU
check "stop -vs HU: HUP" only HUP

comp _daemon_status daemon-status -ap "$T/files/b"
check "status -ap: file names" only "$T/files/b.pid"

comp _daemon_start daemon-start --chuid roo
check "start --chuid: users" has root

comp _daemon_start daemon-start --chuid root : roo
check "start --chuid USER:GROUP: groups" has root

comp _daemon_start daemon-start -p "$T/files/b"
check "start -p: file names" only "$T/files/b.pid"

comp _daemon_start daemon-start -p x slee
check "start: PROGRAM from the commands" has sleep

comp _daemon_start daemon-start slee
check "start: PROGRAM first" has sleep

comp _daemon_start daemon-start --pidfile = x -- slee
check "start: PROGRAM after --" has sleep

comp _daemon_start daemon-start -p x --forki
check "start: options before PROGRAM" only --forking

comp _daemon_start daemon-start --name web sleep --he
check "start: no option of ours after PROGRAM" bash -c '! printf "%s\n" "$@" | grep -qx -- --help' _ "${COMPREPLY[@]}"

comp _daemon_start daemon-start -qn w
check "start -qn: a name" only web worker

comp _daemon_start daemon-start --chdir "$T/fi"
check "start --chdir: directories" only "$T/files"

comp _daemon_start daemon-start -c root : roo
check "start -c USER:GROUP: groups" has root

check "no errors on stderr" test ! -s "$T/comp-err"

done_testing
