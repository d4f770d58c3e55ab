"""A surrogate of Tiny Golf fitted to a kept bench/search-vs-optuna work folder, for bench/search-surrogate.

One real comparison costs about half an hour per repetition, and a search's best is one lucky draw often
enough that three repetitions cannot tell two search settings apart. This fits the recorded runs instead:
a Gaussian process (squared-exponential kernel, one length scale per parameter, fitted by leave-one-out
error) maps a configuration to its val_bpb, a second one to its log weight bytes, and the recorded
checkpoint train_loss tells how well a run's rank is known at each checkpoint (the residual of val_bpb
regressed on it). Searches then run against the surrogate in seconds, for hundreds of seeds.

  search_surrogate.py fit WORK OUT.json       fit the surrogate to WORK's runs
  search_surrogate.py optuna-tpe|random SURROGATE.json BUDGET_S SEEDS    the Python methods on it, a JSON line per seed
  search_surrogate.py report BUDGET_S FILES...    mean curves, and where Caddie reached Optuna's final best

Coordinates: log for log-float, linear for int and float, a categorical's choice index (its choices are
ordered sizes on Tiny Golf: batch, sequence length, bits), each scaled to [0, 1].
"""
import glob
import json
import math
import os
import re
import sqlite3
import sys
import tomllib
import warnings

import numpy as np

warnings.filterwarnings("ignore", "Mean of empty slice")  # a seed before its first result leaves the mean
MIN_RUNS = 10  # fewer finished runs (or runs logged at a checkpoint) than this fit no surrogate worth running
STEP = re.compile(r"^step:(\d+)/\d+ train_loss:([\d.]+) train_time:(\d+)ms", re.M)


def task_of(work):
    """The search space, the size limit and the full tier's wall-clock cap (s) of the bench's caddie.toml."""
    with open(os.path.join(work, "caddie-1", "caddie.toml"), "rb") as f:
        toml = tomllib.load(f)
    space = [dict(name=k, **v) for k, v in toml["search"].items()]
    return space, int(toml["limits"]["artifact_bytes"]), float(toml["tiers"]["full"]["env"]["MAX_WALLCLOCK_SECONDS"])


def coord(p, value):
    if p["kind"] == "categorical":
        return p["choices"].index(str(value)) / max(1, len(p["choices"]) - 1)
    x = float(value)
    if p["kind"] == "log-float":
        return (math.log(x) - math.log(p["low"])) / (math.log(p["high"]) - math.log(p["low"]))
    return (x - p["low"]) / (p["high"] - p["low"])


def curve(log_text, cap_ms):
    return [(int(t) / cap_ms, float(l)) for _, l, t in STEP.findall(log_text)]


def at(c, f, window=0.1):
    if not c or c[-1][0] < f:
        return math.nan
    v = [l for p, l in c if f - window < p <= f]
    return sum(v) / len(v) if v else math.nan


def runs_of(work):
    """WORK's finished full-length runs (env, val_bpb, bytes, log text, wall s), its micro runs' wall s, and its stopped runs' overhead s."""
    out = []
    for f in sorted(glob.glob(os.path.join(work, "optuna-tpe-*.jsonl")) + glob.glob(os.path.join(work, "random-*.jsonl"))):
        folder, method = f[:-len(".jsonl")], os.path.basename(f).rsplit("-", 1)[0]
        previous = 0.0
        for line in open(f):
            d = json.loads(line)
            text = open(os.path.join(folder, "logs", f"{method}-{d['trial']}.txt")).read()
            v = re.search(r"^final_int\d+_zlib_roundtrip_exact val_loss:\S+ val_bpb:(\S+)", text, re.M)
            size = re.search(r"^Total submission size \S+: (\d+) bytes", text, re.M)
            code = re.search(r"^Code size: (\d+) bytes", text, re.M)
            if v and size and code:
                out.append(dict(env=d["params"], val=float(v.group(1)), bytes=int(size.group(1)), code=int(code.group(1)),
                                text=text, wall=d["compute_s"] - previous))
            previous = d["compute_s"]
    micro, stopped = [], []
    for db in sorted(glob.glob(os.path.join(work, "caddie-*", ".caddie", "ledger.db"))):
        con = sqlite3.connect(db)
        for env, tier, status, val, size, code, log, ms in con.execute(
                "select c.env_json, r.tier, r.status, r.val_bpb, r.artifact_bytes, r.code_bytes, r.log_path, r.duration_ms"
                " from runs r join candidates c on c.id = r.candidate_id"):
            if tier == "micro" and ms:
                micro.append(ms / 1000)
            elif tier == "full" and status == "aborted" and ms and log and os.path.exists(log):
                steps = STEP.findall(open(log).read())
                if steps:  # what a stopped run cost beyond its training time: start-up, compilation, the stop
                    stopped.append(ms / 1000 - int(steps[-1][2]) / 1000)
            elif tier == "full" and status == "ok" and val is not None and size and code and log and os.path.exists(log):
                out.append(dict(env=json.loads(env), val=val, bytes=size, code=code, text=open(log).read(), wall=ms / 1000))
    return out, micro, stopped


