#!/usr/bin/env bash
# Golden tests: today's output that does not depend on the machine, pinned
# byte for byte before the engine is refactored into backends (issue 14), so
# the refactor can show it changed nothing. Pinned, from the committed
# documents in results/reference/ and tests/data/report/:
#   - `report` of one run in md, junit, json and html, and of two runs
#     compared (md, junit, json, html; a tripped gate, an incomplete
#     candidate, --force), with exit status and stderr;
#   - the run summary (print-summary: `run`'s ib_print_summary on a document);
#   - `run --dry-run` of every scenario in scenarios/ on the iommufd mock
#     device (the scenario echo every results document carries, and the plan);
#   - exit status and stderr of the error classes tests/test-cli*.sh do not
#     already pin (usage errors of each verb, bad report options).
# Expected files: tests/golden/expected/ (README.md there says what each holds).
#
# Normalised, explicitly (everything else is compared as it is):
#   - the temporary folder of this test is shown as $TMP in stderr, and the
#     process id in a temporary file's name (FILE.tmp.PID, -o) as PID;
#   - html: gnuplot is replaced by tests/golden/fake-gnuplot, which prints
#     the script and data it was given inside <svg>...</svg>: the page and
#     what it asks gnuplot to draw are pinned, gnuplot's own drawing (it
#     differs between gnuplot versions) is not;
#   - the environment: LC_ALL=C, TZ=UTC, IOMMUBENCH_REPORT_MAX_MIB and
#     IOMMUBENCH_DEVICE unset.
# The documents' own timestamps and paths are data and are not normalised:
# they are the committed files' and the paths are given relative to the
# repository (this test runs there).
#
# A mismatch prints a unified diff and fails. Regenerating is never
# automatic: on purpose, after reviewing why the output changed,
#   tests/golden/update          (or: tests/test-golden.sh BIN SUMMARY --update)
# then review `git diff tests/golden/` and commit it with the change.
# Usage: tests/test-golden.sh PATH-TO-IOMMUBENCH PATH-TO-PRINT-SUMMARY [--update]
set -u
bin=$(realpath "$1")
summ=$(realpath "$2")
update=false
[ "${3:-}" = --update ] && update=true
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.." || exit 1
# shellcheck source=lab/lib.sh
. "$here/lab/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
exp=tests/golden/expected
got=$tmp/got
mkdir -p "$got"/report "$got"/compare "$got"/summary "$got"/dry-run "$tmp/bin" "$tmp/plots"
cp tests/golden/fake-gnuplot "$tmp/bin/gnuplot"
chmod +x "$tmp/bin/gnuplot"
export LC_ALL=C TZ=UTC
unset IOMMUBENCH_REPORT_MAX_MIB IOMMUBENCH_DEVICE
R=results/reference
D=tests/data/report

# exit statuses and stderr of every case, in the order run
: > "$got/exit-status.txt"
: > "$got/stderr.txt"
norm() { sed -E -e "s#$tmp#\$TMP#g" -e 's#(\.tmp\.)[0-9]+#\1PID#g'; }

