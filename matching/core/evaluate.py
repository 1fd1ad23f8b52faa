"""Eligibility and scores of every family for one unit, vectorised over the families."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from register.rules import eligibility

from .geo import haversine_rad_km
from .types import COMPONENTS, CarerArrays, Unit, Weights

_C = {name: i for i, name in enumerate(COMPONENTS)}

# Neutral value for a component that cannot be measured for a family (e.g. an unknown location):
# neither rewarded nor punished.
NEUTRAL = 0.5


@dataclass(frozen=True, eq=False)
class Evaluation:
    """What the core found for one unit against every family (arrays aligned with the families, except
    the components, kept for the eligible families only: `scored` says which)."""

    reasons: np.ndarray  # bool, (n, len(EXCLUSION_CODES)): which hard filters each family fails
    scored: np.ndarray  # int, (m,): the eligible families' indices, ascending
    values: np.ndarray  # float, (m, len(COMPONENTS)): their components, each in [0, 1], aligned with `scored`
    applicable: np.ndarray  # bool, (len(COMPONENTS),): components that mean something for this unit
    scores: np.ndarray  # float, (n,), in [0, 1]; NaN for ineligible families
    home_km: np.ndarray  # float, (n,), NaN when unknown
    school_km: np.ndarray  # float, (n,)
    is_kin: np.ndarray  # bool, (n,)
    weights: np.ndarray  # float, (len(COMPONENTS),): the policy's weights, 0 where a component does not apply
    # Integers that sort as the families' ids do (CarerArrays.id_rank): the last tie-break without
    # comparing strings. None: the ranking compares the id strings themselves.
    id_rank: np.ndarray | None = None

    @cached_property  # read several times per ranking
    def eligible(self) -> np.ndarray:
        mask = np.zeros(len(self.reasons), dtype=bool)
        mask[self.scored] = True
        return mask

    def components_at(self, index: int) -> np.ndarray:
        """Family `index`'s components (len(COMPONENTS),); NaN when it is not eligible."""
        at = int(np.searchsorted(self.scored, index))
        if at < self.scored.size and self.scored[at] == index:
            return self.values[at]
        return np.full(len(COMPONENTS), np.nan)

    @cached_property
    def components(self) -> np.ndarray:
        """float, (n, len(COMPONENTS)): every family's components, NaN rows for ineligible families
        (built on demand: 7 MB at 100,000 families, which a ranking does not need)."""
        full = np.full((len(self.reasons), len(COMPONENTS)), np.nan)
        full[self.scored] = self.values
        return full


def _bit(index: int) -> int:
    return 1 << index


class _Rows:
    """The families at `index`, each array taken only when read (the components read eight of the
    nineteen arrays; copying the id strings of every eligible family was a good part of the time)."""

    def __init__(self, carers: CarerArrays, index: np.ndarray):
        self._carers, self._index = carers, index

    def __len__(self) -> int:
        return len(self._index)

    def __getattr__(self, name: str) -> np.ndarray:
        value = getattr(self._carers, name)[self._index]
        setattr(self, name, value)
        return value


