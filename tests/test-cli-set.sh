# Sourced by tests/test-cli.sh ($bin, $tmp, $here and the check helpers
# set): `run --set KEY=VALUE` and checks=auto, without a kernel. --dry-run
# prints the effective scenario and plan and changes nothing; the runs here
# use the iommufd mock device (no PCI device at all) or, for checks=, read
# the IDs of a host device with --dry-run --no-bind (never bound, never
# opened). Every refusal: exit 2, the message naming --set, nothing written.

nodev=7fff0000:00:00.0

check_eq "run --help documents --set" "$(grep -c '^  -s, --set KEY=VALUE' "$tmp/runhelp")" 1
check_eq "run --help documents --dry-run" "$(grep -c '^  -n, --dry-run' "$tmp/runhelp")" 1
check_eq "run --help: the --set example" \
	"$(grep -c '^  iommubench run scenarios/aux-switch.ini --device 0000:00:05.0 --set checks=0 --set contexts=16$' "$tmp/runhelp")" 1
check_eq "run --help: checks=auto explained" "$(grep -c 'checks=auto (the default)' "$tmp/runhelp")" 1

# --set changes the plan, and is recorded with the effective values
"$bin" run scenarios/pasid-switch.ini --dry-run > "$tmp/dry0.json" 2> "$tmp/err"
check_eq "dry run: exit 0" $? 0
"$bin" run scenarios/pasid-switch.ini --dry-run --set switches=4 --set 'pages = 2' > "$tmp/dry1.json" 2> "$tmp/err"
check_eq "dry run with --set: exit 0" $? 0
check_json "$tmp/dry0.json" '.scenario.overrides | length' 0 "no --set: no overrides"
check_json "$tmp/dry1.json" '.scenario.overrides | to_entries | map("\(.key)=\(.value)") | join(" ")' "switches=4 pages=2" \
	"overrides recorded in order, blanks dropped"
check_json "$tmp/dry1.json" '[.scenario.switches, .scenario.pages] | join(" ")' "4 2" "effective values"
# the file's own lines stay as written
check_json "$tmp/dry1.json" '.scenario.keys[] | select(.key == "switches") | .value' \
	"$(sed -n 's/^switches=\([0-9]*\).*/\1/p' scenarios/pasid-switch.ini)" "the file's switches= as written"
ops0=$(jq -r '.plan.ops' "$tmp/dry0.json")
ops1=$(jq -r '.plan.ops' "$tmp/dry1.json")
sw0=$(jq -r '.scenario.switches' "$tmp/dry0.json")
check_eq "--set switches=4 shortens the plan (SWITCH + visit per switch)" \
	"$((ops0 - ops1 > 0 && (ops0 - ops1) % (sw0 - 4) == 0))" 1
# the mock device answers the checks itself: auto runs them
check_json "$tmp/dry0.json" '[.scenario.checks, .checks_skipped] | map(tostring) | join(" ")' "true null" "mock: checks run"
# nothing written anywhere by a dry run (run from an empty folder)
mkdir -p "$tmp/drycwd"
(cd "$tmp/drycwd" && "$vbin" run "$top/scenarios/pasid-switch.ini" --dry-run --set loops=2 > /dev/null)
check_eq "dry run: exit 0, from another folder" $? 0
check_eq "dry run: nothing created" "$(ls -A "$tmp/drycwd")" ""

# refusals, as a scenario line would be refused, naming --set
set_refused() { # WHAT PATTERN ARGS...
	local what=$1 pat=$2
	shift 2
	"$bin" run "$@" -o "$tmp/set.json" 2> "$tmp/err" > /dev/null
	check_eq "$what: exit 2" $? 2
	check_eq "$what: says why" "$(grep -cE -- "$pat" "$tmp/err")" 1
	check_eq "$what: nothing written" "$(ls "$tmp/set.json" 2> /dev/null)" ""
}
set_refused "--set unknown key" "^iommubench: --set pagez=1: key 'pagez': unknown; allowed: backend, " \
	scenarios/basic.ini --device $nodev --set pagez=1
set_refused "--set bad value" "^iommubench: --set pages=0: key 'pages': '0' is out of range; allowed: 1..1048576$" \
	scenarios/basic.ini --device $nodev --set pages=0
set_refused "--set twice" "^iommubench: --set pages=3: key 'pages': given twice on the command line \(first --set pages=2\)" \
	scenarios/basic.ini --device $nodev --set pages=2 --set pages=3
set_refused "--set without =" "^iommubench: --set checks: no '=' in it; allowed: KEY=VALUE" \
	scenarios/basic.ini --device $nodev --set checks
set_refused "--set empty" "^iommubench: --set : no '=' in it" scenarios/basic.ini --device $nodev --set ''
set_refused "--set empty value" "^iommubench: --set loops=: key 'loops': empty value" \
	scenarios/basic.ini --device $nodev --set loops=
set_refused "--set against the file" \
	"^iommubench: --set contexts=1: key 'contexts': 1 context leaves nowhere to switch to, and switches=16 \(line [0-9]+\)" \
	scenarios/aux-switch.ini --device $nodev --set contexts=1
set_refused "--set in a dry run" "^iommubench: --set pasid_slots=65: key 'pasid_slots'" \
	scenarios/pasid-switch.ini --dry-run --set pasid_slots=65
