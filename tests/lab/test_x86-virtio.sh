#!/usr/bin/env bash
# Lab test: x86-virtio (Debian 7.x, virtio-iommu-pci on q35). One boot: hooks
# --json, basic.ini (M = U = 64) and each7.ini (M = U = 21); every count is
# checked against the virtio-iommu model in docs/vfio-type1-model.md, exactly.
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
lab_setup x86-virtio
# lab/run's IOMMUBENCH_LAB_HOOKS_DIR (make check's coverage table comes from
# it): make check's folder, or one of our own
hooksdir=${IOMMUBENCH_LAB_HOOKS_DIR:-$PWD/$out/saved}

IOMMUBENCH_LAB_HOOKS_DIR=$hooksdir lab/run x86-virtio -- sh -c "
	iommubench hooks --json > $out/hooks.json || exit 10
	iommubench run -q scenarios/basic.ini -o $out/basic.json || exit 11
	iommubench run -q tests/data/lab/each7.ini -o $out/each7.json || exit 12"
lab_booted $? x86-virtio

h=$out/hooks.json
check_json "$h" '.kernel | startswith("7.")' true "guest kernel is 7.x"
# x86 7.x: fentry for the core; the driver is a module whose functions are
# not in vmlinux BTF: fentry through the module's own (split) BTF
hook_mode "$h" iommu_map fentry
hook_mode "$h" iommu_unmap_fast fentry
for f in viommu_map_pages viommu_unmap_pages viommu_iotlb_sync viommu_iotlb_sync_map viommu_send_req_sync; do
	hook_mode "$h" "$f" fentry
	check_json "$h" ".hooks[] | select(.name == \"$f\") | .module + \" \" + .btf" "virtio_iommu module" "$f BTF"
done
# the map's page size and count are read from the module's prototype
check_json "$h" '.hooks[] | select(.name == "viommu_map_pages") | .nargs' 8
check_json "$h" '.hooks[] | select(.name == "viommu_unmap_pages") | .role' tlb_inv "the UNMAP request is the invalidation"
check_json "$h" '.hooks[] | select(.name == "viommu_unmap_pages") | .kind' range

# The model (7.x has no fgsp probe in type1), M and U single-page calls:
#   map = iommu_map = iommu_map_nosync = viommu_map_pages = M (one MAP
#   request each), then viommu_iotlb_sync_map: M (kick and wait);
#   unmap = iommu_unmap_fast = U; each adds one UNMAP request
#   (viommu_unmap_pages, the range invalidation): U; type1's batched sync,
#   viommu_iotlb_sync: U; ATTACH requests through viommu_send_req_sync: 2 in
#   the setup (blocking domain, type1's domain), 2 in the teardown (blocking,
#   default domain).
virtio_model() { # FILE M U
	local f=$1 m=$2 u=$3
	check_run "$f" x86-virtio 7. "$m" "$u"
	hook_count "$f" map iommu_map "$m"
	hook_count "$f" map iommu_map_nosync "$m"
	hook_count "$f" map viommu_map_pages "$m"
	hook_count "$f" unmap iommu_unmap 0
	hook_count "$f" unmap iommu_unmap_fast "$u"
	check_json "$f" '.ops.map.count' "$m"
	check_json "$f" '.ops.unmap.count' "$u"
	check_json "$f" '.ops.attach.count' 1
	check_json "$f" '.ops.detach.count' 1
	hook_count "$f" tlb_inv viommu_unmap_pages "$u"
	hook_count "$f" tlb_inv viommu_send_req_sync 4
	check_json "$f" '.ops.tlb_inv.count' $((u + 4))
	check_json "$f" '.ops.tlb_inv.kinds.range.count' "$u"
	check_json "$f" '.ops.tlb_inv.kinds.config.count' 4
	hook_count "$f" tlb_sync viommu_iotlb_sync_map "$m"
	hook_count "$f" tlb_sync viommu_iotlb_sync "$u"
	hook_count "$f" tlb_sync viommu_flush_iotlb_all 0
	check_json "$f" '.ops.tlb_sync.count' $((m + u))
	check_json "$f" '.contexts[0].phases.unmap.roles.tlb_inv.count' "$u"
	check_json "$f" '.contexts[0].phases.setup.roles.tlb_inv.count' 2
	check_json "$f" '.contexts[0].phases.teardown.roles.tlb_inv.count' 2
}
virtio_model "$out/basic.json" 64 64
virtio_model "$out/each7.json" 21 21

# the hooks --json lab/run kept for the coverage table is this kernel's
check_json "$hooksdir/x86-virtio.json" '.kernel' "$(jq -r .kernel "$out/hooks.json")" "IOMMUBENCH_LAB_HOOKS_DIR: kernel"
check_json "$hooksdir/x86-virtio.json" '[.hooks[] | select(.attached)] | length' \
	"$(jq '[.hooks[] | select(.attached)] | length' "$out/hooks.json")" "IOMMUBENCH_LAB_HOOKS_DIR: hooks attached"

# lab/run's start watchdog (a guest that hangs in early boot is stopped and
# booted once more, not left to the 900 s timeout): with a 1 s limit no
# guest starts its command in time, so both boots are stopped
IOMMUBENCH_LAB_START_TIMEOUT=1 IOMMUBENCH_LAB_BOOT_RETRIES=1 lab/run x86-virtio -- touch "$out/ran" > "$out/wd.out" 2>&1
check_eq "start watchdog: lab/run exit status" "$?" 125
check_eq "start watchdog: boots" "$(grep -c '^lab: booting x86-virtio' "$out/wd.out")" 2
check_eq "start watchdog: says it boots again" "$(grep -c 'did not start the command within 1s.*booting again, attempt 2' "$out/wd.out")" 1
check_eq "start watchdog: says why it failed" "$(grep -c '^lab: error: guest did not start the command within 1s (IOMMUBENCH_LAB_START_TIMEOUT) on any of 2 boots' "$out/wd.out")" 1
check_eq "start watchdog: the command never ran" "$([ -e "$out/ran" ] && echo ran || echo 'not run')" 'not run'

lab_done x86-virtio
