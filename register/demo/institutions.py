"""The institutions children are in: residential care, transit homes, pagodas and the like."""

from __future__ import annotations

import uuid

from register.demo.base import SeederBase
from register.demo.names import latin_of, names_of
from register.demo.places import INSTITUTION_PROVINCES, INSTITUTION_SHARE
from register.demo.writer import row
from register.models import Institution

# Institutions are named in Khmer with their English name beside it, as NGOs sign them.
INSTITUTION_NAMES = names_of(
    "អង្គរ Angkor, មេគង្គ Mekong, ឈូក Lotus, ក្តីសង្ឃឹម Hope, ជីវិតថ្មី New_Life, ថ្ងៃរះ Sunrise, "
    "អនាគតភ្លឺស្វាង Bright_Future, ផ្កាយតូច Little_Stars, ទន្លេសាប Tonle_Sap, ឥន្ទធនូ Rainbow, "
    "ស្រូវខៀវ Green_Rice, សន្តិភាព Peace, ត្នោតមាស Golden_Palm, ពន្លឺព្រឹក Morning_Light, "
    "ជម្រកសុវត្ថិភាព Safe_Haven, មិត្តភាព Friends, ស្រូវទុំ Harvest, ឈូកខៀវ Blue_Lotus, ដើមគរ Kapok_Tree"
)
INSTITUTION_KINDS = [
    # kind, weight, name patterns (Khmer, English)
    (
        Institution.Kind.RESIDENTIAL_CARE,
        70,
        [
            ("មណ្ឌលថែទាំកុមារ {n}", "{n} Children's Centre"),
            ("មណ្ឌលកុមារកំព្រា {n}", "{n} Orphanage"),
            ("ផ្ទះកុមារ {n}", "{n} Children's Home"),
        ],
    ),
    (Institution.Kind.TRANSIT_HOME, 10, [("មណ្ឌលស្នាក់នៅបណ្តោះអាសន្ន {n}", "{n} Transit Home")]),
    (Institution.Kind.GROUP_HOME, 8, [("ផ្ទះក្រុម {n}", "{n} Group Home")]),
    (Institution.Kind.PAGODA, 7, [("ទីជម្រកកុមារវត្ត {c}", "Wat {c} Pagoda Children's Shelter")]),
    (Institution.Kind.BOARDING_SCHOOL, 5, [("សាលាស្នាក់នៅ {n}", "{n} Boarding School")]),
]


def _institution_name(pattern: tuple[str, str], name, commune: str) -> str:
    khmer, english = pattern
    return f"{khmer.format(n=name, c=commune)} ({english.format(n=latin_of(name).replace('_', ' '), c=commune)})"


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
                name = _institution_name(
                    self.rng.choice(patterns), self.rng.choice(INSTITUTION_NAMES), self.gaz.commune_name[commune[0]]
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
