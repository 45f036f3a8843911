#!/usr/bin/env bash
# Lab test: x86-vtd-612 (Debian trixie's 6.12, emulated VT-d). The checks of
# x86-vtd's first boot (tests/lab/lib_vtd.sh: hooks, basic and each7 in
# every attach mode, signals, binding) on a kernel that keeps preempt_count
# in struct pcpu_hot (x86 6.2-6.14), where drops.irq_unknown must stay 0,
# then the VT-d invalidation model of 6.12 on the same runs
# (docs/vfio-type1-model.md, "Intel VT-d, 6.12"). x86-vtd's second boot
# (contexts, rebinds, the invalidate-* scenarios) is not repeated here: the
# type1 path it checks is x86-vtd's, and its 8 minutes of guest time matter
# more to `make check`'s budget than a second kernel under the same model.
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib_vtd.sh
. "$(dirname "$0")/lib_vtd.sh"
lab_setup x86-vtd-612

vtd_vfio_checks x86-vtd-612 6.12. false x86-vtd-612

# The driver underneath, M and U single-page calls in one fresh container:
# the map/unmap pages ops under every core map and unmap (fgsp included),
# and the cache-tag flushes of 7.x plus the fgsp probe's two synced unmaps.
vtd612_model() { # FILE M U
	local f=$1 m=$2 u=$3
	hook_count "$f" map intel_iommu_map_pages $((m + 1))
	hook_count "$f" unmap intel_iommu_unmap_pages $((u + 2))
	vtd_cache_tag_flushes "$f" "$u" 2
}
vtd612_model "$out/basic.json" 64 64
vtd612_model "$out/each7.json" 21 21
# the drop warning has nothing to say: the summary carries no warning block
check_eq "summary: no warnings" "$(grep -c 'WARNINGS' "$out/basic.txt")" 0

lab_done x86-vtd-612
