#!/usr/bin/env bash
# Command-line behaviour that needs no privileges and no IOMMU: help texts,
# usage errors, and bad scenarios refused with exit status 2 and nothing
# written. Usage: tests/test-cli.sh PATH-TO-IOMMUBENCH
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab/lib.sh
. "$here/lab/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bin" --help > "$tmp/help"; check_eq "--help exits 0" $? 0
check_eq "--help lists verbs and examples" "$(grep -c '^  hooks\|^  run\|^examples:' "$tmp/help")" 3
"$bin" run --help > "$tmp/runhelp"; check_eq "run --help exits 0" $? 0
check_eq "run --help has examples" "$(grep -c '^  iommubench run scenarios/basic.ini' "$tmp/runhelp")" 3
"$bin" hooks --help > /dev/null; check_eq "hooks --help exits 0" $? 0
"$bin" restore --help > "$tmp/rshelp"; check_eq "restore --help exits 0" $? 0
check_eq "restore --help has examples" "$(grep -c '^  iommubench restore' "$tmp/rshelp")" 3
"$bin" restore extra 2> /dev/null; check_eq "restore with an argument exits 2" $? 2
check_eq "run --help documents --force" "$(grep -c '^      --force' "$tmp/runhelp")" 1
"$bin" frobnicate 2> "$tmp/err"; check_eq "unknown verb exits 2" $? 2
check_eq "and names it" "$(grep -c "unknown verb 'frobnicate'" "$tmp/err")" 1
"$bin" run 2> /dev/null; check_eq "run without a scenario exits 2" $? 2
"$bin" run --attach sideways scenarios/basic.ini 2> "$tmp/err"; check_eq "bad --attach exits 2" $? 2

# every bad fixture: exit 2, message names file and line, nothing written
for f in tests/data/scenarios/bad_*.ini; do
	out=$tmp/$(basename "$f" .ini).json
	"$bin" run "$f" -o "$out" --device 0000:00:02.0 2> "$tmp/err"
	rc=$?
	name=$(basename "$f")
	check_eq "$name: exit status" $rc 2
	# file and line, or the file alone for whole-file errors (no job section)
	check_eq "$name: message names the file (and line)" \
		"$(grep -cE "^iommubench: $f(:[0-9]+)?: " "$tmp/err")" 1
	check_eq "$(basename "$f"): nothing written" "$(ls "$tmp" | grep -c '\.json')" 0
done
# the unknown key is named
"$bin" run tests/data/scenarios/bad_unknown_key.ini -o "$tmp/x.json" 2> "$tmp/err"
check_eq "unknown key named with its line" "$(grep -cE "bad_unknown_key.ini:[0-9]+: key '[a-z_]+'" "$tmp/err")" 1
# scenario text quoted in an error reaches the terminal escaped: no raw
# control byte (here ESC, BEL and CR in a key and its value) on stderr
printf '[basic]\npages=64\nx\033]0;pwned\007=\033[2J\r\n' > "$tmp/ctl.ini"
"$bin" run "$tmp/ctl.ini" -o "$tmp/x.json" 2> "$tmp/err"
check_eq "control bytes in a scenario: refused with exit 2" $? 2
check_eq "control bytes in a scenario: shown escaped" \
	"$(LC_ALL=C grep -c $'[\x01-\x08\x0b-\x1f\x7f]' "$tmp/err") $(grep -c 'x\\x1b' "$tmp/err")" "0 1"
"$bin" run tests/data/scenarios/does-not-exist.ini 2> "$tmp/err"; check_eq "missing scenario exits 2" $? 2
check_eq "and says why" "$(grep -c 'No such file or directory' "$tmp/err")" 1

