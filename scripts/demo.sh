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

# The summary: the guest's steps, the kernel log scan, QEMU's end.
set +e
python3 - "$out" "$rc" "$qemu_secs" "$start" <<'PY'
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.getcwd(), "scripts"))
from verdict import find_splats  # noqa: E402

out, rc, secs, start = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])


def read(name):
    try:
        with open(os.path.join(out, name), errors="replace") as f:
            return [l.replace("\r", "").rstrip("\n") for l in f]
    except OSError:
        return []


console, data = read("console.log"), read("data.log")
kmsg, inside = [], False
for l in data:
    if l == "NMR-DEMO-KMSG-BEGIN":
        inside = True
    elif l == "NMR-DEMO-KMSG-END":
        inside = False
    elif inside:
        kmsg.append(l)

passed = failed = 0


def row(ok, label):
    global passed, failed
    passed += ok == "ok"
    failed += ok != "ok"
    print(f"  {ok:<8}{label}")


print("\n== Summary")
for l in data:
    if l.startswith("NMR-DEMO-STEP "):
        _, verdict, num, title = l.split(" ", 3)
        row(verdict, f"{num:>2}. {title}")

# Between the markers the console also carries the guest's narration: scan only the
# kernel's own (timestamped) lines there, everything elsewhere.
kcon, demo = [], False
for l in console:
    demo = (demo or "NMR-DEMO-BEGIN" in l) and "NMR-DEMO-END" not in l
    if not demo or re.match(r"\[ *\d+\.\d+\] ", l):
        kcon.append(l)
splats = find_splats(kcon)[0] + find_splats(kmsg)[0]
if splats:
    row("FAILED", f"    kernel log: {len(splats)} splat(s); the first:")
    print("\n".join("      " + l for l in splats[0][1]))
elif not kmsg:
    row("FAILED", "    kernel log: the guest did not send it")
else:
    row("ok", "    kernel log: no warning, BUG, lockdep, RCU or KASAN report")

began = any("NMR-DEMO-BEGIN" in l for l in console)
log = os.path.relpath(os.path.join(out, "console.log"))


def tail():
    if began:   # its narration is on the screen already
        print(f"              whole console: {log}")
    else:
        print("\n".join("      " + l for l in console[-30:]))


if rc in (124, 137):
    row("FAILED", f"    QEMU timed out after {secs} s")
    tail()
elif "NMR-DEMO-DONE" not in data:
    row("FAILED", f"    the guest did not finish (QEMU exit {rc})")
    tail()
else:
    row("ok", f"    QEMU: boot, demo and exit in {secs} s")
print(f"\n(make demo took {int(time.time()) - start} s)")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
status=$?
set -e
exit "$status"
