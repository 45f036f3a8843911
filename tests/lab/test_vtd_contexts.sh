#!/usr/bin/env bash
# Lab test: per-context workloads on x86-vtd (Debian 6.1, emulated VT-d).
# aux-switch.ini (8 contexts, 16 round-robin rebinds, isolation checks with
# edu DMA), the oracle's own failure test (--test-skip-unmap), the
# invalidation patterns and THP-backed 2 MiB mappings. Counts are checked
# exactly against the model in docs/vfio-type1-model.md ("Contexts").
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
lab_setup ctx

lab/run x86-vtd -- sh -c "
	iommubench run scenarios/aux-switch.ini -o $out/aux.json > $out/aux.txt || exit 10
	iommubench run -q --test-skip-unmap scenarios/aux-switch.ini -o $out/skip.json || exit 11
	for p in patterns range context; do
		iommubench run -q scenarios/invalidate-\$p.ini -o $out/inv-\$p.json || exit 12
	done
	iommubench run -q tests/data/lab/thp2m.ini -o $out/thp.json || exit 13
	iommubench run -q tests/data/lab/threads.ini -o $out/threads.json || exit 14
	exit 0"
lab_booted $? vtd-contexts

f=$out/aux.json
check_json "$f" '.contexts | length' 8
check_json "$f" '.switch_kind' rebind
check_json "$f" '.ops.switch.rebind.kind' rebind
check_json "$f" '.ops.switch.rebind.count' 16 "rebinds measured = switches asked for"
check_json "$f" '.harness.switches' 16
check_json "$f" '[.contexts[].switches_in.rebind] | add' 16
check_json "$f" '.ops.switch.rebind.steps | keys | join(",")' \
	bus_master,close_device,join_container,leave_container,open_device,remap_resident,set_iommu
# every step ran once per switch, and the breakdown puts the kernel work
# where it happens: attach only in set_iommu, detach only in leave_container
check_json "$f" '[.ops.switch.rebind.steps[].harness.count] | unique | join(",")' 16 "each step timed 16 times"
check_json "$f" '.ops.switch.rebind.steps.set_iommu.kernel.roles.attach.count' 16
check_json "$f" '.ops.switch.rebind.steps.leave_container.kernel.roles.detach.count' 16
check_json "$f" '.ops.switch.rebind.steps.remap_resident.kernel.roles.map.count' $((16 * 16)) "resident re-maps"
check_json "$f" '.ops.switch.rebind.steps.open_device.kernel.roles.attach.count // 0' 0 "no attach in open_device"

# Per-context model. Round-robin over 8 contexts, 16 switches, starting at
# 0: context 0 is visited 3 times, the others twice; every context is
# switched into twice and out of twice; the run ends in context 0.
# a = attaches (rebinds in, plus the first attach for ctx 0)
# l = leaves (switches out, plus the final teardown for ctx 0)
# harness maps   = v*(P+4) + R*a + 2*out + 2*in   (P working set, 4 = two
#                   check mappings per touch and per unmap check; 2 per
#                   switch-side check; R resident re-maps per attach)
# harness unmaps = v*(P+4) + 2*out + 2*in
# kernel map     = harness maps + a              (type1's fgsp probe map per new domain)
# kernel unmap   = harness unmaps + 2a + R*l     (fgsp's two unmaps; resident set dropped at leave)
P=16 R=16
for c in 0 1 2 3 4 5 6 7; do
	if [ "$c" = 0 ]; then v=3 a=3 l=3; else v=2 a=2 l=2; fi
	in=2 outs=2
	hm=$((v * (P + 4) + R * a + 2 * outs + 2 * in))
	hu=$((v * (P + 4) + 2 * outs + 2 * in))
	check_json "$f" ".contexts[$c].harness.map_calls" "$hm" "ctx $c harness maps"
	check_json "$f" ".contexts[$c].harness.unmap_calls" "$hu" "ctx $c harness unmaps"
	check_json "$f" ".contexts[$c].kernel.roles.map.count" $((hm + a)) "ctx $c kernel maps"
	check_json "$f" ".contexts[$c].kernel.roles.unmap.count" $((hu + 2 * a + R * l)) "ctx $c kernel unmaps"
	check_json "$f" ".contexts[$c].kernel.roles.attach.count" "$a" "ctx $c attaches"
	check_json "$f" ".contexts[$c].kernel.roles.detach.count" "$l" "ctx $c detaches"
	check_json "$f" ".contexts[$c].switches_in.rebind" "$in" "ctx $c switches in"
	check_json "$f" ".contexts[$c].phases.map.roles.map.count" $((v * P)) "ctx $c map-phase maps"
	check_json "$f" ".contexts[$c].phases.unmap.roles.unmap.count" $((v * P)) "ctx $c unmap-phase unmaps"
	# VT-d on 6.1: one page-selective flush per single-page UNMAP_DMA
	check_json "$f" ".contexts[$c].phases.unmap.tlb_inv.range.count" $((v * P)) "ctx $c unmap flushes"
