#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Coverage of nmr.ko from one QEMU run of the guest's check.sh: one summary line, the floor check.
#
#   scripts/coverage.sh OUTDIR [HTML_DIR]
#
# Decodes the .gcda files that the guest sent to OUTDIR/data.log (gcov_dump in
# scripts/guest/lib.sh: a gzip'd tar in base64 between NMR-GCOV-BEGIN and NMR-GCOV-END),
# puts each next to a copy of its .gcno from the build tree (gcov's paths in debugfs
# mirror the module's build directory), and runs Debian's lcov over them with branch
# coverage. Kept: nmr.ko's own sources and the headers of ours they inline; the kernel's
# headers are dropped. Writes OUTDIR/coverage/nmr.info, and with HTML_DIR an HTML report
# there (genhtml) next to a copy of the .info, and OUTDIR/coverage/unreached.txt: every line
# no test reached and every branch not taken, with its function. The last line printed is
# the summary:
#   coverage of nmr.ko: lines L% (h/n), functions F% (h/n), branches B% (h/n)
# Exit: 0 when lines and branches reach the floor of scripts/coverage-floor, 1 when one
# of them is below it, 2 when there is no coverage data (the line then says why).
set -euo pipefail

out=$1 html=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$out/coverage
# Branches counted: those of our own decisions. Not those a line of lockdep_assert_held()
# or flush_workqueue() expands to (a failed assertion, a build-time check): no test should
# take them, and counting them would make every added assertion lower the figure.
rc_branch=(--rc lcov_branch_coverage=1 --rc 'lcov_excl_br_line=lockdep_assert_held\(|flush_workqueue\(')
rm -rf "$work"
mkdir -p "$work/gcda"

nodata() { echo "coverage of nmr.ko: no data ($*)"; exit 2; }

sed -n '/^NMR-GCOV-BEGIN/,/^NMR-GCOV-END/p' "$out/data.log" | tr -d '\r' |
	grep -v '^NMR-GCOV-' > "$work/gcda.tar.gz.b64" || true
[ -s "$work/gcda.tar.gz.b64" ] || nodata "the guest sent no .gcda files: was nmr.ko built with NMR_COVERAGE=1?"
base64 -d "$work/gcda.tar.gz.b64" | tar -xzf - -C "$work/gcda" ||
	nodata "the .gcda archive in $out/data.log does not decode"

n=0
while read -r rel; do
	gcno=/${rel%.gcda}.gcno
	[ -f "$gcno" ] || nodata "no $gcno for $rel: the build tree was cleaned or rebuilt since the run"
	cp "$gcno" "$work/gcda/${rel%.gcda}.gcno"
	n=$((n + 1))
done < <(cd "$work/gcda" && find . -name '*.gcda' -printf '%P\n')
[ "$n" -gt 0 ] || nodata "the archive holds no .gcda file"

lcov -q "${rc_branch[@]}" --capture --directory "$work/gcda" --base-directory "$top" \
	--output-file "$work/raw.info" >"$work/lcov.log" 2>&1 ||
	{ cat "$work/lcov.log" >&2; nodata "lcov --capture failed (log: $work/lcov.log)"; }
lcov -q "${rc_branch[@]}" --extract "$work/raw.info" "$top/*" \
	--output-file "$work/nmr.info" >>"$work/lcov.log" 2>&1 ||
	{ cat "$work/lcov.log" >&2; nodata "lcov --extract failed (log: $work/lcov.log)"; }

if [ -n "$html" ]; then
	rm -rf "$html"
	mkdir -p "$html"
	genhtml -q "${rc_branch[@]}" --branch-coverage --prefix "$top" --title "nmr.ko" \
		--output-directory "$html" "$work/nmr.info" >>"$work/lcov.log" 2>&1 ||
		{ cat "$work/lcov.log" >&2; nodata "genhtml failed (log: $work/lcov.log)"; }
	cp "$work/nmr.info" "$html/nmr.info"
fi

