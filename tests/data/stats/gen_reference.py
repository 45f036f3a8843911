#!/usr/bin/python3
"""Reference values for tests/unit/test_compare.c, computed independently
of userspace/compare.c with SciPy, NumPy and statsmodels (Debian:
python3-scipy python3-statsmodels). The output is committed, so the unit
tests do not need Python:

    /usr/bin/python3 tests/data/stats/gen_reference.py > tests/data/stats/reference.json

Everything is seeded: running it again gives the same file (with the same
library versions, which the file records).
"""
import itertools
import json
import sys

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.multitest import multipletests

MASK = (1 << 64) - 1


# ---- mann-whitney ----

def mwu_case(name, x, y):
    x = [float(v) for v in x]
    y = [float(v) for v in y]
    r = stats.mannwhitneyu(x, y, alternative="two-sided", method="auto")
    case = {"name": name, "x": x, "y": y, "u": float(r.statistic),
            "p_auto": float(r.pvalue),
            "p_asymptotic": float(stats.mannwhitneyu(
                x, y, alternative="two-sided", method="asymptotic").pvalue)}
    if len(x) * len(y) <= 900:
        case["p_exact"] = float(stats.mannwhitneyu(
            x, y, alternative="two-sided", method="exact").pvalue)
    return case


def mwu_cases():
    g = np.random.default_rng(20240601)
    c = []
    c.append(mwu_case("small_no_ties", [1.1, 2.3, 3.7, 4.2, 5.9],
                      [2.0, 6.1, 7.3, 8.8, 9.4, 10.2]))
    c.append(mwu_case("separated_8x8", range(1, 9), range(9, 17)))
    c.append(mwu_case("separated_8x8_reversed", range(9, 17), range(1, 9)))
    c.append(mwu_case("ties_small", [1, 2, 2, 3, 3, 3, 4], [2, 3, 4, 4, 5, 5, 6, 7]))
    c.append(mwu_case("unequal_3x15", np.round(g.normal(10, 2, 3), 6),
                      np.round(g.normal(12, 2, 15), 6)))
    c.append(mwu_case("unequal_1x20", [7.5], np.round(g.normal(10, 2, 20), 6)))
    c.append(mwu_case("no_ties_12x12", np.round(g.normal(100, 10, 12), 6),
                      np.round(g.normal(108, 10, 12), 6)))
    c.append(mwu_case("identical_samples", [3, 1, 4, 1, 5, 9, 2, 6],
                      [3, 1, 4, 1, 5, 9, 2, 6]))
    c.append(mwu_case("identical_no_ties", [3, 1, 4, 5, 9, 2, 6], [3, 1, 4, 5, 9, 2, 6]))
    c.append(mwu_case("constant", [5, 5, 5], [5, 5]))
    c.append(mwu_case("ties_large_40x55", g.integers(0, 11, 40), g.integers(1, 12, 55)))
    c.append(mwu_case("continuous_30x25", np.round(g.lognormal(7, 0.1, 30), 6),
                      np.round(g.lognormal(7.05, 0.1, 25), 6)))
    c.append(mwu_case("exact_20x25_no_ties", np.round(g.normal(0, 1, 20), 9),
                      np.round(g.normal(0.7, 1, 25), 9)))
    c.append(mwu_case("one_each", [1.0], [2.0]))
    # per-repetition medians in whole ns: ties happen
    c.append(mwu_case("timings_ns_15x15", np.round(g.normal(2400, 15, 15)),
                      np.round(g.normal(2420, 15, 15))))
    return c


# ---- holm ----

def holm_cases():
    vecs = [
        ("four", [0.01, 0.04, 0.03, 0.005], 0.05),
        ("step_down_monotone", [0.001, 0.2, 0.011, 0.012, 0.5], 0.05),
        ("equal", [0.02, 0.02, 0.02], 0.05),
        ("clipped", [0.3, 0.6, 0.9, 0.01], 0.05),
        ("single", [0.03], 0.05),
        ("alpha_0.1", [0.04, 0.02, 0.03, 0.5, 0.001, 0.06], 0.1),
        ("none", [0.2, 0.5, 0.7], 0.05),
    ]
    out = []
    for name, p, a in vecs:
        rej, adj, _, _ = multipletests(p, alpha=a, method="holm")
        out.append({"name": name, "p": p, "alpha": a,
                    "p_adj": [float(v) for v in adj], "reject": [bool(v) for v in rej]})
    return out


