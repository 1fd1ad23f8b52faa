"""Placements (active and ended, kin first) and their follow-up visits, and where each child is now."""

from __future__ import annotations

import datetime
from collections import defaultdict

import numpy as np

from register.choices import CareType
from register.demo.base import SeederBase
from register.demo.facts import CarerInfo, ChildInfo
from register.demo.writer import row
from register.models import Carer, CarerExclusion, Child, KinLink, Placement, PlacementChild, StatusEvent, Visit
from register.rules import eligibility
from register.selectors.eligibility import children_facts_of, family_facts_of
from register.visit_schedule import visit_due_dates

ACTIVE_PLACEMENT_SHARE = 0.15  # of approved carers
ENDED_PLACEMENT_SHARE = 0.03  # of approved carers
VISIT_NOTES = {
    "settled": "The child is settled and going to school.",
    "concerns": "Some worries about the child's sleep and appetite; visit again soon.",
    "urgent": "The child asked to leave; the supervisor was told the same day.",
}


class PlacementStage(SeederBase):
    """Which families take which children (kin first), the placements and their visits; then the
    children, kin links and exclusions are written, now that each child's status is known."""

    def _fits(self, carer: CarerInfo, unit: list[ChildInfo], *, start: datetime.date) -> bool:
        """Whether the placement service would place these children with this family on `start`,
        with no override: the eligibility rules (register/rules/eligibility.py), read from the
        stages' records. Checked today as well, so that no child has since outgrown the family's
        ages."""
        one = np.array
        child_ids = {c.id for c in unit}
        relations = eligibility.Relations(
            kin=one([all(carer.id in c.kin for c in unit)]),
            excluded=one([any((child, carer.id) in self._excluded for child in child_ids)]),
        )
        care_type = unit[0].care_type
        for day in (start, self.today):
            family = family_facts_of(
                status=carer.status,
                review_due=carer.review_due,
                free_places=0 if carer.placed else carer.max_children,
                age_min=carer.age_min,
                age_max=carer.age_max,
                sexes_accepted=carer.sexes,
                max_sibling_group=carer.max_sibling_group,
                care_types=carer.care_types,
                needs_supported=carer.needs,
                open_concern=carer.open_concern,
                today=day,
            )
            children = children_facts_of(
                born=[c.born for c in unit],
                sexes=[c.sex for c in unit],
                needs=[c.needs for c in unit],
                care_type=care_type,
                on=day,
            )
            if eligibility.failing(family, children, relations).any():
                return False
        return True

    def _start(self, carer: CarerInfo, unit: list[ChildInfo], *, active: bool) -> datetime.date:
        """A start date after the family's first approval and the youngest child's birth, within the
        last two years (so monitoring has two years of history); an ended placement started at least
        90 days ago."""
        day = datetime.timedelta(days=1)
        youngest_born = max(c.born for c in unit)
        earliest = max(self.today - 730 * day, carer.first_approved + day, youngest_born + 14 * day)
        latest = self.today - (day if active else 90 * day)
        return earliest + self.rng.randint(0, max(0, (latest - earliest).days)) * day

    def _placements_and_children(self, children) -> None:
        rng = self.rng
        self._excluded = {(e["child_id"], e["carer_id"]) for e in self.exclusions}
        units: dict[int, list[int]] = defaultdict(list)  # unit -> indexes into children
        for i, (_, _, unit) in enumerate(children):
            units[unit].append(i)
        # Units not placed yet, by province; a unit taken elsewhere is dropped when next met (lazily).
        pool: dict[str, list[int]] = defaultdict(list)
        for unit, members in units.items():
            pool[children[members[0]][1].province].append(unit)
        taken: set[int] = set()

        def members_of(unit: int) -> list[ChildInfo]:
            return [children[i][1] for i in units[unit]]

        def find_unit(carer: CarerInfo, *, active: bool) -> tuple[int, datetime.date] | None:
            """A unit the family may take, and when, from its province first, then the nearest ones.
            Children waiting for kinship care are left to their kin (the kinship pass)."""
            for province, tries in ((carer.province, 30), *((p, 8) for p in self.gaz.nearby[carer.province])):
                here = pool.get(province)
                while tries > 0 and here:
                    position = rng.randrange(len(here))
                    unit = here[position]
                    if unit in taken:
                        here[position] = here[-1]
                        here.pop()
                        continue
                    tries -= 1
                    members = members_of(unit)
                    if members[0].care_type == CareType.KINSHIP:
                        continue
                    start = self._start(carer, members, active=active)
                    if self._fits(carer, members, start=start):
                        here[position] = here[-1]
                        here.pop()
                        taken.add(unit)
                        return unit, start
            return None

        approved = [c for c in self.carers if c.eligible]
        order = approved[:]
        rng.shuffle(order)
        target_active = round(sum(c.status == Carer.Status.APPROVED for c in self.carers) * ACTIVE_PLACEMENT_SHARE)
        target_ended = round(len(approved) * ENDED_PLACEMENT_SHARE) or (1 if approved else 0)
        # carer, unit, active, end reason, start date
        plans: list[tuple[CarerInfo, int, bool, str | None, datetime.date]] = []

        # A few placements that ended: some children went home, some wait again for a new family.
        veterans = [c for c in order if c.first_approved <= self.today - datetime.timedelta(days=120)]
        for carer in veterans[:target_ended]:
            found = find_unit(carer, active=False)
            if found is None:
                continue
            reason = self._weighted([("reunified", 50), ("breakdown", 30), ("moved", 20)])
            # Those not reunified wait again, but are not placed again here: dates would overlap.
            plans.append((carer, found[0], False, reason, found[1]))

        # Kinship first: about half the children with an eligible relative live with them.
        active = 0
        for unit in sorted(units):
            members = members_of(unit)
            if unit in taken or not members[0].kin or rng.random() >= 0.5:
                continue
            carer = self.carer_by_id[members[0].kin[0]]
            if not carer.eligible:
                continue
            start = self._start(carer, members, active=True)
            if self._fits(carer, members, start=start):
                taken.add(unit)
                carer.placed = True
                plans.append((carer, unit, True, None, start))
                active += 1

        for carer in order:
            if active >= target_active:
                break
            if carer.placed:
                continue
            found = find_unit(carer, active=True)
            if found is None:
                continue
            carer.placed = True
            plans.append((carer, found[0], True, None, found[1]))
            active += 1

        self._write_placements(children, units, plans)

    def _write_placements(self, children, units, plans) -> None:
        rng = self.rng
        policy = self.policy
        day = datetime.timedelta(days=1)
        placements: list[Placement] = []
        memberships: list[PlacementChild] = []
        visits: list[Visit] = []
        # Where each child was before any placement, and the placement that moved it (for the history).
        before = {child["id"]: (child["status"], child["province_id"]) for child, _, _ in children}
        moved: dict = {}
        for carer, unit, is_active, end_reason, start in plans:
            members = [children[i] for i in units[unit]]
            end = None
            if not is_active:
                end = min(start + rng.randint(30, max(30, (self.today - start).days - 7)) * day, self.today - day)
            care_type = members[0][1].care_type  # the care asked for, which _fits checked the family offers
            workers = self.social_workers.get(carer.province)
            worker = rng.choice(workers) if workers else None
            placement = row(
                id=self._uuid(),
                carer_id=carer.id,
                start_date=start,
                end_date=end,
                care_type=care_type,
                status=Placement.Status.ACTIVE if is_active else Placement.Status.ENDED,
                end_reason=end_reason or "",
                social_worker_id=worker,
                province_id=carer.province,
            )
            placements.append(placement)
            self.counts["  active" if is_active else "  ended"] += 1
            for child, info, _ in members:
                moved[child["id"]] = placement
                memberships.append(row(placement_id=placement["id"], child_id=child["id"], active=is_active))
                if is_active:
                    child["status"] = Child.Status.PLACED
                    child["province_id"] = info.province = carer.province
                elif end_reason == "reunified":
                    child["status"] = Child.Status.REUNIFIED
                    child["province_id"] = info.province = info.home_province
                else:
                    child["status"] = Child.Status.AWAITING_PLACEMENT
            dues = visit_due_dates(
                start,
                offsets_days=policy.offsets_days,
                repeat_every_days=policy.repeat_every_days,
                # As the placement services keep it: the horizon ahead of today while active.
                until=(end or max(start, self.today)) + policy.horizon_days * day,
            )
            recent = [d for d in dues if d < self.today and (end is None or d <= end)][-2:]
            for sequence, due in enumerate(dues, start=1):
                visits.append(
                    self._visit(placement, sequence, due, end, worker, overdue_ok=is_active and due in recent)
                )
        child_rows = [c for c, _, _ in children]
        for child in child_rows:
            self.counts[f"  {child['status']}"] += 1
        history = self._history(child_rows, placements, before, moved)  # before _bulk empties the lists
        self._bulk(Child, child_rows, "children")
        self._bulk(KinLink, self.kin, "kin links")
        self._bulk(CarerExclusion, self.exclusions, "exclusions")
        self._bulk(Placement, placements, "placements")
        self._bulk(PlacementChild, memberships, "children in placements")
        self._bulk(Visit, visits, "visits")
        self._bulk(StatusEvent, history, "status events")

    def _history(self, child_rows, placements, before, moved) -> list[dict]:
        """The dated history (register.models.StatusEvent) the services would have written: each
        placement made and ended; each child recorded (a few weeks to a year before its placement, or
        in the last two and a half years), placed on the start date and moved on the end date."""
        rng, day, K = self.history_rng, datetime.timedelta(days=1), StatusEvent.Kind
        events = []

        def event(kind, pk, from_, to, on, reason=""):
            events.append(
                row(
                    kind=kind, subject_id=pk, from_status=from_[0], to_status=to[0], from_province_id=from_[1],
                    to_province_id=to[1], on=on, reason=reason,
                )
            )  # fmt: skip

        for p in placements:
            event(K.PLACEMENT, p["id"], ("", None), ("active", p["province_id"]), p["start_date"])
            if p["end_date"]:
                here = ("active", p["province_id"])
                event(K.PLACEMENT, p["id"], here, ("ended", p["province_id"]), p["end_date"], p["end_reason"])
        for child in child_rows:
            first = before[child["id"]]
            placement = moved.get(child["id"])
            if placement is None:
                event(K.CHILD, child["id"], ("", None), first, self.today - rng.randint(0, 900) * day)
                continue
            start, end = placement["start_date"], placement["end_date"]
            event(K.CHILD, child["id"], ("", None), first, start - rng.randint(14, 365) * day)
            placed = (Child.Status.PLACED, placement["province_id"])
            event(K.CHILD, child["id"], first, placed, start)
            if end:
                event(K.CHILD, child["id"], placed, (child["status"], child["province_id"]), end)
        return events

    def _visit(self, placement, sequence, due, end, worker, *, overdue_ok: bool) -> dict:
        """Past visits mostly done (a few of the latest still open: overdue), future ones open, and
        those after a placement ended cancelled."""
        rng = self.rng
        visit = row(id=self._uuid(), placement_id=placement["id"], sequence=sequence, due_date=due)
        if end is not None and due > end:
            visit["state"] = Visit.State.CANCELLED
            self.counts["  cancelled"] += 1
        elif due >= self.today:
            self.counts["  open (upcoming)"] += 1
        elif overdue_ok and self._every("overdue", 0.15):
            self.counts["  open (overdue)"] += 1
        elif rng.random() < 0.03:
            visit["state"] = Visit.State.MISSED
            self.counts["  missed"] += 1
        else:
            visit["state"] = Visit.State.COMPLETED
            latest = min(self.today, end) if end else self.today
            visit["completed_on"] = min(due + datetime.timedelta(days=rng.randint(-2, 5)), latest)
            visit["outcome"] = outcome = self._weighted([("settled", 85), ("concerns", 12), ("urgent", 3)])
            visit["notes"] = VISIT_NOTES[outcome]
            visit["completed_by_id"] = worker
            self.counts["  completed"] += 1
        return visit
