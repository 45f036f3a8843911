#!/usr/bin/env bash
# `report` on hostile results documents (tests/data/report/hostile-*.json,
# written by make-hostile.py): no format lets a string from the document
# run a command (gnuplot), inject markup (HTML, Markdown), break the XML
# (JUnit) or reach the terminal as a control sequence; -o leaves no partial
# file and no temporary file behind when writing fails.
# Usage: tests/test-report-hostile.sh PATH-TO-IOMMUBENCH
set -u
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab/lib.sh
. "$here/lab/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
D=tests/data/report
# Debian's python3 (make deps); a version manager's shim costs seconds a call
py=/usr/bin/python3
[ -x $py ] || py=python3
chk="$py $here/check-report-output.py"
export IB_HOSTILE_MARKER=$tmp/marker
mkdir "$tmp/plots"

# name|arguments: single runs (hardware, lab, trace) and comparisons
cases=("a|$D/hostile-a.json" "lab|$D/hostile-lab.json" "trace|$D/hostile-trace.json"
	"ba|$D/hostile-b.json $D/hostile-a.json" "lablab|$D/hostile-lab.json $D/hostile-lab.json")
for c in "${cases[@]}"; do
	name=${c%%|*}
	for fmt in md html junit json; do
		o=$tmp/$name.$fmt
		# shellcheck disable=SC2086
		TMPDIR=$tmp/plots "$bin" report ${c#*|} --format $fmt > "$o" 2> "$o.err"
		check_eq "$name $fmt: exit 0" $? 0
		check_eq "$name $fmt: no command run (gnuplot)" "$(ls "$IB_HOSTILE_MARKER" 2> /dev/null)" ""
		rm -f "$IB_HOSTILE_MARKER"
		check_eq "$name $fmt: stdout has no raw control bytes" "$($chk bytes "$o")" ok
		check_eq "$name $fmt: stderr has no raw control bytes" "$($chk bytes "$o.err")" ok
		# one run's JSON is the document itself
		orig=
		case $c in *" "*) ;; *) [ "$fmt" = json ] && orig=${c#*|} ;; esac
		check_eq "$name $fmt: well-formed, nothing injected" "$($chk $fmt "$o" ${orig:+"$orig"})" ok
	done
	check_eq "$name: the HTML has its plots" "$(grep -c '<svg' "$tmp/$name.html")" \
		"$(grep -c '<figcaption>' "$tmp/$name.html")"
done
# lab.smmu's counter names (document keys) reach the Markdown report escaped
check_eq "lab md: the lab.smmu line is there" "$(grep -c "MMU-500 model (lab/qemu), not by the kernel" "$tmp/lab.md")" 1
check_eq "lab md: a hostile lab.smmu name shown escaped" \
	"$(grep "MMU-500 model" "$tmp/lab.md" | grep -c 'cnt&lt;/title&gt;')" 1
check_eq "no plot files left behind" "$(ls -A "$tmp/plots")" ""
# every role with a histogram (hostile names included) has its plot
check_eq "gnuplot drew the histograms of the hostile roles" "$(grep -c 'latency histogram' "$tmp/a.html")" \
	"$(jq '[.ops | to_entries[] | select(.key != "switch" and .value.count > 0 and
		(.value.hist_ns.counts | length) > 0)] | length' $D/hostile-a.json)"

# error messages quoting the document: escaped too
printf '{"schema": "\\u001b[2J\\u009b1m"}' > "$tmp/schema.json"
"$bin" report "$tmp/schema.json" 2> "$tmp/schema.err"
check_eq "bad schema: exit 2" $? 2
check_eq "bad schema: message without raw control bytes" "$($chk bytes "$tmp/schema.err")" ok
check_eq "bad schema: the escape shown as text" "$(grep -c 'schema is .\\x1b\[2J\\u009b1m' "$tmp/schema.err")" 1
printf '{"schema": "iommubench/1",\n\033[2J}' > "$tmp/bad.json"
"$bin" report "$tmp/bad.json" 2> "$tmp/bad.err"
check_eq "invalid JSON: exit 2" $? 2
check_eq "invalid JSON: message without raw control bytes" "$($chk bytes "$tmp/bad.err")" ok

# gnuplot failing: the page says so, and its files are removed all the same
mkdir "$tmp/bin"
printf '#!/bin/sh\necho "<svg broken" ; exit 3\n' > "$tmp/bin/gnuplot"
chmod +x "$tmp/bin/gnuplot"
PATH=$tmp/bin:$PATH TMPDIR=$tmp/plots "$bin" report $D/base.json --format html > "$tmp/fail.html"
check_eq "gnuplot fails: exit 0" $? 0
check_eq "gnuplot fails: said for every plot" "$(grep -c 'no plot: gnuplot failed' "$tmp/fail.html")" \
	"$(grep -c '<figure>' "$tmp/fail.html")"
check_eq "gnuplot fails: its output not on the page" "$(grep -c '<svg broken' "$tmp/fail.html")" 0
check_eq "gnuplot fails: no plot files left behind" "$(ls -A "$tmp/plots")" ""

# -o: a write that fails (over RLIMIT_FSIZE: EFBIG, as ENOSPC would) leaves
# neither a partial report nor a temporary file, and a rerun can write it
mkdir "$tmp/o"
(ulimit -f 4; exec "$bin" report $D/hostile-a.json -o "$tmp/o/r.md") 2> "$tmp/o.err"
check_eq "-o, write fails: exit 2" $? 2
check_eq "-o, write fails: errno named" "$(grep -c 'File too large' "$tmp/o.err")" 1
check_eq "-o, write fails: nothing left in the directory" "$(ls -A "$tmp/o")" ""
"$bin" report $D/hostile-a.json -o "$tmp/o/r.md"
check_eq "-o, rerun: exit 0" $? 0
check_eq "-o, rerun: the whole report (as on stdout)" "$(cmp "$tmp/o/r.md" "$tmp/a.md" && echo same)" same
check_eq "-o, rerun: only the report in the directory" "$(ls -A "$tmp/o")" r.md
"$bin" report $D/base.json -o "$tmp/o/r.md" 2> "$tmp/o.err"
check_eq "-o, existing file: exit 2" $? 2
check_eq "-o, existing file: untouched" "$(cmp "$tmp/o/r.md" "$tmp/a.md" && echo same)" same
check_eq "-o, existing file: no temporary file left" "$(ls -A "$tmp/o")" r.md

# a signal while rendering: the plot directory is removed, no report written
printf '#!/bin/sh\necho $$ > "%s/gp.pid"\nexec sleep 60\n' "$tmp" > "$tmp/bin/gnuplot"
PATH=$tmp/bin:$PATH TMPDIR=$tmp/plots "$bin" report $D/base.json --format html -o "$tmp/o/sig.html" &
pid=$!
for _ in $(seq 200); do [ -s "$tmp/gp.pid" ] && break; sleep 0.05; done
check_eq "signal: the plot directory exists while gnuplot runs" "$(ls -A "$tmp/plots" | wc -l)" 1
kill -TERM $pid
wait $pid
check_eq "SIGTERM: report dies of it" $? 143
kill "$(cat "$tmp/gp.pid")" 2> /dev/null
check_eq "SIGTERM: no plot directory left" "$(ls -A "$tmp/plots")" ""
check_eq "SIGTERM: no report, no temporary file" "$(ls -A "$tmp/o")" r.md
lab_done report-hostile
