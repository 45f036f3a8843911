#!/usr/bin/env bash
# Lab test: x86-vtd (Debian 6.1, emulated VT-d). Boots once, runs two
# scenarios and `hooks --json` in the guest, then checks every count against
# the model in docs/vfio-type1-model.md. Exact equality, no lower bounds.
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
lab_setup vtd

# The guest script: several runs in one boot (a boot costs ~10 s).
lab/run x86-vtd -- sh -c "
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
lab_booted $? vtd-vfio

h=$out/hooks.json
check_json "$h" '.kernel | startswith("6.1.")' true "guest kernel is 6.1"
check_json "$h" '.fentry' true
check_json "$h" '.kprobes' true
# 6.1 x86: fentry takes up to 6 arguments; the core hooks have at most 6
for f in iommu_map iommu_unmap iommu_unmap_fast iommu_attach_group iommu_detach_group; do
	check_json "$h" ".hooks[] | select(.name == \"$f\") | .mode" fentry "$f mode"
	check_json "$h" ".hooks[] | select(.name == \"$f\") | .attached" true "$f attached"
done
# gone before 6.1 or added after it
check_json "$h" '.hooks[] | select(.name == "iommu_map_nosync") | .exists' false
check_json "$h" '.hooks[] | select(.name == "iommu:detach_device_from_domain") | .attached' true

# The model (docs/vfio-type1-model.md) for M MAP_DMA and U UNMAP_DMA calls
# of single 4 KiB pages in one fresh type1 container on VT-d:
#   iommu_map = M + 1, iommu_unmap = 2, iommu_unmap_fast = U,
#   iommu_attach_group = 1, iommu_detach_group = 1,
#   iommu_attach_device = iommu_detach_device = iommu_map_sg = 0,
#   roles: map = M + 1, unmap = U + 2, attach = 1, detach = 1,
#   iommu:map = M + 1, iommu:unmap = U + 2, iommu:attach_device_to_domain = 4.
model() { # FILE M U
	local f=$1 m=$2 u=$3
	check_json "$f" '.host.kernel | startswith("6.1.")' true "host.kernel"
	check_json "$f" '.lab.target' x86-vtd
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
model "$out/basic.json" 64 64
check_json "$out/basic.json" '.harness.ops.map.count' 64
# each7.ini: 7 pages, map/unmap each, 1 warm-up + 2 measured passes:
# 21 calls of each kind reach the kernel, 14 are timed by the harness
model "$out/each7.json" 21 21
check_json "$out/each7.json" '.harness.ops.map.count' 14
check_json "$out/each7.json" '.scenario.order' map_unmap_each

# the summary says the timings are emulated
check_eq "summary labels emulated timings" "$(grep -c 'TIMINGS ARE EMULATED' "$out/basic.txt")" 1
# an existing result is refused with exit status 2 and left as it was
check_eq "second run to the same file exits 2" "$(cat "$out/exists.rc")" 2
check_eq "and says why" "$(grep -c 'never overwritten' "$out/exists.err")" 1
check_json "$out/basic.json" '.harness.map_calls' 64 "basic.json untouched"

# kprobe mode counts the same operations
model "$out/kprobe.json" 64 64
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
model "$out/bind.json" 64 64
check_eq "device given back after the run (no driver)" "$(cat "$out/after-bind.driver" 2>/dev/null)" ""
check_eq "driver_override cleared" "$(cat "$out/after-bind.override")" "(null)"
check_eq "interrupted bound run: exit status" "$(cat "$out/bindint.rc")" 130
check_eq "device given back after Ctrl-C" "$(cat "$out/after-int.driver" 2>/dev/null)" ""

lab_done vtd-vfio
