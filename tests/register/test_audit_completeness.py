"""Audit completeness (DESIGN.md, Security model): every write to carers, children, placements and
visits is audited (who, when, what changed) and every read of a child's record is logged.

The walk is generated, the expectations are written down:
- every POST/PUT/PATCH/DELETE operation of the published OpenAPI schema (and every write route of the
  URL resolver under /api/v1/, so nothing can hide from the schema) must have a row in API_WRITES:
  a valid request and the audit entries it must leave (action, model, object_id, actor, and the
  fields named in `changes`), or a written reason why it writes nothing the trail covers;
- every GET operation of the schema has a row in API_READS saying whether its response carries a
  child's personal data (then each child shown must be logged as read) or not (then the test checks
  that a child's name is indeed not in it);
- every page of the `web` app has a row in PAGES, the same way, plus the POSTs that write;
- every model registered in the admin has a row in ADMIN saying what even a superuser may do there,
  and each allowed write is made and its entry found;
- every Celery task has a row in TASKS.
A new endpoint, page, admin or task without a row makes this module fail: decide, and add it.

What counts as a read of a child's record: a response that shows a child's personal data (name,
date of birth or age, sex, needs, languages, religion, ethnicity, communes, institution, partner ids).
A response that names children only by their opaque id or their paper-form reference (CH-02-000045)
does not: references are what the trail itself uses to name children.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import uuid
from collections.abc import Callable

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db.models import ProtectedError
from django.forms import MultiWidget
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from drf_spectacular.generators import SchemaGenerator
from knox.models import AuthToken
from rest_framework.test import APIClient

from matching import services as matching_services
from matching.models import BatchPlan, MatchRun
from notifications.models import Notification, Reminder
from register import models as m
from register.models import AuditEntry
from register.roles import Role
from register.services.placements import placement_create
from register.services.visits import visit_complete
from tests.factories import PASSWORD, CarerFactory, ChildFactory, InstitutionFactory, make_user
from tests.register.carers_factories import (
    CarerCheckFactory,
    CarerTrainingFactory,
    ConcernFactory,
    carer_payload,
    meet_requirements,
    unapproved_carer,
)
from tests.register.children_factories import child_payload, institution_payload
from tests.register.imports_factories import csv_bytes, import_row, upload

pytestmark = pytest.mark.django_db

ANY_ID = object()  # the entry's object_id is not known in advance (e.g. a visit of a new placement)
USER = object()  # the entry's actor is the user who made the request
CHILD_NAME = "Zyxwvuth"  # a given name no fixture uses, to find where a child's name is shown


def today() -> datetime.date:
    return datetime.date.today()


@dataclasses.dataclass(frozen=True)
class Entry:
    """An audit entry a request must leave."""

    action: str
    model: str
    object_id: object = ANY_ID
    fields: frozenset[str] = frozenset()  # each must be a key of `changes`
    actor: object = USER


def entry(action, model, object_id=ANY_ID, fields=(), actor=USER) -> Entry:
    return Entry(action, model, object_id if object_id is ANY_ID else str(object_id), frozenset(fields), actor)


@dataclasses.dataclass(frozen=True)
class NotAudited:
    """A write the trail does not cover, and why."""

    reason: str


@dataclasses.dataclass(frozen=True)
class NoChildData:
    """A read that shows no child's personal data, and what it shows instead."""

    reason: str


