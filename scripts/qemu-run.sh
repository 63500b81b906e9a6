#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot a kernel in QEMU with a busybox initramfs holding our modules and one guest script.
#
#   scripts/qemu-run.sh KERNEL_BUILD_DIR GUEST_SCRIPT OUTDIR [TIMEOUT_SECS]
#
# The guest's console (kernel log and the script's narration) goes to stdout and to
# OUTDIR/console.log; what the script writes to /dev/ttyS1 (KTAP, kmemleak, results)
# goes to OUTDIR/data.log. Every .ko of the repository is packed under /modules, with
# its repo path (nmr.ko, samples/*.ko, kunit/*.ko). Exit: QEMU's status; 124 on timeout.
# NMR_QEMU_ACCEL overrides "-accel tcg,thread=multi" (one host thread per vCPU). A boot
# whose kernel splats before the guest script starts is booted again, once (below).
# NMR_QEMU_INTERACTIVE=1 (make shell) puts the guest's console on this terminal both ways:
# the first serial port on QEMU's stdio, multiplexed with its monitor (Ctrl-A x quits QEMU,
# Ctrl-A c switches to the monitor), Ctrl-C passed to the guest (signal=off), and the console
# logged to OUTDIR/console.log by QEMU itself (a tee would write to the terminal that QEMU
# makes non-blocking); a TIMEOUT of 0 means none, and a splat while booting is not retried.
set -euo pipefail

kbuild=$1 guest=$2 out=$3 secs=${4:-${NMR_QEMU_TIMEOUT:-900}}
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,dev,proc,sys,tmp,modules}
cp /bin/busybox "$root/bin/busybox"
(cd "$top" && find . -name '*.ko' -not -path './.git/*' -printf '%P\n') | while read -r ko; do
	mkdir -p "$root/modules/$(dirname "$ko")"
	cp "$top/$ko" "$root/modules/$ko"
done
cp "$guest" "$root/guest.sh"
cp "$top/scripts/guest/lib.sh" "$root/lib.sh"
cp "$top/scripts/guest/samples.sh" "$root/samples.sh"
cp "$top/scripts/crash-patterns.txt" "$root/crash-patterns.txt"
cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
echo "NMR-GUEST-START"
# Hold the data port open for the whole run: every open/close pair of a serial
# port otherwise starts it up and shuts it down (request_irq/free_irq) once per
# line written; a KCSAN report in that shutdown path, followed by a guest that
# never wrote again, was seen once in CI.
exec 3>/dev/ttyS1
sh /guest.sh
echo "NMR-GUEST-EXIT $?"
sync
reboot -f
INIT
chmod +x "$root/init" "$root/bin/busybox"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out/initramfs.gz"

# no5lvl: -cpu max offers 5-level paging, and with it the KASAN kernel was seen (about
# one boot in ten) to report a wild access in an early interrupt before any module
# loaded; 4-level paging is what real x86 machines run anyway.
qemu=(qemu-system-x86_64
	-accel "${NMR_QEMU_ACCEL:-tcg,thread=multi}" -cpu max -smp 4 -m 2048
	-nodefaults -nographic -no-reboot -bios qboot.rom
	-kernel "$kbuild/arch/x86/boot/bzImage" -initrd "$out/initramfs.gz"
	-append "console=ttyS0 panic=-1 kunit.enable=1 no5lvl ${NMR_CMDLINE:-}")
boot() {
	: > "$out/data.log"
	if [ "${NMR_QEMU_INTERACTIVE:-0}" = 1 ]; then
		: > "$out/console.log"
		timeout --foreground -k 5 "$secs" "${qemu[@]}" \
			-chardev "stdio,id=con,mux=on,signal=off,logfile=$out/console.log" \
			-serial chardev:con -mon chardev=con,mode=readline -serial "file:$out/data.log"
		return
	fi
	timeout --foreground -k 5 "$secs" "${qemu[@]}" \
		-serial stdio -serial "file:$out/data.log" </dev/null | tee "$out/console.log"
	return "${PIPESTATUS[0]}"
}

# A kernel splat before the guest script started is the kernel's own, under TCG: no nmr
# code has run yet. Seen: a KASAN report in an early interrupt with 5-level paging, and
# "Oops: int3" in code being live-patched on Debian's 6.12 (1 boot in 26 with a host
# thread per vCPU: another vCPU ran a stale translation of the patched bytes). It also
# turns lockdep off, which would void the run. Boot again, once, and say so on stderr;
# the first boot's console stays as console-boot1.log. A splat after the guest started
# is never retried: the verdict judges it.
set +e
boot
rc=$?
if [ "${NMR_QEMU_INTERACTIVE:-0}" != 1 ] && "$top/scripts/verdict.py" --boot-splat "$out" >&2; then
	echo "  the kernel splatted while booting, before any nmr code ran: booting again" \
		"(first boot kept as $out/console-boot1.log)" >&2
	mv "$out/console.log" "$out/console-boot1.log"
	boot
	rc=$?
fi
set -e
exit "$rc"
