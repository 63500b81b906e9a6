# SPDX-License-Identifier: GPL-2.0
# make demo, inside the guest: one NMR binding lifecycle, narrated and checked step by step.
. /lib.sh

M=/modules
TRACE=/sys/kernel/tracing
WQ_EVENT=$TRACE/events/workqueue/workqueue_execute_start/enable
KMEMLEAK=/sys/kernel/debug/kmemleak
LIMIT=10		# seconds any one command may take before the demo gives up
SPLAT='WARNING:|BUG:|Oops|KASAN|UBSAN|ODEBUG|circular locking|recursive locking|inconsistent lock state|suspicious RCU|invalid context|corruption|blocked for more than|soft lockup|cut here'

step=0 ok=1 aborted=0

now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
say() { echo "  $*"; }
bad() { echo "  !! $*"; ok=0; }

# begin TITLE NARRATION...: a heading, then the narration, one line per argument.
begin() {
	step=$((step + 1)) ok=1 title=$1
	shift
	echo
	echo "--- $step. $title"
	for l in "$@"; do echo "    $l"; done
	if [ $aborted -eq 1 ]; then
		say "(skipped: an earlier step hung)"
		data "NMR-DEMO-STEP skipped $step $title"
		return 1
	fi
	dmesg -c >> /tmp/kmsg.all
	return 0
}

# run CMD...: show and run a command, bounded by LIMIT seconds; $took is its duration.
run() {
	echo "  \$ $*"
	if [ $aborted -eq 1 ]; then
		say "  (not run: an earlier command hung)"
		ok=0
		return 1
	fi
	rm -f /tmp/rc /tmp/end
	t0=$(now)
	( "$@"; rc=$?; now > /tmp/end; echo $rc > /tmp/rc ) &
	n=0
	while [ ! -s /tmp/rc ]; do
		if [ $n -ge $((LIMIT * 20)) ]; then
			bad "still running after $LIMIT s: giving up on the rest of the demo"
			aborted=1
			took=$LIMIT
			return 1
		fi
		sleep 0.05
		n=$((n + 1))
	done
	took=$(since "$t0" "$(cat /tmp/end)")
	[ "$(cat /tmp/rc)" = 0 ] || bad "$1 failed (exit $(cat /tmp/rc))"
	say "  (returned after $took s)"
}

# kernel: what the kernel said since the step began, our modules' lines only, with the
# time of each line relative to the first; kept in /tmp/step for the checks below.
kernel() {
	dmesg -c > /tmp/step
	cat /tmp/step >> /tmp/kmsg.all
	grep -E '(^|[] ])nmr(_sample_(provider|client))?: ' /tmp/step > /tmp/ours
	if [ -s /tmp/ours ]; then
		say "the kernel said:"
		awk '{
			ts = 0
			if (match($0, /^\[ *[0-9]+\.[0-9]+\] /)) {
				ts = substr($0, 2, RLENGTH - 3) + 0
				$0 = substr($0, RLENGTH + 1)
			}
			if (NR == 1) t0 = ts
			printf "     +%.3f s  %s\n", ts - t0, $0
		}' /tmp/ours
	else
		say "the kernel said nothing from nmr or the samples"
	fi
	if grep -qE "$SPLAT" /tmp/step; then
		bad "the kernel reported a problem: $(grep -m1 -E "$SPLAT" /tmp/step)"
	fi
}

# expect PATTERN [WHY]: one of our kernel lines of this step matches PATTERN (grep -E).
expect() { grep -qE "$1" /tmp/ours || bad "missing kernel line: ${2:-$1}"; }
expect_none() { ! grep -qE "$1" /tmp/ours || bad "unexpected kernel line: $(grep -m1 -E "$1" /tmp/ours)"; }
# expect_order A B: the first line matching A comes before the first line matching B.
expect_order() {
	a=$(grep -nE "$1" /tmp/ours | head -n1 | cut -d: -f1)
	b=$(grep -nE "$2" /tmp/ours | head -n1 | cut -d: -f1)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] || bad "expected \"$1\" before \"$2\""
}
loaded() { grep -q "^$1 " /proc/modules; }

