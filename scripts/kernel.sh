#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build (once) and print the path of a cached test kernel built from Debian's linux-source-6.12.
#
#   scripts/kernel.sh [--path] [CONFIG]
#
# CONFIG names a fragment in scripts/configs/ (default: debug). The unpacked source and the
# build live under $NMR_CACHE (default ~/.cache/nmr), keyed by the source package version and
# the fragment's hash, so a second run rebuilds nothing. --path prints where the build is (or
# would be) without building. The build directory is the last line printed on stdout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
path_only=0
[ "${1:-}" = --path ] && { path_only=1; shift; }
name=${1:-debug}
frag=$here/configs/$name.config
[ -f "$frag" ] || { echo "kernel.sh: no config fragment $frag" >&2; exit 1; }

cache=${NMR_CACHE:-$HOME/.cache/nmr}
tarball=/usr/src/linux-source-6.12.tar.xz

pkgver() { dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null | tr '~+:' '___'; }
ver=$(pkgver || true)
if [ -z "$ver" ] && [ $path_only -eq 0 ]; then
	"$here/setup.sh"
	ver=$(pkgver)
fi
[ -n "$ver" ] || { echo "kernel.sh: linux-source-6.12 is not installed" >&2; exit 1; }

hash=$(sha256sum "$frag" | cut -c1-12)
src=$cache/src/linux-$ver
build=$cache/build/$ver-$name-$hash
if [ $path_only -eq 1 ]; then
	echo "$build"
	exit 0
fi
if [ -f "$build/.nmr-built" ]; then
	echo "$build"
	exit 0
fi

"$here/setup.sh"
mkdir -p "$cache/src" "$cache/build"
exec 9>"$cache/.lock"
flock 9		# one builder at a time; a second caller finds the finished build

if [ ! -f "$src/.nmr-unpacked" ]; then
	echo "nmr: unpacking $tarball into $src" >&2
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xJf "$tarball" -C "$src.tmp" --strip-components=1
	touch "$src.tmp/.nmr-unpacked"
	mv "$src.tmp" "$src"
fi

if [ ! -f "$build/.nmr-built" ]; then
	echo "nmr: building the $name test kernel in $build (first run only: about 6-7 minutes on 2 cores)" >&2
	mkdir -p "$build"
	cp "$frag" "$build/.kunitconfig"
	start=$(date +%s)
	if ! (cd "$src" && python3 tools/testing/kunit/kunit.py build --arch=x86_64 \
		--build_dir="$build" --kunitconfig="$build/.kunitconfig" \
		--jobs="$(nproc)") >"$build/nmr-build.log" 2>&1; then
		tail -40 "$build/nmr-build.log" >&2
		echo "kernel.sh: kernel build failed; full log: $build/nmr-build.log" >&2
		exit 1
	fi
	touch "$build/.nmr-built"
	echo "nmr: kernel built in $(($(date +%s) - start)) s" >&2
fi
echo "$build"
