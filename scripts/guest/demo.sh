# SPDX-License-Identifier: GPL-2.0
# make demo, inside the guest: the NMR lifecycle with the samples, narrated and checked step by step.
. /lib.sh

M=/modules
DBG=/sys/kernel/debug
TRACE=/sys/kernel/tracing
TABLE=$DBG/nmr_sample_routes/table
# The pictures' own trace (scripts/seqdiag.py): a tracefs instance with the nmr events and the
# kernel log (printk:console), on the TSC, whose ticks order events on two CPUs where the
# jiffies of the main buffer's clock tie. Each step's is sent to the host; the narration
# reads the main buffer only.
PICS=$TRACE/instances/nmr-pics
KMEMLEAK=$DBG/kmemleak
LIMIT=10		# seconds any one command may take before the demo gives up
SPLAT=$(crash_patterns)	# the kernel's reports: scripts/crash-patterns.txt, as verdict.py
# The samples' GUIDs, shown by name: NPIs {hook} and {route}, module ids {sample-NN}.
NAMES='s/5eedc0de-0001-4e4d-9200-686f6f6b0000/{hook}/g
s/5eedc0de-0002-4e4d-9200-726f75746500/{route}/g
s/5eedc0de-00ff-4e4d-9200-0000000000\([0-9a-f][0-9a-f]\)/{sample-\1}/g'

step=0 ok=1 aborted=0

now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
say() { echo "  $*"; }
bad() { echo "  !! $*"; ok=0; }
loaded() { grep -q "^$1 " /proc/modules; }

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
	[ -w $TRACE/trace ] && echo > $TRACE/trace
	if [ -w $PICS/trace ]; then
		echo > $PICS/trace
		read -r up _ < /proc/uptime
		echo "nmr-step begin $step uptime=$up" > $PICS/trace_marker
	fi
	return 0
}

# start CMD...: show CMD and start it in the background; wait_done then bounds it.
start() {
	echo "  \$ $*"
	rm -f /tmp/rc /tmp/end
	t0=$(now)
	( "$@"; rc=$?; now > /tmp/end; echo $rc > /tmp/rc ) &
}
running() { [ ! -s /tmp/rc ]; }

# wait_done: wait for the command start began, at most LIMIT s; $took is its duration.
wait_done() {
	n=0
	while running; do
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
	[ "$(cat /tmp/rc)" = 0 ] || bad "$cmd failed (exit $(cat /tmp/rc))"
	say "  (returned after $took s)"
}

# run CMD...: show and run a command, bounded by LIMIT seconds.
run() {
	cmd=$1
	if [ $aborted -eq 1 ]; then
		echo "  \$ $*"
		say "  (not run: an earlier command hung)"
		ok=0
		return 1
	fi
	start "$@"
	wait_done
}

# show FILE [LABEL]: the lines of a debugfs file, GUIDs by name.
show() {
	say "${2:-$1}:"
	if grep -q . "$1" 2>/dev/null; then
		sed -e "$NAMES" -e 's/^/     /' "$1"
	else
		say "   (empty)"
	fi
}

