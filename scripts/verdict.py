#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge one QEMU run of make check: KTAP per suite, kernel splats, kmemleak, guest failures.

    verdict.py OUTDIR KERNEL_SRC [--timed-out] [--extra NAME=passed/failed ...]
    verdict.py --self-test      (its splat rules on made-up logs; make lint runs it)

Reads OUTDIR/console.log and OUTDIR/data.log (written by qemu-run.sh). Each suite's
KTAP block is parsed on its own by the kernel's kunit.py parse (fed a whole log it
stops after the first block). Prints a per-suite summary, every splat with context,
and a last line "N passed, N failed[, N skipped]". Exit status 0 only when nothing
failed, no splat was seen and the guest finished. A splat's lines are those matching
scripts/crash-patterns.txt, the list the guest's demo scans the kernel log with too.
"""
import os
import re
import subprocess
import sys

CRASH_PATTERNS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "crash-patterns.txt")


def crash_patterns(path=CRASH_PATTERNS):
    """The patterns of crash-patterns.txt (shared with the guest's demo.sh), one regex a line."""
    pats = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            if line != line.strip():
                sys.exit(f"{path}:{n}: blanks around the pattern {line!r}")
            pats.append(line)
    if not pats:    # "|".join([]) would match every line
        sys.exit(f"{path}: no pattern")
    return pats


# A line of a kernel splat (lockdep, KASAN, RCU, atomic sleep, WARN, BUG, hung task, ...).
SPLAT = re.compile("|".join(crash_patterns()))
CUT = "------------[ cut here ]------------"
KCSAN = "BUG: KCSAN:"
KCSAN_RULE = "=" * 66
# A stack frame of one of our modules (nmr, nmr_kunit, nmr_torture, nmr_sample_*, ...).
OUR_FRAME = re.compile(r"\+0x[0-9a-f]+/0x[0-9a-f]+ \[nmr\w*\]")
# "BUG: KCSAN: data-race in A / B": the two functions whose accesses raced.
KCSAN_PAIR = re.compile(r"BUG: KCSAN: data-race in (\S+) / (\S+)")
# Races inside a kernel primitive, between two of its own accesses: reported by KCSAN
# whoever called the primitive, so a frame of ours below them says nothing about us. A race
# is excused only when both functions of its headline belong to the same primitive.
# - The sleeping locks' optimistic spinning on the per-CPU MCS queue (kernel/locking/
#   osq_lock.c, mutex.c, rwsem.c): plain reads of a queue node's next pointer race with
#   the xchg() of the CPU handing over, by design. Seen in CI: "data-race in osq_lock /
#   osq_unlock", the mutex being nmr_lock, taken by two torture threads.
# - The hrtimer sleeper (kernel/time/hrtimer.c) under usleep_range() and nanosleep: the
#   timer interrupt's hrtimer_wakeup() clears the sleeper's task pointer with a plain
#   store while the sleeping task tests it with a plain load after its wake-up. Seen in
#   CI (6.12 KCSAN): "data-race in hrtimer_wakeup / schedule_hrtimeout_range_clock", the
#   sleeper being nmr_unload_peer's caller thread in usleep_range().
# - The module address tree (kernel/module/tree_lookup.c), a latched rbtree: a module being
#   freed (__mod_tree_remove(), through latch_tree_erase()) bumps the latch's sequence
#   count with the plain increment of 6.12's raw_write_seqcount_latch(), while any lookup
#   of an address (mod_find(), here from lockdep's static_obj() under init_completion())
#   reads it marked. Linux 6.13 annotated the latch for KCSAN (rbtree_latch.h now calls
#   write_seqcount_latch_begin()/_end(); 7.3 has it), so only the 6.12 KCSAN kernel says it.
#   Seen in a 300-s KCSAN torture: "data-race in __mod_tree_remove.constprop.0 / mod_find",
#   the reader being nmr_register() on nmr_unload_peer's thread while the victim unloaded.
KERNEL_INTERNALS = (
    {"osq_lock", "osq_unlock", "osq_wait_next", "mutex_spin_on_owner",
     "mutex_optimistic_spin", "__mutex_lock", "rwsem_spin_on_owner",
     "rwsem_optimistic_spin"},
    {"hrtimer_wakeup", "schedule_hrtimeout_range_clock", "do_nanosleep"},
    {"mod_find", "__mod_tree_insert", "__mod_tree_remove", "mod_tree_insert",
     "mod_tree_remove", "latch_tree_find", "latch_tree_insert", "latch_tree_erase"},
)
# gcc's names for a specialised or split copy of a function: "f.constprop.0", "f.isra.0".
CLONE_SUFFIX = re.compile(r"\.(constprop|isra|part|cold)\.\d+$")


def in_kernel_internals(headline):
    """Is this KCSAN headline a race between two functions of one KERNEL_INTERNALS set?"""
    pair = KCSAN_PAIR.search(headline)
    if not pair:
        return False
    names = {CLONE_SUFFIX.sub("", pair.group(1)), CLONE_SUFFIX.sub("", pair.group(2))}
    return any(names <= s for s in KERNEL_INTERNALS)


EXPECT_BEGIN = "nmr-test: expect-misuse-warning begin"
EXPECT_END = "nmr-test: expect-misuse-warning end"
ATOMIC_BEGIN = "nmr-test: expect-atomic-sleep begin"
ATOMIC_END = "nmr-test: expect-atomic-sleep end"


def clean(line):
    return line.replace("\r", "").rstrip("\n")


def find_splats(lines):
    """Return (splats, excused, foreign): lists of (line index, context lines).

    A WARNING block (cut here ... end trace) is excused only when it lies between
    the KUnit suites' expect-misuse markers and is the NMR's own misuse report; a
    "sleeping function called from invalid context" report only between the
    atomic_callbacks check's markers. A KCSAN report none of whose stack frames
    is in one of our modules is the kernel's own race (seen: the workqueue's
    unlocked statistics, the 8250 driver's runtime PM): listed in foreign, shown,
    not counted as a failure; so is a race between two accesses inside one kernel
    primitive (KERNEL_INTERNALS: lock spinning, the hrtimer sleeper, the module tree's
    latch), whoever called it. Any other KCSAN report with a frame of ours is a splat.
    """
    splats, excused, foreign = [], [], []
    expecting = atomic = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if EXPECT_BEGIN in line:
            expecting = True
        elif EXPECT_END in line:
            expecting = False
        elif ATOMIC_BEGIN in line:
            atomic = True
        elif ATOMIC_END in line:
            atomic = False
        if CUT in line:
            j = i + 1
            while j < len(lines) and "---[ end trace" not in lines[j] and j - i < 200:
                j += 1
            block = lines[i:j + 1]
            text = "\n".join(block)
            # The NMR's own misuse report: its message is the line right after "cut here".
            own = len(block) > 2 and "nmr: misuse:" in block[1] and "WARNING:" in block[2]
            (excused if expecting and own else splats).append((i, block))
            i = j + 1
            continue
        if KCSAN in line:
            j = i + 1
            while j < len(lines) and KCSAN_RULE not in lines[j] and j - i < 200:
                j += 1
            block = lines[i:j + 1]
            ours = any(OUR_FRAME.search(l) for l in block) and not in_kernel_internals(line)
            (splats if ours else foreign).append((i, block))
            i = j + 1
            continue
        if SPLAT.search(line):
            ctx = lines[max(0, i - 5):i + 25]
            if atomic and "BUG: sleeping function called from invalid context" in line:
                excused.append((i, ctx))
                i += 25
                continue
            splats.append((i, ctx))
            i += 25
            continue
        i += 1
    return splats, excused, foreign


def ktap_blocks(data):
    blocks, cur, name = [], None, None
    for line in data:
        if line.startswith("NMR-KTAP-BEGIN "):
            parts = line.split()
            name = " ".join(parts[1:])
            cur = []
        elif line.startswith("NMR-KTAP-END"):
            if cur is not None:
                blocks.append((name, cur))
            cur = None
        elif cur is not None:
            cur.append(line)
    return blocks


def parse_suite(kunit_py, name, ktap, outdir):
    path = os.path.join(outdir, "ktap-" + re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".log")
    with open(path, "w") as f:
        f.write("\n".join(ktap) + "\n")
    proc = subprocess.run([sys.executable, kunit_py, "parse", path],
                          capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    m = re.search(r"Ran (\d+) tests?: passed: (\d+)(?:, failed: (\d+))?"
                  r"(?:, skipped: (\d+))?(?:, crashed: (\d+))?(?:, errors: (\d+))?", out)
    if not m:
        return 0, 1, 0, out
    passed = int(m.group(2))
    failed = int(m.group(3) or 0) + int(m.group(5) or 0) + int(m.group(6) or 0)
    skipped = int(m.group(4) or 0)
    if proc.returncode != 0 and failed == 0:
        failed = 1
    return passed, failed, skipped, out


def boot_splat(outdir):
    """True if the kernel splatted before the guest script started (no nmr code loaded yet)."""
    with open(os.path.join(outdir, "console.log"), errors="replace") as f:
        console = [clean(l) for l in f]
    start = next((i for i, l in enumerate(console) if "NMR-GUEST-START" in l), len(console))
    splats = find_splats(console[:start])[0]
    for i, ctx in splats:
        print(f"  boot-time kernel splat at console.log line {i + 1}, before any nmr code ran:")
        print("\n".join("      " + l for l in ctx[:12]))
    return bool(splats)


def kcsan_report(pair, frames):
    """A KCSAN report as the console shows it: headline, stack frames, closing rule."""
    return [f"[ 1.0] BUG: KCSAN: data-race in {pair}", "[ 1.0] "] + \
        [f"[ 1.0]  {f}" for f in frames] + ["[ 1.0] " + KCSAN_RULE]


def self_test():
    """Check find_splats() on made-up console logs; print one line per mistake."""
    ours = "up_caller_fn+0x77/0x870 [nmr_unload_peer]"
    cases = [
        ("hrtimer sleeper race under our usleep_range()", "foreign",
         kcsan_report("hrtimer_wakeup / schedule_hrtimeout_range_clock",
                      ["hrtimer_wakeup+0x2d/0x60", "schedule_hrtimeout_range_clock+0x174/0x200",
                       "usleep_range_state+0xa6/0xe0", ours])),
        ("mutex spinning race under nmr_lock", "foreign",
         kcsan_report("osq_lock / osq_unlock",
                      ["osq_lock+0x1/0x2", "__mutex_lock+0x1/0x2", "nmr_register+0x1/0x2 [nmr]"])),
        ("module tree latch race under our init_completion()", "foreign",
         kcsan_report("__mod_tree_remove.constprop.0 / mod_find",
                      ["mod_find+0x2a/0x110", "static_obj+0x67/0x90",
                       "nmr_register+0x293/0x17c0 [nmr]", ours])),
        ("a race between the module tree and a clone of a function of ours", "splat",
         kcsan_report("mod_find / nmr_offer.constprop.0",
                      ["mod_find+0x2a/0x110", "nmr_offer.constprop.0+0x1/0x2 [nmr]"])),
        ("a race with no frame of ours", "foreign",
         kcsan_report("process_one_work / wq_worker_tick", ["process_one_work+0x1/0x2"])),
        ("a race between two functions of ours", "splat",
         kcsan_report("nmr_detach_complete / nmr_reg_unbusy",
                      ["nmr_detach_complete+0x1/0x2 [nmr]", "nmr_reg_unbusy+0x1/0x2 [nmr]"])),
        ("a race between the hrtimer sleeper and a function of ours", "splat",
         kcsan_report("hrtimer_wakeup / nmr_detach_complete",
                      ["hrtimer_wakeup+0x2d/0x60", "nmr_detach_complete+0x1/0x2 [nmr]"])),
        ("a race between two primitives' functions", "splat",
         kcsan_report("hrtimer_wakeup / osq_lock", ["osq_lock+0x1/0x2", ours])),
        ("our misuse warning between the markers", "excused",
         [EXPECT_BEGIN, CUT, "nmr: misuse: x", "WARNING: CPU: 0 at nmr_core.c:1", "---[ end trace 0 ]---",
          EXPECT_END]),
        ("our misuse warning outside the markers", "splat",
         [CUT, "nmr: misuse: x", "WARNING: CPU: 0 at nmr_core.c:1", "---[ end trace 0 ]---"]),
        ("a KASAN report (a pattern of crash-patterns.txt)", "splat",
         ["[ 1.0] nmr: loaded", "[ 1.0] BUG: KASAN: slab-use-after-free in nmr_offer+0x12/0x40 [nmr]"]),
        ("a kernel log without a report", None,
         ["[ 1.0] nmr: loaded", "[ 1.0] nmr_sample_hook: registered", "[ 1.0] nmr: unloaded"]),
    ]
    bad = 0
    for what, want, lines in cases:
        splats, excused, foreign = find_splats(lines)
        got = [k for k, v in (("splat", splats), ("excused", excused), ("foreign", foreign)) if v]
        if got != ([want] if want else []):
            print(f"verdict self-test: {what}: judged {got or 'nothing'}, expected {want or 'nothing'}")
            bad += 1
    return bad


def main():
    if sys.argv[1] == "--self-test":
        return 1 if self_test() else 0
    if sys.argv[1] == "--boot-splat":
        return 0 if boot_splat(sys.argv[2]) else 1
    outdir, ksrc = sys.argv[1], sys.argv[2]
    timed_out = "--timed-out" in sys.argv
    extras = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--extra=")]
    kunit_py = os.path.join(ksrc, "tools/testing/kunit/kunit.py")
    with open(os.path.join(outdir, "console.log"), errors="replace") as f:
        console = [clean(l) for l in f]
    with open(os.path.join(outdir, "data.log"), errors="replace") as f:
        data = [clean(l) for l in f]

    total_p = total_f = total_s = 0
    print("\n== KUnit suites")
    for name, ktap in ktap_blocks(data):
        p, fl, s, out = parse_suite(kunit_py, name, ktap, outdir)
        total_p, total_f, total_s = total_p + p, total_f + fl, total_s + s
        print(f"  {'ok  ' if not fl else 'FAIL'}  {name:<40} {p} passed, {fl} failed, {s} skipped")
        if fl:
            print("\n".join("      " + l for l in out.splitlines() if l.strip()))

    print("\n== Checks")
    guest_fail = [l for l in data if l.startswith("NMR-FAIL")]
    for l in guest_fail:
        print("  FAIL  " + l[len("NMR-FAIL "):])
    done = any(l.startswith("NMR-GUEST-DONE") for l in data)
    steps = [l for l in data if l.startswith("NMR-PASS ")]
    for l in steps:
        print("  ok    " + l[len("NMR-PASS "):])
    total_p += len(steps)
    total_f += len(guest_fail)
    if not done:
        total_f += 1
        why = "QEMU timed out" if timed_out else "the guest script did not finish"
        print(f"  FAIL  {why}; last lines of the console:")
        print("\n".join("      " + l for l in console[-40:]))

    for e in extras:
        name, verdict = e.rsplit("=", 1)  # a name may hold "=", a verdict never
        ok = verdict == "passed"
        print(f"  {'ok  ' if ok else 'FAIL'}  {name}")
        total_p += ok
        total_f += not ok

    print("\n== Kernel log scan (lockdep, KASAN, KCSAN, RCU, atomic sleep, WARN, BUG, hung task)")
    splats, excused, foreign = find_splats(console)
    leak, inleak = [], False
    for l in data:
        if l == "NMR-KMEMLEAK-BEGIN":
            inleak = True
        elif l == "NMR-KMEMLEAK-END":
            inleak = False
        elif inleak and l.strip():
            leak.append(l)
    print(f"  {len(excused)} expected report(s) excused (misuse warnings of the suites, the atomic_callbacks check)")
    for i, block in foreign:
        why = ("both accesses inside one kernel primitive" if in_kernel_internals(block[0])
               else "no frame of ours in it")
        print(f"  note  the kernel's own race, {why} (console.log line {i + 1}):"
              f" {block[0].split('] ', 1)[-1].strip()}")
    if splats:
        print(f"  FAIL  {len(splats)} splat(s):")
        for i, ctx in splats:
            print(f"  --- console.log line {i + 1}")
            print("\n".join("      " + l for l in ctx))
    else:
        print("  ok    no splat")
    if leak:
        print("  FAIL  kmemleak:")
        print("\n".join("      " + l for l in leak[:60]))
    elif any(l == "NMR-KMEMLEAK-BEGIN" for l in data):
        print("  ok    kmemleak: nothing leaked")
    total_f += bool(splats) + bool(leak)
    total_p += (not splats) + (not leak and any(l == "NMR-KMEMLEAK-BEGIN" for l in data))

    line = f"{total_p} passed, {total_f} failed"
    if total_s:
        line += f", {total_s} skipped"
    print()
    print(line)
    return 1 if total_f else 0


if __name__ == "__main__":
    sys.exit(main())
