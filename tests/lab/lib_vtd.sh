# Lab tests of the VT-d targets with VFIO type1 (sourced after lib.sh): the
# checks of x86-vtd (Debian 6.1), run as they are on every target whose
# type1 and VT-d paths follow the same count model (docs/vfio-type1-model.md):
# x86-vtd-612 (Debian 6.12) too. Each function boots TARGET once and writes
# into $out (lab_setup); lab_booted stops the test when the guest failed.

# The vfio boot runs a dozen iommubench runs: 895 s on x86-vtd and 1438 s on
# x86-vtd-612 with the 2 CPUs shared by other guests (docs/lab.md), past
# lab/run's default of 900 s.
: "${IOMMUBENCH_LAB_TIMEOUT:=2400}"
export IOMMUBENCH_LAB_TIMEOUT

# vtd_vfio_checks TARGET KERNEL-PREFIX DETACH-TP NAME: hooks --json, basic.ini
# and each7.ini in fentry, kprobe and tracepoint modes, SIGINT/SIGTERM mid-run,
# binding and unbinding the device. DETACH-TP: whether the kernel still has
# the iommu:detach_device_from_domain tracepoint (true on 6.1).
vtd_vfio_checks() {
	local target=$1 kver=$2 detach_tp=$3 name=$4 h f sig

	# The guest script: several runs in one boot (a boot costs ~10 s).
	lab/run "$target" -- sh -c "
		iommubench hooks --json > $out/hooks.json || exit 10
		iommubench run scenarios/basic.ini -o $out/basic.json > $out/basic.txt || exit 11
		iommubench run tests/data/lab/each7.ini -o $out/each7.json > $out/each7.txt || exit 12
		iommubench run scenarios/basic.ini -o $out/basic.json 2> $out/exists.err; echo \$? > $out/exists.rc
		iommubench run --attach kprobe scenarios/basic.ini -o $out/kprobe.json > /dev/null || exit 13
		iommubench run --attach tracepoint scenarios/basic.ini -o $out/tp.json > /dev/null || exit 14
		# interrupted runs: SIGINT and SIGTERM part way through
		# (signalled once the first progress line shows the workload running)
		running() { i=0; while ! grep -q ioctls \$1 2>/dev/null && [ \$i -lt 300 ]; do sleep 1; i=\$((i + 1)); done; }
		iommubench run -q tests/data/lab/long.ini -o $out/int.json 2> $out/int.err & pid=\$!
		running $out/int.err; kill -INT \$pid; wait \$pid; echo \$? > $out/int.rc
		iommubench run -q tests/data/lab/long.ini -o $out/term.json 2> $out/term.err & pid=\$!
		running $out/term.err; kill -TERM \$pid; wait \$pid; echo \$? > $out/term.rc
		# binding: take edu away from vfio-pci, then let iommubench bind it
		dev=\$IOMMUBENCH_DEVICE
		echo \$dev > /sys/bus/pci/drivers/vfio-pci/unbind
		echo > /sys/bus/pci/devices/\$dev/driver_override
		iommubench run --no-bind -q scenarios/basic.ini -o $out/nobind.json 2> $out/nobind.err; echo \$? > $out/nobind.rc
		iommubench run --bind -q scenarios/basic.ini -o $out/bind.json || exit 15
		readlink /sys/bus/pci/devices/\$dev/driver > $out/after-bind.driver; true
		cat /sys/bus/pci/devices/\$dev/driver_override > $out/after-bind.override
		iommubench run --bind -q tests/data/lab/long.ini -o $out/bindint.json 2> $out/bindint.err & pid=\$!
		running $out/bindint.err; kill -INT \$pid; wait \$pid; echo \$? > $out/bindint.rc
		readlink /sys/bus/pci/devices/\$dev/driver > $out/after-int.driver; true
		exit 0"
	lab_booted $? "$name"

	h=$out/hooks.json
	check_json "$h" ".kernel | startswith(\"$kver\")" true "guest kernel is $kver*"
	check_json "$h" '.fentry' true
	check_json "$h" '.kprobes' true
	# x86 fentry takes up to 6 arguments before 6.6; the core hooks have at most 6
	for f in iommu_map iommu_unmap iommu_unmap_fast iommu_attach_group iommu_detach_group; do
		check_json "$h" ".hooks[] | select(.name == \"$f\") | .mode" fentry "$f mode"
		check_json "$h" ".hooks[] | select(.name == \"$f\") | .attached" true "$f attached"
	done
	# iommu_map_nosync came after 6.12 (~6.16); the detach tracepoint is
	# gone after 6.1 (not in 6.12's tracefs)
	check_json "$h" '.hooks[] | select(.name == "iommu_map_nosync") | .exists' false
	check_json "$h" '.hooks[] | select(.name == "iommu:detach_device_from_domain") | .attached' "$detach_tp"

	# The model (docs/vfio-type1-model.md) for M MAP_DMA and U UNMAP_DMA calls
	# of single 4 KiB pages in one fresh type1 container on VT-d, 6.1 and 6.12:
	#   iommu_map = M + 1, iommu_unmap = 2, iommu_unmap_fast = U,
	#   iommu_attach_group = 1, iommu_detach_group = 1,
	#   iommu_attach_device = iommu_detach_device = iommu_map_sg = 0,
	#   roles: map = M + 1, unmap = U + 2, attach = 1, detach = 1,
	#   iommu:map = M + 1, iommu:unmap = U + 2, iommu:attach_device_to_domain = 4.
	vtd_model() { # FILE M U
		local f=$1 m=$2 u=$3
		check_json "$f" ".host.kernel | startswith(\"$kver\")" true "host.kernel"
		check_json "$f" '.lab.target' "$target"
		check_json "$f" '.timings_emulated' true
		check_json "$f" '.interrupted' false
		check_json "$f" '.error' null
		check_json "$f" '.harness.map_calls' "$m"
		check_json "$f" '.harness.unmap_calls' "$u"
		check_json "$f" '.ops.map.hooks.iommu_map.count' $((m + 1))
		check_json "$f" '.ops.map.hooks.iommu_map.bytes' $((m * 4096 + 8192))
		check_json "$f" '.ops.unmap.hooks.iommu_unmap.count' 2
		check_json "$f" '.ops.unmap.hooks.iommu_unmap_fast.count' "$u"
		check_json "$f" '.ops.unmap.hooks.iommu_unmap_fast.bytes' $((u * 4096))
		check_json "$f" '.ops.attach.hooks.iommu_attach_group.count' 1
		check_json "$f" '.ops.attach.hooks.iommu_attach_device.count' 0
		check_json "$f" '.ops.detach.hooks.iommu_detach_group.count' 1
		check_json "$f" '.ops.detach.hooks.iommu_detach_device.count' 0
		check_json "$f" '.ops.map.hooks.iommu_map_sg.count' 0
		check_json "$f" '.ops.map.count' $((m + 1))
		check_json "$f" '.ops.unmap.count' $((u + 2))
		check_json "$f" '.ops.attach.count' 1
		check_json "$f" '.ops.detach.count' 1
		check_json "$f" '.ops.map.hooks["iommu:map"].count' $((m + 1))
		check_json "$f" '.ops.unmap.hooks["iommu:unmap"].count' $((u + 2))
		check_json "$f" '.ops.attach.hooks["iommu:attach_device_to_domain"].count' 4
		# every timed call completed: entries equal counts, nothing lost
		check_json "$f" '[.ops[] | (.hooks // {})[] | select(.timed) | .entries == .count] | all' true "entries == count"
		check_json "$f" '.drops.unmatched_exit + .drops.stack_overflow + .drops.task_map_full' 0 "probe problems"
		# the interrupt level was read (pcpu_hot on 6.2-6.14, __preempt_count else)
		check_json "$f" '.drops.irq_unknown' 0
		check_json "$f" '[.hooks[] | select(.attached) | .misses] | add' 0 "recursion misses"
		# figures are present and consistent (not asserted: their size is emulated)
		check_true "$f" '.ops.map.p50_ns > 0 and .ops.map.p50_ns <= .ops.map.p99_ns and .ops.map.p99_ns <= .ops.map.max_ns' "map percentiles ordered"
		check_true "$f" '(.ops.map.hist_ns.counts | add) == .ops.map.count' "map histogram adds up"
		check_true "$f" '.harness.ops.map.count > 0 and .harness.ops.map.p50_ns > 0' "harness map times present"
		check_true "$f" '.harness.ops.unmap.count > 0 and .harness.ops.unmap.p50_ns > 0' "harness unmap times present"
		check_true "$f" '.harness.timer.min_ns >= 0 and .harness.timer.p50_ns >= .harness.timer.min_ns' "timer overhead"
		check_true "$f" '.host.clocksource | type == "string"' "clocksource recorded"
		check_true "$f" '[.host.iommu_groups[] | .type] | length > 0' "group domain types recorded"
	}

	# basic.ini: 64 pages, map all then unmap all, one pass
	vtd_model "$out/basic.json" 64 64
	check_json "$out/basic.json" '.harness.ops.map.count' 64
	# each7.ini: 7 pages, map/unmap each, 1 warm-up + 2 measured passes:
	# 21 calls of each kind reach the kernel, 14 are timed by the harness
	vtd_model "$out/each7.json" 21 21
	check_json "$out/each7.json" '.harness.ops.map.count' 14
	check_json "$out/each7.json" '.scenario.order' map_unmap_each

	# the summary says the timings are emulated
	check_eq "summary labels emulated timings" "$(grep -c 'TIMINGS ARE EMULATED' "$out/basic.txt")" 1
	# an existing result is refused with exit status 2 and left as it was
	check_eq "second run to the same file exits 2" "$(cat "$out/exists.rc")" 2
	check_eq "and says why" "$(grep -c 'never overwritten' "$out/exists.err")" 1
	check_json "$out/basic.json" '.harness.map_calls' 64 "basic.json untouched"

	# kprobe mode counts the same operations
	vtd_model "$out/kprobe.json" 64 64
	check_json "$out/kprobe.json" '[.hooks[] | select(.type == "function" and .attached) | .mode] | unique | join(",")' kprobe \
		"every attached function hook is a kprobe"
	# tracepoint mode: counts without times, marked so
	check_json "$out/tp.json" '.ops.map.count' 65
	check_json "$out/tp.json" '.ops.map.timed' false
	check_json "$out/tp.json" '.ops.map.p50_ns' null
	check_json "$out/tp.json" '.ops.unmap.count' 66
	check_json "$out/tp.json" '.ops.map.hooks.iommu_map.via' iommu:map

	# interrupted runs still write their result, and it is self-consistent
	for sig in int term; do
		f=$out/$sig.json
		check_eq "$sig: exit status" "$(cat "$out/$sig.rc")" 130
		check_true "$f" '.interrupted | type == "string"' "$sig: interrupted recorded"
		check_true "$f" '.harness.map_calls > 0 and .harness.map_calls < 1000000' "$sig: stopped part way"
		# map_unmap_each: the stop lands between a page's map and its unmap, or
		# after both; a page left mapped is dropped by the kernel when the
		# device leaves the container (one more iommu_unmap_fast)
		check_true "$f" '(.harness.map_calls - .harness.unmap_calls) as $d | $d == 0 or $d == 1' \
			"$sig: at most the last page left mapped"
		check_true "$f" '.ops.map.hooks.iommu_map.count == .harness.map_calls + 1' "$sig: iommu_map = M + 1"
		check_true "$f" '.ops.unmap.hooks.iommu_unmap_fast.count == .harness.map_calls' \
			"$sig: unmap_fast = U + pages left mapped = M"
		check_json "$f" '.ops.detach.count' 1 "$sig: detached"
	done
	check_eq "SIGINT is named" "$(jq -r .interrupted "$out/int.json")" Interrupt
	check_eq "SIGTERM is named" "$(jq -r .interrupted "$out/term.json")" Terminated

	# binding: refused without --bind, done and undone with it, also on Ctrl-C
	check_eq "--no-bind on an unbound device exits 1" "$(cat "$out/nobind.rc")" 1
	check_eq "and says what to do" "$(grep -c 'not vfio-pci (set bind=1' "$out/nobind.err")" 1
	check_eq "nothing written without a run" "$(test -e "$out/nobind.json" && echo yes || echo no)" no
	vtd_model "$out/bind.json" 64 64
	check_eq "device given back after the run (no driver)" "$(cat "$out/after-bind.driver" 2>/dev/null)" ""
	check_eq "driver_override cleared" "$(cat "$out/after-bind.override")" "(null)"
	check_eq "interrupted bound run: exit status" "$(cat "$out/bindint.rc")" 130
	check_eq "device given back after Ctrl-C" "$(cat "$out/after-int.driver" 2>/dev/null)" ""
}

