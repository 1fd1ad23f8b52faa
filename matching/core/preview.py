"""How a draft policy's weights would re-rank the families of a unit, against the weights in force.

The eligibility and the components do not depend on the weights: the unit is evaluated once, and the
eligible families are scored and ordered again under the draft (the same tie-break as a run's)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace

import numpy as np
from scipy.stats import kendalltau

from .evaluate import Evaluation, evaluate
from .ranking import order_eligible
from .types import CarerArrays, Unit, Weights


def rescored(evaluation: Evaluation, weights: Weights) -> Evaluation:
    """The evaluation with every eligible family scored under `weights`."""
    w = weights.as_array() * evaluation.applicable
    total = w.sum()
    scores = np.full(evaluation.scores.shape, np.nan)
    scores[evaluation.scored] = np.clip(evaluation.values @ w / total, 0.0, 1.0) if total > 0 else 0.0
    return replace(evaluation, scores=scores, weights=w)


@dataclass(frozen=True)
class Reranking:
    top1_changed: bool | None  # None: no family was eligible
    placed_shift: int | None  # the placed family's new rank minus its rank now (negative: moved up)
    kendall_tau: float | None  # agreement of the two orders over the eligible families (1: the same)


def rerank(evaluation: Evaluation, ids: np.ndarray, draft: Weights, placed: int | None = None) -> Reranking:
    """Compare the order under the evaluation's own weights with the order under `draft`."""
    return _Orders.of(evaluation, ids, draft).reranking(placed)


def rerank_runs(
    carers: CarerArrays, runs: Iterable[tuple[Unit, Weights, int | None]], draft: Weights
) -> list[Reranking]:
    """`rerank` for many runs, each (unit, the run's weights, the index of the family placed or None).
    Runs of the same unit under the same weights (a child matched again) are evaluated and ordered
    once; only the placed family's shift is their own."""
    seen: dict[tuple, _Orders] = {}
    out = []
    for unit, weights, placed in runs:
        key = (_key(unit), weights)
        if key not in seen:
            seen[key] = _Orders.of(evaluate(unit, carers, weights), carers.ids, draft)
        out.append(seen[key].reranking(placed))
    return out


def _key(unit: Unit) -> tuple:
    """The unit's fields, NaN (no school) made None so that two units without a school are equal."""
    values = (getattr(unit, f.name) for f in fields(unit))
    return tuple(None if isinstance(v, float) and math.isnan(v) else v for v in values)


@dataclass(frozen=True, eq=False)
class _Orders:
    now: np.ndarray  # the eligible families, best first, under the run's weights
    then: np.ndarray  # the same under the draft
    tau: float | None

    @classmethod
    def of(cls, evaluation: Evaluation, ids: np.ndarray, draft: Weights) -> _Orders:
        now = order_eligible(evaluation, ids)
        if now.size == 0:
            return cls(now, now, None)
        then = order_eligible(rescored(evaluation, draft), ids)
        tau = None
        if now.size >= 2:
            # Ranks, not scores: ties broken as the runs break them, so equal scores are not "disagreement".
            rank_then = np.empty(len(ids), dtype=np.int64)  # uninitialised: only the eligible are written and read
            rank_then[then] = np.arange(then.size)
            value = kendalltau(np.arange(now.size), rank_then[now]).statistic
            tau = None if np.isnan(value) else float(value)
        return cls(now, then, tau)

    def reranking(self, placed: int | None) -> Reranking:
        if self.now.size == 0:
            return Reranking(None, None, None)
        shift = None
        if placed is not None:
            was = np.flatnonzero(self.now == placed)  # empty when the family placed is not eligible now
            if was.size:
                shift = int(np.flatnonzero(self.then == placed)[0]) - int(was[0])
        return Reranking(bool(self.now[0] != self.then[0]), shift, self.tau)