# a good scenario without any device source is refused before anything runs
IOMMUBENCH_DEVICE= "$bin" run scenarios/basic.ini -o "$tmp/y.json" 2> "$tmp/err"
check_eq "no device: exit 2" $? 2
check_eq "no device: says how to give one" "$(grep -c 'pass --device BDF' "$tmp/err")" 1
# an existing output is never overwritten, and refused up front
echo '{"keep": true}' > "$tmp/keep.json"
"$bin" run scenarios/basic.ini --device 0000:00:02.0 -o "$tmp/keep.json" 2> "$tmp/err"
check_eq "existing output: exit 2" $? 2
check_eq "existing output untouched" "$(cat "$tmp/keep.json")" '{"keep": true}'
# a device address that is not one
"$bin" run scenarios/basic.ini --device nonsense -o "$tmp/z.json" --no-probes 2> "$tmp/err"
check_eq "bad device address: exit 2" $? 2
check_eq "bad device address: explained" "$(grep -c 'is not a PCI address' "$tmp/err")" 1
# a switch kind the backend given on the command line cannot do
"$bin" run scenarios/pasid-switch.ini --backend vfio -o "$tmp/p.json" 2> "$tmp/err"
check_eq "pasid with --backend vfio: exit 2" $? 2
check_eq "pasid with --backend vfio: explained" "$(grep -c 'switch_kind=pasid does not go with backend vfio' "$tmp/err")" 1
check_eq "pasid with --backend vfio: nothing written" "$(ls "$tmp/p.json" 2> /dev/null)" ""
"$bin" run scenarios/dma-map.ini --backend frob 2> "$tmp/err"
check_eq "unknown backend: exit 2" $? 2
check_eq "unknown backend: names the choices" "$(grep -c 'want vfio, iommufd or dma' "$tmp/err")" 1
# the dma backend on a device address that is not one: refused, nothing written
"$bin" run scenarios/dma-map.ini --device nonsense -o "$tmp/d.json" --no-probes 2> "$tmp/err"
check_eq "dma, bad device address: exit 2" $? 2
check_eq "dma, bad device address: explained" "$(grep -c 'is not a PCI address' "$tmp/err")" 1
check_eq "dma, bad device address: nothing written" "$(ls "$tmp/d.json" 2> /dev/null)" ""
# --repetitions must be a whole number in range
for bad in 0 -1 x 1000001 2x; do
	"$bin" run scenarios/basic.ini --device 0000:00:02.0 -R "$bad" -o "$tmp/r.json" 2> "$tmp/err"
	check_eq "--repetitions $bad: exit 2" $? 2
	check_eq "--repetitions $bad: explained" "$(grep -c 'want a whole number 1..1000000' "$tmp/err")" 1
done

# run validates everything before its first side effect (results/, binding,
# BPF, the plan's memory): refused with exit 2, quickly, nothing created.
# Device addresses here name no device on this host, so that no version of
# run, however broken, could take a host device from its driver.
. "$here/test-cli-validate.sh"
# --set KEY=VALUE, --dry-run and checks=auto
. "$here/test-cli-set.sh"