# ---- compare.c's bootstrap, redone with numpy for exact comparison ----

class SplitMix64:
    def __init__(self, seed):
        self.s = seed & MASK

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & MASK
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        m = self.next() * n
        low = m & MASK
        if low < n:
            t = ((1 << 64) - n) % n
            while low < t:
                m = self.next() * n
                low = m & MASK
        return m >> 64


def family_bootstrap(base, cand, resamples, confidence, seed):
    """Per-figure ratio of medians cand/base and its percentile interval,
    figures resampled jointly by repetition, and the geometric mean."""
    base = [np.asarray(b, dtype=float) for b in base]
    cand = [np.asarray(c, dtype=float) for c in cand]
    nb, nc = len(base[0]), len(cand[0])
    rng = SplitMix64(seed)
    reps = np.empty((len(base), resamples))
    for k in range(resamples):
        ib = [rng.below(nb) for _ in range(nb)]
        ic = [rng.below(nc) for _ in range(nc)]
        for f in range(len(base)):
            reps[f, k] = np.median(cand[f][ic]) / np.median(base[f][ib])
    alpha = 1 - confidence
    q = [alpha / 2, 1 - alpha / 2]
    ratio = [float(np.median(c) / np.median(b)) for b, c in zip(base, cand)]
    lo, hi = zip(*[np.quantile(reps[f], q) for f in range(len(base))])
    geo_reps = np.exp(np.log(reps).mean(axis=0))
    glo, ghi = np.quantile(geo_reps, q)
    return {"ratio": ratio, "lo": [float(v) for v in lo], "hi": [float(v) for v in hi],
            "geo": {"ratio": float(np.exp(np.mean(np.log(ratio)))),
                    "lo": float(glo), "hi": float(ghi)}}


def scipy_bootstrap(base, cand, resamples, confidence, seeds=30):
    """SciPy's own percentile bootstrap (its own resampling) over several
    seeds: the spread says how far two honest bootstraps may differ."""
    def ratio(c, b, axis=-1):
        return np.median(c, axis=axis) / np.median(b, axis=axis)

    ends = []
    for s in range(seeds):
        r = stats.bootstrap((np.asarray(cand), np.asarray(base)), ratio, vectorized=True,
                            paired=False, confidence_level=confidence,
                            n_resamples=resamples, method="percentile",
                            random_state=np.random.default_rng(1000 + s))
        ends.append((r.confidence_interval.low, r.confidence_interval.high))
    ends = np.array(ends)
    return {"lo_mean": float(ends[:, 0].mean()), "hi_mean": float(ends[:, 1].mean()),
            "lo_sd": float(ends[:, 0].std(ddof=1)), "hi_sd": float(ends[:, 1].std(ddof=1)),
            "seeds": seeds}


def bootstrap_cases():
    g = np.random.default_rng(777)
    out = []

    def case(name, base, cand, resamples=10000, confidence=0.95, seed=0x696F6D6D75):
        base = [[float(v) for v in b] for b in base]
        cand = [[float(v) for v in c] for c in cand]
        d = {"name": name, "base": base, "cand": cand, "resamples": resamples,
             "confidence": confidence, "seed": seed}
        d.update(family_bootstrap(base, cand, resamples, confidence, seed))
        d["scipy"] = [scipy_bootstrap(b, c, resamples, confidence)
                      for b, c in zip(base, cand)]
        out.append(d)

    case("lognormal_20x25_shift10",
         [np.round(g.lognormal(np.log(1000), 0.05, 20), 3)],
         [np.round(g.lognormal(np.log(1100), 0.05, 25), 3)])
    case("odd_even_9x10_conf90",
         [np.round(g.lognormal(np.log(5000), 0.1, 9), 1)],
         [np.round(g.lognormal(np.log(5000), 0.1, 10), 1)], resamples=5000,
         confidence=0.90, seed=42)
    # three figures from the same 12 repetitions: correlated through a
    # per-repetition factor, with shifts 1.2, 1.0, 1/1.2 (geomean near 1)
    rb = g.lognormal(0, 0.03, 12)
    rc = g.lognormal(0, 0.03, 12)
    base, cand = [], []
    for mu, shift in ((800, 1.2), (2400, 1.0), (50000, 1 / 1.2)):
        base.append(np.round(mu * rb * g.lognormal(0, 0.02, 12), 1))
        cand.append(np.round(mu * shift * rc * g.lognormal(0, 0.02, 12), 1))
    case("family_3x12", base, cand, resamples=4000, seed=7)
    return out