def evaluate(unit: Unit, carers: CarerArrays, weights: Weights) -> Evaluation:
    n = len(carers)
    # Kin and exclusions by binary search in the sorted ids (cached per CarerArrays).
    is_kin = carers.mask_of(unit.kin)
    is_partial_kin = carers.mask_of(unit.kin_partial)
    excluded = carers.mask_of(unit.excluded)

    # --- Hard filters: the register's rules, shared with the placement service ----------------
    care_vocab = carers.vocab.get("care_type", ())
    kinship_needed = unit.care_type < len(care_vocab) and care_vocab[unit.care_type] == "kinship"
    sex_mask = 0
    for child in unit.children:
        sex_mask |= _bit(child.sex)
    children = eligibility.Children(
        ages=tuple(c.age for c in unit.children),
        sexes=sex_mask,
        needs=unit.needs,
        care_type=unit.care_type,
        kinship=kinship_needed,
    )
    reasons = eligibility.failing(carers, children, eligibility.Relations(kin=is_kin, excluded=excluded))

    # --- Components, computed for the eligible families only (the costly part) ----------------
    eligible = np.flatnonzero(~reasons.any(axis=1))
    rows = _Rows(carers, eligible)
    lat, lon, cos_lat = rows.lat_rad, rows.lon_rad, rows.cos_lat  # radians and cosines cached per CarerArrays
    home_km = np.full(n, np.nan)
    home_sub = haversine_rad_km(unit.home_lat, unit.home_lon, lat, lon, cos_lat)
    home_km[eligible] = home_sub
    school_km = np.full(n, np.nan)
    if np.isnan(unit.school_lat) or np.isnan(unit.school_lon):
        school_sub = np.full(eligible.size, np.nan)
    else:
        school_sub = haversine_rad_km(unit.school_lat, unit.school_lon, lat, lon, cos_lat)
        school_km[eligible] = school_sub
    values, applicable = components(
        unit, rows, is_kin[eligible], is_partial_kin[eligible], home_sub, school_sub, weights
    )
    w = weights.as_array() * applicable
    total = w.sum()
    scores = np.full(n, np.nan)
    scores[eligible] = np.clip(values @ w / total, 0.0, 1.0) if total > 0 else 0.0
    return Evaluation(reasons, eligible, values, applicable, scores, home_km, school_km, is_kin, w, carers.id_rank)


def components(
    unit: Unit,
    carers: CarerArrays | _Rows,
    is_kin: np.ndarray,
    is_partial_kin: np.ndarray,
    home_km: np.ndarray,
    school_km: np.ndarray,
    weights: Weights,
) -> tuple[np.ndarray, np.ndarray]:
    """The score components (n, len(COMPONENTS)) of these families, and which ones apply."""
    n = len(is_kin)
    ages = np.array([c.age for c in unit.children])
    comp = np.full((n, len(COMPONENTS)), NEUTRAL)
    applicable = np.ones(len(COMPONENTS), dtype=bool)

    comp[:, _C["kinship"]] = np.where(is_kin, 1.0, np.where(is_partial_kin, 0.5, 0.0))

    comp[:, _C["home_proximity"]] = np.where(np.isnan(home_km), NEUTRAL, np.exp(-home_km / weights.distance_scale_km))
    if np.isnan(unit.school_lat) or np.isnan(unit.school_lon):
        applicable[_C["school_proximity"]] = False
    else:
        comp[:, _C["school_proximity"]] = np.where(
            np.isnan(school_km), NEUTRAL, np.exp(-school_km / weights.distance_scale_km)
        )

    if unit.languages:
        first = _bit(unit.languages[0])
        any_mask = 0
        for lang in unit.languages:
            any_mask |= _bit(lang)
        comp[:, _C["language"]] = np.where(
            (carers.languages & first) != 0, 1.0, np.where((carers.languages & any_mask) != 0, 0.5, 0.0)
        )
    else:
        applicable[_C["language"]] = False

    comp[:, _C["religion"]] = (carers.religion == unit.religion).astype(float)
    comp[:, _C["ethnicity"]] = (carers.ethnicity == unit.ethnicity).astype(float)

    needs = unit.needs
    if needs:
        covered = np.bitwise_count((carers.trained_needs & needs).astype(np.int64))
        comp[:, _C["skills"]] = covered / int(needs).bit_count()
    else:
        applicable[_C["skills"]] = False

    placed = carers.past_placements.astype(float)
    experience = np.minimum(placed, 5.0) / 5.0
    stability = 1.0 - carers.breakdowns / np.maximum(placed, 1.0)
    comp[:, _C["experience"]] = np.clip(0.5 * experience + 0.5 * stability, 0.0, 1.0)

    half = (carers.age_max - carers.age_min) / 2.0
    mid = carers.age_min + half
    fit = np.zeros(n)
    for age in ages:
        fit += np.clip(1.0 - np.abs(age - mid) / (half + 1.0), 0.0, 1.0)
    comp[:, _C["age_fit"]] = fit / len(ages)

    return comp, applicable
