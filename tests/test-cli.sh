#!/usr/bin/env bash
# Command-line behaviour that needs no privileges and no IOMMU: help texts,
# usage errors, and bad scenarios refused with exit status 2 and nothing
# written. Usage: tests/test-cli.sh PATH-TO-IOMMUBENCH
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab/lib.sh
. "$here/lab/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bin" --help > "$tmp/help"; check_eq "--help exits 0" $? 0
check_eq "--help lists verbs and examples" "$(grep -c '^  hooks\|^  run\|^examples:' "$tmp/help")" 3
"$bin" run --help > "$tmp/runhelp"; check_eq "run --help exits 0" $? 0
check_eq "run --help has examples" "$(grep -c '^  iommubench run scenarios/basic.ini' "$tmp/runhelp")" 3
"$bin" hooks --help > /dev/null; check_eq "hooks --help exits 0" $? 0
"$bin" frobnicate 2> "$tmp/err"; check_eq "unknown verb exits 2" $? 2
check_eq "and names it" "$(grep -c "unknown verb 'frobnicate'" "$tmp/err")" 1
"$bin" run 2> /dev/null; check_eq "run without a scenario exits 2" $? 2
"$bin" run --attach sideways scenarios/basic.ini 2> "$tmp/err"; check_eq "bad --attach exits 2" $? 2

# every bad fixture: exit 2, message names file and line, nothing written
for f in tests/data/scenarios/bad_*.ini; do
	out=$tmp/$(basename "$f" .ini).json
	"$bin" run "$f" -o "$out" --device 0000:00:02.0 2> "$tmp/err"
	rc=$?
	name=$(basename "$f")
	check_eq "$name: exit status" $rc 2
	# file and line, or the file alone for whole-file errors (no job section)
	check_eq "$name: message names the file (and line)" \
		"$(grep -cE "^iommubench: $f(:[0-9]+)?: " "$tmp/err")" 1
	check_eq "$(basename "$f"): nothing written" "$(ls "$tmp" | grep -c '\.json')" 0
done
# the unknown key is named
"$bin" run tests/data/scenarios/bad_unknown_key.ini -o "$tmp/x.json" 2> "$tmp/err"
check_eq "unknown key named with its line" "$(grep -cE "bad_unknown_key.ini:[0-9]+: key '[a-z_]+'" "$tmp/err")" 1
"$bin" run tests/data/scenarios/does-not-exist.ini 2> "$tmp/err"; check_eq "missing scenario exits 2" $? 2
check_eq "and says why" "$(grep -c 'No such file or directory' "$tmp/err")" 1

# a good scenario without any device source is refused before anything runs
IOMMUBENCH_DEVICE= "$bin" run scenarios/basic.ini -o "$tmp/y.json" 2> "$tmp/err"
check_eq "no device: exit 2" $? 2
check_eq "no device: says how to give one" "$(grep -c 'pass --device BDF' "$tmp/err")" 1
# an existing output is never overwritten, and refused up front
echo '{"keep": true}' > "$tmp/keep.json"
"$bin" run scenarios/basic.ini --device 0000:00:02.0 -o "$tmp/keep.json" 2> "$tmp/err"
check_eq "existing output: exit 2" $? 2
check_eq "existing output untouched" "$(cat "$tmp/keep.json")" '{"keep": true}'
# a device address that is not one
"$bin" run scenarios/basic.ini --device nonsense -o "$tmp/z.json" --no-probes 2> "$tmp/err"
check_eq "bad device address: exit 1" $? 1
check_eq "bad device address: explained" "$(grep -c 'is not a PCI address' "$tmp/err")" 1
# a switch kind the backend given on the command line cannot do
"$bin" run scenarios/pasid-switch.ini --backend vfio -o "$tmp/p.json" 2> "$tmp/err"
check_eq "pasid with --backend vfio: exit 2" $? 2
check_eq "pasid with --backend vfio: explained" "$(grep -c 'switch_kind=pasid does not go with backend vfio' "$tmp/err")" 1
check_eq "pasid with --backend vfio: nothing written" "$(ls "$tmp/p.json" 2> /dev/null)" ""
"$bin" run scenarios/dma-map.ini --backend frob 2> "$tmp/err"
check_eq "unknown backend: exit 2" $? 2
check_eq "unknown backend: names the choices" "$(grep -c 'want vfio, iommufd or dma' "$tmp/err")" 1
# the dma backend on a device address that is not one: refused, nothing written
"$bin" run scenarios/dma-map.ini --device nonsense -o "$tmp/d.json" --no-probes 2> "$tmp/err"
check_eq "dma, bad device address: exit 1" $? 1
check_eq "dma, bad device address: explained" "$(grep -c 'is not a PCI address' "$tmp/err")" 1
check_eq "dma, bad device address: nothing written" "$(ls "$tmp/d.json" 2> /dev/null)" ""
# --repetitions must be a whole number in range
for bad in 0 -1 x 1000001 2x; do
	"$bin" run scenarios/basic.ini --device 0000:00:02.0 -R "$bad" -o "$tmp/r.json" 2> "$tmp/err"
	check_eq "--repetitions $bad: exit 2" $? 2
	check_eq "--repetitions $bad: explained" "$(grep -c 'want a whole number 1..1000000' "$tmp/err")" 1
done

lab_done cli