finish() {
	if [ $ok -eq 1 ]; then
		say "=> ok"
		data "NMR-DEMO-STEP ok $step $title"
	else
		say "=> FAILED"
		data "NMR-DEMO-STEP FAILED $step $title"
	fi
}

# calls: how many times the client's call work item has run since tracing began.
calls() { grep -c 'sample_call_work' $TRACE/trace; }

echo "NMR-DEMO-BEGIN"
dmesg -c > /tmp/kmsg.all
[ -w $KMEMLEAK ] && echo clear > $KMEMLEAK

if begin "Load the NMR" \
	"nmr.ko is the registrar. Providers and clients of a Network Programming" \
	"Interface (NPI) register with it, and it binds each client to each provider" \
	"of the same NPI, calling both sides' attach callbacks."; then
	run insmod $M/nmr.ko
	kernel
	expect 'nmr: loaded'
	finish
fi

if begin "Load a provider: nobody to bind to yet" \
	"The sample provider registers for the sample NPI. No client exists, so" \
	"nothing binds. complete_delay_ms=1500 makes it finish each detach 1.5 s" \
	"late, as a driver with requests still in flight would."; then
	run insmod $M/samples/nmr_sample_provider.ko complete_delay_ms=1500
	kernel
	expect 'nmr_sample_provider: registered'
	expect_none 'attach'
	finish
fi

if begin "Load a client: it binds inside its register call" \
	"The sample client registers for the same NPI. Before nmr_register_client()" \
	"returns, the NMR has offered it the provider: the provider accepted it" \
	"(attach_client) and the client attached (attach_provider)."; then
	run insmod $M/samples/nmr_sample_client.ko
	kernel
	expect 'nmr_sample_provider: attach_client: client number [0-9]+ accepted'
	expect 'nmr_sample_client: attach_provider: bound to provider number [0-9]+'
	expect_order 'nmr_sample_client: attach_provider' 'nmr_sample_client: registered'
	finish
fi

if begin "Calls flow through the binding" \
	"The client calls the provider's add(20, 22) every 20 ms from a work item," \
	"through the dispatch table it got at attach. The workqueue tracepoint" \
	"counts the work item's runs, one call each."; then
	if [ -w $WQ_EVENT ]; then
		echo > $TRACE/trace
		echo 1 > $WQ_EVENT
		sleep 0.5
		c1=$(calls)
		say "calls after 0.5 s: $c1"
		sleep 0.5
		c2=$(calls)
		say "calls after 1.0 s: $c2"
		echo 0 > $WQ_EVENT
		[ "$c1" -gt 0 ] && [ "$c2" -gt "$c1" ] || bad "the call count did not grow"
	else
		say "(no workqueue tracepoint here: letting it call for 1 s; step 5 shows the count)"
		sleep 1
	fi
	kernel
	loaded nmr_sample_client || bad "the client is not loaded"
	finish
fi

if begin "Unload the provider while the client is calling" \
	"rmmod runs nmr_deregister_provider(): the NMR asks both sides to detach." \
	"The client stops calling at once; the provider's detach stays pending and" \
	"completes 1.5 s later from its work item. Only then are both binding" \
	"contexts cleaned up and does the provider's wait return, so rmmod takes" \
	"about 1.5 s and no callback can run into the unloaded module."; then
	run rmmod nmr_sample_provider
	kernel
	expect 'nmr_sample_provider: detach_client: [1-9][0-9]* calls served' \
		'detach_client: N calls served (N > 0)'
	expect 'nmr_sample_provider: detach_client: pending for 1500 ms'
	expect 'nmr_sample_client: detach_provider: '
	expect 'nmr_sample_provider: deregister returned -115 \(pending\)'
	expect_order 'binding completes its pending detach' 'nmr_sample_provider: cleanup: binding context freed'
	expect_order 'nmr_sample_provider: cleanup: binding context freed' 'nmr_sample_provider: wait returned 0'
	expect_order 'nmr_sample_client: cleanup: binding context freed' 'nmr_sample_provider: wait returned 0'
	awk -v t="$took" 'BEGIN { exit !(t >= 1.4) }' || bad "rmmod returned before the pending detach completed"
	! loaded nmr_sample_provider || bad "the provider is still loaded"
	loaded nmr_sample_client || bad "the client went away"
	finish
