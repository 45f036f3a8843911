#!/usr/bin/env bash
# How `iommubench report` scales with the number of hooks in a document:
# one-run reports and comparisons of generated documents (BENCH_HOOKS,
# default 1000 5000 20000 50000 hooks; N/20 contexts): CPU time (user +
# system: wall time on a shared machine mostly measures the other jobs; it
# is recorded too) and peak RSS, from /usr/bin/time. Prints a table, writes
# results/bench/report-scaling.json and the growth of CPU time per step
# (equal to the size ratio when linear). Usage: tests/bench/report-scaling.sh PATH-TO-IOMMUBENCH
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

# measure LABEL ARGS...: CPU seconds, wall seconds and peak RSS (KiB) of one report
measure() {
	local label=$1
	shift
	/usr/bin/time -f '%U %S %e %M' -o "$tmp/time" "$bin" report "$@" --max-size 4096 > /dev/null 2> "$tmp/err"
	local rc=$?
	if [ $rc -ne 0 ]; then
		echo "report-scaling: $label: exit $rc: $(head -c 300 "$tmp/err")" >&2
		return 1
	fi
	tail -n 1 "$tmp/time" | awk '{ printf "%.2f %s %s\n", $1 + $2, $3, $4 }'
}

rows=()
printf '%8s %9s %13s %13s %11s %14s %14s %12s\n' hooks "doc MiB" "single cpu s" "single wall s" "single MiB" \
	"compare cpu s" "compare wall s" "compare MiB"
for n in $sizes; do
	/usr/bin/python3 "$here/gen-report-doc.py" "$n" 1 "$tmp/base-$n.json" &&
		/usr/bin/python3 "$here/gen-report-doc.py" "$n" 2 "$tmp/cand-$n.json" || exit 1
	bytes=$(stat -c %s "$tmp/base-$n.json")
	m=$(measure "single $n" "$tmp/base-$n.json") || exit 1
	read -r s_t s_w s_kb <<< "$m"
	m=$(measure "compare $n" "$tmp/cand-$n.json" "$tmp/base-$n.json") || exit 1
	read -r c_t c_w c_kb <<< "$m"
	printf '%8d %9.1f %13.2f %13.2f %11.1f %14.2f %14.2f %12.1f\n' "$n" "$(bc -l <<< "$bytes/1048576")" \
		"$s_t" "$s_w" "$(bc -l <<< "$s_kb/1024")" "$c_t" "$c_w" "$(bc -l <<< "$c_kb/1024")"
	rows+=("{\"hooks\": $n, \"doc_bytes\": $bytes, \"single_cpu_s\": $s_t, \"single_wall_s\": $s_w, \"single_rss_kib\": $s_kb, \"compare_cpu_s\": $c_t, \"compare_wall_s\": $c_w, \"compare_rss_kib\": $c_kb}")
	rm -f "$tmp/base-$n.json" "$tmp/cand-$n.json"
done
json=$(IFS=,; echo "[${rows[*]}]")
# growth: each measure's ratio between consecutive sizes, against the size ratio
growth=$(jq -c '[range(1; length) as $i | {from: .[$i-1].hooks, to: .[$i].hooks,
	size_ratio: (.[$i].hooks / .[$i-1].hooks),
	compare_time_ratio: (if .[$i-1].compare_cpu_s > 0 then (.[$i].compare_cpu_s / .[$i-1].compare_cpu_s * 100 | round / 100) else null end),
	single_time_ratio: (if .[$i-1].single_cpu_s > 0 then (.[$i].single_cpu_s / .[$i-1].single_cpu_s * 100 | round / 100) else null end),
	rss_per_doc_byte: ((.[$i].single_rss_kib * 1024 / .[$i].doc_bytes) * 10 | round / 10)}]' <<< "$json")
jq -n --argjson rows "$json" --argjson growth "$growth" --arg host "$(uname -srm)" --arg nproc "$(nproc)" \
	'{benchmark: "report-scaling", host: $host, cpus: ($nproc | tonumber),
	  note: "generated documents (tests/bench/gen-report-doc.py): N hooks in hooks[] and ops.*.hooks, N/20 contexts; CPU time (user + system), wall time and peak RSS of iommubench report (one run, and candidate against baseline) from /usr/bin/time; growth compares CPU times: linear growth is a time ratio equal to the size ratio",
	  rows: $rows, growth: $growth}' > "$out/report-scaling.json.tmp" && mv "$out/report-scaling.json.tmp" "$out/report-scaling.json"
jq -r '.growth[] | "growth \(.from) -> \(.to) hooks (x\(.size_ratio)): CPU time of a comparison x\(.compare_time_ratio), of a one-run report x\(.single_time_ratio); peak RSS \(.rss_per_doc_byte) bytes per document byte"' "$out/report-scaling.json"
echo "report-scaling: wrote $out/report-scaling.json"