# report: usage errors and bad input exit 2 and say what is wrong; the gate exits 1
D=tests/data/report
"$bin" report --help > "$tmp/rhelp"; check_eq "report --help exits 0" $? 0
check_eq "report --help states the defaults" "$(grep -c 'default 5)\|default 0.95)\|default 10000;' "$tmp/rhelp")" 3
check_eq "report --help has examples" "$(grep -c '^  iommubench report ' "$tmp/rhelp")" 6
"$bin" report 2> "$tmp/err"; check_eq "report without a file exits 2" $? 2
"$bin" report a.json b.json c.json 2> "$tmp/err"; check_eq "report with three files exits 2" $? 2
"$bin" report $D/base.json --format pdf 2> "$tmp/err"; check_eq "report --format pdf exits 2" $? 2
check_eq "and names the choices" "$(grep -c 'want md, html, junit or json' "$tmp/err")" 1
"$bin" report $D/base.json $D/base.json --fail-above ten 2> "$tmp/err"; check_eq "report --fail-above ten exits 2" $? 2
"$bin" report $D/truncated.json 2> "$tmp/err"; check_eq "truncated input exits 2" $? 2
check_eq "and names the file and line" "$(grep -c "^iommubench: report: $D/truncated.json:[0-9]*: " "$tmp/err")" 1
"$bin" report $D/missing.json 2> "$tmp/err"; check_eq "missing input exits 2" $? 2
check_eq "and names it" "$(grep -c "$D/missing.json" "$tmp/err")" 1
echo '{"schema": "other/1"}' > "$tmp/other.json"
"$bin" report "$tmp/other.json" 2> "$tmp/err"; check_eq "not a results document exits 2" $? 2
check_eq "and says the schema" "$(grep -c "schema is 'other/1', expected 'iommubench/1'" "$tmp/err")" 1
"$bin" report $D/other-scenario.json $D/base.json > "$tmp/out" 2> "$tmp/err"
check_eq "different scenarios refused: exit 2" $? 2
check_eq "different scenarios: says --force" "$(grep -c 'different scenarios.*pass --force' "$tmp/err")" 1
check_eq "different scenarios: nothing on stdout" "$(wc -c < "$tmp/out")" 0
"$bin" report $D/other-scenario.json $D/base.json --force > "$tmp/out"; check_eq "--force compares: exit 0" $? 0
check_eq "--force: warned in the report" "$(grep -c 'different scenarios compared (--force)' "$tmp/out")" 1
"$bin" report $D/same.json $D/base.json --fail-above 5 > "$tmp/out"; check_eq "A/A with --fail-above 5: exit 0" $? 0
check_eq "A/A: every count identical" "$(grep -c 'Every count is identical' "$tmp/out")" 1
"$bin" report $D/hw-slower.json $D/hw-base.json --fail-above 10 > /dev/null 2> "$tmp/err"
check_eq "20 % slower, --fail-above 10: exit 1" $? 1
"$bin" report $D/hw-slower.json $D/hw-base.json --fail-above 25 > /dev/null; check_eq "20 % slower, --fail-above 25: exit 0" $? 0
# lab (emulated) timings are shown with their verdicts but never gated
"$bin" report $D/slower.json $D/base.json --fail-above 10 --format json -o "$tmp/emu.json" 2> /dev/null
check_eq "20 % slower but emulated, --fail-above 10: exit 0" $? 0
check_eq "emulated: verdict still shown" "$(jq -r '.timings.figures[] | select(.figure == "unmap.p50") | .verdict' "$tmp/emu.json")" slower
check_eq "emulated: not gated" "$(jq -r '[.timings.figures[] | select(.gated)] | length' "$tmp/emu.json")" 0
"$bin" report $D/heavier.json $D/base.json --fail-above 10 --gate derived.descriptors_per_unmap > /dev/null 2>&1
check_eq "4x descriptors per unmap, count gate: exit 1" $? 1
"$bin" report $D/heavier.json $D/base.json --gate nonsense.figure 2> "$tmp/err"; check_eq "unknown --gate figure: exit 2" $? 2
check_eq "and names it" "$(grep -c "no figure 'nonsense.figure'" "$tmp/err")" 1
"$bin" report $D/hw-slower.json $D/hw-base.json --format junit --fail-above 10 -o "$tmp/r.xml" 2> /dev/null
check_eq "junit with a tripped gate: exit 1" $? 1
check_eq "junit: one failure per tripped gated figure" "$(grep -c '<failure type="gate"' "$tmp/r.xml")" 6
"$bin" report $D/slower.json $D/base.json --format json -o "$tmp/r.json"; check_eq "json report: exit 0" $? 0
check_eq "json report: verdict of unmap.p50" "$(jq -r '.timings.figures[] | select(.figure == "unmap.p50") | .verdict' "$tmp/r.json")" slower
echo keep > "$tmp/keep.md"
"$bin" report $D/base.json -o "$tmp/keep.md" 2> "$tmp/err"; check_eq "report: existing output exits 2" $? 2
check_eq "report: existing output untouched" "$(cat "$tmp/keep.md")" keep
"$bin" report $D/base.json > "$tmp/one.md"; check_eq "one-run report: exit 0" $? 0
check_eq "one-run report: the hook that did not attach, and why" \
	"$(grep -c 'qi_flush_piotlb.*inlined: no symbol to attach to' "$tmp/one.md")" 1

# report: the whole document is checked before anything is rendered: a bad
# one exits 2 and the message names the file and the JSON path
for f in $D/bad-*.json; do
	"$bin" report "$f" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	check_eq "$(basename "$f"): exit 2" $rc 2
	check_eq "$(basename "$f"): names the file and a JSON path" \
		"$(grep -cE "^iommubench: report: $f: \.[^ ]*: " "$tmp/err")" 1
	check_eq "$(basename "$f"): nothing on stdout" "$(wc -c < "$tmp/out")" 0
	"$bin" report $D/base.json "$f" --format json > "$tmp/out" 2> /dev/null
	rc=$?
	check_eq "$(basename "$f") as the baseline: exit 2" $rc 2
