#!/usr/bin/env bash
# Lab test: `iommubench trace` on a real kernel driver's DMA. x86-vtd (6.1)
# loads the nvme driver for its NVMe controller (LAB_EXTRA_MODULES) and
# traces direct reads with GNU dd (the host's, through its loader): N reads
# of 4 KiB, each one NVMe command whose data the driver maps with
# dma_map_page and unmaps when the command completes, in the interrupt.
# Twice, with the IOMMU group's default domain strict (DMA) and lazy
# (DMA-FQ), switched through sysfs with no driver bound. The model and the
# relations asserted are in docs/nvme-dma-model.md. Everything is given
# back: the driver unbound and unloaded, the group's type as it was.
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
lab_setup vtd-nvme-trace
N=256
lab_host_tool "$out" dd

lab/run x86-vtd -- sh -c "
	$LAB_FIND_NVME
	grp=/sys/kernel/iommu_groups/\$(basename \$(readlink /sys/bus/pci/devices/\$nvme/iommu_group))
	cat \$grp/type > $out/type-before
	# waitdev: the namespace's block device, once the driver's probe
	# (asynchronous) has made it
	waitdev() { i=0; while [ ! -b /dev/nvme0n1 ] && [ \$i -lt 120 ]; do sleep 1; i=\$((i + 1)); done; [ -b /dev/nvme0n1 ]; }
	trace() { # MODE TYPE
		echo \$2 > \$grp/type || return 20
		cat \$grp/type > $out/\$1.type
		if [ -e /sys/bus/pci/drivers/nvme ]; then
			echo \$nvme > /sys/bus/pci/drivers/nvme/bind || return 21
		else
			modprobe nvme || return 22
		fi
		waitdev || return 23
		basename \"\$(readlink /sys/bus/pci/devices/\$nvme/driver)\" > $out/\$1.driver
		iommubench trace -q -o $out/\$1.json -- $out/bin/dd if=/dev/nvme0n1 of=/dev/null bs=4096 count=$N iflag=direct 2> $out/\$1.dd
		echo \$? > $out/\$1.rc
		echo \$nvme > /sys/bus/pci/drivers/nvme/unbind
	}
	trace strict DMA
	trace lazy DMA-FQ
	echo \$(cat $out/type-before) > \$grp/type
	cat \$grp/type > $out/type-after
	modprobe -r nvme
	basename \"\$(readlink /sys/bus/pci/devices/\$nvme/driver)\" > $out/driver-after 2> /dev/null
	true"
lab_booted $? vtd-nvme-trace

# jq filters: the processes at interrupt level, and those of the command
irq='.processes[] | select(.context != "task")'
cmd='.processes[] | select(.from_command)'
for m in strict lazy; do
	f=$out/$m.json
	check_eq "$m: dd's exit status" "$(cat "$out/$m.rc")" 0
	check_eq "$m: dd read N blocks" "$(grep -c "^$N+0 records in" "$out/$m.dd")" 1
	check_eq "$m: driver bound" "$(cat "$out/$m.driver")" nvme
	check_eq "$m: domain type" "$(cat "$out/$m.type")" "$([ $m = strict ] && echo DMA || echo DMA-FQ)"
	check_json "$f" '.trace.exit_status' 0
	check_json "$f" '.drops.unmatched_exit + .drops.stack_overflow + .drops.task_map_full + .drops.proc_map_full' 0 \
		"$m: probe problems"
	# the command: dd alone, N maps and N IOVA allocations, nothing else
	check_json "$f" "[$cmd | .name] | join(\",\")" dd "$m: the command's processes"
	check_json "$f" "[$cmd | .ops.map.count] | add" "$N" "$m: dd's maps"
	check_json "$f" "[$cmd | .ops.iova.count] | add" "$N" "$m: dd's IOVA allocations"
	check_json "$f" "[$cmd | (.ops.unmap.count // 0) + (.ops.tlb_inv.count // 0) + (.ops.tlb_sync.count // 0)] | add" 0 \
		"$m: dd's unmaps, invalidations, syncs"
	check_json "$f" "[$cmd | .pagetables[] | select(.ops.map.count == $N) | .type] | join(\",\")" "struct device" \
		"$m: dd's pagetable (the controller's device) with its maps"
	# completions unmap in the interrupt, never in dd
	check_json "$f" "[$irq | .ops.unmap.count // 0] | add" "$N" "$m: unmaps at interrupt level"
	check_json "$f" '.ops.map.count' "$N" "$m: maps in the whole trace"
	check_json "$f" '.ops.unmap.count' "$N" "$m: unmaps in the whole trace"
	for h in dma_map_page_attrs iommu_dma_map_page iommu_map_atomic intel_iommu_map_pages iommu:map alloc_iova_fast; do
		check_json "$f" ".ops[].hooks[\"$h\"] // empty | .count" "$N" "$m: $h"
	done
	for h in dma_unmap_page_attrs iommu_dma_unmap_page iommu_unmap_fast intel_iommu_unmap_pages iommu:unmap; do
		check_json "$f" ".ops[].hooks[\"$h\"] // empty | .count" "$N" "$m: $h"
	done
done
f=$out/strict.json
check_json "$f" "[$irq | .tlb_inv_kinds.range.count // 0] | add" "$N" "strict: page-selective invalidations in interrupts"
check_json "$f" '.ops.tlb_inv.count' "$N" "strict: invalidations, one per unmap"
check_json "$f" '.ops.tlb_inv.hooks.iommu_flush_iotlb_psi.count' "$N" "strict: iommu_flush_iotlb_psi"
check_json "$f" '.ops.tlb_inv.hooks.fq_flush_iotlb.count' 0 "strict: no flush-queue flush"
check_json "$f" "[$irq | .ops.tlb_sync.count // 0] | add" "$N" "strict: syncs in interrupts"
check_json "$f" "[$irq | .ops.iova.count // 0] | add" "$N" "strict: IOVA frees in interrupts"
check_json "$f" '.ops.iova.hooks.free_iova_fast.count' "$N" "strict: free_iova_fast"
f=$out/lazy.json
check_json "$f" '.ops.tlb_inv.hooks.iommu_flush_iotlb_psi.count' 0 "lazy: no page-selective invalidation"
check_json "$f" '.ops.tlb_sync.count' 0 "lazy: no sync"
F=$(jq '.ops.tlb_inv.hooks.fq_flush_iotlb.count' "$f")
check_json "$f" "$F >= 1 and $F < $N" true "lazy: 1 <= flush-queue flushes ($F) < N"
check_json "$f" '.ops.tlb_inv.hooks.intel_flush_iotlb_all.count' "$F" "lazy: each flush a whole-domain VT-d flush"
check_json "$f" "[$irq | .tlb_inv_kinds.domain.count // 0] | add" "$F" "lazy: domain-selective flushes in interrupts"
check_json "$f" '.ops.tlb_inv.count' "$F" "lazy: invalidations are the flushes"
fr=$(jq '.ops.iova.hooks.free_iova_fast.count' "$f")
check_json "$f" "$fr >= 1 and $fr <= $N" true "lazy: 1 <= IOVA frees ($fr) <= N"
check_json "$f" "[$irq | .ops.iova.count // 0] | add" "$fr" "lazy: IOVA frees in interrupts"
echo "vtd-nvme-trace: $N reads of 4 KiB: strict $(jq .ops.tlb_inv.count "$out/strict.json") invalidations, lazy $F flushes"
check_eq "group type given back" "$(cat "$out/type-after")" "$(cat "$out/type-before")"
check_eq "no driver after" "$(cat "$out/driver-after")" ""

lab_done vtd-nvme-trace
