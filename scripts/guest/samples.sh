# SPDX-License-Identifier: GPL-2.0
# make check, inside the guest: each sample loaded, bound, run through its pattern, unloaded.
#
# Sourced by the guest's check.sh after /lib.sh; call `check_samples ROUND` with
# nmr.ko loaded (it is loaded here if it is not). Every check names what it
# checks; every wait is bounded; every sample is unloaded at the end. Round 2
# runs with nmr's atomic_callbacks=1 (EXT-5): a sample's detach or cleanup
# callback that may sleep is then reported, and the splat scan fails the run.

SAMPLES_DBG=/sys/kernel/debug
SAMPLES_TABLE=$SAMPLES_DBG/nmr_sample_routes/table

samples_loaded() { grep -q "^$1 " /proc/modules; }

# samples_rmmod MOD: rmmod, but give up (and fail) after 10 s instead of hanging.
samples_rmmod() {
	rmmod "$1" &
	pid=$!
	if until_ok 10 eval '! kill -0 $pid 2>/dev/null'; then
		wait $pid || fail "rmmod $1"
	else
		fail "rmmod $1 still blocked after 10 s"
	fi
}

# The number of lines of FILE matching PATTERN (0 if FILE is missing).
samples_count() { grep -cE "$2" "$1" 2>/dev/null || true; }

# samples_seq A B...: kernel lines matching A, B, ... come in this order, each after the one before.
samples_seq() {
	dmesg > /tmp/samples.log
	at=0
	for p in "$@"; do
		at=$(grep -nE "$p" /tmp/samples.log | awk -F: -v min="$at" '$1 > min { print $1; exit }')
		[ -n "$at" ] || return 1
	done
}

# A run of the client's program started after this many had been logged.
samples_runs() { dmesg | grep -c 'nmr_sample_client: program: run [0-9]* (tick'; }
samples_new_run() { [ "$(samples_runs)" -gt "$1" ]; }

samples_routes() { [ "$(samples_count $SAMPLES_TABLE "client=$1\$")" = "$2" ]; }