fi

if begin "Reload the provider: the waiting client binds again" \
	"The client stayed registered while no provider existed. When the provider" \
	"registers again, the NMR binds the two inside the provider's register call," \
	"and calls resume."; then
	run insmod $M/samples/nmr_sample_provider.ko complete_delay_ms=1500
	kernel
	expect 'nmr_sample_provider: attach_client: client number [0-9]+ accepted'
	expect 'nmr_sample_client: attach_provider: bound to provider number [0-9]+'
	expect_order 'nmr_sample_client: attach_provider' 'nmr_sample_provider: registered'
	sleep 0.5
	finish
fi

if begin "Unload the client" \
	"nmr_deregister_client_sync() detaches the client from the provider and" \
	"waits until the binding is gone: the provider's detach is pending again," \
	"so this rmmod also takes about 1.5 s."; then
	run rmmod nmr_sample_client
	kernel
	expect 'nmr_sample_client: detach_provider: '
	expect 'nmr_sample_provider: detach_client: [1-9][0-9]* calls served' \
		'detach_client: N calls served (N > 0)'
	expect_order 'binding completes its pending detach' 'nmr_sample_provider: cleanup: binding context freed'
	expect 'nmr_sample_client: cleanup: binding context freed'
	expect 'nmr_sample_client: deregistered \(sync: 0\) after [1-9][0-9]* successful calls' \
		'deregistered (sync: 0) after N successful calls (N > 0)'
	! loaded nmr_sample_client || bad "the client is still loaded"
	finish
fi

if begin "Unload the provider: no binding left" \
	"With no client there is nothing to detach. nmr_deregister_provider() still" \
	"answers -EINPROGRESS (it always does), but the wait returns at once."; then
	run rmmod nmr_sample_provider
	kernel
	expect_none 'detach_client'
	expect 'nmr_sample_provider: wait returned 0'
	! loaded nmr_sample_provider || bad "the provider is still loaded"
	finish
fi

if begin "Unload the NMR"; then
	run rmmod nmr
	kernel
	expect 'nmr: unloaded'
	! loaded nmr || bad "nmr is still loaded"
	finish
fi

if begin "Nothing leaked" \
	"kmemleak reports memory that nothing points to any more. It ignores objects" \
	"younger than 5 s, so wait 6 s, then scan twice."; then
	if [ -w $KMEMLEAK ]; then
		sleep 6
		echo scan > $KMEMLEAK
		echo scan > $KMEMLEAK
		cat $KMEMLEAK > /tmp/leaks
		if [ -s /tmp/leaks ]; then
			bad "kmemleak found $(grep -c 'unreferenced object' /tmp/leaks) unreferenced object(s):"
			head -n 20 /tmp/leaks
			data "NMR-KMEMLEAK-BEGIN"
			cat /tmp/leaks > "$DATA"
			data "NMR-KMEMLEAK-END"
		else
			say "kmemleak: nothing found"
		fi
	else
		say "(kmemleak is not in this kernel)"
	fi
	kernel
	finish
fi

echo "NMR-DEMO-END"
# The whole kernel log, for the host's splat scan (the console shows errors only).
dmesg -c >> /tmp/kmsg.all
data "NMR-DEMO-KMSG-BEGIN"
cat /tmp/kmsg.all > "$DATA"
data "NMR-DEMO-KMSG-END"
data "NMR-DEMO-DONE"