class World:
    """Staff of province 02 and helpers to call the API and the pages as them, and to collect the
    audit entries a request leaves."""

    def __init__(self):
        self.registrar = make_user(Role.REGISTRAR)
        self.officer = make_user(Role.PLACEMENT_OFFICER)
        self.supervisor = make_user(Role.SUPERVISOR)
        self.worker = make_user(Role.SOCIAL_WORKER)
        self.superuser = make_user(Role.NATIONAL_ADMIN, is_staff=True, is_superuser=True)
        self.new: list[AuditEntry] = []
        self.actor = None

    def api(self, user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        self.actor = user
        return client

    def page(self, user) -> Client:
        client = Client()
        client.force_login(user)  # before the request is collected: its login entry is not the write's
        self.actor = user
        return client

    def collect(self):
        return _Collect(self)


class _Collect:
    def __init__(self, world):
        self.world = world

    def __enter__(self):
        self.before = set(AuditEntry.objects.values_list("pk", flat=True))
        return self

    def __exit__(self, *exc):
        self.world.new = list(AuditEntry.objects.exclude(pk__in=self.before))
        return False


@contextlib.contextmanager
def _context(name: str):
    try:
        yield
    except AssertionError as error:
        raise AssertionError(f"{name}: {error}") from None


def assert_entries(world: World, expected: list[Entry]) -> None:
    got = world.new
    shown = [(e.action, e.model, e.object_id, e.actor_username, sorted(e.changes)) for e in got]
    for want in expected:
        same = [
            e
            for e in got
            if e.action == want.action
            and e.model == want.model
            and (want.object_id is ANY_ID or e.object_id == want.object_id)
        ]
        assert same, f"no audit entry {want} among {shown}"
        actor = world.actor if want.actor is USER else want.actor
        same = [e for e in same if e.actor_id == getattr(actor, "pk", None)]
        assert same, f"{want}: not by {actor} in {shown}"
        assert any(want.fields <= set(e.changes) for e in same), f"{want}: `changes` lacks {want.fields} in {shown}"
        for e in same:
            assert e.at is not None and e.actor_username == (getattr(actor, "username", None) or e.actor_username)


# --- Scenes -------------------------------------------------------------------------------------


def placed(world: World, *, start: datetime.date | None = None, social_worker=None) -> m.Placement:
    child = ChildFactory(given_name=CHILD_NAME)
    return placement_create(
        actor=world.officer,
        carer=CarerFactory(),
        children=[child],
        start_date=start or today() - datetime.timedelta(days=10),
        care_type="long_term",
        social_worker=social_worker,
    )


def done_plan(world: World, django_capture_on_commit_callbacks) -> BatchPlan:
    child = ChildFactory(given_name=CHILD_NAME)
    CarerFactory(max_children=1)
    with django_capture_on_commit_callbacks(execute=True):
        plan = matching_services.batch_plan_create(actor=world.officer, children=[child], institution=None)
    plan.refresh_from_db()
    assert plan.status == BatchPlan.Status.DONE and plan.proposals, plan.status
    return plan


# --- API writes -----------------------------------------------------------------------------------
# Each case makes its scene, then one valid request inside world.collect(), and returns the entries.


def api_token(w, **_):
    client = APIClient()
    with w.collect():
        refused = client.post("/api/v1/auth/token/", {"username": w.officer.username, "password": "wrong"})
        assert refused.status_code in (400, 401)
        ok = client.post("/api/v1/auth/token/", {"username": w.officer.username, "password": PASSWORD})
        assert ok.status_code == 200, ok.content
    w.actor = w.officer
    return [
        entry("login_failed", "register.User", w.officer.pk, actor=None),
        entry("login", "register.User", w.officer.pk),
    ]


def api_logout(w, **_):
    _instance, token = AuthToken.objects.create(w.officer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    w.actor = w.officer
    with w.collect():
        assert client.post("/api/v1/auth/logout/").status_code == 204
    assert not AuthToken.objects.filter(user=w.officer).exists()
    return [entry("logout", "register.User", w.officer.pk)]


def api_carer_create(w, **_):
    with w.collect():
        response = w.api(w.registrar).post("/api/v1/carers/", carer_payload(), format="json")
    assert response.status_code == 201, response.content
    fields = {"household_name", "given_name", "family_name", "phone", "commune_id", "max_children"}
    return [entry("create", "register.Carer", response.json()["id"], fields)]


def api_carer_update(w, **_):
    carer = CarerFactory()
    with w.collect():
        response = w.api(w.registrar).patch(
            f"/api/v1/carers/{carer.pk}/",
            {"max_children": 3, "household_members": carer_payload()["household_members"]},
            format="json",
        )
    assert response.status_code == 200, response.content
    return [entry("update", "register.Carer", carer.pk, {"max_children", "household_members"})]


def api_carer_review(w, **_):
    carer = meet_requirements(CarerFactory(approved_on=today() - datetime.timedelta(days=300)))
    with w.collect():
        response = w.api(w.registrar).post(f"/api/v1/carers/{carer.pk}/review/", {"reason": "Yearly visit"})
    assert response.status_code == 200, response.content
    return [entry("update", "register.Carer", carer.pk, {"approved_on", "review_due"})]


def api_duplicate_resolve(w, **_):
    a, b = sorted((CarerFactory().pk, CarerFactory().pk), key=str)
    pair = m.DuplicatePair.objects.create(kind="carer", carer_a_id=a, carer_b_id=b, reasons=["same_phone"])
    with w.collect():
        response = w.api(w.supervisor).post(
            f"/api/v1/duplicates/{pair.pk}/resolve/", {"decision": "not_duplicate", "reason": "Cousins."}
        )
    assert response.status_code == 200, response.content
    return [entry("update", "register.DuplicatePair", pair.pk, {"status", "reason"})]


def api_carer_status(w, **_):
    carer = unapproved_carer(status="enquiry")
    with w.collect():
        response = w.api(w.registrar).post(
            f"/api/v1/carers/{carer.pk}/status/", {"status": "assessment", "reason": "Home visit booked"}
        )
    assert response.status_code == 200, response.content
    return [entry("update", "register.Carer", carer.pk, {"status"})]


def api_carer_check(w, **_):
    carer = unapproved_carer()
    body = {"kind": "police_clearance", "result": "passed", "checked_on": today().isoformat()}
    with w.collect():
        response = w.api(w.registrar).post(f"/api/v1/carers/{carer.pk}/checks/", body)
    assert response.status_code == 201, response.content
    return [entry("create", "register.CarerCheck", response.json()["id"], {"kind", "result", "checked_on"})]


def api_carer_training(w, **_):
    carer = unapproved_carer()
    with w.collect():
        response = w.api(w.registrar).post(
            f"/api/v1/carers/{carer.pk}/trainings/", {"module": "core", "completed_on": today().isoformat()}
        )
    assert response.status_code == 201, response.content
    return [entry("create", "register.CarerTraining", response.json()["id"], {"module_id", "completed_on"})]


def api_carer_concern(w, **_):
    carer = CarerFactory()
    body = {"raised_on": today().isoformat(), "summary": "A neighbour's report", "status": "open"}
    with w.collect():
        response = w.api(w.registrar).post(f"/api/v1/carers/{carer.pk}/concerns/", body)
    assert response.status_code == 201, response.content
    return [entry("create", "register.SafeguardingConcern", response.json()["id"], {"summary", "status"})]


def api_carer_concern_update(w, **_):
    concern = ConcernFactory()
    with w.collect():
        response = w.api(w.registrar).patch(
            f"/api/v1/carers/{concern.carer_id}/concerns/{concern.pk}/", {"status": "closed"}, format="json"
        )
    assert response.status_code == 200, response.content
    return [entry("update", "register.SafeguardingConcern", concern.pk, {"status"})]


def api_carer_import(w, **_):
    with w.collect():
        response = w.api(w.registrar).post(
            "/api/v1/carers/import/",
            {"file": upload(csv_bytes([import_row()])), "dry_run": "false"},
            format="multipart",
        )
    assert response.status_code == 200 and response.json()["created"] == 1, response.content
    carer = m.Carer.objects.get()
    return [
        entry("create", "register.CarerImport", "", {"rows", "created", "filename"}),
        entry("create", "register.Carer", carer.pk, {"household_name", "phone"}),
    ]


def api_institution_create(w, **_):
    with w.collect():
        response = w.api(w.officer).post("/api/v1/institutions/", institution_payload(), format="json")
    assert response.status_code == 201, response.content
    return [entry("create", "register.Institution", response.json()["id"], {"name", "kind", "commune_id"})]


def api_institution_put(w, **_):
    institution = InstitutionFactory()
    with w.collect():
        response = w.api(w.officer).put(
            f"/api/v1/institutions/{institution.pk}/", institution_payload(name="Renamed centre"), format="json"
        )
    assert response.status_code == 200, response.content
    return [entry("update", "register.Institution", institution.pk, {"name"})]


def api_institution_patch(w, **_):
    institution = InstitutionFactory()
    with w.collect():
        response = w.api(w.officer).patch(
            f"/api/v1/institutions/{institution.pk}/", {"status": "closing"}, format="json"
        )
    assert response.status_code == 200, response.content
    return [entry("update", "register.Institution", institution.pk, {"status"})]


def api_child_create(w, **_):
    with w.collect():
        response = w.api(w.officer).post("/api/v1/children/", child_payload(), format="json")
    assert response.status_code == 201, response.content
    fields = {"given_name", "family_name", "date_of_birth", "home_commune_id", "reference"}
    # The answer shows the new record: a read too (issue 13, finding 1).
    child_id = response.json()["id"]
    return [entry("create", "register.Child", child_id, fields), entry("read", "register.Child", child_id)]


def api_child_update(w, **_):
    child = ChildFactory()
    kin = CarerFactory()
    body = {"given_name": "Vanna", "kin": [{"carer": str(kin.pk), "relationship": "grandparent"}]}
    with w.collect():
        response = w.api(w.officer).patch(f"/api/v1/children/{child.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    return [
        entry("update", "register.Child", child.pk, {"given_name", "kin"}),
        entry("read", "register.Child", child.pk),
    ]


def api_sibling_group_create(w, **_):
    first = ChildFactory()
    second = ChildFactory(institution=first.institution)
    body = {"children": [str(first.pk), str(second.pk)], "keep_together": True}
    with w.collect():
        response = w.api(w.officer).post("/api/v1/sibling-groups/", body, format="json")
    assert response.status_code == 201, response.content
    return [
        entry("create", "register.SiblingGroup", response.json()["id"], {"keep_together"}),
        entry("update", "register.Child", first.pk, {"sibling_group_id"}),
        entry("update", "register.Child", second.pk, {"sibling_group_id"}),
    ]


def _group(w):
    first = ChildFactory()
    second = ChildFactory(institution=first.institution)
    body = {"children": [str(first.pk), str(second.pk)], "keep_together": True}
    response = w.api(w.officer).post("/api/v1/sibling-groups/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"], first, second


def api_sibling_group_update(w, **_):
    group_id, _first, _second = _group(w)
    with w.collect():
        response = w.api(w.officer).patch(
            f"/api/v1/sibling-groups/{group_id}/", {"keep_together": False}, format="json"
        )
    assert response.status_code == 200, response.content
    return [entry("update", "register.SiblingGroup", group_id, {"keep_together"})]


def api_sibling_group_delete(w, **_):
    group_id, first, _second = _group(w)
    with w.collect():
        response = w.api(w.officer).delete(f"/api/v1/sibling-groups/{group_id}/")
    assert response.status_code == 204, response.content
    return [
        entry("delete", "register.SiblingGroup", group_id),
        entry("update", "register.Child", first.pk, {"sibling_group_id"}),
    ]


def api_placement_create(w, **_):
    child, carer = ChildFactory(), CarerFactory()
    body = {"carer": str(carer.pk), "children": [str(child.pk)], "start_date": today().isoformat()}
    with w.collect():
        response = w.api(w.officer).post("/api/v1/placements/", {**body, "care_type": "long_term"}, format="json")
    assert response.status_code == 201, response.content
    return [
        entry("create", "register.Placement", response.json()["id"], {"carer_id", "start_date", "care_type"}),
        entry("update", "register.Child", child.pk, {"status"}),
        entry("create", "register.Visit", ANY_ID, {"due_date", "placement_id"}),
    ]


def api_placement_end(w, **_):
    placement = placed(w)
    child = placement.children.get()
    with w.collect():
        response = w.api(w.officer).post(
            f"/api/v1/placements/{placement.pk}/end/", {"end_date": today().isoformat(), "reason": "reunified"}
        )
    assert response.status_code == 200, response.content
    return [
        entry("update", "register.Placement", placement.pk, {"status", "end_date", "end_reason"}),
        entry("update", "register.Child", child.pk, {"status"}),
        entry("update", "register.Visit", ANY_ID, {"state"}),
    ]


def api_visit_complete(w, **_):
    placement = placed(w)
    visit = placement.visits.order_by("due_date").first()
    with w.collect():
        response = w.api(w.supervisor).post(
            f"/api/v1/visits/{visit.pk}/complete/",
            {"visited_on": today().isoformat(), "outcome": "settled", "notes": "All well"},
        )
    assert response.status_code == 200, response.content
    return [entry("update", "register.Visit", visit.pk, {"state", "completed_on", "outcome"})]


def api_visit_acknowledge(w, **_):
    visit = _urgent_visit(w)
    with w.collect():
        response = w.api(w.supervisor).post(f"/api/v1/visits/{visit.pk}/acknowledge/", {"action": "Nurse sent"})
    assert response.status_code == 200, response.content
    return [entry("update", "register.Visit", visit.pk, {"acknowledged_at", "acknowledged_by_id", "acknowledgement"})]


def api_match_create(w, **_):
    child = ChildFactory()
    CarerFactory()
    with w.collect():
        response = w.api(w.officer).post("/api/v1/matches/", {"child": str(child.pk)}, format="json")
    assert response.status_code == 201, response.content
    return [entry("create", "matching.MatchRun", response.json()["id"])]


def api_match_outreach(w, **_):
    child = ChildFactory()
    carer = CarerFactory()
    run = matching_services.match_run_create(actor=w.officer, child=child, limit=10)
    with w.collect():
        response = w.api(w.officer).post(
            f"/api/v1/matches/{run.pk}/outreach/", {"carer": str(carer.pk), "outcome": "contacted"}, format="json"
        )
    assert response.status_code == 201, response.content
    return [entry("create", "matching.MatchOutreach")]


def api_batch_create(w, **_):
    child = ChildFactory()
    with w.collect():
        response = w.api(w.officer).post("/api/v1/batch-matches/", {"children": [str(child.pk)]}, format="json")
    assert response.status_code == 202, response.content
    return [entry("create", "matching.BatchPlan", response.json()["id"])]


def api_batch_confirm(w, django_capture_on_commit_callbacks, **_):
    plan = done_plan(w, django_capture_on_commit_callbacks)
    with w.collect():
        response = w.api(w.officer).post(
            f"/api/v1/batch-matches/{plan.pk}/confirm/", {"proposal": 0, "start_date": today().isoformat()}
        )
    assert response.status_code == 201, response.content
    return [
        entry("create", "register.Placement", response.json()["id"], {"carer_id"}),
        entry("update", "register.Child", ANY_ID, {"status"}),
    ]


def api_closure_create(w, **_):
    institution = InstitutionFactory()
    body = {"decided_on": today().isoformat(), "target_date": today().isoformat(), "reason": "Unsafe buildings"}
    with w.collect():
        response = w.api(w.officer).post(f"/api/v1/institutions/{institution.pk}/closure/", body, format="json")
    assert response.status_code == 201, response.content
    return [
        entry("create", "monitoring.InstitutionClosure"),
        entry("update", "register.Institution", institution.pk, {"status"}),
    ]


API_WRITES: dict[tuple[str, str], Callable | NotAudited] = {
    ("POST", "/api/v1/auth/token/"): api_token,
    ("POST", "/api/v1/auth/logout/"): api_logout,
    ("POST", "/api/v1/carers/"): api_carer_create,
    ("PATCH", "/api/v1/carers/{id}/"): api_carer_update,
    ("POST", "/api/v1/carers/{id}/review/"): api_carer_review,
    ("POST", "/api/v1/duplicates/{id}/resolve/"): api_duplicate_resolve,
    ("POST", "/api/v1/carers/{id}/status/"): api_carer_status,
    ("POST", "/api/v1/carers/{carer_id}/checks/"): api_carer_check,
    ("POST", "/api/v1/carers/{carer_id}/trainings/"): api_carer_training,
    ("POST", "/api/v1/carers/{carer_id}/concerns/"): api_carer_concern,
    ("PATCH", "/api/v1/carers/{carer_id}/concerns/{id}/"): api_carer_concern_update,
    ("POST", "/api/v1/carers/import/"): api_carer_import,
    ("POST", "/api/v1/institutions/"): api_institution_create,
    ("PUT", "/api/v1/institutions/{id}/"): api_institution_put,
    ("PATCH", "/api/v1/institutions/{id}/"): api_institution_patch,
    ("POST", "/api/v1/children/"): api_child_create,
    ("PATCH", "/api/v1/children/{id}/"): api_child_update,
    ("POST", "/api/v1/sibling-groups/"): api_sibling_group_create,
    ("PATCH", "/api/v1/sibling-groups/{id}/"): api_sibling_group_update,
    ("DELETE", "/api/v1/sibling-groups/{id}/"): api_sibling_group_delete,
    ("POST", "/api/v1/placements/"): api_placement_create,
    ("POST", "/api/v1/placements/{id}/end/"): api_placement_end,
    ("POST", "/api/v1/visits/{id}/complete/"): api_visit_complete,
    ("POST", "/api/v1/visits/{id}/acknowledge/"): api_visit_acknowledge,
    ("POST", "/api/v1/matches/"): api_match_create,
    ("POST", "/api/v1/matches/{id}/outreach/"): api_match_outreach,
    ("POST", "/api/v1/matching-policies/preview/"): NotAudited(
        "ranks the last runs again under a draft policy and stores nothing (matching/core/preview.py)"
    ),
    ("POST", "/api/v1/batch-matches/"): api_batch_create,
    ("POST", "/api/v1/batch-matches/{id}/confirm/"): api_batch_confirm,
    ("POST", "/api/v1/institutions/{id}/closure/"): api_closure_create,
    ("POST", "/api/v1/notifications/{id}/read/"): NotAudited(
        "marks the caller's own inbox message read: a notification is not a register record"
    ),
}


# --- API reads --------------------------------------------------------------------------------------


@dataclasses.dataclass
class ReadScene:
    """One of everything, with a child named CHILD_NAME in every place a child can appear."""

    placement: m.Placement
    child: m.Child
    visit: m.Visit
    carer: m.Carer
    concern: m.SafeguardingConcern
    run_id: str
    plan: BatchPlan
    notification: Notification
    group_id: str
    pair_id: str  # a possible duplicate of two children named CHILD_NAME


def read_scene(w: World, django_capture_on_commit_callbacks) -> ReadScene:
    placement = placed(w, start=today() - datetime.timedelta(days=40), social_worker=w.worker)
    child = placement.children.get()
    carer = placement.carer
    concern = ConcernFactory(carer=carer, status="closed")
    waiting = ChildFactory(given_name=CHILD_NAME)
    sibling = ChildFactory(given_name=CHILD_NAME, institution=waiting.institution)
    group_id = (
        w.api(w.officer)
        .post(
            "/api/v1/sibling-groups/",
            {"children": [str(waiting.pk), str(sibling.pk)], "keep_together": False},
            format="json",
        )
        .json()["id"]
    )
    run_id = w.api(w.officer).post("/api/v1/matches/", {"child": str(waiting.pk)}, format="json").json()["id"]
    plan = done_plan(w, django_capture_on_commit_callbacks)
    from monitoring.services import closure_record

    closure_record(actor=w.officer, institution=child.institution, decided_on=today(), target_date=today(), reason="x")
    visit = placement.visits.order_by("due_date").first()
    now = datetime.datetime.now(datetime.UTC)
    reminder = Reminder.objects.create(
        visit=visit, kind="visit_overdue", province_id="02", due_at=now, next_attempt_at=now
    )
    notification = Notification.objects.create(reminder=reminder, recipient=w.superuser, channel="inbox")
    a, b = sorted((waiting.pk, sibling.pk), key=str)
    pair = m.DuplicatePair.objects.create(kind="child", child_a_id=a, child_b_id=b, reasons=["same_external_id"])
    return ReadScene(placement, child, visit, carer, concern, run_id, plan, notification, group_id, str(pair.pk))


def children_logged(s: ReadScene) -> list[m.Child]:
    return list(m.Child.objects.filter(given_name=CHILD_NAME))


API_READS: dict[str, Callable | NoChildData] = {
    # Children: every child shown is a read of the child's record.
    "/api/v1/children/": lambda s: ("/api/v1/children/", children_logged(s)),
    "/api/v1/children/{id}/": lambda s: (f"/api/v1/children/{s.child.pk}/", [s.child]),
    # Everything else shows children by id only (placements, visits, matches, plans, sibling groups).
    "/api/v1/sibling-groups/": NoChildData("children by id"),
    "/api/v1/sibling-groups/{id}/": NoChildData("children by id"),
    "/api/v1/placements/": NoChildData("children by id"),
    "/api/v1/placements/{id}/": NoChildData("children by id"),
    "/api/v1/visits/": NoChildData("children by id"),
    "/api/v1/visits/{id}/": NoChildData("children by id"),
    "/api/v1/follow-up-queue/": NoChildData("visits; children by id (also its ?format=csv)"),
    "/api/v1/matches/{id}/": NoChildData("children by id, families ranked"),
    "/api/v1/matches/{id}/explain/": NoChildData("one family's reasons"),
    "/api/v1/batch-matches/{id}/": NoChildData("children by id, families proposed"),
    "/api/v1/notifications/": NoChildData("family references and dates"),
    "/api/v1/notifications/{id}/": NoChildData("family references and dates"),
    "/api/v1/carers/": NoChildData("families"),
    "/api/v1/carers/{id}/": NoChildData("a family"),
    "/api/v1/carers/{carer_id}/checks/": NoChildData("a family's checks"),
    "/api/v1/carers/{carer_id}/trainings/": NoChildData("a family's trainings"),
    "/api/v1/carers/{carer_id}/concerns/": NoChildData("a family's concerns"),
    "/api/v1/carers/{carer_id}/concerns/{id}/": NoChildData("a family's concern"),
    "/api/v1/carers/import/template/": NoChildData("an empty spreadsheet"),
    "/api/v1/institutions/": NoChildData("institutions"),
    "/api/v1/institutions/{id}/": NoChildData("an institution"),
    "/api/v1/institutions/{id}/closure/": NoChildData("a closure: children by id and reference"),
    "/api/v1/indicators/": NoChildData("figures by month and province"),
    "/api/v1/indicators/export/": NoChildData("figures by month and province, as a workbook"),
    "/api/v1/capacity-gaps/": NoChildData("profiles of children, counted"),
    "/api/v1/duplicates/": NoChildData("pairs of records by id and reference"),
    "/api/v1/duplicates/{id}/": NoChildData("a pair of records by id and reference"),
    "/api/v1/matching-outcomes/": NoChildData("placements counted by policy and rank"),
    "/api/v1/me/": NoChildData("the caller"),
    "/api/v1/provinces/": NoChildData("gazetteer"),
    "/api/v1/provinces/{code}/": NoChildData("gazetteer"),
    "/api/v1/districts/": NoChildData("gazetteer"),
    "/api/v1/districts/{code}/": NoChildData("gazetteer"),
    "/api/v1/communes/": NoChildData("gazetteer"),
    "/api/v1/communes/{code}/": NoChildData("gazetteer"),
    "/api/v1/villages/": NoChildData("gazetteer"),
    "/api/v1/villages/{code}/": NoChildData("gazetteer"),
    "/api/v1/training-modules/": NoChildData("reference data"),
    "/api/v1/training-modules/{code}/": NoChildData("reference data"),
}


def fill(path: str, s: ReadScene) -> str:
    """A schema path with its placeholders taken from the scene."""
    ids = {
        "/api/v1/carers/{carer_id}/concerns/{id}/": {"carer_id": s.carer.pk, "id": s.concern.pk},
        "/api/v1/matches/{id}/explain/": {"id": s.run_id},
    }.get(path)
    if ids is None:
        owner = path.split("/")[3]
        ids = {
            "id": {
                "carers": s.carer.pk,
                "institutions": s.child.institution_id,
                "sibling-groups": s.group_id,
                "placements": s.placement.pk,
                "visits": s.visit.pk,
                "matches": s.run_id,
                "batch-matches": s.plan.pk,
                "notifications": s.notification.pk,
                "duplicates": s.pair_id,
            }.get(owner),
            "carer_id": s.carer.pk,
            "code": {"provinces": "02", "districts": "0201", "communes": "020101", "villages": "02010101"}.get(
                owner, "core"
            ),
        }
    url = path.format(**{k: v for k, v in ids.items() if v is not None})
    if path == "/api/v1/matches/{id}/explain/":
        url += f"?carer={s.carer.pk}"
    return url


# --- Schema and resolver --------------------------------------------------------------------------

WRITE_METHODS = ("post", "put", "patch", "delete")


def schema_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (method.upper(), path) for path, item in schema["paths"].items() for method in item if method != "parameters"
    }


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _methods(pattern: URLPattern) -> set[str]:
    callback = pattern.callback
    actions = getattr(callback, "actions", None)
    if actions:
        # DRF adds "head" to a viewset's actions at its first GET: it is the GET, not another write.
        return {m.upper() for m in actions if m not in ("options", "head")}
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view is not None:
        return {m.upper() for m in view.http_method_names if hasattr(view, m) and m not in ("options", "head")}
    return {"GET", "POST"}  # a function view may take any method


def test_every_write_operation_of_the_api_is_in_the_table():
    operations = schema_operations()
    writes = {op for op in operations if op[0].lower() in WRITE_METHODS}
    assert writes == set(API_WRITES), (
        f"not in API_WRITES: {sorted(writes - set(API_WRITES))}; gone: {sorted(set(API_WRITES) - writes)}"
    )
    reads = {path for method, path in operations if method == "GET"}
    assert reads == set(API_READS), (
        f"not in API_READS: {sorted(reads - set(API_READS))}; gone: {sorted(set(API_READS) - reads)}"
    )


def test_no_write_route_of_the_api_hides_from_the_schema():
    covered = set()
    for method, path in schema_operations():
        url = path.replace("{code}", "02")
        for name in ("{id}", "{carer_id}"):
            url = url.replace(name, str(uuid.uuid4()))
        covered.add((resolve(url).func, method))
    for route, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith("api/v1/") or pattern.name in ("schema", "api-docs"):
            continue
        if pattern.callback.__name__ == "api_not_found":  # the catch-all 404 of config/urls.py
            continue
        for method in _methods(pattern) - {"GET"}:
            assert (pattern.callback, method) in covered, f"{method} {route} is not in the OpenAPI schema"


@pytest.mark.parametrize("operation", sorted(API_WRITES), ids=lambda op: f"{op[0]} {op[1]}")
def test_each_api_write_leaves_its_audit_entries(operation, django_capture_on_commit_callbacks):
    case = API_WRITES[operation]
    if isinstance(case, NotAudited):
        pytest.skip(case.reason)
    world = World()
    expected = case(world, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert_entries(world, expected)


def test_api_reads_log_every_child_shown_and_the_others_show_no_child(django_capture_on_commit_callbacks):
    w = World()
    s = read_scene(w, django_capture_on_commit_callbacks)
    for path, case in sorted(API_READS.items(), key=lambda kv: kv[0]):
        client = w.api(w.superuser)
        if isinstance(case, NoChildData):
            url = fill(path, s)
            with w.collect():
                response = client.get(url)
                csv = client.get(url, {"format": "csv"}) if "follow-up" in path else None
            assert response.status_code == 200, (url, response.content)
            assert CHILD_NAME not in response.content.decode(errors="replace"), (
                f"{path} shows a child's name: add it as a read"
            )
            assert csv is None or CHILD_NAME not in csv.content.decode()
            assert not [e for e in w.new if e.model == "register.Child"], f"{path} logged a child read"
            continue
        url, shown = case(s)
        with w.collect():
            response = client.get(url, {"page_size": 200})
        assert response.status_code == 200 and CHILD_NAME in response.content.decode(), url
        assert_entries(w, [entry("read", "register.Child", c.pk) for c in shown])


# --- Pages: writes --------------------------------------------------------------------------------
# The pages call the same services as the API; these find the entries through the pages themselves.

STEPS = [
    {
        "step": 0,
        "household_name": "Meas household",
        "given_name": "Chenda",
        "family_name": "Meas",
        "sex": "female",
        "date_of_birth": "1982-04-02",
        "national_id": "",
        "phone": "012 444 555",
    },
    {"step": 1, "province": "02", "district": "0201", "commune": "020101", "village": "02010101", "address": ""},
    {"step": 2, "members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0"},
    {
        "step": 3,
        "max_children": "2",
        "age_min": "3",
        "age_max": "12",
        "sexes_accepted": ["female", "male"],
        "max_sibling_group": "2",
        "care_types": ["long_term"],
        "languages": ["km"],
        "religion": "buddhism",
        "ethnicity": "khmer",
    },
]


def _steps(client, url) -> object:
    client.get(url)
    for data in STEPS[:-1]:
        assert client.post(url, {**data, "action": "next"}).status_code == 200
    return client.post(url, {**STEPS[-1], "action": "save"})


def page_login(w, **_):
    client = Client()
    w.actor = w.officer
    with w.collect():
        client.post(reverse("web:login"), {"username": w.officer.username, "password": "wrong"})
        response = client.post(reverse("web:login"), {"username": w.officer.username, "password": PASSWORD})
    assert response.status_code == 302
    return [
        entry("login_failed", "register.User", w.officer.pk, actor=None),
        entry("login", "register.User", w.officer.pk, {"via"}),
    ]


def page_logout(w, **_):
    client = w.page(w.officer)
    with w.collect():
        assert client.post(reverse("web:logout")).status_code == 302
    return [entry("logout", "register.User", w.officer.pk)]


def page_account_session_revoke(w, **_):
    from register.services.sessions import SESSION_ID_KEY

    client = w.page(w.officer)
    elsewhere = Client()
    elsewhere.force_login(w.officer)
    row_id = elsewhere.session[SESSION_ID_KEY]
    with w.collect():
        assert client.post(reverse("web:account_session_revoke", args=[row_id])).status_code == 302
    return [entry("delete", "register.UserSession", row_id, {"user"})]


def page_account_token_revoke(w, **_):
    instance, _token = AuthToken.objects.create(w.officer)
    use = m.ApiTokenUse.objects.get(token_digest=instance.digest)
    client = w.page(w.officer)
    with w.collect():
        assert client.post(reverse("web:account_token_revoke", args=[use.pk])).status_code == 302
    return [entry("delete", "knox.AuthToken", instance.token_key, {"user"})]


def page_carer_create(w, **_):
    client = w.page(w.registrar)
    with w.collect():
        response = _steps(client, reverse("web:carer_create"))
    assert response.status_code == 302
    carer = m.Carer.objects.get(household_name="Meas household")
    return [entry("create", "register.Carer", carer.pk, {"household_name", "phone", "age_max"})]


def page_carer_edit(w, **_):
    carer = unapproved_carer()
    client = w.page(w.registrar)
    with w.collect():
        response = _steps(client, reverse("web:carer_edit", args=[carer.pk]))
    assert response.status_code == 302
    return [entry("update", "register.Carer", carer.pk, {"household_name", "age_min"})]


def page_carer_status(w, **_):
    carer = unapproved_carer(status="enquiry")
    client = w.page(w.registrar)
    with w.collect():
        response = client.post(reverse("web:carer_status", args=[carer.pk]), {"status": "assessment", "reason": "x"})
    assert response.status_code in (200, 302)
    return [entry("update", "register.Carer", carer.pk, {"status"})]


def page_carer_review(w, **_):
    carer = meet_requirements(CarerFactory(approved_on=today() - datetime.timedelta(days=300)))
    client = w.page(w.registrar)
    with w.collect():
        response = client.post(reverse("web:carer_review", args=[carer.pk]), {"reason": "Visit done"})
    assert response.status_code in (200, 302)
    return [entry("update", "register.Carer", carer.pk, {"approved_on", "review_due"})]


def page_carer_check(w, **_):
    carer = unapproved_carer()
    client = w.page(w.registrar)
    data = {"kind": "police_clearance", "result": "passed", "checked_on": today().isoformat()}
    with w.collect():
        response = client.post(reverse("web:carer_check", args=[carer.pk]), data)
    assert response.status_code in (200, 302)
    check = m.CarerCheck.objects.get(carer=carer)
    return [entry("create", "register.CarerCheck", check.pk, {"kind", "result"})]


def page_carer_training(w, **_):
    carer = unapproved_carer()
    client = w.page(w.registrar)
    with w.collect():
        response = client.post(
            reverse("web:carer_training", args=[carer.pk]), {"module": "core", "completed_on": today().isoformat()}
        )
    assert response.status_code in (200, 302)
    training = m.CarerTraining.objects.get(carer=carer)
    return [entry("create", "register.CarerTraining", training.pk, {"module_id", "completed_on"})]


def page_carer_concern(w, **_):
    carer = CarerFactory()
    client = w.page(w.registrar)
    with w.collect():
        response = client.post(
            reverse("web:carer_concern", args=[carer.pk]), {"raised_on": today().isoformat(), "summary": "Report"}
        )
    assert response.status_code in (200, 302)
    concern = m.SafeguardingConcern.objects.get(carer=carer)
    return [entry("create", "register.SafeguardingConcern", concern.pk, {"summary", "status"})]


def page_carer_concern_close(w, **_):
    concern = ConcernFactory()
    client = w.page(w.registrar)
    with w.collect():
        response = client.post(reverse("web:carer_concern_close", args=[concern.carer_id, concern.pk]), {})
    assert response.status_code in (200, 302)
    return [entry("update", "register.SafeguardingConcern", concern.pk, {"status", "closed_on"})]


def page_carer_import_run(w, django_capture_on_commit_callbacks, **_):
    client = w.page(w.registrar)
    response = client.post(reverse("web:carer_import"), {"file": upload(csv_bytes([import_row()]))})
    assert response.status_code == 302, response.content
    job = m.CarerImportJob.objects.get()
    with w.collect(), django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("web:carer_import_run", args=[job.pk])).status_code in (200, 302)
    carer = m.Carer.objects.get()
    return [
        entry("create", "register.CarerImport", "", {"rows", "created"}),
        entry("create", "register.Carer", carer.pk, {"household_name", "phone"}),
    ]


def page_match(w, **_):
    child = ChildFactory()
    CarerFactory()
    client = w.page(w.officer)
    with w.collect():
        response = client.post(reverse("web:match_workbench"), {"child": str(child.pk), "limit": 10})
    assert response.status_code == 302
    run_id = response["Location"].rstrip("/").split("/")[-1]
    return [entry("create", "matching.MatchRun", run_id)]


def page_match_place(w, **_):
    child = ChildFactory()
    carer = CarerFactory()
    run = matching_services.match_run_create(actor=w.officer, child=child, limit=10)
    client = w.page(w.officer)
    data = {"children": [str(child.pk)], "start_date": today().isoformat(), "care_type": "long_term"}
    with w.collect():
        response = client.post(reverse("web:match_place", args=[run.pk, carer.pk]), data)
    assert response.status_code == 302, response.content
    placement = m.Placement.objects.get(carer=carer)
    return [
        entry("create", "register.Placement", placement.pk, {"carer_id", "start_date"}),
        entry("update", "register.Child", child.pk, {"status"}),
    ]


def page_match_outreach(w, **_):
    child = ChildFactory()
    carer = CarerFactory()
    run = matching_services.match_run_create(actor=w.officer, child=child, limit=10)
    client = w.page(w.officer)
    with w.collect():
        response = client.post(
            reverse("web:match_outreach", args=[run.pk]), {"carer": str(carer.pk), "outcome": "interested"}
        )
    assert response.status_code == 302, response.content
    return [entry("create", "matching.MatchOutreach")]


def page_duplicate_resolve(w, **_):
    a, b = sorted((CarerFactory().pk, CarerFactory().pk), key=str)
    pair = m.DuplicatePair.objects.create(kind="carer", carer_a_id=a, carer_b_id=b, reasons=["same_phone"])
    client = w.page(w.supervisor)
    with w.collect():
        response = client.post(
            reverse("web:duplicate_resolve", args=[pair.pk]), {"decision": "not_duplicate", "reason": "Cousins."}
        )
    assert response.status_code == 302, response.content
    return [entry("update", "register.DuplicatePair", pair.pk, {"status", "reason"})]


def page_batch_plan(w, **_):
    child = ChildFactory()
    client = w.page(w.officer)
    with w.collect():
        response = client.post(reverse("web:batch_plan_list"), {"institution": str(child.institution_id)})
    assert response.status_code == 302, response.content
    return [entry("create", "matching.BatchPlan", BatchPlan.objects.get().pk)]


def page_batch_confirm(w, django_capture_on_commit_callbacks, **_):
    plan = done_plan(w, django_capture_on_commit_callbacks)
    client = w.page(w.officer)
    with w.collect():
        response = client.post(
            reverse("web:batch_plan_confirm", args=[plan.pk, 0]), {"p0-start_date": today().isoformat()}
        )
    assert response.status_code == 302, response.content
    return [entry("create", "register.Placement", m.Placement.objects.get().pk, {"carer_id"})]


def page_placement_end(w, **_):
    placement = placed(w)
    client = w.page(w.supervisor)
    with w.collect():
        response = client.post(
            reverse("web:placement_end", args=[placement.pk]), {"end_date": today().isoformat(), "reason": "moved"}
        )
    assert response.status_code == 302, response.content
    return [
        entry("update", "register.Placement", placement.pk, {"status", "end_date", "end_reason"}),
        entry("update", "register.Visit", ANY_ID, {"state"}),
    ]


def page_placement_assign(w, **_):
    placement = placed(w)
    client = w.page(w.supervisor)
    with w.collect():
        response = client.post(
            reverse("web:placement_assign", args=[placement.pk]), {"social_worker": w.worker.username}
        )
    assert response.status_code == 302, response.content
    return [entry("update", "register.Placement", placement.pk, {"social_worker_id"})]


def page_visit_record(w, **_):
    placement = placed(w, social_worker=w.worker)
    visit = placement.visits.order_by("due_date").first()
    client = w.page(w.worker)
    with w.collect():
        response = client.post(
            reverse("web:visit_record", args=[visit.pk]),
            {"visited_on": today().isoformat(), "outcome": "settled", "notes": "Fine"},
        )
    assert response.status_code == 302, response.content
    return [entry("update", "register.Visit", visit.pk, {"state", "completed_on", "outcome"})]


def _urgent_visit(w):
    placement = placed(w, social_worker=w.worker)
    visit = placement.visits.order_by("due_date").first()
    visit_complete(actor=w.worker, visit=visit, visited_on=today(), outcome="urgent", notes="At risk")
    return visit


def page_visit_acknowledge(w, **_):
    visit = _urgent_visit(w)
    client = w.page(w.supervisor)
    with w.collect():
        response = client.post(
            reverse("web:visit_acknowledge", args=[visit.pk]),
            {"action": "Called the family", "next_visit_on": today().isoformat()},
        )
    assert response.status_code == 302, response.content
    extra = m.Visit.objects.get(follow_up_of=visit)
    return [
        entry("update", "register.Visit", visit.pk, {"acknowledged_at", "acknowledged_by_id", "acknowledgement"}),
        entry("create", "register.Visit", extra.pk, {"due_date"}),
    ]


def page_carer_import(w, **_):
    client = w.page(w.registrar)
    with w.collect():
        response = client.post(reverse("web:carer_import"), {"file": upload(csv_bytes([import_row()]))})
    assert response.status_code == 302, response.content
    job = m.CarerImportJob.objects.get()
    return [entry("create", "register.CarerImportJob", job.pk, {"filename", "rows"})]


PAGE_WRITES: dict[str, Callable | NotAudited] = {
    "login": page_login,
    "logout": page_logout,
    "two_factor_verify": NotAudited(
        "the second login step: web/views/two_factor.py records login / login_failed itself "
        "(tests/web/test_two_factor_pages.py)"
    ),
    "two_factor_setup": NotAudited("turning two-factor on: register/two_factor.py records it on the user"),
    "account_session_revoke": page_account_session_revoke,
    "account_token_revoke": page_account_token_revoke,
    "carer_create": page_carer_create,
    "carer_edit": page_carer_edit,
    "carer_status": page_carer_status,
    "carer_review": page_carer_review,
    "carer_check": page_carer_check,
    "carer_training": page_carer_training,
    "carer_concern": page_carer_concern,
    "carer_concern_close": page_carer_concern_close,
    "carer_import": page_carer_import,
    "carer_import_run": page_carer_import_run,
    "match_workbench": page_match,
    "match_place": page_match_place,
    "match_outreach": page_match_outreach,
    "duplicate_resolve": page_duplicate_resolve,
    "batch_plan_list": page_batch_plan,
    "batch_plan_confirm": page_batch_confirm,
    "placement_end": page_placement_end,
    "placement_assign": page_placement_assign,
    "visit_record": page_visit_record,
    "visit_acknowledge": page_visit_acknowledge,
    "notification_read": NotAudited("marks the caller's own inbox message read: not a register record"),
}

# Every other page only reads. Those that show a child's personal data log each child shown.
CHILD_PAGES = {
    "child_list": lambda s: (reverse("web:child_list"), children_logged(s)),
    "child_detail": lambda s: (reverse("web:child_detail", args=[s.child.pk]), [s.child]),
    "match_workbench": lambda s: (reverse("web:match_workbench"), _waiting(s)),
    "match_run": lambda s: (reverse("web:match_run", args=[s.run_id]), _matched(s)),
    "match_place": lambda s: (reverse("web:match_place", args=[s.run_id, s.carer.pk]), _matched(s)),
    "batch_plan_detail": lambda s: (reverse("web:batch_plan_detail", args=[s.plan.pk]), _planned(s)),
    "placement_detail": lambda s: (reverse("web:placement_detail", args=[s.placement.pk]), [s.child]),
    # The visit's children by given name and age, for the social worker at the door (issue 16).
    "visit_record": lambda s: (reverse("web:visit_record", args=[s.visit.pk]), [s.child]),
}
OTHER_PAGES: dict[str, tuple[Callable, str]] = {
    "dashboard": (lambda s: reverse("web:dashboard"), "counts per province"),
    "reform": (lambda s: reverse("web:reform"), "indicators by month and province"),
    "matching_outcomes": (lambda s: reverse("web:matching_outcomes"), "placements counted by policy and rank"),
    "match_outreach": (lambda s: reverse("web:match_outreach", args=[s.run_id]), "POST only"),
    "capacity_gaps": (lambda s: reverse("web:capacity_gaps"), "profiles of children, counted"),
    "institution_closure": (
        lambda s: reverse("web:institution_closure", args=[s.child.institution_id]),
        "a closure: children by reference",
    ),
    "login": (lambda s: reverse("web:login"), "the login form"),
    "logout": (lambda s: reverse("web:logout"), "POST only"),
    "two_factor_verify": (lambda s: reverse("web:two_factor_verify"), "the code form"),
    "two_factor_setup": (lambda s: reverse("web:two_factor_setup"), "the caller's authenticator"),
    "account_sessions": (lambda s: reverse("web:account_sessions"), "the caller's own sessions and tokens"),
    "account_session_revoke": (lambda s: reverse("web:account_session_revoke", args=[uuid.uuid4()]), "POST only"),
    "account_token_revoke": (lambda s: reverse("web:account_token_revoke", args=[uuid.uuid4()]), "POST only"),
    "carer_list": (lambda s: reverse("web:carer_list"), "families"),
    "duplicate_list": (lambda s: reverse("web:duplicate_list"), "pairs of records by reference"),
    "duplicate_detail": (
        lambda s: reverse("web:duplicate_detail", args=[uuid.uuid4()]),
        "two records; a pair of children is logged as two reads (web/views/duplicates.py)",
    ),
    "duplicate_resolve": (lambda s: reverse("web:duplicate_resolve", args=[uuid.uuid4()]), "POST only"),
    "carer_create": (lambda s: reverse("web:carer_create"), "an empty form"),
    "carer_places": (lambda s: reverse("web:carer_places") + "?province=02", "gazetteer choices"),
    "carer_detail": (lambda s: reverse("web:carer_detail", args=[s.carer.pk]), "a family; children by reference"),
    "carer_edit": (lambda s: reverse("web:carer_edit", args=[s.carer.pk]), "a family"),
    "carer_status": (lambda s: reverse("web:carer_status", args=[s.carer.pk]), "POST only"),
    "carer_review": (lambda s: reverse("web:carer_review", args=[s.carer.pk]), "POST only"),
    "carer_check": (lambda s: reverse("web:carer_check", args=[s.carer.pk]), "POST only"),
    "carer_training": (lambda s: reverse("web:carer_training", args=[s.carer.pk]), "POST only"),
    "carer_concern": (lambda s: reverse("web:carer_concern", args=[s.carer.pk]), "POST only"),
    "carer_concern_close": (
        lambda s: reverse("web:carer_concern_close", args=[s.carer.pk, s.concern.pk]),
        "POST only",
    ),
    "carer_import": (lambda s: reverse("web:carer_import"), "the upload form and past imports"),
    "carer_import_template": (lambda s: reverse("web:carer_import_template", args=["csv"]), "an empty sheet"),
    "carer_import_job": (lambda s: reverse("web:carer_import_job", args=[uuid.uuid4()]), "an import's rows"),
    "carer_import_run": (lambda s: reverse("web:carer_import_run", args=[uuid.uuid4()]), "POST only"),
    "carer_import_progress": (lambda s: reverse("web:carer_import_progress", args=[uuid.uuid4()]), "a number"),
    "match_explain": (
        lambda s: reverse("web:match_explain", args=[s.run_id]) + f"?carer={s.carer.pk}",
        "one family's reasons",
    ),
    "match_compare": (
        lambda s: reverse("web:match_compare", args=[s.run_id]) + f"?carer={s.carer.pk}&carer={_other_carer(s)}",
        "families side by side",
    ),
    "batch_plan_list": (lambda s: reverse("web:batch_plan_list"), "plans by institution and size"),
    "batch_plan_confirm": (lambda s: reverse("web:batch_plan_confirm", args=[s.plan.pk, 0]), "POST only"),
    "followup_queue": (lambda s: reverse("web:followup_queue"), "visits; children by reference"),
    "followup_export": (lambda s: reverse("web:followup_export"), "the API's CSV: children by id"),
    "placement_list": (lambda s: reverse("web:placement_list"), "placements; children by reference"),
    "placement_end": (lambda s: reverse("web:placement_end", args=[s.placement.pk]), "POST only"),
    "placement_assign": (lambda s: reverse("web:placement_assign", args=[s.placement.pk]), "POST only"),
    "my_visits": (
        lambda s: reverse("web:my_visits"),
        "the caller's own visits (a superuser follows none; test_offline_pages checks the social worker's reads)",
    ),
    "visit_acknowledge": (lambda s: reverse("web:visit_acknowledge", args=[s.visit.pk]), "POST only"),
    "manifest": (lambda s: reverse("web:manifest"), "the app's name and icons"),
    "service_worker": (lambda s: reverse("web:service_worker"), "a script"),
    "favicon": (lambda s: reverse("web:favicon"), "a redirect to the icon"),
    "offline_session": (lambda s: reverse("web:offline_session"), "the caller's username and a CSRF token"),
    "notifications": (lambda s: reverse("web:notifications"), "family references and dates"),
    "notification_read": (lambda s: reverse("web:notification_read", args=[s.notification.pk]), "POST only"),
}


def _waiting(s: ReadScene) -> list[m.Child]:
    return list(m.Child.objects.filter(given_name=CHILD_NAME, status__in=m.Child.PLACEABLE).order_by("reference"))


def _matched(s: ReadScene) -> list[m.Child]:
    return list(m.Child.objects.filter(pk__in=MatchRun.objects.get(pk=s.run_id).children))


def _planned(s: ReadScene) -> list[m.Child]:
    return list(m.Child.objects.filter(pk__in=[i for p in s.plan.proposals for i in p["children"]]))


def _other_carer(s: ReadScene) -> str:
    return str(m.Carer.objects.exclude(pk=s.carer.pk).values_list("pk", flat=True).first())


def web_page_names() -> set[str]:
    names = set()
    for _route, pattern in _walk(get_resolver().url_patterns):
        if pattern.name and reverse_name(pattern):
            names.add(pattern.name)
    return names


def reverse_name(pattern: URLPattern) -> bool:
    return pattern.callback.__module__.startswith("web.")


def test_every_page_is_in_the_tables():
    pages = web_page_names()
    classified = set(CHILD_PAGES) | set(OTHER_PAGES)
    assert pages == classified, f"unclassified pages: {sorted(pages - classified)}; gone: {sorted(classified - pages)}"
    assert set(PAGE_WRITES) <= pages, sorted(set(PAGE_WRITES) - pages)
    for name in pages - set(PAGE_WRITES):
        assert OTHER_PAGES.get(name, (None, ""))[1] != "POST only", f"{name} takes POST: add it to PAGE_WRITES"


@pytest.mark.parametrize("name", sorted(PAGE_WRITES))
def test_each_page_write_leaves_its_audit_entries(name, django_capture_on_commit_callbacks):
    case = PAGE_WRITES[name]
    if isinstance(case, NotAudited):
        pytest.skip(case.reason)
    world = World()
    assert_entries(world, case(world, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks))


def test_pages_log_every_child_they_show_and_the_others_show_no_child(django_capture_on_commit_callbacks):
    w = World()
    s = read_scene(w, django_capture_on_commit_callbacks)
    client = w.page(w.superuser)
    for name, (url_of, _what) in sorted(OTHER_PAGES.items()):
        with w.collect():
            response = client.get(url_of(s))
        assert response.status_code in (200, 302, 404, 405), (name, response.status_code)
        body = response.content.decode(errors="replace")
        assert CHILD_NAME not in body, f"{name} shows a child's name: make it log the read and move it to CHILD_PAGES"
        assert not [e for e in w.new if e.model == "register.Child"], f"{name} logged a child read"
    for name, case in sorted(CHILD_PAGES.items()):
        url, shown = case(s)
        assert shown, name
        with w.collect():
            response = client.get(url)
        assert response.status_code == 200 and CHILD_NAME in response.content.decode(), name
        with _context(name):
            assert_entries(w, [entry("read", "register.Child", c.pk) for c in shown])


# --- The admin ------------------------------------------------------------------------------------
# What even a superuser may do on each admin page (add, change, delete), and an audited write for
# each allowed one. A new admin page, or a page that starts to allow a write, fails here until listed.

ADMIN: dict[str, tuple[bool, bool, bool] | tuple[bool, bool, bool, str]] = {
    "register.AuditEntry": (False, False, False, "view only, national administrators"),
    "register.Carer": (False, True, False),
    "register.CarerCheck": (True, True, True),
    "register.CarerTraining": (True, True, True),
    "register.SafeguardingConcern": (True, True, True),
    "register.HouseholdMember": (True, True, True),
    "register.CarerStatusChange": (False, False, False, "written by the status service only"),
    "register.Institution": (True, True, False),
    "register.Child": (True, True, False),
    "register.SiblingGroup": (False, True, False),
    "register.Placement": (False, True, False),
    "register.Visit": (False, False, False, "completed through the visit service only"),
    "register.VisitPolicy": (True, True, False),
    "register.TrainingModule": (True, True, True),
    "register.User": (True, True, True),
    "register.ReferenceSequence": (False, False, False, "written by the services"),
    "register.Province": (False, False, False, "gazetteer"),
    "register.District": (False, False, False, "gazetteer"),
    "register.Commune": (False, False, False, "gazetteer"),
    "register.Village": (False, False, False, "gazetteer"),
    "matching.MatchingPolicy": (True, True, False),
    "matching.MatchRun": (False, False, False, "written by the matching service"),
    "matching.BatchPlan": (False, False, False, "written by the matching service"),
    "notifications.ReminderPolicy": (True, True, False),
    "notifications.Reminder": (False, False, False, "the sweep's work rows"),
    "notifications.Notification": (False, False, False, "the inbox"),
    "knox.AuthToken": (False, False, True),
    "auth.Group": (True, True, True),
    "axes.AccessAttempt": (False, True, True, "lockout records: deleting one (unlocking) is audited"),
    "axes.AccessLog": (False, True, True, "django-axes' own log of logins: not audited"),
    "axes.AccessFailureLog": (False, True, True, "django-axes' own log of failures: not audited"),
}


def _superuser_request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_every_admin_page_and_what_a_superuser_may_do_there_is_in_the_table():
    user = make_user(Role.NATIONAL_ADMIN, is_staff=True, is_superuser=True)
    request = _superuser_request(user)
    found = {}
    for model, model_admin in admin.site._registry.items():
        found[model._meta.label] = (
            bool(model_admin.has_add_permission(request)),
            bool(model_admin.has_change_permission(request)),
            bool(model_admin.has_delete_permission(request)),
        )
    assert set(found) == set(ADMIN), (
        f"unlisted: {sorted(set(found) - set(ADMIN))}; gone: {sorted(set(ADMIN) - set(found))}"
    )
    for label, may in found.items():
        assert may == ADMIN[label][:3], (
            f"{label}: a superuser may add/change/delete {may}, the table says {ADMIN[label][:3]}"
        )


def admin_form_data(response) -> dict:
    """The POST body of an admin add/change page as it was rendered (its form and inlines)."""
    data = {}

    def put(bound):
        value = bound.value()
        if isinstance(bound.field.widget, MultiWidget):  # a date and a time: two inputs
            for i, part in enumerate(bound.field.widget.decompress(value)):
                data[f"{bound.html_name}_{i}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        elif value is not None:
            data[bound.html_name] = str(value)

    for bound in response.context["adminform"].form:
        put(bound)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for bound in formset.management_form:
            put(bound)
        for form in formset.forms:
            for bound in form:
                put(bound)
    return data


def _admin_url(obj, view="change") -> str:
    opts = obj._meta
    if view == "changelist":
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])


