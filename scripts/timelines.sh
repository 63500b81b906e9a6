#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make timelines: draw again docs/timelines/t-a.svg .. t-e.svg, the five reference timelines of
# docs/rules.md, from the nmr trace events of their KUnit cases, in one QEMU boot of the debug
# kernel (scripts/guest/timelines.sh), with scripts/seqdiag.py. Nothing is drawn unless every
# case passed and the kernel log is clean (verdict.py). About a minute once the kernel is built.
#
#   NMR_TIMELINES_OUT   the QEMU run's directory (default .out/timelines)
#   NMR_TIMELINES_DIR   where the pictures go (default docs/timelines)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=${NMR_TIMELINES_OUT:-$top/.out/timelines}
dest=${NMR_TIMELINES_DIR:-$top/docs/timelines}

scripts/seqdiag.py --self-test >/dev/null || { scripts/seqdiag.py --self-test; exit 1; }
scripts/setup.sh
kbuild=$(scripts/kernel.sh debug | tail -n 1)
make -s -j"$(nproc)" modules KDIR="$kbuild" >/dev/null

rm -rf "$out"
echo "== The KUnit cases of T-A..T-E in QEMU, nmr trace events on (log: ${out#"$top"/}/console.log)"
set +e
scripts/qemu-run.sh "$kbuild" scripts/guest/timelines.sh "$out" "${NMR_TIMELINES_TIMEOUT:-300}" \
	>/dev/null
rc=$?
set -e
timed=()
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then timed=(--timed-out); fi
src=$(readlink -f "$kbuild/source")
if ! scripts/verdict.py "$out" "$src" "${timed[@]}" >"$out/verdict.txt"; then
	cat "$out/verdict.txt"
	echo "timelines: the run failed; no picture drawn" >&2
	exit 1
fi
grep -E '^  (ok|FAIL) ' "$out/verdict.txt"
echo "== Pictures"
scripts/seqdiag.py timelines "$out/data.log" "$dest"
