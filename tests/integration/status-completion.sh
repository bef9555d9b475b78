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

# The cases, run without and then with bash-completion's helpers.
cases() {
	local m=$1
	comp _daemon_status daemon-status --js
	check "${m}status: --js completes to --json" only --json

	comp _daemon_status daemon-status -
	check "${m}status: options listed" has --all

	comp _daemon_status daemon-status --name w
	check "${m}status --name: names from RUNDIR" only web worker

	comp _daemon_status daemon-status -n ""
	check "${m}status -n: every name, no other files" only db web worker

	comp _daemon_status daemon-status --name = ""
	check "${m}status --name=: names too" only db web worker

	comp _daemon_status daemon-status --pidfile "$T/files/"
	check "${m}status --pidfile: file names" only "$T/files/a.pid" "$T/files/b.pid"

	comp _daemon_status daemon-status "$T/files/a"
	check "${m}status positional: file names" only "$T/files/a.pid"

	comp _daemon_status daemon-status --user roo
	check "${m}status --user: users" has root

	comp _daemon_stop daemon-stop --signal TE
	check "${m}stop --signal TE: TERM" only TERM

	comp _daemon_stop daemon-stop -s SIGKI
	check "${m}stop -s SIGKI: KILL" only KILL

	comp _daemon_stop daemon-stop --signal = HU
	check "${m}stop --signal=HU: HUP" only HUP

	comp _daemon_stop daemon-stop --na
	check "${m}stop --na: --name" only --name

	comp _daemon_stop daemon-stop -n d
	check "${m}stop -n d: db" only db

	comp _daemon_stop daemon-stop -vs HU
	check "${m}stop -vs HU: HUP" only HUP

	comp _daemon_status daemon-status -ap "$T/files/b"
	check "${m}status -ap: file names" only "$T/files/b.pid"

	comp _daemon_start daemon-start --chuid roo
	check "${m}start --chuid: users" has root

	comp _daemon_start daemon-start --chuid root : roo
	check "${m}start --chuid USER:GROUP: groups" has root

	comp _daemon_start daemon-start -p "$T/files/b"
	check "${m}start -p: file names" only "$T/files/b.pid"

	comp _daemon_start daemon-start -p x slee
	check "${m}start: PROGRAM from the commands" has sleep

	comp _daemon_start daemon-start slee
	check "${m}start: PROGRAM first" has sleep

	comp _daemon_start daemon-start --pidfile = x -- slee
	check "${m}start: PROGRAM after --" has sleep

	comp _daemon_start daemon-start -p x --forki
	check "${m}start: options before PROGRAM" only --forking

	comp _daemon_start daemon-start --name web sleep --he
	check "${m}start: no option of ours after PROGRAM" bash -c '! printf "%s\n" "$@" | grep -qx -- --help' _ "${COMPREPLY[@]}"

	comp _daemon_start daemon-start -qn w
	check "${m}start -qn: a name" only web worker

	comp _daemon_start daemon-start --chdir "$T/fi"
	check "${m}start --chdir: directories" only "$T/files"

	comp _daemon_start daemon-start -c root : roo
	check "${m}start -c USER:GROUP: groups" has root

	comp _daemon_start daemon-start --syslog = loc
	check "${m}start --syslog=: facilities" only local0 local1 local2 local3 \
		local4 local5 local6 local7

	comp _daemon_start daemon-start --syslog slee
	check "${m}start --syslog PROGRAM: a bare --syslog takes no value" has sleep

	comp _daemon_start daemon-start -O x --output-keep 3 slee
	check "${m}start --output-keep N: then PROGRAM" has sleep
}

cases ""

# Every long option a tool's --help names is offered after "--".
for tool in "$START" "$STOP" "$STATUS"; do
	name=${tool##*/}
	if [ ! -x "$tool" ]; then
		ok "# SKIP $name not built"
		continue
	fi
	comp "_${name//-/_}" "$name" --
	missing=""
	for o in $("$tool" --help 2>/dev/null | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
		has "$o" || missing="$missing $o"
	done
	check "$name: completion offers every option of --help${missing:+ (missing:$missing)}" \
		test -z "$missing"
done
check "no errors on stderr" test ! -s "$T/comp-err"

bc=${BASH_COMPLETION:-/usr/share/bash-completion/bash_completion}
if [ -r "$bc" ]; then
	# shellcheck disable=SC1090
	. "$bc" >/dev/null 2>&1
	cases "with bash-completion: "
	if command -v git >/dev/null; then
		comp _daemon_start daemon-start -p x git ""
		# git's own completion appends a space to its words.
		check "with bash-completion: PROGRAM's own completion (git)" \
			bash -c 'printf "%s\n" "$@" | grep -qx "commit *"' _ "${COMPREPLY[@]}"
	fi
else
	ok "# SKIP bash-completion not installed"
fi

done_testing
