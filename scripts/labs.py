#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make lab: the five labs of docs/five-bugs.md, each a mistake made for real and caught.

    labs.py list                          the five labs, one a line
    labs.py select ARG                    the labs ARG names (1..5, a name, or all), in boot order
    labs.py show OUTDIR KERNEL_SRC K...   show and check each lab K of a run (make lab)
    labs.py check OUTDIR KERNEL_SRC K...  check only: one --extra=NAME=passed|failed line per lab,
                                          for verdict.py (make check's labs stage)

A run is one boot of scripts/guest/labs.sh (scripts/lab.sh starts it): for each lab, its modules
with bug=0 between the kernel log lines NMR-LAB-FIXED-BEGIN k and NMR-LAB-FIXED-END k, then with
bug=1 between NMR-LAB-BEGIN k and NMR-LAB-END k. A lab passes when:
- the wrong run holds the lab's own report (verdict.LAB_REPORTS: the same rule by which the
  verdict excuses it there, and only there) and no other report;
- the report leads to the line marked "/* WRONG" in the lab's source: a frame of the lab module
  in it, resolved on the host with the kernel's scripts/faddr2line and the module's debug info
  (the guest has no addr2line), or the file:line it names; lab 5's report names no frame, so its
  line is the marked one;
- the wrong and the right run each printed what the lab module says when it got that far;
- the right run holds no report at all: no line of scripts/crash-patterns.txt, no misuse line
  of the NMR, none of the labs' reports;
