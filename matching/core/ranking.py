"""Families ranked best first for one unit, with a tie-break that never depends on input order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .evaluate import Evaluation, evaluate
from .types import COMPONENTS, EXCLUSION_CODES, CarerArrays, Unit, Weights


def order_eligible(evaluation: Evaluation, ids: np.ndarray) -> np.ndarray:
    """Indices of the eligible families, best first: higher score, then nearer home (unknown last),
    then carer id ascending. Scores are rounded to 9 decimals so that float noise cannot reorder
    equal scores.

    The families are sorted by score alone, and only the runs of equal scores are then sorted by
    distance and id: the same order as one sort on the three keys, for the price of one sort of
    floats (ties are rare when distances count). Ids compare as `evaluation.id_rank` when the
    evaluation has it (integers cached per CarerArrays), else as the strings `ids`."""
    eligible = np.flatnonzero(evaluation.eligible)
    if eligible.size <= 1:
        return eligible
    score = np.round(evaluation.scores[eligible], 9)
    distance = np.nan_to_num(evaluation.home_km[eligible], nan=np.inf)
    id_rank = evaluation.id_rank
    tiebreak = id_rank[eligible] if id_rank is not None and len(id_rank) == len(ids) else ids[eligible]
    if np.isnan(score).any():  # not from evaluate(); the plain sort knows where NaN goes
        return eligible[np.lexsort((tiebreak, distance, -score))]
    order = np.argsort(-score)
    ordered = score[order]
    same = ordered[1:] == ordered[:-1]
    if same.any():
        tied = np.zeros(order.size, dtype=bool)
        tied[1:] = same
        tied[:-1] |= same
        at = np.flatnonzero(tied)  # positions of the runs of equal scores, in descending score
        members = order[at]
        # np.lexsort sorts by the last key first: score again keeps each run in its place.
        order[at] = members[np.lexsort((tiebreak[members], distance[members], -score[members]))]
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
        reasons = self.evaluation.reasons  # column-major: one contiguous count per rule
        counts = (np.count_nonzero(reasons[:, column]) for column in range(len(EXCLUSION_CODES)))
        return {code: int(n) for code, n in zip(EXCLUSION_CODES, counts, strict=True) if n}

    def reasons_of(self, index: int) -> list[str]:
        return [code for code, bad in zip(EXCLUSION_CODES, self.evaluation.reasons[index], strict=True) if bad]

    def components_of(self, index: int) -> dict[str, float]:
        ev = self.evaluation
        values = ev.components_at(index)
        return {name: round(float(values[i]), 4) for i, name in enumerate(COMPONENTS) if ev.applicable[i]}

    def index_of(self, carer_id: str) -> int | None:
        return self.carers.index_of(carer_id)


def rank(unit: Unit, carers: CarerArrays, weights: Weights) -> Ranking:
    evaluation = evaluate(unit, carers, weights)
    return Ranking(carers, evaluation, order_eligible(evaluation, carers.ids))
