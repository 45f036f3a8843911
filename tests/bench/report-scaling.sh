#!/usr/bin/env bash
# How `iommubench report` scales with the number of hooks in a document:
# one-run reports and comparisons of generated documents (BENCH_HOOKS,
# default 1000 5000 20000 50000 hooks; N/20 contexts), wall time and peak
# RSS (/usr/bin/time -v). Prints a table, writes
# results/bench/report-scaling.json and the growth per 4x size (4x for
# linear). Usage: tests/bench/report-scaling.sh PATH-TO-IOMMUBENCH
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
sizes=${BENCH_HOOKS:-1000 5000 20000 50000}
out=${BENCH_OUT:-results/bench}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ ! -x /usr/bin/time ]; then
	echo "report-scaling: /usr/bin/time is missing: apt-get install time (scripts/deps.sh installs it)" >&2
	exit 1
fi
mkdir -p "$out" || { echo "report-scaling: cannot create $out" >&2; exit 1; }

# measure LABEL ARGS...: wall seconds and peak RSS (KiB) of one report
measure() {
	local label=$1
	shift
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$bin" report "$@" --max-size 4096 > /dev/null 2> "$tmp/err"
	local rc=$?
	if [ $rc -ne 0 ]; then
		echo "report-scaling: $label: exit $rc: $(head -c 300 "$tmp/err")" >&2
		return 1
	fi
	tail -n 1 "$tmp/time"
}

rows=()
printf '%8s %10s %12s %12s %12s %12s\n' hooks "doc MiB" "single s" "single MiB" "compare s" "compare MiB"
for n in $sizes; do
	/usr/bin/python3 "$here/gen-report-doc.py" "$n" 1 "$tmp/base-$n.json" &&
		/usr/bin/python3 "$here/gen-report-doc.py" "$n" 2 "$tmp/cand-$n.json" || exit 1
	bytes=$(stat -c %s "$tmp/base-$n.json")
	read -r s_t s_kb < <(measure "single $n" "$tmp/base-$n.json") || exit 1
	read -r c_t c_kb < <(measure "compare $n" "$tmp/cand-$n.json" "$tmp/base-$n.json") || exit 1
	printf '%8d %10.1f %12.2f %12.1f %12.2f %12.1f\n' "$n" "$(bc -l <<< "$bytes/1048576")" "$s_t" \
		"$(bc -l <<< "$s_kb/1024")" "$c_t" "$(bc -l <<< "$c_kb/1024")"
	rows+=("{\"hooks\": $n, \"doc_bytes\": $bytes, \"single_s\": $s_t, \"single_rss_kib\": $s_kb, \"compare_s\": $c_t, \"compare_rss_kib\": $c_kb}")
	rm -f "$tmp/base-$n.json" "$tmp/cand-$n.json"
done
json=$(IFS=,; echo "[${rows[*]}]")
# growth: each measure's ratio between consecutive sizes, against the size ratio
growth=$(jq -c '[range(1; length) as $i | {from: .[$i-1].hooks, to: .[$i].hooks,
	size_ratio: (.[$i].hooks / .[$i-1].hooks),
	compare_time_ratio: (if .[$i-1].compare_s > 0 then (.[$i].compare_s / .[$i-1].compare_s * 100 | round / 100) else null end),
	single_time_ratio: (if .[$i-1].single_s > 0 then (.[$i].single_s / .[$i-1].single_s * 100 | round / 100) else null end),
	rss_per_doc_byte: ((.[$i].single_rss_kib * 1024 / .[$i].doc_bytes) * 10 | round / 10)}]' <<< "$json")
jq -n --argjson rows "$json" --argjson growth "$growth" --arg host "$(uname -srm)" --arg nproc "$(nproc)" \
	'{benchmark: "report-scaling", host: $host, cpus: ($nproc | tonumber),
	  note: "generated documents (tests/bench/gen-report-doc.py): N hooks in hooks[] and ops.*.hooks, N/20 contexts; wall time and peak RSS of iommubench report (one run, and candidate against baseline) from /usr/bin/time; linear growth is a time ratio equal to the size ratio",
	  rows: $rows, growth: $growth}' > "$out/report-scaling.json.tmp" && mv "$out/report-scaling.json.tmp" "$out/report-scaling.json"
jq -r '.growth[] | "growth \(.from) -> \(.to) hooks (x\(.size_ratio)): comparison time x\(.compare_time_ratio), one-run time x\(.single_time_ratio); peak RSS \(.rss_per_doc_byte) bytes per document byte"' "$out/report-scaling.json"
echo "report-scaling: wrote $out/report-scaling.json"
