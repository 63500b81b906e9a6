#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fetch (once) the kernel source a test kernel is built from, and say where it is.
#
#   scripts/kernel-source.sh SERIES        (SERIES: 6.12 or 7.3)
#
# Prints two lines on stdout: the source tarball, then its Debian version made safe for
# a path (the cache key). 6.12 is Debian 12's own linux-source-6.12, installed by
# setup.sh. 7.3 is linux-source-7.3 from Debian 13's backports, fetched into the cache
# without touching the system's apt sources: a private sources list and apt state under
# $NMR_CACHE/apt, `apt-get download` of the pinned version, `dpkg -x`.
set -euo pipefail

# The one place the 7.3 source is pinned. A newer 7.3.x in the archive is not taken
# until this line changes: the cached kernels, and what the README says was tested,
# stay true.
NMR_SRC_7_3_PACKAGE=linux-source-7.3
NMR_SRC_7_3_VERSION=7.3.4-1~bpo13+1
NMR_SRC_7_3_SUITE=trixie-backports

here=$(cd "$(dirname "$0")" && pwd)
series=${1:?usage: kernel-source.sh SERIES}
cache=${NMR_CACHE:-$HOME/.cache/nmr}
safe() { echo "$1" | tr '~+:' '___'; }

case $series in
6.12)
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || true)
	if [ -z "$ver" ]; then
		"$here/setup.sh" >&2
		ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
	fi
	echo /usr/src/linux-source-6.12.tar.xz
	safe "$ver"
	exit 0
	;;
7.3) pkg=$NMR_SRC_7_3_PACKAGE ver=$NMR_SRC_7_3_VERSION suite=$NMR_SRC_7_3_SUITE ;;
*) echo "kernel-source.sh: no kernel series '$series' (6.12 or 7.3)" >&2; exit 1 ;;
esac

dir=$cache/deb/$pkg-$(safe "$ver")
tarball=$dir/usr/src/$pkg.tar.xz
if [ -f "$dir/.nmr-extracted" ]; then
	echo "$tarball"
	safe "$ver"
	exit 0
fi

# The archive this machine already uses, for Debian 13's suites too.
archive=$(sed -n 's/^URIs: *\(http[^ ]*debian\/*\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
[ -n "$archive" ] || archive=$(sed -n 's/^deb \(\[[^]]*\] \)\?\(http[^ ]*debian\/*\) .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -n 1)
[ -n "$archive" ] || archive=http://deb.debian.org/debian
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
signed=""
[ -f "$keyring" ] && signed="[signed-by=$keyring] "

apt=$cache/apt/$suite
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$dir.tmp"
echo "deb $signed$archive $suite main" > "$apt/sources.list"
opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
      -o Dir::State::status=/dev/null -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
[ "$(id -u)" -eq 0 ] || opts+=(-o APT::Sandbox::User="$(id -un)")

fail() {
	echo "kernel-source.sh: could not fetch $pkg=$ver from $archive $suite: $1" >&2
	if [ "$(id -u)" -ne 0 ]; then
		echo "nmr: run as root:  $here/kernel-source.sh $series" >&2
	fi
	exit 1
}

echo "nmr: fetching $pkg $ver from $archive $suite (private apt state in $apt)" >&2
apt-get -qq "${opts[@]}" update >&2 || fail "apt-get update failed"
if ! apt-cache "${opts[@]}" madison "$pkg" | grep -q "| $ver |"; then
	fail "the archive offers $(apt-cache "${opts[@]}" madison "$pkg" | cut -d'|' -f2 | tr -d ' ' | paste -sd, - || true) (change NMR_SRC_7_3_VERSION in $0)"
fi
(cd "$dir.tmp" && apt-get -qq "${opts[@]}" download "$pkg=$ver") >&2 || fail "apt-get download failed"
deb=$(ls "$dir.tmp"/*.deb)
dpkg -x "$deb" "$dir.tmp"
rm -f "$deb"
[ -f "$dir.tmp/usr/src/$pkg.tar.xz" ] || fail "the package holds no usr/src/$pkg.tar.xz"
touch "$dir.tmp/.nmr-extracted"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
echo "nmr: fetched $pkg $ver: $tarball ($(du -h "$tarball" | cut -f1))" >&2
echo "$tarball"
safe "$ver"
