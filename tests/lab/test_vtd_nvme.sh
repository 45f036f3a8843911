#!/usr/bin/env bash
# Lab test: a device that is not edu. x86-vtd carries an emulated NVMe
# controller (1b36:0010, lab/targets/x86-vtd.conf) that no driver binds, as a
# real device would be before a CI run. aux-switch.ini (checks=auto) runs on
# it with --bind and -R 2: the isolation checks are skipped with the reason,
# the work is the scenario's, and the controller has no driver again after.
# checks=1 on it is refused before anything changes; a --set reaches a real
# run and is recorded.
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
lab_setup vtd-nvme

lab/run x86-vtd -- sh -c "
	nvme=
	for d in /sys/bus/pci/devices/*; do
		[ \"\$(cat \$d/vendor):\$(cat \$d/device)\" = 0x1b36:0x0010 ] && nvme=\$(basename \$d)
	done
	[ -n \"\$nvme\" ] || exit 10
	echo \$nvme > $out/bdf
	drv() { basename \"\$(readlink /sys/bus/pci/devices/\$nvme/driver)\" 2>/dev/null; true; }
	drv > $out/driver-before
	iommubench run scenarios/aux-switch.ini --device \$nvme --bind -R 2 -o $out/aux.json > $out/aux.txt 2> $out/aux.err
	echo \$? > $out/aux.rc
	drv > $out/driver-after
	cat /sys/bus/pci/devices/\$nvme/driver_override > $out/override-after
	iommubench run scenarios/aux-switch.ini --device \$nvme --bind --set checks=1 -o $out/insist.json 2> $out/insist.err
	echo \$? > $out/insist.rc
	drv > $out/driver-insist
	iommubench run -q scenarios/basic.ini --device \$nvme --bind --set pages=8 --set loops=2 -o $out/set.json 2> $out/set.err
	echo \$? > $out/set.rc
	drv > $out/driver-set
	exit 0"
lab_booted $? vtd-nvme

bdf=$(cat "$out/bdf")
f=$out/aux.json
check_eq "aux-switch.ini on the NVMe controller: exit 0" "$(cat "$out/aux.rc")" 0
check_eq "no driver before" "$(cat "$out/driver-before")" ""
check_eq "no driver after: given back as it was" "$(cat "$out/driver-after")" ""
check_eq "driver_override cleared after" "$(cat "$out/override-after")" "(null)"
check_json "$f" '.error' null
check_json "$f" '.interrupted' false
check_json "$f" '.scenario.device' "$bdf"
check_json "$f" '.lab.target' x86-vtd
# checks=auto: skipped, with the reason, and said in one summary line
reason="no DMA engine iommubench can drive on $bdf (1b36:0010)"
check_json "$f" '.scenario.checks_mode' auto
check_json "$f" '.checks.isolation.enabled' false
check_json "$f" '.checks.isolation.skipped' "$reason"
check_json "$f" '.checks.isolation.run + .checks.isolation.positive_run' 0 "no isolation DMA"
check_eq "summary: one line says the checks were skipped" \
	"$(grep -cxF "isolation checks skipped (checks=auto): $reason" "$out/aux.txt")" 1
check_json "$f" '.scenario.overrides | length' 0 "no overrides"
# the scenario's own work, twice (-R 2): switches and working-set calls
sw=$(sed -n 's/^switches=\([0-9]*\).*/\1/p' scenarios/aux-switch.ini)
pages=$(sed -n 's/^pages=\([0-9]*\).*/\1/p' scenarios/aux-switch.ini)
check_json "$f" '.repetitions.count' 2
check_json "$f" '.harness.measured_passes' 2
check_json "$f" '.harness.switches' $((sw * 2)) "switches in 2 passes"
# each visit maps the working set and unmaps it page by page: (switches + 1)
# visits a pass, plus the resident sets mapped at each attach
check_true "$f" "[.contexts[].harness.unmap_calls] | add == $(((sw + 1) * 2 * pages))" \
	"working-set unmaps: (switches + 1) visits x 2 passes x pages"
check_true "$f" '.ops.unmap.count > 0 and .ops.map.count > 0' "the probes saw the maps and unmaps"
check_json "$f" '.hooks[] | select(.name == "iommu_map") | .mode' fentry "iommu_map attached by fentry"

# checks=1 insists: refused before the device is touched, nothing written
check_eq "checks=1 on the NVMe controller: exit 2" "$(cat "$out/insist.rc")" 2
check_eq "checks=1: says why, naming --set" "$(grep -c \
	"^iommubench: --set checks=1: key 'checks': checks=1 needs the QEMU edu device (1234:11e8) as its DMA engine; $bdf is 1b36:0010" \
	"$out/insist.err")" 1
check_eq "checks=1: nothing written" "$(ls "$out/insist.json" 2> /dev/null)" ""
check_eq "checks=1: still no driver" "$(cat "$out/driver-insist")" ""

# --set in a real run: applied and recorded
f=$out/set.json
check_eq "basic.ini --set pages=8 --set loops=2: exit 0" "$(cat "$out/set.rc")" 0
check_json "$f" '[.scenario.overrides | to_entries[] | "\(.key)=\(.value)"] | sort | join(" ")' "loops=2 pages=8"
check_json "$f" '[.scenario.pages, .scenario.loops] | join(" ")' "8 2" "effective values"
check_json "$f" '.harness.map_calls' 16 "8 pages x 2 passes mapped"
check_json "$f" '.harness.unmap_calls' 16
check_eq "after the --set run: still no driver" "$(cat "$out/driver-set")" ""

lab_done vtd-nvme