def admin_change(w, obj, **changes):
    client = w.page(w.superuser)
    url = _admin_url(obj)
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    data = {**admin_form_data(page), **changes}
    with w.collect():
        response = client.post(url, data)
    assert response.status_code == 302, (url, response.context["adminform"].form.errors if response.context else "")
    return response


def admin_bulk_delete(w, *objs):
    client = w.page(w.superuser)
    with w.collect():
        response = client.post(
            _admin_url(objs[0], "changelist"),
            {"action": "delete_selected", "_selected_action": [str(o.pk) for o in objs], "post": "yes"},
        )
    assert response.status_code == 302, response.content
    assert not type(objs[0]).objects.filter(pk__in=[o.pk for o in objs]).exists()


def test_admin_changes_are_audited():
    w = World()
    carer = CarerFactory()
    admin_change(w, carer, max_children="3")
    assert_entries(w, [entry("update", "register.Carer", carer.pk, {"max_children"})])
    check = CarerCheckFactory(carer=carer)
    admin_change(w, check, result="failed")
    assert_entries(w, [entry("update", "register.CarerCheck", check.pk, {"result"})])
    child = ChildFactory()
    admin_change(w, child, given_name="Vanna")
    assert_entries(w, [entry("update", "register.Child", child.pk, {"given_name"})])
    institution = child.institution
    admin_change(w, institution, name="Renamed centre")
    assert_entries(w, [entry("update", "register.Institution", institution.pk, {"name"})])
    group = m.SiblingGroup.objects.create(keep_together=True)
    m.Child.objects.filter(pk=child.pk).update(sibling_group=group)
    admin_change(w, group, keep_together="")
    assert_entries(w, [entry("update", "register.SiblingGroup", group.pk, {"keep_together"})])
    placement = placed(w)
    admin_change(w, placement, social_worker=str(w.worker.pk))
    assert_entries(w, [entry("update", "register.Placement", placement.pk, {"social_worker_id"})])
    module = m.TrainingModule.objects.get(code="core")
    admin_change(w, module, name_en="Core training (2027)")
    assert_entries(w, [entry("update", "register.TrainingModule", "core", {"name_en"})])


