"""Foster families at every stage of their lifecycle, with household, checks, training, concerns and
status history."""

from __future__ import annotations

import datetime
from collections import defaultdict

from register.demo.base import SeederBase
from register.demo.facts import CarerInfo
from register.demo.names import culture, household_name_of, latin_of
from register.demo.writer import BATCH, row
from register.models import (
    Carer,
    CarerCheck,
    CarerStatusChange,
    CarerTraining,
    HouseholdMember,
    SafeguardingConcern,
    StatusEvent,
)
from register.rules.approval import REFERENCE, REFERENCES_REQUIRED, REQUIRED_CHECKS
from register.services.carers import add_years

# Lifecycle stage of a carer: (status, share); approved ones include ~5% of all whose review is overdue.
STAGES = [
    (Carer.Status.ENQUIRY, 0.10),
    (Carer.Status.ASSESSMENT, 0.10),
    (Carer.Status.TRAINING, 0.10),
    (Carer.Status.APPROVED, 0.60),
    (Carer.Status.ON_HOLD, 0.05),
    (Carer.Status.DEREGISTERED, 0.05),
]
REVIEW_OVERDUE_SHARE_OF_APPROVED = 0.05 / 0.60
AGE_TERMS = [(0, 17), (0, 5), (0, 10), (3, 12), (5, 17), (6, 14), (10, 17), (2, 15)]
REFERENCE_SOURCES = ["village chief", "commune council member", "neighbour", "pagoda committee member", "teacher"]
CONCERNS = [
    "A neighbour reported that a child was left alone at home overnight.",
    "The child's teacher reported repeated unexplained absences from school.",
    "A child said an adult in the household uses physical punishment.",
    "A visit found the home without safe drinking water and very little food.",
    "An adult household member was reported drinking heavily in front of the children.",
]
ON_HOLD_REASONS = [
    "The family is moving house; no new placements until the new home is assessed.",
    "The primary carer is in hospital for several weeks.",
    "A safeguarding concern is being looked into.",
]
DEREGISTERED_REASONS = [
    "The family withdrew: the primary carer took work in Thailand.",
    "The family withdrew after the assessment.",
    "A check was failed.",
    "The family moved out of the province and did not re-apply.",
]
# Mobile prefixes and subscriber number lengths that libphonenumber accepts for Cambodia (+855).
MOBILE_PREFIXES = [
    ("12", 6), ("12", 7), ("10", 6), ("11", 6), ("15", 6), ("16", 6), ("17", 6), ("61", 6), ("69", 6),
    ("70", 6), ("77", 6), ("78", 6), ("85", 6), ("89", 6), ("92", 6), ("93", 6), ("95", 6), ("96", 7),
    ("97", 7), ("98", 6), ("99", 6),
]  # fmt: skip


