#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build (once) and print the path of a cached test kernel.
#
#   scripts/kernel.sh [--path] [NAME]
#
# NAME is FRAGMENT or FRAGMENT-SERIES (default: debug): FRAGMENT names a config fragment
# in scripts/configs/ (debug, kcsan, bench), SERIES the kernel source (6.12, the default:
# Debian 12's linux-source-6.12; 7.3: Debian 13 backports' linux-source-7.3, fetched by
# scripts/kernel-source.sh). The checker kernels' fragments (debug, kcsan) get
# scripts/configs/lean.config (what no test needs, left out) appended; a series may have a
# small delta of its own, scripts/configs/series-SERIES.config, appended last. The unpacked
# source and the build live under $NMR_CACHE (default ~/.cache/nmr), keyed by the source package
# version and the hash of the fragment's options as built, so a second run rebuilds nothing.
# --path prints where the build is (or would be) without building. The build directory
# is the last line printed on stdout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
path_only=0
[ "${1:-}" = --path ] && { path_only=1; shift; }
name=${1:-debug}
case $name in
*-[0-9]*) frag_name=${name%-*} series=${name##*-} ;;
*) frag_name=$name series=6.12 ;;
esac
frag=$here/configs/$frag_name.config
lean=$here/configs/lean.config
# Not for the bench kernel: lean.config needs EXPERT, which selects DEBUG_KERNEL, and the
# bench kernel is the one without the debug checkers.
[ "$frag_name" = bench ] && lean=/dev/null
delta=$here/configs/series-$series.config
[ -f "$frag" ] || { echo "kernel.sh: no config fragment $frag" >&2; exit 1; }

cache=${NMR_CACHE:-$HOME/.cache/nmr}
config=$(cat "$frag" "$lean"; if [ -f "$delta" ]; then cat "$delta"; fi)
# The key is the options alone: a comment changed in a fragment rebuilds nothing.
hash=$(echo "$config" | grep -E '^(CONFIG_|# CONFIG_.* is not set)' | sha256sum | cut -c1-12)

if [ $path_only -eq 1 ] && [ "$series" = 6.12 ]; then
	# No fetch, no install: only the version is needed to name the build.
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null | tr '~+:' '___')
	[ -n "$ver" ] || { echo "kernel.sh: linux-source-6.12 is not installed" >&2; exit 1; }
	echo "$cache/build/$ver-$name-$hash"
	exit 0
fi
"$here/setup.sh"
{ read -r tarball; read -r ver; } < <("$here/kernel-source.sh" "$series")
src=$cache/src/linux-$ver
build=$cache/build/$ver-$name-$hash
if [ $path_only -eq 1 ] || [ -f "$build/.nmr-built" ]; then
	echo "$build"
	exit 0
fi

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
	echo "nmr: building the $name test kernel ($series) in $build (first run only: about 8-11 minutes on 2 cores)" >&2
	mkdir -p "$build"
	echo "$config" > "$build/.kunitconfig"
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