def test_admin_adds_are_audited():
    w = World()
    carer = CarerFactory()
    client = w.page(w.superuser)
    body = {"carer": str(carer.pk), "kind": "health_check", "result": "passed", "checked_on": today().isoformat()}
    with w.collect():
        assert client.post(reverse("admin:register_carercheck_add"), body).status_code == 302
    check = m.CarerCheck.objects.get(carer=carer)
    assert_entries(w, [entry("create", "register.CarerCheck", check.pk, {"kind", "result", "carer_id"})])
    body = {
        "username": "newstaff",
        "usable_password": "true",
        "password1": "a long pass 2026!",
        "password2": "a long pass 2026!",
    }
    with w.collect():
        response = client.post(reverse("admin:register_user_add"), body)
    assert response.status_code == 302, response.context["adminform"].form.errors
    new = m.User.objects.get(username="newstaff")
    assert_entries(w, [entry("create", "register.User", new.pk, {"username", "password"})])
    # The password hash itself never enters the trail.
    assert new.password not in str([e.changes for e in w.new])


def test_admin_versioned_policies_are_added_and_audited():
    from matching.models import MatchingPolicy
    from notifications.models import ReminderPolicy

    w = World()
    for model in (MatchingPolicy, ReminderPolicy, m.VisitPolicy):
        current = model.objects.order_by("-pk").first()
        admin_change(w, current)
        assert_entries(w, [entry("create", model._meta.label, ANY_ID, {"replaces"})])


