#!/usr/bin/env bash
# Lab test: arm64-smmuv2 (Debian arm64 7.x, QEMU virt + the lab's MMU-500
# model, lab/qemu). Three boots:
#  1. basic.ini (M = U = 64), each7.ini (M = U = 21),
#     aux-switch.ini (rebinds, isolation checks with edu DMA), the same with
#     --test-skip-unmap (no probes), invalidate-{patterns,range,context}.ini:
#     the probes' counts against the arm-smmu v2 model of
#     docs/vfio-type1-model.md, the model's own counters (lab.smmu) against
#     the same model, and the two against each other, exactly.
#  2. the model's x-test-skip-tlbival=on: a short aux-switch (no probes),
#     whose unmap checks must fail.
#  3. x-test-skip-tlbival=on and x-test-skip-tlbiasid=on: the switch checks
#     must fail too (with TLBIVAL alone skipped, the TLBIASID of each freed
#     domain still empties the reused ASID).
# Needs the patched QEMU, which lab/run builds once (lab/qemu/build).
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
lab_setup arm64-smmuv2

T=arm64-smmuv2
lab/run $T -- sh -c "
	iommubench run -q scenarios/basic.ini -o $out/basic.json || exit 11
	iommubench run -q tests/data/lab/each7.ini -o $out/each7.json || exit 12
	iommubench run scenarios/aux-switch.ini -o $out/aux.json > $out/aux.txt || exit 13
	iommubench run -q --no-probes --test-skip-unmap scenarios/aux-switch.ini -o $out/skip.json || exit 14
	for p in patterns range context; do
		iommubench run -q scenarios/invalidate-\$p.ini -o $out/inv-\$p.json || exit 15
	done
	exit 0"
lab_booted $? $T

# how the hooks attached: basic.json's hooks[] (a separate `hooks --json`
# would load the catalog once more: about 2 min of this guest)
h=$out/basic.json
check_json "$h" '.host.kernel | startswith("7.")' true "guest kernel is 7.x"
for f in iommu_map iommu_map_nosync iommu_unmap_fast arm_lpae_map_pages arm_lpae_unmap_pages \
	arm_smmu_tlb_inv_range_s1 arm_smmu_tlb_inv_walk_s1 arm_smmu_tlb_add_page_s1 arm_smmu_tlb_inv_context_s1; do
	hook_mode "$h" "$f" fentry
done
shared_names_by_address "$h"
# inlined in Debian's 7.3.4: its callers count its calls
check_json "$h" '.hooks[] | select(.name == "arm_smmu_tlb_sync_context") | .exists' false
# arm-smmu v2 reports context faults with no device: the tracepoint that
# dereferences it is left out while the driver is bound
check_json "$h" '.hooks[] | select(.name == "iommu:io_page_fault") | .attached' false
check_true "$h" '.hooks[] | select(.name == "iommu:io_page_fault") | .reason | test("arm-smmu v2")' \
	"io_page_fault left out, and why"

# sm FILE JQ: a lab.smmu counter (0 when left out: it did not change)
sm() { jq -r ".lab.smmu.counters[\"$2\"] // 0" "$1"; }
# hc FILE ROLE HOOK: a hook's count
hc() { jq -r ".ops.$2.hooks[\"$3\"].count // -1" "$1"; }

# both_ways FILE: the model's counters against the probes' counts, exactly
both_ways() {
	local f=$1 n
	n=$(basename "$f")
	check_json "$f" '.lab.smmu.format' 1 "$n: lab.smmu present"
	[ "$(jq -r '.lab.smmu.format' "$f" 2> /dev/null)" = 1 ] || return
	check_true "$f" '.lab.smmu.note | test("not by the kernel")' "$n: lab.smmu says who counted"
	check_eq "$n: model tlbival = arm_smmu_tlb_add_page_s1" "$(sm "$f" tlbival)" \
		"$(hc "$f" tlb_inv arm_smmu_tlb_add_page_s1)"
	check_eq "$n: model tlbiasid = arm_smmu_tlb_inv_context_s1" "$(sm "$f" tlbiasid)" \
		"$(hc "$f" tlb_inv arm_smmu_tlb_inv_context_s1)"
	check_eq "$n: model tlbsync = iotlb_sync + inv_context_s1" "$(sm "$f" tlbsync)" \
		$(($(hc "$f" tlb_sync arm_smmu_iotlb_sync@arm-smmu) + $(hc "$f" tlb_inv arm_smmu_tlb_inv_context_s1)))
	check_eq "$n: model tlbiva = arm_smmu_tlb_inv_walk_s1" "$(sm "$f" tlbiva)" \
		"$(hc "$f" tlb_inv arm_smmu_tlb_inv_walk_s1)"
	check_eq "$n: model sctlr = arm_smmu_attach_dev@arm-smmu (2 per domain)" "$(sm "$f" sctlr)" \
		"$(hc "$f" attach arm_smmu_attach_dev@arm-smmu)"
	# every domain got context bank 2 and ASID 2 (asid = cbndx)
	for c in tlbival tlbiasid tlbsync sctlr; do
		check_eq "$n: cb2.$c = $c" "$(sm "$f" "cb2.$c")" "$(sm "$f" $c)"
	done
	check_eq "$n: asid2.tlbival = tlbival" "$(sm "$f" asid2.tlbival)" "$(sm "$f" tlbival)"
	check_json "$f" '[.lab.smmu.counters | keys[] | select(test("^(cb[0-9]+|asid[0-9]+|asid_other)[.]")) |
		select(test("^(cb2|asid2)[.]") | not)] | join(",")' "" "$n: no bank or ASID but 2"
	for c in tlbiall tlbiallnsnh tlbiallh tlbivmid tlbgsync iotlb_full unmatched bypass; do
		check_eq "$n: model $c" "$(sm "$f" $c)" 0
	done
}

