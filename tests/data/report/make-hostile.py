#!/usr/bin/env python3
# Writes the hostile-*.json fixtures: results documents whose every string
# tries to break out of the report's output formats (gnuplot script, HTML,
# Markdown table, JUnit XML, terminal). Run from the repository root:
#   python3 tests/data/report/make-hostile.py
# The gnuplot payloads touch "$IB_HOSTILE_MARKER": tests/test-report-hostile.sh
# sets it and fails when the file appears.
import copy
import json

D = "tests/data/report/"
TOUCH = 'system "touch $IB_HOSTILE_MARKER"'
GNUPLOT = [
    "map'\n" + TOUCH + "\n#",           # out of a '...' string
    'map"\n' + TOUCH + "\n#",           # out of a "..." string
    "map\nEOD\n" + TOUCH + "\n$X << EOD\n",  # out of a datablock
    "map`touch $IB_HOSTILE_MARKER`",    # backquote substitution
    "map\n!touch $IB_HOSTILE_MARKER\n",  # shell escape line
]
HTML = '</title></h1></pre><script>alert("x")</script><img src=x onerror=alert(1)>'
MD = "a|b\n| c | d |\n# head\n> quote `tick` <b>bold</b> [l](javascript:alert(1)) *em* _u_ ~~s~~ ```"
TERM = "\x1b[2J\x1b]0;pwned\x07\x9b31m\r\x7f\x08\u202eevil"
XML = "".join(chr(c) for c in range(1, 32)) + "\ufffe\uffff&<>\"'"
ALL = HTML + MD + TERM + XML
LONG = "L" * 20000 + ALL


def hostile(src, name_suffix):
    d = json.load(open(D + src))
    d["scenario"]["name"] = "scen" + ALL
    d["scenario"]["path"] = "path" + ALL
    d["scenario"]["backend"] = "be" + ALL
    d["host"]["kernel"] = "kern" + ALL
    d["host"]["arch"] = "arch" + TERM
    d["started"] = "start" + ALL
    d["tool"]["git"] = "git" + ALL
    if d.get("lab"):
        d["lab"]["target"] = "lab" + ALL
        # the lab MMU-500 model's counters (lab.smmu): names are keys
        d["lab"]["smmu"] = {"format": 1, "note": "note" + ALL, "context_banks": 8,
                            "counters": {"tlbival": 64, "cnt" + ALL: 1, LONG: 2}}
    d["harness"]["timer"]["clocksource"] = "cs" + TERM
    d["hooks"].append({"attached": False, "exists": True, "layer": "lay" + ALL,
                       "mode": "none", "name": "hook" + ALL, "reason": "why" + ALL,
                       "role": "role" + ALL})
    d["hooks"].append({"attached": False, "exists": True, "layer": "x", "mode": "none",
                       "name": LONG, "reason": LONG, "role": "map"})
    ops = d["ops"]
    for i, k in enumerate(GNUPLOT + [ALL, LONG]):
        ops[k] = copy.deepcopy(ops["map"])
        ops[k]["hooks"] = {"h" + ALL: copy.deepcopy(ops["map"]["hooks"]["iommu_map"])}
        ops[k]["kinds"] = {"k" + ALL: {"count": 1, "p50_ns": 1, "p90_ns": 1, "p99_ns": 1}}
    ops["map"]["hooks"]["iommu_map" + ALL] = copy.deepcopy(ops["map"]["hooks"]["iommu_map"])
    ops["map"]["hooks"][LONG] = copy.deepcopy(ops["map"]["hooks"]["iommu_map"])
    ops["tlb_inv"]["kinds"]["kind" + ALL] = {"count": 1, "p50_ns": 1, "p90_ns": 1, "p99_ns": 1}
    sw = ops["switch"]["rebind"]
    sw["steps"] = {"step" + ALL: {"harness": {"count": 3, "p50_ns": 5, "p99_ns": 9},
                                  "kernel": {"roles": {"r" + ALL: {"count": 2}}}}}
    ops["switch"]["kind" + ALL] = copy.deepcopy(sw)
    d["derived"]["der" + ALL] = {"value": 2, "numerator": 2, "numerator_is": "num" + ALL,
                                 "denominator": 1, "denominator_is": "den" + ALL}
    d["drops"]["drop" + ALL] = 1
    d["contexts"][0]["switches_in"]["sw" + ALL] = 1
    figs = d["repetitions"]["figures"]
    for k in GNUPLOT[:1] + [ALL, LONG]:
        figs[k] = copy.deepcopy(figs["map"])
    figs["map"]["p50" + ALL] = figs["map"]["p50_ns"]
    d["repetitions"]["unit"] = "unit" + ALL
    d["interrupted"] = "sig" + ALL
    d["error"] = "err" + ALL
    d[name_suffix + ALL] = ALL  # an unknown top-level key
    return d


def trace_doc():
    d = json.load(open(D + "base.json"))
    d["trace"] = {"command": ["cmd" + ALL, "arg\n```\n# escaped fence" + ALL], "pid": 7,
                  "exit_signal": "sig" + ALL, "seconds": 1.5, "hooks_attached": 2}
    d["processes"] = [{"pid": 7, "name": "proc" + ALL, "from_command": True,
                       "ops": {"map": {"count": 3}},
                       "tlb_inv_kinds": {"kind" + ALL: {"count": 2}},
                       "pagetables": [{"id": 1, "type": "type" + ALL, "first_hook": "fh" + ALL,
                                       "ops": {"map": {"count": 3}},
                                       "tlb_inv_kinds": {"k2" + ALL: {"count": 1}}}]}]
    return d


for name, doc in (("hostile-a.json", hostile("hw-base.json", "a")),
                  ("hostile-b.json", hostile("hw-slower.json", "b")),
                  ("hostile-lab.json", hostile("base.json", "lab")),
                  ("hostile-trace.json", trace_doc())):
    with open(D + name, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
