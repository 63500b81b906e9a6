# SPDX-License-Identifier: GPL-2.0
# make bench, inside the guest: load nmr and nmr_bench, which measures at init and prints the table.
. /lib.sh
# insmod does not read the kernel command line: pass nmr_bench.<param>=<value> on by hand.
args=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^nmr_bench\.//p' | tr '\n' ' ')
dmesg -n 7		# the table is printed with pr_info(); the boot was quiet
load nmr.ko
echo "NMR-BENCH-START $args"
start=$(date +%s)
load bench/nmr_bench.ko "$args"
echo "NMR-BENCH-DONE in $(($(date +%s) - start)) s"
lsmod | grep -q '^nmr_bench ' && unload nmr_bench
unload nmr
data "NMR-GUEST-DONE failures=$failures"
