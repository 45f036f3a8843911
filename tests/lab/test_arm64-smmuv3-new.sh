#!/usr/bin/env bash
# Lab test: arm64-smmuv3-new (Debian arm64 7.x, QEMU virt + SMMUv3). One
# boot: hooks --json, basic.ini (M = U = 64) and each7.ini (M = U = 21);
# counts against the SMMUv3 7.x model in docs/vfio-type1-model.md, exactly.
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
lab_setup arm64-smmuv3-new

lab/run arm64-smmuv3-new -- sh -c "
	iommubench hooks --json > $out/hooks.json || exit 10
	iommubench run -q scenarios/basic.ini -o $out/basic.json || exit 11
	iommubench run -q tests/data/lab/each7.ini -o $out/each7.json || exit 12"
lab_booted $? arm64-smmuv3-new

h=$out/hooks.json
check_json "$h" '.kernel | startswith("7.")' true "guest kernel is 7.x"
check_json "$h" '.fentry' true "fentry on arm64 7.x"
for f in iommu_map iommu_map_nosync iommu_unmap_fast arm_lpae_map_pages arm_lpae_unmap_pages \
	arm_smmu_domain_inv_range arm_smmu_tlb_inv_context arm_smmu_sync_cd arm_smmu_cmdq_issue_cmdlist \
	arm_smmu_tlb_inv_range_s1 arm_smmu_tlb_inv_context_s1 qcom_adreno_smmu_set_ttbr0_cfg; do
	hook_mode "$h" "$f" fentry
done
# the msm module's functions: fentry through the module's BTF
for f in msm_iommu_pagetable_create msm_iommu_pagetable_map msm_iommu_pagetable_unmap; do
	hook_mode "$h" "$f" fentry
	check_json "$h" ".hooks[] | select(.name == \"$f\") | .module + \" \" + .btf" "msm module" "$f BTF"
done
# arm-smmu v2 and v3 share static names: never fentry, each driver's
# instance by address, labelled with its driver
shared_names_by_address "$h"
check_json "$h" '.hooks[] | select(.name == "__arm_smmu_tlb_inv_range") | .exists' false

# The model (7.x type1 has no fgsp probe), M and U single-page calls:
#   map = iommu_map = iommu_map_nosync = arm_lpae_map_pages = M;
#   unmap = iommu_unmap_fast = arm_lpae_unmap_pages = U;
#   each batched sync: arm_smmu_iotlb_sync -> arm_smmu_domain_inv_range, one
#   TLBI through the domain's invalidation array: U (range, U commands);
#   CD writes: arm_smmu_sync_cd 4 in the setup, 4 in the teardown (config);
#   STE writes: 4 + 4 direct command-queue submissions (other); freeing
#   type1's domain: arm_smmu_tlb_inv_context (domain), whose own
#   arm_smmu_domain_inv_range finds the domain's array empty (no command):
#   arm_smmu_domain_inv_range = U + 1, cmdlist = U + 16.
smmuv3_new_model() { # FILE M U
	local f=$1 m=$2 u=$3
	check_run "$f" arm64-smmuv3-new 7. "$m" "$u"
	hook_count "$f" map iommu_map "$m"
	hook_count "$f" map arm_lpae_map_pages "$m"
	hook_count "$f" unmap iommu_unmap 0
	hook_count "$f" unmap iommu_unmap_fast "$u"
	hook_count "$f" unmap arm_lpae_unmap_pages "$u"
	check_json "$f" '.ops.map.count' "$m"
	check_json "$f" '.ops.unmap.count' "$u"
	check_json "$f" '.ops.attach.count' 1
	check_json "$f" '.ops.detach.count' 1
	hook_count "$f" tlb_inv arm_smmu_domain_inv_range $((u + 1))
	hook_count "$f" tlb_inv arm_smmu_tlb_inv_context 1
	hook_count "$f" tlb_inv arm_smmu_sync_cd 8
	hook_count "$f" tlb_inv arm_smmu_cmdq_issue_cmdlist $((u + 16))
	check_json "$f" '.ops.tlb_inv.count' $((u + 17))
	check_json "$f" '.ops.tlb_inv.kinds.range.count' "$u"
	check_json "$f" '.ops.tlb_inv.kinds.config.count' 8
	check_json "$f" '.ops.tlb_inv.kinds.domain.count' 1
	check_json "$f" '.ops.tlb_inv.kinds.other.count' 8
	check_json "$f" '.contexts[0].phases.unmap.tlb_inv.range.descriptors' "$u"
	check_json "$f" '.contexts[0].phases.teardown.tlb_inv.domain.descriptors' 0
	# the driver's ops: attach_dev for the paging domains only (type1's,
	# then the default DMA domain at release; the blocking domain has
	# arm_smmu_attach_dev_blocked since ~6.7), under its name only;
	# map_pages/unmap_pages per call; iotlb_sync once per batched sync
	hook_count "$f" attach "arm_smmu_attach_dev@arm-smmu-v3" 2
	hook_count "$f" map "arm_smmu_map_pages@arm-smmu-v3" "$m"
	hook_count "$f" unmap "arm_smmu_unmap_pages@arm-smmu-v3" "$u"
	hook_count "$f" tlb_sync "arm_smmu_iotlb_sync@arm-smmu-v3" "$u"
	hook_count "$f" tlb_inv "arm_smmu_flush_iotlb_all@arm-smmu-v3" 0
	# no v2 hardware in QEMU
	for x in attach_dev map_pages unmap_pages iotlb_sync flush_iotlb_all; do
		check_json "$f" "[.ops[] | (.hooks // {})[\"arm_smmu_$x@arm-smmu\"] | select(.) | .count] | add" 0 \
			"arm_smmu_$x@arm-smmu count"
	done
}
smmuv3_new_model "$out/basic.json" 64 64
smmuv3_new_model "$out/each7.json" 21 21

lab_done arm64-smmuv3-new
