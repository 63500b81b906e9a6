# SPDX-License-Identifier: GPL-2.0
# make check, inside the guest: every KUnit module and every sample, loaded and unloaded twice.
. /lib.sh
NMR_TORTURE_SECS=$(sed -n 's/.*nmr_torture_secs=\([0-9]*\).*/\1/p' /proc/cmdline)

echo clear > /sys/kernel/debug/kmemleak 2>/dev/null
# Let failslab fail sleeping allocations too: the suites inject with the task's fail-nth.
echo N > /sys/kernel/debug/failslab/ignore-gfp-wait 2>/dev/null
echo 0 > /sys/kernel/debug/failslab/verbose 2>/dev/null
for round in 1 2; do
	echo "== round $round: nmr, the KUnit suites, the samples"
	load nmr.ko
	for ko in $(cd /modules && ls kunit/*.ko); do
		run_kunit_module "$ko" "round$round"
	done
	load samples/nmr_sample_provider.ko
	load samples/nmr_sample_client.ko
	expect "round $round: sample client binds inside its register call" \
		klog "nmr_sample_client: attach_provider: bound"
	unload nmr_sample_client
	expect "round $round: sample client leaves with deregister_sync() = 0" \
		klog "nmr_sample_client: deregistered \(sync: 0\)"
	unload nmr_sample_provider
	expect "round $round: sample provider's wait returns 0" \
		klog "nmr_sample_provider: wait returned 0"
	unload nmr
	dmesg -c > /dev/null
done
echo "== torture: ${NMR_TORTURE_SECS:-30} s"
load nmr.ko
run_torture "${NMR_TORTURE_SECS:-30}"
unload nmr
kmemleak_report
data "NMR-GUEST-DONE failures=$failures"