class CarerStage(SeederBase):
    """The families, written in batches with their household, checks, training, concerns and history."""

    def _carer_provinces(self, n: int) -> list[str]:
        # Every province gets at least one family when there are enough of them.
        first = self.province_codes[:n]
        return first + self.rng.choices(self.province_codes, self.province_weights, k=max(0, n - len(first)))

    def _carers(self, n: int) -> None:
        buffers: dict[type, list] = defaultdict(list)
        keys = {
            Carer: "carers",
            HouseholdMember: "household members",
            CarerCheck: "checks",
            CarerTraining: "trainings",
            SafeguardingConcern: "safeguarding concerns",
            CarerStatusChange: "status changes",
            StatusEvent: "status events",
        }
        for province in self._carer_provinces(n):
            self._carer(province, buffers)
            if len(buffers[Carer]) >= BATCH:
                for model, key in keys.items():  # parents first
                    self._bulk(model, buffers[model], key)
        for model, key in keys.items():
            self._bulk(model, buffers[model], key)

    def _born(self, age: int) -> datetime.date:
        """A birthday of someone `age` years old today."""
        return self.today - datetime.timedelta(days=age * 365 + self.rng.randint(0, 364))

    def _member(self, carer_id, relationship: str, *, sex: str, given_name: str, family_name: str, born) -> dict:
        return row(
            id=self._uuid(),
            carer_id=carer_id,
            given_name=given_name,
            family_name=family_name,
            given_name_latin=latin_of(given_name),
            family_name_latin=latin_of(family_name),
            sex=sex,
            date_of_birth=born,
            relationship=relationship,
        )

    def _relative(self, carer_id, relationship: str, sex: str, names, family_name: str, age: int) -> dict:
        """A household member `age` years old with a given name for their sex from `names` (female,
        male); the name is drawn before the birthday, so a seed gives the same people."""
        female, male = names
        given_name = self.rng.choice(female if sex == "female" else male)
        born = self._born(age)
        return self._member(carer_id, relationship, sex=sex, given_name=given_name, family_name=family_name, born=born)

    def _phone(self) -> str:
        while True:
            prefix, digits = self.rng.choice(MOBILE_PREFIXES)
            number = f"+855{prefix}{self.rng.randrange(1, 10)}{self.rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def _carer(self, province: str, out: dict[type, list]) -> None:
        rng = self.rng
        commune = rng.choice(self.gaz.communes_by_province[province])
        villages = self.gaz.villages_by_commune.get(commune[0])
        village = rng.choice(villages) if villages and rng.random() < 0.7 else None
        lat, lon = self.gaz.point(commune, self.rng) if rng.random() < 0.3 else (None, None)
        ethnicity, religion, languages, female, male, family = culture(self.rng, province)
        sex = "female" if rng.random() < 0.7 else "male"
        given = rng.choice(female if sex == "female" else male)
        family_name = rng.choice(family)
        age = rng.randint(24, 66)
        dob = self._born(age)
        pk = self._uuid()

        status = self._weighted(STAGES)
        approved_on = review_due = first_approved = None
        overdue = False
        if status == Carer.Status.APPROVED:
            overdue = rng.random() < REVIEW_OVERDUE_SHARE_OF_APPROVED
            approved_on = self._days_ago(366, 480) if overdue else self._days_ago(1, 360)
        elif status == Carer.Status.ON_HOLD:
            approved_on = self._days_ago(30, 360)
        elif status == Carer.Status.DEREGISTERED and rng.random() < 0.5:
            approved_on = self._days_ago(200, 900)
        if approved_on:
            review_due = add_years(approved_on, 1)  # as the approval service sets it
            first_approved = approved_on - datetime.timedelta(days=365 * rng.choice([0, 0, 1, 1, 2, 3]))
        enquiry_on = (
            first_approved - datetime.timedelta(days=rng.randint(90, 240)) if first_approved else self._days_ago(5, 300)
        )

        # Training and the needs the family is prepared for follow from each other.
        trainings: list[tuple[str, datetime.date]] = []
        needs: set[str] = set()
        if first_approved or status == Carer.Status.TRAINING:
            done_by = first_approved or self.today
            if first_approved or rng.random() < 0.4:
                trainings += [
                    (code, done_by - datetime.timedelta(days=rng.randint(7, 80))) for code in self.required_modules
                ]
            for code, supports in self.optional_modules:
                if rng.random() < (0.3 if first_approved else 0.15):
                    trainings.append((code, done_by - datetime.timedelta(days=rng.randint(1, 80))))
                    if supports:
                        k = len(supports) if rng.random() < 0.7 else rng.randint(1, len(supports))
                        needs.update(rng.sample(supports, k))
        age_min, age_max = rng.choice(AGE_TERMS)
        if "infant_care" in needs:
            age_min = 0
        max_children = self._weighted([(1, 30), (2, 40), (3, 20), (4, 10)])
        care_types = [
            t
            for t, p in (("emergency", 0.25), ("short_term", 0.6), ("long_term", 0.8), ("kinship", 0.3))
            if rng.random() < p
        ] or ["long_term"]
        sexes = self._weighted([(["female", "male"], 75), (["female"], 13), (["male"], 12)])
        in_pp = province == "12"
        out[Carer].append(
            row(
                id=pk,
                reference=self._reference("FC", province),
                status=status,
                household_name=household_name_of(family_name),
                given_name=given,
                family_name=family_name,
                given_name_latin=latin_of(given),
                family_name_latin=latin_of(family_name),
                sex=sex,
                date_of_birth=dob,
                national_id=f"{rng.randrange(10**8, 10**9)}" if rng.random() < 0.8 else "",
                phone=self._phone(),
                commune_id=commune[0],
                village_id=village,
                district_id=commune[1],
                province_id=province,
                address=f"House {rng.randint(1, 250)}, Street {rng.randint(1, 600)}" if in_pp else "",
                lat=lat,
                lon=lon,
                languages=languages,
                religion=religion,
                ethnicity=ethnicity,
                max_children=max_children,
                age_min=age_min,
                age_max=age_max,
                sexes_accepted=sexes,
                max_sibling_group=rng.randint(1, max_children) if rng.random() < 0.3 else max_children,
                care_types=care_types,
                needs_supported=sorted(needs),
                approved_on=approved_on,
                review_due=review_due,
            )
        )
        self.counts[f"  {status}"] += 1
        self.counts["  review overdue"] += overdue

        # The household. (Arguments are drawn in the order written: the same seed gives the same people.)
        members = out[HouseholdMember]
        spouse_family = family_name
        if rng.random() < 0.75:
            spouse_sex = "male" if sex == "female" else "female"
            spouse_family = rng.choice(family)
            spouse_age = min(max(age + rng.randint(-6, 6), 20), 80)
            members.append(
                self._relative(
                    pk, HouseholdMember.Relationship.SPOUSE, spouse_sex, (female, male), spouse_family, spouse_age
                )
            )
        children_family = family_name if sex == "male" else spouse_family
        for _ in range(self._weighted([(0, 20), (1, 25), (2, 30), (3, 15), (4, 10)])):
            child_sex = rng.choice(["female", "male"])
            child_age = rng.randint(0, max(0, min(age - 18, 30)))
            members.append(
                self._relative(
                    pk, HouseholdMember.Relationship.CHILD, child_sex, (female, male), children_family, child_age
                )
            )
        if rng.random() < 0.15 and age < 60:
            parent_sex = rng.choice(["female", "male"])
            members.append(
                self._member(
                    pk,
                    HouseholdMember.Relationship.PARENT,
                    sex=parent_sex,
                    given_name=rng.choice(female if parent_sex == "female" else male),
                    family_name=family_name if parent_sex == "male" else rng.choice(family),
                    born=self.today - datetime.timedelta(days=(age + rng.randint(20, 30)) * 365),
                )
            )

        # Checks: all that approval asks (register.rules.approval) passed before the latest approval; a
        # subset, some pending, at earlier stages.
        checks: list[tuple[str, str, str]] = []  # kind, result, notes
        if approved_on:
            checks = [
                *[(kind, "passed", "") for kind in REQUIRED_CHECKS],
                *[
                    (REFERENCE, "passed", f"Reference from a {s}.")
                    for s in rng.sample(REFERENCE_SOURCES, REFERENCES_REQUIRED)
                ],
            ]
            checked_by = approved_on
        elif status == Carer.Status.TRAINING:
            checks = [(kind, "passed", "") for kind in REQUIRED_CHECKS]
            checks += [
                (REFERENCE, "passed", f"Reference from a {s}.")
                for s in rng.sample(REFERENCE_SOURCES, rng.randint(1, REFERENCES_REQUIRED))
            ]
            checked_by = self.today
        elif status == Carer.Status.ASSESSMENT:
            checks = [("home_assessment", "pending" if rng.random() < 0.6 else "passed", "")]
            if rng.random() < 0.5:
                checks.append(("police_clearance", "pending", ""))
            checked_by = self.today
        elif status == Carer.Status.DEREGISTERED:
            checks = [("home_assessment", "passed", "")]
            if rng.random() < 0.4:
                checks.append(("police_clearance", "failed", ""))
            checked_by = self.today
        for kind, result, notes in checks:
            checked_on = max(checked_by - datetime.timedelta(days=rng.randint(1, 150)), enquiry_on)
            out[CarerCheck].append(
                row(
                    id=self._uuid(),
                    carer_id=pk,
                    kind=kind,
                    result=result,
                    checked_on=checked_on,
                    expires_on=checked_on + datetime.timedelta(days=3 * 365) if kind == "police_clearance" else None,
                    notes=notes,
                )
            )
        for code, completed_on in trainings:
            out[CarerTraining].append(row(id=self._uuid(), carer_id=pk, module_id=code, completed_on=completed_on))

        # Safeguarding concerns: a few open ones keep families out of matching.
        open_concern = (status == Carer.Status.APPROVED and self._every("open concern", 0.015)) or (
            status == Carer.Status.ON_HOLD and rng.random() < 0.3
        )
        closed_p = {Carer.Status.APPROVED: 0.02, Carer.Status.DEREGISTERED: 0.2}
        if open_concern or rng.random() < closed_p.get(status, 0):
            raised_on = self._days_ago(3, 60) if open_concern else self._days_ago(61, 500)
            out[SafeguardingConcern].append(
                row(
                    id=self._uuid(),
                    carer_id=pk,
                    raised_on=raised_on,
                    summary=rng.choice(CONCERNS),
                    status="open" if open_concern else "closed",
                    closed_on=None
                    if open_concern
                    else min(raised_on + datetime.timedelta(days=rng.randint(7, 60)), self.today),
                )
            )
            self.counts["  open"] += open_concern

        # The lifecycle history that led to this status.
        path = {
            Carer.Status.ENQUIRY: [],
            Carer.Status.ASSESSMENT: ["assessment"],
            Carer.Status.TRAINING: ["assessment", "training"],
            Carer.Status.APPROVED: ["assessment", "training", "approved"],
            Carer.Status.ON_HOLD: ["assessment", "training", "approved", "on_hold"],
            Carer.Status.DEREGISTERED: (
                ["assessment", "training", "approved", "deregistered"]
                if approved_on
                else ["assessment", "deregistered"]
            ),
        }[status]
        previous = "enquiry"
        out[StatusEvent] += self._carer_events(pk, province, path, enquiry_on, first_approved, approved_on)
        for step in path:
            reason = ""
            if step == "on_hold":
                reason = rng.choice(ON_HOLD_REASONS)
            elif step == "deregistered":
                reason = rng.choice(DEREGISTERED_REASONS)
            out[CarerStatusChange].append(row(carer_id=pk, from_status=previous, to_status=step, reason=reason))
            previous = step

        info = CarerInfo(
            id=pk,
            province=province,
            status=status,
            first_approved=first_approved,
            eligible=status == Carer.Status.APPROVED and not overdue and not open_concern,
            max_children=max_children,
            max_sibling_group=out[Carer][-1]["max_sibling_group"],
            age_min=age_min,
            age_max=age_max,
            sexes=tuple(sexes),
            care_types=tuple(care_types),
            needs=frozenset(needs),
            review_due=review_due,
            open_concern=open_concern,
        )
        self.carers.append(info)
        self.carers_by_province[province].append(info)
        self.carer_by_id[pk] = info

    def _carer_events(self, pk, province, path, enquiry_on, first_approved, approved_on) -> list[dict]:
        """The family's dated history (register.models.StatusEvent), as the services would have
        written it: registered at its enquiry, each later step on a day between the one before and
        today, approved on its first approval. Drawn from their own generator, so the rest of the
        register is the same with or without it."""
        rng, day = self.history_rng, datetime.timedelta(days=1)
        events, previous, when = [], "", enquiry_on
        for step in ["enquiry", *path]:
            if step == "approved":
                when = first_approved
            elif step != "enquiry":
                ceiling = first_approved if first_approved and step in ("assessment", "training") else self.today
                floor = max(when, approved_on or when) if step in ("on_hold", "deregistered") else when
                when = floor + rng.randint(0, max(0, (ceiling - floor).days)) * day
            events.append(
                row(
                    kind=StatusEvent.Kind.CARER, subject_id=pk, from_status=previous, to_status=step,
                    from_province_id=province if previous else None, to_province_id=province, on=when,
                )
            )  # fmt: skip
            previous = step
        return events
