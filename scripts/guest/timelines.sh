# SPDX-License-Identifier: GPL-2.0
# make timelines, inside the guest: the KUnit cases of the five reference timelines (T-A..T-E,
# docs/rules.md), each run on its own with the nmr trace events on; the trace goes to the host.
#
# Each case is one load of nmr_kunit.ko with kunit's filter_glob set to it (the parameter is
# writable at run time, and a module's suites are filtered when it loads), between two marks
# in the trace ("nmr-case begin ID" and "nmr-case end ID"). The kernel log goes into the trace
# too (events/printk/console), in the trace's own order: its KUnit lines ("ok 4 RCU callback")
# split a parameterised case's runs. The data channel gets each case's KTAP (for verdict.py),
# then the whole trace between NMR-TRACE-BEGIN and NMR-TRACE-END.
. /lib.sh

GLOB=/sys/module/kunit/parameters/filter_glob

# mark TEXT: a line in the trace, with the uptime: two of them let the host scale the clock.
mark() {
	read -r up _ < /proc/uptime
	echo "$* uptime=$up" > $TRACING/trace_marker
}

load nmr.ko
# The TSC: under TCG every vCPU reads the one (host's) counter, in cycles. The other trace
# clocks count jiffies here (no HPET, no PM timer), and their ties of 4 ms would lose the
# order of events on two CPUs.
echo x86-tsc > $TRACING/trace_clock || fail "no x86-tsc trace clock"
echo 1 > $TRACING/events/printk/console/enable || fail "no printk:console trace event"
[ -w $GLOB ] || fail "no writable $GLOB"
trace_on
mark nmr-clock
for t in t-a=nmr_deregister.drg1_t_a_all_synchronous \
	 t-b=nmr_detach.det5_t_b_complete_from_any_context \
	 t-c=nmr_attach.att10_t_c_late_comer \
	 t-d=nmr_detach.det2_t_d_both_leave \
	 t-e=nmr_detach.det6_t_e_early_completion; do
	id=${t%%=*} glob=${t#*=}
	printf %s "$glob" > $GLOB	# no newline: it would be part of the glob
	mark "nmr-case begin $id $glob"
	run_kunit_module kunit/nmr_kunit.ko "$id"
	mark "nmr-case end $id"
done
sleep 1		# a longer span between the first and the last mark: a finer scale
mark nmr-clock
echo 0 > $TRACING/events/nmr/enable
echo 0 > $TRACING/events/printk/console/enable
data "NMR-TRACE-BEGIN"
cat $TRACING/trace > $DATA
data "NMR-TRACE-END"
unload nmr
data "NMR-GUEST-DONE failures=$failures"