- the guest finished and failed no step of the lab.
Exit status 0 only when every lab passed.
"""
import os
import re
import subprocess
import sys

import verdict

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = "docs/five-bugs.md"


class Lab:
    """One lab: what it runs, what the kernel must say, and why."""

    def __init__(self, n, name, title, rules, anchor, said_wrong, said_right, why):
        self.n, self.name, self.title, self.rules = n, name, title, rules
        self.module, self.kind, self.headline = verdict.LAB_REPORTS[n]
        self.source = f"labs/{self.module}.c"
        self.anchor = anchor
        self.said_wrong, self.said_right = said_wrong, said_right
        self.why = why

    def label(self):
        return f"lab {self.n} ({self.name}, {self.rules})"


LABS = [
    Lab(1, "uaf", "freeing the binding context in detach", "CLN-3",
        "1-freeing-the-binding-context-in-detach-cln-3",
        [r"client: detach: freeing the binding context \(bug=1\)"],
        [r"client: program run 1 ends", r"client: cleanup: both sides are done, freeing"],
        "The client freed its binding context in its detach callback: its own calls into the "
        "provider were over, so it thought the context was no longer needed. But the provider "
        "had a call into the client in flight, the program run it had started with that "
        "context, and the run's last step read the freed memory; KASAN caught the read, and "
        "says where the object was freed. The peer may call in until its own side is done: "
        "free binding contexts in cleanup (CLN-3), which the NMR calls only once both sides "
        "are done (CLN-1), here after the run returned and completed the provider's detach."),
    Lab(2, "block", "blocking in detach", "DET-7, EXT-5",
        "2-blocking-in-detach-det-4-det-7-atomic_callbacks",
        [r"provider: detach: waiting until no call is in flight \(bug=1\)"],
        [r"provider: detach: draining the calls in flight, pending",
         r"provider: no call in flight any more: detach complete"],
        "The provider's detach callback waited with wait_event() for its calls in flight, and "
        "nmr.ko ran with atomic_callbacks=1, which calls detach callbacks with preemption "
        "disabled, as Windows may call them at DISPATCH_LEVEL. Nothing was in flight, so the "
        "wait did not even sleep; but it may, and CONFIG_DEBUG_ATOMIC_SLEEP reports it at the "
        "wait's line: on Windows, the day a call is in flight, that is a crash, and on Linux "
        "such a callback holds up every binding after it and the rmmod behind them (DET-3). "
        "A detach callback pends instead of blocking: it starts the drain of its rundown, "
        "returns -EINPROGRESS, and the last call's release completes the side (DET-4, EXT-3)."),
    Lab(3, "deadlock", "waiting from one's own detach callback", "HDL-4",
        "3-waiting-from-a-callback-hdl-4--edeadlk",
        [r"client: detach: the wait returned -35$"],
        [r"exit: the client's wait returned 0; unloaded"],
        "The client's only provider was leaving, so the client's detach callback deregistered "
        "the client, which is allowed, and then waited for that deregistration to complete: on "
        "the provider's rmmod thread, inside the very detach that the wait was waiting for. "
        "That wait could never end; the NMR sees that the caller runs a callback the wait "
        "depends on and answers -EDEADLK (-35) with a warning instead of hanging for ever "
        "(HDL-4). Wait where no callback of the registration is on the stack: in "
        "module_exit(), or in a work item that module_exit() flushes."),
    Lab(4, "twice", "completing a detach twice", "DET-4, HDL-5",
        "completing-twice-det-4-hdl-5",
        [r"provider: completed early, before deregistering: 0",
         r"provider: detach: completing returned -22$"],
        [r"provider: completed early, before deregistering: 0", r"unloaded$"],
        "The provider completed its side early, before deregistering, which DET-6 allows (as "
        "xdp-for-windows does), and then its detach callback, written for a client that leaves "
        "first, completed the same side a second time. A side is completed once (DET-4): the "
        "NMR answered the second call with -EINVAL (-22) and a rate-limited warning naming the "
        "caller, and changed nothing (HDL-5); had the binding been gone already, the handle "
        "would have been dead, and the answer -EBADF. Give each completion one owner: a flag "
        "that says it was done, as samples/nmr_sample_early.c claims under its lock."),
    Lab(5, "unload", "unloading without waiting", "DRG-3, HDL-6",
        "5-unloading-without-waiting-drg-3-hdl-6",
        [r"exit: nmr_deregister_client\(\) returned -115; returning without waiting",
         r"nmr_lab_unload_peer: provider: the call in flight returned: completing the detach"],
        [r"client: cleanup: both sides are done",
         r"exit: nmr_deregister_client_sync\(\) returned 0"],
        "The client's module_exit() called nmr_deregister_client() and returned. Its "
        "-EINPROGRESS (-115) meant started, not done: the provider's side was still pending, "
        "and the client's cleanup callback was still to come, into a module whose code was "
        "about to go. The NMR's module notifier caught the module on its way out, named it "
        "with its registration and cut it loose: it calls nothing of the module from then on, "
        "and it holds the unload, before the module's memory is freed, until every peer's "
        "side is done (HDL-6). That is a safety net, not a way to unload: deregister and wait, "
        "with nmr_deregister_client_sync(), then flush your own "
        "machinery (DRG-3)."),
]
BY_KEY = {str(lab.n): lab for lab in LABS} | {lab.name: lab for lab in LABS}
# Boot order when several run in one boot: lab 1's KASAN report turns lockdep off ("Disabling
# lock debugging due to kernel taint") for the rest of the boot, so it comes last.
BOOT_ORDER = [2, 3, 4, 5, 1]

FRAME = re.compile(r"([\w.]+)\+0x([0-9a-f]+)/0x[0-9a-f]+ \[(nmr_lab\w*)\]")
STAMP = re.compile(r"^\[\s*\d+\.\d+\] ?")
MISUSE = "nmr: misuse:"


def usage():
    sys.exit(__doc__.split("\n\n")[1])


def text(line):
    """A console line without its timestamp, with paths relative to the checkout."""
    return STAMP.sub("", line).replace(TOP + "/", "")


def window(lines, begin, end):
    """(first, last) line indexes strictly inside the first window begin ... end; None if unclosed."""
    try:
        i = next(i for i, l in enumerate(lines) if text(l).strip() == begin)
        j = next(j for j in range(i + 1, len(lines)) if text(lines[j]).strip() == end)
    except StopIteration:
        return None
    return i + 1, j


class Resolver:
    """func+0xOFF [module] to (file, line) with the kernel's scripts/faddr2line and the .ko."""

    def __init__(self, ksrc):
        self.tool = os.path.join(ksrc, "scripts", "faddr2line")
        self.cache = {}

    def __call__(self, func, off, module, return_address=True):
        # A stack frame is a return address: the call is the instruction before it.
        addr = f"{func}+{hex(off - 1 if return_address and off else off)}"
        key = (module, addr)
        if key not in self.cache:
            self.cache[key] = self.run(module, addr)
        return self.cache[key]

    def run(self, module, addr):
        ko = os.path.join(TOP, "labs", module + ".ko")
        try:
            out = subprocess.run([self.tool, ko, addr], capture_output=True, text=True,
                                 timeout=30).stdout
        except (OSError, subprocess.TimeoutExpired):
            return None
        # The innermost line that is ours (the first of an "(inlined by)" chain in labs/).
        for m in re.finditer(r" at (\S+):(\d+)", out):
            path = os.path.relpath(os.path.realpath(m.group(1)), TOP)
            if path.startswith("labs/"):
                return path, int(m.group(2))
        return None