# the plan-size check names the --set that grew it
printf '[global]\nbackend=vfio\n[small]\npages=4\n' > "$tmp/small.ini"
set_refused "--set grows the plan" "^iommubench: --set pages=1048576: key 'pages': pages=1048576: .*would need .*\(limit 256 MiB\)" \
	"$tmp/small.ini" --device $nodev --set pages=1048576 --set order=map_unmap_each --set loops=4
# control bytes in a --set reach the terminal escaped
"$bin" run scenarios/basic.ini --device $nodev -o "$tmp/set.json" --set $'pa\033]0;x\007ges=1\r' 2> "$tmp/err"
check_eq "--set control bytes: exit 2" $? 2
check_eq "--set control bytes: shown escaped" \
	"$(LC_ALL=C grep -c $'[\x01-\x08\x0b-\x1f\x7f]' "$tmp/err") $(grep -c 'pa\\x1b\]0;x\\x07ges' "$tmp/err")" "0 1"

# checks= against a host device's IDs: read from sysfs, nothing else
hostdev=
for d in /sys/bus/pci/devices/*; do
	[ -r "$d/vendor" ] || continue
	[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x1234:0x11e8 ] && continue
	hostdev=$(basename "$d") ids="$(sed 's/^0x//' "$d/vendor"):$(sed 's/^0x//' "$d/device")"
	break
done
if [ -n "$hostdev" ]; then
	"$bin" run scenarios/aux-switch.ini --device "$hostdev" --dry-run --no-bind > "$tmp/dryhw.json" 2> "$tmp/err"
	check_eq "checks=auto on $hostdev ($ids): exit 0" $? 0
	check_json "$tmp/dryhw.json" '[.scenario.checks_mode, (.scenario.checks | tostring)] | join(" ")' "auto false" \
		"aux-switch.ini: checks=auto, not run"
	check_json "$tmp/dryhw.json" '.checks_skipped' "no DMA engine iommubench can drive on $hostdev ($ids)"
	"$bin" run scenarios/aux-switch.ini --device "$hostdev" --dry-run --no-bind --set checks=1 > /dev/null 2> "$tmp/err"
	check_eq "checks=1 on $hostdev: exit 2" $? 2
	check_eq "checks=1 on $hostdev: says why, naming --set" "$(grep -c \
		"^iommubench: --set checks=1: key 'checks': checks=1 needs the QEMU edu device (1234:11e8) as its DMA engine; $hostdev is $ids" \
		"$tmp/err")" 1
	"$bin" run scenarios/aux-switch.ini --device "$hostdev" --dry-run --no-bind --set checks=0 > "$tmp/dryhw0.json"
	check_json "$tmp/dryhw0.json" '[.scenario.checks_mode, (.scenario.checks | tostring), (.checks_skipped | tostring)] | join(" ")' \
		"0 false null" "checks=0: off, no reason"
else
	echo "  skip: no PCI device on this host to read IDs from"
fi

# report: overrides are shown when two runs differ in them
D=tests/data/report
jq '.scenario.overrides = {"loops": "6"}' $D/base.json > "$tmp/ovr-same.json"
"$bin" report "$tmp/ovr-same.json" $D/base.json --format json -o "$tmp/ovr.json" 2> /dev/null
check_eq "same effective scenario, other overrides: compared (exit 0)" $? 0
check_json "$tmp/ovr.json" '[.warnings[] | select(test("given differently"))] | .[0]' \
	"scenario keys given differently (same effective values): --set overrides: baseline none, candidate loops=6"
jq '.scenario.overrides = {"contexts": "16"} | .scenario.contexts = 16' $D/base.json > "$tmp/ovr-ctx.json"
"$bin" report $D/base.json "$tmp/ovr-ctx.json" > /dev/null 2> "$tmp/err"
check_eq "contexts overridden: refused as another scenario (exit 2)" $? 2
check_eq "and the overrides are named" \
	"$(grep -c 'contexts 16 (baseline) vs 2 (candidate); --set overrides: baseline contexts=16, candidate none).*pass --force' "$tmp/err")" 1
"$bin" report $D/base.json "$tmp/ovr-ctx.json" --force --format json -o "$tmp/ovr2.json" 2> /dev/null
check_json "$tmp/ovr2.json" '[.warnings[] | select(test("different scenarios compared"))] | .[0]' \
	"different scenarios compared (--force): contexts 16 (baseline) vs 2 (candidate); --set overrides: baseline contexts=16, candidate none"
# a run whose checks were skipped says so in each format
"$bin" report $D/checks-skipped.json > "$tmp/sk.md"
check_eq "md: checks skipped, with the reason" \
	"$(grep -c '^Isolation checks skipped (checks=auto): no DMA engine iommubench can drive on 0000:00:05.0 (1b36:0010)\.$' "$tmp/sk.md")" 1
"$bin" report $D/checks-skipped.json --format junit > "$tmp/sk.xml"
check_eq "junit: skipped, with the reason" \
	"$(grep -c '<skipped message="isolation checks skipped (checks=auto): no DMA engine iommubench can drive on 0000:00:05.0 (1b36:0010)"/>' "$tmp/sk.xml")" 1
