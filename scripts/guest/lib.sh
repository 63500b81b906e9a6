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

# crash_patterns: the kernel's crash and splat reports as one grep -E (and awk) pattern,
# the lines of scripts/crash-patterns.txt (qemu-run.sh copies it to /crash-patterns.txt),
# the list the host's verdict.py judges every run's log with.
crash_patterns() {
	awk '!/^#/ && NF { p = p (p == "" ? "" : "|") $0 } END { print p }' /crash-patterns.txt
}
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

# The unload torture (HDL-6): load and unload nmr_unload_victim for $1 seconds, at random
# moments, mostly without deregistering, while nmr_unload_peer (and nmr_torture, on its
# first NPI) bind to it, offer to it, pend their detaches and call its dispatch function.
# Under TCG every fork of the guest costs: the loop forks only for insmod and rmmod (the
# delay is a read with a timeout on a FIFO nobody writes, the clock a background sleep).
unload_loop() {
	rm -f /tmp/unload.stop /tmp/unload.fifo
	mkfifo /tmp/unload.fifo
	exec 4<>/tmp/unload.fifo
	(sleep "$1"; : > /tmp/unload.stop) &
	n=0
	while [ ! -e /tmp/unload.stop ]; do
		r=$RANDOM
		insmod /modules/torture/nmr_unload_victim.ko leak=$((r % 4 != 0)) ||
			fail "insmod nmr_unload_victim"
		ms=$((r % 250))
		[ $ms -ge 100 ] || ms=0$ms
		[ $ms -ge 10 ] || ms=0$ms
		read -t "0.$ms" _ <&4
		rmmod nmr_unload_victim || fail "rmmod nmr_unload_victim"
		n=$((n + 1))
	done
	exec 4<&-
	echo "unload torture: nmr_unload_victim loaded and unloaded $n times"
}

# Run nmr_torture for $1 seconds (re-entrant callbacks on) while reading the NMR's debugfs
# files, and the unload torture alongside; nmr.ko is loaded.
run_torture() {
	secs=$1
	load torture/nmr_unload_peer.ko
	load torture/nmr_torture.ko "duration=$secs reentry_pct=${2:-5}"
	unload_loop "$secs" &
	loop=$!
	end=$(($(date +%s) + secs))
	reads=0
	while [ "$(date +%s)" -lt "$end" ]; do
		cat /sys/kernel/debug/nmr/registrations /sys/kernel/debug/nmr/bindings >/dev/null ||
			fail "debugfs read during the torture"
		reads=$((reads + 1))
	done
	wait $loop
	unload nmr_torture
	unload nmr_unload_peer
	dmesg | grep "nmr_torture: \|nmr_unload_peer: " | sed 's/^\[[^]]*\] /  /'
	expect "torture: PASS after $secs s, debugfs read $reads times meanwhile" \
		klog "nmr_torture: PASS"
	expect "HDL-4: re-entrant torture: every -EDEADLK where HDL-4 says, no wait past the watchdog" \
		sh -c 'dmesg | grep -q "nmr_torture: re-entrant -EDEADLK, each expected" &&
		       dmesg | grep -q "nmr_torture: PASS"'
	expect "HDL-6: unload torture: the victim unloaded mid-offer, mid-detach and mid-call, peers safe" \
		sh -c 'dmesg | grep -qE "nmr_unload_peer: [1-9][0-9]* victim unloads" &&
		       dmesg | grep -q "nmr_unload_peer: PASS"'
}

# Coverage (make coverage; make check's debug stage): send every .gcda file of
# /sys/kernel/debug/gcov, as a gzip'd tar in base64 between marker lines, to the data
# channel (scripts/coverage.sh decodes it). The kernel keeps an unloaded module's counters
# (gcov_persist=1, its default) and adds a reload's to them, so one dump after the last
# rmmod holds every load. Nothing is sent when no loaded object was built for gcov.
gcov_dump() {
	g=/sys/kernel/debug/gcov
	files=$(cd $g 2>/dev/null && find . -name '*.gcda')
	[ -n "$files" ] || return 0
	rm -rf /tmp/gcov
	for f in $files; do
		mkdir -p "/tmp/gcov/$(dirname "$f")"
		# debugfs gives these files no size: copy them with cat, which reads to the end.
		cat "$g/$f" > "/tmp/gcov/$f" || fail "read $g/$f"
	done
	data "NMR-GCOV-BEGIN"
	(cd /tmp/gcov && tar -cf - .) | gzip -9 | base64 > $DATA
	data "NMR-GCOV-END"
}

# trace_on: the nmr trace events on, the trace emptied. trace_check WHAT: the events off,
# then each of the nine events (EXT-2) is in the trace with the fields it prints.
TRACING=/sys/kernel/tracing
trace_on() {
	echo 1 > $TRACING/events/nmr/enable
	echo > $TRACING/trace
}
trace_check() {
	echo 0 > $TRACING/events/nmr/enable
	cat $TRACING/trace > /tmp/trace
	expect "EXT-2: $1: every nmr trace event recorded in tracefs, with its fields" sh -c '
		for e in "nmr_register: (client|provider) id=[0-9]+ owner=nmr_[a-z_]+ npi=[-0-9a-f]{36} number=[0-9]+" \
			 "nmr_deregister: (client|provider) id=[0-9]+" "nmr_wait_done: (client|provider) id=[0-9]+" \
			 "nmr_offer: binding=[0-9]+ client=[0-9]+ provider=[0-9]+" \
			 "nmr_attach: binding=[0-9]+ client=[0-9]+ provider=[0-9]+ result=0" \
			 "nmr_cleanup: binding=" "nmr_detach_start: binding=[0-9]+ side=(client|provider)" \
			 "nmr_detach: binding=[0-9]+ side=(client|provider) result=" \
			 "nmr_detach_complete: binding=[0-9]+ side="; do
			grep -qE " $e" /tmp/trace || { echo "no \"$e\" in the trace" >&2; exit 1; }
		done'
	echo > $TRACING/trace
}
