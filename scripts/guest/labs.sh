# SPDX-License-Identifier: GPL-2.0
# make lab and make check's labs stage, inside the guest: each lab's modules run right, then wrong.
#
# The labs to run, in order, are on the kernel command line (nmr_labs=2,3,4,5,1: scripts/lab.sh
# puts them there; lab 1 last, since KASAN's report turns lockdep off for the rest of the
# boot). Each run loads nmr.ko afresh (lab 2's with atomic_callbacks=1, EXT-5), loads the lab's
# modules in order and unloads them in reverse. The right code (bug=0) runs first, between
# NMR-LAB-FIXED-BEGIN k and NMR-LAB-FIXED-END k, so that no report of the wrong code can hide
# one of the right code (KASAN turns lockdep off, the atomic-sleep check reports once a
# second); then the wrong code (bug=1), between NMR-LAB-BEGIN k and NMR-LAB-END k: the one
# window in which scripts/verdict.py excuses lab k's own report, and only that one. The
# markers go to the kernel log (/dev/kmsg), in order among the kernel's own lines, where
# scripts/labs.py finds each run, shows it and checks it.
. /lib.sh

mark() { echo "$*" > /dev/kmsg; }

# lab_rmmod MOD: rmmod, but fail instead of hanging after 20 s (the rmmod is left behind).
lab_rmmod() {
	rmmod "$1" &
	pid=$!
	if until_ok 20 eval '! kill -0 $pid 2>/dev/null'; then
		wait $pid || fail "rmmod $1"
	else
		fail "rmmod $1 still blocked after 20 s"
	fi
}

# lab_run K BUG NMR_PARAMS "MODULE.ko [PARAMS]"...: one run of lab K, right (BUG=0) or wrong.
lab_run() {
	k=$1 bug=$2 nmr_params=$3
	shift 3
	load nmr.ko "$nmr_params"
	if [ "$bug" = 1 ]; then mark "NMR-LAB-BEGIN $k"; else mark "NMR-LAB-FIXED-BEGIN $k"; fi
	mods=
	for m in "$@"; do
		# shellcheck disable=SC2086 # the parameters are words
		insmod /modules/$m || fail "lab $k bug=$bug: insmod $m"
		ko=${m%% *}
		mods="$(basename "$ko" .ko) $mods"
	done
	for mod in $mods; do
		lab_rmmod "$mod"
	done
	if [ "$bug" = 1 ]; then mark "NMR-LAB-END $k"; else mark "NMR-LAB-FIXED-END $k"; fi
	unload nmr
}

lab() {
	case $1 in
	1) lab_run 1 "$2" "" "labs/nmr_lab_uaf.ko bug=$2" ;;
	2) lab_run 2 "$2" "atomic_callbacks=1" "labs/nmr_lab_block.ko bug=$2" ;;
	3) lab_run 3 "$2" "" "labs/nmr_lab_deadlock.ko bug=$2" ;;
	4) lab_run 4 "$2" "" "labs/nmr_lab_twice.ko bug=$2" ;;
	5) lab_run 5 "$2" "" "labs/nmr_lab_unload_peer.ko" "labs/nmr_lab_unload.ko bug=$2" ;;
	*) fail "no lab $1" ;;
	esac
}

for k in $(sed -n 's/.*nmr_labs=\([0-9,]*\).*/\1/p' /proc/cmdline | tr , ' '); do
	echo "== lab $k: the right code (bug=0), then the wrong code (bug=1)"
	lab "$k" 0
	lab "$k" 1
done
data "NMR-GUEST-DONE failures=$failures"
