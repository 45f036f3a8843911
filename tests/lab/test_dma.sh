#!/usr/bin/env bash
# Lab test: x86-iommufd, the dma backend. edu goes to the kernel's
# dma_map_benchmark driver; its threads map and unmap one page through the
# DMA API. In strict mode (group type DMA) every unmap is invalidated before
# it returns, so each layer fires exactly once per op; in lazy mode
# (DMA-FQ) the flush queue invalidates the whole domain in batches. The
# kernel's own averages sit beside the probes' means, and the device and
# the group type are given back afterwards.
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
lab_setup dma

lab/run x86-iommufd -- sh -c "
	dev=\$IOMMUBENCH_DEVICE
	grp=\$(basename \$(readlink /sys/bus/pci/devices/\$dev/iommu_group))
	cat /sys/kernel/iommu_groups/\$grp/type > $out/type-before
	iommubench run scenarios/dma-map.ini -o $out/strict.json > $out/strict.txt || exit 11
	iommubench run scenarios/dma-map-lazy.ini -q -o $out/lazy.json || exit 12
	basename \$(readlink /sys/bus/pci/devices/\$dev/driver) > $out/driver-after
	cat /sys/kernel/iommu_groups/\$grp/type > $out/type-after
	exit 0"
lab_booted $? dma

check_eq "device given back to vfio-pci" "$(cat "$out/driver-after")" vfio-pci
check_eq "group type restored" "$(cat "$out/type-after")" "$(cat "$out/type-before")"

f=$out/strict.json
check_json "$f" '.backend' dma
check_json "$f" '.dma.driver' dma_map_benchmark
check_json "$f" '.dma.domain_type' DMA "strict: the group's type during the run"
check_json "$f" '[.dma.runs[] | select(.role == "measured")] | length' 3 "loops=3 measured runs"
check_json "$f" '[.dma.runs[] | select(.role == "reference" and (.probes | not))] | length' 2 \
	"a reference run without probes before and after"
check_true "$f" '[.dma.runs[] | .kernel.map_avg_ns > 0 and .kernel.unmap_avg_ns > 0] | all' \
	"the kernel reported averages for every run"
check_true "$f" '.dma.probe_map_calls > 1000' "the benchmark's threads were traced"
# Strict, single page, one thread: per op exactly one call at each layer.
# dma_map_page_attrs -> iommu_dma_map_phys -> alloc_iova_fast + iommu_map;
# dma_unmap_page_attrs -> iommu_dma_unmap_phys -> iommu_unmap_fast, then
# iommu_iotlb_sync (intel_iommu_tlb_sync -> cache_tag_flush_range -> one
# qi_submit_sync) and free_iova_fast.
n=$(jq -r '.dma.probe_map_calls' "$f")
check_json "$f" '.dma.probe_unmap_calls' "$n" "every map unmapped (the loop always pairs them)"
check_json "$f" '.ops.map.count' "$n" "outermost map calls = the runs' map calls"
check_json "$f" '.ops.unmap.count' "$n"
for h in dma_map_page_attrs iommu_dma_map_phys iommu_map; do
	check_json "$f" ".ops.map.hooks.$h.count" "$n" "$h once per map"
done
for h in dma_unmap_page_attrs iommu_dma_unmap_phys iommu_unmap_fast; do
	check_json "$f" ".ops.unmap.hooks.$h.count" "$n" "$h once per unmap"
done
check_json "$f" '.ops.iova.hooks.alloc_iova_fast.count' "$n" "one IOVA allocated per map"
check_json "$f" '.ops.iova.hooks.free_iova_fast.count' "$n" "strict: freed at once"
check_json "$f" '.ops.tlb_sync.hooks.intel_iommu_tlb_sync.count' "$n" "strict: one sync per unmap"
check_json "$f" '.ops.tlb_inv.hooks.cache_tag_flush_range.count' "$n" "strict: one range flush per unmap"
check_json "$f" '.ops.tlb_inv.hooks.qi_submit_sync.count' "$n" "one queued-invalidation wait per flush"
check_json "$f" '.ops.tlb_inv.kinds.range.count' "$n"
for op in map unmap; do
	check_true "$f" ".dma.comparison.$op.agree | type == \"boolean\"" "$op: agreement decided"
	check_true "$f" ".dma.comparison.$op.agree or (.dma.comparison.$op.why | test(\"trampolines\"))" \
		"$op: agrees, or says why not"
	check_true "$f" ".dma.comparison.$op.kernel_avg_without_probes_ns > 0" "$op: reference average"
done
check_eq "summary shows the kernel's averages" "$(grep -c '^dma_map_benchmark' "$out/strict.txt")" 1

f=$out/lazy.json
check_json "$f" '.dma.domain_type' DMA-FQ "lazy: the group's type during the run"
n=$(jq -r '.dma.probe_map_calls' "$f")
check_true "$f" ".ops.unmap.count == $n and .ops.iova.hooks.alloc_iova_fast.count == $n" "lazy: one IOVA per map"
check_json "$f" '.ops.tlb_sync.hooks.intel_iommu_tlb_sync.count' 0 "lazy: no sync at unmap"
# The flush queue: whole-domain flushes in batches, when a CPU's 256-entry
# ring is full (in the benchmark thread: counted) or from the 10 ms timer
# (softirq, counted only when it lands on the benchmark thread; it empties
# every CPU's ring, so it also delays the next ring-full flush). Not exact:
# at least one, and far fewer than unmaps.
check_true "$f" ".ops.tlb_inv.hooks.intel_flush_iotlb_all.count >= 1 and .ops.tlb_inv.hooks.intel_flush_iotlb_all.count < $n / 8" \
	"lazy: domain flushes in batches, far fewer than unmaps"
check_true "$f" ".ops.tlb_inv.kinds.domain.count == .ops.tlb_inv.hooks.intel_flush_iotlb_all.count" \
	"lazy: every flush is domain-wide"
# IOVAs are freed when a flush completes: in the benchmark thread (counted)
# or in the timer's softirq, counted only when it lands on that thread; the
# last ring of each CPU may still be queued at the end. So: some, never more
# than were allocated.
check_true "$f" ".ops.iova.hooks.free_iova_fast.count <= $n and .ops.iova.hooks.free_iova_fast.count > 0" \
	"lazy: IOVAs freed when their flush completes (never more than allocated)"
lab_done dma
