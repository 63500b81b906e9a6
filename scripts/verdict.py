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
# The kernel's restart, after the guest script ended: every module of ours is unloaded by
# then (the guest unloads nmr last), so a report from here on with no frame of ours is the
# kernel's own (seen on the KCSAN kernel: a WARNING in set_task_cpu() from a timer wake-up
# while the CPUs stop, and the lockdep report its printing set off).
RESTART = re.compile(r"reboot: (Restarting system|machine restart|Power down)")
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
# - The workqueue (kernel/workqueue.c): queueing a work item sets its PENDING bit with a
#   marked test_and_set_bit() on work->data, while a worker moving linked items to run
#   (move_linked_works(), from assign_work()) tests the same word's LINKED bit with a plain
#   read; 6.12 and 7.3 both read it so. Seen in CI (6.12 KCSAN): "data-race in
#   move_linked_works / queue_work_on", the work item being an rhashtable's resize work in
#   nmr.ko's binding table, queued by rhashtable_remove_fast() (inlined into nmr) as the
#   table shrank, while a kworker picked up the system workqueue's items.
KERNEL_INTERNALS = (
    {"osq_lock", "osq_unlock", "osq_wait_next", "mutex_spin_on_owner",
     "mutex_optimistic_spin", "__mutex_lock", "rwsem_spin_on_owner",
     "rwsem_optimistic_spin"},
    {"hrtimer_wakeup", "schedule_hrtimeout_range_clock", "do_nanosleep"},
    {"mod_find", "__mod_tree_insert", "__mod_tree_remove", "mod_tree_insert",
     "mod_tree_remove", "latch_tree_find", "latch_tree_insert", "latch_tree_erase"},
    {"queue_work_on", "__queue_work", "move_linked_works", "assign_work"},
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


# The labs (make lab, and make check's labs stage: scripts/guest/labs.sh, scripts/labs.py) are
# the one place where a report is the point: each lab runs one mistake of docs/five-bugs.md and
# the kernel must catch it. The guest marks the wrong code's run of lab k with the kernel log
# lines NMR-LAB-BEGIN k and NMR-LAB-END k, and inside that window only, one report is excused:
# lab k's own kind, with its headline, naming its module. Any other report there (another kind,
# another module, another lab's), lab k's report outside its window (in the right code's run,
# NMR-LAB-FIXED-BEGIN k ... END k, say), or one in a window that never closed, is a splat.
# LAB_REPORTS[k] = (module, kind, headline): kind "kasan" (the block from "BUG: KASAN:" to its
# closing rule), "atomic" (a "sleeping function called from invalid context" report up to its
# </TASK>, with a reliable frame of the module), "warn" (the NMR's own misuse WARNING, the
# headline being its message), or "line" (a line of the NMR's that matches no crash pattern:
# nothing to excuse; scripts/labs.py checks that it appears).
LAB_REPORTS = {
    1: ("nmr_lab_uaf", "kasan", r"BUG: KASAN: slab-use-after-free in [\w.]+\+0x[0-9a-f]+/0x[0-9a-f]+ \[nmr_lab_uaf\]"),
    2: ("nmr_lab_block", "atomic",
        r"BUG: sleeping function called from invalid context at \S*labs/nmr_lab_block\.c:\d+"),
    3: ("nmr_lab_deadlock", "warn",
        r"nmr: misuse: wait on client \d+ \(nmr_lab_deadlock\) from a callback it waits for \(HDL-4\)"),
    4: ("nmr_lab_twice", "line",
        r"nmr: misuse: provider detach complete from [\w.]+\+0x[0-9a-f]+/0x[0-9a-f]+ \[nmr_lab_twice\]"
        r" after the side was done \(HDL-5\)"),
    5: ("nmr_lab_unload", "line",
        r"nmr: module nmr_lab_unload unloads with client \d+ never waited for; cutting it loose \(HDL-6\)"),
}
LAB_BEGIN = re.compile(r"NMR-LAB-BEGIN (\d+)$")
LAB_END = re.compile(r"NMR-LAB-END (\d+)$")
TASK_END = "</TASK>"


def lab_windows(lines):
    """{line index: k} for each line strictly inside a closed window NMR-LAB-BEGIN k ... END k."""
    inside, opened = {}, None
    for i, line in enumerate(lines):
        begin, end = LAB_BEGIN.search(line), LAB_END.search(line)
        if begin:
            opened = (int(begin.group(1)), i)	# an earlier window left open is dropped
        elif end and opened and opened[0] == int(end.group(1)):
            for j in range(opened[1] + 1, i):
                inside[j] = opened[0]
            opened = None
    return inside


def reliable_frame(line, module):
    """Is this a stack frame of @module that the unwinder trusts (no "? ")?"""
    return re.search(r"\]\s+[\w.]+\+0x[0-9a-f]+/0x[0-9a-f]+ \[" + module + r"\]$", line) is not None


def lab_block_end(lines, i, kind):
    """The last line of the report whose headline is lines[i], for a lab report of @kind; None if it has no end."""
    stop = {"kasan": KCSAN_RULE, "atomic": TASK_END}[kind]
    for j in range(i + 1, min(len(lines), i + 200)):
        if stop in lines[j]:
            return j
    return None


def lab_excused(k, block, kind):
    """Is @block (a report of @kind: "warn" for a cut-here block) lab k's own report?"""
    module, want, headline = LAB_REPORTS[k]
    if want != kind:
        return False
    if kind == "warn":
        return (len(block) > 2 and "nmr: misuse:" in block[1] and "WARNING:" in block[2]
                and re.search(headline, block[1]) is not None)
    if not re.search(headline, block[0]):
        return False
    return kind == "kasan" or any(reliable_frame(l, module) for l in block)


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
    atomic_callbacks check's markers. Inside a lab's window (NMR-LAB-BEGIN k ...
    NMR-LAB-END k) the lab's own report, and only it, is excused whole (LAB_REPORTS). A KCSAN report none of whose stack frames
    is in one of our modules is the kernel's own race (seen: the workqueue's
    unlocked statistics, the 8250 driver's runtime PM): listed in foreign, shown,
    not counted as a failure; so is a race between two accesses inside one kernel
    primitive (KERNEL_INTERNALS: lock spinning, the hrtimer sleeper, the module tree's
    latch, the workqueue's work->data), whoever called it. Any other KCSAN report with a frame of ours is a splat.
    """
    splats, excused, foreign = [], [], []
    expecting = atomic = restarting = False
    lab_at = lab_windows(lines)
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
        elif RESTART.search(line):
            restarting = True
        if CUT in line:
            j = i + 1
            while j < len(lines) and "---[ end trace" not in lines[j] and j - i < 200:
                j += 1
            block = lines[i:j + 1]
            text = "\n".join(block)
            # The NMR's own misuse report: its message is the line right after "cut here".
            own = len(block) > 2 and "nmr: misuse:" in block[1] and "WARNING:" in block[2]
            lab = lab_at.get(i)
            if lab and lab_at.get(j) == lab and lab_excused(lab, block, "warn"):
                excused.append((i, block))
            elif restarting and not any(OUR_FRAME.search(l) for l in block):
                foreign.append((i, block))
            else:
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
            lab = lab_at.get(i)
            kind = LAB_REPORTS[lab][1] if lab else None
            if kind in ("kasan", "atomic"):
                j = lab_block_end(lines, i, kind)
                if j is not None and lab_at.get(j) == lab and lab_excused(lab, lines[i:j + 1], kind):
                    excused.append((i, lines[i:j + 1]))
                    i = j + 1
                    continue
            ctx = lines[max(0, i - 5):i + 25]
            if restarting and not any(OUR_FRAME.search(l) for l in ctx):
                foreign.append((i, ctx))
                i += 25
                continue
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


def lab_kasan(module="nmr_lab_uaf", what="slab-use-after-free"):
    """Lab 1's KASAN report as the console shows it, cut down: rules, headline, frames."""
    return ["[ 2.0] " + KCSAN_RULE,
            f"[ 2.0] BUG: KASAN: {what} in lab_program_end+0x42/0x60 [{module}]",
            "[ 2.0] Read of size 4 at addr ffff8880037f5c80 by task kworker/0:1/10",
            "[ 2.0] Call Trace:", "[ 2.0]  <TASK>", "[ 2.0]  kasan_report+0xfe/0x130",
            f"[ 2.0]  ? lab_program_end+0x42/0x60 [{module}]",
            f"[ 2.0]  lab_program_end+0x42/0x60 [{module}]", f"[ 2.0]  lab_run+0xf4/0x460 [{module}]",
            "[ 2.0]  </TASK>", "[ 2.0] Freed by task 151:", "[ 2.0]  kfree+0x11f/0x3b0",
            f"[ 2.0]  lab_detach_provider+0x28/0x30 [{module}]", "[ 2.0] " + KCSAN_RULE,
            "[ 2.0] Disabling lock debugging due to kernel taint"]


def lab_atomic(frame="lab_detach_client_blocking+0x9c/0x1f0 [nmr_lab_block]"):
    """Lab 2's atomic-sleep report, cut down: headline, context, frames up to </TASK>."""
    return ["[ 2.0] BUG: sleeping function called from invalid context at /w/labs/nmr_lab_block.c:147",
            "[ 2.0] in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 74, name: rmmod",
            "[ 2.0] Call Trace:", "[ 2.0]  <TASK>", "[ 2.0]  __might_resched+0x3be/0x5e0",
            "[ 2.0]  ? lab_attach_provider+0xb0/0xb0 [nmr_lab_block]", "[ 2.0]  " + frame,
            "[ 2.0]  nmr_call_detach+0x105/0x3c0 [nmr]", "[ 2.0]  </TASK>"]


def lab_warn(message="wait on client 2 (nmr_lab_deadlock) from a callback it waits for (HDL-4)"):
    """Lab 3's misuse WARNING block, cut down."""
    return ["[ 2.0] " + CUT, "[ 2.0] nmr: misuse: " + message,
            "[ 2.0] WARNING: CPU: 3 PID: 92 at nmr_core.c:120 __nmr_misuse+0x14a/0x1d0 [nmr]",
            "[ 2.0] Call Trace:", "[ 2.0]  lab_detach_provider+0x38/0x50 [nmr_lab_deadlock]",
            "[ 2.0] ---[ end trace 0000000000000000 ]---"]


def lab_window(k, report, fixed=False):
    """@report inside the kernel log markers of lab k's wrong run (or of its right run)."""
    tag = "NMR-LAB-FIXED-" if fixed else "NMR-LAB-"
    return [f"[ 1.9] {tag}BEGIN {k}", f"[ 1.9] nmr_lab: bug={int(not fixed)}"] + report + \
        [f"[ 2.1] {tag}END {k}"]


def self_test():
    """Check find_splats() on made-up console logs; print one line per mistake."""
    ours = "up_caller_fn+0x77/0x870 [nmr_unload_peer]"
    lockdep = ["[ 2.0] WARNING: possible circular locking dependency detected"]
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
        ("workqueue race under our rhashtable removal", "foreign",
         kcsan_report("move_linked_works / queue_work_on",
                      ["queue_work_on+0x46/0xa0",
                       "__rhashtable_remove_fast.constprop.0.isra.0+0x82c/0x840 [nmr]",
                       "nmr_binding_unpublish_id+0x49/0xa0 [nmr]"])),
        ("a race between the workqueue and a function of ours", "splat",
         kcsan_report("queue_work_on / nmr_binding_cleanup",
                      ["queue_work_on+0x46/0xa0", "nmr_binding_cleanup+0x1/0x2 [nmr]"])),
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
        # The labs: lab k's own report is excused inside its wrong run's window, and only there.
        ("lab 1's KASAN report inside its window", "excused", lab_window(1, lab_kasan())),
        ("lab 1's KASAN report outside any window", "splat", lab_kasan()),
        ("lab 1's KASAN report in its right run's window", "splat", lab_window(1, lab_kasan(), fixed=True)),
        ("lab 1's KASAN report inside lab 2's window", "splat", lab_window(2, lab_kasan())),
        ("a KASAN report of another module inside lab 1's window", "splat",
         lab_window(1, lab_kasan(module="nmr_lab_twice"))),
        ("another kind of KASAN report inside lab 1's window", "splat",
         lab_window(1, lab_kasan(what="double-free"))),
        ("a lockdep report after lab 1's report inside its window", ["splat", "excused"],
         lab_window(1, lab_kasan() + lockdep)),
        ("lab 1's window never closed", "splat", lab_window(1, lab_kasan())[:-1]),
        ("lab 1's report running past its window's end", "splat", lab_window(1, lab_kasan()[:-2]) + lab_kasan()[-2:]),
        ("lab 2's atomic-sleep report inside its window", "excused", lab_window(2, lab_atomic())),
        ("lab 2's atomic-sleep report outside any window", "splat", lab_atomic()),
        ("an atomic-sleep report without a reliable frame of lab 2's module, in its window", "splat",
         lab_window(2, lab_atomic(frame="? lab_detach_client_blocking+0x9c/0x1f0 [nmr_lab_block]"))),
        ("lab 3's HDL-4 misuse warning inside its window", "excused", lab_window(3, lab_warn())),
        ("lab 3's HDL-4 misuse warning outside any window", "splat", lab_warn()),
        ("another misuse warning inside lab 3's window", "splat",
         lab_window(3, lab_warn("client 2 (nmr_lab_deadlock) deregistered twice (HDL-3)"))),
        ("lab 3's warning inside lab 1's window", "splat", lab_window(1, lab_warn())),
        ("a lockdep report inside lab 4's window (a lab whose report is no splat)", "splat",
         lab_window(4, lockdep)),
        # The kernel's restart after the guest ended: its own reports, unless a frame is ours.
        ("a WARNING in the kernel's restart, no frame of ours", "foreign",
         ["NMR-GUEST-EXIT 0", "[ 9.0] reboot: Restarting system", CUT,
          "[ 9.0] WARNING: CPU: 1 PID: 0 at kernel/sched/core.c:3300 set_task_cpu+0x1f0/0x210",
          "[ 9.0] Modules linked in: [last unloaded: nmr(O)]", "[ 9.0]  try_to_wake_up+0x382/0x840",
          "[ 9.0] ---[ end trace 0 ]---"]),
        ("a WARNING in the kernel's restart with a frame of ours", "splat",
         ["[ 9.0] reboot: Restarting system", CUT, "[ 9.0] WARNING: CPU: 1 PID: 0 at x.c:1 f+0x1/0x2",
          "[ 9.0]  nmr_cleanup_work+0x1/0x2 [nmr]", "[ 9.0] ---[ end trace 0 ]---"]),
        ("the same WARNING before the restart", "splat",
         [CUT, "[ 9.0] WARNING: CPU: 1 PID: 0 at kernel/sched/core.c:3300 set_task_cpu+0x1f0/0x210",
          "[ 9.0] ---[ end trace 0 ]---", "[ 9.0] reboot: Restarting system"]),
        ("a lockdep report in the kernel's restart, no frame of ours", "foreign",
         ["[ 9.0] reboot: machine restart"] + lockdep),
        ("lab 5's HDL-6 line inside its window", None, lab_window(5, [
            "[ 2.0] nmr: module nmr_lab_unload unloads with client 2 never waited for; cutting it loose (HDL-6)"])),
    ]
    bad = 0
    for what, want, lines in cases:
        splats, excused, foreign = find_splats(lines)
        got = [k for k, v in (("splat", splats), ("excused", excused), ("foreign", foreign)) if v]
        want = want if isinstance(want, list) else [want] if want else []
        if got != want:
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
    print(f"  {len(excused)} expected report(s) excused (misuse warnings of the suites, the atomic_callbacks check,"
          " each lab's own report)")
    for i, block in foreign:
        if not any(KCSAN in l for l in block[:1]):
            head = next((l for l in block if "WARNING" in l or SPLAT.search(l)), block[0])
            print(f"  note  the kernel's own report in its restart after the guest ended, no frame"
                  f" of ours (console.log line {i + 1}): {head.split('] ', 1)[-1].strip()}")
            continue
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
