#!/usr/bin/python3
# Writes a synthetic iommubench/1 results document with N hooks (and N/20
# contexts) for the report-scaling benchmark: tests/data/report/base.json
# grown. Usage: gen-report-doc.py N SEED OUT.json
import copy, json, random, sys

n, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
here = __file__.rsplit("/", 1)[0]
doc = json.load(open(here + "/../data/report/base.json"))
rng = random.Random(seed)
roles = ["map", "unmap", "tlb_inv"]
hooks = []
for i in range(n):
    role = roles[i % 3]
    name = "bench_hook_%d" % i
    hooks.append({"name": name, "role": role, "layer": "bench", "mode": "fentry" if rng.random() < 0.9 else "kprobe",
                  "attached": True, "exists": True, "reason": "fentry/fexit (3 args)"})
    c = 1000 + rng.randrange(10)
    doc["ops"][role].setdefault("hooks", {})[name] = {
        "count": c, "p50_ns": 5000 + rng.randrange(100), "p90_ns": 8000, "p99_ns": 30000, "timed": True}
doc["hooks"] += hooks
ctx = doc["contexts"][0]
doc["contexts"] = []
for i in range(max(1, n // 20)):
    x = copy.deepcopy(ctx)
    x["id"] = i
    x["harness"]["map_calls"] = 100 + rng.randrange(3)
    doc["contexts"].append(x)
with open(out, "w") as f:
    json.dump(doc, f, indent=1, sort_keys=True)
    f.write("\n")