# kernel: what the kernel showed since the step began, as one timeline: our
# modules' log lines ("log") and the nmr trace events ("trace", with the
# task that hit them), each with its time relative to the first. The lines
# stay in /tmp/ours for the checks below. One awk does it all: forks are slow here.
kernel() {
	dmesg -c > /tmp/step
	[ -r $TRACE/trace ] && tr=$TRACE/trace || tr=/dev/null
	pics=/dev/null
	if [ -r $PICS/trace ]; then
		pics=$PICS/trace
		read -r up _ < /proc/uptime
		echo "nmr-step end $step uptime=$up" > $PICS/trace_marker
	fi
	awk -v splat="$SPLAT" -v pics=$pics -v step=$step -v data=$DATA '
	function names(s) {
		gsub(/5eedc0de-0001-4e4d-9200-686f6f6b0000/, "{hook}", s)
		gsub(/5eedc0de-0002-4e4d-9200-726f75746500/, "{route}", s)
		while (match(s, /5eedc0de-00ff-4e4d-9200-0000000000[0-9a-f][0-9a-f]/))
			s = substr(s, 1, RSTART - 1) "{sample-" substr(s, RSTART + RLENGTH - 2, 2) "}" \
			    substr(s, RSTART + RLENGTH)
		return s
	}
	function add(ts, line) { n++; t[n] = ts + 0; l[n] = names(line) }
	FILENAME == "/tmp/step" {
		print >> "/tmp/kmsg.all"
		if (bad == "" && $0 ~ splat)
			bad = $0
		if (match($0, /^\[ *[0-9]+\.[0-9]+\] nmr[a-z_]*: /)) {
			ts = substr($0, 2, index($0, "]") - 2)
			add(ts, "log   " substr($0, index($0, "]") + 2))
		}
		next
	}
	BEGIN { if (pics != "/dev/null") print "NMR-DEMO-TRACE-BEGIN " step > data }
	FILENAME == pics {	# to the host as it is: the picture of this step
		if (!/^#/)
			print > data
		next
	}
	match($0, /-[0-9]+ +\[[0-9]+\] [^ ]+ +[0-9]+\.[0-9]+: nmr_[a-z_]+: /) {
		task = substr($0, 1, RSTART - 1)
		sub(/^ +/, "", task)
		sub(/\/.*/, "", task)
		rest = substr($0, RSTART)
		sub(/^-[0-9]+ +\[[0-9]+\] [^ ]+ +/, "", rest)
		ts = substr(rest, 1, index(rest, ":") - 1)
		add(ts, "trace " substr(rest, index(rest, ":") + 2) "  [" task "]")
	}
	END {
		for (i = 2; i <= n; i++)	# stable insertion sort by time
			for (j = i; j > 1 && t[j - 1] > t[j]; j--) {
				x = t[j]; t[j] = t[j - 1]; t[j - 1] = x
				x = l[j]; l[j] = l[j - 1]; l[j - 1] = x
			}
		printf "" > "/tmp/ours"
		if (n)
			print "  the kernel showed:"
		else
			print "  the kernel showed nothing from nmr or the samples"
		for (i = 1; i <= n; i++) {
			printf "     +%.3f s  %s\n", t[i] - t[1], l[i]
			print l[i] > "/tmp/ours"
		}
		printf "%s", bad > "/tmp/splat"
		if (pics != "/dev/null")
			print "NMR-DEMO-TRACE-END " step > data
	}' /tmp/step $tr $pics
	[ $tr = /dev/null ] || echo > $TRACE/trace
	[ $pics = /dev/null ] || echo > $PICS/trace
	[ -s /tmp/splat ] && bad "the kernel reported a problem: $(cat /tmp/splat)"
	return 0
}

# expect_line PATTERN [WHY]: a line of this step's timeline matches PATTERN (grep -E).
# Not lib.sh's expect (a counted NMR-PASS/NMR-FAIL check of a command): here a miss fails
# the step, which the narration and the host's summary report step by step.
expect_line() { grep -qE "$1" /tmp/ours || bad "missing: ${2:-$1}"; }
expect_none() { ! grep -qE "$1" /tmp/ours || bad "unexpected: $(grep -m1 -E "$1" /tmp/ours)"; }
# expect_order A B: the first line matching A comes before the first line matching B.
expect_order() {
	a=$(grep -nE "$1" /tmp/ours | head -n1 | cut -d: -f1)
	b=$(grep -nE "$2" /tmp/ours | head -n1 | cut -d: -f1)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] || bad "expected \"$1\" before \"$2\""
}
# expect_seq A B...: lines matching A, B, ... come in this order, each after the one before.
expect_seq() {
	at=0
	for p in "$@"; do
		at=$(grep -nE "$p" /tmp/ours | awk -F: -v min="$at" '$1 > min { print $1; exit }')
		[ -n "$at" ] || { bad "missing, after the lines expected before it: $p"; return; }
	done
}
# expect_file FILE PATTERN WHY: a line of a debugfs file matches.
expect_file() { grep -qE "$2" "$1" 2>/dev/null || bad "$3"; }

finish() {
	if [ $ok -eq 1 ]; then
		say "=> ok"
		data "NMR-DEMO-STEP ok $step $title"
	else
		say "=> FAILED"
		data "NMR-DEMO-STEP FAILED $step $title"
	fi
}

runs() { dmesg | grep -c 'nmr_sample_client: program: run [0-9]* (tick'; }
new_run() { [ "$(runs)" -gt "$1" ]; }

