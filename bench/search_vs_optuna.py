"""Optuna's TPE and random search on Tiny Golf, for bench/search-vs-optuna.

Each trial runs train.java at the full budget through the same environment variables Caddie sets,
scores the roundtrip val_bpb (an artifact over 160,000 bytes counts as a failure), and charges the
trial's wall-clock seconds. Prints one JSON line per trial: method, trial, compute_s, score, best, params.
"""
import json
import math
import os
import re
import subprocess
import sys
import time

import optuna

LIMIT = 160_000


def space(trial):
    return {
        "MATRIX_LR": trial.suggest_float("MATRIX_LR", 0.001, 0.02, log=True),
        "EMBED_LR": trial.suggest_float("EMBED_LR", 0.002, 0.05, log=True),
        "SCALAR_LR": trial.suggest_float("SCALAR_LR", 0.001, 0.02, log=True),
        "WARMDOWN_ITERS": trial.suggest_int("WARMDOWN_ITERS", 0, 300),
        "TRAIN_BATCH_TOKENS": trial.suggest_categorical("TRAIN_BATCH_TOKENS", ["1024", "2048", "4096"]),
        "NUM_LAYERS": trial.suggest_int("NUM_LAYERS", 1, 3),
        "TRAIN_SEQ_LEN": trial.suggest_categorical("TRAIN_SEQ_LEN", ["32", "64", "128"]),
        "QUANT_BITS": trial.suggest_categorical("QUANT_BITS", ["5", "6", "8"]),
        "BETA2": trial.suggest_float("BETA2", 0.9, 0.999),
        "GRAD_CLIP_NORM": trial.suggest_float("GRAD_CLIP_NORM", 0.0, 2.0),
    }


def main():
    method, workdir, java, data, seconds, budget_s, seed = sys.argv[1:8]
    seconds, budget_s, seed = float(seconds), float(budget_s), int(seed)
    sampler = optuna.samplers.TPESampler(seed=seed) if method == "optuna-tpe" else optuna.samplers.RandomSampler(seed=seed)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    spent, best, n = 0.0, math.inf, 0
    while spent < budget_s:
        trial = study.ask()
        params = {k: str(v) for k, v in space(trial).items()}
        env = dict(os.environ, DATA_PATH=data, SEED="1337", RUN_ID=f"{method}-{n}", MAX_WALLCLOCK_SECONDS=str(seconds), **params)
        t0 = time.time()
        out = subprocess.run([java, "train.java"], cwd=workdir, env=env, capture_output=True, text=True).stdout
        spent += time.time() - t0
        m = re.search(r"^final_int\d+_zlib_roundtrip_exact val_loss:\S+ val_bpb:(\S+)", out, re.M)
        size = re.search(r"^Total submission size \S+: (\d+) bytes", out, re.M)
        score = float(m.group(1)) if m and size and int(size.group(1)) <= LIMIT else math.inf
        study.tell(trial, score if math.isfinite(score) else 1e9)
        best = min(best, score)
        print(f"{method} trial {n}: {score:.4f}, best {best:.4f}, {spent:.0f} of {budget_s:.0f} s", file=sys.stderr, flush=True)
        print(json.dumps({"method": method, "trial": n, "compute_s": round(spent, 1), "score": score if math.isfinite(score) else None,
                          "best": best if math.isfinite(best) else None, "params": params}), flush=True)
        n += 1


if __name__ == "__main__":
    main()
