"""What each factor added to a family's score, and whether it counted for or against the family.

The score is the weighted mean of the components that apply, so it splits exactly into one share per
factor: points = weight * value / Σ weights, and Σ points = score. A factor counts *for* a family when
its value is above 0.5, the value given to what cannot be measured (an unknown location, no past
placements), and *against* it when below: compared with a family about whom nothing is known on that
factor, it moved the family up or down.
"""

from __future__ import annotations

from dataclasses import dataclass

from .evaluate import NEUTRAL
from .explain import Fact, factor_facts
from .ranking import Ranking
from .types import COMPONENTS, Unit

FOR, AGAINST, NEUTRAL_EFFECT = "for", "against", "neutral"
EFFECTS = (FOR, AGAINST, NEUTRAL_EFFECT)
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Contribution:
    factor: str  # a name of COMPONENTS
    value: float  # the component, in [0, 1]
    weight: float  # the policy's weight of the component
    points: float  # weight * value / Σ weights that apply: what it added to the score
    effect: str  # for | against | neutral
    fact: Fact  # the family's value beside the child's, for the sentence


def effect_of(value: float) -> str:
    if value > NEUTRAL + _TOLERANCE:
        return FOR
    if value < NEUTRAL - _TOLERANCE:
        return AGAINST
    return NEUTRAL_EFFECT


def contributions_of(ranking: Ranking, unit: Unit, index: int) -> list[Contribution]:
    """One contribution per factor that applies to eligible family `index`, in the components' order."""
    ev = ranking.evaluation
    total = float(ev.weights.sum())
    facts = factor_facts(ranking, unit, index)
    values = ev.components_at(index)
    out = []
    for i, name in enumerate(COMPONENTS):
        if not ev.applicable[i]:
            continue
        value = float(values[i])
        weight = float(ev.weights[i])
        out.append(
            Contribution(
                factor=name,
                value=value,
                weight=weight,
                points=weight * value / total if total > 0 else 0.0,
                effect=effect_of(value),
                fact=facts[name],
            )
        )
    return out


def rounded(contributions: list[Contribution], score: float, digits: int = 4) -> list[Contribution]:
    """The contributions as shown beside a score rounded to `digits`: values rounded alike, points to
    two more digits, and the rounding remainder given to the largest share so that Σ points is the
    rounded score itself."""
    if not contributions:
        return []
    # Plain Python: a few numbers per family, for the families shown (NumPy's per-call cost dominates).
    target = round(float(score), digits)
    points = [round(c.points, digits + 2) for c in contributions]
    largest = max(range(len(points)), key=points.__getitem__)
    points[largest] = round(points[largest] + (target - sum(points)), digits + 6)
    return [
        Contribution(c.factor, round(c.value, digits), c.weight, p, c.effect, c.fact)
        for c, p in zip(contributions, points, strict=True)
    ]
