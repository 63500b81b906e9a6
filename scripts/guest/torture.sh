# SPDX-License-Identifier: GPL-2.0
# make torture, inside the guest: nmr_torture and the unload torture for nmr_torture_secs
# (kernel command line).
. /lib.sh
secs=$(sed -n 's/.*nmr_torture_secs=\([0-9]*\).*/\1/p' /proc/cmdline)
echo clear > /sys/kernel/debug/kmemleak 2>/dev/null
load nmr.ko
run_torture "${secs:-30}"
unload nmr
kmemleak_report
data "NMR-GUEST-DONE failures=$failures"
