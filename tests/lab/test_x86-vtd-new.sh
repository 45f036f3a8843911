#!/usr/bin/env bash
# Lab test: x86-vtd-new (Debian 7.x, emulated VT-d). One boot: hooks --json,
# basic.ini (M = U = 64) and each7.ini (M = U = 21); every count is checked
# against the VT-d 7.x model in docs/vfio-type1-model.md, exactly.
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib_vtd.sh
. "$(dirname "$0")/lib_vtd.sh"
lab_setup x86-vtd-new

lab/run x86-vtd-new -- sh -c "
	iommubench hooks --json > $out/hooks.json || exit 10
	iommubench run -q scenarios/basic.ini -o $out/basic.json || exit 11
	iommubench run -q tests/data/lab/each7.ini -o $out/each7.json || exit 12"
lab_booted $? x86-vtd-new

h=$out/hooks.json
check_json "$h" '.kernel | startswith("7.")' true "guest kernel is 7.x"
# x86 7.x: fentry everywhere (12 arguments since 6.6)
for f in iommu_map iommu_map_nosync iommu_unmap_fast vtdss_map_range vtdss_unmap_range \
	intel_iommu_tlb_sync cache_tag_flush_range qi_flush_iotlb qi_submit_sync; do
	hook_mode "$h" "$f" fentry
done
# replaced in 6.10 (cache tags) and by the generic pagetable
check_json "$h" '.hooks[] | select(.name == "iommu_flush_iotlb_psi") | .exists' false
check_json "$h" '.hooks[] | select(.name == "intel_iommu_map_pages") | .exists' false

# The model, M and U single-page calls (7.x type1 has no fgsp probe):
#   map = iommu_map = iommu_map_nosync = vtdss_map_range = M, no flush on map
#   (no caching mode); unmap = iommu_unmap_fast = vtdss_unmap_range = U;
#   each batched sync: intel_iommu_tlb_sync -> cache_tag_flush_range: U,
#   range; attach/detach: 2 context-cache flushes (config) and 2
#   domain-selective IOTLB flushes (qi_flush_iotlb outside any range flush),
#   one lone queued-invalidation submission (other); qi_submit_sync = U + 5.
vtd_new_model() { # FILE M U
	local f=$1 m=$2 u=$3
	check_run "$f" x86-vtd-new 7. "$m" "$u"
	hook_count "$f" map iommu_map "$m"
	hook_count "$f" map iommu_map_nosync "$m"
	hook_count "$f" map vtdss_map_range "$m"
	hook_count "$f" unmap iommu_unmap 0
	hook_count "$f" unmap iommu_unmap_fast "$u"
	hook_count "$f" unmap vtdss_unmap_range "$u"
	check_json "$f" '.ops.map.count' "$m"
	check_json "$f" '.ops.unmap.count' "$u"
	check_json "$f" '.ops.attach.count' 1
	check_json "$f" '.ops.detach.count' 1
	vtd_cache_tag_flushes "$f" "$u" 0
}
vtd_new_model "$out/basic.json" 64 64
vtd_new_model "$out/each7.json" 21 21

lab_done x86-vtd-new
