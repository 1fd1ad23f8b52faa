"""The core's inputs: the candidate families as arrays, the children to place as a `Unit`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from register.rules import eligibility

# Hard filters: the register's eligibility rules (register/rules/eligibility.py), in their order;
# every excluded family gets every code that applies.
EXCLUSION_CODES: tuple[str, ...] = eligibility.EXCLUSION_CODES

# Score components, each in [0, 1].
COMPONENTS: tuple[str, ...] = (
    "kinship",
    "home_proximity",
    "school_proximity",
    "language",
    "religion",
    "ethnicity",
    "skills",
    "experience",
    "age_fit",
)


@dataclass(frozen=True)
class Weights:
    """Weights of the score components and the distance scale; they come from the matching policy."""

    kinship: float = 4.0
    home_proximity: float = 3.0
    school_proximity: float = 2.0
    language: float = 1.5
    religion: float = 1.0
    ethnicity: float = 1.0
    skills: float = 1.5
    experience: float = 1.0
    age_fit: float = 0.5
    # Distance at which proximity falls to 1/e of its best (km).
    distance_scale_km: float = 40.0

    def as_array(self) -> np.ndarray:
        return np.array([getattr(self, c) for c in COMPONENTS], dtype=float)

    @classmethod
    def from_mapping(cls, values: dict) -> Weights:
        known = {k: float(v) for k, v in values.items() if k in cls.__dataclass_fields__}
        weights = cls(**known)
        bad = [k for k in COMPONENTS if getattr(weights, k) < 0] + (
            ["distance_scale_km"] if weights.distance_scale_km <= 0 else []
        )
        if bad:
            raise ValueError(f"weights must be non-negative and the distance scale positive: {bad}")
        return weights


@dataclass(frozen=True, eq=False)
class CarerArrays:
    """Every candidate family, one array element per family, aligned by index.

    Sets of enumeration values are bit masks over the vocabularies in `vocab` (bit i = vocab[i]).
    Unknown coordinates are NaN. `ids` must be unique strings: they break ties.
    """

    ids: np.ndarray  # str
    approved: np.ndarray  # bool
    review_ok: np.ndarray  # bool: review date not passed
    vacancies: np.ndarray  # int
    age_min: np.ndarray  # int, years
    age_max: np.ndarray  # int, years
    sexes: np.ndarray  # mask over vocab["sex"]
    max_sibling_group: np.ndarray  # int
    care_types: np.ndarray  # mask over vocab["care_type"]
    needs_supported: np.ndarray  # mask over vocab["need"]
    open_concern: np.ndarray  # bool
    lat: np.ndarray  # float
    lon: np.ndarray  # float
    languages: np.ndarray  # mask over vocab["language"]
    religion: np.ndarray  # int index into vocab["religion"]
    ethnicity: np.ndarray  # int index into vocab["ethnicity"]
    trained_needs: np.ndarray  # mask over vocab["need"]: needs their completed trainings prepare for
    past_placements: np.ndarray  # int: ended placements
    breakdowns: np.ndarray  # int: of those, ended by breakdown
    vocab: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    # Derived once per CarerArrays (the adapter builds a new object on every refresh and never changes
    # one in place), so every unit ranked against the same families shares them.
    @cached_property
    def id_order(self) -> np.ndarray:
        """Indices of the families in ascending id order (stable: equal ids keep their index order)."""
        return np.argsort(self.ids, kind="stable")

    @cached_property
    def sorted_ids(self) -> np.ndarray:
        return self.ids[self.id_order]

    @cached_property
    def id_rank(self) -> np.ndarray:
        """Each family's place in ascending id order: integers that sort as the ids do (the tie-break)."""
        rank = np.empty(len(self.ids), dtype=np.int64)
        rank[self.id_order] = np.arange(len(self.ids))
        return rank

    @cached_property
    def lat_rad(self) -> np.ndarray:
        return np.radians(self.lat)

    @cached_property
    def lon_rad(self) -> np.ndarray:
        return np.radians(self.lon)

    @cached_property
    def cos_lat(self) -> np.ndarray:
        return np.cos(self.lat_rad)

    def positions_of(self, ids: Iterable[str]) -> np.ndarray:
        """The indices of the families with these ids (ids not among the families are ignored), found
        by binary search in the sorted ids instead of comparing every family's id string."""
        wanted = np.unique(np.asarray([str(i) for i in ids]))
        if wanted.size == 0 or len(self.ids) == 0:
            return np.zeros(0, dtype=np.intp)
        first = np.searchsorted(self.sorted_ids, wanted, side="left")
        last = np.searchsorted(self.sorted_ids, wanted, side="right")
        count = last - first
        if count.max(initial=0) <= 1:  # unique ids: one family at most per id
            return self.id_order[first[count == 1]]
        at = np.concatenate([np.arange(a, b) for a, b in zip(first, last, strict=True) if b > a])
        return self.id_order[at]

    def mask_of(self, ids: Iterable[str]) -> np.ndarray:
        """Bool array, True for the families with these ids."""
        mask = np.zeros(len(self.ids), dtype=bool)
        mask[self.positions_of(ids)] = True
        return mask

    def index_of(self, carer_id: str) -> int | None:
        where = self.positions_of((carer_id,))
        return int(where[0]) if where.size else None

    def take(self, index: np.ndarray) -> CarerArrays:
        """The families at `index`, in that order."""
        values = {name: getattr(self, name)[index] for name in self.__dataclass_fields__ if name != "vocab"}
        return CarerArrays(**values, vocab=self.vocab)


@dataclass(frozen=True)
class Child:
    id: str
    age: int  # completed years
    sex: int  # index into vocab["sex"]
    needs: int  # mask over vocab["need"]


@dataclass(frozen=True)
class Unit:
    """The children placed together: one child, or a keep-together sibling group."""

    children: tuple[Child, ...]
    care_type: int  # index into vocab["care_type"]
    languages: tuple[int, ...]  # indices into vocab["language"], the first is the child's first language
    religion: int
    ethnicity: int
    home_lat: float
    home_lon: float
    school_lat: float = float("nan")
    school_lon: float = float("nan")
    kin: frozenset[str] = frozenset()  # carer ids recorded as kin of every child in the unit
    kin_partial: frozenset[str] = frozenset()  # kin of some but not all children
    excluded: frozenset[str] = frozenset()  # carer ids excluded for any child in the unit

    @property
    def size(self) -> int:
        return len(self.children)

    @property
    def needs(self) -> int:
        mask = 0
        for child in self.children:
            mask |= child.needs
        return mask
