#!/usr/bin/env bash
# Lab test: a device that is not edu. x86-vtd carries an emulated NVMe
# controller (1b36:0010, lab/targets/x86-vtd.conf) that no driver binds, as a
# real device would be before a CI run. aux-switch.ini (checks=auto) runs on
# it with --bind and -R 2: the isolation checks are skipped with the reason,
# the work is the scenario's, and the controller has no driver again after.
# checks=1 on it is refused before anything changes; a --set reaches a real
# run and is recorded.
# In the same boot: every command of the README's hw-recipe blocks, verbatim
# (tests/lab/readme-recipe.sh extracts them; DEV is the NVMe's BDF, OUT a
# folder), the CI gate script (ci/hardware-gate.sh) and the LAVA step
# (ci/lava/gate-to-lava.sh, lava-test-case recorded), the gate both ways.
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
lab_setup vtd-nvme

# the README's commands as a guest script: each one verbatim, then its status
tests/lab/readme-recipe.sh README.md > "$out/recipe.cmds" || exit 1
ncmds=$(wc -l < "$out/recipe.cmds")
i=0
while IFS= read -r cmd; do
	i=$((i + 1))
	printf '%s\necho "%d $?" >> %s/recipe.rc\n' "$cmd" "$i" "$out"
done < "$out/recipe.cmds" > "$out/recipe.sh"
# the guest has busybox and no libc: jq (for gate-to-lava.sh, as a LAVA
# board would have it) runs from the host's binary and libraries through its
# loader; lava-test-case records its arguments, as LAVA's test shell would
lab_host_tool "$out" jq
printf '#!/bin/sh\necho "$*" >> "$LAVA_CALLS"\n' > "$out/bin/lava-test-case"
chmod +x "$out/bin/lava-test-case"

