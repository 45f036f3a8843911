#!/usr/bin/env bash
# tests/test-ci-recipes.sh BIN: the CI recipes without a lab (the lab test
# tests/lab/test_vtd_nvme.sh runs them on a device): the README's hw-recipe
# blocks are found, ci/hardware-gate.sh answers --help and refuses bad usage,
# ci/lava/iommubench-gate.yaml passes LAVA's own schema (lava_common, Debian's
# lava-common), and ci/lava/gate-to-lava.sh reports the gated figures of two
# reference documents both ways (CANDIDATE= set, so no device is needed).
# Prints "ci-recipes: N passed, M failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab/lib.sh
. "$here/lab/lib.sh"
cd "$here/.." || exit 1
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the README's recipe: every marked block found, every command on one line
n=$(tests/lab/readme-recipe.sh README.md | wc -l)
check_eq "README hw-recipe commands" "$n" 13
check_eq "README hw-recipe blocks" "$(grep -c '^<!-- hw-recipe -->$' README.md)" 3
check_eq "recipe: each command starts with iommubench or ci/" \
	"$(tests/lab/readme-recipe.sh README.md | grep -cvE '^(iommubench|ci/hardware-gate\.sh) ')" 0
check_eq "recipe: every command names \$DEV or \$OUT" \
	"$(tests/lab/readme-recipe.sh README.md | grep -vE '^iommubench (hooks|restore --check)$' | grep -cv '\$OUT')" 0
# without markers the extractor fails, so a lost marker cannot pass silently
sed 's/<!-- hw-recipe -->//' README.md > "$tmp/README.md"
tests/lab/readme-recipe.sh "$tmp/README.md" > "$tmp/none" 2> "$tmp/err"
check_eq "no markers: extractor exit 1" $? 1
check_eq "no markers: nothing extracted" "$(wc -c < "$tmp/none")" 0
printf '<!-- hw-recipe -->\n```sh\niommubench hooks\n' > "$tmp/open.md"
tests/lab/readme-recipe.sh "$tmp/open.md" > /dev/null 2>&1
check_eq "unclosed block: extractor exit 1" $? 1
printf 'x\n<!-- hw-recipe -->\n\n```sh\nnot me\n```\n<!-- hw-recipe -->\n```sh\n# c\n\na b\n```\n' > "$tmp/two.md"
check_eq "only a block right after the marker, comments and blanks skipped" \
	"$(tests/lab/readme-recipe.sh "$tmp/two.md")" "a b"

# ci/hardware-gate.sh: help, usage errors (exit 2, nothing run)
out=$(ci/hardware-gate.sh --help); check_eq "hardware-gate --help: exit 0" $? 0
check_eq "hardware-gate --help: usage line" "$(echo "$out" | head -1)" \
	"usage: ci/hardware-gate.sh [OPTIONS] DEVICE SCENARIO BASELINE.json"
ci/hardware-gate.sh 0000:00:10.0 > /dev/null 2>&1; check_eq "hardware-gate one argument: exit 2" $? 2
ci/hardware-gate.sh --bogus a b c > /dev/null 2>&1; check_eq "hardware-gate unknown option: exit 2" $? 2
check_eq "github example calls the gate script" \
	"$(grep -c 'ci/hardware-gate.sh .*scenarios/basic.ini' ci/github-actions-example.yml)" 1

# the gate script on reference documents (--candidate: no run), both ways
mkdir -p "$tmp/bin"
printf '#!/bin/sh\necho "$*" >> "$LAVA_CALLS"\n' > "$tmp/bin/lava-test-case"
chmod +x "$tmp/bin/lava-test-case"
ln -s "$bin" "$tmp/bin/iommubench"
ref=results/reference/x86-vtd-6.1-basic.json
maps=$(jq '.ops.map.count' "$ref")
jq '.ops.map.count += 5' "$ref" > "$tmp/more.json"
PATH=$tmp/bin:$PATH GITHUB_STEP_SUMMARY=$tmp/step.md ci/hardware-gate.sh --candidate "$ref" --out "$tmp/g1" \
	dev scenarios/basic.ini "$ref" > /dev/null 2>&1
check_eq "gate, candidate == baseline: exit 0" $? 0
check_eq "gate: JUnit parses, no failure" "$(xmllint --xpath 'count(//failure)' "$tmp/g1/report.xml" 2>&1)" 0
check_eq "gate: summary appended to GITHUB_STEP_SUMMARY" "$(cmp -s "$tmp/g1/summary.md" "$tmp/step.md"; echo $?)" 0
PATH=$tmp/bin:$PATH ci/hardware-gate.sh --candidate "$tmp/more.json" --gate ops.map.count --fail-above 0 \
	--out "$tmp/g2" dev scenarios/basic.ini "$ref" > /dev/null 2>&1
check_eq "gate, 5 more maps, --fail-above 0: exit 1" $? 1
check_eq "gate tripped: the JUnit failure names ops.map.count" \
	"$(xmllint --xpath 'string(//testcase[failure]/@name)' "$tmp/g2/report.xml" 2>&1)" ops.map.count