done
bad_msg() { # FIXTURE EXPECTED-MESSAGE-AFTER-THE-FILE-NAME
	"$bin" report "$D/$1" 2> "$tmp/err"
	check_eq "$1: message" "$(grep -c -F "iommubench: report: $D/$1: $2" "$tmp/err")" 1
}
bad_msg bad-schema-only.json ".tool: missing"
bad_msg bad-no-ops.json ".ops: missing"
bad_msg bad-no-hooks.json ".hooks: missing"
bad_msg bad-no-scenario.json ".scenario: missing"
bad_msg bad-ops-array.json ".ops: expected an object, got array"
bad_msg bad-hooks-object.json ".hooks: expected an array, got object"
bad_msg bad-scenario-string.json ".scenario: expected an object or null, got string"
bad_msg bad-count-string.json ".ops.map.count: expected an integer >= 0, got string"
bad_msg bad-hook-attached.json ".hooks[1].attached: expected a boolean, got string"
bad_msg bad-repetition-value.json ".repetitions.figures.unmap.p50_ns[2]: expected a number or null, got string"
bad_msg bad-context-id.json ".contexts[0].id: expected an integer, got string"
bad_msg bad-error-number.json ".error: expected a string or null, got integer"
bad_msg bad-interrupted-true.json ".interrupted: expected a string or false, got true"
bad_msg bad-drop-negative.json ".drops.irq_unknown: expected an integer >= 0, got -3"
# a document over the size limit is refused before it is read (a sparse file)
truncate -s 65M "$tmp/huge.json"
"$bin" report "$tmp/huge.json" > /dev/null 2> "$tmp/err"; check_eq "document over 64 MiB: exit 2" $? 2
check_eq "over the limit: says the limit and how to raise it" \
	"$(grep -c "$tmp/huge.json: 65.0 MiB is over the limit of 64 MiB.*--max-size MIB.*IOMMUBENCH_REPORT_MAX_MIB" "$tmp/err")" 1
"$bin" report "$tmp/huge.json" --max-size 100 > /dev/null 2> "$tmp/err"; check_eq "--max-size 100: read, then refused as not JSON" $? 2
check_eq "--max-size 100: no size error" "$(grep -c 'over the limit' "$tmp/err")" 0
IOMMUBENCH_REPORT_MAX_MIB=100 "$bin" report "$tmp/huge.json" > /dev/null 2> "$tmp/err"
check_eq "IOMMUBENCH_REPORT_MAX_MIB=100: no size error" "$(grep -c 'over the limit' "$tmp/err")" 0
"$bin" report $D/base.json --max-size 0 2> /dev/null; check_eq "--max-size 0: exit 2" $? 2
# a stream (not a regular file: no size to stat) is cut at the limit while read
"$bin" report --max-size 1 <(printf '{"x": "'; head -c 2000000 /dev/zero | tr '\0' a) > /dev/null 2> "$tmp/err"
check_eq "stream over --max-size 1: exit 2" $? 2
check_eq "stream over the limit: says so" "$(grep -c 'more than the limit of 1 MiB.*--max-size MIB' "$tmp/err")" 1
# failed and interrupted runs: shown in every format, and they fail the gate
for f in hw-failed hw-interrupted; do
	"$bin" report $D/$f.json $D/hw-base.json --fail-above 25 > "$tmp/out" 2> "$tmp/err"
	check_eq "$f candidate, --fail-above 25: exit 1" $? 1
	check_eq "$f candidate: stderr says why" "$(grep -c "candidate $D/$f.json is an incomplete run" "$tmp/err")" 1
	check_eq "$f candidate: banner at the top of the report" "$(head -n 5 "$tmp/out" | grep -c 'INCOMPLETE RUN')" 1
	"$bin" report $D/hw-base.json $D/$f.json --fail-above 25 > /dev/null 2> "$tmp/err"
	check_eq "$f baseline, --fail-above 25: exit 1" $? 1
	"$bin" report $D/$f.json $D/hw-base.json --fail-above 25 --allow-incomplete > "$tmp/out" 2> "$tmp/err"
	check_eq "$f candidate, --allow-incomplete: exit 0" $? 0
	check_eq "$f candidate, --allow-incomplete: still shown" "$(grep -c 'INCOMPLETE RUN' "$tmp/out")" 1
	"$bin" report $D/$f.json --fail-above 25 > "$tmp/out" 2> /dev/null
	check_eq "$f alone, --fail-above 25: exit 1" $? 1
	check_eq "$f alone: banner" "$(head -n 5 "$tmp/out" | grep -c 'INCOMPLETE RUN')" 1
	"$bin" report $D/$f.json > /dev/null; check_eq "$f alone without a gate: exit 0" $? 0
	"$bin" report $D/$f.json $D/hw-base.json --format json -o "$tmp/$f.json" 2> /dev/null
	check_eq "$f json: exit 0 without a gate" $? 0
	check_eq "$f json: incomplete[] names the candidate" \
		"$(jq -r '.incomplete[0] | "\(.run) \(.file)"' "$tmp/$f.json")" "candidate $D/$f.json"
	"$bin" report $D/$f.json $D/hw-base.json --format junit --fail-above 25 -o "$tmp/$f.xml" 2> /dev/null
	check_eq "$f junit: a failing test case for the incomplete run" \
		"$(grep -c '<testcase classname="iommubench.run" name="candidate.complete">' "$tmp/$f.xml")" 1
	check_eq "$f junit: its failure" "$(grep -c '<failure type="incomplete"' "$tmp/$f.xml")" 1
	"$bin" report $D/$f.json $D/hw-base.json --format html -o "$tmp/$f.html" 2> /dev/null
	check_eq "$f html: banner" "$(grep -c '<p class="incomplete">' "$tmp/$f.html")" 1
	"$bin" report $D/$f.json --format junit -o "$tmp/$f-one.xml" 2> /dev/null
	check_eq "$f junit, one run: failing test case" "$(grep -c '<failure type="incomplete"' "$tmp/$f-one.xml")" 1
	"$bin" report $D/$f.json --format html -o "$tmp/$f-one.html" 2> /dev/null
	check_eq "$f html, one run: banner" "$(grep -c '<p class="incomplete">' "$tmp/$f-one.html")" 1
