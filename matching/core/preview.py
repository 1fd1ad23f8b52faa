"""How a draft policy's weights would re-rank the families of a unit, against the weights in force.

The eligibility and the components do not depend on the weights: the unit is evaluated once, and the
eligible families are scored and ordered again under the draft (the same tie-break as a run's)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.stats import kendalltau

from .evaluate import Evaluation
from .ranking import order_eligible
from .types import Weights


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
    now = order_eligible(evaluation, ids)
    if now.size == 0:
        return Reranking(None, None, None)
    other = rescored(evaluation, draft)
    then = order_eligible(other, ids)
    shift = None
    if placed is not None and evaluation.eligible[placed]:
        shift = int(np.flatnonzero(then == placed)[0]) - int(np.flatnonzero(now == placed)[0])
    tau = None
    if now.size >= 2:
        # Ranks, not scores: ties broken as the runs break them, so equal scores are not "disagreement".
        rank_then = np.empty(len(ids), dtype=np.int64)  # uninitialised: only the eligible are written and read
        rank_then[then] = np.arange(then.size)
        value = kendalltau(np.arange(now.size), rank_then[now]).statistic
        tau = None if np.isnan(value) else float(value)
    return Reranking(bool(now[0] != then[0]), shift, tau)