def test_admin_deletes_one_by_one_and_in_bulk_are_audited():
    w = World()
    carer = CarerFactory()
    one = CarerCheckFactory(carer=carer)
    client = w.page(w.superuser)
    with w.collect():
        assert client.post(_admin_url(one, "delete"), {"post": "yes"}).status_code == 302
    assert_entries(w, [entry("delete", "register.CarerCheck", one.pk, {"kind", "result"})])
    member = m.HouseholdMember.objects.create(
        carer=carer, given_name="Vuthy", family_name="Meas", sex="male", date_of_birth=datetime.date(1980, 1, 1)
    )
    rows = [
        [CarerCheckFactory(carer=carer), CarerCheckFactory(carer=carer, kind="reference")],
        [CarerTrainingFactory(carer=carer)],
        [ConcernFactory(carer=carer)],
        [member],
    ]
    for objs in rows:
        admin_bulk_delete(w, *objs)
        label = objs[0]._meta.label
        assert_entries(w, [entry("delete", label, o.pk) for o in objs])
        assert all(e.province == "02" for e in w.new if e.model == label)


def test_admin_user_roles_passwords_and_tokens_are_audited():
    w = World()
    staff = make_user(Role.SOCIAL_WORKER)
    supervisor_group = Group.objects.get(name=Role.SUPERVISOR)
    admin_change(w, staff, groups=[str(supervisor_group.pk)])
    assert_entries(w, [entry("update", "register.User", staff.pk, {"groups"})])
    client = w.page(w.superuser)
    url = reverse("admin:auth_user_password_change", args=[staff.pk]).replace("auth/user", "register/user")
    with w.collect():
        response = client.post(url, {"password1": "another long pass 1!", "password2": "another long pass 1!"})
    assert response.status_code == 302, response.content
    assert_entries(w, [entry("update", "register.User", staff.pk, {"password"})])
    instance, _token = AuthToken.objects.create(staff)
    with w.collect():
        response = client.post(
            reverse("admin:knox_authtoken_changelist"),
            {"action": "delete_selected", "_selected_action": [instance.pk], "post": "yes"},
        )
    assert response.status_code == 302 and not AuthToken.objects.filter(user=staff).exists()
    assert_entries(w, [entry("delete", "knox.AuthToken", instance.token_key, {"user"})])
    group = Group.objects.create(name="readers")
    admin_change(w, group, name="readers-2")
    assert_entries(w, [entry("update", "auth.Group", group.pk, {"name"})])
    # Unlocking an account (deleting its django-axes lockout record).
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.create(
        username=staff.username, ip_address="10.0.0.1", user_agent="x", failures_since_start=5
    )
    admin_bulk_delete(w, attempt)
    assert_entries(w, [entry("delete", "axes.AccessAttempt", attempt.pk, {"username"})])


