# shellcheck shell=bash
# The LSB header block of an init script, read as update-rc.d and insserv
# read it, for the tests of the example init scripts (after lib.sh).
#
#   check_lsb_header SCRIPT PROVIDES

# lsb_header FILE: print the block's fields as "Keyword: value" (with
# continuation lines joined), or fail saying what is wrong with it.
lsb_header() {
	awk '
	/^### BEGIN INIT INFO[ \t]*$/ { inblock = 1; begins++; next }
	/^### END INIT INFO[ \t]*$/ { if (inblock) ends++; inblock = 0; next }
	!inblock { next }
	/^# [A-Z][A-Za-z-]*:/ {
		key = $2; sub(/:$/, "", key)
		val = $0; sub(/^# [A-Za-z-]*:[ \t]*/, "", val)
		if (key in field) { print "duplicate " key > "/dev/stderr"; bad = 1 }
		field[key] = val; order[++n] = key
		next
	}
	# Only Description may go on, on lines indented past "# ".
	/^#(\t|  )/ && key == "Description" {
		val = $0; sub(/^#[ \t]*/, "", val)
		field[key] = field[key] " " val
		next
	}
	{ print "not a header line: " $0 > "/dev/stderr"; bad = 1 }
	END {
		if (begins != 1 || ends != 1) {
			print "want one BEGIN/END INIT INFO pair" > "/dev/stderr"
			exit 1
		}
		for (i = 1; i <= n; i++) print order[i] ": " field[order[i]]
		exit bad
	}' "$1"
}

# header_field KEYWORD: its value in the block lsb_header last wrote.
header_field() {
	sed -n "s/^$1: //p" "$T/header"
}

# Runlevels as Debian's sysv-rc knows them, none twice.
levels_ok() {
	local l seen=" "
	[ -n "$1" ] || return 1
	for l in $1; do
		case $l in [0-6S]) ;; *) return 1 ;; esac
		case $seen in *" $l "*) return 1 ;; esac
		seen="$seen$l "
	done
}

# check_lsb_header SCRIPT PROVIDES: the block parses, has the fields
# update-rc.d needs with values it takes, and Provides is PROVIDES.
check_lsb_header() {
	local k f both unknown=
	lsb_header "$1" >"$T/header"
	check "the LSB header block parses" test "$?" = 0
	for k in Provides Required-Start Required-Stop Default-Start Default-Stop Short-Description; do
		check "the header has $k" test -n "$(header_field "$k")"
	done
	check "Provides names the script" test "$(header_field Provides)" = "$2"
	check "Default-Start is a list of runlevels" levels_ok "$(header_field Default-Start)"
	check "Default-Stop is a list of runlevels" levels_ok "$(header_field Default-Stop)"
	# shellcheck disable=SC2046 # one runlevel a word
	both=$(printf '%s\n' $(header_field Default-Start) $(header_field Default-Stop) | sort | uniq -d)
	check "no runlevel both starts and stops it" test -z "$both"
	# Facilities ($name) and services are words; insserv knows these names.
	for f in $(header_field Required-Start) $(header_field Required-Stop); do
		case $f in
		'$local_fs'|'$remote_fs'|'$network'|'$syslog'|'$named'|'$portmap'|'$time'|'$all') ;;
		'$'*) unknown="$unknown $f" ;;
		esac
	done
	check "only facilities insserv defines${unknown:+ (not$unknown)}" test -z "$unknown"
	check "the first line is #!/bin/sh" test "$(head -n 1 "$1")" = "#!/bin/sh"
	check "the script is executable" test -x "$1"
}
