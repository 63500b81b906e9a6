#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make demo's summary: the guest's steps, the kernel log scan, how QEMU ended.

    demo-summary.py OUTDIR QEMU_EXIT QEMU_SECS START

OUTDIR is the demo's QEMU output (console.log, data.log; scripts/demo.sh), QEMU_EXIT the
status of scripts/qemu-run.sh (124 or 137: timed out), QEMU_SECS how long it ran, START
the time make demo began (seconds since the epoch). Prints one row per step the guest
(scripts/guest/demo.sh) reported, one for the kernel log (verdict.py's splat scan over
the guest's whole kernel log and the console), one for the pictures (a sequence diagram of
each step, OUTDIR/step-NN.svg, drawn by seqdiag.py from the trace the step sent) and one for
QEMU, then "N passed, N failed". Exit status 0 only when no row failed.
"""
import os
import re
import sys
import time

import seqdiag
from verdict import find_splats


def read(out, name):
    try:
        with open(os.path.join(out, name), errors="replace") as f:
            return [l.replace("\r", "").rstrip("\n") for l in f]
    except OSError:
        return []


def main():
    out, rc, secs, start = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    console, data = read(out, "console.log"), read(out, "data.log")
    kmsg, inside = [], False
    for l in data:
        if l == "NMR-DEMO-KMSG-BEGIN":
            inside = True
        elif l == "NMR-DEMO-KMSG-END":
            inside = False
        elif inside:
            kmsg.append(l)

    count = {"passed": 0, "failed": 0}

    def row(ok, label):
        count["passed" if ok == "ok" else "failed"] += 1
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

    # One picture per step; a step that ran must have sent its trace.
    ran = [l.split(" ", 3)[2] for l in data
           if l.startswith("NMR-DEMO-STEP ") and not l.startswith("NMR-DEMO-STEP skipped ")]
    traced = {l.split(" ")[1] for l in data if l.startswith("NMR-DEMO-TRACE-BEGIN ")}
    pics = os.path.relpath(out)
    pics = out if pics.startswith("..") else pics
    try:
        files = seqdiag.demo(out)
        untraced = [n for n in ran if n not in traced]
        if not files:
            row("FAILED", "    pictures: no step to draw")
        elif untraced:
            row("FAILED", f"    pictures: no trace from step(s) {', '.join(untraced)}")
        else:
            row("ok", f"    pictures: {len(files)} sequence diagrams, {pics}/step-NN.svg"
                f" (all in {pics}/index.html)")
    except Exception as err:    # noqa: BLE001 (a drawing bug is a failed row, not a crash)
        row("FAILED", f"    pictures: {type(err).__name__}: {err}")

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
    print(f"{count['passed']} passed, {count['failed']} failed")
    return 1 if count["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
