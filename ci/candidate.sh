# shellcheck shell=sh
# Sourced by ci/hardware-gate.sh and ci/lava/gate-to-lava.sh (POSIX sh).
#
# ci_candidate WHO SCENARIO DEVICE REPETITIONS FILE: run the candidate
# (binding DEVICE to vfio-pci for the run) into FILE. A run that failed
# still writes its result with `error` set, and `report` trips the gate on
# it; only a run that wrote nothing stops the caller, with exit status 2.
ci_candidate() {
	iommubench run "$2" --device "$3" --bind -R "$4" -o "$5"
	ci_rc=$?
	[ "$ci_rc" -eq 0 ] || [ -f "$5" ] || { echo "$1: run exited $ci_rc, no result" >&2; exit 2; }
}
