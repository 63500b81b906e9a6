#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make check's DKMS stage: dkms.conf builds and installs nmr and the samples for Debian's kernels.
#
#   scripts/dkms-check.sh [OUTDIR]	(default .out/check-dkms)
#
# Runs the real dkms (Debian's package) on a copy of the tree, for the stock 6.1 kernel
# (linux-headers-amd64) and the 6.12 one (linux-headers-6.12-amd64): dkms add, build
# (no compiler warning in its make.log, every BUILT_MODULE_NAME of dkms.conf built and
# signed), install (each module under updates/dkms, depmod finds that the samples need
# nmr), remove. Then the same build and install for Linux 7.3, against the 7.3 test
# kernel's tree (--kernelsourcedir; scripts/kernel.sh debug-7.3 builds it if it is not
# cached yet): that kernel signs no modules, so there the check is that none is needed. Everything happens in a private DKMS tree under OUTDIR (--sourcetree,
# --dkmstree, --installtree), so /usr/src, /var/lib/dkms and /lib/modules are left as
# they are; only dkms' own signing key (/var/lib/dkms/mok.key) is made if missing, as
# any dkms build does. OUTDIR/summary.txt ends in "N passed, N failed", like the other
# stages; the exit status is non-zero on any failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/.out/check-dkms}
start=$(date +%s)
passed=0 failed=0

echo
echo "=== Stage: DKMS (dkms.conf) against Debian's installed kernel headers"
if ! "$top/scripts/setup.sh" dkms linux-headers-amd64 linux-headers-6.12-amd64; then
	mkdir -p "$out"
	echo "0 passed, 1 failed" >"$out/summary.txt"
	echo "  stage dkms: set-up failed"
	exit 1
fi
rm -rf "$out"
mkdir -p "$out/src" "$out/dkms" "$out/root/lib/modules"
inst=$out/root/lib/modules

check() {	# check NAME CMD...: one counted check; the command's output goes to the log
	if "${@:2}" >>"$out/dkms.log" 2>&1; then
		echo "  ok    $1"
		passed=$((passed + 1))
	else
		echo "  FAIL  $1 (log: $out/dkms.log)"
		failed=$((failed + 1))
	fi
}
dk() { dkms --sourcetree "$out/src" --dkmstree "$out/dkms" --installtree "$inst" "$@"; }

# The kernel release a Debian meta-package points to: linux-headers-amd64 -> 6.1.0-56-amd64.
release() {
	dpkg-query -W -f='${Depends}' "$1" | sed -n 's/^linux-[a-z]*-\([^ ,|]*\).*/\1/p'
}

# What dkms.conf declares (it is shell: let bash read it).
if ! conf=$(cd "$top" && kernel_source_dir=/nonexistent && . ./dkms.conf &&
	declare -p PACKAGE_NAME PACKAGE_VERSION BUILT_MODULE_NAME 2>&1); then
	echo "  FAIL  dkms.conf does not declare PACKAGE_NAME, PACKAGE_VERSION and BUILT_MODULE_NAME"
	echo "0 passed, 1 failed" >"$out/summary.txt"
	exit 1
fi
eval "$conf"
mv=$PACKAGE_NAME/$PACKAGE_VERSION

# dkms add copies the tree's files (dotfiles excepted): give it a clean copy, as from git.
tree=$out/$PACKAGE_NAME-$PACKAGE_VERSION
mkdir -p "$tree"
(cd "$top" && tar -c --exclude-vcs --exclude=./.out --exclude='*.o' --exclude='*.ko' \
	--exclude='*.mod' --exclude='*.mod.c' --exclude='*.cmd' --exclude='*.order' \
	--exclude='*.symvers' --exclude='*.a' --exclude='*.gcno' --exclude=.tmp_versions .) | tar -x -C "$tree"
check "dkms add: $mv from the tree's dkms.conf" dk add "$tree"

