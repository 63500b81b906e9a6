#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make torture DURATION=N: run nmr_torture (re-entrant callbacks on) and the unload torture for
# N seconds in QEMU on the debug kernel (or NMR_TORTURE_KERNEL=kcsan), then judge.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
secs=${DURATION:-60}
scripts/setup.sh
kbuild=$(scripts/kernel.sh "${NMR_TORTURE_KERNEL:-debug}")
make -s -j"$(nproc)" modules KDIR="$kbuild" >/dev/null
out=${NMR_OUT:-$top/.out/torture}
rm -rf "$out"
echo "== nmr_torture for $secs s (log: $out/console.log)"
set +e
NMR_CMDLINE="nmr_torture_secs=$secs" scripts/qemu-run.sh "$kbuild" scripts/guest/torture.sh "$out" \
	$((secs + 300)) | grep --line-buffered "nmr_torture: \|nmr_unload_peer: \|unload torture\|NMR-"
rc=${PIPESTATUS[0]}
set -e
timed=()
[ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && timed=(--timed-out)
scripts/verdict.py "$out" "$(readlink -f "$kbuild/source")" "${timed[@]}"
