"""Where families are missing: for the children waiting in each province, whether at least one family
of that province may receive them, and for those without, their profiles and the rules that keep the
nearest families out, largest gap first, so recruitment targets the families that are missing.

It runs the register's eligibility rules (register/rules/eligibility.py, the hard filters of
matching's core) on matching's family arrays (matching.adapter), for every waiting child at once:
families with the same terms are one row (a province has thousands of families but far fewer
distinct terms), children with the same facts are asked once, and only the few families recorded
as kin of, or excluded for, a child are looked at one by one."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.utils import timezone

from matching.adapter import carers_with_provinces
from register.models import CarerExclusion, Child, KinLink
from register.rules import eligibility
from register.selectors.eligibility import children_facts_of

CODES = eligibility.EXCLUSION_CODES
# The columns of the family arrays the rules read, in a fixed order (their profile).
FAMILY_FIELDS = (
    "approved", "review_ok", "vacancies", "age_min", "age_max", "sexes", "max_sibling_group", "care_types",
    "needs_supported", "open_concern",
)  # fmt: skip
FLAGS = ("approved", "review_ok", "open_concern")  # yes-or-no columns, negated by the rules
RECENT_PROFILES = 32  # eligible profiles tried first for the next children
AGE_BANDS = ((0, 2, "0-2"), (3, 5, "3-5"), (6, 11, "6-11"), (12, 17, "12-17"))


def age_band(age: int) -> str:
    return next(label for low, high, label in AGE_BANDS if low <= age <= high)


@dataclass
class Gap:
    profile: dict
    children: int = 0
    exclusion_reasons: Counter = field(default_factory=Counter)
    provinces: Counter = field(default_factory=Counter)


@dataclass
class CapacityGaps:
    children_waiting: int = 0
    with_an_eligible_family: int = 0
    gaps: list[Gap] = field(default_factory=list)

    @property
    def without(self) -> int:
        return self.children_waiting - self.with_an_eligible_family


@dataclass
class _Unit:
    """Children placed together: one child, or the waiting children of a keep-together group."""

    province: str
    children: list[tuple] = field(default_factory=list)  # (id, born, sex, needs, care type)


class _Families:
    """One province's families, collapsed to their distinct terms (profiles), with how many share each."""

    def __init__(self, arrays):
        self.arrays = arrays
        self.index = {str(i): n for n, i in enumerate(arrays.ids)}
        if len(arrays):
            # Vacancies above any sibling group's size are the same to every rule: cap them, so that
            # more families share a profile.
            columns = [np.asarray(getattr(arrays, f)).astype(np.int64) for f in FAMILY_FIELDS]
            columns[2] = np.minimum(columns[2], 13)
            stacked = np.stack(columns, axis=1)
            unique, self.profile_of, self.counts = np.unique(stacked, axis=0, return_inverse=True, return_counts=True)
            self.profile_of = self.profile_of.ravel()
            self.profiles = eligibility.FamilyFacts(
                **{f: unique[:, i].astype(bool) if f in FLAGS else unique[:, i] for i, f in enumerate(FAMILY_FIELDS)}
            )
        else:
            self.profile_of, self.counts = np.zeros(0, int), np.zeros(0, int)
            self.profiles = None
        self._cache: dict = {}
        self._verdicts: dict = {}
        # Profiles that were eligible for earlier children, most recent first: most children have a
        # family, and a family open to many children is found among these in one small check.
        self._recent: list[int] = []

    def failing(self, children: eligibility.Children) -> np.ndarray:
        """The rules each profile fails for these children, as if no family were kin or excluded."""
        if children not in self._cache:
            none = np.zeros(len(self.counts), dtype=bool)
            self._cache[children] = eligibility.failing(self.profiles, children, eligibility.Relations(none, none))
        return self._cache[children]

    def verdict(self, children: eligibility.Children, kin: set[str], excluded: set[str]) -> tuple[bool, set[str]]:
        """(some family may receive them, the rules the nearest families fail when none may). The
        nearest families are those failing the fewest rules."""
        if self.profiles is None:
            return False, set()
        special = sorted(self.index[c] for c in kin | excluded if c in self.index)
        if not special:
            # Children with the same facts and no kin or exclusion here get the same answer: once.
            if children not in self._verdicts:
                known = self._recently_eligible(children)
                self._verdicts[children] = known or self._verdict(children, [], kin, excluded)
            return self._verdicts[children]
        return self._verdict(children, special, kin, excluded)

    def _recently_eligible(self, children: eligibility.Children) -> tuple[bool, set[str]] | None:
        """(True, no reasons) when one of the recently eligible profiles may receive these children."""
        if not self._recent:
            return None
        recent = np.array(self._recent)
        none = np.zeros(len(recent), dtype=bool)
        subset = eligibility.FamilyFacts(**{f: getattr(self.profiles, f)[recent] for f in FAMILY_FIELDS})
        passing = ~eligibility.failing(subset, children, eligibility.Relations(none, none)).any(axis=1)
        if not passing.any():
            return None
        self._remember(int(recent[np.argmax(passing)]))
        return True, set()

    def _remember(self, profile: int) -> None:
        if profile in self._recent:
            self._recent.remove(profile)
        self._recent.insert(0, profile)
        del self._recent[RECENT_PROFILES:]

    def _verdict(self, children, special, kin, excluded) -> tuple[bool, set[str]]:
        rows = self.failing(children)  # every profile has at least one family
        if special:
            counts = self.counts.copy()
            np.subtract.at(counts, self.profile_of[special], 1)
            some = self.arrays.take(np.array(special))
            ids = [str(i) for i in some.ids]
            relations = eligibility.Relations(
                kin=np.array([i in kin for i in ids]), excluded=np.array([i in excluded for i in ids])
            )
            rows = np.concatenate([rows[counts > 0], eligibility.failing(some, children, relations)])
        if not len(rows):
            return False, set()
        passing = ~rows.any(axis=1)
        if passing.any():
            if not special:
                self._remember(int(np.argmax(passing)))
            return True, set()
        failed = rows.sum(axis=1)
        nearest = rows[failed == failed.min()].any(axis=0)
        return False, {code for code, hit in zip(CODES, nearest, strict=True) if hit}


