#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make shell: a shell on the console of the debug kernel in QEMU, with nmr.ko loaded.
#
# Boots the 6.12 debug kernel (scripts/kernel.sh debug) with every module of the repository
# under /modules (nmr.ko, samples/, labs/, torture/), debugfs mounted, nmr.ko loaded and its
# trace events on; the guest (scripts/guest/shell.sh) prints a cheat-sheet and gives a prompt.
# `exit` or Ctrl-D ends the shell and QEMU; Ctrl-A x ends QEMU whatever the guest does. The
# kernel's warnings and errors show on the console as they happen (loglevel=5), its info lines
# in dmesg. The console is logged to .out/shell/console.log (NMR_SHELL_OUT); QEMU runs with no
# time limit unless NMR_SHELL_TIMEOUT says how many seconds. scripts/shell-test.py tests this
# through a pseudo-terminal in make check.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=${NMR_SHELL_OUT:-$top/.out/shell}

scripts/setup.sh
kbuild=$(scripts/kernel.sh debug | tail -n 1)
make -s -j"$(nproc)" modules KDIR="$kbuild" >/dev/null
rm -rf "$out"
echo "== Booting the debug kernel in QEMU ($kbuild); exit or Ctrl-D ends it, Ctrl-A x forces it"
NMR_QEMU_INTERACTIVE=1 NMR_CMDLINE="loglevel=5 ${NMR_CMDLINE:-}" \
	exec scripts/qemu-run.sh "$kbuild" scripts/guest/shell.sh "$out" "${NMR_SHELL_TIMEOUT:-0}"