# ---- quantiles and medians (numpy) ----

def quantile_cases():
    xs = [[3.0], [1.0, 2.0], [5.0, 1.0, 4.0, 2.0, 3.0], [0.5, 10.0, 2.5, 2.5, 7.25, 1.0]]
    qs = [0.0, 0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975, 1.0]
    return [{"x": x, "median": float(np.median(x)),
             "q": qs, "quantile": [float(np.quantile(np.sort(x), q)) for q in qs]}
            for x in xs]


# ---- properties of the designs the unit tests simulate ----

def coverage_estimate(trials=3000, resamples=4000):
    """Coverage of the 95 % percentile interval of the median ratio for the
    coverage test's design: 20 + 20 repetitions, lognormal noise sigma 0.05,
    a true ratio of 1.1 (numpy's generator, not compare.c's)."""
    g = np.random.default_rng(99)
    hit = 0
    widths = []
    for _ in range(trials):
        b = 1000 * g.lognormal(0, 0.05, 20)
        c = 1100 * g.lognormal(0, 0.05, 20)
        mb = np.median(b[g.integers(0, 20, (resamples, 20))], axis=1)
        mc = np.median(c[g.integers(0, 20, (resamples, 20))], axis=1)
        lo, hi = np.quantile(mc / mb, [0.025, 0.975])
        hit += lo <= 1.1 <= hi
        widths.append(hi - lo)
    return hit / trials, trials, float(np.mean(widths)), float(np.std(widths, ddof=1))


def mwu_size(n1, n2, alpha):
    """Exact size of the asymptotic two-sided test (no ties) at alpha:
    P(p <= alpha) under the null, by enumerating every way the ranks
    1..n1+n2 can split (each equally likely under the null)."""
    n = n1 + n2
    s = np.sqrt(n1 * n2 / 12 * (n + 1))
    counts = {}
    for ranks in itertools.combinations(range(1, n + 1), n1):
        u = sum(ranks) - n1 * (n1 + 1) // 2
        counts[u] = counts.get(u, 0) + 1
    total = sum(counts.values())
    size = 0
    for u, k in counts.items():
        umax = max(u, n1 * n2 - u)
        p = min(1.0, 2 * stats.norm.sf((umax - n1 * n2 / 2 - 0.5) / s))
        if p <= alpha:
            size += k
    return size / total


def main():
    cov, cov_trials, width, width_sd = coverage_estimate()
    size = mwu_size(10, 10, 0.05)
    ref = {
        "generator": "tests/data/stats/gen_reference.py",
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__,
                     "scipy": scipy.__version__, "statsmodels": statsmodels.__version__},
        "mwu": mwu_cases(),
        "holm": holm_cases(),
        "quantile": quantile_cases(),
        "bootstrap": bootstrap_cases(),
        "coverage": {"design": "20+20 lognormal sigma 0.05, ratio 1.1, 95 %",
                     "estimate": cov, "trials": cov_trials,
                     "width_mean": width, "width_sd": width_sd,
                     # 99.9 % two-sided binomial bounds for 200 trials at
                     # the estimate -+ 3 of its standard errors
                     "bounds_200": [
                         int(stats.binom.ppf(0.0005, 200, cov - 3 * np.sqrt(cov * (1 - cov) / cov_trials))),
                         int(stats.binom.isf(0.0005, 200, cov + 3 * np.sqrt(cov * (1 - cov) / cov_trials)))]},
        "aa": {"design": "10+10 continuous, asymptotic U test, alpha 0.05",
               "size": size,
               "bounds_500": [int(stats.binom.ppf(0.0005, 500, size)),
                              int(stats.binom.isf(0.0005, 500, size))],
               # what a rate of exactly alpha could reach with probability 0.001
               "max_500_at_alpha": int(stats.binom.isf(0.001, 500, 0.05)),
               "max_300_at_alpha": int(stats.binom.isf(0.001, 300, 0.05))},
    }
    json.dump(ref, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
