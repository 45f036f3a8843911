#!/usr/bin/env bash
# Lab test: x86-iommufd, switches by PASID on an iommufd selftest mock
# device (edu has no PASID capability). pasid-switch.ini: 8 contexts, 2
# PASIDs, 16 round-robin switches, so every switch misses: the first two
# contexts attach to the free PASIDs, every later switch replaces the HWPT
# of the least recently used PASID. Counts are exact, per PASID and per
# context, and the mock domains' own translations serve as isolation checks.
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
lab_setup pasid

lab/run x86-iommufd -- sh -c "
	iommubench run scenarios/pasid-switch.ini -o $out/pasid.json > $out/pasid.txt || exit 11
	sed 's/^pasid_slots=2 .*/pasid_slots=8/' scenarios/pasid-switch.ini > $out/slots8.ini
	iommubench run -q $out/slots8.ini -o $out/slots8.json || exit 12
	sed -e 's/^loops=.*/loops=3/' -e 's/^warmup=.*/warmup=1/' -e 's/^checks=1.*/checks=0/' \
		scenarios/pasid-switch.ini > $out/reps.ini
	iommubench run -q $out/reps.ini -o $out/reps.json || exit 13
	exit 0"
lab_booted $? pasid

f=$out/pasid.json
check_json "$f" '.backend' iommufd
check_json "$f" '.switch_kind' pasid
check_json "$f" '.scenario.device' mock "figures come from the mock device"
check_json "$f" '.mock_device.pasid_slots' 2
check_json "$f" '.ops.switch.pasid.count' 16 "pasid switches = switches asked for"
# Round-robin 0 (first attach), 1..7, 0, 1..7, 0 over PASIDs 1 and 2:
# PASID 1 holds 0, 2, 4, 6, 0, 2, 4, 6, 0; PASID 2 holds 1, 3, 5, 7, 1, 3, 5, 7.
check_json "$f" '.pasids | length' 2
check_json "$f" '[.pasids[] | [.pasid, .attaches, .replaces, .detaches, .hits]] | tojson' \
	'[[1,1,8,1,0],[2,1,7,1,0]]' "per PASID: attach, replaces, detach, hits"
check_json "$f" '[.pasids[] | .contexts_served] | tojson' '[[0,2,4,6],[1,3,5,7]]'
# the kernel saw exactly those: 2 PASID attaches, 15 replaces, 2 detaches
check_json "$f" '.ops.attach.hooks.iommu_attach_device_pasid.count' 2 "kernel PASID attaches"
check_json "$f" '.ops.switch.hooks.iommu_replace_device_pasid.count' 15 "kernel PASID replaces"
check_json "$f" '.ops.detach.hooks.iommu_detach_device_pasid.count' 2 "kernel PASID detaches"
check_json "$f" '.ops.switch.pasid.steps.pasid.kernel.roles.switch.count' 15 "replaces inside the pasid steps"
check_json "$f" '.ops.switch.pasid.steps.pasid.kernel.roles.attach.count' 2 "attaches inside the pasid steps"
check_json "$f" '.ops.switch.pasid.steps.pasid.kernel.roles.map.count // 0' 0 "no mapping in a PASID switch"
# Per context: the resident set mapped once into its own HWPT, each visit
# maps and unmaps the 16-page working set; the kernel's calls = the ioctls.
P=16 R=16
for c in 0 1 2 3 4 5 6 7; do
	if [ "$c" = 0 ]; then v=3; else v=2; fi
	check_json "$f" ".contexts[$c].harness.map_calls" $((R + v * P)) "ctx $c harness maps"
	check_json "$f" ".contexts[$c].kernel.roles.map.count" $((R + v * P)) "ctx $c kernel maps = ioctls"
	check_json "$f" ".contexts[$c].kernel.roles.unmap.count" $((v * P)) "ctx $c kernel unmaps = ioctls"
	check_json "$f" ".contexts[$c].switches_in.pasid" 2 "ctx $c switched into twice"
done
check_true "$f" '.checks.isolation.run >= 16' "isolation checks run"
check_json "$f" '.checks.isolation.failed' 0
check_json "$f" '.checks.isolation.positive_failed' 0
check_eq "summary names the kind" "$(grep -c '^switches: 16 of kind pasid' "$out/pasid.txt")" 1

# As many PASIDs as contexts: after the 8 first attaches every switch hits.
f=$out/slots8.json
check_json "$f" '[.pasids[].attaches] | add' 8 "8 PASIDs: one attach each"
check_json "$f" '[.pasids[].replaces] | add' 0 "8 PASIDs: no replace"
check_json "$f" '[.pasids[].hits] | add' 9 "8 PASIDs: the second round and the return to 0 hit"
check_json "$f" '.ops.switch.hooks.iommu_replace_device_pasid.count' 0
check_json "$f" '.ops.attach.hooks.iommu_attach_device_pasid.count' 8
# Repetitions: each measured pass its own figures (the warm-up pass left out).
# A pass: 17 visits (the current context, then 16 switches), each maps and
# unmaps the 16-page working set.
f=$out/reps.json
check_json "$f" '.repetitions.count' 3 "loops=3: three repetitions"
check_json "$f" '.repetitions.figures.switch.count | tojson' '[16,16,16]' "16 switches per repetition"
check_json "$f" '.repetitions.figures.map.count | tojson' '[272,272,272]' "17 x 16 maps per repetition"
check_json "$f" '.repetitions.figures.unmap.count | tojson' '[272,272,272]'
check_true "$f" '.repetitions.figures.map.p50_ns | all(. > 0)' "a median per repetition"
check_json "$f" '.ops.switch.pasid.count' 48 "measured switches over the three passes"
lab_done pasid
