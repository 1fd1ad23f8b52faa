"""Families ranked best first for one unit, with a tie-break that never depends on input order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .evaluate import Evaluation, evaluate
from .types import COMPONENTS, EXCLUSION_CODES, CarerArrays, Unit, Weights


def order_eligible(evaluation: Evaluation, ids: np.ndarray) -> np.ndarray:
    """Indices of the eligible families, best first: higher score, then nearer home, then carer id.
    Scores are rounded to 9 decimals so that float noise cannot reorder equal scores."""
    eligible = np.flatnonzero(evaluation.eligible)
    if eligible.size == 0:
        return eligible
    score = np.round(evaluation.scores[eligible], 9)
    distance = np.nan_to_num(evaluation.home_km[eligible], nan=np.inf)
    # np.lexsort sorts by the last key first.
    order = np.lexsort((ids[eligible], distance, -score))
    return eligible[order]


@dataclass(frozen=True, eq=False)
class Ranking:
    carers: CarerArrays
    evaluation: Evaluation
    order: np.ndarray  # indices of eligible families, best first

    @property
    def eligible_count(self) -> int:
        return int(self.order.size)

    @property
    def excluded_count(self) -> int:
        return len(self.carers) - self.eligible_count

    def excluded_by_reason(self) -> dict[str, int]:
        """How many families each hard filter left out (a family failing two filters counts in both)."""
        counts = self.evaluation.reasons.sum(axis=0)
        return {code: int(n) for code, n in zip(EXCLUSION_CODES, counts, strict=True) if n}

    def reasons_of(self, index: int) -> list[str]:
        return [code for code, bad in zip(EXCLUSION_CODES, self.evaluation.reasons[index], strict=True) if bad]

    def components_of(self, index: int) -> dict[str, float]:
        ev = self.evaluation
        return {name: round(float(ev.components[index, i]), 4) for i, name in enumerate(COMPONENTS) if ev.applicable[i]}

    def index_of(self, carer_id: str) -> int | None:
        where = np.flatnonzero(self.carers.ids == carer_id)
        return int(where[0]) if where.size else None


def rank(unit: Unit, carers: CarerArrays, weights: Weights) -> Ranking:
    evaluation = evaluate(unit, carers, weights)
    return Ranking(carers, evaluation, order_eligible(evaluation, carers.ids))
