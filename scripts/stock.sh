#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make check's stock stage: nmr on Debian 12's own, unmodified kernels.
#
#   scripts/stock.sh [OUTDIR]		(default .out/check-stock)
#
# Builds every module (W=1, warnings are errors) against the headers of Debian 12's
# kernel (linux-headers-amd64, 6.1) and of its 6.12 kernel (linux-headers-6.12-amd64),
# each in a copy of the tree under OUTDIR so the modules built for the test kernel
# stay as they are. Then boots each stock kernel (/boot/vmlinuz-*, as Debian ships it;
# NMR_STOCK_BOOT, default "6.1 6.12") in QEMU with the modules built for it, and runs
# scripts/guest/stock.sh: nmr and the samples loaded, bound, unbound and unloaded
# twice, a short torture (NMR_STOCK_TORTURE_SECS, default 10), a splat scan. About a
# minute in all. Judged by verdict.py like the other stages: OUTDIR/summary.txt ends
# in "N passed, N failed", and the exit status is non-zero on any failure.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/.out/check-stock}
start=$(date +%s)
extra=()
summary_written=0

# Whatever goes wrong before the verdict, leave a summary that counts it as a failure.
finish() {
	if [ "$summary_written" -eq 0 ]; then
		mkdir -p "$out"
		echo "0 passed, 1 failed" >"$out/summary.txt"
		echo "  stage stock: FAILED before the verdict (see above)"
	fi
}
trap finish EXIT

echo
echo "=== Stage: Debian 12's stock kernels (linux-image-amd64, linux-headers-amd64, linux-headers-6.12-amd64)"
"$top/scripts/setup.sh" linux-image-amd64 linux-headers-amd64 linux-headers-6.12-amd64

# The kernel release a Debian meta-package points to: linux-image-amd64 -> 6.1.0-56-amd64.
release() {
	dpkg-query -W -f='${Depends}' "$1" | sed -n 's/^linux-[a-z]*-\([^ ,|]*\).*/\1/p'
}
declare -A rel=([6.1]=$(release linux-image-amd64) [6.12]=$(release linux-headers-6.12-amd64))

rm -rf "$out"
mkdir -p "$out"

# build SERIES: copy the tree, build it against that kernel's headers; the copy is OUTDIR/tree-SERIES.
build() {
	local series=$1 r=${rel[$1]} tree=$out/tree-$1 kdir n
	kdir=/lib/modules/$r/build
	echo "== Build against Debian's $r headers (W=1, warnings are errors)"
	[ -d "$kdir" ] || { echo "  no $kdir: are linux-headers-$r and linux-image-$r installed?"; return 1; }
	mkdir -p "$tree"
	(cd "$top" && tar -c --exclude-vcs --exclude=./.out --exclude='*.o' --exclude='*.ko' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='*.cmd' --exclude='*.order' \
		--exclude='*.symvers' --exclude='*.a' --exclude='*.gcno' --exclude=.tmp_versions --exclude=./.nmr-kdir .) | tar -x -C "$tree"
	if make -j"$(nproc)" -C "$tree" modules KDIR="$kdir" >"$out/build-$series.log" 2>&1; then
		n=$(grep -c 'warning:' "$out/build-$series.log" || true)
		echo "  $(find "$tree" -name '*.ko' | wc -l) modules, $n warnings (log: $out/build-$series.log)"
		[ "$n" -eq 0 ] || return 1
	else
		grep -E 'warning:|error:' "$out/build-$series.log" | head -20 | sed 's/^/  /'
		echo "  build failed (log: $out/build-$series.log)"
		return 1
	fi
}

built=()
for series in 6.1 6.12; do
	if build "$series"; then
		extra+=(--extra="build against Debian's ${rel[$series]} headers (extra warnings, -Werror): 0 warnings=passed")
		built+=("$series")
	else
		extra+=(--extra="build against Debian's ${rel[$series]} headers (extra warnings, -Werror): 0 warnings=failed")
	fi
done

# boot SERIES: the stock kernel of that series, unmodified, with the modules built for it.
# qemu-run.sh boots KERNEL_BUILD_DIR/arch/x86/boot/bzImage and packs the .ko of its own
# tree, so the copy's qemu-run.sh is given a directory holding only that kernel.
boot() {
	local series=$1 r=${rel[$1]} dir=$out/boot-$1 kernel=$out/kernel-$1
	mkdir -p "$kernel/arch/x86/boot"
	ln -sf "/boot/vmlinuz-$r" "$kernel/arch/x86/boot/bzImage"
	# Single-threaded TCG: all four vCPUs on one host thread. With a host thread per vCPU,
	# Debian's 6.12 kernel died of "Oops: int3" in code being live-patched (a jump
	# label, text_poke_bp()) in 1 of 26 plain boots here: a QEMU race (qemu-run.sh
	# says more). In 20 boots with one TCG thread it never did. This stage checks the
	# build on a distribution kernel and the samples' lifecycle on it, not races: the
	# two test-kernel stages, with a thread per vCPU, are the ones that look for races.
	NMR_QEMU_ACCEL=${NMR_STOCK_ACCEL:-tcg,thread=single} \
	NMR_CMDLINE="nmr_torture_secs=${NMR_STOCK_TORTURE_SECS:-10}" \
		"$out/tree-$series/scripts/qemu-run.sh" "$kernel" "$top/scripts/guest/stock.sh" \
		"$dir" "${NMR_STOCK_TIMEOUT:-300}" >/dev/null
}

# Every boot's logs go to one verdict. A boot whose guest did not finish is a failure of
# its own, with the end of its console shown; so verdict.py is told the stage finished.
: >"$out/console.log"
: >"$out/data.log"
for series in ${NMR_STOCK_BOOT:-6.1 6.12}; do
	r=${rel[$series]}
	case " ${built[*]} " in
	*" $series "*) ;;
	*) echo "NMR-FAIL boot the stock $r kernel: its modules did not build" >>"$out/data.log"
	   continue ;;
	esac
	echo "== QEMU: the stock $r kernel; nmr and the samples loaded, bound, unloaded" \
		"twice, torture (log: $out/boot-$series/console.log)"
	set +e
	boot "$series"
	rc=$?
	set -e
	cat "$out/boot-$series/console.log" >>"$out/console.log"
	grep -v '^NMR-GUEST-DONE' "$out/boot-$series/data.log" >>"$out/data.log" || true
	if grep -q '^NMR-GUEST-DONE' "$out/boot-$series/data.log"; then
		continue
	fi
	why="did not finish (QEMU exit status $rc)"
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		why="timed out after ${NMR_STOCK_TIMEOUT:-300} s"
	fi
	echo "NMR-FAIL the guest on the stock $r kernel $why" >>"$out/data.log"
	echo "  the guest on $r $why; last lines of its console:"
	tail -n 40 "$out/boot-$series/console.log" | sed 's/^/      /'
done
echo "NMR-GUEST-DONE" >>"$out/data.log"
set +e
"$top/scripts/verdict.py" "$out" "$top" "${extra[@]}" >"$out/summary.txt"
rc=$?
set -e
summary_written=1
head -n -1 "$out/summary.txt"
echo "  stage stock: $(tail -n 1 "$out/summary.txt") ($(($(date +%s) - start)) s)"
exit "$rc"
