"""The two-province world of the jurisdiction matrix: province "own" (the users under test work
there) and province "other", each with a full set of records whose names carry a word of their
own, so that any record of the other province that reaches a response can be recognised in it."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field

from django.utils import timezone

from matching import adapter
from matching import services as matching_services
from notifications.models import Kind, Notification, Reminder
from register import models as m
from register.roles import Role
from register.services.placements import placement_create
from tests.factories import CarerFactory, ChildFactory, InstitutionFactory, first_commune_in, make_user
from tests.register.carers_factories import ConcernFactory, meet_requirements

PROVINCES = {"own": "02", "other": "12"}
# Every name of a side's records contains its word; the matrix searches for a piece of it.
WORDS = {"own": "Sokhalinu", "other": "Zorvathei"}
SEARCH = {"own": "Sokhal", "other": "Zorvat"}  # the start of a word: search matches words from their start
LOCAL_ROLES = (Role.REGISTRAR, Role.PLACEMENT_OFFICER, Role.SOCIAL_WORKER, Role.SUPERVISOR)


@dataclass
class Side:
    name: str
    code: str
    word: str
    users: dict = field(default_factory=dict)  # role -> the user (the subject, on the own side)
    worker2: m.User | None = None  # a second social worker, for the own-records rule
    carers: list = field(default_factory=list)  # [approved with everything, approved, enquiry with a concern]
    institution: m.Institution | None = None
    children: list = field(default_factory=list)  # [sib1, sib2, waiting (kin), placed with P1, placed with P2]
    sibling_group: m.SiblingGroup | None = None
    placements: list = field(default_factory=list)  # [P1 (users' social worker), P2 (worker2)]
    match_run: object = None
    batch_plan: object = None
    notifications: dict = field(default_factory=dict)  # role -> the user's notification
    import_jobs: dict = field(default_factory=dict)  # role -> a job that user uploaded
    extra: list = field(default_factory=list)  # ids of every other record of the side
    duplicate_pair: m.DuplicatePair | None = None

    # --- what a response may or may not show ---
    def ids(self) -> set[str]:
        return {str(i) for i in self.extra}

    def references(self) -> set[str]:
        return {c.reference for c in self.carers} | {c.reference for c in self.children}

    def markers(self) -> set[str]:
        """Everything that identifies a record of this side: its word (in every name), ids, references."""
        return {self.word} | self.ids() | self.references()

    @property
    def carer(self):
        return self.carers[0]

    @property
    def concern(self):
        return self.carers[2].concerns.first()

    @property
    def waiting_child(self):
        return self.children[2]

    @property
    def placed_child(self):
        return self.children[3]

    @property
    def placement(self):
        return self.placements[0]

    @property
    def visit(self):
        return self.placement.visits.order_by("sequence").first()

    def worker_hidden(self) -> set[str]:
        """What this side's social worker (users["social_worker"]) must not see although it is in
        their province: the children, placement and visits of a placement they do not follow."""
        hidden = {str(c.pk) for c in self.children if c != self.placed_child}
        hidden |= {c.reference for c in self.children if c != self.placed_child}
        hidden |= {c.given_name for c in self.children if c != self.placed_child}
        p2 = self.placements[1]
        hidden.add(str(p2.pk))
        hidden |= {str(v) for v in p2.visits.values_list("pk", flat=True)}
        return hidden


def _today() -> datetime.date:
    return timezone.localdate()


def _build_side(name: str, n0: int) -> Side:
    code, word = PROVINCES[name], WORDS[name]
    side = Side(name=name, code=code, word=word)
    commune = first_commune_in(code)
    for role in LOCAL_ROLES:
        side.users[role] = make_user(role, (code,), username=f"{name}-{role}", is_staff=True)
    side.worker2 = make_user(Role.SOCIAL_WORKER, (code,), username=f"{name}-worker2", is_staff=True)

    def carer(n, **kw):
        return CarerFactory(
            reference=f"FC-{code}-9{n0 + n:05d}",
            household_name=f"{word} household {n}",
            given_name=f"{word}a",
            family_name=f"{word}{n}",
            national_id=f"{n0 + n:09d}",
            phone=f"+8559{n0 + n:07d}",
            commune=commune,
            **kw,
        )

    full = meet_requirements(carer(1, max_children=3))
    m.HouseholdMember.objects.create(
        carer=full,
        given_name=f"{word}member",
        family_name=word,
        sex="male",
        date_of_birth=datetime.date(1979, 1, 1),
        relationship="spouse",
    )
    m.CarerCheck.objects.filter(carer=full).update(notes=f"{word} check note")
    closed = ConcernFactory(carer=full, summary=f"{word} concern closed", status="closed", closed_on=_today())
    second = carer(2)
    enquiry = carer(3, status=m.Carer.Status.ENQUIRY, approved_on=None, review_due=None)
    ConcernFactory(carer=enquiry, summary=f"{word} concern open")
    m.CarerStatusChange.objects.create(carer=enquiry, from_status="enquiry", to_status="enquiry", reason=word)
    side.carers = [full, second, enquiry]
    if name == "other":  # one family more, so that a count that leaks shows it
        side.carers.append(carer(4, status=m.Carer.Status.ENQUIRY, approved_on=None, review_due=None))

    side.institution = InstitutionFactory(name=f"{word} Children's Centre", commune=commune)

    def child(n, **kw):
        return ChildFactory(
            reference=f"CH-{code}-9{n0 + n:05d}",
            given_name=f"{word}child{n}",
            family_name=word,
            institution=side.institution,
            home_commune=commune,
            external_ids={"primero": f"{word}-primero-{n}"},
            **{"status": m.Child.Status.IN_RESIDENTIAL_CARE, **kw},
        )

    side.sibling_group = m.SiblingGroup.objects.create(keep_together=True)
    sib1, sib2 = child(1, sibling_group=side.sibling_group), child(2, sibling_group=side.sibling_group)
    waiting = child(3, status=m.Child.Status.AWAITING_PLACEMENT)
    m.KinLink.objects.create(child=waiting, carer=full, relationship="grandparent")
    m.CarerExclusion.objects.create(child=waiting, carer=enquiry, reason=f"{word} exclusion")
    placed1, placed2 = child(4), child(5)
    side.children = [sib1, sib2, waiting, placed1, placed2]

    officer = side.users[Role.PLACEMENT_OFFICER]
    # Own: the 7- and 30-day visits are overdue; other: the 60-day one too, so counts differ.
    start = _today() - datetime.timedelta(days=40 if name == "own" else 70)
    p1 = placement_create(
        actor=officer,
        carer=full,
        children=[placed1],
        start_date=start,
        care_type="long_term",
        social_worker=side.users[Role.SOCIAL_WORKER],
    )
    # A second family, fewer overdue visits: each province's counts are its own.
    p2 = placement_create(
        actor=officer,
        carer=second,
        children=[placed2],
        start_date=start + datetime.timedelta(days=n0 // 1000),
        care_type="long_term",
        social_worker=side.worker2,
    )
    side.placements = [p1, p2]

    adapter.forget_cache()
    side.match_run = matching_services.match_run_create(actor=officer, child=waiting)
    plan = matching_services.batch_plan_create(actor=officer, children=[sib1, sib2], institution=side.institution)
    matching_services.batch_plan_run(plan_id=plan.pk)
    side.batch_plan = type(plan).objects.get(pk=plan.pk)

    now = timezone.now()
    overdue = p1.visits.order_by("sequence").first()
    r_visit = Reminder.objects.create(
        kind=Kind.VISIT_OVERDUE, visit=overdue, province_id=code, due_at=now, next_attempt_at=now, status="sent"
    )
    r_p2 = Reminder.objects.create(
        kind=Kind.VISIT_OVERDUE,
        visit=p2.visits.order_by("sequence").first(),
        province_id=code,
        due_at=now,
        next_attempt_at=now,
        status="failed",
    )
    r_review = Reminder.objects.create(
        kind=Kind.APPROVAL_REVIEW_DUE,
        carer=full,
        review_due=full.review_due,
        province_id=code,
        due_at=now,
        next_attempt_at=now,
        status="sent",
    )
    for role, reminder in (
        (Role.SOCIAL_WORKER, r_visit),
        (Role.SUPERVISOR, r_visit),
        (Role.PLACEMENT_OFFICER, r_visit),
        (Role.REGISTRAR, r_review),
    ):
        side.notifications[role] = Notification.objects.create(
            reminder=reminder, recipient=side.users[role], kind=reminder.kind, channel="inbox", status="sent"
        )
    worker2_note = Notification.objects.create(
        reminder=r_p2, recipient=side.worker2, kind=r_p2.kind, channel="inbox", status="sent"
    )
    for role in (Role.REGISTRAR, Role.SUPERVISOR):
        side.import_jobs[role] = m.CarerImportJob.objects.create(
            created_by=side.users[role], filename=f"{word}-families-{role}.csv", rows=1, valid=1, content=b"x"
        )

    # A possible duplicate between two of the side's families (issue 14).
    a, b = sorted((side.carers[1].pk, side.carers[2].pk), key=str)
    side.duplicate_pair = m.DuplicatePair.objects.create(
        kind="carer", carer_a_id=a, carer_b_id=b, reasons=["same_phone"]
    )

    side.extra = [
        side.duplicate_pair.pk,
        *(c.pk for c in side.carers),
        *m.CarerCheck.objects.filter(carer__in=side.carers).values_list("pk", flat=True),
        *m.CarerTraining.objects.filter(carer__in=side.carers).values_list("pk", flat=True),
        *m.SafeguardingConcern.objects.filter(carer__in=side.carers).values_list("pk", flat=True),
        *m.HouseholdMember.objects.filter(carer__in=side.carers).values_list("pk", flat=True),
        side.institution.pk,
        *(c.pk for c in side.children),
        side.sibling_group.pk,
        p1.pk,
        p2.pk,
        *m.Visit.objects.filter(placement__in=side.placements).values_list("pk", flat=True),
        side.match_run.pk,
        side.batch_plan.pk,
        r_visit.pk,
        r_p2.pk,
        r_review.pk,
        *(n.pk for n in side.notifications.values()),
        worker2_note.pk,
        *(j.pk for j in side.import_jobs.values()),
        closed.pk,
    ]
    return side


@dataclass
class World:
    own: Side
    other: Side
    admin: m.User
    admin_note: Notification
    admin_run: object = None
    admin_plan: object = None

    def side(self, name: str) -> Side:
        return self.own if name == "own" else self.other


def build_world() -> World:
    own = _build_side("own", 1000)
    other = _build_side("other", 5000)
    # As create_staff_user makes them: national administrators are the admin's superusers.
    admin = make_user(Role.NATIONAL_ADMIN, username="national-admin", is_staff=True, is_superuser=True)
    reminder = own.notifications[Role.SUPERVISOR].reminder
    admin_note = Notification.objects.create(
        reminder=reminder, recipient=admin, kind=reminder.kind, channel="inbox", status="sent"
    )
    own.notifications[Role.NATIONAL_ADMIN] = admin_note
    own.users[Role.NATIONAL_ADMIN] = admin
    other.users[Role.NATIONAL_ADMIN] = admin
    # A national administrator's work filed under the own province but reaching into the other one:
    # a match run ranks every province's families; a plan takes children of both provinces.
    adapter.forget_cache()
    admin_run = matching_services.match_run_create(actor=admin, child=own.waiting_child)
    plan = matching_services.batch_plan_create(
        actor=admin, children=[own.children[0], own.children[1], other.waiting_child]
    )
    matching_services.batch_plan_run(plan_id=plan.pk)
    admin_plan = type(plan).objects.get(pk=plan.pk)
    # Links a national administrator may record across provinces (or left behind when a family
    # moves province): the own waiting child's aunt lives in the other province, a family there is
    # excluded for the child, and a sibling lives in an institution there.
    m.KinLink.objects.create(child=own.waiting_child, carer=other.carers[1], relationship="aunt_uncle")
    m.CarerExclusion.objects.create(child=own.waiting_child, carer=other.carers[2], reason=f"{own.word} exclusion")
    group = m.SiblingGroup.objects.create(keep_together=False)
    m.Child.objects.filter(pk__in=[own.waiting_child.pk, other.waiting_child.pk]).update(sibling_group=group)
    own.extra.append(group.pk)
    adapter.forget_cache()
    return World(own=own, other=other, admin=admin, admin_note=admin_note, admin_run=admin_run, admin_plan=admin_plan)


def nowhere() -> str:
    """An id that no record has."""
    return str(uuid.uuid4())
