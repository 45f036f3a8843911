#!/usr/bin/env bash
# Lab soak on x86-vtd (Debian 6.1, emulated VT-d): tests/data/lab/soak.ini,
# 64 contexts on one device, random rebinds among them and map/remap/unmap
# churn in every visit, for minutes of guest time. While it runs the guest
# samples iommubench's RSS and open file descriptors every second.
# Asserts: every count the probes report equals what the harness issued,
# per the model in docs/vfio-type1-model.md ("Contexts and rebinds"), with
# the expected figures derived from the scenario file; no probe drops (and
# the summary says the same); memory and descriptors flat after warm-up.
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
lab_setup soak
sc=tests/data/lab/soak.ini

# ini KEY: the value of KEY in the scenario (comments and blanks dropped)
ini() { sed -n "s/^$1=\([^ ;]*\).*/\1/p" "$sc"; }
C=$(ini contexts) S=$(ini switches) L=$(ini loops) W=$(ini warmup) P=$(ini pages) R=$(ini resident)
W=${W:-0}
check_eq "soak.ini: invalidate=page (the model below)" "$(ini invalidate)" page
check_eq "soak.ini: no isolation checks (their DMAs take 100 ms each)" "$(ini checks)" 0
# working-set ioctls per visit, from ops= (invalidate=page: one per mapping)
vm=0 vu=0
for op in $(ini ops | tr ',' ' '); do
	case $op in
	map) vm=$((vm + P)) ;;
	unmap) vu=$((vu + P)) ;;
	remap) vm=$((vm + P)) vu=$((vu + P)) ;;
	esac
done
passes=$((L + W))
V=$((passes * (S + 1)))		# visits
A=$((passes * S + 1))		# attaches: every rebind, and the first attach
HM=$((V * vm + R * A))		# MAP_DMA: working set, and the resident set at each attach
HU=$((V * vu))			# UNMAP_DMA: working set (type1 drops the resident set itself)