# smmuv2_model FILE M U D K: M harness maps, U harness unmaps, D type1
# domains, K kernel unmaps (one page, one sync each); docs/vfio-type1-model.md
smmuv2_model() {
	local f=$1 m=$2 u=$3 d=$4 k=$5 n
	n=$(basename "$f")
	[ -s "$f" ] || { fail "$n: not written"; return; }
	check_json "$f" '.lab.target' $T
	check_json "$f" '.harness.map_calls' "$m"
	check_json "$f" '.harness.unmap_calls' "$u"
	check_json "$f" '.drops.unmatched_exit + .drops.stack_overflow + .drops.task_map_full + .drops.irq_unknown' 0 \
		"$n: probe problems"
	hook_count "$f" map iommu_map "$m"
	hook_count "$f" map iommu_map_nosync "$m"
	hook_count "$f" map arm_lpae_map_pages "$m"
	hook_count "$f" map "arm_smmu_map_pages@arm-smmu" "$m"
	hook_count "$f" unmap iommu_unmap_fast "$k"
	hook_count "$f" unmap arm_lpae_unmap_pages "$k"
	hook_count "$f" unmap "arm_smmu_unmap_pages@arm-smmu" "$k"
	check_json "$f" '.ops.unmap.count' "$k"
	hook_count "$f" tlb_inv arm_smmu_tlb_add_page_s1 "$k"
	hook_count "$f" tlb_inv arm_smmu_tlb_inv_range_s1 "$k"
	hook_count "$f" tlb_inv arm_smmu_tlb_inv_context_s1 "$d"
	hook_count "$f" tlb_inv arm_smmu_tlb_inv_walk_s1 0
	hook_count "$f" tlb_inv arm_smmu_tlb_inv_context_s2 0
	hook_count "$f" tlb_inv "arm_smmu_flush_iotlb_all@arm-smmu" 0
	check_json "$f" '.ops.tlb_inv.count' $((k + d))
	check_json "$f" '.ops.tlb_inv.kinds.range.count' "$k"
	check_json "$f" '.ops.tlb_inv.kinds.domain.count' "$d"
	hook_count "$f" tlb_sync "arm_smmu_iotlb_sync@arm-smmu" "$k"
	check_json "$f" '.ops.tlb_sync.count' "$k"
	hook_count "$f" attach "arm_smmu_attach_dev@arm-smmu" $((2 * d))
	check_json "$f" '.ops.attach.count' "$d"
	# no SMMUv3 in this machine
	for x in attach_dev map_pages unmap_pages iotlb_sync flush_iotlb_all; do
		check_json "$f" "[.ops[] | (.hooks // {})[\"arm_smmu_$x@arm-smmu-v3\"] | select(.) | .count] | add" 0 \
			"$n: arm_smmu_$x@arm-smmu-v3 count"
	done
	# the model, from the same figures
	check_eq "$n: model tlbival" "$(sm "$f" tlbival)" "$k"
	check_eq "$n: model tlbiasid" "$(sm "$f" tlbiasid)" "$d"
	check_eq "$n: model tlbsync" "$(sm "$f" tlbsync)" $((k + d))
	check_eq "$n: model sctlr" "$(sm "$f" sctlr)" $((2 * d))
	check_eq "$n: model tlbiva" "$(sm "$f" tlbiva)" 0
	both_ways "$f"
}