def kernel(a, b, ls, sf):
    d = (((a[:, None, :] - b[None, :, :]) / ls) ** 2).sum(-1)
    return sf * sf * np.exp(-0.5 * d)


def loo(x, y, ls, sf, sn):
    ki = np.linalg.inv(kernel(x, x, ls, sf) + sn * sn * np.eye(len(x)))
    e = (ki @ (y - y.mean())) / np.diag(ki)
    return math.sqrt(float((e * e).mean()))


def fit_gp(x, y):
    """Length scales, signal and noise by coordinate search on the leave-one-out error (a few hundred solves)."""
    ls, sf, sn = np.full(x.shape[1], 0.5), float(y.std()), 0.1 * float(y.std())
    best = loo(x, y, ls, sf, sn)
    for _ in range(6):
        for j in range(x.shape[1]):
            for m in (0.5, 0.7, 1.4, 2.0, 4.0):
                t = ls.copy()
                t[j] = min(20.0, max(0.05, t[j] * m))
                e = loo(x, y, t, sf, sn)
                if e < best:
                    best, ls = e, t
        for m in (0.7, 1.4):
            if (e := loo(x, y, ls, sf * m, sn)) < best:
                best, sf = e, sf * m
            if (e := loo(x, y, ls, sf, sn * m)) < best:
                best, sn = e, sn * m
    alpha = np.linalg.solve(kernel(x, x, ls, sf) + sn * sn * np.eye(len(x)), y - y.mean())
    return dict(x=x.tolist(), alpha=alpha.tolist(), ls=ls.tolist(), sf=sf, noise=sn, mean=float(y.mean()), loo=best, sd=float(y.std()))


def fit(work, out_path):
    if not os.path.exists(os.path.join(work, "caddie-1", "caddie.toml")):
        sys.exit(f"{work}: no caddie-1/caddie.toml; give the work folder that KEEP=1 bench/search-vs-optuna printed")
    space, limit, cap_s = task_of(work)
    runs, micro, stopped = runs_of(work)
    if len(runs) < MIN_RUNS:
        sys.exit(f"{work}: {len(runs)} finished full-length run(s) with a score and a size; the surrogate needs {MIN_RUNS} or more")
    x = np.array([[coord(p, r["env"].get(p["name"], p.get("default"))) for p in space] for r in runs])
    val = fit_gp(x, np.array([r["val"] for r in runs]))
    size = fit_gp(x, np.array([math.log(r["bytes"] - r["code"]) for r in runs]))
    # how far a checkpoint's train_loss is from the final val_bpb, in val_bpb: the residual of a linear fit
    curves = [curve(r["text"], 1000 * cap_s) for r in runs]  # each log read once, for every checkpoint
    checkpoints = {}
    for f in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        pairs = [(at(c, f), r["val"]) for c, r in zip(curves, runs)]
        pairs = np.array([p for p in pairs if math.isfinite(p[0])])
        if len(pairs) < MIN_RUNS:
            sys.exit(f"{work}: {len(pairs)} run(s) logged a train_loss at {f:.0%} of the budget; the surrogate needs {MIN_RUNS}")
        slope, icpt = np.polyfit(pairs[:, 0], pairs[:, 1], 1)
        checkpoints[f"{f:.1f}"] = float(np.std(pairs[:, 1] - (slope * pairs[:, 0] + icpt)))
    full = [r["wall"] for r in runs]
    # a stopped run's cost beyond its training time; a folder without one (no checkpoints) gets about what one measured
    surrogate = dict(space=space, val=val, size=size, checkpoint_sd=checkpoints, cap_s=cap_s, code_bytes=int(np.median([r["code"] for r in runs])),
                     full_s=float(np.mean(full)), stop_overhead_s=float(np.mean(stopped)) if stopped else 2.0, micro_s=float(np.mean(micro)) if micro else 0.0, runs=len(runs), limit=limit)
    json.dump(surrogate, open(out_path, "w"))
    print(f"surrogate: {len(runs)} runs; val_bpb leave-one-out error {val['loo']:.4f} (spread {val['sd']:.3f}), noise {val['noise']:.4f};"
          f" log size error {size['loo']:.4f}; a full run {surrogate['full_s']:.1f} s, a micro run {surrogate['micro_s']:.1f} s;"
          f" checkpoint error " + ", ".join(f"{int(float(k) * 100)}% {v:.3f}" for k, v in checkpoints.items()))


