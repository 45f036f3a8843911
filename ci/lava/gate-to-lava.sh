#!/bin/sh
# The step of ci/lava/iommubench-gate.yaml: runs SCENARIO on DEVICE, compares
# it with BASELINE (report --format json) and reports each gated figure to
# LAVA as a test case with its measurement:
#   lava-test-case NAME --result pass|fail --measurement V --units ns|count
# timings: the candidate's median in ns; counts: the candidate's count. A
# case fails when its figure trips the gate; a figure not compared (too few
# repetitions, not measured) is a skip without measurement. A last case,
# "gate", is the gate's verdict (it also fails on a failed or interrupted run).
# Parameters come from the environment, as LAVA passes a definition's params:
#   DEVICE (required), BASELINE (required), SCENARIO (scenarios/basic.ini),
#   FAIL_ABOVE (10), GATE (report's default), REPETITIONS (3),
#   OUT (lava-gate; must not hold a previous run's files), CANDIDATE (a
#   results document made elsewhere: gated instead of running SCENARIO)
# Needs iommubench, jq and lava-test-case on PATH. Exits with the gate's
# status (0 within, 1 tripped, 2 could not run). POSIX sh (busybox too).
: "${SCENARIO:=scenarios/basic.ini}" "${FAIL_ABOVE:=10}" "${REPETITIONS:=3}" "${OUT:=lava-gate}"
if [ -z "${DEVICE:-}" ] || [ -z "${BASELINE:-}" ]; then
	echo "gate-to-lava: set DEVICE and BASELINE (the test definition's params)" >&2
	exit 2
fi
mkdir -p "$OUT" || exit 2
# shellcheck source=ci/candidate.sh
. "$(dirname "$0")/../candidate.sh"
if [ -z "${CANDIDATE:-}" ]; then
	CANDIDATE=$OUT/candidate.json
	ci_candidate gate-to-lava "$SCENARIO" "$DEVICE" "$REPETITIONS" "$CANDIDATE"
fi
set -- --fail-above "$FAIL_ABOVE"
[ -z "${GATE:-}" ] || set -- "$@" --gate "$GATE"
iommubench report "$CANDIDATE" "$BASELINE" "$@" --format json -o "$OUT/report.json"
status=$?
[ "$status" -le 1 ] || exit 2
# one line per gated figure: NAME RESULT [MEASUREMENT UNITS]
jq -r '. as $m | .settings.gate[] as $g
	| ([$m.timings.figures[]? | select(.figure == $g)][0]) as $t
	| ([$m.counts[] | select(.figure == $g)][0]) as $c
	| if $t != null and ($t.cand_median | type) == "number" then
		"\($g) \(if $t.tripped then "fail" else "pass" end) \($t.cand_median) ns"
	  elif $t == null and $c != null then
		"\($g) \(if $c.tripped then "fail" else "pass" end) \($c.cand) count"
	  else "\($g) skip" end' "$OUT/report.json" > "$OUT/cases" || exit 2
while read -r name result value units; do
	if [ -n "$value" ]; then
		lava-test-case "$name" --result "$result" --measurement "$value" --units "$units"
	else
		lava-test-case "$name" --result "$result"
	fi
done < "$OUT/cases"
[ "$status" -eq 0 ] && lava-test-case gate --result pass || lava-test-case gate --result fail
exit "$status"