done
check_eq "failed run: the error is quoted" \
	"$("$bin" report $D/hw-failed.json | grep -c -F 'VFIO_IOMMU_MAP_DMA: Cannot allocate memory')" 1
"$bin" report --help | grep -q -- '--allow-incomplete'; check_eq "report --help names --allow-incomplete" $? 0
"$bin" report --help | grep -q -- '--max-size'; check_eq "report --help names --max-size" $? 0


# report: a run with a non-zero drop counter is reported, with a warning on
# stderr and in the output (json: drop_warnings); a clean run has none
jq '.drops.irq_unknown = 942' $D/base.json > "$tmp/drops.json"
"$bin" report "$tmp/drops.json" --format json > "$tmp/drops.out" 2> "$tmp/err"; check_eq "report with drops: exit 0" $? 0
check_eq "drops: warned on stderr" \
	"$(grep -c "^iommubench: report: warning: $tmp/drops.json: drops.irq_unknown = 942: " "$tmp/err")" 1
check_eq "drops: json names the counter" "$(jq -r '[.drop_warnings[].counter] | join(",")' "$tmp/drops.out")" drops.irq_unknown
"$bin" report $D/base.json --format json > "$tmp/clean.out" 2> "$tmp/err"
check_eq "no drops: no warning" "$(jq -r '.drop_warnings | length' "$tmp/clean.out") $(grep -c warning "$tmp/err")" "0 0"
# trace: usage errors are refused before any probe loads, nothing written
"$bin" trace --help > "$tmp/trhelp"; check_eq "trace --help exits 0" $? 0
check_eq "trace --help has examples" "$(grep -c '^  iommubench trace' "$tmp/trhelp")" 3
"$bin" trace -d 1 -o "$tmp/t1.json" -- true 2> "$tmp/err"; check_eq "trace -d with a COMMAND: exit 2" $? 2
check_eq "trace -d with a COMMAND: explained" "$(grep -c 'either -d SEC or a COMMAND' "$tmp/err")" 1
"$bin" trace -p 1 -o "$tmp/t1.json" -- true 2> "$tmp/err"; check_eq "trace -p with a COMMAND: exit 2" $? 2
"$bin" trace -d soon 2> "$tmp/err"; check_eq "trace -d soon: exit 2" $? 2
check_eq "trace -d soon: explained" "$(grep -c 'want seconds > 0' "$tmp/err")" 1
"$bin" trace -d 0 2> /dev/null; check_eq "trace -d 0: exit 2" $? 2
"$bin" trace -p 0 2> /dev/null; check_eq "trace -p 0: exit 2" $? 2
"$bin" trace -p 4194000 2> "$tmp/err"; check_eq "trace -p of no process: exit 2" $? 2
check_eq "trace -p of no process: explained" "$(grep -c 'no such process' "$tmp/err")" 1
"$bin" trace --attach sideways 2> /dev/null; check_eq "trace bad --attach: exit 2" $? 2
"$bin" trace -o "$tmp/keep.json" -- true 2> "$tmp/err"; check_eq "trace existing output: exit 2" $? 2
check_eq "trace existing output untouched" "$(cat "$tmp/keep.json")" '{"keep": true}'
check_eq "trace usage errors wrote nothing" "$(ls "$tmp" | grep -c '^t1')" 0

lab_done cli