def source_line(path, n, indent=False):
    """Line @n of @path, stripped (or, with @indent, with its tabs as 8 columns)."""
    try:
        with open(os.path.join(TOP, path)) as f:
            line = f.read().splitlines()[n - 1]
    except (OSError, IndexError):
        return "?"
    return line.expandtabs(8).rstrip() if indent else re.sub(r"\t+", "  ", line.strip())


def marked_line(lab):
    """(source, line number) of the line marked "/* WRONG" in the lab's source."""
    with open(os.path.join(TOP, lab.source)) as f:
        for n, line in enumerate(f, 1):
            if "/* WRONG" in line:
                return lab.source, n
    return lab.source, 0


def trim(lab, block):
    """The lines of the report that matter: headline, what/where lines, frames of our modules."""
    keep = []
    section = None
    for raw in block:
        line = text(raw).rstrip()
        body = line.strip()
        if body.startswith(("? ", "RIP:", "The buggy address belongs to the physical")) or not body:
            continue
        if body.startswith(("Allocated by task", "Freed by task", "Call Trace:",
                            "Preemption disabled at:")):
            section = body
            keep.append(body if body != "Call Trace:" else "Call Trace (frames of ours):")
            continue
        if body.startswith(("BUG:", "WARNING:")):
            keep.append(body)
            continue
        if re.search(r"\+0x[0-9a-f]+/0x[0-9a-f]+ \[nmr\w*\]$", body) or (
                section == "Preemption disabled at:" and "[nmr" in body):
            keep.append("  " + body)
            if section == "Preemption disabled at:":
                section = None
            continue
        if (body.startswith(("BUG:", "WARNING:", MISUSE, "nmr: module", "in_atomic()",
                             "The buggy address", "which belongs", "freed "))
                or re.match(r"(Read|Write) of size", body)):
            keep.append(body)
    return keep


def find_report(lab, lines, first, last):
    """The lab's own report in its wrong run: (index, block) or None."""
    if lab.kind == "line":
        for i in range(first, last):
            if re.search(lab.headline, lines[i]):
                return i, [lines[i]]
        return None
    _, excused, _ = verdict.find_splats(lines)
    for i, block in excused:
        if first <= i < last and verdict.lab_windows(lines).get(i) == lab.n:
            return i, block
    return None