echo "NMR-DEMO-BEGIN"
dmesg -c > /tmp/kmsg.all
[ -w $KMEMLEAK ] && echo clear > $KMEMLEAK

if begin "Load the NMR" \
	"nmr.ko is the registrar. Modules register with it as clients or providers" \
	"of a Network Programming Interface (NPI), named by a GUID; it binds every" \
	"client to every provider of the same NPI. What it holds is in debugfs," \
	"/sys/kernel/debug/nmr/{registrations,bindings}, and every transition is a" \
	"trace event (events/nmr in tracefs). The samples' GUIDs are shown by name:" \
	"{hook} and {route} are the two sample NPIs, {sample-NN} their module ids."; then
	run insmod $M/nmr.ko
	if [ -d $TRACE/events/nmr ]; then
		echo global > $TRACE/trace_clock	# the clock of the kernel log's timestamps
		echo 1 > $TRACE/events/nmr/enable
		set -- $TRACE/events/nmr/nmr_*
		say "tracing on: $# nmr events"
		if mkdir $PICS 2>/dev/null; then
			echo x86-tsc > $PICS/trace_clock 2>/dev/null || echo global > $PICS/trace_clock
			echo 1 > $PICS/events/nmr/enable
			echo 1 > $PICS/events/printk/console/enable
		fi
	else
		bad "no nmr trace events in $TRACE/events"
	fi
	kernel
	# Quiet on success, as modules are: its state says it is up.
	[ "$(cat /sys/module/nmr/initstate 2>/dev/null)" = live ] || bad "nmr is not live"
	[ -r $DBG/nmr/registrations ] && [ -r $DBG/nmr/bindings ] || bad "no debugfs files"
	finish
fi

if begin "Load the hook provider: nobody to bind to yet" \
	"nmr_sample_hook provides the {hook} NPI: clients attach programs, and it runs" \
	"every attached program each time its hook fires (a work item, every 20 ms)." \
	"No client exists yet, so nothing is offered and nothing binds."; then
	run insmod $M/samples/nmr_sample_hook.ko period_ms=20
	kernel
	show $DBG/nmr/registrations
	expect_line 'nmr_register: provider id=[0-9]+ owner=nmr_sample_hook'
	expect_none 'nmr_offer'
	expect_file $DBG/nmr/registrations \
		'^provider id=[0-9]+ owner=nmr_sample_hook .* state=active bindings=0' \
		"no active provider line for nmr_sample_hook"
	finish
fi

if begin "Load the client: it attaches inside its register call" \
	"nmr_sample_client registers for {hook}. Before nmr_register_client() returns," \
	"the NMR offers it the provider: the client's attach_provider calls" \
	"nmr_client_attach_provider(), which runs the provider's attach_client; both" \
	"accept and swap dispatch tables. The client checks right after the register" \
	"call whether it attached. program_delay_ms=1000: each run works 1 s."; then
	run insmod $M/samples/nmr_sample_client.ko program_delay_ms=1000
	kernel
	show $DBG/nmr/bindings
	expect_line 'nmr_offer: binding=' 'trace event nmr_offer'
	expect_line 'nmr_attach: binding=[0-9]+ .*result=0' 'trace event nmr_attach with result=0'
	expect_line 'nmr_sample_hook: attach_client: nmr_sample_client attached its program'
	expect_order 'nmr_sample_client: attach_provider: bound to nmr_sample_hook' \
		'nmr_sample_client: registered: attached to nmr_sample_hook inside nmr_register_client'
	expect_file $DBG/nmr/bindings 'state=attached client=attached provider=attached pending_ms=0' \
		"no attached binding in debugfs"
	finish
fi

if begin "Programs run" \
	"The hook's work item runs the client's program through the dispatch table" \
	"it got at attach, each run bracketed by nmr_rundown_acquire() and _release()" \
	"on the rundown in the provider's binding context. Waiting for two runs."; then
	until_ok 5 new_run 1 || bad "fewer than two runs of the program in 5 s"
	kernel
	[ "$(grep -c 'nmr_sample_client: program: run [0-9]* (tick' /tmp/ours)" -ge 2 ] ||
		bad "fewer than two program runs shown"
	expect_none 'nmr_(detach|cleanup)'
	finish
