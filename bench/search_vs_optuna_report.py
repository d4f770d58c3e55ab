"""The report of bench/search-vs-optuna: best val_bpb so far against compute for each method, per repetition and
averaged over repetitions, as a table and a chart, and whether Caddie reached Optuna's final best within half the
compute. Reads WORK/{caddie,optuna-tpe,random}-R.jsonl (one JSON line per full-budget result: compute_s, best).

Usage: search_vs_optuna_report.py WORK BUDGET_S REPEATS
"""
import json
import statistics
import sys

METHODS = ("caddie", "optuna-tpe", "random")
MARKS = {"caddie": "C", "optuna-tpe": "O", "random": "R"}
FRACTIONS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def best_at(curve, c):
    """The best score among the results finished within c seconds of compute (None before the first)."""
    b = None
    for p in curve:
        if p["compute_s"] <= c and p["best"] is not None:
            b = p["best"]
    return b


def reach(curve, target):
    """The compute after which the curve is at or below target (None if never)."""
    return next((p["compute_s"] for p in curve if p["best"] is not None and target is not None and p["best"] <= target), None)


def fmt(x, width=12):
    return f"{x:{width}.4f}" if x is not None else f"{'-':>{width}}"


def table(title, budget, best_of):
    print(title)
    print(f"{'compute':>10} " + " ".join(f"{m:>12}" for m in METHODS))
    for frac in FRACTIONS:
        print(f"{budget * frac:9.0f}s " + " ".join(fmt(best_of(m, budget * frac)) for m in METHODS))


def chart(budget, best_of):
    """Best so far (rows, val_bpb) against compute (columns); C caddie, O optuna-tpe, R random, * several."""
    width, height = 60, 12
    cols = {m: [best_of(m, budget * (c + 1) / width) for c in range(width)] for m in METHODS}
    ys = [y for v in cols.values() for y in v if y is not None]
    if not ys:
        return
    lo, hi = min(ys), max(ys)
    hi = hi if hi > lo else lo + 1e-3
    grid = [[" "] * width for _ in range(height)]
    for m, v in cols.items():
        for col, b in enumerate(v):
            if b is None:
                continue
            row = round((hi - b) / (hi - lo) * (height - 1))
            grid[row][col] = MARKS[m] if grid[row][col] == " " else "*"
    print("\nbest val_bpb so far against compute (C caddie, O optuna-tpe, R random, * several)")
    for i, line in enumerate(grid):
        print(f"{hi - (hi - lo) * i / (height - 1):8.4f} |" + "".join(line))
    print(" " * 9 + "+" + "-" * width)
    print(" " * 10 + f"0{'':{width // 2 - 6}}{budget / 2:.0f}s{'':{width // 2 - 6}}{budget:.0f}s")


def main():
    work, budget, repeats = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    runs = [{m: [json.loads(line) for line in open(f"{work}/{m}-{r}.jsonl")] for m in METHODS} for r in range(1, repeats + 1)]
    verdicts = []
    for r, curves in enumerate(runs, 1):
        print()
        table(f"repetition {r}: best val_bpb so far", budget, lambda m, c: best_at(curves[m], c))
        if repeats == 1:
            chart(budget, lambda m, c: best_at(curves[m], c))
        for m in METHODS:
            print(f"{m}: {len(curves[m])} full-budget results, final best {best_at(curves[m], 1e18)}")
        target = best_at(curves["optuna-tpe"], 1e18)
        at = reach(curves["caddie"], target)
        verdicts.append((target, at))
        if at is None:
            print(f"repetition {r}: Caddie did not reach Optuna's final best {target} within the budget")
        else:
            print(f"repetition {r}: Caddie reached Optuna's final best {target:.4f} after {at:.0f}s = {100 * at / budget:.0f}% of the budget (target <= 50%)")
    if repeats == 1:
        return

    def mean_at(m, c):
        v = [best_at(curves[m], c) for curves in runs]
        return statistics.mean(v) if all(x is not None for x in v) else None

    print()
    table(f"mean over {repeats} repetitions (- until every repetition has a result)", budget, mean_at)
    chart(budget, mean_at)
    print(f"\n{'repetition':>10} " + " ".join(f"{m + ' 50%':>16} {m + ' 100%':>16}" for m in METHODS) + f" {'Caddie reached Optuna':>24}")
    for r, (curves, (target, at)) in enumerate(zip(runs, verdicts), 1):
        cells = " ".join(fmt(best_at(curves[m], budget / 2), 16) + " " + fmt(best_at(curves[m], 1e18), 16) for m in METHODS)
        print(f"{r:>10} {cells} {('never' if at is None else f'{100 * at / budget:.0f}%'):>24}")
    within = sum(1 for _, at in verdicts if at is not None and at <= budget / 2)
    print(f"Caddie reached Optuna's final best within half the compute in {within} of {repeats} repetitions")
    c_half, o_final = mean_at("caddie", budget / 2), mean_at("optuna-tpe", 1e18)
    if c_half is not None and o_final is not None:
        sd = lambda m, c: statistics.stdev([best_at(curves[m], c) for curves in runs])
        print(f"mean over repetitions: Caddie's best at half the compute {c_half:.4f} (sd {sd('caddie', budget / 2):.4f}), "
              f"Optuna's final best {o_final:.4f} (sd {sd('optuna-tpe', 1e18):.4f}): "
              + ("target met on average" if c_half <= o_final else "target not met on average"))


if __name__ == "__main__":
    main()