def capacity_gaps(*, user, provinces: list[str], today: datetime.date | None = None) -> CapacityGaps:
    """The gaps for the children waiting in `provinces` (already checked to be the user's)."""
    today = today or timezone.localdate()
    waiting = (
        Child.objects.filter(status__in=Child.PLACEABLE, province_id__in=provinces)
        .order_by()
        .values_list(
            "id", "date_of_birth", "sex", "needs", "care_type_needed", "sibling_group_id",
            "sibling_group__keep_together", "province_id",
        )
    )  # fmt: skip
    units: dict = {}
    for pk, born, sex, needs, care_type, group, keep_together, province in waiting.iterator(chunk_size=5000):
        key = (group, province) if group and keep_together else pk
        units.setdefault(key, _Unit(province)).children.append((pk, born, sex, tuple(needs or ()), care_type))
    kin_of, excluded_for = defaultdict(set), defaultdict(set)
    related = {"child__status__in": Child.PLACEABLE, "child__province_id__in": provinces}
    for child, carer in KinLink.objects.filter(**related).values_list("child_id", "carer_id"):
        kin_of[child].add(str(carer))
    for child, carer in CarerExclusion.objects.filter(**related).values_list("child_id", "carer_id"):
        excluded_for[child].add(str(carer))

    arrays, family_provinces = carers_with_provinces(user)
    families = {p: _Families(arrays.take(np.flatnonzero(family_provinces == p))) for p in provinces}

    result = CapacityGaps()
    gaps: dict[tuple, Gap] = {}
    for unit in units.values():
        ids = [c[0] for c in unit.children]
        facts = children_facts_of(
            born=[c[1] for c in unit.children],
            sexes=[c[2] for c in unit.children],
            needs=[list(c[3]) for c in unit.children],
            care_type=unit.children[0][4],
            on=today,
        )
        # Kin of every child of the unit; excluded for any of them.
        kin = set.intersection(*(kin_of.get(i, set()) for i in ids)) if ids else set()
        excluded = set().union(*(excluded_for.get(i, set()) for i in ids))
        eligible, reasons = families[unit.province].verdict(facts, kin, excluded)
        size = len(ids)
        result.children_waiting += size
        if eligible:
            result.with_an_eligible_family += size
            continue
        for (_, _, sex, needs, _), age in zip(unit.children, facts.ages, strict=True):
            profile = (age_band(age), sex, tuple(sorted(needs)), size)
            gap = gaps.setdefault(
                profile,
                Gap({"age_band": profile[0], "sex": sex, "needs": list(profile[2]), "sibling_group_size": size}),
            )
            gap.children += 1
            gap.provinces[unit.province] += 1
            gap.exclusion_reasons.update(reasons)
    result.gaps = sorted(
        gaps.values(), key=lambda g: (-g.children, g.profile["sibling_group_size"], g.profile["age_band"])
    )
    return result