done
# domain instances: one per attach (setup + 16 rebinds), numbered by attach
# events, so a pointer the allocator reuses is not taken for the old domain
check_json "$f" '.domains.instances' 17
check_json "$f" '.domains.detach_without_attach' 0
check_json "$f" '.domains.events_dropped' 0
check_json "$f" '[.contexts[] | .domains | length] | join(",")' 3,2,2,2,2,2,2,2 "domains per context"
check_json "$f" '[.contexts[].domains[] | select(.detached_in == null)] | length' 0 "every domain detached"
check_json "$f" '[.contexts[].domains[].attached_in] | unique | join(",")' set_iommu,setup
# attribution: contexts plus deferred account for every invalidation
check_true "$f" '([.contexts[].kernel.tlb_inv_count] | add) + .deferred.tlb_inv_count == .ops.tlb_inv.count' \
	"tlb_inv: contexts + deferred = total"
check_true "$f" '([.contexts[].kernel.roles.map.count] | add) + (.deferred.roles.map.count // 0) == .ops.map.count' \
	"map: contexts + deferred = total"
check_true "$f" '.ops.tlb_inv.count > 0' "invalidations seen"
check_true "$f" '(.ops.tlb_inv.kinds | keys | index("range")) != null' "range kind present"
# derived figures state their denominators
check_json "$f" '.derived.tlb_inv_per_switch.denominator' 16
check_true "$f" '.derived.tlb_inv_per_switch.value > 0' "invalidations per switch"
check_json "$f" '.derived.tlb_inv_per_unmapped_page.value' 1 "one flush per unmapped page"
check_true "$f" '.derived.unmap_time_share_in_tlb_inv.value > 0 and .derived.unmap_time_share_in_tlb_inv.value < 1' \
	"share of unmap time in invalidation"
# isolation checks with real DMA
check_true "$f" '.checks.isolation.run >= 16' "isolation checks run >= 16"
check_json "$f" '.checks.isolation.failed' 0
check_json "$f" '.checks.isolation.positive_failed' 0
check_true "$f" '.checks.isolation.positive_run >= 16' "positive controls"
check_json "$f" '.drops.unmatched_exit + .drops.stack_overflow + .drops.task_map_full + .drops.irq_unknown' 0 \
	"probe problems"
# the summary answers the question without the JSON
check_eq "summary: switch section" "$(grep -c '^switches: 16 of kind rebind' "$out/aux.txt")" 1
check_eq "summary: per-context table" "$(grep -cE '^ +[0-7] +[0-9]+ +[0-9]+ +2 ' "$out/aux.txt")" 8
check_eq "summary: isolation line" "$(grep -c '^isolation checks (edu DMA): [0-9]* run, 0 failed' "$out/aux.txt")" 1

# the oracle can fail: skipping the unmaps it expects must be reported
s=$out/skip.json
check_true "$s" '.checks.isolation.failed >= 1' "skip-unmap: failures reported"
check_json "$s" '.checks.isolation.positive_failed' 0
check_true "$s" '.checks.isolation.failures[0] | (.context | type == "number") and (.iova | type == "number") and (.operation == "unmap")' \
	"skip-unmap: failure names context, IOVA and operation"
check_json "$s" '.checks.isolation.test_skip_unmap' true

# invalidation patterns: same work, three ways of unmapping; with type1 the
# flushes follow the MAP_DMA boundaries, so a range or whole-context unmap of
# separately mapped pages still flushes page by page
for p in patterns range context; do
	check_json "$out/inv-$p.json" '.checks.isolation.failed' 0 "inv-$p: no failures"
	check_true "$out/inv-$p.json" '.ops.tlb_inv.count > 0' "inv-$p: invalidations"
done
check_json "$out/inv-patterns.json" '.harness.ops.unmap.count > 0' true "per-page unmaps timed"
check_json "$out/inv-range.json" '.harness.ops.unmap_range.count > 0' true "range unmaps timed"
check_json "$out/inv-context.json" '.harness.ops.unmap_all.count > 0' true "whole-context unmaps timed"
check_true "$out/inv-range.json" '.harness.ops.unmap_range.count * 32 == ([.contexts[].phases.unmap_range.tlb_inv.range.count] | add)' \
	"range unmap of 32 separately mapped pages: 32 flushes each"

# THP backing: the driver really mapped 2 MiB pages
check_json "$out/thp.json" '.page_sizes.mapped | map(select(.size == 2097152)) | .[0].pages' 2 "2 MiB pages mapped"
check_json "$out/thp.json" '.page_sizes.memory' thp

# two pinned threads: each thread's work is charged to the context it served
t=$out/threads.json
check_json "$t" '.harness.ops.map.count' $((3 * 64)) "threads: every map timed"
check_json "$t" '.contexts[0].phases.map.roles.map.count' $((2 * 64)) "threads: ctx 0 maps (2 visits)"
check_json "$t" '.contexts[1].phases.map.roles.map.count' 64 "threads: ctx 1 maps (1 visit)"
check_json "$t" '.contexts[0].phases.unmap.roles.unmap.count' $((2 * 64)) "threads: ctx 0 unmaps"
check_json "$t" '.deferred.roles.map.count // 0' 0 "threads: nothing left untagged"
check_json "$t" '.scenario.threads' 2

lab_done vtd-contexts
