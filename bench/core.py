"""The pure matching core alone (no database, no Django): ranking one unit against 100,000 random
families (tests/matching/core_data.py), and the policy preview's work for 200 runs (each run's unit
evaluated and re-ranked under a draft, Kendall's tau included). `python -m bench.core` runs it alone;
`python -m bench --only core` too, before the database is set up."""

import dataclasses
import os
import statistics
import time

import numpy as np

from bench.setup import table
from matching.core import Weights, rank
from matching.core.evaluate import evaluate
from matching.core.preview import rerank
from tests.matching.core_data import random_carers, random_unit

DRAFT = Weights(home_proximity=2.0, religion=2.0, distance_scale_km=30.0)
RANK_TARGET_MS = 8.0  # ranking 100,000 families (issue 15, item 7)
PREVIEW_TARGET_S = 5.0  # re-ranking 200 runs under a draft policy (issue 15, item 5)


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def _units(carers, count: int) -> list:
    """Runs' units: mostly single children, some sibling groups, kin and exclusions recorded for some."""
    rng = np.random.default_rng(1)
    units = []
    for seed in range(count):
        size = int(rng.choice([1, 1, 1, 2, 3]))
        nearby = carers.ids[rng.choice(len(carers), 40, replace=False)]
        unit = random_unit(seed, size, carer_ids=nearby, kin_share=0.05)
        if seed % 4 == 0:
            unit = dataclasses.replace(unit, excluded=frozenset(nearby[:3]))
        units.append(unit)
    return units


def _times(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def run(*, carers: int = 100_000, repeats: int = 50, passes: int = 5, runs: int = 200, previews: int = 5) -> dict:
    families = random_carers(carers, seed=0)
    units = _units(families, max(runs, repeats))
    weights = Weights()
    started = time.perf_counter()
    _cached = (families.id_rank, families.cos_lat, families.lon_rad)  # once per CarerArrays, i.e. per refresh
    first_use = (time.perf_counter() - started) * 1000

    load_before = _load()
    cycle = iter(range(10**9))
    rank_ms = _times(lambda: rank(units[next(cycle) % repeats], families, weights), repeats * passes)
    eligible = [rank(u, families, weights).eligible_count for u in units[:repeats]]

    placed = {}
    for i, unit in enumerate(units[:runs]):
        order = rank(unit, families, weights).order
        if i % 2 == 0 and order.size:
            placed[i] = int(order[min(order.size - 1, i % 7)])

    def preview():
        for i, unit in enumerate(units[:runs]):
            rerank(evaluate(unit, families, weights), families.ids, DRAFT, placed.get(i))

    preview_s = [t / 1000 for t in _times(preview, previews)]
    load_after = _load()
    preview_row = f"preview of {runs} runs ({previews} times)"
    rank_median = statistics.median(rank_ms)
    preview_median = statistics.median(preview_s)
    rows = [
        [
            f"rank one unit ({repeats} units x {passes})",
            f"{min(rank_ms):.2f} ms",
            f"{rank_median:.2f} ms",
            f"{np.percentile(rank_ms, 90):.2f} ms",
            f"median <= {RANK_TARGET_MS:g} ms",
            _holds(rank_median <= RANK_TARGET_MS),
        ],
        [
            preview_row,
            f"{min(preview_s):.2f} s",
            f"{preview_median:.2f} s",
            "",
            f"median <= {PREVIEW_TARGET_S:g} s",
            _holds(preview_median <= PREVIEW_TARGET_S),
        ],
        ["id ranks, radians: first use per CarerArrays", f"{first_use:.1f} ms", "", "", "", ""],
    ]
    table(
        f"Pure core, {carers:,} random families (eligible per unit: median {int(statistics.median(eligible)):,}, "
        f"max {max(eligible):,}); load average {load_before} before, {load_after} after",
        ["what", "best", "median", "p90", "target (issue 15)", "holds"],
        rows,
    )
    return {"rank_ms": rank_ms, "preview_s": preview_s, "load": (load_before, load_after)}


def _holds(ok: bool) -> str:
    return "yes" if ok else "NO"


if __name__ == "__main__":
    run()