fi

if begin "Unload the provider while a program runs: the detach is pending" \
	"rmmod runs nmr_deregister_provider(). The provider's detach_client unlinks" \
	"the program from its hook, starts nmr_rundown_drain() and returns" \
	"-EINPROGRESS: the run in flight must finish first. The client's" \
	"detach_provider drains its own calls the same way; it has none in flight," \
	"so its side completes almost at once, from an RCU callback (in softirq)." \
	"The provider's side stays pending, as debugfs (polled while rmmod waits)" \
	"shows. When the run returns, its release completes that side from the" \
	"hook's work item; the NMR cleans up both binding contexts, the provider's" \
	"wait returns and the module unloads."; then
	r0=$(runs)
	until_ok 5 new_run "$r0" || bad "no program run began"
	cmd=rmmod
	start rmmod nmr_sample_hook
	# Shell builtins only in this loop (read, echo, test): a fork costs tens of ms here.
	: > /tmp/snaps
	n=0
	while running && [ $n -lt $((LIMIT * 50)) ]; do
		line=gone
		while read -r l; do
			case $l in binding*) line=$l; break ;; esac
		done < $DBG/nmr/bindings
		read -r up _ < /proc/uptime
		echo "$up $line" >> /tmp/snaps
		sleep 0.02
		n=$((n + 1))
	done
	wait_done
	say "debugfs bindings while rmmod waited (each change of state, and its last reading):"
	sed -e "$NAMES" /tmp/snaps | awk -v t0="$t0" '{
		key = $0; sub(/^[^ ]* /, "", key); sub(/ pending_ms=.*/, "", key)
		line = sprintf("     +%.2f s  %s", $1 - t0, substr($0, index($0, " ") + 1))
		if (key != last) { if (held != "") print held; print line; held = ""; last = key }
		else held = line
	} END { if (held != "" && last != "gone") print held }'
	kernel
	grep -q 'state=detaching client=[a-z]* provider=pending pending_ms=[1-9]' /tmp/snaps ||
		bad "debugfs never showed the provider side pending"
	expect_line 'nmr_detach_start: binding=[0-9]+ side=provider' 'trace event nmr_detach_start, provider side'
	expect_line 'nmr_detach: binding=[0-9]+ side=provider result=-115' 'the provider detach pending (-115)'
	expect_line 'nmr_sample_hook: detach_client: binding [0-9]+ unlinked'
	expect_line 'nmr_sample_client: detach_provider: nmr_sample_hook leaves'
	# The drain waited for the run in flight: it returned after the detach, then drained.
	expect_seq 'nmr_sample_hook: detach_client: binding [0-9]+ unlinked' \
		'nmr_sample_client: program: run [0-9]+ returns' \
		'nmr_sample_hook: binding [0-9]+ drained after' \
		'nmr_detach_complete: binding=[0-9]+ side=provider'
	expect_order 'nmr_sample_hook: binding [0-9]+ drained after' 'nmr_sample_hook: cleanup: binding'
	expect_order 'nmr_cleanup: binding=' 'nmr_wait_done: provider'
	expect_line 'nmr_sample_hook: wait returned 0'
	! loaded nmr_sample_hook || bad "the provider is still loaded"
	loaded nmr_sample_client || bad "the client went away"
	grep -q . $DBG/nmr/bindings && bad "a binding is left in debugfs"
	finish
fi

if begin "Reload the provider: the waiting client binds again" \
	"The client stayed registered with no provider. When the provider registers" \
	"again, the NMR offers the pair inside nmr_register_provider(), on the insmod" \
	"thread, and the programs run again."; then
	run insmod $M/samples/nmr_sample_hook.ko period_ms=20
	kernel
	show $DBG/nmr/bindings
	expect_line 'nmr_attach: binding=[0-9]+ .*result=0  \[insmod\]' 'nmr_attach on the insmod thread'
	expect_order 'nmr_sample_client: attach_provider: bound to nmr_sample_hook' \
		'nmr_sample_hook: registered'
	expect_file $DBG/nmr/bindings 'state=attached client=attached provider=attached' \
		"no attached binding in debugfs"
	finish
fi

