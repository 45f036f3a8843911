#!/usr/bin/env bash
# Lab test: x86-vtd, `iommubench report` on real runs. Two runs of one
# scenario have identical counts; a heavier variant (the same 4 pages
# unmapped by one call, so 4 invalidations per unmap call instead of 1)
# shows the exact differences, and a count gate trips on it while the
# emulated timings are never gated.
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
lab_setup report

lab/run x86-vtd -- sh -c "
	iommubench run -q tests/data/lab/report-page.ini -o $out/a1.json || exit 11
	iommubench run -q tests/data/lab/report-page.ini -o $out/a2.json || exit 12
	iommubench run -q tests/data/lab/report-range.ini -o $out/b.json || exit 13
	exit 0"
lab_booted $? report

bin=.output/x86_64/iommubench
"$bin" report "$out/a2.json" "$out/a1.json" --fail-above 0 --format json -o "$out/aa.json"
check_eq "A/A: exit 0 (identical counts, emulated timings not gated)" $? 0
check_json "$out/aa.json" '[.counts[] | select(.changed)] | length' 0 "A/A: no count differs"
check_true "$out/aa.json" '(.counts | length) > 40' "A/A: the counts were compared"
check_json "$out/aa.json" '.emulated' true

"$bin" report "$out/b.json" "$out/a1.json" > "$out/refused.md" 2> "$out/err"
check_eq "different scenarios refused: exit 2" $? 2
check_eq "and says --force" "$(grep -c -- '--force' "$out/err")" 1
"$bin" report "$out/b.json" "$out/a1.json" --force --format json -o "$out/ab.json"
check_eq "heavier, --force: exit 0 without --fail-above" $? 0
row() { jq -r --arg f "$1" '.counts[] | select(.figure == $f) | "\(.base) \(.cand)"' "$out/ab.json"; }
# per loop: 4 pages; per run 3 loops; page: 12 unmap calls, range: 3
check_eq "tlb_inv per unmap call: 1 -> 4" "$(row derived.tlb_inv_per_unmap_call)" "1 4"
check_eq "descriptors per unmap call: 1 -> 4" "$(row derived.descriptors_per_unmap_call)" "1 4"
# one per page either way: 12, plus the 2 of type1's fine-grained superpage
# probe at attach (docs/vfio-type1-model.md)
check_eq "the same invalidations in all: one per page" "$(row ops.tlb_inv.kinds.range.count)" "14 14"
"$bin" report "$out/b.json" "$out/a1.json" --force --fail-above 100 \
	--gate derived.descriptors_per_unmap_call > "$out/gate.md"
check_eq "count gate, +300 % > 100 %: exit 1" $? 1
check_eq "the gate names the figure" "$(grep -c 'derived.descriptors_per_unmap_call' "$out/gate.md")" 2
"$bin" report "$out/b.json" "$out/a1.json" --force --fail-above 300 \
	--gate derived.descriptors_per_unmap_call > /dev/null
check_eq "count gate, +300 % is not above 300 %: exit 0" $? 0
"$bin" report "$out/b.json" "$out/a1.json" --force --format html -o "$out/ab.html"
check_eq "html of real runs: exit 0" $? 0
check_eq "html: no NaN" "$(grep -ci 'nan[^a-z]' "$out/ab.html")" 0
lab_done report
