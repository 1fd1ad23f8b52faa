"""The institutions children are in: residential care, transit homes, pagodas and the like."""

from __future__ import annotations

import uuid

from register.demo.base import SeederBase
from register.demo.places import INSTITUTION_PROVINCES, INSTITUTION_SHARE
from register.demo.writer import row
from register.models import Institution

INSTITUTION_NAMES = [
    "Angkor", "Mekong", "Lotus", "Hope", "New Life", "Sunrise", "Bright Future", "Little Stars", "Tonle Sap",
    "Rainbow", "Green Rice", "Peace", "Golden Palm", "Morning Light", "Safe Haven",
    "Friends", "Harvest", "Blue Lotus", "Kapok Tree",
]  # fmt: skip
INSTITUTION_KINDS = [
    # kind, weight, name patterns
    (Institution.Kind.RESIDENTIAL_CARE, 70, ["{n} Children's Centre", "{n} Orphanage", "{n} Children's Home"]),
    (Institution.Kind.TRANSIT_HOME, 10, ["{n} Transit Home"]),
    (Institution.Kind.GROUP_HOME, 8, ["{n} Group Home"]),
    (Institution.Kind.PAGODA, 7, ["Wat {c} Pagoda Children's Shelter"]),
    (Institution.Kind.BOARDING_SCHOOL, 5, ["{n} Boarding School"]),
]


class InstitutionStage(SeederBase):
    """The institutions, most of them in the five provinces MoSVY's mapping names; a few closing."""

    def _institutions(self, n: int) -> list[tuple[uuid.UUID, str, str, bool]]:
        """(id, province, commune, closing) of each new institution."""
        in_five = round(n * INSTITUTION_SHARE)
        others = [p for p in self.gaz.communes_by_province if p not in INSTITUTION_PROVINCES]
        provinces = [self._weighted(INSTITUTION_PROVINCES.items()) for _ in range(in_five)]
        provinces += [self.rng.choice(others) for _ in range(n - in_five)]
        closing = set(self.rng.sample(range(in_five), min(in_five, max(2, round(n * 0.08))))) if n >= 4 else set()
        rows, result, used = [], [], set()
        for i, province in enumerate(provinces):
            commune = self.rng.choice(self.gaz.communes_by_province[province])
            kind, _, patterns = self._weighted([((k, w, p), w) for k, w, p in INSTITUTION_KINDS])
            name = ""
            for _attempt in range(5):
                name = self.rng.choice(patterns).format(
                    n=self.rng.choice(INSTITUTION_NAMES), c=self.gaz.commune_name[commune[0]]
                )
                if name not in used:
                    break
            if name in used:
                name = f"{name} {self.gaz.commune_name[commune[0]]}"
            used.add(name)
            pk = self._uuid()
            rows.append(
                row(
                    id=pk,
                    name=name,
                    kind=kind,
                    commune_id=commune[0],
                    province_id=province,
                    status=Institution.Status.CLOSING if i in closing else Institution.Status.OPEN,
                    inspection_score=self.rng.randint(35, 95),
                )
            )
            result.append((pk, province, commune[0], i in closing))
        self._bulk(Institution, rows, "institutions")
        return result
