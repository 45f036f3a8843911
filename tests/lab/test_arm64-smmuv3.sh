#!/usr/bin/env bash
# Lab test: arm64-smmuv3 (Debian bookworm arm64 6.1, QEMU virt + SMMUv3).
# One boot: hooks --json, basic.ini (M = U = 64) and each7.ini (M = U = 21),
# then `trace` of another each7.ini run.
# No fentry on arm64 6.1: every function hook must attach by kprobe and
# still count exactly what the SMMUv3 6.1 model in docs/vfio-type1-model.md
# says. The arm-smmu v2, qcom and msm hooks must attach too (nothing fires
# them: QEMU has no such hardware).
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
lab_setup arm64-smmuv3

lab/run arm64-smmuv3 -- sh -c "
	iommubench hooks --json > $out/hooks.json || exit 10
	iommubench run -q scenarios/basic.ini -o $out/basic.json || exit 11
	iommubench run -q tests/data/lab/each7.ini -o $out/each7.json || exit 12
	iommubench trace -q -o $out/trace.json -- iommubench run -q tests/data/lab/each7.ini -o $out/traced.json || exit 13"
lab_booted $? arm64-smmuv3

h=$out/hooks.json
check_json "$h" '.kernel | startswith("6.1.")' true "guest kernel is 6.1"
check_json "$h" '.arch' aarch64
check_json "$h" '.fentry' false "no fentry on arm64 6.1"
check_json "$h" '.kprobes' true
check_json "$h" '[.hooks[] | select(.type == "function" and .attached) | .mode] | unique | join(",")' kprobe \
	"every attached function hook is a kprobe"
for f in iommu_map iommu_unmap iommu_unmap_fast iommu_attach_group iommu_detach_group \
	arm_lpae_map_pages arm_lpae_unmap_pages __arm_smmu_tlb_inv_range arm_smmu_tlb_inv_context \
	arm_smmu_sync_cd arm_smmu_cmdq_issue_cmdlist \
	arm_smmu_tlb_inv_range_s1 arm_smmu_tlb_inv_walk_s1 arm_smmu_tlb_add_page_s1 \
	arm_smmu_tlb_inv_context_s1 arm_smmu_tlb_sync_context qcom_adreno_smmu_set_ttbr0_cfg \
	msm_iommu_pagetable_create msm_iommu_pagetable_map msm_iommu_pagetable_unmap; do
	hook_mode "$h" "$f" kprobe
done
# arm-smmu v2 and v3 share static names: each driver's instance is found in
# its own text and attached by address (kprobe), labelled with its driver
shared_names_by_address "$h"
# inlined into arm_smmu_iotlb_sync in Debian's 6.1
check_json "$h" '.hooks[] | select(.name == "arm_smmu_tlb_inv_range_domain") | .exists' false
check_json "$h" '.hooks[] | select(.name == "arm_smmu_domain_inv_range") | .exists' false