# golden NAME OUTFILE CMD...: run CMD, stdout into OUTFILE (relative to the
# expected folder; - for none kept), its exit status and stderr recorded
golden() {
	local name=$1 outf=$2 rc
	shift 2
	PATH=$tmp/bin:$PATH TMPDIR=$tmp/plots "$@" > "$tmp/stdout" 2> "$tmp/stderr"
	rc=$?
	[ "$outf" = - ] || norm < "$tmp/stdout" > "$got/$outf"
	# the command as a user would type it
	local cmd=${*/#$bin/iommubench}
	cmd=${cmd/#$summ/print-summary}
	printf '%3d  %s: %s\n' "$rc" "$name" "$(printf '%s' "$cmd" | norm)" >> "$got/exit-status.txt"
	if [ -s "$tmp/stderr" ]; then
		printf '== %s (exit %d)\n' "$name" "$rc" >> "$got/stderr.txt"
		norm < "$tmp/stderr" >> "$got/stderr.txt"
	fi
}

# report, one run: junit for one run of each backend (vfio, iommufd mock
# PASIDs, dma), html for the vfio one (the page's frame is the same for
# every backend: what differs is in the md below), md for every reference run
for f in x86-vtd-6.1-basic x86-iommufd-7.3-pasid-switch x86-iommufd-7.3-dma-map; do
	golden "report $f junit" "report/$f.junit" "$bin" report $R/$f.json --format junit
done
golden "report x86-vtd-6.1-basic html" report/x86-vtd-6.1-basic.html "$bin" report $R/x86-vtd-6.1-basic.json --format html
# one run's json is the document as read plus drop_warnings (the document
# itself: one is enough)
golden "report x86-vtd-6.1-basic json" report/x86-vtd-6.1-basic.json "$bin" report $R/x86-vtd-6.1-basic.json --format json
for f in $R/*.json; do
	f=$(basename "$f" .json)
	golden "report $f md" "report/$f.md" "$bin" report $R/$f.json
done
# a run whose checks were skipped, a failed one and an interrupted one
for f in checks-skipped hw-failed hw-interrupted; do
	golden "report $f md" "report/$f.md" "$bin" report $D/$f.json
done

# report, two runs compared: iommufd replace against a VFIO rebind (every
# format), DMA API lazy against strict, counts gated on reference runs (a
# tripped gate), hardware timings gated (20 % slower), an incomplete
# candidate, and different scenarios under --force
A=$R/x86-iommufd-7.3-aux-switch-replace-r5.json B=$R/x86-iommufd-7.3-aux-switch-rebind-r5.json
for fmt in md junit json html; do
	golden "compare replace rebind $fmt" "compare/replace-rebind.$fmt" "$bin" report $A $B --format $fmt
done
# (two scenarios: refused without --force)
golden "compare dma-lazy dma, refused" - \
	"$bin" report $R/x86-iommufd-7.3-dma-map-lazy.json $R/x86-iommufd-7.3-dma-map.json
golden "compare dma-lazy dma --force md" compare/dma-lazy-dma.md \
	"$bin" report $R/x86-iommufd-7.3-dma-map-lazy.json $R/x86-iommufd-7.3-dma-map.json --force
golden "compare dma-lazy dma --force json" compare/dma-lazy-dma.json \
	"$bin" report $R/x86-iommufd-7.3-dma-map-lazy.json $R/x86-iommufd-7.3-dma-map.json --force --format json
golden "compare rebind replace, attach count gated" compare/rebind-replace-gate.md \
	"$bin" report $B $A --fail-above 10 --gate ops.attach.count,ops.map.count
golden "compare rebind replace, attach count gated junit" compare/rebind-replace-gate.junit \
	"$bin" report $B $A --fail-above 10 --gate ops.attach.count,ops.map.count --format junit
for fmt in md junit json; do
	golden "compare hw-slower hw-base gated $fmt" "compare/hw-slower-base.$fmt" \
		"$bin" report $D/hw-slower.json $D/hw-base.json --fail-above 10 --format $fmt
done
golden "compare hw-failed hw-base md" compare/hw-failed-base.md \
	"$bin" report $D/hw-failed.json $D/hw-base.json --fail-above 25
golden "compare other-scenario base --force md" compare/other-base-force.md \
	"$bin" report $D/other-scenario.json $D/base.json --force
golden "compare vtd aux-switch iommufd rebind --force md" compare/vtd-iommufd-force.md \
	"$bin" report $B $R/x86-vtd-6.1-aux-switch.json --force

# the run summary, of each reference run
for f in $R/*.json; do
	f=$(basename "$f" .json)
	golden "summary $f" "summary/$f.txt" "$summ" $R/$f.json
done

# run --dry-run: the effective scenario (as every results document echoes
# it) and the plan's size, for each scenario on the mock device (the only
# device that needs no PCI device of this machine), and with --set/-R
for s in scenarios/*.ini; do
	n=$(basename "$s" .ini)
	golden "dry-run $n" "dry-run/$n.json" "$bin" run "$s" --dry-run --set backend=iommufd --set switch_kind=pasid
done
golden "dry-run pasid-switch -R 7 --set" dry-run/pasid-switch-set.json \
	"$bin" run scenarios/pasid-switch.ini --dry-run -R 7 --set contexts=4 --set pasid_slots=3 --set seed=9

# exit statuses of error classes tests/test-cli*.sh do not pin (stdout not kept)
golden "no verb" - "$bin"
golden "-v without a verb" - "$bin" -v
golden "unknown global option" - "$bin" --frobnicate
golden "version" - "$bin" version
golden "--version" - "$bin" --version
golden "--help" - "$bin" --help
golden "run: unknown option" - "$bin" run --frobnicate scenarios/basic.ini
golden "run: two scenarios" - "$bin" run scenarios/basic.ini scenarios/aux-switch.ini
golden "run: --dry-run, no such device" - "$bin" run scenarios/basic.ini --dry-run --device 7fff0000:00:00.0
golden "run: --dry-run, bad device address" - "$bin" run scenarios/basic.ini --dry-run --device 00:02
golden "run: --backend dma with switch_kind=pasid" - "$bin" run scenarios/pasid-switch.ini --backend dma
golden "run: --set switch_kind against the file's backend" - \
	"$bin" run scenarios/basic.ini --dry-run --set switch_kind=pasid --backend iommufd
golden "hooks: unknown option" - "$bin" hooks --frobnicate
golden "hooks: bad --attach" - "$bin" hooks --attach sideways
golden "trace: unknown option" - "$bin" trace --frobnicate
golden "trace: bad --duration" - "$bin" trace -d 0
golden "trace: bad --pid" - "$bin" trace -p 0
golden "trace: --duration and a command" - "$bin" trace -d 1 -- true
golden "trace: --pid and a command" - "$bin" trace -p 1 -- true
golden "trace: bad --attach" - "$bin" trace --attach sideways
golden "restore: unknown option" - "$bin" restore --frobnicate
golden "report: unknown option" - "$bin" report --frobnicate $D/base.json
golden "report: --threshold x" - "$bin" report $D/base.json $D/same.json --threshold x
golden "report: --confidence 1" - "$bin" report $D/base.json $D/same.json --confidence 1
golden "report: --resamples 1000.5" - "$bin" report $D/base.json $D/same.json --resamples 1000.5
golden "report: --resamples 10" - "$bin" report $D/base.json $D/same.json --resamples 10
golden "report: --max-size x" - "$bin" report $D/base.json --max-size x
golden "report: IOMMUBENCH_REPORT_MAX_MIB=0" - env IOMMUBENCH_REPORT_MAX_MIB=0 "$bin" report $D/base.json
golden "report: -o into a missing folder" - "$bin" report $D/base.json -o "$tmp/nodir/r.md"
golden "report: --gate with a timing and a count" - "$bin" report $D/heavier.json $D/base.json \
	--fail-above 1000 --gate unmap.p50,derived.descriptors_per_unmap
golden "report: incomplete baseline, --allow-incomplete" - "$bin" report $D/hw-base.json $D/hw-interrupted.json \
	--fail-above 25 --allow-incomplete
golden "report: one valid document, one invalid" - "$bin" report $D/base.json $D/bad-no-ops.json
golden "print-summary: invalid document" - "$summ" $D/bad-no-ops.json

# the expected files: compared, or rewritten with --update
if $update; then
	rm -rf "$exp.new"
	mkdir -p "$exp.new"
	cp -r "$got"/. "$exp.new"/
	[ -f "$exp/README.md" ] && cp "$exp/README.md" "$exp.new/"
	rm -rf "$exp"
	mv "$exp.new" "$exp"
	echo "golden: rewrote $(cd "$exp" && find . -type f ! -name README.md | wc -l) files in $exp; review git diff $exp"
	exit 0
fi
files=$( (cd "$got" && find . -type f; cd "$here/../$exp" 2> /dev/null && find . -type f ! -name README.md) | sort -u)
for f in $files; do
	f=${f#./}
	if [ ! -f "$exp/$f" ]; then
		fail "$f: no expected file in $exp (a new case: tests/golden/update)"
	elif [ ! -f "$got/$f" ]; then
		fail "$exp/$f: no case writes it any more (stale: tests/golden/update removes it)"
	elif cmp -s "$exp/$f" "$got/$f"; then
		pass
	else
		fail "$exp/$f differs from the output (- expected, + now):"
		diff -u --label "expected/$f" --label "now/$f" "$exp/$f" "$got/$f" | head -n 80
		echo "  (if the change is intended: tests/golden/update, review git diff $exp, commit)"
	fi
done
lab_done golden
