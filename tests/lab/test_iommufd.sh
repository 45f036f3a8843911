#!/usr/bin/env bash
# Lab test: x86-iommufd (a 7.x kernel the lab builds, with iommufd, the VFIO
# cdev and the type1 container side by side). aux-switch.ini on the iommufd
# backend: every switch is one replace of the live device's HWPT, every
# context keeps its mappings, and the isolation checks pass after each
# switch. The same scenario on the vfio backend on the same kernel gives the
# rebind figures to compare with.
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
lab_setup iommufd

lab/run x86-iommufd -- sh -c "
	iommubench hooks --json > $out/hooks.json || exit 10
	iommubench run --backend iommufd scenarios/aux-switch.ini -o $out/replace.json > $out/replace.txt || exit 11
	iommubench run --backend vfio -q scenarios/aux-switch.ini -o $out/rebind.json || exit 12
	exit 0"
lab_booted $? iommufd

h=$out/hooks.json
check_json "$h" '.kernel | startswith("7.")' true "guest kernel is 7.x"
check_json "$h" '.hooks[] | select(.name == "iommu_replace_group_handle") | .attached' true
check_json "$h" '.hooks[] | select(.name == "iommufd_device_replace") | .attached' true
check_json "$h" '.hooks[] | select(.name == "iommu_group_replace_domain") | .exists' false "6.5-6.9 name absent"

f=$out/replace.json
check_json "$f" '.backend' iommufd
check_json "$f" '.switch_kind' replace
check_json "$f" '.contexts | length' 8
check_json "$f" '.ops.switch.replace.count' 16 "replace switches = switches asked for"
check_json "$f" '.ops.switch.replace.steps.replace.kernel.roles.switch.count' 16 "one outermost replace call per switch"
check_json "$f" '.ops.switch.hooks.iommu_replace_group_handle.count' 16 "replace hook fired once per switch"
check_json "$f" '.ops.switch.replace.steps.replace.kernel.roles.map.count // 0' 0 "no re-mapping in a replace"
check_json "$f" '.ops.switch.replace.steps.replace.kernel.roles.unmap.count // 0' 0 "no unmapping in a replace"
check_json "$f" '[.contexts[].switches_in.replace] | add' 16
# Per-context model for replace: each context's resident set is mapped once,
# at setup, and kept; no probe mappings (type1's fgsp) and nothing dropped
# at a switch, so the kernel's map and unmap calls equal the harness's ioctls:
#   maps = v*(P+4) + R + 2*out + 2*in,  unmaps = v*(P+4) + 2*out + 2*in
P=16 R=16
for c in 0 1 2 3 4 5 6 7; do
	if [ "$c" = 0 ]; then v=3; else v=2; fi
	hm=$((v * (P + 4) + R + 4 + 4)) hu=$((v * (P + 4) + 4 + 4))
	check_json "$f" ".contexts[$c].harness.resident_maps" 16 "ctx $c resident mapped once"
	check_json "$f" ".contexts[$c].phases.setup.roles.map.count" 16 "ctx $c setup maps"
	check_json "$f" ".contexts[$c].harness.map_calls" "$hm" "ctx $c harness maps"
	check_json "$f" ".contexts[$c].harness.unmap_calls" "$hu" "ctx $c harness unmaps"
	check_json "$f" ".contexts[$c].kernel.roles.map.count" "$hm" "ctx $c kernel maps = ioctls"
	check_json "$f" ".contexts[$c].kernel.roles.unmap.count" "$hu" "ctx $c kernel unmaps = ioctls"
	check_json "$f" ".contexts[$c].kernel.roles.switch.count" 2 "ctx $c replaced into twice"
done
check_json "$f" '.domains.instances' 8 "one domain per context, alive all run"
check_json "$f" '.domains.pointer_reuses' 0
check_true "$f" '.checks.isolation.run >= 16' "isolation checks run"
check_json "$f" '.checks.isolation.failed' 0
check_json "$f" '.checks.isolation.positive_failed' 0
check_true "$f" '([.contexts[].kernel.tlb_inv_count] | add) + .deferred.tlb_inv_count == .ops.tlb_inv.count' \
	"tlb_inv: contexts + deferred = total"
check_eq "summary names the kind" "$(grep -c '^switches: 16 of kind replace' "$out/replace.txt")" 1

# the same scenario rebinding on the same kernel, for comparison
r=$out/rebind.json
check_json "$r" '.switch_kind' rebind
check_json "$r" '.ops.switch.rebind.count' 16
check_json "$r" '.checks.isolation.failed' 0
# what replace saves per switch, exactly: the rebind re-maps the 16
# resident pages and attaches a fresh domain; the replace does neither
check_json "$r" '.ops.switch.rebind.steps.remap_resident.kernel.roles.map.count' $((16 * 16))
check_true "$r" '.ops.switch.rebind.steps.set_iommu.kernel.roles.attach.count == 16' "rebind attaches 16 domains"
rp=$(jq .derived.tlb_inv_per_switch.value "$f") rb=$(jq .derived.tlb_inv_per_switch.value "$r")
check_eq "replace: fewer invalidations per switch than rebind ($rp vs $rb)" \
	"$(awk -v a="$rp" -v b="$rb" 'BEGIN { print (a < b) ? "yes" : "no" }')" yes

lab_done iommufd
