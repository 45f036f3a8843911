#!/usr/bin/env bash
# The written contract of a results document, docs/results.schema.json
# (JSON Schema 2020-12), checked with python3-jsonschema: the committed
# reference runs, every good fixture under tests/data/report/ and the
# documents the unit tests write through the results writer must validate;
# every bad fixture (bad-*.json, truncated.json) must not. The reader's own
# check (userspace/results_check.c, `report` exit 2) must agree with the
# schema on every fixture.
# Usage: tests/test-schema.sh PATH-TO-IOMMUBENCH UNIT-TEST-DIR
set -u
bin=$1
unit=$2
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab/lib.sh
. "$here/lab/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
schema=docs/results.schema.json
py=/usr/bin/python3   # Debian's, with python3-jsonschema (scripts/deps.sh)

if ! $py -c 'import jsonschema' 2> /dev/null; then
	fail "python3-jsonschema is missing: apt-get install python3-jsonschema (scripts/deps.sh installs it)"
	lab_done schema
	exit 1
fi

# validate FILE...: one line per file, "ok FILE" or "invalid FILE: .path: why"
validate() {
	$py - "$schema" "$@" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
for path in sys.argv[2:]:
    try:
        doc = json.load(open(path))
    except ValueError as e:
        print("invalid %s: not JSON: %s" % (path, e))
        continue
    errs = sorted(v.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    if errs:
        e = errs[0]
        print("invalid %s: .%s: %s" % (path, ".".join(map(str, e.absolute_path)), e.message[:200]))
    else:
        print("ok %s" % path)
PY
}

$py -c "import json, jsonschema; jsonschema.Draft202012Validator.check_schema(json.load(open('$schema')))" 2> "$tmp/err"
check_eq "$schema is a valid JSON Schema (2020-12)" $? 0

good=() bad=()
for f in tests/data/report/*.json; do
	case $(basename "$f") in
	bad-* | truncated.json) bad+=("$f") ;;
	*) good+=("$f") ;;
	esac
done
check_eq "bad fixtures found" "$([ ${#bad[@]} -ge 10 ] && echo yes)" yes
check_eq "good fixtures found" "$([ ${#good[@]} -ge 8 ] && echo yes)" yes

# documents written through the writer by the unit tests
mkdir -p "$tmp/docs"
for t in test_results test_trace; do
	(cd "$here/.." && IOMMUBENCH_TEST_DOCS="$tmp/docs" "$unit/$t" > "$tmp/$t.out" 2>&1)
	rc=$?
	check_eq "$t ran and kept its documents" $rc 0
done
written=("$tmp"/docs/*.json)
check_eq "documents written through the writer" "${#written[@]}" 4

while read -r verdict rest; do
	check_eq "valid: ${rest%%: *}" "$verdict${rest#*:}" "ok"
done < <(validate results/reference/*.json "${good[@]}" "${written[@]}" | sed -E 's/^ok (.*)$/ok \1:/')
while read -r verdict rest; do
	check_eq "refused: ${rest%%:*}" "$verdict" "invalid"
done < <(validate "${bad[@]}")

# lab.smmu (the lab MMU-500 model's counters): a document with it is good,
# a counter that is not a whole number >= 0 is not (bad-lab-smmu-count.json)
check_json tests/data/report/lab-smmu.json '.lab.smmu.counters.tlbival' 64 "lab-smmu.json has lab.smmu"
check_eq "bad-lab-smmu-count.json is a bad fixture" "$(printf '%s\n' "${bad[@]}" | grep -c bad-lab-smmu-count)" 1

# the reader agrees with the schema: report exits 2 on every bad fixture,
# and reads every good one (0, or 1 when --fail-above trips on an incomplete run)
for f in "${bad[@]}"; do
	"$bin" report "$f" > /dev/null 2>&1
	rc=$?
	check_eq "report refuses $(basename "$f") as the schema does" $rc 2
done
for f in "${good[@]}" results/reference/*.json "${written[@]}"; do
	"$bin" report "$f" > /dev/null 2> "$tmp/err"
	rc=$?
	check_eq "report reads $(basename "$f") as the schema does" "$rc$(head -c 200 "$tmp/err" | grep -c 'not a valid')" 00
done

lab_done schema