# The model (docs/vfio-type1-model.md), M and U single-page calls:
#   map = iommu_map = arm_lpae_map_pages = M + 1 (type1's fgsp probe maps
#   8 KiB as two 4 KiB PTEs, so it takes two iommu_unmap);
#   unmap = U + 2, arm_lpae_unmap_pages = U + 2;
#   each sync (U type1 batches, 2 iommu_unmap) is one __arm_smmu_tlb_inv_range
#   submitting one TLBI: U + 2, range, U + 2 commands;
#   each new stage-1 domain takes 2 CD syncs while no device is in it yet
#   (0 commands), config: type1's domain in every run, and the group's
#   blocking domain in the first run after boot only (6.1 keeps the group's
#   blocking domain once made), so C = 4 in the first run, 2 later;
#   4 device attaches x 2 STE updates (CFGI_STE, issued directly),
#   other, 8 + 8; freeing type1's domain: one TLBI by ASID, domain, 1;
#   arm_smmu_cmdq_issue_cmdlist = (U + 2) + C + 16 + 1.
smmuv3_model() { # FILE M U C
	local f=$1 m=$2 u=$3 c=$4
	check_run "$f" arm64-smmuv3 6.1. "$m" "$u"
	check_json "$f" '.host.arch' aarch64
	hook_count "$f" map iommu_map $((m + 1))
	hook_count "$f" map arm_lpae_map_pages $((m + 1))
	hook_count "$f" unmap iommu_unmap 2
	hook_count "$f" unmap iommu_unmap_fast "$u"
	hook_count "$f" unmap arm_lpae_unmap_pages $((u + 2))
	check_json "$f" '.ops.map.count' $((m + 1))
	check_json "$f" '.ops.unmap.count' $((u + 2))
	check_json "$f" '.ops.attach.count' 1
	check_json "$f" '.ops.detach.count' 1
	hook_count "$f" tlb_inv __arm_smmu_tlb_inv_range $((u + 2))
	hook_count "$f" tlb_inv arm_smmu_tlb_inv_context 1
	hook_count "$f" tlb_inv arm_smmu_sync_cd "$c"
	hook_count "$f" tlb_inv arm_smmu_cmdq_issue_cmdlist $((u + 2 + c + 16 + 1))
	check_json "$f" '.ops.tlb_inv.count' $((u + 2 + c + 16 + 1))
	check_json "$f" '.ops.tlb_inv.kinds.range.count' $((u + 2))
	check_json "$f" '.ops.tlb_inv.kinds.config.count' "$c"
	check_json "$f" '.ops.tlb_inv.kinds.domain.count' 1
	check_json "$f" '.ops.tlb_inv.kinds.other.count' 16
	# commands: one TLBI per unmap, none for the CD syncs of empty domains
	check_json "$f" '.contexts[0].phases.unmap.tlb_inv.range.count' "$u"
	check_json "$f" '.contexts[0].phases.unmap.tlb_inv.range.descriptors' "$u"
	check_json "$f" '.contexts[0].phases.setup.tlb_inv.config.descriptors' 0
	# the driver's ops, each instance of its own: attach_dev for every
	# device attach (blocking domain at the group's DMA-ownership claim,
	# type1's domain, blocking again at detach, the default domain at
	# release), counted under its name only; map_pages/unmap_pages once
	# per iommu_map/unmap call; iotlb_sync once per sync (U + 2, as
	# __arm_smmu_tlb_inv_range); no flush_iotlb_all in type1
	hook_count "$f" attach "arm_smmu_attach_dev@arm-smmu-v3" 4
	hook_count "$f" map "arm_smmu_map_pages@arm-smmu-v3" $((m + 1))
	hook_count "$f" unmap "arm_smmu_unmap_pages@arm-smmu-v3" $((u + 2))
	hook_count "$f" tlb_sync "arm_smmu_iotlb_sync@arm-smmu-v3" $((u + 2))
	hook_count "$f" tlb_inv "arm_smmu_flush_iotlb_all@arm-smmu-v3" 0
	check_json "$f" '.ops.tlb_sync.count' $((u + 2))
	# the v2 / qcom / msm code is there but nothing calls it
	for x in arm_smmu_attach_dev@arm-smmu arm_smmu_map_pages@arm-smmu arm_smmu_unmap_pages@arm-smmu \
		arm_smmu_iotlb_sync@arm-smmu arm_smmu_flush_iotlb_all@arm-smmu \
		arm_smmu_tlb_inv_range_s1 arm_smmu_tlb_inv_context_s1 msm_iommu_pagetable_unmap; do
		check_json "$f" "[.ops[] | (.hooks // {})[\"$x\"] | select(.) | .count] | add" 0 "$x count"
	done
}
# basic.ini is the boot's first VFIO run, each7.ini the second
smmuv3_model "$out/basic.json" 64 64 4
smmuv3_model "$out/each7.json" 21 21 2

# trace on arm64 6.1 (kprobes only): the traced run's process counts what the
# run's own probes counted, on one pagetable (the run's domain)
t=$out/trace.json f=$out/traced.json
check_json "$t" '.trace.exit_status' 0
check_json "$t" '.drops.unmatched_exit + .drops.stack_overflow + .drops.task_map_full + .drops.proc_map_full' 0 \
	"trace: probe problems"
sel='.processes[] | select(.from_command and .name == "iommubench")'
check_json "$t" "[$sel] | length" 1 "trace: one iommubench process of the command"
for role in map unmap attach detach tlb_inv tlb_sync; do
	check_json "$t" "[$sel | .ops.$role.count // 0] | .[0]" "$(jq ".ops.$role.count // 0" "$f")" "trace: $role"
done
check_json "$t" "[$sel | .tlb_inv_kinds.range.count] | .[0]" "$(jq '.ops.tlb_inv.kinds.range.count' "$f")" \
	"trace: range TLBIs"
check_json "$t" "[$sel | .pagetables[] | select(.ops.map.count > 0)] | length" 1 "trace: one pagetable with maps"
check_json "$t" "[$sel | .pagetables[] | select(.ops.map.count > 0) | .ops.map.count] | .[0]" \
	"$(jq '.ops.map.count' "$f")" "trace: the pagetable holds every map"
check_json "$t" "[$sel | .pagetables[] | select(.ops.map.count > 0) | .type] | .[0]" "struct iommu_domain" \
	"trace: pagetable type from BTF"

lab_done arm64-smmuv3