def predict(gp, f):
    d = (((np.array(gp["x"]) - f) / np.array(gp["ls"])) ** 2).sum(1)
    return float(gp["sf"] ** 2 * np.exp(-0.5 * d) @ np.array(gp["alpha"]) + gp["mean"])


def search(method, surrogate_path, budget_s, seeds):
    """Optuna's TPE or random search with full-length trials on the surrogate, seeded as bench/search-vs-optuna seeds them."""
    import optuna
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from search_vs_optuna import space as suggest
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    s = json.load(open(surrogate_path))
    for seed in range(1, seeds + 1):
        rng = np.random.default_rng(9_000 + seed)
        sampler = optuna.samplers.TPESampler(seed=seed) if method == "optuna-tpe" else optuna.samplers.RandomSampler(seed=100 + seed)
        study = optuna.create_study(direction="minimize", sampler=sampler)
        spent, best, curve = 0.0, math.inf, []
        while spent < budget_s:
            trial = study.ask()
            env = {k: str(v) for k, v in suggest(trial).items()}
            f = np.array([coord(p, env.get(p["name"], p.get("default"))) for p in s["space"]])
            spent += s["full_s"]
            fits = s["code_bytes"] + math.exp(predict(s["size"], f) + rng.normal(0, s["size"]["noise"])) <= s["limit"]
            score = predict(s["val"], f) + rng.normal(0, s["val"]["noise"]) if fits else math.inf
            study.tell(trial, score if fits else 1e9)
            if fits and score < best:
                best = score
            if math.isfinite(best):
                curve.append([round(spent, 1), round(best, 5)])
        print(json.dumps({"method": method, "seed": seed, "curve": curve}), flush=True)


def best_at(curve, spent):
    """The best score after `spent` s, NaN before the method's first result (means leave that seed out)."""
    b = [v for c, v in curve if c <= spent]
    return min(b) if b else math.nan


def report(budget_s, files):
    """Mean best at each quarter of the budget per method, and where Caddie reached Optuna's final best (per seed and on the means)."""
    by = {}
    for f in files:
        for line in open(f):
            d = json.loads(line)
            by.setdefault(d["method"], {})[d["seed"]] = d["curve"]
    print(f"{'method':12} {'seeds':>5} " + " ".join(f"{q:>7.0%}" for q in (0.25, 0.5, 0.75, 1.0)))
    for m, curves in by.items():
        row = [np.nanmean([best_at(c, q * budget_s) for c in curves.values()]) for q in (0.25, 0.5, 0.75, 1.0)]
        print(f"{m:12} {len(curves):>5} " + " ".join(f"{v:7.4f}" for v in row))
    if "caddie" in by and "optuna-tpe" in by:
        caddie, optuna = by["caddie"], by["optuna-tpe"]
        finals = {k: best_at(c, budget_s) for k, c in optuna.items()}
        paired = [k for k in caddie if k in finals and math.isfinite(finals[k])]  # seed k of each method: one repetition
        reach = np.array([next((spent for spent, b in caddie[k] if b <= finals[k]), math.inf) / budget_s for k in paired])
        target = float(np.nanmean(list(finals.values())))
        grid = np.linspace(0.01, 1, 100)
        crossing = next((g for g in grid if np.nanmean([best_at(c, g * budget_s) for c in caddie.values()]) <= target), math.nan)
        median = np.median(reach)
        print(f"over {len(paired)} paired seeds Caddie reached Optuna's final best within half the budget in {np.mean(reach <= 0.5):.0%},"
              f" within the whole budget in {np.mean(reach <= 1.0):.0%}; the median seed "
              + (f"at {median:.0%} of the budget" if median <= 1 else "not within the budget"))  # a last run may end past it
        print(f"Caddie's mean best reached Optuna's mean final best ({target:.4f}) at "
              + (f"{crossing:.0%} of the budget" if math.isfinite(crossing) else "no point of the budget"))


if __name__ == "__main__":
    if sys.argv[1] == "fit":
        fit(sys.argv[2], sys.argv[3])
    elif sys.argv[1] in ("optuna-tpe", "random"):
        search(sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))
    elif sys.argv[1] == "report":
        report(float(sys.argv[2]), sys.argv[3:])
    else:
        sys.exit(__doc__)