# basic.ini and each7.ini: one container, no DMA
for x in basic:64 each7:21; do
	f=$out/${x%:*}.json m=${x#*:}
	check_json "$f" '.host.kernel | startswith("7.")' true "${x%:*}: kernel 7.x"
	check_json "$f" '.error' null
	smmuv2_model "$f" "$m" "$m" 1 "$m"
	check_eq "${x%:*}: model translations (no DMA)" "$(sm "$f" translations)" 0
	check_eq "${x%:*}: model faults" "$(sm "$f" faults)" 0
done

# aux-switch.ini: 8 contexts, 16 rebinds, P = 16 pages a visit, R = 16
# resident; the per-context counts of docs/vfio-type1-model.md (Contexts)
# without 6.1's fgsp probe: harness maps = harness unmaps + R per attach,
# kernel unmaps = harness unmaps + R per leave; D = 17 domains
f=$out/aux.json
P=16 R=16 hm=0 hu=0 a=0 l=0
for c in 0 1 2 3 4 5 6 7; do
	if [ $c = 0 ]; then v=3; else v=2; fi
	hm=$((hm + v * (P + 4) + R * v + 8))
	hu=$((hu + v * (P + 4) + 8))
	a=$((a + v)) l=$((l + v))
done
check_json "$f" '.error' null
check_json "$f" '.switch_kind' rebind
check_json "$f" '.harness.switches' 16
check_json "$f" '.domains.instances' 17
smmuv2_model "$f" "$hm" "$hu" 17 $((hu + R * l))
check_json "$f" '.ops.map.count' "$hm"
check_true "$f" '.checks.isolation.run >= 16' "aux: isolation checks run"
check_json "$f" '.checks.isolation.failed' 0 "aux: isolation checks failed"
check_json "$f" '.checks.isolation.positive_failed' 0
check_true "$f" '.checks.isolation.positive_run >= 16' "aux: positive controls"
check_eq "aux: summary isolation line" "$(grep -c '^isolation checks (edu DMA): [0-9]* run, 0 failed' "$out/aux.txt")" 1
# the model saw the DMA: every translation a hit or a miss, every miss a
# walk, and the negative checks' faults
check_true "$f" '.lab.smmu.counters.translations > 0' "aux: model translations"
check_true "$f" '.lab.smmu.counters | .translations == .iotlb_hits + .iotlb_misses' "aux: translations = hits + misses"
check_true "$f" '.lab.smmu.counters | .walks == .iotlb_misses' "aux: walks = misses"
check_true "$f" '.lab.smmu.counters.faults > 0' "aux: model faults (negative checks)"
check_true "$f" '.lab.smmu.counters | .faults == ."cb2.faults"' "aux: faults in bank 2"

# --test-skip-unmap: the oracle fails, through the model as through VT-d
s=$out/skip.json
check_json "$s" '.checks.isolation.test_skip_unmap' true
check_true "$s" '.checks.isolation.failed >= 1' "skip-unmap: failures reported"
check_json "$s" '.checks.isolation.positive_failed' 0 "skip-unmap: positive controls"
check_true "$s" '[.checks.isolation.failures[].operation] | index("unmap") != null' "skip-unmap: an unmap check failed"
check_json "$s" '.lab.smmu.counters.tlbiasid' 17 "skip-unmap: model tlbiasid (17 domains)"

# invalidate-*.ini: 2 contexts, 4 switches (5 visits), 32 pages a visit,
# no resident set: 5 domains, 160 kernel unmaps whichever way the harness
# unmaps (type1 removes each one-page mapping on its own)
for p in patterns:160 range:5 context:5; do
	f=$out/inv-${p%:*}.json
	check_json "$f" '.error' null
	smmuv2_model "$f" 160 "${p#*:}" 5 160
done

# Boots 2 and 3: the model's test modes. A short aux-switch (2 contexts, 4
# rebinds, 4 pages a visit, 4 resident), no probes (the model counts
# anyway): 5 domains.
short="--no-probes --set contexts=2 --set switches=4 --set pages=4 --set resident=4"
mode_boot() { # NAME QEMU-GLOBALS...
	local name=$1 g args=
	shift
	for g; do args+=" -global arm-mmu-500.$g=on"; done
	IOMMUBENCH_LAB_QEMU_ARGS=${args# } lab/run $T -- sh -c "
		iommubench run -q $short scenarios/aux-switch.ini -o $out/$name.json || exit 10"
	check_eq "$name: lab/run exit status" $? 0
	check_json "$out/$name.json" '.error' null "$name: run completed"
	check_json "$out/$name.json" '.lab.smmu.counters.tlbiasid' 5 "$name: model tlbiasid (counted when skipped)"
	check_true "$out/$name.json" '.lab.smmu.counters.tlbival > 0' "$name: model tlbival (counted when skipped)"
}
mode_boot skip-tlbival x-test-skip-tlbival
f=$out/skip-tlbival.json
check_true "$f" '.checks.isolation.failed >= 1' "skip-tlbival: failures reported"
check_true "$f" '[.checks.isolation.failures[].operation] | index("unmap") != null' "skip-tlbival: an unmap check failed"
check_json "$f" '[.checks.isolation.failures[] | select(.operation == "switch")] | length' 0 \
	"skip-tlbival: no switch check failed (each freed domain's TLBIASID still empties ASID 2)"

mode_boot skip-both x-test-skip-tlbival x-test-skip-tlbiasid
f=$out/skip-both.json
check_true "$f" '[.checks.isolation.failures[] | select(.operation == "switch")] | length >= 1' \
	"skip-tlbival+tlbiasid: a switch check failed (the old domain's entries served the new one)"

lab_done $T
