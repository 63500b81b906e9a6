#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make lint: checkpatch --strict on every source file, kernel-doc -Wall on the exported API,
# sparse (make C=1) on every module, and the allocation rule of HDL-7. Prints one line per
# check, "lint: N passed, N failed" last; exits non-zero on any finding.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kbuild=${KDIR:-$(scripts/kernel.sh debug)}
ksrc=$(readlink -f "$kbuild/source")
passed=0 failed=0
result() {	# result NAME OUTPUT
	if [ -z "$2" ]; then
		echo "  ok    $1"
		passed=$((passed + 1))
	else
		echo "  FAIL  $1"
		echo "$2" | head -40 | sed 's/^/      /'
		failed=$((failed + 1))
	fi
}

# Our own sources: everything git tracks, generated files excluded.
mapfile -t files < <(git ls-files '*.c' '*.h' | grep -v '\.mod\.c$')
# Per-file exceptions, each with its reason:
# - the Windows names (EXT-6) are CamelCase typedefs by definition;
# - the trace header has the layout of include/trace/events/, which two CHECKs don't know;
# - the public header picks the namespace syntax by kernel version (6.12 word, 6.13 string);
# - the compatibility header picks APIs by kernel version and stands in for <kunit/visibility.h>.
ignore_for() {
	case "$1" in
	include/nmr/nmr_ntcompat.h | samples/nmr_sample_nt.c | kunit/nmr_test_nt*)
		echo CAMELCASE,NEW_TYPEDEFS ;;
	nmr_compat.h) echo LINUX_VERSION_CODE,EXPORT_SYMBOL,MACRO_ARG_UNUSED ;;
	nmr_trace.h) echo OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT ;;
	include/nmr/nmr.h) echo LINUX_VERSION_CODE ;;
	*) echo NONE ;;
	esac
}
# checkpatch_one FILE: its findings, paths relative to the checkout. --no-tree runs outside
# a kernel tree; run from a scratch directory so checkpatch's camelcase cache is not
# written into the checkout. One checkpatch per CPU (xargs -P), the findings sorted.
checkpatch_one() {
	(cd /tmp && perl "$ksrc/scripts/checkpatch.pl" --no-tree --strict --terse \
		--show-types --ignore "$(ignore_for "$1")" -f "$top/$1" 2>&1 |
		grep -E ': (ERROR|WARNING|CHECK):' | sed "s|$top/||")
}
export -f checkpatch_one ignore_for
export top ksrc
out=$(printf '%s\n' "${files[@]}" | xargs -P "$(nproc)" -n 1 bash -c 'checkpatch_one "$1"' _ | sort)
result "checkpatch --strict on ${#files[@]} files" "$out"

