# SPDX-License-Identifier: GPL-2.0
# make check, inside the guest: every KUnit module and every sample, loaded and unloaded twice.
# Last, when nmr.ko was built for gcov (make coverage), its counters go to the data channel.
. /lib.sh
. /samples.sh
NMR_TORTURE_SECS=$(sed -n 's/.*nmr_torture_secs=\([0-9]*\).*/\1/p' /proc/cmdline)

echo clear > /sys/kernel/debug/kmemleak 2>/dev/null
for round in 1 2; do
	echo "== round $round: nmr, the KUnit suites, the samples"
	load nmr.ko
	for ko in $(cd /modules && ls kunit/*.ko); do
		run_kunit_module "$ko" "round$round"
	done
	# Round 2 runs the samples with the nmr trace events on (EXT-2): every event's tracefs
	# path (record, then print when the trace is read), which the KUnit trace suite's
	# probes do not take.
	[ $round = 2 ] && trace_on
	check_samples $round
	[ $round = 2 ] && trace_check "round 2: samples"
	# The Windows-style sample binds with the Linux-style first provider and client (EXT-6).
	dmesg -c >/dev/null
	load samples/nmr_first_provider.ko
	load samples/nmr_sample_nt.ko
	expect "round $round: Windows-style client (nmr_ntcompat.h) binds to the Linux-style provider, declines its own, its KEVENT wait succeeds" \
		sh -c 'dmesg | grep -q "nmr_sample_nt: ClientAttachProvider: NmrClientAttachProvider STATUS_SUCCESS, answer = 42" &&
		       dmesg | grep -q "nmr_sample_nt: ClientAttachProvider: declining our own provider: STATUS_NOINTERFACE" &&
		       dmesg | grep -q "nmr_sample_nt: DriverEntry: attached (KeWaitForSingleObject: STATUS_SUCCESS)"'
	load samples/nmr_first_client.ko
	expect "round $round: the README's first provider and client bind, and the client calls in" \
		klog "nmr_first_client: bound; the answer is 42"
	expect "round $round: the README's first client also binds to the Windows-style provider and calls in" \
		sh -c 'dmesg | grep -q "nmr_first_client: bound; the answer is 7" &&
		       dmesg | grep -q "nmr_sample_nt: ProviderAttachClient: STATUS_SUCCESS for a client of 5eedc0de-00f1-4e4d-9200-000000000001"'
	unload nmr_sample_nt
	expect "round $round: Windows-style sample: STATUS_PENDING detach completed by a work item, both waits STATUS_SUCCESS" \
		sh -c 'dmesg | grep -q "nmr_sample_nt: ClientDetachProvider: STATUS_PENDING" &&
		       dmesg | grep -q "nmr_sample_nt: ClientDetachProvider work item: last answer = 42, completing" &&
		       dmesg | grep -q "nmr_sample_nt: DriverUnload: client deregistered, status 0x00000000" &&
		       dmesg | grep -q "nmr_sample_nt: ProviderCleanupBindingContext: 1 queries served" &&
		       dmesg | grep -q "nmr_sample_nt: DriverUnload: provider deregistered, status 0x00000000"'
	unload nmr_first_provider
	unload nmr_first_client
	expect "round $round: the README's first provider and client leave, nothing registered" \
		sh -c '[ -z "$(cat /sys/kernel/debug/nmr/registrations)" ]'
	unload nmr
	dmesg -c > /dev/null
done
echo "== torture: ${NMR_TORTURE_SECS:-30} s"
load nmr.ko
run_torture "${NMR_TORTURE_SECS:-30}"

echo "== unload safety"
dmesg -c >/dev/null
MB=torture/nmr_misbehave.ko
PEER=torture/nmr_misbehave_peer.ko
load $PEER "role=provider"
load $MB "role=client leak=1"
D=/sys/kernel/debug/nmr
expect "EXT-1: debugfs files are mode 0400" \
	sh -c "[ \$(stat -c %a $D/registrations) = 400 ] && [ \$(stat -c %a $D/bindings) = 400 ]"
expect "EXT-1: debugfs shows the two registrations and their binding as key=value lines" \
	sh -c "grep -qE '^provider id=[0-9]+ owner=nmr_misbehave_peer npi=5eedc0de-0000-4e4d-9200-0000000000ff module=none number=0 state=active bindings=1 offers=0\$' $D/registrations &&
	       grep -qE '^client id=[0-9]+ owner=nmr_misbehave .* state=active bindings=1 offers=0\$' $D/registrations &&
	       grep -qE '^binding id=[0-9]+ client=[0-9]+ provider=[0-9]+ npi=[-0-9a-f]{36} state=attached client=attached provider=attached pending_ms=0\$' $D/bindings"
expect "EXT-1: debugfs shows no kernel pointer" sh -c "! cat $D/* | grep -qE '[0-9a-f]{16}|0x[0-9a-f]{8}'"
expect "rmmod nmr is refused while a module using it is loaded" sh -c '! rmmod nmr 2>/dev/null'
unload nmr_misbehave
expect "HDL-6: a module unloading without deregistering is reported by name" \
	klog "module nmr_misbehave unloads with client [0-9]+ still registered"
expect "HDL-6: its peer is detached normally" klog "nmr_misbehave_peer: detach"
unload nmr_misbehave_peer
expect "HDL-6: the peer then deregisters and waits normally" \
	klog "nmr_misbehave_peer: deregister_sync: 0"
dmesg -c >/dev/null
load $PEER "role=provider complete_delay_ms=1500"
load $MB "role=client"
rmmod nmr_misbehave_peer &
peer=$!
until_ok 10 grep -q "state=detaching client=done provider=pending" /sys/kernel/debug/nmr/bindings ||
	fail "the provider's detach never showed as pending in debugfs"
unload nmr_misbehave
wait $peer || fail "rmmod nmr_misbehave_peer"
expect "rmmod of a client during its provider's pending detach waits for the completion" \
	sh -c 'dmesg | grep -A100 "nmr_misbehave_peer: completing" | grep -q "nmr_misbehave: deregister_sync: 0"'

echo "== atomic_callbacks (EXT-5)"
dmesg -c >/dev/null
echo 1 > /sys/module/nmr/parameters/atomic_callbacks
load $PEER "role=provider"
load $MB "role=client sleep_in_detach=1"
echo "nmr-test: expect-atomic-sleep begin" > /dev/kmsg
unload nmr_misbehave
echo "nmr-test: expect-atomic-sleep end" > /dev/kmsg
echo 0 > /sys/module/nmr/parameters/atomic_callbacks
unload nmr_misbehave_peer
expect "EXT-5: a detach callback that may sleep is reported in atomic_callbacks mode" \
	sh -c 'dmesg | grep -A30 "sleeping function called from invalid context" | grep -q mb_detach'
unload nmr
kmemleak_report
gcov_dump
data "NMR-GUEST-DONE failures=$failures"
