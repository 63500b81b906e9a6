# SPDX-License-Identifier: GPL-2.0
# Helpers for the guest scripts (busybox sh inside QEMU).

DATA=/dev/ttyS1
KUNIT=/sys/kernel/debug/kunit
failures=0

data() { echo "$*" > $DATA; }
fail() { echo "NMR-FAIL $*"; data "NMR-FAIL $*"; failures=$((failures + 1)); }
pass() { echo "NMR-PASS $*"; data "NMR-PASS $*"; }

# expect "what" CMD...: one counted check of the run.
expect() {
	what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

# until_ok SECS CMD...: retry CMD every 50 ms until it succeeds; false after SECS.
until_ok() {
	n=$(($1 * 20))
	shift
	while ! "$@"; do
		[ $n -gt 0 ] || return 1
		n=$((n - 1))
		sleep 0.05
	done
}

# The kernel log since the last clear has a line matching this (grep -E) pattern.
klog() { dmesg | grep -qE "$1"; }
load() { insmod "/modules/$1" ${2:-} || fail "insmod $1 $*"; }
unload() { rmmod "$1" || fail "rmmod $1"; }

# Run one KUnit module: load it, copy each new suite's results to the data channel, unload.
run_kunit_module() {
	ko=$1 tag=$2
	before=$(ls $KUNIT 2>/dev/null)
	load "$ko"
	for s in $(ls $KUNIT); do
		case " $(echo $before) " in *" $s "*) continue ;; esac
		data "NMR-KTAP-BEGIN $s $tag"
		cat "$KUNIT/$s/results" > $DATA
		data "NMR-KTAP-END $s"
	done
	unload "$(basename "$ko" .ko)"
}

# kmemleak never reports objects younger than 5 s: wait, scan twice, report.
kmemleak_report() {
	[ -w /sys/kernel/debug/kmemleak ] || return 0
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	echo scan > /sys/kernel/debug/kmemleak
	data "NMR-KMEMLEAK-BEGIN"
	cat /sys/kernel/debug/kmemleak > $DATA
	data "NMR-KMEMLEAK-END"
}

# Run nmr_torture for $1 seconds while reading the NMR's debugfs files; nmr.ko is loaded.
run_torture() {
	secs=$1
	load torture/nmr_torture.ko "duration=$secs"
	end=$(($(date +%s) + secs))
	reads=0
	while [ "$(date +%s)" -lt "$end" ]; do
		cat /sys/kernel/debug/nmr/registrations /sys/kernel/debug/nmr/bindings >/dev/null ||
			fail "debugfs read during the torture"
		reads=$((reads + 1))
	done
	unload nmr_torture
	dmesg | grep "nmr_torture: " | sed 's/^\[[^]]*\] /  /'
	expect "torture: PASS after $secs s, debugfs read $reads times meanwhile" \
		klog "nmr_torture: PASS"
}
