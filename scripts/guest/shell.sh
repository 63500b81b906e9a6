# SPDX-License-Identifier: GPL-2.0
# make shell, inside the guest: nmr.ko loaded, its trace events on, a prompt with a cheat-sheet.
#
# The shell runs on the serial console with it as its controlling terminal (setsid, cttyhack),
# so that Ctrl-C reaches the command in the foreground; `exit` or Ctrl-D ends it, and with it
# the guest: /init reboots, which ends QEMU (-no-reboot). The kernel's messages go to the same
# console, between the shell's lines.
. /lib.sh

load nmr.ko
echo 1 > "$TRACING/events/nmr/enable"
echo > "$TRACING/trace"
cat <<EOF

  nmr shell: Linux $(uname -r), the debug kernel (KASAN, lockdep, kmemleak), nmr.ko loaded,
  its trace events on; every module of the repository under /modules.

  Load two samples:     insmod /modules/samples/nmr_sample_hook.ko        (ls /modules/samples)
                        insmod /modules/samples/nmr_sample_client.ko program_delay_ms=800
  What nmr holds:       cat /sys/kernel/debug/nmr/registrations
                        cat /sys/kernel/debug/nmr/bindings
  Follow the trace:     cat /sys/kernel/tracing/trace_pipe &      (kill %1 stops it)
  Unload, read back:    rmmod nmr_sample_hook; dmesg | tail
  Break it (make lab):  insmod /modules/labs/nmr_lab_twice.ko bug=1; rmmod nmr_lab_twice
  End it all:           exit, or Ctrl-D (Ctrl-A x if the guest hangs)

EOF
export PS1='nmr# ' HOME=/ TERM="${TERM:-vt100}"
cd / || exit 1
setsid cttyhack sh -i
data "NMR-GUEST-DONE failures=$failures"