# vtd_contexts_checks TARGET NAME: aux-switch.ini (8 contexts, 16 rebinds,
# isolation checks with edu DMA), --test-skip-unmap, the invalidation
# patterns, THP-backed 2 MiB mappings and two pinned threads.
vtd_contexts_checks() {
	local target=$1 name=$2 f s t p c v a l in outs hm hu P R

	lab/run "$target" -- sh -c "
		iommubench run scenarios/aux-switch.ini -o $out/aux.json > $out/aux.txt || exit 10
		iommubench run -q --test-skip-unmap scenarios/aux-switch.ini -o $out/skip.json || exit 11
		for p in patterns range context; do
			iommubench run -q scenarios/invalidate-\$p.ini -o $out/inv-\$p.json || exit 12
		done
		iommubench run -q tests/data/lab/thp2m.ini -o $out/thp.json || exit 13
		iommubench run -q tests/data/lab/threads.ini -o $out/threads.json || exit 14
		exit 0"
	lab_booted $? "$name"

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
		# VT-d 6.1 and 6.12: one page-selective flush per single-page UNMAP_DMA
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
}

# vtd_cache_tag_flushes FILE U S: VT-d's invalidations since cache tags
# (6.10+; docs/vfio-type1-model.md, "Intel VT-d, 6.12" and "7.x") for U
# single-page UNMAP_DMA calls in one fresh container, with S more synced
# core unmaps (the fgsp probe's two iommu_unmap calls on 6.12, none on 7.x):
# one intel_iommu_tlb_sync and one cache_tag_flush_range (range) per sync;
# attach and detach each flush the context cache (config) and the domain's
# IOTLB (domain, qi_flush_iotlb outside any range flush); the teardown
# submits one lone wait (other); qi_submit_sync = tlb_inv = U + S + 5.
vtd_cache_tag_flushes() {
	local f=$1 u=$2 s=$3
	hook_count "$f" tlb_sync intel_iommu_tlb_sync $((u + s))
	hook_count "$f" tlb_inv cache_tag_flush_range $((u + s))
	hook_count "$f" tlb_inv cache_tag_flush_range_np 0
	hook_count "$f" tlb_inv cache_tag_flush_all 0
	hook_count "$f" tlb_inv qi_flush_context 2
	hook_count "$f" tlb_inv qi_flush_iotlb 2
	hook_count "$f" tlb_inv qi_submit_sync $((u + s + 5))
	check_json "$f" '.ops.tlb_inv.count' $((u + s + 5))
	check_json "$f" '.ops.tlb_inv.kinds.range.count' $((u + s))
	check_json "$f" '.ops.tlb_inv.kinds.config.count' 2
	check_json "$f" '.ops.tlb_inv.kinds.domain.count' 2
	check_json "$f" '.ops.tlb_inv.kinds.other.count' 1
	check_json "$f" '.contexts[0].phases.unmap.roles.tlb_inv.count' "$u"
	check_json "$f" '.contexts[0].phases.setup.roles.tlb_inv.count' $((2 + s))
	check_json "$f" '.contexts[0].phases.teardown.roles.tlb_inv.count' 3
}
