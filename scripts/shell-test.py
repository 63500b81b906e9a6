#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Test make shell for real, through a pseudo-terminal, the way a person at a terminal uses it.

    shell-test.py [--timeout SECS] [--transcript FILE] [COMMAND...]

Runs COMMAND (default: make -s shell) on a new pseudo-terminal, waits for the guest's prompt,
types commands as a person would (Enter is a carriage return, as a terminal in raw mode sends
it) and reads the screen: load the README's first provider and client, read both debugfs files
(EXT-1), find the binding's attach in the trace (EXT-2), interrupt a command with Ctrl-C,
leave a nested shell with Ctrl-D, unload, then type exit and check that QEMU ended by itself
with status 0, and that the console showed no kernel report (verdict.py's splat rules). Every wait is bounded; at the end (or at SECS, default 240) the whole process
group (make, the scripts, QEMU) is killed. Prints one line per step and "make shell: passed" or
"make shell: FAILED: why" last; exit status 0 only when every step passed. The screen goes to
FILE (default .out/shell-test/transcript.txt).
"""
import os
import pty
import re
import select
import signal
import sys
import time

import verdict

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROMPT = "nmr# "


class Terminal:
    """The master side of a pseudo-terminal with COMMAND on its slave side."""

    def __init__(self, argv, deadline, transcript):
        self.deadline = deadline
        self.screen = ""
        self.seen = 0		# how much of the screen a wait has consumed
        self.held = ""		# the start of an escape sequence, until its end is read
        self.log = open(transcript, "w")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:	# the child: a session of its own, the pty its terminal
            os.chdir(TOP)
            os.execvp(argv[0], argv)

    def read(self, secs):
        """Read what the terminal shows for up to @secs; False once the child closed it."""
        end = min(time.monotonic() + secs, self.deadline)
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return True
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                return True
            try:
                chunk = os.read(self.fd, 65536).decode("utf-8", "replace")
            except OSError:		# EIO: every slave descriptor is closed
                return False
            if not chunk:
                return False
            # No carriage returns, no terminal queries (ash asks where the cursor is: ESC [6n);
            # an escape cut in two by the read waits for its end.
            chunk = self.held + chunk.replace("\r", "")
            cut = re.search(r"\x1b(\[[0-9;?]*)?$", chunk)
            self.held = cut.group(0) if cut else ""
            chunk = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", chunk[:cut.start()] if cut else chunk)
            self.screen += chunk
            self.log.write(chunk)
            self.log.flush()

    def wait_for(self, pattern, secs):
        """Read until @pattern appears after what was consumed; its match, or None."""
        end = min(time.monotonic() + secs, self.deadline)
        while True:
            m = re.compile(pattern).search(self.screen, self.seen)
            if m:
                self.seen = m.end()
                return m
            left = end - time.monotonic()
            if left <= 0 or not self.read(min(left, 1.0)) and not \
                    re.compile(pattern).search(self.screen, self.seen):
                return None

    def type(self, keys):
        os.write(self.fd, keys.encode())

    def run(self, command, secs=30):
        """Type @command and Enter; return what it printed, up to the next prompt, or None."""
        # The typed line is echoed back (wrapped at the guest's 80 columns); what the command
        # printed lies between two markers that only the shell's arithmetic writes: the echo
        # shows $((10+1)) and $((40+2)), never 11 and 42.
        self.type(f"echo \"<<$((10+1))>>\"; {command}; echo \"<<$((40+2))>>\"\r")
        begin = self.wait_for(r"<<11>>\n", secs)
        end = begin and self.wait_for(r"<<42>>\n", secs)
        if not end:
            return None
        return self.screen[begin.end():end.start()]

    def ended(self, secs):
        """Did the child exit within @secs, and with what status?"""
        end = min(time.monotonic() + secs, self.deadline)
        while time.monotonic() < end:
            self.read(0.5)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.pid = 0
                return os.waitstatus_to_exitcode(status)
        return None

    def kill(self):
        if self.pid:
            try:
                os.killpg(self.pid, signal.SIGKILL)	# make, the scripts, QEMU
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.pid = 0
        self.log.close()


def main():
    args = sys.argv[1:]
    timeout, transcript = 240, os.path.join(TOP, ".out", "shell-test", "transcript.txt")
    while args and args[0].startswith("--"):
        if args[0] == "--timeout":
            timeout = int(args[1])
        elif args[0] == "--transcript":
            transcript = args[1]
        args = args[2:]
    argv = args or ["make", "-s", "shell"]
    os.makedirs(os.path.dirname(transcript), exist_ok=True)
    start = time.monotonic()
    term = Terminal(argv, start + timeout, transcript)
    failed = []

    def step(what, ok, detail=""):
        print(f"  {'ok  ' if ok else 'FAIL'}  make shell: {what}" + (f" ({detail})" if detail and not ok else ""))
        if not ok:
            failed.append(what)
        return ok

    try:
        if not step("the guest's prompt and cheat-sheet appear",
                    term.wait_for(r"cat /sys/kernel/tracing/trace_pipe &", 200) is not None
                    and term.wait_for(re.escape(PROMPT), 60) is not None):
            return finish(term, failed, start)
        out = term.run("insmod /modules/samples/nmr_first_provider.ko &&"
                       " insmod /modules/samples/nmr_first_client.ko && echo loaded")
        step("insmod of the README's first provider and client", out is not None and "loaded" in out, out)
        out = term.run("cat /sys/kernel/debug/nmr/registrations")
        step("EXT-1: debugfs registrations lists both, active, bound",
             out is not None
             and re.search(r"^provider id=\d+ owner=nmr_first_provider .*state=active bindings=1", out, re.M)
             and re.search(r"^client id=\d+ owner=nmr_first_client .*state=active bindings=1", out, re.M),
             out)
        out = term.run("cat /sys/kernel/debug/nmr/bindings")
        step("EXT-1: debugfs bindings shows their binding attached",
             out is not None and re.search(r"^binding id=\d+ client=\d+ provider=\d+ .*"
                                           r"state=attached client=attached provider=attached", out, re.M),
             out)
        out = term.run("grep -c ' nmr_attach: binding=.* result=0' /sys/kernel/tracing/trace")
        step("EXT-2: the trace events are on: the attach is in the trace",
             out is not None and re.search(r"^[1-9]\d*$", out.strip()), out)
        out = term.run("dmesg | grep -c 'nmr_first_client: bound; the answer is 42'")
        step("the client called the provider (dmesg)", out is not None and out.strip() == "1", out)
        # Ctrl-C: the shell's terminal is the console (cttyhack), so it reaches the command
        # in the foreground; typed once the command says it runs (its echo is no proof).
        term.type("sh -c 'echo started; exec sleep 600'\r")
        started = term.wait_for(r"(?m)^started$", 20)
        term.type("\x03")
        out = term.run("echo back", 20)
        step("Ctrl-C interrupts the command in the foreground",
             started is not None and out is not None and "back" in out, out)
        # Ctrl-D: end of input for a nested shell, typed once it shows its own prompt.
        term.type("PS1='nested# ' sh -i\r")
        nested = term.wait_for(r"(?m)^nested# ", 20)
        term.type("\x04")
        out = term.run("echo still here", 20)
        step("Ctrl-D ends a shell", nested is not None and out is not None and "still here" in out, out)
        out = term.run("rmmod nmr_first_client nmr_first_provider &&"
                       " wc -l < /sys/kernel/debug/nmr/registrations")
        step("rmmod of both: nothing registered any more", out is not None and out.strip() == "0", out)
        term.type("exit\r")
        status = term.ended(90)
        step("exit ends the guest and QEMU, with status 0", status == 0,
             "still running" if status is None else f"status {status}")
        # The kernel's lines only (timestamped): the cheat-sheet and the commands are not reports.
        kernel = [l for l in term.screen.split("\n") if re.match(r"\[ *\d+\.\d+\] ", l)]
        splats = verdict.find_splats(kernel)[0]
        step("no kernel report on the console (scripts/crash-patterns.txt)", not splats,
             splats and kernel[splats[0][0]])
    finally:
        term.kill()
    return finish(term, failed, start)


def finish(term, failed, start):
    term.kill()
    secs = int(time.monotonic() - start)
    if failed:
        print(f"make shell: FAILED after {secs} s: {'; '.join(failed)}")
        return 1
    print(f"make shell: passed ({secs} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
