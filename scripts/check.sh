#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make check: set up, build the test kernel and our modules, run every test in QEMU, judge.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
start=$(date +%s)

echo "== Set-up"
scripts/setup.sh
kbuild=$(scripts/kernel.sh debug)
ksrc=$(readlink -f "$kbuild/source")
echo "  test kernel: $kbuild"

echo "== Build (W=1, warnings are errors)"
make -s modules KDIR="$kbuild" >/dev/null

extra=()
echo "== Contract rule coverage"
if scripts/rule-coverage --quiet; then extra+=(--extra="rule coverage=passed")
else extra+=(--extra="rule coverage=failed"); fi

out=${NMR_OUT:-$top/.out/check}
rm -rf "$out"
echo "== QEMU: KUnit suites and samples, each module loaded and unloaded twice (log: $out/console.log)"
timed=()
for attempt in 1 2; do
	set +e
	scripts/qemu-run.sh "$kbuild" scripts/guest/check.sh "$out" >/dev/null
	rc=$?
	set -e
	# A kernel splat before the guest started is the test kernel's own (it was seen once,
	# a KASAN report on an early interrupt under TCG); it also turns lockdep off, which
	# would void the run. Boot again, once, and say so.
	if [ $attempt -eq 1 ] && scripts/verdict.py --boot-splat "$out"; then
		echo "  the test kernel splatted while booting, before any nmr code ran: booting again"
		continue
	fi
	break
done
[ $rc -eq 124 ] || [ $rc -eq 137 ] && timed=(--timed-out)

set +e
scripts/verdict.py "$out" "$ksrc" "${timed[@]}" "${extra[@]}" | tee "$out/summary.txt" | head -n -1
status=${PIPESTATUS[0]}
set -e
echo "  (make check took $(($(date +%s) - start)) s)"
tail -n 1 "$out/summary.txt"
exit "$status"