lab/run x86-vtd -- sh -c "
	$LAB_FIND_NVME
	echo \$nvme > $out/bdf
	drv() { basename \"\$(readlink /sys/bus/pci/devices/\$nvme/driver)\" 2>/dev/null; true; }
	drv > $out/driver-before
	iommubench run scenarios/aux-switch.ini --device \$nvme --bind -R 2 -o $out/aux.json > $out/aux.txt 2> $out/aux.err
	echo \$? > $out/aux.rc
	drv > $out/driver-after
	cat /sys/bus/pci/devices/\$nvme/driver_override > $out/override-after
	iommubench run scenarios/aux-switch.ini --device \$nvme --bind --set checks=1 -o $out/insist.json 2> $out/insist.err
	echo \$? > $out/insist.rc
	drv > $out/driver-insist
	iommubench run -q scenarios/basic.ini --device \$nvme --bind --set pages=8 --set loops=2 -o $out/set.json 2> $out/set.err
	echo \$? > $out/set.rc
	drv > $out/driver-set
	PATH=\$PWD/$out/bin:\$PATH
	jq -n 1 > $out/jq-works
	export DEV=\$nvme OUT=$out/recipe
	mkdir -p \$OUT
	t0=\$(date +%s)
	sh $out/recipe.sh > $out/recipe.out 2>&1
	echo \$((\$(date +%s) - t0)) > $out/recipe.seconds
	drv > $out/driver-recipe
	# LAVA, within the gate: the README's candidate against its baseline
	LAVA_CALLS=$out/lava-pass.calls DEVICE=\$nvme BASELINE=\$OUT/baseline.json CANDIDATE=\$OUT/candidate.json \
		OUT=$out/lava-pass ci/lava/gate-to-lava.sh > $out/lava-pass.out 2>&1
	echo \$? > $out/lava-pass.rc
	# tripped: the candidate (3 passes) against the 1-pass kprobe run as the
	# baseline, ops.map.count gated at 0 %: no extra run
	LAVA_CALLS=$out/lava-trip.calls DEVICE=\$nvme BASELINE=\$OUT/kprobe.json CANDIDATE=\$OUT/candidate.json \
		GATE=unmap.p50,ops.map.count FAIL_ABOVE=0 OUT=$out/lava-trip ci/lava/gate-to-lava.sh > $out/lava-trip.out 2>&1
	echo \$? > $out/lava-trip.rc
	GITHUB_STEP_SUMMARY=$out/step-summary.md ci/hardware-gate.sh --candidate \$OUT/candidate.json \
		--gate unmap.p50,ops.map.count --fail-above 0 --out $out/gate-trip \$nvme scenarios/basic.ini \$OUT/kprobe.json \
		> $out/gate-trip.out 2>&1
	echo \$? > $out/gate-trip.rc
	drv > $out/driver-end
	exit 0"
lab_booted $? vtd-nvme

bdf=$(cat "$out/bdf")
f=$out/aux.json
check_eq "aux-switch.ini on the NVMe controller: exit 0" "$(cat "$out/aux.rc")" 0
check_eq "no driver before" "$(cat "$out/driver-before")" ""
check_eq "no driver after: given back as it was" "$(cat "$out/driver-after")" ""
check_eq "driver_override cleared after" "$(cat "$out/override-after")" "(null)"
check_json "$f" '.error' null
check_json "$f" '.interrupted' false
check_json "$f" '.scenario.device' "$bdf"
check_json "$f" '.lab.target' x86-vtd
# checks=auto: skipped, with the reason, and said in one summary line
reason="no DMA engine iommubench can drive on $bdf (1b36:0010)"
check_json "$f" '.scenario.checks_mode' auto
check_json "$f" '.checks.isolation.enabled' false
check_json "$f" '.checks.isolation.skipped' "$reason"
check_json "$f" '.checks.isolation.run + .checks.isolation.positive_run' 0 "no isolation DMA"
check_eq "summary: one line says the checks were skipped" \
	"$(grep -cxF "isolation checks skipped (checks=auto): $reason" "$out/aux.txt")" 1
check_json "$f" '.scenario.overrides | length' 0 "no overrides"
# the scenario's own work, twice (-R 2): switches and working-set calls
sw=$(sed -n 's/^switches=\([0-9]*\).*/\1/p' scenarios/aux-switch.ini)
pages=$(sed -n 's/^pages=\([0-9]*\).*/\1/p' scenarios/aux-switch.ini)
check_json "$f" '.repetitions.count' 2
check_json "$f" '.harness.measured_passes' 2
check_json "$f" '.harness.switches' $((sw * 2)) "switches in 2 passes"
# each visit maps the working set and unmaps it page by page: (switches + 1)
# visits a pass, plus the resident sets mapped at each attach
check_true "$f" "[.contexts[].harness.unmap_calls] | add == $(((sw + 1) * 2 * pages))" \
	"working-set unmaps: (switches + 1) visits x 2 passes x pages"
check_true "$f" '.ops.unmap.count > 0 and .ops.map.count > 0' "the probes saw the maps and unmaps"
check_json "$f" '.hooks[] | select(.name == "iommu_map") | .mode' fentry "iommu_map attached by fentry"

# checks=1 insists: refused before the device is touched, nothing written
check_eq "checks=1 on the NVMe controller: exit 2" "$(cat "$out/insist.rc")" 2
check_eq "checks=1: says why, naming --set" "$(grep -c \
	"^iommubench: --set checks=1: key 'checks': checks=1 needs the QEMU edu device (1234:11e8) as its DMA engine; $bdf is 1b36:0010" \
	"$out/insist.err")" 1
check_eq "checks=1: nothing written" "$(ls "$out/insist.json" 2> /dev/null)" ""
check_eq "checks=1: still no driver" "$(cat "$out/driver-insist")" ""

# --set in a real run: applied and recorded
f=$out/set.json
check_eq "basic.ini --set pages=8 --set loops=2: exit 0" "$(cat "$out/set.rc")" 0
check_json "$f" '[.scenario.overrides | to_entries[] | "\(.key)=\(.value)"] | sort | join(" ")' "loops=2 pages=8"
check_json "$f" '[.scenario.pages, .scenario.loops] | join(" ")' "8 2" "effective values"
check_json "$f" '.harness.map_calls' 16 "8 pages x 2 passes mapped"
check_json "$f" '.harness.unmap_calls' 16
check_eq "after the --set run: still no driver" "$(cat "$out/driver-set")" ""

# the README's hw-recipe commands, verbatim: every one exit 0, in order
check_eq "README recipe: commands extracted" "$ncmds" 13
check_eq "README recipe: each command's status" "$(cat "$out/recipe.rc" 2> /dev/null | tr '\n' ' ')" \
	"$(seq "$ncmds" | sed 's/$/ 0/' | tr '\n' ' ')"
echo "vtd-nvme: README recipe: $(cat "$out/recipe.seconds") s in the guest"
r=$out/recipe
check_eq "hooks: iommu_map attaches by fentry" "$(grep -cE '^iommu_map +map +fentry +yes' "$out/recipe.out")" 1
for f in "$r/baseline.json" "$r/candidate.json"; do
	check_json "$f" '[.error, .interrupted, .scenario.device, .repetitions.count] | map(tostring) | join(" ")' \
		"null false $bdf 3"
	check_json "$f" '.harness.map_calls' $((64 * 3)) "64 pages x 3 passes"
done
# every other shipped scenario that runs on any device
for sc in aux-switch invalidate-patterns invalidate-range invalidate-context; do
	f=$r/$sc.json
	check_json "$f" '[.error, .interrupted, .scenario.device] | map(tostring) | join(" ")' "null false $bdf" "$sc: ran on the NVMe"
	check_json "$f" '.ops.map.count >= .harness.map_calls and .harness.map_calls > 0' true "$sc: kernel maps cover the harness's"
	check_json "$f" '.ops.unmap.count > 0 and .ops.tlb_inv.count > 0' true "$sc: unmaps and invalidations measured"
	check_json "$f" '.harness.switches_all_passes == .scenario.switches * (.scenario.loops + (.scenario.warmup // 0))' true \
		"$sc: every switch issued"
done
check_json "$r/aux-switch.json" '.checks.isolation.skipped' "$reason" "aux-switch: isolation checks skipped, with the reason"
check_json "$r/kprobe.json" '.error' null
check_json "$r/kprobe.json" '.hooks[] | select(.name == "iommu_map") | .mode' kprobe "--attach kprobe: iommu_map by kprobe"
# JUnit: parses, one case per gated figure, within (emulated timings are never gated)
check_eq "JUnit parses, testcases" "$(xmllint --xpath 'count(//testcase)' "$r/report.xml" 2>&1)" 6
check_eq "JUnit: no failure" "$(xmllint --xpath 'count(//failure)' "$r/report.xml" 2>&1)" 0
check_eq "Markdown summary: within the gate" "$(grep -c '^No gated figure tripped the gate\.$' "$r/summary.md")" 1
# ci/hardware-gate.sh from the README (--candidate), within
check_eq "gate script: JUnit parses, no failure" "$(xmllint --xpath 'count(//failure)' "$r/gate/report.xml" 2>&1)" 0
check_eq "gate script: summary.md written" "$(grep -c '^No gated figure tripped the gate\.$' "$r/gate/summary.md")" 1
check_eq "after the recipe: no driver" "$(cat "$out/driver-recipe")" ""

# LAVA within: one case per default gate figure, then the gate
check_eq "jq runs in the guest" "$(cat "$out/jq-works")" 1
check_eq "lava, within: exit 0" "$(cat "$out/lava-pass.rc")" 0
c=$out/lava-pass.calls
check_eq "lava, within: cases" "$(cut -d' ' -f1 "$c" | tr '\n' ' ')" "map.p50 map.p99 unmap.p50 unmap.p99 switch.p50 switch.p99 gate "
check_eq "lava, within: map and unmap measured in ns, pass" \
	"$(grep -cE '^(map|unmap)\.p(50|99) --result pass --measurement [0-9]+(\.[0-9]+)? --units ns$' "$c")" 4
check_eq "lava, within: switch not measured (basic.ini has none): skip" "$(grep -c '^switch\.p[59][09] --result skip$' "$c")" 2
check_eq "lava, within: map.p50 is the candidate's median" \
	"$(sed -n 's/^map\.p50 .*--measurement \([^ ]*\) .*/\1/p' "$c")" \
	"$(jq '.repetitions.figures.map.p50_ns | sort | .[1]' "$r/candidate.json")"
check_eq "lava, within: gate" "$(tail -1 "$c")" "gate --result pass"
# LAVA tripped: ops.map.count fails with the candidate's count
c=$out/lava-trip.calls
check_eq "lava, tripped: exit 1" "$(cat "$out/lava-trip.rc")" 1
# unmap.p50: with a 1-pass baseline no verdict, the medians shown; emulated, never gated
check_eq "lava, tripped: unmap.p50 passes with the candidate's median" "$(grep '^unmap\.p50 ' "$c")" \
	"unmap.p50 --result pass --measurement $(jq '.repetitions.figures.unmap.p50_ns | sort | .[1]' "$r/candidate.json") --units ns"
check_eq "lava, tripped: ops.map.count fails with its count" "$(grep '^ops\.map\.count ' "$c")" \
	"ops.map.count --result fail --measurement $(jq '.ops.map.count' "$r/candidate.json") --units count"
check_true "$r/candidate.json" ".ops.map.count > $(jq '.ops.map.count' "$r/kprobe.json")" "more maps than the 1-pass run"
check_eq "lava, tripped: gate" "$(tail -1 "$c")" "gate --result fail"
check_eq "lava, tripped: 3 cases" "$(wc -l < "$c")" 3
# the gate script tripped: exit 1, the JUnit failure, the step summary
check_eq "gate script, tripped: exit 1" "$(cat "$out/gate-trip.rc")" 1
check_eq "gate script, tripped: JUnit failure on ops.map.count" \
	"$(xmllint --xpath 'string(//testcase[failure]/@name)' "$out/gate-trip/report.xml" 2>&1)" ops.map.count
check_eq "gate script, tripped: GITHUB_STEP_SUMMARY holds the summary" \
	"$(cmp -s "$out/gate-trip/summary.md" "$out/step-summary.md"; echo $?)" 0
check_eq "gate script, tripped: summary names the trip" "$(grep -c 'ops.map.count' "$out/step-summary.md" | sed 's/^[1-9][0-9]*$/yes/')" yes
check_eq "at the end: no driver" "$(cat "$out/driver-end")" ""

lab_done vtd-nvme