if begin "A route table: the provider keeps state per client binding" \
	"nmr_sample_routes provides {route}: a route table. nmr_sample_route_user" \
	"adds routes=3 routes through the provider's dispatch table as soon as it" \
	"binds; each route remembers the binding that added it. The table is in" \
	"debugfs too (binding= is the route provider's own number for it)."; then
	run insmod $M/samples/nmr_sample_routes.ko
	run insmod $M/samples/nmr_sample_route_user.ko routes=3
	last_load=$(now)	# nothing allocates on the way out (HDL-7): the youngest objects
	kernel
	show $TABLE
	expect_line 'nmr_sample_route_user: attach_provider: bound to nmr_sample_routes; added 3 of 3'
	[ "$(grep -c 'client=nmr_sample_route_user$' $TABLE)" = 3 ] ||
		bad "the table does not hold the route user's 3 routes"
	finish
fi

if begin "The route client leaves: its routes leave with it" \
	"rmmod runs nmr_deregister_client_sync(). The provider's detach_client, like" \
	"RtmDeregisterClient on Windows, removes every route the binding added and" \
	"finishes at once (returns 0): nothing pends, the wait returns at once."; then
	run rmmod nmr_sample_route_user
	kernel
	show $TABLE
	expect_line 'nmr_sample_routes: detach_client: binding [0-9]+ \(nmr_sample_route_user\): removed its 3 route'
	expect_line 'nmr_detach: binding=[0-9]+ side=provider result=0' 'the provider detach done at once (0)'
	expect_line 'nmr_sample_route_user: deregistered \(sync: 0\)'
	grep -q . $TABLE && bad "routes are left in the table"
	finish
fi

if begin "Unload the samples" \
	"The hook client goes first, in the middle of a run again: its own" \
	"deregistration waits until the provider's detach, pending for that run," \
	"completes. Then the two providers, which have no binding left: their" \
	"deregistration still answers -EINPROGRESS (it always does), and the wait" \
	"returns at once."; then
	r0=$(runs)
	until_ok 5 new_run "$r0" || bad "no program run began"
	run rmmod nmr_sample_client
	run rmmod nmr_sample_hook
	run rmmod nmr_sample_routes
	kernel
	show $DBG/nmr/registrations
	expect_line 'nmr_detach: binding=[0-9]+ side=provider result=-115' 'the provider detach pending (-115)'
	expect_line 'nmr_detach_complete: binding=[0-9]+ side=provider' 'trace event nmr_detach_complete, provider side'
	expect_seq 'nmr_sample_hook: detach_client: binding [0-9]+ unlinked' \
		'nmr_sample_client: program: run [0-9]+ returns' \
		'nmr_sample_hook: binding [0-9]+ drained after' \
		'nmr_wait_done: client'
	expect_line 'nmr_sample_client: deregistered \(sync: 0\)'
	expect_line 'nmr_sample_hook: wait returned 0'
	expect_line 'nmr_sample_routes: deregistered \(sync: 0\); 0 route'
	grep -q . $DBG/nmr/registrations && bad "registrations are left in debugfs"
	! grep -q '^nmr_sample' /proc/modules || bad "a sample is still loaded"
	finish
fi

if begin "Unload the NMR" \
	"Nothing is registered any more, so nmr.ko may go; its debugfs directory and" \
	"trace events go with it."; then
	run rmmod nmr
	kernel
	! loaded nmr || bad "nmr is still loaded"
	[ ! -e $DBG/nmr ] || bad "/sys/kernel/debug/nmr is still there"
	finish
fi

if begin "Nothing leaked" \
	"kmemleak reports memory that nothing points to any more. It ignores objects" \
	"younger than 5 s: wait until the last load is 6 s old, then scan (and" \
	"scan again if it found something, to rule out a pointer in flight)."; then
	if [ -w $KMEMLEAK ]; then
		left=$(awk -v a="${last_load:-0}" -v b="$(now)" 'BEGIN { d = 6 - (b - a); print (d > 0 ? d : 0) }')
		[ "$left" = 0 ] || say "waiting $left s"
		sleep "$left"
		echo scan > $KMEMLEAK
		cat $KMEMLEAK > /tmp/leaks
		if [ -s /tmp/leaks ]; then
			echo scan > $KMEMLEAK
			cat $KMEMLEAK > /tmp/leaks
		fi
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
