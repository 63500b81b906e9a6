#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make lab: run the bugs of docs/five-bugs.md for real on the debug kernel, and their fixes.
#
#   scripts/lab.sh             list the five labs
#   scripts/lab.sh N           run lab N (1..5, or its name: uaf, block, deadlock, twice, unload)
#   scripts/lab.sh all         run the five in one boot (lab 1 last: its KASAN report turns
#                              lockdep off for the rest of the boot)
#
# A lab boots the 6.12 debug kernel (scripts/kernel.sh debug: KASAN, lockdep,
# DEBUG_ATOMIC_SLEEP) with kasan_multi_shot, so that a KASAN report is never the last one, and
# runs its module in the guest (scripts/guest/labs.sh): bug=0 first, the right code, then bug=1,
# the wrong code. scripts/labs.py then shows the kernel's report of the wrong code, trimmed,
# with the lab module's source lines it points to, says why, shows the right code's run clean,
# and checks all of it; the exit status is 0 only when every lab ran passed. Logs: .out/lab/
# (NMR_LAB_OUT); QEMU's timeout: NMR_LAB_TIMEOUT seconds (default 240).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if [ -z "${1:-}" ]; then
	echo "The labs of docs/five-bugs.md: each runs a mistake for real, then its fix."
	scripts/labs.py list
	echo "Run one: make lab N=1 (or N=uaf); all five in one boot: make lab N=all"
	exit 0
fi
labs=$(scripts/labs.py select "$1")
out=${NMR_LAB_OUT:-$top/.out/lab}

echo "== Set-up"
scripts/setup.sh
kbuild=$(scripts/kernel.sh debug | tail -n 1)
echo "  test kernel: $kbuild"
make -s -j"$(nproc)" modules KDIR="$kbuild" >/dev/null
echo "  modules built: nmr.ko and labs/: $(cd labs && echo *.ko)"

rm -rf "$out"
echo "== Booting the debug kernel in QEMU for lab(s) $labs (log: ${out#"$top"/}/console.log)"
set +e
NMR_CMDLINE="kasan_multi_shot nmr_labs=${labs// /,} ${NMR_CMDLINE:-}" \
	scripts/qemu-run.sh "$kbuild" scripts/guest/labs.sh "$out" "${NMR_LAB_TIMEOUT:-240}" >/dev/null
rc=$?
set -e
[ "$rc" -eq 0 ] || echo "  QEMU ended with status $rc$([ "$rc" -eq 124 ] && echo ' (timed out)')"
# shellcheck disable=SC2086 # one argument per lab
exec scripts/labs.py show "$out" "$(readlink -f "$kbuild/source")" $labs