t0=$(date +%s)
lab/run x86-vtd -- sh -c "
	IOMMUBENCH_PROGRESS_SECONDS=1 iommubench run $sc -o $out/soak.json > $out/soak.txt 2> $out/soak.err &
	pid=\$!
	t=0
	while kill -0 \$pid 2> /dev/null; do
		rss=\$(awk '/^VmRSS:/ { print \$2 }' /proc/\$pid/status 2> /dev/null)
		fds=\$(ls /proc/\$pid/fd 2> /dev/null | wc -l)
		op=\$(sed -n 's|^iommubench: op \([0-9]*\)/.*|\1|p' $out/soak.err | tail -n 1)
		[ -n \"\$rss\" ] && echo \"\$t \$rss \$fds \${op:-0}\" >> $out/rss.txt
		sleep 1
		t=\$((t + 1))
	done
	wait \$pid"
lab_booted $? soak
wall=$(($(date +%s) - t0))

f=$out/soak.json
echo "soak: lab/run took ${wall} s (waiting for the lab and boot included); guest run $(jq -r '(.finished | sub("\\.[0-9]+Z$"; "Z") | fromdate) - (.started | sub("\\.[0-9]+Z$"; "Z") | fromdate)' "$f" 2> /dev/null) s"
check_json "$f" '.error' null
check_json "$f" '.interrupted' false
check_json "$f" '.contexts | length' "$C"
check_json "$f" '.harness.switches_all_passes' $((passes * S)) "rebinds issued"
check_json "$f" '.ops.switch.rebind.count' $((L * S)) "rebinds measured"
check_json "$f" '.harness.map_calls' "$HM" "MAP_DMA issued"
check_json "$f" '.harness.unmap_calls' "$HU" "UNMAP_DMA issued"
# the probes, whole run: type1's fgsp probe maps once and unmaps twice per
# new domain, and each leave drops the R resident mappings
check_json "$f" '.ops.map.count' $((HM + A)) "kernel maps"
check_json "$f" '.ops.unmap.count' $((HU + 2 * A + R * A)) "kernel unmaps"
check_json "$f" '.ops.attach.count' "$A" "attaches"
check_json "$f" '.ops.detach.count' "$A" "detaches"
# per context, with a its attaches (each left once, the last at teardown)
# and v = its UNMAP_DMA calls / $vu its visits: harness MAP_DMA v*$vm + R*a,
# kernel maps harness + a, kernel unmaps harness + (2 + R)*a, detaches a
check_json "$f" '[.contexts | to_entries[] | .key as $c | .value | (.kernel.roles.attach.count // 0) as $a |
	(.harness.unmap_calls / '"$vu"') as $v |
	select($a < 1 or ($v | floor) != $v or .harness.map_calls != $v * '"$vm"' + '"$R"' * $a or
	       .kernel.roles.map.count != .harness.map_calls + $a or
	       .kernel.roles.unmap.count != .harness.unmap_calls + (2 + '"$R"') * $a or
	       (.kernel.roles.detach.count // 0) != $a) | $c] | join(",")' \
	"" "contexts whose counts differ from the model"
check_json "$f" '[.contexts[].kernel.roles.attach.count] | add' "$A" "attaches over the contexts"
check_json "$f" '[.contexts[].harness.unmap_calls] | add / '"$vu" "$V" "visits over the contexts"
check_true "$f" '([.contexts[].harness.map_calls] | add) == .harness.map_calls' "contexts add up to the harness"
check_true "$f" '([.contexts[].kernel.roles.map.count] | add) + (.deferred.roles.map.count // 0) == .ops.map.count' \
	"map: contexts + deferred = total"
check_json "$f" '[.ops[] | (.hooks // {})[] | select(.timed) | .entries == .count] | all' true "entries == count"
check_json "$f" '[.hooks[] | select(.attached) | .misses] | add' 0 "recursion misses"
# every attach and detach reached user space; the log keeps the first
# events_kept, and when that is not all of them the summary says so
check_json "$f" '.domains.events' $((2 * A)) "domain events: an attach and a detach per domain"
check_json "$f" '.domains.events_dropped' 0
check_json "$f" '.domains.instances' "$(jq '.domains.events_kept / 2' "$f")" "one domain per attach kept"
check_eq "summary: domain log full said exactly when it is" "$(grep -c '^domain log full: ' "$out/soak.txt")" \
	"$(jq '.domains.events_kept < .domains.events | if . then 1 else 0 end' "$f")"
# drops: none, and the summary says nothing of any
check_json "$f" '[.drops[]] | add' 0 "drops (every counter)"
check_eq "summary reports no probe problems" "$(grep -c 'probe problems' "$out/soak.txt")" 0

# memory flat. The churn is where the run's progress line (every second
# here, IOMMUBENCH_PROGRESS_SECONDS=1: the plan op reached) moves on: from the first sample after one appeared to the
# last sample where it had moved since the one before, that one left out as
# the loop may have ended just after the line (before the churn the probes
# load and the 64 containers open; after it they close and the probes detach). Skipping its
# first two samples (the first rebinds), RSS may grow by no more than the
# per-ioctl timings the run keeps by design (16 bytes per timed ioctl and up
# to 8 per rebind, all of them counted here: an upper bound) and one 4 KiB
# page per 64 KiB of them for the allocator; the open descriptors (the
# containers, the group, the device and the probes' BPF objects) stay put
# but for the device's, which a rebind closes and reopens.
n=$(wc -l < "$out/rss.txt")
awk '$4 > 0 { a[++k] = $0; if ($4 != prev) last = k; prev = $4 } END { for (i = 1; i < last; i++) print a[i] }' \
	"$out/rss.txt" > "$out/churn.txt"
nc=$(wc -l < "$out/churn.txt")
# the window must span the churn: its third sample (where RSS is first
# taken) within the first third of the plan, its last in the last third
plan=$(sed -n 's|^iommubench: op [0-9]*/\([0-9]*\) .*|\1|p' "$out/soak.err" | tail -n 1)
o3=$(awk 'NR == 3 { print $4 }' "$out/churn.txt") oz=$(awk 'END { print $4 }' "$out/churn.txt")
echo "soak: churn window from op ${o3:-?} to op ${oz:-?} of ${plan:-?}"
check_eq "samples in the churn ($nc of $n, every 1 s)" "$((nc >= 5))" 1
check_eq "the window spans the churn (op ${o3:-?} to ${oz:-?} of ${plan:-?})" \
	"$((${plan:-0} > 0 && ${o3:-0} * 3 <= ${plan:-0} && ${oz:-0} * 3 >= 2 * ${plan:-0}))" 1
first=$(awk 'NR == 3 { print $2 }' "$out/churn.txt")
last=$(tail -n 3 "$out/churn.txt" | awk '{ if ($2 > m) m = $2 } END { print m }')
kept=$(jq '(.harness.map_calls + .harness.unmap_calls + 8 * .harness.switches_all_passes) * 16 * 17 / 16 / 1024 | floor' "$f")
fds=$(awk 'NR > 2 { print $3 }' "$out/churn.txt" | sort -un | tr '\n' ' ')
echo "soak: RSS ${first:-?} kB after warm-up, ${last:-?} kB at the end of the churn (allowed growth:" \
	"$kept kB of timings kept); descriptors: $fds; $nc samples in the churn of $n"
check_eq "RSS growth in the churn (${first:-?} -> ${last:-?} kB) within the timings kept ($kept kB)" \
	"$((${last:-0} - ${first:-0} <= kept && ${first:-0} > 0))" 1
check_eq "descriptors in the churn ($fds): the same but for the device's reopen" \
	"$(awk 'NR > 2 { print $3 }' "$out/churn.txt" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print (NR > 0 && hi - lo <= 1) }')" 1
lab_done soak