def test_an_account_that_acted_cannot_be_deleted_and_its_trail_stays():
    w = World()
    actor = make_user(Role.REGISTRAR)
    api_client = w.api(actor)
    assert api_client.post("/api/v1/carers/", carer_payload(), format="json").status_code == 201
    trail = list(AuditEntry.objects.filter(actor=actor).values_list("pk", "actor_id"))
    client = w.page(w.superuser)
    response = client.post(_admin_url(actor, "delete"), {"post": "yes"})
    assert response.status_code in (200, 403)  # the admin explains the protected entries; nothing removed
    assert m.User.objects.filter(pk=actor.pk).exists()
    assert list(AuditEntry.objects.filter(actor=actor).values_list("pk", "actor_id")) == trail
    with pytest.raises(ProtectedError):
        actor.delete()
    # An account that never did anything can go; its removal is itself in the trail.
    idle = make_user(Role.REGISTRAR)
    with w.collect():
        assert client.post(_admin_url(idle, "delete"), {"post": "yes"}).status_code == 302
    w.actor = w.superuser
    assert_entries(w, [entry("delete", "register.User", idle.pk, {"username"})])


def test_admin_pages_showing_a_childs_data_log_the_read():
    """The admin's child list, child page and its history (which shows the values as they changed),
    and an audit entry about a child (the same values); not the sibling group and placement pages,
    which show children by reference."""
    w = World()
    placement = placed(w)
    response = w.api(w.officer).post("/api/v1/children/", child_payload(given_name=CHILD_NAME), format="json")
    child = m.Child.objects.get(pk=response.json()["id"])
    group = m.SiblingGroup.objects.create(keep_together=True)
    m.Child.objects.filter(pk__in=[child.pk, placement.children.get().pk]).update(sibling_group=group)
    client = w.page(w.superuser)
    created = AuditEntry.objects.get(model="register.Child", object_id=str(child.pk), action="create")
    pages = {
        _admin_url(child, "changelist"): True,
        _admin_url(child): True,
        _admin_url(child, "history"): True,
        _admin_url(created): True,
        _admin_url(group): False,
        _admin_url(placement): False,
        _admin_url(placement, "changelist"): False,
        _admin_url(placement.visits.first()): False,
    }
    for url, shows_child in pages.items():
        with w.collect():
            response = client.get(url)
        assert response.status_code == 200, url
        assert (CHILD_NAME in response.content.decode()) == shows_child, url
        with _context(url):
            if shows_child:
                assert_entries(w, [entry("read", "register.Child", child.pk)])
            else:
                assert not [e for e in w.new if e.model == "register.Child"]


