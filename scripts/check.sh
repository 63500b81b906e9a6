#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make check: set up, build the test kernels and our modules, run every test in QEMU, judge.
#
# First lint (scripts/lint.sh), then one stage per test kernel (NMR_KERNELS, default
# "debug labs debug-7.3 kcsan stock dkms"): the debug kernel (KASAN, lockdep, kmemleak,
# DEBUG_OBJECTS) built from Linux 6.12; the labs on it (below); the same fragment built
# from Linux 7.3; the KCSAN kernel (data races, 6.12); then the stock Debian 12 kernels
# (scripts/stock.sh) and DKMS (scripts/dkms-check.sh).
# The labs stage boots the 6.12 debug kernel once for all five labs of make lab (each lab's
# right code, then its wrong code: one check per lab, scripts/labs.py: the kernel reports the
# wrong code, at the line marked WRONG, and nothing of the right code), then runs make shell
# through a pseudo-terminal (scripts/shell-test.py: one check); verdict.py judges the labs'
# boot, excusing each lab's own report inside that lab's window only.
# Each stage builds the modules against its kernel, boots it, runs the guest script
# (KUnit suites and samples twice, torture, unload safety) and judges the logs. The last
# line adds the stages up: "N passed, N failed[, N skipped]".
# The debug stage (6.12) builds nmr.ko for gcov (NMR_COVERAGE=1), prints its coverage line
# (scripts/coverage.sh) and counts one more check: lines and branches at or above the floor
# of scripts/coverage-floor. With NMR_COVERAGE_HTML=DIR (make coverage) it also writes the
# HTML report there. Every other stage builds and runs uninstrumented modules.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
start=$(date +%s)

echo "== Set-up"
scripts/setup.sh

echo "== Lint (checkpatch --strict, kernel-doc, sparse, allocation rule)"
set +e
lint=$(scripts/lint.sh 2>&1)
set -e
echo "$lint" | head -n -1
lint_passed=$(echo "$lint" | tail -n 1 | sed -n 's/^lint: \([0-9]*\) passed.*/\1/p')
lint_failed=$(echo "$lint" | tail -n 1 | sed -n 's/.* \([0-9]*\) failed.*/\1/p')

rule=()
echo "== Contract rule coverage"
if scripts/rule-coverage --quiet; then rule=(--extra="rule coverage=passed")
else rule=(--extra="rule coverage=failed"); fi