def at_fault(lab, block, resolve):
    """Where the report points in the lab's source: (path, line), how it was found; or None."""
    head = text(block[0]) if lab.kind != "warn" else text(block[1])
    m = re.search(r" at \S*?(labs/[\w.]+\.c):(\d+)", head)
    if m:
        return (m.group(1), int(m.group(2))), "named by the report"
    frames = [FRAME.search(text(l)) for l in block if not text(l).strip().startswith("? ")]
    frames = [f for f in frames if f and f.group(3) == lab.module]
    if lab.kind == "kasan":		# the free is the mistake; the read is where it shows
        freed = [i for i, l in enumerate(block) if "Freed by task" in l]
        if freed:
            frames = [f for f in (FRAME.search(text(l)) for l in block[freed[0]:])
                      if f and f.group(3) == lab.module] or frames
    if frames:
        f = frames[0]
        where = resolve(f.group(1), int(f.group(2), 16), f.group(3))
        if where:
            return where, f"the report's frame {f.group(0)}, resolved with faddr2line"
        return None
    if lab.kind == "line":
        return marked_line(lab), "the report names no frame: the lab's line marked WRONG"
    return None


def judge(lab, console, data, resolve, show):
    """Check (and with @show, print) one lab's two runs; return the list of what went wrong."""
    bad = []
    say = print if show else (lambda *a: None)
    wrong = window(console, f"NMR-LAB-BEGIN {lab.n}", f"NMR-LAB-END {lab.n}")
    right = window(console, f"NMR-LAB-FIXED-BEGIN {lab.n}", f"NMR-LAB-FIXED-END {lab.n}")
    say(f"\n=== Lab {lab.n}: {lab.title} ({lab.rules})")
    say(f"    {DOC}#{lab.anchor}, and the lab's module: {lab.source} (bug=1 wrong, bug=0 right)")
    for l in data:
        if l.startswith("NMR-FAIL ") and f"lab {lab.n} " in l:
            bad.append("the guest: " + l[len("NMR-FAIL "):])
    if not wrong or not right:
        bad.append("the run of the %s code is missing or did not end" % ("wrong" if not wrong else "right"))
        return bad
    splats = [(i, b) for i, b in verdict.find_splats(console)[0]
              if wrong[0] <= i < wrong[1] or right[0] <= i < right[1]]

    # The wrong code: the report, trimmed, and the line it leads to.
    say(f"\n--- The wrong code (bug=1): what the kernel said (console.log lines {wrong[0] + 1}-{wrong[1]}, trimmed)")
    report = find_report(lab, console, *wrong)
    start, block = report if report else (None, [])
    i = wrong[0]
    while i < wrong[1]:		# the lab's own lines and the report, in the kernel's order
        if i == start:
            for l in trim(lab, block):
                say("  " + l)
                f = FRAME.search(l)
                if f and l.startswith("  "):
                    where = resolve(f.group(1), int(f.group(2), 16), f.group(3))
                    if where:
                        say(f"        {where[0]}:{where[1]}: {source_line(*where)}")
            i += len(block)
            continue
        if text(console[i]).startswith("nmr_lab"):
            say("  " + text(console[i]))
        i += 1
    if report is None:
        bad.append(f"no {lab.kind} report of the lab in the wrong run: {lab.headline}")
    else:
        fault = at_fault(lab, block, resolve)
        marked = marked_line(lab)
        if fault is None:
            bad.append("the report leads to no line of " + lab.source)
        else:
            (path, n), how = fault
            say(f"\n  The line at fault ({how}), with the two before it:")
            for k in range(max(1, n - 2), n + 1):
                say(f"  {'>' if k == n else ' '} {path}:{k}: {source_line(path, k, indent=True)}")
            if (path, n) != marked:
                bad.append(f"the report leads to {path}:{n}, not to the line marked WRONG"
                           f" ({marked[0]}:{marked[1]})")
    for want in lab.said_wrong:
        if not any(re.search(want, text(l)) for l in console[wrong[0]:wrong[1]]):
            bad.append(f"the wrong run did not say /{want}/")
    for i, b in splats:
        if wrong[0] <= i < wrong[1]:
            bad.append(f"another report in the wrong run (console.log line {i + 1}): {text(b[0]).strip()}")

    say("\n--- Why")
    words, line = lab.why.split(), "   "
    for w in words:
        if len(line) + len(w) > 96:
            say(line)
            line = "   "
        line += " " + w
    say(line)

    # The right code: what the module said, and nothing else.
    say(f"\n--- The right code (bug=0; console.log lines {right[0] + 1}-{right[1]}; it ran first in"
        " the boot, so that no report of the wrong code can hide one of it)")
    for l in console[right[0]:right[1]]:
        if text(l).startswith(lab.module) or text(l).startswith("nmr_lab"):
            say("  " + text(l))
    for want in lab.said_right:
        if not any(re.search(want, text(l)) for l in console[right[0]:right[1]]):
            bad.append(f"the right run did not say /{want}/")
    noise = [l for l in console[right[0]:right[1]]
             if verdict.SPLAT.search(l) or MISUSE in l or verdict.CUT in l
             or any(re.search(r[2], l) for r in verdict.LAB_REPORTS.values())]
    if noise:
        bad.append(f"the right run has a report: {text(noise[0]).strip()}")
    else:
        say("  clean: no report (nothing of scripts/crash-patterns.txt, no misuse line of the NMR)")
    say(f"\n{lab.label()}: " + ("passed" if not bad else "FAILED"))
    for b in bad:
        say("  FAIL  " + b)
    return bad


