# Helpers for lab tests (sourced). Each check prints a line only on failure
# and counts; lab_done prints the tally "NAME: N passed, M failed".
LAB_PASSED=0
LAB_FAILED=0

# lab_setup NAME: cd to the repository and make $out, a results folder the
# guest can write (results/ is shared over 9p), removed on exit.
lab_setup() {
	cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
	out=results/.lab-tests/$1-$$
	rm -rf "$out"
	mkdir -p "$out"
	[ -n "${IOMMUBENCH_KEEP:-}" ] || trap 'rm -rf "$out"' EXIT
}

pass() { LAB_PASSED=$((LAB_PASSED + 1)); }
fail() { LAB_FAILED=$((LAB_FAILED + 1)); printf '  FAIL: %s\n' "$*"; }

# check_eq WHAT ACTUAL EXPECTED
check_eq() {
	if [ "$2" = "$3" ]; then pass; else fail "$1: got '$2', expected '$3'"; fi
}

# check_json FILE JQ-EXPR EXPECTED [WHAT]
check_json() {
	local v
	v=$(jq -r "$2" "$1" 2>&1) || v="(jq failed: $v)"
	check_eq "${4:-$2} in $(basename "$1")" "$v" "$3"
}

# check_true FILE JQ-EXPR WHAT: the expression must be true
check_true() {
	check_json "$1" "$2" true "$3"
}

# lab_booted RC NAME: the guest script's status must be 0; otherwise
# nothing it was to write can be checked: tally and stop.
lab_booted() {
	check_eq "lab/run exit status" "$1" 0
	if [ "$1" -ne 0 ]; then
		lab_done "$2"
		exit 1
	fi
}

lab_done() {
	echo "$1: $LAB_PASSED passed, $LAB_FAILED failed"
	[ "$LAB_FAILED" -eq 0 ]
}

# Guest shell code for `lab/run x86-vtd -- sh -c "$LAB_FIND_NVME ..."`: sets
# nvme to the PCI address of x86-vtd's NVMe controller (1b36:0010), or exits
# 10 when there is none.
# shellcheck disable=SC2016  # expanded by the guest's shell
LAB_FIND_NVME='nvme=
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat $d/vendor):$(cat $d/device)" = 0x1b36:0x0010 ] && nvme=$(basename $d)
	done
	[ -n "$nvme" ] || exit 10'

# lab_host_tool DIR TOOL...: the host's TOOLs for the busybox guest (an x86
# guest: the host's libraries run there), started through the host's dynamic
# loader: DIR/bin/TOOL wrappers, DIR/lib the program and its libraries. The
# loader is started as DIR/ld/TOOL (a symlink), so that the process is named
# TOOL, as it would be on a machine with the tool installed. DIR must be
# below the repository, which the guest mounts at the same place.
lab_host_tool() {
	local dir=$1 t l
	shift
	mkdir -p "$dir/bin" "$dir/lib" "$dir/ld"
	for t in "$@"; do
		for l in $(ldd "$(command -v "$t")" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*ld-linux[^ ]*\).*/\1/p'); do
			cp -L "$l" "$dir/lib/"
		done
		cp -L "$(command -v "$t")" "$dir/lib/$t"
		# shellcheck disable=SC2016  # expanded by the guest's shell
		ln -sfn ../lib/ld-linux-x86-64.so.2 "$dir/ld/$t"
		printf '#!/bin/sh\nd=${0%%/bin/*}\nexec "$d"/ld/%s --library-path "$d"/lib "$d"/lib/%s "$@"\n' "$t" "$t" > "$dir/bin/$t"
		chmod +x "$dir/bin/$t"
	done
}

# check_run FILE TARGET KERNEL-PREFIX M U: what every basic-style run must
# hold besides its driver's counts: the target and kernel, emulated timings,
# no error, the harness's own M MAP_DMA and U UNMAP_DMA calls, every timed
# call completed, no probe bookkeeping problem, the interrupt level read on
# every event (drops.irq_unknown) and no missed run.
check_run() {
	local f=$1
	check_json "$f" ".host.kernel | startswith(\"$3\")" true "host.kernel starts with $3"
	check_json "$f" '.lab.target' "$2"
	check_json "$f" '.timings_emulated' true
	check_json "$f" '.interrupted' false
	check_json "$f" '.error' null
	check_json "$f" '.harness.map_calls' "$4"
	check_json "$f" '.harness.unmap_calls' "$5"
	check_json "$f" '[.ops[] | (.hooks // {})[] | select(.timed) | .entries == .count] | all' true "entries == count"
	check_json "$f" '.drops.unmatched_exit + .drops.stack_overflow + .drops.task_map_full' 0 "probe problems"
	check_json "$f" '.drops.irq_unknown' 0
	check_json "$f" '[.hooks[] | select(.attached) | .misses] | add' 0 "recursion misses"
}

# hook_count FILE ROLE HOOK EXPECTED: the count of one hook under its role
hook_count() {
	check_json "$1" ".ops.$2.hooks[\"$3\"].count" "$4" "$3 ($2)"
}

# hook_mode FILE HOOK MODE: how a hook attached (hooks --json or a result)
hook_mode() {
	check_json "$1" "[.hooks[] | select(.name == \"$2\") | select(.attached) | .mode] | join(\",\")" "$3" "$2 attached by"
}

# shared_names_by_address HOOKS-JSON: the static names arm-smmu v2 and v3
# share attach once per driver, by kprobe at the instance's own address
# (two different addresses), each labelled with its driver
shared_names_by_address() {
	local f l
	for f in arm_smmu_attach_dev arm_smmu_iotlb_sync arm_smmu_map_pages arm_smmu_unmap_pages \
		arm_smmu_flush_iotlb_all; do
		for l in arm-smmu arm-smmu-v3; do
			check_json "$1" "[.hooks[] | select(.id == \"$f@$l\") | select(.attached) |
				.mode + \" \" + .driver + \" \" + (.functions_named_so | tostring)] | join(\",\")" \
				"kprobe $l 2" "$f@$l attached by address"
		done
		check_true "$1" "[.hooks[] | select(.name == \"$f\") | .address] | unique | length == 2" \
			"$f: two addresses"
	done
}