check_samples() {
	r="round $1: sample"
	own_nmr=0
	samples_loaded nmr || { load nmr.ko; own_nmr=1; }
	atomic=/sys/module/nmr/parameters/atomic_callbacks
	[ "$1" != 2 ] || echo 1 > $atomic

	# -- nmr_sample_hook + nmr_sample_client: single provider, rundown, pending detach.
	dmesg -c > /dev/null
	load samples/nmr_sample_hook.ko period_ms=20
	load samples/nmr_sample_client.ko program_delay_ms=1000
	expect "$r client: attaches to the hook inside nmr_register_client() and says so" \
		klog 'nmr_sample_client: registered: attached to nmr_sample_hook inside'
	expect "$r client: its binding is attached on both sides in debugfs" \
		grep -q 'state=attached client=attached provider=attached' $SAMPLES_DBG/nmr/bindings
	expect "$r hook: runs the client's program from its work item" \
		until_ok 5 samples_new_run 0
	load samples/nmr_sample_early.ko
	expect "$r client: declines a second hook provider with -ENODEV" \
		klog 'nmr_sample_client: attach_provider: declining nmr_sample_early \(number 2\): already bound to nmr_sample_hook \(-ENODEV\)'
	expect "$r early: gets no attach_client for a declined offer" \
		eval '! klog "nmr_sample_early: attach_client"'
	runs=$(samples_runs)
	until_ok 5 samples_new_run "$runs" || fail "$r client: no program run began"
	samples_rmmod nmr_sample_hook
	expect "$r hook: detach_client unlinks and drains while a program runs (pending)" \
		klog 'nmr_sample_hook: detach_client: binding [0-9]+ unlinked after [0-9]+ runs; draining, pending'
	expect "$r hook: the drain waits for the run in flight; its release completes the detach" \
		samples_seq 'nmr_sample_hook: detach_client: binding [0-9]+ unlinked' \
		'nmr_sample_client: program: run [0-9]+ returns' \
		'nmr_sample_hook: binding [0-9]+ drained after [0-9]+ ms: detach complete'
	expect "$r hook: both cleanups ran before the provider's wait returned 0" \
		eval 'klog "nmr_sample_client: cleanup: binding context freed" &&
		      klog "nmr_sample_hook: cleanup: binding [0-9]+ freed" &&
		      klog "nmr_sample_hook: wait returned 0"'
	expect "$r client: stays registered, unbound, after its provider left" \
		eval 'samples_loaded nmr_sample_client && ! grep -q "^binding" $SAMPLES_DBG/nmr/bindings'
	samples_rmmod nmr_sample_early

	# -- nmr_sample_early: completes before deregistering; a leaving client never waits.
	dmesg -c > /dev/null
	load samples/nmr_sample_early.ko
	expect "$r client: binds to the next provider that registers" \
		klog 'nmr_sample_client: attach_provider: bound to nmr_sample_early'
	samples_rmmod nmr_sample_early
	expect "$r early: completes its binding before deregistering (DET-6)" \
		klog 'nmr_sample_early: completed 1 binding\(s\) early, before deregistering'
	expect "$r early: its detach_client then returns pending, and the wait returns 0" \
		eval 'klog "nmr_sample_early: detach_client: binding [0-9]+ was completed early" &&
		      klog "nmr_sample_early: wait returned 0"'
	dmesg -c > /dev/null
	load samples/nmr_sample_early.ko complete_delay_ms=50
	samples_rmmod nmr_sample_client
	expect "$r early: a client leaving first is completed from the work item" \
		eval 'klog "nmr_sample_early: detach_client: binding [0-9]+: nmr_sample_client leaves first" &&
		      klog "nmr_sample_early: binding [0-9]+: completing its detach from the work item"'
	expect "$r client: deregister_sync() returns 0" \
		klog 'nmr_sample_client: deregistered \(sync: 0\)'
	samples_rmmod nmr_sample_early

	# -- nmr_sample_routes + nmr_sample_route_user: a client's routes leave with it.
	dmesg -c > /dev/null
	load samples/nmr_sample_routes.ko
	load samples/nmr_sample_route_user.ko routes=3
	expect "$r route user: adds its 3 routes when it binds" \
		klog 'nmr_sample_route_user: attach_provider: bound to nmr_sample_routes; added 3 of 3 route'
	expect "$r routes: the debugfs table shows 3 routes owned by the route user" \
		samples_routes nmr_sample_route_user 3
	expect "$r routes: the table file is mode 0400 and shows no kernel pointer" \
		eval '[ "$(stat -c %a $SAMPLES_TABLE)" = 400 ] && ! grep -qE "ffff[0-9a-f]{12}" $SAMPLES_TABLE'
	samples_rmmod nmr_sample_route_user
	expect "$r routes: the route user's routes are gone when it leaves" \
		eval 'klog "nmr_sample_routes: detach_client: binding [0-9]+ \(nmr_sample_route_user\): removed its 3 route" &&
		      samples_routes nmr_sample_route_user 0'
	dmesg -c > /dev/null
	load samples/nmr_sample_route_user.ko routes=2
	samples_rmmod nmr_sample_routes
	expect "$r routes: a leaving provider drops its client's routes too, and ends empty" \
		eval 'klog "nmr_sample_route_user: detach_provider: nmr_sample_routes drops our 2 route" &&
		      klog "nmr_sample_routes: deregistered \(sync: 0\); 0 route\(s\) left"'
	samples_rmmod nmr_sample_route_user

	note=
	[ "$1" != 2 ] || note="; callbacks ran with atomic_callbacks=1"
	expect "round $1: samples: all unloaded, no registration or binding left$note" \
		eval '! grep -q nmr_sample /proc/modules &&
		      ! grep -q . $SAMPLES_DBG/nmr/registrations $SAMPLES_DBG/nmr/bindings'
	echo 0 > $atomic
	[ $own_nmr -eq 0 ] || unload nmr
}