# stage CONFIG: one kernel, one boot; writes $out/summary.txt, returns non-zero on failure.
stage() {
	local config=$1 kbuild ksrc out rc timed=() t0 cov=() coverage=0 covline

	echo
	echo "=== Stage: the $config kernel (scripts/configs/${config%-[0-9]*}.config)"
	kbuild=$(scripts/kernel.sh "$config")
	t0=$(date +%s)		# the stage's own time, without a first build of its kernel
	ksrc=$(readlink -f "$kbuild/source")
	echo "  kernel: $kbuild"
	echo "== Build (W=1, warnings are errors)"
	[ "$config" = debug ] && coverage=1
	make -s clean KDIR="$kbuild" >/dev/null
	make -s -j"$(nproc)" modules KDIR="$kbuild" NMR_COVERAGE=$coverage >/dev/null
	out=${NMR_OUT:-$top/.out/check}-$config
	rm -rf "$out"
	echo "== QEMU: KUnit suites, samples (each module loaded and unloaded twice), torture," \
		"unload safety (log: $out/console.log)"
	set +e
	scripts/qemu-run.sh "$kbuild" scripts/guest/check.sh "$out" "${NMR_QEMU_TIMEOUT:-600}" >/dev/null
	rc=$?
	set -e
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		timed=(--timed-out)
	fi
	if [ "$coverage" -eq 1 ]; then
		echo "== Coverage of nmr.ko (gcov, lcov; floor: scripts/coverage-floor)"
		set +e
		covline=$(scripts/coverage.sh "$out" ${NMR_COVERAGE_HTML:+"$NMR_COVERAGE_HTML"})
		rc=$?
		set -e
		echo "$covline" | sed 's/^/  /'
		[ -n "${NMR_COVERAGE_HTML:-}" ] && [ "$rc" -ne 2 ] &&
			echo "  HTML report: $NMR_COVERAGE_HTML/index.html"
		cov=(--extra="coverage >= floor: $(echo "$covline" | tail -n 1 | sed "s/^coverage of //")=$([ "$rc" -eq 0 ] && echo passed || echo failed)")
	fi
	set +e
	scripts/verdict.py "$out" "$ksrc" "${timed[@]}" "${rule[@]}" "${cov[@]}" >"$out/summary.txt"
	rc=$?
	set -e
	head -n -1 "$out/summary.txt"
	echo "  (stage $config took $(($(date +%s) - t0)) s)"
	echo "  stage $config: $(tail -n 1 "$out/summary.txt")"
	rule=()		# counted once
	return "$rc"
}

# labs_stage: the five labs in one boot of the 6.12 debug kernel, then make shell through a
# pseudo-terminal; writes $out/summary.txt, returns non-zero on failure.
labs_stage() {
	local kbuild ksrc out rc t0 timed=() extras=() shell=failed all

	echo
	echo "=== Stage: the labs (make lab N=all) and make shell, on the debug kernel"
	kbuild=$(scripts/kernel.sh debug)
	t0=$(date +%s)
	ksrc=$(readlink -f "$kbuild/source")
	out=${NMR_OUT:-$top/.out/check}-labs
	rm -rf "$out"
	mkdir -p "$out"
	echo "== Build (W=1, warnings are errors)"
	make -s -j"$(nproc)" modules KDIR="$kbuild" >/dev/null
	all=$(scripts/labs.py select all)
	echo "== QEMU: labs $all, each its right code (bug=0), then its wrong code (bug=1)" \
		"(log: $out/console.log)"
	set +e
	NMR_CMDLINE="kasan_multi_shot nmr_labs=${all// /,}" \
		scripts/qemu-run.sh "$kbuild" scripts/guest/labs.sh "$out" "${NMR_LABS_TIMEOUT:-240}" >/dev/null
	rc=$?
	set -e
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		timed=(--timed-out)
	fi
	# shellcheck disable=SC2086 # one argument per lab
	mapfile -t extras < <(scripts/labs.py check "$out" "$ksrc" $all 2>"$out/labs-failures.txt")
	sed 's/^/  /' "$out/labs-failures.txt"
	echo "== make shell, typed at through a pseudo-terminal (transcript: $out/shell-transcript.txt)"
	if NMR_SHELL_OUT="$out/shell" NMR_SHELL_TIMEOUT=200 scripts/shell-test.py --timeout 240 \
		--transcript "$out/shell-transcript.txt" >"$out/shell-test.txt"; then
		shell=passed
	fi
	grep -v '^  ok' "$out/shell-test.txt" | sed 's/^/  /'
	extras+=("--extra=make shell: the prompt, debugfs, the trace, Ctrl-C, Ctrl-D, and exit ends QEMU (a pty)=$shell")
	set +e
	scripts/verdict.py "$out" "$ksrc" "${timed[@]}" "${extras[@]}" >"$out/summary.txt"
	rc=$?
	set -e
	head -n -1 "$out/summary.txt"
	echo "  (stage labs took $(($(date +%s) - t0)) s)"
	echo "  stage labs: $(tail -n 1 "$out/summary.txt")"
	return "$rc"
}

status=0
passed=${lint_passed:-0} failed=${lint_failed:-1} skipped=0
for config in ${NMR_KERNELS:-debug labs debug-7.3 kcsan stock dkms}; do
	case $config in
	labs) labs_stage || status=1 ;;
	stock) scripts/stock.sh "${NMR_OUT:-$top/.out/check}-stock" || status=1 ;;
	dkms) scripts/dkms-check.sh "${NMR_OUT:-$top/.out/check}-dkms" || status=1 ;;
	*) stage "$config" || status=1 ;;
	esac
	line=$(tail -n 1 "${NMR_OUT:-$top/.out/check}-$config/summary.txt")
	passed=$((passed + $(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')))
	failed=$((failed + $(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')))
	skipped=$((skipped + $(echo "$line" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p' | grep . || echo 0)))
done
echo
echo "(make check took $(($(date +%s) - start)) s)"
line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ] || status=1
exit "$status"