def main():
    if len(sys.argv) < 2:
        usage()
    cmd = sys.argv[1]
    if cmd == "list":
        for lab in LABS:
            print(f"  {lab.n}  {lab.name:<9} {lab.title} ({lab.rules})")
        return 0
    if cmd == "select":
        arg = sys.argv[2] if len(sys.argv) > 2 else ""
        if arg == "all":
            print(" ".join(map(str, BOOT_ORDER)))
            return 0
        if arg not in BY_KEY:
            print(f"labs: no lab {arg!r}: 1..5, one of {', '.join(l.name for l in LABS)}, or all",
                  file=sys.stderr)
            return 2
        print(BY_KEY[arg].n)
        return 0
    if cmd not in ("show", "check") or len(sys.argv) < 5:
        usage()
    outdir, ksrc = sys.argv[2], sys.argv[3]
    which = [BY_KEY[k] for k in sys.argv[4:]]
    with open(os.path.join(outdir, "console.log"), errors="replace") as f:
        console = [verdict.clean(l) for l in f]
    with open(os.path.join(outdir, "data.log"), errors="replace") as f:
        data = [verdict.clean(l) for l in f]
    resolve = Resolver(ksrc)
    show = cmd == "show"
    failed = 0
    done = any(l.startswith("NMR-GUEST-DONE") for l in data)
    for lab in sorted(which, key=lambda lab: lab.n):
        bad = judge(lab, console, data, resolve, show)
        if not done:
            bad.append("the guest did not finish")
            if show:
                print("  FAIL  the guest did not finish")
        failed += bool(bad)
        if not show:
            what = f"{lab.label()}: {lab.title}: the kernel reports the wrong code, the right code is clean"
            print(f"--extra={what}={'failed' if bad else 'passed'}")
            for b in bad:
                print(f"  FAIL  {lab.label()}: {b}", file=sys.stderr)
    if not show:		# verdict.py judges the rest of the log
        return 1 if failed else 0
    # make lab: a report anywhere else in the boot fails it too.
    windows = set()
    for lab in which:
        for begin, end in ((f"NMR-LAB-BEGIN {lab.n}", f"NMR-LAB-END {lab.n}"),
                           (f"NMR-LAB-FIXED-BEGIN {lab.n}", f"NMR-LAB-FIXED-END {lab.n}")):
            w = window(console, begin, end)
            if w:
                windows.update(range(*w))
    others = [(i, b) for i, b in verdict.find_splats(console)[0] if i not in windows]
    for i, b in others:
        print(f"\nFAIL  a report outside the labs' runs (console.log line {i + 1}):")
        print("\n".join("      " + text(l) for l in b[:30]))
    print(f"\nmake lab: {len(which) - failed} passed, {failed + bool(others)} failed")
    return 1 if failed or others else 0


if __name__ == "__main__":
    sys.exit(main())