# The module file NAME in DIR: compressed as the kernel's own (6.12: .ko.xz) or not.
ko_in() { ls "$1/$2.ko" "$1/$2.ko".{xz,zst,gz} 2>/dev/null | head -n 1; }
built_all() {	# RELEASE [unsigned]: every BUILT_MODULE_NAME of dkms.conf in dkms' module dir, signed
	local m ko
	for m in "${BUILT_MODULE_NAME[@]}"; do
		ko=$(ko_in "$out/dkms/$mv/$1/x86_64/module" "$m")
		[ -n "$ko" ] || { echo "missing: $m in $out/dkms/$mv/$1/x86_64/module"; return 1; }
		[ "${2:-}" = unsigned ] || modinfo -F signer "$ko" | grep -q . ||
			{ echo "not signed: $ko"; return 1; }
	done
}
installed_all() {	# RELEASE [KERNEL_BUILD]: every module under updates/dkms, the samples need nmr
	local m kb=${2:-/lib/modules/$1} map=${2:+$2/System.map}
	for m in "${BUILT_MODULE_NAME[@]}"; do
		[ -n "$(ko_in "$inst/$1/updates/dkms" "$m")" ] || { echo "not installed: $m"; return 1; }
	done
	cp "$kb"/modules.{order,builtin,builtin.modinfo} "$inst/$1/"
	depmod -b "$out/root" -F "${map:-/boot/System.map-$1}" "$1" &&
		grep -qE '^updates/dkms/nmr_sample_client\.ko[.a-z]*: updates/dkms/nmr\.ko[.a-z]*$' \
			"$inst/$1/modules.dep"
}
no_warning() {	# the build log of dkms has no compiler warning
	local log=$out/dkms/$mv/$1/x86_64/log/make.log
	[ -f "$log" ] && ! grep 'warning:' "$log"
}

for pkg in linux-headers-amd64 linux-headers-6.12-amd64; do
	r=$(release "$pkg")
	echo "== $r ($pkg)"
	mkdir -p "$inst/$r"
	check "dkms build $mv -k $r" dk build "$mv" -k "$r"
	check "  its make.log has no warning (W=1)" no_warning "$r"
	check "  ${#BUILT_MODULE_NAME[@]} modules built and signed: ${BUILT_MODULE_NAME[*]}" \
		built_all "$r"
	check "dkms install $mv -k $r: into updates/dkms, samples depend on nmr" \
		eval 'dk install "$mv" -k "$r" --no-depmod && installed_all "$r"'
done
# Linux 7.3: no headers package runs here (TESTING.md), so the test kernel's own tree.
if kb=$("$top/scripts/kernel.sh" debug-7.3 | tail -n 1) && r=$(make -s -C "$kb" kernelrelease); then
	echo "== $r (the 7.3 test kernel's tree: $kb)"
	mkdir -p "$inst/$r"
	check "dkms build $mv -k $r --kernelsourcedir (Linux 7.3)" \
		dk build "$mv" -k "$r" --kernelsourcedir "$kb"
	check "  its make.log has no warning (W=1)" no_warning "$r"
	check "  ${#BUILT_MODULE_NAME[@]} modules built (the test kernel signs none)" \
		built_all "$r" unsigned
	check "dkms install $mv -k $r: into updates/dkms, samples depend on nmr" \
		eval 'dk install "$mv" -k "$r" --kernelsourcedir "$kb" --no-depmod &&
		      installed_all "$r" "$kb"'
else
	echo "  FAIL  the 7.3 test kernel could not be built (scripts/kernel.sh debug-7.3)"
	failed=$((failed + 1))
fi
check "dkms remove $mv --all: nothing left installed" \
	eval 'dk remove "$mv" --all --no-depmod &&
	      ! find "$inst" -name "*.ko*" | grep . && [ ! -d "$out/dkms/$PACKAGE_NAME" ]'

line="$passed passed, $failed failed"
echo "$line" >"$out/summary.txt"
echo "  stage dkms: $line ($(($(date +%s) - start)) s)"
[ "$failed" -eq 0 ]
