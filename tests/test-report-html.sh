#!/usr/bin/env bash
# The HTML comparison report in headless Chromium: the page renders (a
# screenshot is taken), holds the expected plot titles as inline SVG, and
# shows no NaN. Usage: tests/test-report-html.sh PATH-TO-IOMMUBENCH
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab/lib.sh
. "$here/lab/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
D=tests/data/report
chrome=$(command -v chromium || command -v chromium-browser || true)

"$bin" report $D/hw-slower.json $D/hw-base.json --format html -o "$tmp/r.html"
check_eq "html report written" $? 0
if [ -z "$chrome" ] || ! command -v gnuplot > /dev/null; then
	check_eq "chromium and gnuplot installed (make deps)" "${chrome:-missing} $(command -v gnuplot || echo missing)" present
	lab_done report-html
	exit
fi
# --no-sandbox: make check runs as root
timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --window-size=1280,2400 \
	--screenshot="$tmp/r.png" "file://$tmp/r.html" > "$tmp/shot.log" 2>&1
check_eq "chromium screenshot: exit 0" $? 0
check_eq "screenshot is a PNG" "$(head -c 8 "$tmp/r.png" | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a
timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --dump-dom "file://$tmp/r.html" > "$tmp/dom.html" 2> /dev/null
check_eq "dump-dom: exit 0" $? 0
# 6 timing figures per repetition, map and unmap histogram and CDF, contexts
check_eq "inline SVG plots in the DOM" "$(grep -c '<svg' "$tmp/dom.html")" 11
for t in "unmap.p50 per repetition" "map latency histogram" "unmap latency CDF" "invalidation descriptors per context"; do
	check_eq "plot '$t'" "$(grep -c "<figcaption>$t" "$tmp/dom.html")" 1
done
check_eq "verdict shown" "$(grep -c 'class="slower">slower (gate)' "$tmp/dom.html")" 6
check_eq "no NaN" "$(grep -ci 'nan[^a-z]' "$tmp/dom.html")" 0
check_eq "no missing-plot notice" "$(grep -c 'no plot:' "$tmp/dom.html")" 0
# a page from hostile documents (tests/data/report/hostile-*.json): the
# browser's DOM holds no element the documents' strings tried to inject
"$bin" report $D/hostile-b.json $D/hostile-a.json --format html -o "$tmp/h.html"
check_eq "hostile html report written" $? 0
timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --dump-dom "file://$tmp/h.html" > "$tmp/hdom.html" 2> /dev/null
check_eq "hostile: dump-dom: exit 0" $? 0
check_eq "hostile: the page's own headings are there" "$(grep -c '<h2>Plots: baseline against candidate</h2>' "$tmp/hdom.html")" 1
check_eq "hostile: no injected element in the DOM" "$(grep -ciE '<(script|img|b|iframe)[ >]' "$tmp/hdom.html")" 0
check_eq "hostile: the payload shown as text" "$(grep -c '&lt;script&gt;alert' "$tmp/hdom.html")" \
	"$(grep -c '&lt;script&gt;alert' "$tmp/h.html")"
# without gnuplot the page says so instead of plots
PATH=/nonexistent "$bin" report $D/slower.json $D/base.json --format html -o "$tmp/np.html"
check_eq "no gnuplot: says so" "$(grep -c 'gnuplot is not installed' "$tmp/np.html")" 11
check_eq "lab runs: emulated stated" "$(grep -c 'Timings per repetition (emulated)' "$tmp/np.html")" 1
lab_done report-html
