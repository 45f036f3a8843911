#!/bin/sh
# A performance gate for a CI job on a self-hosted runner that has the device
# under test: runs SCENARIO on DEVICE (the candidate), compares it with a
# BASELINE results document, writes the JUnit file and the Markdown summary
# (also appended to $GITHUB_STEP_SUMMARY when that is set) and exits with the
# gate's status. POSIX sh: it runs under busybox too (the lab test
# tests/lab/test_vtd_nvme.sh runs it in the x86-vtd guest on an NVMe controller).
usage() {
	cat <<'USAGE'
usage: ci/hardware-gate.sh [OPTIONS] DEVICE SCENARIO BASELINE.json

Runs   iommubench run SCENARIO --device DEVICE --bind -R N -o OUT/candidate.json
then   iommubench report OUT/candidate.json BASELINE.json --fail-above PCT --format junit -o OUT/report.xml
and    iommubench report OUT/candidate.json BASELINE.json --fail-above PCT --format md -o OUT/summary.md
(appended to $GITHUB_STEP_SUMMARY when it is set).

  --fail-above PCT   the gate's threshold (default 10)
  --gate LIST        gated figures (default: report's, the map/unmap/switch p50 and p99)
  -R N               repetitions of the candidate run (default 3; 3 or more for a verdict)
  --out DIR          where the files go (default iommubench-gate); must not hold them already
  --candidate FILE   compare this results document instead of running SCENARIO
  -h, --help         this text

exit status: 0 within the gate, 1 the gate tripped (a gated figure, or a failed or
interrupted candidate run), 2 usage error or a step that could not be done
USAGE
}
fail_above=10 gate='' reps=3 out=iommubench-gate cand=''
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--fail-above) [ $# -ge 2 ] || { usage >&2; exit 2; }; fail_above=$2; shift 2 ;;
	--gate) [ $# -ge 2 ] || { usage >&2; exit 2; }; gate=$2; shift 2 ;;
	-R) [ $# -ge 2 ] || { usage >&2; exit 2; }; reps=$2; shift 2 ;;
	--out) [ $# -ge 2 ] || { usage >&2; exit 2; }; out=$2; shift 2 ;;
	--candidate) [ $# -ge 2 ] || { usage >&2; exit 2; }; cand=$2; shift 2 ;;
	-*) echo "hardware-gate: unknown option $1" >&2; usage >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 3 ] || { usage >&2; exit 2; }
# shellcheck source=ci/candidate.sh
. "$(dirname "$0")/candidate.sh"
dev=$1 scenario=$2 base=$3
mkdir -p "$out" || exit 2
if [ -z "$cand" ]; then
	cand=$out/candidate.json
	ci_candidate hardware-gate "$scenario" "$dev" "$reps" "$cand"
fi
set -- --fail-above "$fail_above"
[ -z "$gate" ] || set -- "$@" --gate "$gate"
iommubench report "$cand" "$base" "$@" --format junit -o "$out/report.xml"
status=$?
[ "$status" -le 1 ] || exit 2
iommubench report "$cand" "$base" "$@" --format md -o "$out/summary.md"
[ "$?" -le 1 ] || exit 2
[ -z "${GITHUB_STEP_SUMMARY:-}" ] || cat "$out/summary.md" >> "$GITHUB_STEP_SUMMARY"
[ "$status" -eq 0 ] && echo "hardware-gate: within the gate (--fail-above $fail_above)" ||
	echo "hardware-gate: gate tripped (--fail-above $fail_above): see $out/summary.md" >&2
exit "$status"