# The totals, counted from the merged .info (one record per source file): LF/LH lines,
# FNF/FNH functions, BRF/BRH branches, found and hit.
read -r lf lh fnf fnh brf brh < <(awk -F: '
	$1 == "LF" { lf += $2 } $1 == "LH" { lh += $2 }
	$1 == "FNF" { fnf += $2 } $1 == "FNH" { fnh += $2 }
	$1 == "BRF" { brf += $2 } $1 == "BRH" { brh += $2 }
	END { print lf + 0, lh + 0, fnf + 0, fnh + 0, brf + 0, brh + 0 }' "$work/nmr.info")
[ "$lf" -gt 0 ] || nodata "the .info file counts no line of ours"
pct() { awk -v h="$1" -v n="$2" 'BEGIN { printf "%.1f", n ? 100 * h / n : 0 }'; }
line="coverage of nmr.ko: lines $(pct "$lh" "$lf")% ($lh/$lf), functions $(pct "$fnh" "$fnf")% ($fnh/$fnf), branches $(pct "$brh" "$brf")% ($brh/$brf)"
echo "$line" > "$work/summary.txt"

# What no test reached, one line each, for docs/coverage.md: OUTDIR/coverage/unreached.txt
# ("file:line function: ..."), and the figure without nmr_trace.h, whose branches are
# the code the kernel's TRACE_EVENT() macros generate into our object.
python3 - "$work/nmr.info" "$top/" > "$work/unreached.txt" 2> "$work/own.txt" <<'PY'
import sys
info, top = sys.argv[1], sys.argv[2]
recs, cur = [], None
for l in open(info):
    l = l.strip()
    if l.startswith("SF:"):
        cur = {"file": l[3:].replace(top, ""), "fn": [], "da": [], "br": {}}
        recs.append(cur)
    elif l.startswith("FN:"):
        n, name = l[3:].split(",", 1)
        cur["fn"].append((int(n), name))
    elif l.startswith("DA:"):
        n, hits = l[3:].split(",")[:2]
        cur["da"].append((int(n), int(hits)))
    elif l.startswith("BRDA:"):
        n, _, _, taken = l[5:].split(",")
        cur["br"].setdefault(int(n), []).append(taken not in ("-", "0"))
lf = lh = bf = bh = 0
for r in recs:
    fns = sorted(r["fn"])
    def func(n):
        return ([name for start, name in fns if start <= n] or ["(file scope)"])[-1]
    for n, hits in r["da"]:
        if hits == 0:
            print(f"{r['file']}:{n} {func(n)}: line not reached")
    for n, taken in sorted(r["br"].items()):
        if not all(taken):
            print(f"{r['file']}:{n} {func(n)}: {taken.count(False)} of {len(taken)} branches not taken")
    if r["file"] != "nmr_trace.h":
        lf += len(r["da"]); lh += sum(1 for _, h in r["da"] if h)
        bf += sum(len(t) for t in r["br"].values()); bh += sum(sum(t) for t in r["br"].values())
print(lf, lh, bf, bh, file=sys.stderr)
PY
read -r olf olh obf obh < "$work/own.txt"
own="without nmr_trace.h: lines $(pct "$olh" "$olf")% ($olh/$olf), branches $(pct "$obh" "$obf")% ($obh/$obf)"

# The floor: "lines N" and "branches N" lines of scripts/coverage-floor, whole percents.
floor_of() { sed -n "s/^$1[[:space:]]\+\([0-9]\+\)[[:space:]]*$/\1/p" "$top/scripts/coverage-floor"; }
fl=$(floor_of lines) fb=$(floor_of branches) fo=$(floor_of own-branches)
[ -n "$fl" ] && [ -n "$fb" ] && [ -n "$fo" ] ||
	{ echo "$line"; echo "coverage.sh: no floor in scripts/coverage-floor" >&2; exit 1; }
status=0
[ $((lh * 100)) -ge $((fl * lf)) ] || { echo "  lines below the floor of $fl%"; status=1; }
[ $((brh * 100)) -ge $((fb * brf)) ] || { echo "  branches below the floor of $fb%"; status=1; }
[ $((obh * 100)) -ge $((fo * obf)) ] ||
	{ echo "  branches without nmr_trace.h below the floor of $fo%"; status=1; }
echo "  $own"
echo "  unreached lines and branches: $work/unreached.txt"
echo "$line"
exit "$status"
