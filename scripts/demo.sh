#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot the test kernel in QEMU and narrate one NMR binding lifecycle, step by step.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
start=$(date +%s)
out=${NMR_DEMO_OUT:-$top/.out/demo}
timeout=${NMR_DEMO_TIMEOUT:-120}

echo "== Set-up"
scripts/setup.sh
kbuild=$(scripts/kernel.sh debug | tail -n 1)
echo "  test kernel: $kbuild"
make -s -j"$(nproc)" modules KDIR="$kbuild" >/dev/null
echo "  modules built: nmr.ko and samples/: $(cd samples && echo *.ko)"

# Show only what the guest prints between its markers, without \r or kernel timestamps.
narrate() {
	local on=0 line
	while IFS= read -r line; do
		line=${line//$'\r'/}
		case $line in
		*NMR-DEMO-BEGIN*) on=1; continue ;;
		*NMR-DEMO-END*) on=0; continue ;;
		esac
		[ $on -eq 1 ] || continue
		[[ $line =~ ^\[\ *[0-9]+\.[0-9]+\]\ (.*)$ ]] && line="  kernel: ${BASH_REMATCH[1]}"
		printf '%s\n' "$line"
	done
}

rm -rf "$out"
echo "== Booting the debug kernel in QEMU (log: ${out#"$top"/}/console.log)"
qemu_start=$(date +%s)
set +e
NMR_CMDLINE="quiet ${NMR_CMDLINE:-}" scripts/qemu-run.sh "$kbuild" scripts/guest/demo.sh \
	"$out" "$timeout" | narrate
rc=${PIPESTATUS[0]}
set -e
qemu_secs=$(($(date +%s) - qemu_start))

# The summary: the guest's steps, the kernel log scan, QEMU's end; its status is make demo's.
exec scripts/demo-summary.py "$out" "$rc" "$qemu_secs" "$start"
