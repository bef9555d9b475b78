# shellcheck shell=bash
# Sourced by the example tests that need a tool of another init system
# (OpenRC, insserv) without installing it: the Debian package is fetched
# with `apt-get download` and unpacked with `dpkg-deb -x` into a scratch
# directory, so nothing on the machine changes.
#
#   unpack_debs DIR PKG...   # 0, or 1 with the reason in $deb_why

# Downloaded packages are kept between runs (they are read-only inputs):
# in $DCTL_DEB_CACHE, else in the build tree ("make clean" removes them).
deb_cache=${DCTL_DEB_CACHE:-$DCTL_BUILDDIR/tests/debs}
deb_why=

# shellcheck disable=SC2034 # deb_why is for the caller's SKIP line

unpack_debs() {
	local dir=$1 pkg f
	shift
	if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
		deb_why="no apt-get or dpkg-deb (not a Debian system)"
		return 1
	fi
	mkdir -p "$deb_cache" "$dir" || { deb_why="cannot create $deb_cache"; return 1; }
	for pkg in "$@"; do
		f=$(find "$deb_cache" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
		if [ -z "$f" ]; then
			# As root apt drops to _apt, which cannot write here.
			(cd "$deb_cache" && timeout 120 apt-get -q -o APT::Sandbox::User=root \
				download "$pkg") >"$dir/apt.log" 2>&1
			f=$(find "$deb_cache" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
		fi
		if [ -z "$f" ]; then
			deb_why="apt-get download $pkg failed: $(tail -n 1 "$dir/apt.log")"
			return 1
		fi
		dpkg-deb -x "$f" "$dir" || { deb_why="dpkg-deb -x $f failed"; return 1; }
	done
}