out=$(perl "$ksrc/scripts/kernel-doc" -none -Wall nmr_*.c include/nmr/*.h 2>&1)
result "kernel-doc -Wall on the exported API (nmr_*.c, include/nmr/*.h)" "$out"

# Every allocation of the NMR goes through its injection hook, so that the KUnit
# suites can fail each one (REG-1) and prove that deregistration reaches none (HDL-7).
# An insertion into an rhashtable may allocate (it may grow the table at once), so it
# passes the hook the same way (nmr_table_insert()).
out=$(grep -nE '\b(k[mzc]alloc|kmalloc_array|kmem_cache_alloc|kmem_cache_zalloc|xa_insert|xa_store|xa_alloc|xa_reserve|rhashtable_insert_fast|rhashtable_lookup_insert_fast|vmalloc)\(' \
	nmr_core.c nmr_client.c nmr_provider.c nmr_debugfs.c |
	grep -vE 'nmr_should_fail\(\) \? NULL : (kzalloc|kmem_cache_alloc|kmem_cache_zalloc)\(' |
	grep -vE 'nmr_should_fail\(\) \? -ENOMEM : rhashtable_insert_fast\(')
result "allocations of the core only through its injection hook (nmr_should_fail())" "$out"

# Kernel APIs that a supported kernel removed or renamed, and names that a newer kernel
# reserves as macros: outside nmr_compat.h, each use fails with the kernel that changed
# it. One line per entry: the pattern (grep -E), %, then what changed and what to use.
removed_apis='\bhrtimer_init\(%6.15 removed hrtimer_init(): use hrtimer_setup(timer, fn, clock, mode)
\bfrom_timer\(%6.16 renamed from_timer() to timer_container_of()
\bdel_timer(_sync)?\(%6.15 removed del_timer() and del_timer_sync(): use timer_delete() and timer_delete_sync() (6.2)
\bMODULE_IMPORT_NS\( *[A-Za-z_]%6.13 made the namespace of MODULE_IMPORT_NS() a string: use NMR_IMPORT_NS() or NMR_IMPORT_KUNIT_NS()
\bEXPORT_SYMBOL_NS(_GPL)?\([^,]*, *[A-Za-z_]%6.13 made the namespace of EXPORT_SYMBOL_NS*() a string: use EXPORT_SYMBOL_NMR()
\balloc_workqueue\([^,]+, *0 *,%7.x warns at alloc_workqueue() with neither WQ_UNBOUND nor WQ_PERCPU : say WQ_UNBOUND (or WQ_PERCPU, 7.x only)
\b(at_least|noinline_for_tracing|const_true)\b%7.x defines it as a macro (at_least and noinline_for_tracing in <linux/compiler_types.h>, const_true in <linux/compiler.h>): choose another name'
# lint_removed FILE...: one line per use, "file:line: the change"
lint_removed() {
	local pat why
	while IFS='%' read -r pat why; do
		grep -nHE "$pat" "$@" | grep -vE '__NMR_NS\)' | cut -d: -f1,2 | sed "s|\$|: $why|"
	done <<<"$removed_apis"
}
out=$(lint_removed $(printf '%s\n' "${files[@]}" | grep -vx nmr_compat.h))
# The rule must be able to fail: every entry is found in a file that uses them all.
probe=$(mktemp)
printf '%s\n' 'hrtimer_init(&t, 0, 0);' 'x = from_timer(x, t, f);' 'del_timer(&t);' \
	'del_timer_sync(&t);' 'MODULE_IMPORT_NS(FOO);' 'EXPORT_SYMBOL_NS_GPL(f, FOO);' \
	'wq = alloc_workqueue("x", 0, 0);' 'bool at_least;' 'int const_true;' > "$probe"
n=$(lint_removed "$probe" | wc -l)
rm -f "$probe"
[ "$n" -eq 9 ] || out+=$'\n'"the removed-API rule found $n of the 9 uses in its own probe"
result "no kernel API that a supported kernel removed or renamed, outside nmr_compat.h" "$out"

# EXT-6: with NMR_NT_STRICT_HANDLES, a registration handle given as a binding handle (and
# the other mix-ups) does not compile, while the same code compiles with HANDLEs.
out=$(KDIR="$kbuild" scripts/nt-strict-check.sh 2>&1)
result "strict handles: mixing NMR handle kinds does not compile (scripts/nt-strict-check.sh)" "$out"

# The README's listings are copies of real files, built and run by make check: they must
# not drift from them.
out=$(python3 - <<'PY'
import re, sys
readme = open("README.md").read()
blocks = re.findall(r"<!-- listing: (\S+) [^>]*-->\n```c\n(.*?)```\n", readme, re.S)
if not blocks:
    print("README.md has no listing")
for path, body in blocks:
    if open(path).read() != body:
        print(f"README.md's copy of {path} differs from the file")
PY
)
result "README listings are the files they copy (samples/nmr_first_*.c)" "$out"

# The verdict's splat rules judge every stage: check them on made-up logs, one of each
# kind it must excuse and must not (a KCSAN race inside a kernel primitive, one of ours).
out=$(python3 scripts/verdict.py --self-test 2>&1)
result "verdict: its splat rules on made-up console logs (verdict.py --self-test)" "$out"

if command -v sparse >/dev/null; then
	out=$(make -s clean KDIR="$kbuild" >/dev/null 2>&1
	      make -s -j"$(nproc)" modules KDIR="$kbuild" C=1 2>&1 | grep -E 'warning|error' |
	      grep -v "^make")
	result "sparse (make C=1) on every module" "$out"
else
	result "sparse (make C=1) on every module" "sparse is not installed (scripts/setup.sh installs it)"
fi

echo "lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
