"""Random but valid inputs for the pure matching core (no database)."""

import numpy as np

from matching.core.types import CarerArrays, Child, Unit

VOCAB = {
    "sex": ("female", "male"),
    "care_type": ("emergency", "short_term", "long_term", "kinship"),
    "need": (
        "physical_disability",
        "intellectual_disability",
        "sensory_impairment",
        "chronic_illness",
        "hiv_care",
        "mental_health",
        "behavioural_support",
        "infant_care",
    ),
    "language": ("km", "cjm", "vi", "zh", "en", "cmo", "krr", "tpu"),
    "religion": ("buddhism", "islam", "christianity", "animism", "other", "none"),
    "ethnicity": ("khmer", "cham", "vietnamese", "chinese", "indigenous", "other"),
}


def random_carers(n: int, seed: int = 0, *, approved_share: float = 0.8) -> CarerArrays:
    rng = np.random.default_rng(seed)
    age_min = rng.integers(0, 10, n)
    return CarerArrays(
        ids=np.array([f"c{i:07d}" for i in range(n)]),
        approved=rng.random(n) < approved_share,
        review_ok=rng.random(n) < 0.95,
        vacancies=rng.integers(0, 4, n),
        age_min=age_min,
        age_max=np.minimum(17, age_min + rng.integers(2, 18, n)),
        sexes=rng.choice([1, 2, 3, 3, 3], n),
        max_sibling_group=rng.integers(1, 5, n),
        care_types=rng.integers(1, 16, n),
        needs_supported=rng.integers(0, 256, n) & rng.integers(0, 256, n),
        open_concern=rng.random(n) < 0.03,
        lat=np.where(rng.random(n) < 0.02, np.nan, rng.uniform(10.5, 14.5, n)),
        lon=rng.uniform(102.5, 107.5, n),
        languages=np.where(rng.random(n) < 0.9, 1, 0) | (rng.integers(0, 256, n) & rng.integers(0, 256, n)),
        religion=rng.choice(6, n, p=[0.85, 0.05, 0.04, 0.03, 0.02, 0.01]),
        ethnicity=rng.choice(6, n, p=[0.88, 0.04, 0.03, 0.02, 0.02, 0.01]),
        trained_needs=rng.integers(0, 256, n) & rng.integers(0, 256, n),
        past_placements=rng.integers(0, 6, n),
        breakdowns=rng.integers(0, 2, n),
        vocab=VOCAB,
    )


def random_unit(seed: int = 0, size: int = 1, *, carer_ids=(), kin_share: float = 0.0) -> Unit:
    rng = np.random.default_rng(seed)
    children = tuple(
        Child(
            id=f"k{seed}-{i}",
            age=int(rng.integers(0, 18)),
            sex=int(rng.integers(0, 2)),
            needs=int(rng.choice([0, 0, 0, 1, 8, 16, 32])),
        )
        for i in range(size)
    )
    kin = frozenset(i for i in carer_ids if rng.random() < kin_share)
    return Unit(
        children=children,
        care_type=int(rng.integers(0, 4)),
        languages=(0,) if rng.random() < 0.9 else (int(rng.integers(0, 8)), 0),
        religion=int(rng.choice(6, p=[0.85, 0.05, 0.04, 0.03, 0.02, 0.01])),
        ethnicity=int(rng.choice(6, p=[0.88, 0.04, 0.03, 0.02, 0.02, 0.01])),
        home_lat=float(rng.uniform(10.5, 14.5)),
        home_lon=float(rng.uniform(102.5, 107.5)),
        school_lat=float(rng.uniform(10.5, 14.5)) if rng.random() < 0.5 else float("nan"),
        school_lon=float(rng.uniform(102.5, 107.5)),
        kin=kin,
    )
