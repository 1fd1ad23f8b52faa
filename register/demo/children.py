"""Children in institutions and waiting for a family, in sibling groups, with their kin and the families
excluded for them."""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict

from register.demo.base import SeederBase
from register.demo.facts import ChildInfo
from register.demo.names import culture, latin_of
from register.demo.writer import row
from register.models import Carer, KinLink, SiblingGroup

EXCLUSION_REASONS = [
    "A long-standing dispute between this family and the child's family.",
    "The child told the social worker they are afraid of a member of this household.",
    "This household is close to the person the child was protected from.",
]
KIN_RELATIONSHIPS = [
    (KinLink.Relationship.GRANDPARENT, 40),
    (KinLink.Relationship.AUNT_UNCLE, 35),
    (KinLink.Relationship.ADULT_SIBLING, 10),
    (KinLink.Relationship.OTHER_RELATIVE, 10),
    (KinLink.Relationship.FAMILY_FRIEND, 5),
]
NEEDS_OF_CHILDREN = [
    ("physical_disability", 15),
    ("intellectual_disability", 15),
    ("sensory_impairment", 8),
    ("chronic_illness", 12),
    ("hiv_care", 10),
    ("mental_health", 12),
    ("behavioural_support", 20),
]
# Children's ages in institutions: fewer babies and toddlers than school-age children.
CHILD_AGES = [(age, 1 if age < 3 else 2 if age < 6 else 4) for age in range(18)]


class ChildStage(SeederBase):
    """The children, mostly in institutions, some in sibling groups; their kin and exclusions. They are
    written with the placements, which decide where each one is now."""

    def _children(self, n: int, institutions) -> list[tuple[dict, ChildInfo, int]]:
        """The children, each with what placement needs to know and the index of its family unit."""
        rng = self.rng
        weights = [(inst, 4 if inst[3] else 1) for inst in institutions]  # closing ones are the large ones
        groups: list[dict] = []
        result: list[tuple[dict, ChildInfo, int]] = []
        unit = 0
        while len(result) < n:
            size = 1
            if rng.random() < 0.14:
                size = min(self._weighted([(2, 55), (3, 30), (4, 15)]), n - len(result))
            inst = self._weighted(weights) if institutions and rng.random() < 0.92 else None
            if inst:
                province = inst[1]
                home_province = province if rng.random() < 0.6 else rng.choice(self.gaz.nearby[province])
            else:
                province = home_province = self.rng.choices(self.province_codes, self.province_weights)[0]
            home = rng.choice(self.gaz.communes_by_province[home_province])[0]
            ethnicity, religion, languages, female, male, family = culture(self.rng, home_province)
            family_name = rng.choice(family)
            group = None
            if size > 1:
                group = row(id=self._uuid(), keep_together=rng.random() < 0.85)
                groups.append(group)
            care_type = self._weighted([("long_term", 60), ("short_term", 20), ("emergency", 10), ("kinship", 10)])
            closing = bool(inst and inst[3])
            for _ in range(size):
                sex = rng.choice(["female", "male"])
                age = self._weighted(CHILD_AGES)
                days = age * 365 + rng.randint(0, 364)
                if days < 30:
                    days = 30 + rng.randint(0, 300)
                needs: set[str] = set()
                if age < 2 and rng.random() < 0.6:
                    needs.add("infant_care")
                if rng.random() < 0.2:
                    needs.update(self._weighted(NEEDS_OF_CHILDREN) for _ in range(rng.choice([1, 1, 2])))
                pk = self._uuid()
                if inst:
                    status = "awaiting_placement" if rng.random() < (0.9 if closing else 0.5) else "in_residential_care"
                else:
                    status = "awaiting_placement"
                child = row(
                    id=pk,
                    reference=self._reference("CH", province),
                    given_name=(given := rng.choice(female if sex == "female" else male)),
                    family_name=family_name,
                    given_name_latin=latin_of(given),
                    family_name_latin=latin_of(family_name),
                    sex=sex,
                    date_of_birth=self.today - datetime.timedelta(days=days),
                    institution_id=inst[0] if inst else None,
                    home_commune_id=home,
                    school_commune_id=(inst[2] if inst and rng.random() < 0.6 else home) if age >= 6 else None,
                    languages=languages,
                    religion=religion,
                    ethnicity=ethnicity,
                    needs=sorted(needs),
                    care_type_needed=care_type,
                    sibling_group_id=group["id"] if group else None,
                    status=status,
                    external_ids={"primero": f"PR-{rng.randrange(10**6):06d}"} if rng.random() < 0.3 else {},
                    province_id=province,
                )
                info = ChildInfo(
                    id=pk,
                    province=province,
                    home_province=home_province,
                    sex=sex,
                    age=days // 365,
                    born=child["date_of_birth"],
                    needs=frozenset(needs),
                    care_type=care_type,
                )
                # keep-together groups move as one unit; the others' children one by one.
                result.append((child, info, unit))
                if not (group and group["keep_together"]):
                    unit += 1
            if group and group["keep_together"]:
                unit += 1
        self._bulk(SiblingGroup, groups, "sibling groups")
        self._kin_and_exclusions(result)
        return result

    def _kin_and_exclusions(self, children) -> None:
        """Kin for ~10% of families (brothers and sisters share theirs), among carers of the home province;
        and a few families excluded for a child, with the reason."""
        rng = self.rng
        kin: list[dict] = []
        approved_by_province = defaultdict(list)
        for c in self.carers:
            if c.status == Carer.Status.APPROVED:
                approved_by_province[c.province].append(c)
        families: dict[uuid.UUID, list[ChildInfo]] = {}
        for child, info, _ in children:
            families.setdefault(child["sibling_group_id"] or child["id"], []).append(info)
        for members in families.values():
            candidates = self.carers_by_province.get(members[0].home_province)
            if not candidates or rng.random() >= 0.10:
                continue
            approved = approved_by_province[members[0].home_province]
            carer = rng.choice(approved if approved and rng.random() < 0.7 else candidates)
            relationship = self._weighted(KIN_RELATIONSHIPS)
            kinship = rng.random() < 0.6
            for info in members:
                info.kin.append(carer.id)
                if kinship:
                    info.care_type = "kinship"
                kin.append(row(child_id=info.id, carer_id=carer.id, relationship=relationship))
        # A kinship need without kin is not realistic: ask for long-term care instead.
        for child, info, _ in children:
            if info.care_type == "kinship" and not info.kin:
                info.care_type = "long_term"
            child["care_type_needed"] = info.care_type
        self.kin = kin
        for child, info, _ in children:
            candidates = self.carers_by_province.get(info.province)
            if candidates and rng.random() < 0.02:
                carer = rng.choice(candidates)
                if carer.id not in info.kin:
                    self.exclusions.append(
                        row(child_id=child["id"], carer_id=carer.id, reason=rng.choice(EXCLUSION_REASONS))
                    )
