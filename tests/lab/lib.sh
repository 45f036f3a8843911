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
	trap 'rm -rf "$out"' EXIT
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