# --- Celery tasks ---------------------------------------------------------------------------------


def task_extend_visit_schedules(w):
    from register.tasks import extend_visit_schedules

    placement = placed(w)
    last = placement.visits.order_by("-due_date").first()
    last.delete()  # as if the schedule had reached its horizon
    with w.collect():
        assert extend_visit_schedules.delay().get() >= 1
    w.actor = None  # the scheduler: entries by "system"
    return [entry("create", "register.Visit", ANY_ID, {"due_date", "placement_id"})]


def task_run_carer_import(w):
    from register.services.import_jobs import carer_import_job_check, carer_import_job_start
    from register.tasks import run_carer_import

    job = carer_import_job_check(actor=w.registrar, file=upload(csv_bytes([import_row()])), filename="f.csv")
    job = carer_import_job_start(actor=w.registrar, job=job)  # queued; its task is run here, by hand
    with w.collect():
        assert run_carer_import.delay(str(job.pk)).get() == "done"
    w.actor = w.registrar  # the import is the registrar's, whoever runs the job
    carer = m.Carer.objects.get()
    return [
        entry("create", "register.CarerImport", "", {"rows", "created"}),
        entry("create", "register.Carer", carer.pk, {"household_name"}),
    ]


TASKS: dict[str, Callable | NotAudited] = {
    "config.ping": NotAudited("the worker's health check"),
    "register.find_duplicates": NotAudited("records possible-duplicate pairs only; resolving one is audited"),
    "notifications.possible_duplicate": NotAudited("creates reminders to national administrators, as the sweep does"),
    "register.extend_visit_schedules": task_extend_visit_schedules,
    "register.run_carer_import": task_run_carer_import,
    "register.requeue_stale_carer_imports": NotAudited("queues import jobs again: writes only the job's status"),
    "register.purge_expired_tokens": NotAudited("deletes API tokens already expired (refused): no register record"),
    "matching.run_batch_plan": NotAudited("fills in a plan's proposals; the plan's request is audited (BatchPlan)"),
    "matching.requeue_stale_batch_plans": NotAudited("queues plans again: writes only the plan's status"),
    "notifications.sweep": NotAudited("reminder rows derived from visits: not register records"),
    "notifications.dispatch": NotAudited("urgent reminder rows and delivery batches started: not register records"),
    "notifications.deliver": NotAudited("sends one batch of reminders: notification rows, not register records"),
}


def test_every_celery_task_is_in_the_table():
    from config.celery import app

    app.loader.import_default_modules()
    names = {name for name in app.tasks if not name.startswith("celery.")}
    assert names == set(TASKS), f"unlisted: {sorted(names - set(TASKS))}; gone: {sorted(set(TASKS) - names)}"


@pytest.mark.parametrize("name", sorted(TASKS))
def test_each_task_that_writes_the_register_leaves_its_audit_entries(name):
    case = TASKS[name]
    if isinstance(case, NotAudited):
        pytest.skip(case.reason)
    world = World()
    assert_entries(world, case(world))


# --- The walk itself --------------------------------------------------------------------------------


def test_the_walk_notices_a_write_whose_entry_went_missing(monkeypatch, django_capture_on_commit_callbacks):
    """A service that stops auditing makes its row fail (here: completing a visit)."""
    from register.services import visits

    monkeypatch.setattr(visits, "audit_write", lambda **kwargs: None)
    world = World()
    expected = api_visit_complete(world)
    with pytest.raises(AssertionError, match="no audit entry"):
        assert_entries(world, expected)