# gate-to-lava.sh both ways, its lava-test-case calls recorded
PATH=$tmp/bin:$PATH LAVA_CALLS=$tmp/calls1 DEVICE=dev BASELINE=$ref CANDIDATE=$ref OUT=$tmp/l1 \
	ci/lava/gate-to-lava.sh > /dev/null 2>&1
check_eq "lava, within: exit 0" $? 0
check_eq "lava, within: one case per default gate figure and the gate" "$(wc -l < "$tmp/calls1")" 7
check_eq "lava, within: map.p50 measured" "$(grep -c '^map\.p50 --result pass --measurement [0-9.]* --units ns$' "$tmp/calls1")" 1
check_eq "lava, within: no fail" "$(grep -c -- '--result fail' "$tmp/calls1")" 0
check_eq "lava, within: gate passes" "$(tail -1 "$tmp/calls1")" "gate --result pass"
PATH=$tmp/bin:$PATH LAVA_CALLS=$tmp/calls2 DEVICE=dev BASELINE=$ref CANDIDATE=$tmp/more.json OUT=$tmp/l2 \
	GATE=unmap.p50,ops.map.count FAIL_ABOVE=0 ci/lava/gate-to-lava.sh > /dev/null 2>&1
check_eq "lava, tripped: exit 1" $? 1
check_eq "lava, tripped: the calls" "$(cat "$tmp/calls2")" \
	"unmap.p50 --result pass --measurement $(jq '.repetitions.figures.unmap.p50_ns[0]' "$ref") --units ns
ops.map.count --result fail --measurement $((maps + 5)) --units count
gate --result fail"
(unset DEVICE; PATH=$tmp/bin:$PATH BASELINE=$ref ci/lava/gate-to-lava.sh > /dev/null 2>&1)
check_eq "lava without DEVICE: exit 2" $? 2

# the scripts' own run (no --candidate / CANDIDATE): a stand-in iommubench
# records the run's arguments and writes the reference document as its
# result; report is the real one
mkdir -p "$tmp/fake"
cat > "$tmp/fake/iommubench" <<EOF
#!/bin/sh
if [ "\$1" = run ]; then
	echo "\$*" >> "$tmp/runs"
	for a; do [ "\$prev" = -o ] && out=\$a; prev=\$a; done
	[ -n "\${FAKE_RUN_FAILS:-}" ] && exit 1
	cp "$ref" "\$out"
	exit 0
fi
exec "$bin" "\$@"
EOF
chmod +x "$tmp/fake/iommubench"
PATH=$tmp/fake:$tmp/bin:$PATH ci/hardware-gate.sh --out "$tmp/g3" 0000:00:10.0 scenarios/basic.ini "$ref" > /dev/null 2>&1
check_eq "gate, own run: exit 0" $? 0
check_eq "gate, own run: the run command" "$(cat "$tmp/runs")" \
	"run scenarios/basic.ini --device 0000:00:10.0 --bind -R 3 -o $tmp/g3/candidate.json"
check_eq "gate, own run: JUnit of its candidate" "$(xmllint --xpath 'count(//testcase)' "$tmp/g3/report.xml" 2>&1)" 6
FAKE_RUN_FAILS=1 PATH=$tmp/fake:$tmp/bin:$PATH ci/hardware-gate.sh -R 5 --out "$tmp/g4" 0000:00:10.0 scenarios/basic.ini "$ref" \
	> /dev/null 2>&1
check_eq "gate, run failed without a result: exit 2" $? 2
check_eq "gate, -R 5 passed on" "$(tail -1 "$tmp/runs" | grep -c -- '-R 5 ')" 1
check_eq "gate, failed run: no report" "$(ls "$tmp/g4")" ""
PATH=$tmp/fake:$tmp/bin:$PATH LAVA_CALLS=$tmp/calls3 DEVICE=0000:00:10.0 BASELINE=$ref OUT=$tmp/l3 REPETITIONS=4 \
	ci/lava/gate-to-lava.sh > /dev/null 2>&1
check_eq "lava, own run: exit 0" $? 0
check_eq "lava, own run: the run command" "$(tail -1 "$tmp/runs")" \
	"run scenarios/basic.ini --device 0000:00:10.0 --bind -R 4 -o $tmp/l3/candidate.json"
check_eq "lava, own run: gate passes" "$(tail -1 "$tmp/calls3")" "gate --result pass"

# the LAVA test definition against LAVA's own schema (lava-common)
v=$(/usr/bin/python3 - ci/lava/iommubench-gate.yaml <<'PY' 2>&1
import sys, yaml
from lava_common.schemas.test import testdef
d = yaml.safe_load(open(sys.argv[1]))
testdef.validate(d)
print(d["metadata"]["format"], d["run"]["steps"][0].split()[0])
PY
)
check_eq "LAVA schema: ci/lava/iommubench-gate.yaml" "$v" "Lava-Test Test Definition 1.0 ci/lava/gate-to-lava.sh"
# the schema does reject: a definition without run.steps
v=$(/usr/bin/python3 - <<'PY' 2>&1
from lava_common.schemas.test import testdef
try:
    testdef.validate({"metadata": {"format": "Lava-Test Test Definition 1.0", "name": "x"}, "run": {}})
    print("accepted")
except Exception as e:
    print("rejected")
PY
)
check_eq "LAVA schema rejects a definition without run.steps" "$v" rejected

lab_done ci-recipes
