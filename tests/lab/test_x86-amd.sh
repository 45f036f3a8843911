#!/usr/bin/env bash
# Lab test: x86-amd (Debian 6.1, QEMU's emulated AMD-Vi). One boot: hooks
# --json, basic.ini (M = U = 64) and each7.ini (M = U = 21); every count is
# checked against the AMD-Vi model in docs/vfio-type1-model.md, exactly.
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
lab_setup x86-amd

lab/run x86-amd -- sh -c "
	iommubench hooks --json > $out/hooks.json || exit 10
	iommubench run -q scenarios/basic.ini -o $out/basic.json || exit 11
	iommubench run -q tests/data/lab/each7.ini -o $out/each7.json || exit 12"
lab_booted $? x86-amd

h=$out/hooks.json
check_json "$h" '.kernel | startswith("6.1.")' true "guest kernel is 6.1"
hook_mode "$h" amd_iommu_map_pages kprobe          # 8 arguments on x86 6.1
hook_mode "$h" amd_iommu_unmap_pages fentry
hook_mode "$h" amd_iommu_iotlb_sync fentry
hook_mode "$h" amd_iommu_iotlb_sync_map fentry
# only compiler clones in Debian's 6.1: attached by kprobe, named
hook_mode "$h" domain_flush_pages kprobe
hook_mode "$h" iommu_completion_wait kprobe
check_json "$h" '.hooks[] | select(.name == "domain_flush_pages") | .symbol | test("^domain_flush_pages[.](constprop|isra)[.][0-9]+$")' true
check_json "$h" '.hooks[] | select(.name == "domain_flush_pages") | .kind' range
# names of later kernels
check_json "$h" '.hooks[] | select(.name == "amd_iommu_domain_flush_pages") | .exists' false

# The model, M MAP_DMA and U UNMAP_DMA calls of one 4 KiB page each:
#   map = M + 1 (type1's fgsp probe maps 8 KiB; AMD-Vi keeps it as one
#   8 KiB page, so a single iommu_unmap removes it), unmap = U + 1;
#   every map is followed by amd_iommu_iotlb_sync_map, which flushes the new
#   range (NpCache) and waits: M + 1; every unmap batch by amd_iommu_iotlb_sync:
#   U + 1; domain_flush_pages = (M + 1) + (U + 1), all range;
#   iommu_completion_wait = (M + 1) + (U + 1) + 13 (6 in the two attaches of
#   the setup, 7 in the two of the teardown).
amd_model() { # FILE M U
	local f=$1 m=$2 u=$3
	check_run "$f" x86-amd 6.1. "$m" "$u"
	hook_count "$f" map iommu_map $((m + 1))
	hook_count "$f" map amd_iommu_map_pages $((m + 1))
	hook_count "$f" unmap iommu_unmap 1
	hook_count "$f" unmap iommu_unmap_fast "$u"
	hook_count "$f" unmap amd_iommu_unmap_pages $((u + 1))
	check_json "$f" '.ops.map.count' $((m + 1))
	check_json "$f" '.ops.unmap.count' $((u + 1))
	check_json "$f" '.ops.attach.count' 1
	check_json "$f" '.ops.detach.count' 1
	hook_count "$f" tlb_inv domain_flush_pages $((m + u + 2))
	hook_count "$f" tlb_inv amd_iommu_domain_flush_tlb_pde 0
	hook_count "$f" tlb_inv amd_iommu_flush_iotlb_all 0
	# the Intel driver is built in too (its hooks attach) but has no unit here
	hook_count "$f" tlb_inv qi_submit_sync 0
	check_json "$f" '.ops.tlb_inv.count' $((m + u + 2))
	check_json "$f" '.ops.tlb_inv.kinds.range.count' $((m + u + 2))
	hook_count "$f" tlb_sync amd_iommu_iotlb_sync_map $((m + 1))
	hook_count "$f" tlb_sync amd_iommu_iotlb_sync $((u + 1))
	hook_count "$f" tlb_sync iommu_completion_wait $((m + u + 2 + 13))
	# outermost syncs: the two ops, plus the 13 waits of attach/detach
	check_json "$f" '.ops.tlb_sync.count' $((m + u + 2 + 13))
	# per phase: one flush and one sync per map, per unmap
	check_json "$f" '.contexts[0].phases.map.roles.tlb_inv.count' "$m"
	check_json "$f" '.contexts[0].phases.unmap.roles.tlb_inv.count' "$u"
	check_json "$f" '.contexts[0].phases.setup.roles.tlb_sync.count' 8
	check_json "$f" '.contexts[0].phases.teardown.roles.tlb_sync.count' 7
}
amd_model "$out/basic.json" 64 64
amd_model "$out/each7.json" 21 21

lab_done x86-amd
