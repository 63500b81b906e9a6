# SPDX-License-Identifier: GPL-2.0
# make check's stock stage, inside the guest: nmr and the samples on an unmodified Debian kernel.
#
# The modules were built against this kernel's own headers. nmr and the samples are loaded,
# bound, run through their patterns (check_samples) and unloaded twice (the second time with
# atomic_callbacks), with the trace events on in the first round; every sample module is also
# loaded and unloaded on its own; then nmr_torture runs for a short while.
# A Debian kernel has no KUnit, no lockdep and no kmemleak: the splat scan of the console
# (WARNING, BUG, Oops, ...) is what judges the kernel's side.
. /lib.sh
. /samples.sh
# Each check is named after the kernel series it ran on: the stage may boot two kernels.
K=$(uname -r | cut -d. -f1,2)
pass() { echo "NMR-PASS $K: $*"; data "NMR-PASS $K: $*"; }
fail() { echo "NMR-FAIL $K: $*"; data "NMR-FAIL $K: $*"; failures=$((failures + 1)); }
TORTURE_SECS=$(sed -n 's/.*nmr_torture_secs=\([0-9]*\).*/\1/p' /proc/cmdline)

echo "== $(uname -r): $(cat /proc/version)"
data "NMR-STOCK-KERNEL $(uname -r)"
expect "module signatures are not enforced (module.sig_enforce=N)" \
	grep -qx N /sys/module/module/parameters/sig_enforce

dmesg -c > /dev/null
for round in 1 2; do
	echo "== round $round: nmr and the samples"
	load nmr.ko
	if [ $round = 1 ]; then
		# TAINT_OOT_MODULE is bit 12 (O), TAINT_UNSIGNED_MODULE bit 13 (E).
		expect "unsigned nmr.ko loads and taints the kernel O and E, and says why" \
			eval 't=$(cat /proc/sys/kernel/tainted) && [ $((t & 4096)) -ne 0 ] &&
			      [ $((t & 8192)) -ne 0 ] && klog "module verification failed"'
		expect "the nmr trace events are there" test -d $TRACING/events/nmr
		trace_on
	fi
	check_samples $round
	[ $round = 1 ] && trace_check "round 1: samples"
	# Every sample module, including those check_samples does not know, alone.
	all=$(cd /modules && ls samples/*.ko)
	n=0
	for ko in $all; do
		insmod "/modules/$ko" && rmmod "$(basename "$ko" .ko)" && n=$((n + 1))
	done
	expect "round $round: each of the $(echo $all | wc -w) sample modules loads and unloads on its own" \
		[ $n = "$(echo $all | wc -w)" ]
	unload nmr
	expect "round $round: nmr unloads" eval '! grep -q "^nmr " /proc/modules'
	dmesg -c > /dev/null
done

echo "== torture: ${TORTURE_SECS:-10} s"
load nmr.ko
run_torture "${TORTURE_SECS:-10}"
unload nmr
data "NMR-GUEST-DONE failures=$failures"
