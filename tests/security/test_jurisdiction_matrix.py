"""The jurisdiction matrix: every route of the URL resolver, every role, the user's own province
and another one. Nothing of the other province may be seen (lists, details, exports, counts,
search) or written; a record of the other province answers exactly as a record that does not exist.
National administrators see both provinces (asserted too, so that the matrix can fail).

Routes come from `get_resolver()`: a route added without an entry in ROUTES fails
`test_every_route_is_classified`, so a new endpoint or page cannot escape the matrix."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from django import forms
from django.contrib import admin
from django.db import transaction
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from matching.models import BatchPlan, MatchOutreach, MatchRun
from notifications.models import Notification, Reminder
from register import models as m
from register.roles import CAPABILITIES, Role
from tests.security.jurisdiction_world import SEARCH, build_world, nowhere

ROLES = [r.value for r in Role]
SIDES = ("own", "other")


# --- The world, built once per module inside a transaction rolled back at the end ----------------
@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        yield built
        transaction.set_rollback(True)


# --- Requests ------------------------------------------------------------------------------------
@dataclass
class Req:
    method: str
    path: str
    data: dict | None = None
    api: bool = True


def _normalise(text: str, req: Req) -> str:
    """A response as a person reads it: without the tokens that differ on every request, and
    without the caller's own request echoed back (a page's language switch repeats its path)."""
    text = text.replace(req.path, "<path>")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    text = re.sub(r'nonce="[^"]*"', "", text)
    text = re.sub(r'"X-CSRFToken": "[^"]*"', "", text)
    return text


def _client(world, role: str, req: Req):
    """A client logged in as the own province's user of `role` (logging in is itself audited, so
    it happens before the database is looked at)."""
    user = world.own.users[role]
    if req.api:
        client = APIClient()
        client.force_authenticate(user)
        return client
    client = Client()
    client.force_login(user)
    return client


def _do(client, req: Req):
    if req.method == "GET":
        return client.get(req.path, req.data or {})
    if req.api:
        return getattr(client, req.method.lower())(req.path, req.data or {}, format="json")
    return client.post(req.path, req.data or {})


def _send(world, role: str, req: Req):
    return _do(_client(world, role, req), req)


def _body(response, req: Req) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return _normalise(content.decode("utf-8", "replace"), req)


def _swap(req: Req, ids: set[str]) -> Req:
    """The same request with every id of `ids` replaced by an id no record has."""
    text = json.dumps({"p": req.path, "d": req.data})
    for i in ids:
        text = text.replace(i, nowhere())
    loaded = json.loads(text)
    return Req(req.method, loaded["p"], loaded["d"], req.api)


# --- What the database holds, to prove that nothing was written -----------------------------------
WATCHED = [
    m.Carer,
    m.CarerCheck,
    m.CarerTraining,
    m.SafeguardingConcern,
    m.HouseholdMember,
    m.CarerStatusChange,
    m.Institution,
    m.Child,
    m.KinLink,
    m.CarerExclusion,
    m.SiblingGroup,
    m.Placement,
    m.PlacementChild,
    m.Visit,
    m.CarerImportJob,
    m.AuditEntry,
    MatchRun,
    MatchOutreach,
    BatchPlan,
    Reminder,
    Notification,
]


def _state(side) -> list:
    """Every row of the other province (its values) and how many rows each table holds."""
    rows = []
    # Every write is audited; a read is audited too, and may be of the own province's records (a
    # page shown again after a refusal), never of the other province's.
    audit = m.AuditEntry.objects
    rows.append(("writes", audit.exclude(action="read").count()))
    rows.append(("other reads", audit.filter(action="read", object_id__in=[str(i) for i in side.extra]).count()))
    for model in WATCHED:
        if model is m.AuditEntry:
            continue
        rows.append((model.__name__, model.objects.count()))
        if model._meta.pk.get_internal_type() == "UUIDField":
            fields = [f.attname for f in model._meta.concrete_fields if f.attname != "updated_at"]
            rows.append(sorted(map(repr, model.objects.filter(pk__in=side.extra).values_list(*fields))))
    return rows


# --- The table: how each route is exercised --------------------------------------------------------
@dataclass
class Route:
    kind: str  # public | list | detail | action | create | form | dashboard | inbox
    cap: str | None = None  # capability needed (roles.py); None: any staff user
    build: object = None  # (world, side_name, role) -> list[Req]
    shows: str = ""  # what a list shows, for the own/national expectations (see _expected_markers)
    national_sees_other: bool = True
    worker_sees_own: bool = True  # False: a social worker does not follow the own record named
    count: object = None  # (world, role) -> the expected API `count`


def _api(path):
    return "/api/v1/" + path


def _one(method, path, data=None, api=True):
    return lambda w, s, r: [
        Req(method, path(w, s, r) if callable(path) else path, data(w, s, r) if callable(data) else data, api)
    ]


def _search(path, api=True, param="search"):
    """The list, then the list searched for the other province's word (and the own one's)."""
    return lambda w, s, r: [Req("GET", path, None, api), Req("GET", path, {param: SEARCH[s]}, api)]


def side(w, s):
    return w.side(s)


def _own_job(w, s, r):
    jobs = side(w, s).import_jobs
    return jobs.get(r) or jobs[Role.REGISTRAR]


def _note(w, s, r):
    # The own case: the user's own notification; the other case: their counterpart's in the other province.
    notes = side(w, s).notifications
    return notes.get(r) or notes[Role.SUPERVISOR]


def _sign_in_owner(w, s, r):
    """Whose session or token a revocation names: the caller's own; on the other side, their
    counterpart's (for a national administrator, who is on both sides, another province's user)."""
    if s == "other" and r == Role.NATIONAL_ADMIN:
        return w.other.users[Role.REGISTRAR]
    return side(w, s).users[r]


def _session_of(w, s, r):
    return f"/account/sessions/{m.UserSession.objects.create(user=_sign_in_owner(w, s, r)).pk}/revoke/"


def _token_of(w, s, r):
    from knox.models import AuthToken

    instance, _token = AuthToken.objects.create(_sign_in_owner(w, s, r))
    return f"/account/tokens/{m.ApiTokenUse.objects.get(token_digest=instance.digest).pk}/revoke/"


def _first_ranked(target) -> str:
    """The family a run ranked first (its worklist's first call), else any family of the side."""
    candidates = target.match_run.candidates
    return candidates[0]["carer"] if candidates else str(target.carer.pk)


def today_iso() -> str:
    return timezone.localdate().isoformat()


def _placement_body(w, s, r):
    target = side(w, s)
    return {
        "carer": str(target.carers[1].pk),
        "children": [str(target.waiting_child.pk)],
        "start_date": today_iso(),
        "care_type": "long_term",
    }


def _mixed_placements(w, s, r):
    """A placement naming the other province's family with an own child, and the other way round."""
    own, target = w.own, side(w, s)
    return [
        Req(
            "POST",
            _api("placements/"),
            {
                "carer": str(target.carers[1].pk),
                "children": [str(own.waiting_child.pk)],
                "start_date": today_iso(),
                "care_type": "long_term",
            },
        ),
        Req(
            "POST",
            _api("placements/"),
            {
                "carer": str(own.carers[1].pk),
                "children": [str(target.waiting_child.pk)],
                "start_date": today_iso(),
                "care_type": "long_term",
            },
        ),
    ]


def _child_body(w, s, r):
    target = side(w, s)
    return {
        "given_name": "Test",
        "family_name": "Matrix",
        "sex": "male",
        "date_of_birth": "2015-01-01",
        "home_commune": w.own.carer.commune_id,
        "institution": str(target.institution.pk),
        "languages": ["km"],
        "religion": "buddhism",
        "ethnicity": "khmer",
        "needs": [],
        "care_type_needed": "long_term",
        "kin": [{"carer": str(target.carer.pk), "relationship": "grandparent"}],
    }


ROUTES: dict[str, Route] = {
    # Public, or about the caller only: no record of any province may appear.
    "healthz": Route("public", build=_one("GET", "/healthz/")),
    "set_language": Route("public", build=_one("POST", "/i18n/setlang/", {"language": "en", "next": "/"}, api=False)),
    "auth-token": Route("public", build=_one("POST", _api("auth/token/"), {"username": "x", "password": "y"})),
    "auth-logout": Route("public", build=_one("POST", _api("auth/logout/"))),
    "me": Route("public", build=_one("GET", _api("me/"))),
    "schema": Route("public", build=_one("GET", _api("schema/"))),
    "api-docs": Route("public", build=_one("GET", _api("docs/"))),
    "province-list": Route("public", build=_one("GET", _api("provinces/"))),
    "province-detail": Route("public", build=_one("GET", _api("provinces/12/"))),
    "district-list": Route("public", build=_one("GET", _api("districts/"), {"province": "12"})),
    "district-detail": Route("public", build=_one("GET", _api("districts/1201/"))),
    "commune-list": Route("public", build=_one("GET", _api("communes/"), {"district": "1201"})),
    "commune-detail": Route("public", build=_one("GET", _api("communes/120101/"))),
    "village-list": Route("public", build=_one("GET", _api("villages/"), {"commune": "120101"})),
    "village-detail": Route(
        "public",
        build=lambda w, s, r: [
            Req(
                "GET",
                _api(
                    f"villages/{m.Village.objects.filter(commune_id='120101').values_list('code', flat=True).first()}/"
                ),
            )
        ],
    ),
    "training-module-list": Route("public", build=_one("GET", _api("training-modules/"))),
    "training-module-detail": Route("public", build=_one("GET", _api("training-modules/core/"))),
    "carer-import-template": Route(
        "form", "carers.write", _one("GET", _api("carers/import/template/"), {"format": "csv"})
    ),
    "carer-import": Route("form", "carers.write", _one("POST", _api("carers/import/"))),
    "web:login": Route("public", build=_one("GET", "/login/", api=False)),
    # The social workers' installable app (issue 16): no record in any of them.
    "web:manifest": Route("public", build=_one("GET", "/manifest.webmanifest", api=False)),
    "web:service_worker": Route("public", build=_one("GET", "/sw.js", api=False)),
    "web:favicon": Route("public", build=_one("GET", "/favicon.ico", api=False)),
    "web:offline_session": Route("public", build=_one("GET", "/offline/session/", api=False)),
    "web:logout": Route("public", build=_one("POST", "/logout/", api=False)),
    "api-not-found": Route("public", build=_one("GET", _api("no/such/thing/"))),
    "web:two_factor_verify": Route("public", build=_one("GET", "/login/code/", api=False)),
    "web:two_factor_setup": Route("public", build=_one("GET", "/account/two-factor/", api=False)),
    # The caller's own sessions and tokens: another user's (of any province) is not found, even by
    # a national administrator (who signs an account out everywhere from the admin instead).
    "web:account_sessions": Route("public", build=_one("GET", "/account/sessions/", api=False)),
    "web:account_session_revoke": Route(
        "action", None, _one("POST", _session_of, api=False), national_sees_other=False
    ),
    "web:account_token_revoke": Route("action", None, _one("POST", _token_of, api=False), national_sees_other=False),
    # API lists, searched for the other province's word.
    "carer-list": Route("list", "carers.read", _search(_api("carers/")), shows="carers"),
    "institution-list": Route("list", "institutions.read", _one("GET", _api("institutions/")), shows="institutions"),
    "child-list": Route("list", "children.read", _search(_api("children/")), shows="children"),
    "sibling-group-list": Route(
        "list", "children.read", _one("GET", _api("sibling-groups/")), shows="sibling_groups", worker_sees_own=False
    ),
    "placement-list": Route("list", "placements.read", _one("GET", _api("placements/")), shows="placements"),
    "visit-list": Route("list", "visits.read", _one("GET", _api("visits/")), shows="visits"),
    "follow-up-queue": Route(
        "list",
        "followup.read",
        lambda w, s, r: [Req("GET", _api("follow-up-queue/")), Req("GET", _api("follow-up-queue/"), {"format": "csv"})],
        shows="queue",
    ),
    "notification-list": Route("inbox", None, _one("GET", _api("notifications/")), national_sees_other=False),
    # Monitoring (issue 17): figures of the province named (another's answers as one that does not exist).
    "indicators": Route(
        "list",
        "indicators.read",
        _one("GET", _api("indicators/"), lambda w, s, r: {"province": side(w, s).code}),
        shows="figures",
    ),
    "indicators-export": Route(
        "list",
        "indicators.read",
        _one("GET", _api("indicators/export/"), lambda w, s, r: {"province": side(w, s).code, "format": "xlsx"}),
        shows="figures",
    ),
    "capacity-gaps": Route(
        "list",
        "capacity.read",
        _one("GET", _api("capacity-gaps/"), lambda w, s, r: {"province": side(w, s).code}),
        shows="figures",
    ),
    "web:capacity_gaps": Route(
        "list",
        "capacity.read",
        _one("GET", "/capacity-gaps/", lambda w, s, r: {"province": side(w, s).code}, api=False),
        shows="figures",
    ),
    "institution-closure": Route(
        "action",
        "closures.write",
        lambda w, s, r: [
            Req(
                "POST",
                _api(f"institutions/{side(w, s).institution.pk}/closure/"),
                {"decided_on": today_iso(), "target_date": today_iso(), "reason": "Closing."},
            ),
            Req("GET", _api(f"institutions/{side(w, s).institution.pk}/closure/")),
        ],
    ),
    "web:institution_closure": Route(
        "detail",
        "closures.write",
        _one("GET", lambda w, s, r: f"/institutions/{side(w, s).institution.pk}/closure/", api=False),
    ),
    "web:reform": Route(
        "list",
        "indicators.read",
        _one("GET", "/reform/", lambda w, s, r: {"province": side(w, s).code}, api=False),
        shows="figures",
    ),
    # A draft matching policy tried on recent runs (national): figures only, nothing stored.
    "matching-policy-preview": Route(
        "form", "policies.write", _one("POST", _api("matching-policies/preview/"), {"weights": {}, "runs": 5})
    ),
    # Placements made from match runs, counted per policy version: figures, no record named.
    "matching-outcomes": Route(
        "list",
        "matches.run",
        lambda w, s, r: [
            Req("GET", _api("matching-outcomes/")),
            Req("GET", _api("matching-outcomes/"), {"province": side(w, s).code}),
        ],
        shows="figures",
    ),
    "web:matching_outcomes": Route(
        "list",
        "matches.run",
        lambda w, s, r: [
            Req("GET", "/match/outcomes/", api=False),
            Req("GET", "/match/outcomes/", {"province": side(w, s).code}, api=False),
        ],
        shows="figures",
    ),
    # API details, with an own id and another province's id.
    "carer-detail": Route("detail", "carers.read", _one("GET", lambda w, s, r: _api(f"carers/{side(w, s).carer.pk}/"))),
    "duplicate-list": Route("list", "duplicates.resolve", _one("GET", _api("duplicates/")), shows="duplicates"),
    "duplicate-detail": Route(
        "detail", "duplicates.resolve", _one("GET", lambda w, s, r: _api(f"duplicates/{side(w, s).duplicate_pair.pk}/"))
    ),
    "duplicate-resolve": Route(
        "action",
        "duplicates.resolve",
        _one(
            "POST",
            lambda w, s, r: _api(f"duplicates/{side(w, s).duplicate_pair.pk}/resolve/"),
            {"decision": "not_duplicate", "reason": "Two families sharing a phone."},
        ),
    ),
    "carer-check-list": Route(
        "detail", "carers.read", _one("GET", lambda w, s, r: _api(f"carers/{side(w, s).carer.pk}/checks/"))
    ),
    "carer-training-list": Route(
        "detail", "carers.read", _one("GET", lambda w, s, r: _api(f"carers/{side(w, s).carer.pk}/trainings/"))
    ),
    "carer-concern-list": Route(
        "detail", "carers.read", _one("GET", lambda w, s, r: _api(f"carers/{side(w, s).carers[2].pk}/concerns/"))
    ),
    "carer-concern-detail": Route(
        "detail",
        "carers.read",
        _one("GET", lambda w, s, r: _api(f"carers/{side(w, s).carers[2].pk}/concerns/{side(w, s).concern.pk}/")),
    ),
    "institution-detail": Route(
        "detail", "institutions.read", _one("GET", lambda w, s, r: _api(f"institutions/{side(w, s).institution.pk}/"))
    ),
    "child-detail": Route(
        "detail", "children.read", _one("GET", lambda w, s, r: _api(f"children/{side(w, s).placed_child.pk}/"))
    ),
    "sibling-group-detail": Route(
        "detail",
        "children.read",
        _one("GET", lambda w, s, r: _api(f"sibling-groups/{side(w, s).sibling_group.pk}/")),
        worker_sees_own=False,
    ),
    "placement-detail": Route(
        "detail", "placements.read", _one("GET", lambda w, s, r: _api(f"placements/{side(w, s).placement.pk}/"))
    ),
    "visit-detail": Route("detail", "visits.read", _one("GET", lambda w, s, r: _api(f"visits/{side(w, s).visit.pk}/"))),
    "match-detail": Route(
        "detail", "matches.run", _one("GET", lambda w, s, r: _api(f"matches/{side(w, s).match_run.pk}/"))
    ),
    "match-explain": Route(
        "detail",
        "matches.run",
        lambda w, s, r: [
            Req("GET", _api(f"matches/{side(w, s).match_run.pk}/explain/"), {"carer": str(side(w, s).carer.pk)}),
            Req("GET", _api(f"matches/{w.own.match_run.pk}/explain/"), {"carer": str(side(w, s).carer.pk)}),
        ],
    ),
    "batch-detail": Route(
        "detail", "matches.run", _one("GET", lambda w, s, r: _api(f"batch-matches/{side(w, s).batch_plan.pk}/"))
    ),
    "notification-detail": Route(
        "detail",
        None,
        _one("GET", lambda w, s, r: _api(f"notifications/{_note(w, s, r).pk}/")),
        national_sees_other=False,
    ),
    # API writes addressed at a record (own: must not be 404; other: 404 and nothing written).
    "carer-review": Route(
        "action",
        "carers.approve",
        _one("POST", lambda w, s, r: _api(f"carers/{side(w, s).carer.pk}/review/"), {"reason": "matrix"}),
    ),
    "carer-set-status": Route(
        "action",
        "carers.write",
        _one(
            "POST",
            lambda w, s, r: _api(f"carers/{side(w, s).carers[2].pk}/status/"),
            {"status": "assessment", "reason": "matrix"},
        ),
    ),
    "notification-read": Route(
        "action",
        None,
        _one("POST", lambda w, s, r: _api(f"notifications/{_note(w, s, r).pk}/read/")),
        national_sees_other=False,
    ),
    "placement-end": Route(
        "action",
        "placements.write",
        _one(
            "POST",
            lambda w, s, r: _api(f"placements/{side(w, s).placement.pk}/end/"),
            {"end_date": today_iso(), "reason": "moved"},
        ),
    ),
    "visit-acknowledge": Route(
        "action",
        "visits.acknowledge",
        _one("POST", lambda w, s, r: _api(f"visits/{side(w, s).visit.pk}/acknowledge/"), {"action": "matrix"}),
    ),
    "visit-complete": Route(
        "action",
        "visits.complete",
        _one(
            "POST",
            lambda w, s, r: _api(f"visits/{side(w, s).visit.pk}/complete/"),
            {"visited_on": today_iso(), "outcome": "settled", "notes": "matrix"},
        ),
    ),
    "match-outreach": Route(
        "action",
        "matches.run",
        _one(
            "POST",
            lambda w, s, r: _api(f"matches/{side(w, s).match_run.pk}/outreach/"),
            lambda w, s, r: {"carer": _first_ranked(side(w, s)), "outcome": "contacted"},
        ),
    ),
    "batch-confirm": Route(
        "action",
        "placements.write",
        _one(
            "POST",
            lambda w, s, r: _api(f"batch-matches/{side(w, s).batch_plan.pk}/confirm/"),
            {"proposal": 0, "start_date": today_iso()},
        ),
    ),
    # API creations that name records: another province's records answer as records that do not exist.
    "match-create": Route(
        "create",
        "matches.run",
        _one("POST", _api("matches/"), lambda w, s, r: {"child": str(side(w, s).waiting_child.pk)}),
    ),
    "batch-create": Route(
        "create",
        "matches.run",
        lambda w, s, r: [
            Req("POST", _api("batch-matches/"), {"institution": str(side(w, s).institution.pk)}),
            Req("POST", _api("batch-matches/"), {"children": [str(side(w, s).children[0].pk)]}),
        ],
    ),
    # Pages.
    "web:dashboard": Route("dashboard", None, _one("GET", "/", api=False)),
    "web:carer_list": Route("list", "carers.read", _search("/carers/", api=False, param="q"), shows="carers"),
    "web:carer_create": Route("form", "carers.write", _one("GET", "/carers/new/", api=False)),
    "web:duplicate_list": Route(
        "list", "duplicates.resolve", _one("GET", "/duplicates/", {"status": "open"}, api=False), shows="duplicates"
    ),
    "web:duplicate_detail": Route(
        "detail",
        "duplicates.resolve",
        _one("GET", lambda w, s, r: f"/duplicates/{side(w, s).duplicate_pair.pk}/", api=False),
    ),
    "web:duplicate_resolve": Route(
        "action",
        "duplicates.resolve",
        _one(
            "POST",
            lambda w, s, r: f"/duplicates/{side(w, s).duplicate_pair.pk}/resolve/",
            {"decision": "not_duplicate", "reason": "Two families sharing a phone."},
            api=False,
        ),
    ),
    "web:carer_places": Route(
        "form",
        "carers.write",
        lambda w, s, r: [
            Req("GET", "/carers/places/", {"level": "district", "province": "12"}, api=False),
            Req("GET", "/carers/places/", {"level": "commune", "district": "1201"}, api=False),
        ],
    ),
    "web:carer_detail": Route(
        "detail", "carers.read", _one("GET", lambda w, s, r: f"/carers/{side(w, s).carer.pk}/", api=False)
    ),
    "web:carer_edit": Route(
        "detail", "carers.write", _one("GET", lambda w, s, r: f"/carers/{side(w, s).carer.pk}/edit/", api=False)
    ),
    "web:carer_status": Route(
        "action",
        "carers.write",
        _one(
            "POST",
            lambda w, s, r: f"/carers/{side(w, s).carers[2].pk}/status/",
            {"status": "assessment", "reason": "matrix"},
            api=False,
        ),
    ),
    "web:carer_review": Route(
        "action",
        "carers.approve",
        _one("POST", lambda w, s, r: f"/carers/{side(w, s).carer.pk}/review/", {"reason": "matrix"}, api=False),
    ),
    "web:carer_check": Route(
        "action",
        "carers.write",
        _one(
            "POST",
            lambda w, s, r: f"/carers/{side(w, s).carer.pk}/checks/",
            {"kind": "health_check", "result": "passed", "checked_on": today_iso()},
            api=False,
        ),
    ),
    "web:carer_training": Route(
        "action",
        "carers.write",
        _one(
            "POST",
            lambda w, s, r: f"/carers/{side(w, s).carer.pk}/trainings/",
            {"module": "infant_care", "completed_on": today_iso()},
            api=False,
        ),
    ),
    "web:carer_concern": Route(
        "action",
        "carers.write",
        _one(
            "POST",
            lambda w, s, r: f"/carers/{side(w, s).carer.pk}/concerns/",
            {"raised_on": today_iso(), "summary": "matrix"},
            api=False,
        ),
    ),
    "web:carer_concern_close": Route(
        "action",
        "carers.write",
        _one(
            "POST",
            lambda w, s, r: f"/carers/{side(w, s).carers[2].pk}/concerns/{side(w, s).concern.pk}/close/",
            {"closed_on": today_iso()},
            api=False,
        ),
    ),
    "web:carer_import": Route("form", "carers.write", _one("GET", "/carers/import/", api=False)),
    "web:carer_import_template": Route("form", "carers.write", _one("GET", "/carers/import/template.csv", api=False)),
    "web:carer_import_job": Route(
        "detail", "carers.write", _one("GET", lambda w, s, r: f"/carers/import/{_own_job(w, s, r).pk}/", api=False)
    ),
    "web:carer_import_progress": Route(
        "detail",
        "carers.write",
        _one("GET", lambda w, s, r: f"/carers/import/{_own_job(w, s, r).pk}/progress/", api=False),
    ),
    "web:carer_import_run": Route(
        "action", "carers.write", _one("POST", lambda w, s, r: f"/carers/import/{_own_job(w, s, r).pk}/run/", api=False)
    ),
    "web:child_list": Route("list", "children.read", _search("/children/", api=False, param="q"), shows="children"),
    "web:child_detail": Route(
        "detail", "children.read", _one("GET", lambda w, s, r: f"/children/{side(w, s).placed_child.pk}/", api=False)
    ),
    "web:match_workbench": Route(
        "list",
        "matches.run",
        lambda w, s, r: [
            Req("GET", "/match/", {"q": SEARCH[s]}, api=False),
            Req("POST", "/match/", {"child": str(side(w, s).waiting_child.pk), "limit": 20}, api=False),
        ],
        shows="match_runs",
    ),
    "web:match_run": Route(
        "detail", "matches.run", _one("GET", lambda w, s, r: f"/match/{side(w, s).match_run.pk}/", api=False)
    ),
    "web:match_explain": Route(
        "detail",
        "matches.run",
        lambda w, s, r: [
            Req("GET", f"/match/{side(w, s).match_run.pk}/explain/", {"carer": str(side(w, s).carer.pk)}, api=False),
            Req("GET", f"/match/{w.own.match_run.pk}/explain/", {"carer": str(side(w, s).carer.pk)}, api=False),
            Req("GET", f"/match/{w.own.match_run.pk}/explain/", {"q": SEARCH[s]}, api=False),
        ],
    ),
    "web:match_compare": Route(
        "detail",
        "matches.run",
        lambda w, s, r: [
            Req(
                "GET",
                f"/match/{side(w, s).match_run.pk}/compare/",
                {"carer": [str(c.pk) for c in side(w, s).carers[:2]]},
                api=False,
            ),
            Req(
                "GET",
                f"/match/{w.own.match_run.pk}/compare/",
                {"carer": [str(w.own.carer.pk), str(side(w, s).carers[1].pk)]},
                api=False,
            ),
        ],
    ),
    "web:match_place": Route(
        "action",
        "placements.write",
        lambda w, s, r: [
            Req(
                "POST",
                f"/match/{side(w, s).match_run.pk}/place/{side(w, s).carers[1].pk}/",
                {"children": [str(side(w, s).waiting_child.pk)], "start_date": today_iso(), "care_type": "long_term"},
                api=False,
            ),
            Req(
                "POST",
                f"/match/{w.own.match_run.pk}/place/{side(w, s).carers[1].pk}/",
                {"children": [str(w.own.waiting_child.pk)], "start_date": today_iso(), "care_type": "long_term"},
                api=False,
            ),
        ],
    ),
    "web:match_outreach": Route(
        "action",
        "matches.run",
        _one(
            "POST",
            lambda w, s, r: f"/match/{side(w, s).match_run.pk}/outreach/",
            lambda w, s, r: {"carer": _first_ranked(side(w, s)), "outcome": "declined", "note": "matrix"},
            api=False,
        ),
    ),
    "web:batch_plan_list": Route(
        "list",
        "matches.run",
        lambda w, s, r: [
            Req("GET", "/batch-plans/", api=False),
            Req("POST", "/batch-plans/", {"institution": str(side(w, s).institution.pk)}, api=False),
        ],
        shows="batch_plans",
    ),
    "web:batch_plan_detail": Route(
        "detail", "matches.run", _one("GET", lambda w, s, r: f"/batch-plans/{side(w, s).batch_plan.pk}/", api=False)
    ),
    "web:batch_plan_confirm": Route(
        "action",
        "placements.write",
        _one(
            "POST",
            lambda w, s, r: f"/batch-plans/{side(w, s).batch_plan.pk}/proposals/0/confirm/",
            {"p0-start_date": today_iso()},
            api=False,
        ),
    ),
    "web:followup_queue": Route("list", "followup.read", _one("GET", "/follow-up/", api=False), shows="queue"),
    "web:followup_export": Route(
        "list", "followup.read", _one("GET", "/follow-up/export.csv", api=False), shows="queue"
    ),
    "web:placement_list": Route("list", "placements.read", _one("GET", "/placements/", api=False), shows="placements"),
    "web:placement_detail": Route(
        "detail", "placements.read", _one("GET", lambda w, s, r: f"/placements/{side(w, s).placement.pk}/", api=False)
    ),
    "web:placement_end": Route(
        "action",
        "placements.write",
        _one(
            "POST",
            lambda w, s, r: f"/placements/{side(w, s).placement.pk}/end/",
            {"end_date": today_iso(), "reason": "moved"},
            api=False,
        ),
    ),
    "web:placement_assign": Route(
        "action",
        "placements.write",
        _one(
            "POST",
            lambda w, s, r: f"/placements/{side(w, s).placement.pk}/social-worker/",
            {"social_worker": ""},
            api=False,
        ),
    ),
    "web:my_visits": Route("list", "visits.complete", _one("GET", "/visits/", api=False), shows="my_visits"),
    "web:visit_record": Route(
        "action",
        "visits.complete",
        _one(
            "POST",
            lambda w, s, r: f"/visits/{side(w, s).visit.pk}/record/",
            {"visited_on": today_iso(), "outcome": "settled", "notes": "matrix"},
            api=False,
        ),
    ),
    "web:visit_acknowledge": Route(
        "action",
        "visits.acknowledge",
        _one("POST", lambda w, s, r: f"/visits/{side(w, s).visit.pk}/acknowledge/", {"action": "matrix"}, api=False),
    ),
    "web:notifications": Route("inbox", None, _one("GET", "/notifications/", api=False), national_sees_other=False),
    "web:notification_read": Route(
        "action",
        None,
        _one("POST", lambda w, s, r: f"/notifications/{_note(w, s, r).pk}/read/", api=False),
        national_sees_other=False,
    ),
}
# A route answers several methods: each write of a list route is a case of its own.
WRITES: dict[str, Route] = {
    "carer-list:post": Route(
        "create",
        "carers.write",
        _one(
            "POST",
            _api("carers/"),
            lambda w, s, r: {
                "household_name": "Matrix",
                "primary_carer": {
                    "given_name": "A",
                    "family_name": "B",
                    "sex": "female",
                    "date_of_birth": "1980-01-01",
                },
                "phone": "+85512999111",
                "commune": side(w, s).carer.commune_id,
                "languages": ["km"],
                "religion": "buddhism",
                "ethnicity": "khmer",
                "max_children": 1,
                "age_min": 0,
                "age_max": 17,
                "sexes_accepted": ["male"],
                "max_sibling_group": 1,
                "care_types": ["long_term"],
            },
        ),
    ),
    "carer-detail:patch": Route(
        "action",
        "carers.write",
        _one("PATCH", lambda w, s, r: _api(f"carers/{side(w, s).carer.pk}/"), {"household_name": "Matrix"}),
    ),
    "carer-check-list:post": Route(
        "action",
        "carers.write",
        _one(
            "POST",
            lambda w, s, r: _api(f"carers/{side(w, s).carer.pk}/checks/"),
            {"kind": "health_check", "result": "passed", "checked_on": today_iso()},
        ),
    ),
    "carer-training-list:post": Route(
        "action",
        "carers.write",
        _one(
            "POST",
            lambda w, s, r: _api(f"carers/{side(w, s).carer.pk}/trainings/"),
            {"module": "infant_care", "completed_on": today_iso()},
        ),
    ),
    "carer-concern-list:post": Route(
        "action",
        "carers.write",
        _one(
            "POST",
            lambda w, s, r: _api(f"carers/{side(w, s).carer.pk}/concerns/"),
            {"raised_on": today_iso(), "summary": "matrix", "status": "open"},
        ),
    ),
    "carer-concern-detail:patch": Route(
        "action",
        "carers.write",
        _one(
            "PATCH",
            lambda w, s, r: _api(f"carers/{side(w, s).carers[2].pk}/concerns/{side(w, s).concern.pk}/"),
            {"status": "closed"},
        ),
    ),
    "institution-list:post": Route(
        "create",
        "institutions.write",
        _one(
            "POST",
            _api("institutions/"),
            lambda w, s, r: {
                "name": "Matrix",
                "kind": "residential_care",
                "commune": side(w, s).carer.commune_id,
                "status": "open",
                "inspection_score": 50,
            },
        ),
    ),
    "institution-detail:patch": Route(
        "action",
        "institutions.write",
        _one("PATCH", lambda w, s, r: _api(f"institutions/{side(w, s).institution.pk}/"), {"name": "Matrix"}),
    ),
    "institution-detail:put": Route(
        "action",
        "institutions.write",
        _one(
            "PUT",
            lambda w, s, r: _api(f"institutions/{side(w, s).institution.pk}/"),
            lambda w, s, r: {
                "name": "Matrix",
                "kind": "residential_care",
                "commune": side(w, s).carer.commune_id,
                "status": "open",
                "inspection_score": 50,
            },
        ),
    ),
    "child-list:post": Route("create", "children.write", _one("POST", _api("children/"), _child_body)),
    "child-detail:patch": Route(
        "action",
        "children.write",
        _one("PATCH", lambda w, s, r: _api(f"children/{side(w, s).waiting_child.pk}/"), {"given_name": "Matrix"}),
    ),
    "child-detail:patch-kin": Route(
        "create",
        "children.write",
        _one(
            "PATCH",
            lambda w, s, r: _api(f"children/{w.own.waiting_child.pk}/"),
            lambda w, s, r: {"kin": [{"carer": str(side(w, s).carers[1].pk), "relationship": "aunt_uncle"}]},
        ),
    ),
    "sibling-group-list:post": Route(
        "create",
        "children.write",
        _one(
            "POST",
            _api("sibling-groups/"),
            lambda w, s, r: {
                "children": [str(w.own.waiting_child.pk), str(side(w, s).children[4].pk)],
                "keep_together": True,
            },
        ),
    ),
    "sibling-group-detail:patch": Route(
        "action",
        "children.write",
        _one("PATCH", lambda w, s, r: _api(f"sibling-groups/{side(w, s).sibling_group.pk}/"), {"keep_together": False}),
    ),
    "sibling-group-detail:delete": Route(
        "action",
        "children.write",
        _one("DELETE", lambda w, s, r: _api(f"sibling-groups/{side(w, s).sibling_group.pk}/")),
    ),
    "placement-list:post": Route(
        "create",
        "placements.write",
        lambda w, s, r: [Req("POST", _api("placements/"), _placement_body(w, s, r))],
    ),
    "placement-list:post-mixed": Route("create", "placements.write", _mixed_placements),
    "web:carer_edit:post": Route(
        "action",
        "carers.write",
        _one(
            "POST",
            lambda w, s, r: f"/carers/{side(w, s).carer.pk}/edit/",
            {"step": "1", "household_name": "Matrix"},
            api=False,
        ),
    ),
    "web:child_list:institution": Route(
        "list",
        "children.read",
        lambda w, s, r: [Req("GET", "/children/", {"institution": str(side(w, s).institution.pk)}, api=False)],
        shows="children",
    ),
}
CASES = {**ROUTES, **WRITES}


def _patterns(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = (p.namespace and (f"{namespace}:{p.namespace}" if namespace else p.namespace)) or namespace
            yield from _patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = (f"{namespace}:{p.name}" if namespace else p.name) if p.name else prefix + str(p.pattern)
            yield prefix + str(p.pattern), name


def resolver_routes() -> list[tuple[str, str]]:
    return list(_patterns(get_resolver().url_patterns))


def test_every_route_is_classified():
    """A route added to the project must be added to the matrix (ROUTES), or to the admin's matrix."""
    missing = [
        f"{route} ({name})"
        for route, name in resolver_routes()
        if not route.startswith("admin/") and name not in ROUTES
    ]
    assert not missing, f"routes the jurisdiction matrix does not exercise: {missing}"
    stale = set(ROUTES) - {name for _, name in resolver_routes()}
    assert not stale, f"entries of ROUTES for routes that no longer exist: {stale}"


# --- Expectations --------------------------------------------------------------------------------
def may(role: str, cap: str | None) -> bool:
    return cap is None or role in CAPABILITIES[cap]


def hidden_markers(world, role: str) -> set[str]:
    """What `role`'s user must never see: everything of the other province; a social worker also
    the children, placements and visits in their own province that are not theirs."""
    if role == Role.NATIONAL_ADMIN:
        return set()
    hidden = set(world.other.markers())
    if role == Role.SOCIAL_WORKER:
        hidden |= world.own.worker_hidden()
    return hidden


def shown_markers(world, side_name: str, shows: str, role: str) -> set[str]:
    """Markers of `side_name` that a list showing `shows` must contain for `role` (any one of them)."""
    s = world.side(side_name)
    worker = role == Role.SOCIAL_WORKER
    return {
        "carers": {s.carer.reference},
        "institutions": {str(s.institution.pk), s.institution.name},
        "children": {s.placed_child.reference, str(s.placed_child.pk)}
        if worker
        else {s.waiting_child.reference, str(s.waiting_child.pk)},
        "sibling_groups": {str(s.sibling_group.pk)},
        "placements": {str(s.placement.pk), s.carer.reference},
        "visits": {str(s.visit.pk), s.carer.reference, str(s.placement.pk)},
        "queue": {str(s.visit.pk), s.carer.reference, str(s.placement.pk)},
        "my_visits": {str(s.visit.pk), s.carer.reference} if worker else set(),  # the visits they follow
        "match_runs": {str(s.match_run.pk), s.waiting_child.reference},
        "batch_plans": {str(s.batch_plan.pk), s.institution.name},
        "figures": set(),  # figures only, naming no record of either province
        "duplicates": {str(s.duplicate_pair.pk)},
    }[shows]


def _assert_no_markers(text: str, hidden: set[str], where: str, req: Req | None = None):
    """No marker in the response, except what the caller sent (an error naming the id it was given
    tells nothing: the same id that no record has gets the same answer, checked beside)."""
    sent = json.dumps({"p": req.path, "d": req.data}) if req else ""
    leaked = sorted(x for x in hidden if x in text and x not in sent)
    assert not leaked, f"{where}: another province's records in the response: {leaked}"


def _case_ids():
    out = []
    for name in CASES:
        for role in ROLES:
            for s in SIDES:
                out.append(pytest.param(name, role, s, id=f"{name}-{role}-{s}"))
    return out


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role", "side_name"), _case_ids())
def test_matrix(world, name, role, side_name):
    route = CASES[name]
    requests = route.build(world, side_name, role)
    hidden = hidden_markers(world, role)
    allowed = may(role, route.cap)
    national = role == Role.NATIONAL_ADMIN
    if national and not route.national_sees_other:  # an inbox is its owner's, whoever asks
        hidden = {str(n.pk) for n in world.other.notifications.values()}
    for req in requests:
        where = f"{req.method} {req.path} {req.data or ''} as {role}"
        if route.kind in ("detail", "action", "create") and side_name == "other":
            _check_other_record(world, route, role, req, allowed, national, hidden, where)
            continue
        response = _send(world, role, req)
        assert response.status_code < 500, where
        text = _body(response, req)
        _assert_no_markers(text, hidden, where, req)
        if route.kind == "public":
            continue
        if not allowed:
            assert response.status_code in (403, 405) or (route.kind == "form" and response.status_code == 404), where
            continue
        if role == Role.SOCIAL_WORKER and not route.worker_sees_own:
            # Not one of the social worker's placements: hidden as another province's record is.
            assert response.status_code == 404 or route.kind == "list", where
            _assert_no_markers(
                text, world.own.markers() - {world.own.word}, where, req
            ) if route.kind == "list" else None
            continue
        assert response.status_code not in (403, 404), f"{where}: {response.status_code} {text[:300]}"
        if route.kind == "list" and req.method == "GET":
            _check_list(world, route, role, side_name, req, response, text, where)
        if route.kind == "dashboard":
            _check_dashboard(world, role, response, where)
        if route.kind == "inbox" and side_name == "own":
            assert str(world.own.notifications[role].pk) in text, f"{where}: the user's own notification is missing"


def _check_list(world, route, role, side_name, req, response, text, where):
    """The own province's records are listed (a search for a piece of the own word finds them);
    a national administrator finds the other province's too."""
    if side_name == "own" or national_sees(route, role):
        wanted = shown_markers(world, side_name, route.shows, role)
        assert not wanted or any(x in text for x in wanted), f"{where}: none of {wanted} in the response"
    content_type = response.get("Content-Type", "")
    if req.api and content_type.startswith("application/json"):
        body = response.json()
        if isinstance(body, dict) and "count" in body and not req.data and "counts" not in body:
            expected = expected_count(world, route.shows, role)
            if expected is not None:
                assert body["count"] == expected, f"{where}: count {body['count']} != {expected}"
        if isinstance(body, dict) and "counts" in body:
            assert body["counts"]["overdue"] == expected_overdue(world, role), f"{where}: {body['counts']}"
            assert body["count"] == expected_queue(world, role), f"{where}: count {body['count']}"


def national_sees(route, role) -> bool:
    return role == Role.NATIONAL_ADMIN and route.national_sees_other


def _visible_q(world, role, model_field_province, sw_field):
    from django.db.models import Q

    if role == Role.NATIONAL_ADMIN:
        return Q()
    q = Q(**{model_field_province: world.own.code})
    if role == Role.SOCIAL_WORKER:
        q &= Q(**{sw_field: world.own.users[role]})
    return q


def expected_count(world, shows, role):
    w = world
    if shows == "carers":
        return m.Carer.objects.filter(
            _visible_q(w, Role.REGISTRAR if role != Role.NATIONAL_ADMIN else role, "province_id", "")
        ).count()
    if shows == "children":
        q = _visible_q(w, role, "province_id", "memberships__placement__social_worker")
        return m.Child.objects.filter(q).distinct().count()
    if shows == "placements":
        return m.Placement.objects.filter(_visible_q(w, role, "province_id", "social_worker")).count()
    if shows == "visits":
        return m.Visit.objects.filter(_visible_q(w, role, "placement__province_id", "placement__social_worker")).count()
    if shows == "institutions":
        return m.Institution.objects.filter(
            _visible_q(w, Role.REGISTRAR if role != Role.NATIONAL_ADMIN else role, "province_id", "")
        ).count()
    return None


def expected_queue(world, role):
    """Open visits due within the week (the world has no urgent outcome)."""
    import datetime

    week = timezone.localdate() + datetime.timedelta(days=7)
    q = _visible_q(world, role, "placement__province_id", "placement__social_worker")
    return m.Visit.objects.filter(q, state="open", due_date__lte=week).count()


def expected_overdue(world, role):
    q = _visible_q(world, role, "placement__province_id", "placement__social_worker")
    return m.Visit.objects.filter(q, state="open", due_date__lt=timezone.localdate()).count()


def _check_dashboard(world, role, response, where):
    """The home: the reform page for whoever may read the indicators (checked as its own route),
    else "Today" of the user's provinces only."""
    from web.access import user_can

    if user_can(world.own.users[role], "indicators.read"):
        assert response.status_code == 302 and response["Location"] == "/reform/", where
        return
    rows = response.context["today"]["provinces"]
    codes = [p.code for p in rows]
    if role == Role.NATIONAL_ADMIN:
        assert {world.own.code, world.other.code} <= set(codes), where
        return
    assert codes == [world.own.code], f"{where}: provinces {codes}"
    row = rows[0]
    assert row.carers_total == m.Carer.objects.filter(province_id=world.own.code).count(), where
    q = _visible_q(world, role, "province_id", "social_worker")
    assert row.active_placements == m.Placement.objects.filter(q, status="active").count(), where
    assert row.visits_overdue == expected_overdue(world, role), where


def _check_other_record(world, route, role, req, allowed, national, hidden, where):
    """A request naming the other province's records answers exactly as one naming records that do
    not exist, and writes nothing."""
    other_ids = world.other.ids()
    client = _client(world, role, req)
    before = _state(world.other)
    response = _do(client, req)
    after = _state(world.other)
    assert response.status_code < 500, where
    text = _body(response, req)
    if national:
        assert response.status_code != 404 or not route.national_sees_other, f"{where}: national admin got 404"
        if route.national_sees_other:
            return
    else:
        _assert_no_markers(text, hidden, where, req)
    if route.kind != "create" and req.method not in ("GET",):
        pass
    assert before == after or (national and route.national_sees_other), f"{where}: something was written"
    ghost = _swap(req, {i for i in other_ids if i in json.dumps({"p": req.path, "d": req.data})})
    ghost_response = _send(world, role, ghost)
    ghost_text = _body(ghost_response, ghost)
    assert response.status_code == ghost_response.status_code, (
        f"{where}: {response.status_code} for another province's record, {ghost_response.status_code} for none"
        f"\n{text[:400]}\n---\n{ghost_text[:400]}"
    )
    if not allowed:
        assert response.status_code in (403, 405), where
        return
    if route.kind in ("detail", "action") and any(i in req.path for i in other_ids):
        assert response.status_code == 404, f"{where}: {response.status_code}"
    if req.api and response.get("Content-Type", "").startswith("application/json"):
        assert _strip_ids(response.json()) == _strip_ids(ghost_response.json()), where
    else:
        if _strip_ids(text) != _strip_ids(ghost_text):
            import difflib

            diff = "\n".join(
                difflib.unified_diff(
                    _strip_ids(ghost_text).splitlines(), _strip_ids(text).splitlines(), lineterm="", n=1
                )
            )
            raise AssertionError(f"{where}: the page differs from a missing record's:\n{diff[:1500]}")


def _strip_ids(body):
    text = body if isinstance(body, str) else json.dumps(body, sort_keys=True)
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", text)


# --- Records of the own province that name the other province's -------------------------------------
# A national administrator's match run for an own child ranks every province's families, and their
# plan may take children of both provinces; both are filed under the own province. Whoever reads them
# there sees only what is theirs to see, and cannot place through them outside their provinces.
def _other_ranked(w) -> str:
    """A family of the other province that the national administrator's run ranked."""
    other = w.other.ids()
    return next(c["carer"] for c in w.admin_run.candidates if c["carer"] in other)


def _other_proposal(w) -> int:
    other = w.other.ids()
    return next(i for i, p in enumerate(w.admin_plan.proposals) if p["carer"] in other)


CROSS: dict[str, Route] = {
    "match-detail": Route("list", "matches.run", lambda w, s, r: [Req("GET", _api(f"matches/{w.admin_run.pk}/"))]),
    "match-explain": Route(
        "list",
        "matches.run",
        lambda w, s, r: [Req("GET", _api(f"matches/{w.admin_run.pk}/explain/"), {"carer": str(w.other.carer.pk)})],
    ),
    "batch-detail": Route(
        "list", "matches.run", lambda w, s, r: [Req("GET", _api(f"batch-matches/{w.admin_plan.pk}/"))]
    ),
    "match-outreach": Route(
        "action",
        "matches.run",
        lambda w, s, r: [
            Req(
                "POST", _api(f"matches/{w.admin_run.pk}/outreach/"), {"carer": _other_ranked(w), "outcome": "contacted"}
            )
        ],
    ),
    "web:match_outreach": Route(
        "action",
        "matches.run",
        lambda w, s, r: [
            Req(
                "POST",
                f"/match/{w.admin_run.pk}/outreach/",
                {"carer": _other_ranked(w), "outcome": "declined"},
                api=False,
            )
        ],
    ),
    "batch-confirm": Route(
        "action",
        "placements.write",
        lambda w, s, r: [
            Req(
                "POST",
                _api(f"batch-matches/{w.admin_plan.pk}/confirm/"),
                {"proposal": _other_proposal(w), "start_date": today_iso()},
            )
        ],
    ),
    "web:match_run": Route("list", "matches.run", lambda w, s, r: [Req("GET", f"/match/{w.admin_run.pk}/", api=False)]),
    "web:match_compare": Route(
        "list",
        "matches.run",
        lambda w, s, r: [
            Req(
                "GET",
                f"/match/{w.admin_run.pk}/compare/",
                {"carer": [str(w.own.carer.pk), str(w.other.carer.pk)]},
                api=False,
            )
        ],
    ),
    "web:match_place": Route(
        "action",
        "placements.write",
        lambda w, s, r: [
            Req(
                "POST",
                f"/match/{w.admin_run.pk}/place/{w.other.carers[1].pk}/",
                {"children": [str(w.own.waiting_child.pk)], "start_date": today_iso(), "care_type": "long_term"},
                api=False,
            )
        ],
    ),
    "web:batch_plan_detail": Route(
        "list", "matches.run", lambda w, s, r: [Req("GET", f"/batch-plans/{w.admin_plan.pk}/", api=False)]
    ),
    "web:batch_plan_confirm": Route(
        "action",
        "placements.write",
        lambda w, s, r: [
            Req(
                "POST",
                f"/batch-plans/{w.admin_plan.pk}/proposals/{_other_proposal(w)}/confirm/",
                {f"p{_other_proposal(w)}-start_date": today_iso()},
                api=False,
            )
        ],
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(CROSS))
def test_records_naming_another_province(world, name, role):
    route = CROSS[name]
    national = role == Role.NATIONAL_ADMIN
    for req in route.build(world, "own", role):
        where = f"{req.method} {req.path} {req.data or ''} as {role}"
        client = _client(world, role, req)
        before = _state(world.other)
        response = _do(client, req)
        assert response.status_code < 500, where
        text = _body(response, req)
        if not may(role, route.cap):
            assert response.status_code == 403, where
            continue
        if national:
            if route.kind == "list" and name != "match-explain":
                assert any(i in text for i in world.other.ids()), (
                    f"{where}: the other province's families are not shown"
                )
            continue
        _assert_no_markers(text, hidden_markers(world, role), where, req)
        if route.kind == "action":
            assert _state(world.other) == before, f"{where}: something was written in the other province"
            # The API refuses; a page shows the plan or the run again with the refusal in it.
            allowed_statuses = (400, 404, 409) if req.api else (200, 400, 404, 409)
            assert response.status_code in allowed_statuses, f"{where}: {response.status_code} {text[:300]}"
        else:
            assert response.status_code in (200, 404), f"{where}: {response.status_code}"


# --- The admin ---------------------------------------------------------------------------------------
# Every staff account may log in to the admin (create_staff_user sets is_staff: what each sees there
# follows its role). Each registered model's changelist, and the change and history pages of the other
# province's records, are exercised for every role.
def _admin_models():
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


def _other_pk(world, model):
    """A record of the other province in this table, if the world has one."""
    other = world.other
    if model._meta.pk.get_internal_type() == "UUIDField":
        return model.objects.filter(pk__in=other.extra).values_list("pk", flat=True).first()
    by_model = {
        m.User: lambda: other.users[Role.SUPERVISOR].pk,
        m.CarerStatusChange: lambda: m.CarerStatusChange.objects.filter(carer__in=other.carers).first().pk,
    }
    return by_model[model]() if model in by_model else None


@pytest.mark.django_db
@pytest.mark.parametrize("side_name", SIDES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", _admin_models(), ids=lambda model: model._meta.label_lower)
def test_admin(world, model, role, side_name):
    meta = model._meta
    base = f"/admin/{meta.app_label}/{meta.model_name}/"
    client = Client()
    client.force_login(world.own.users[role])
    hidden = hidden_markers(world, role)
    if side_name == "own":
        req = Req("GET", base, api=False)
        response = client.get(base)
        assert response.status_code in (200, 403), f"{base} as {role}: {response.status_code}"
        text = _body(response, req)
        _assert_no_markers(text, hidden, f"{base} as {role}", req)
        if response.status_code == 200 and role != Role.SOCIAL_WORKER and meta.pk.get_internal_type() == "UUIDField":
            # The own province's records are listed (a national administrator's: both provinces').
            for side in (world.own, world.other) if role == Role.NATIONAL_ADMIN else (world.own,):
                pks = {str(pk) for pk in model.objects.filter(pk__in=side.extra).values_list("pk", flat=True)}
                assert not pks or pks & set(re.findall(r"([0-9a-f-]{36})/change/", text)), f"{base} as {role}"
        return
    # The changelist searched for a piece of the other province's word, then the other province's
    # record of this table (if it has one) opened.
    req = Req("GET", base, {"q": SEARCH["other"]}, api=False)
    response = client.get(base, req.data)
    assert response.status_code in (200, 403), f"{base} as {role}: {response.status_code}"
    _assert_no_markers(_body(response, req), hidden, f"{base}?q= as {role}", req)
    pk = _other_pk(world, model)
    for suffix in ("change/", "history/") if pk is not None else ():
        req = Req("GET", f"{base}{pk}/{suffix}", api=False)
        before = _state(world.other)
        response = client.get(req.path)
        text = _body(response, req)
        where = f"{req.path} as {role}"
        if role == Role.NATIONAL_ADMIN:
            assert response.status_code == 200, where
            continue
        assert _state(world.other) == before, f"{where}: something was written"
        _assert_no_markers(text, hidden, where, req)
        ghost = _swap(req, {str(pk)})
        ghost_response = client.get(ghost.path)
        assert response.status_code == ghost_response.status_code, (
            f"{where}: {response.status_code} vs {ghost_response.status_code}"
        )


@pytest.mark.django_db
def test_links_to_another_province_are_hidden_from_the_own_province_and_kept(world):
    """The own waiting child's aunt lives in the other province, a family there is excluded for the
    child, and a sibling lives there: an officer of the own province sees none of them, and replacing
    the lists they see does not drop them."""
    own, other = world.own, world.other
    officer = _client(world, Role.PLACEMENT_OFFICER, Req("GET", "/"))
    child_url = _api(f"children/{own.waiting_child.pk}/")
    shown = officer.get(child_url).json()
    assert [k["carer"] for k in shown["kin"]] == [str(own.carer.pk)]
    assert [e["carer"] for e in shown["excluded_carers"]] == [str(own.carers[2].pk)]
    body = {"kin": [{"carer": str(own.carers[1].pk), "relationship": "aunt_uncle"}], "excluded_carers": []}
    response = officer.patch(child_url, body, format="json")
    assert response.status_code == 200, response.content
    assert [k["carer"] for k in response.json()["kin"]] == [str(own.carers[1].pk)]
    links = m.KinLink.objects.filter(child=own.waiting_child)
    assert set(links.values_list("carer_id", flat=True)) == {own.carers[1].pk, other.carers[1].pk}
    exclusions = m.CarerExclusion.objects.filter(child=own.waiting_child)
    assert set(exclusions.values_list("carer_id", flat=True)) == {other.carers[2].pk}

    group = m.Child.objects.get(pk=own.waiting_child.pk).sibling_group_id
    assert officer.get(_api(f"sibling-groups/{group}/")).json()["children"] == [str(own.waiting_child.pk)]
    response = officer.patch(_api(f"sibling-groups/{group}/"), {"keep_together": True}, format="json")
    assert response.status_code == 200 and response.json()["children"] == [str(own.waiting_child.pk)]
    assert m.Child.objects.get(pk=other.waiting_child.pk).sibling_group_id == group

    national = _client(world, Role.NATIONAL_ADMIN, Req("GET", "/"))
    assert {k["carer"] for k in national.get(child_url).json()["kin"]} == {
        str(own.carers[1].pk),
        str(other.carers[1].pk),
    }


# The admin's own pages (not a model's changelist, add, change, delete or history page).
def _ct(model) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


ADMIN_EXTRA: dict[str, object] = {
    "admin:index": lambda w: [Req("GET", "/admin/", api=False)],
    "admin:login": lambda w: [Req("GET", "/admin/login/", api=False)],
    "admin:logout": lambda w: [Req("POST", "/admin/logout/", api=False)],
    "admin:password_change": lambda w: [Req("GET", "/admin/password_change/", api=False)],
    "admin:password_change_done": lambda w: [Req("GET", "/admin/password_change/done/", api=False)],
    "admin:jsi18n": lambda w: [Req("GET", "/admin/jsi18n/", api=False)],
    "admin:autocomplete": lambda w: [
        Req(
            "GET",
            "/admin/autocomplete/",
            {"app_label": "register", "model_name": "child", "field_name": "institution", "term": SEARCH["other"]},
            api=False,
        )
    ],
    "admin:view_on_site": lambda w: [
        Req("GET", f"/admin/r/{_ct(m.Child)}/{w.other.placed_child.pk}/", api=False),
        Req("GET", f"/admin/r/{_ct(m.Carer)}/{w.other.carer.pk}/", api=False),
    ],
    "admin:app_list": lambda w: [Req("GET", "/admin/register/", api=False), Req("GET", "/admin/matching/", api=False)],
    "admin:register_carer_import": lambda w: [Req("GET", "/admin/register/carer/import/", api=False)],
    "admin:register_carer_import_template": lambda w: [
        Req("GET", "/admin/register/carer/import/template.csv", api=False)
    ],
    "admin:auth_user_password_change": lambda w: [
        Req("GET", f"/admin/register/user/{w.other.users[Role.SUPERVISOR].pk}/password/", api=False)
    ],
    "admin:otp_totp_totpdevice_config": lambda w: [Req("GET", "/admin/otp_totp/totpdevice/1/config/", api=False)],
    "admin:otp_totp_totpdevice_qrcode": lambda w: [Req("GET", "/admin/otp_totp/totpdevice/1/qrcode/", api=False)],
    "admin/(?P<url>.*)$": lambda w: [Req("GET", "/admin/no/such/page/", api=False)],
}
_MODEL_PAGE = re.compile(r"^admin:(?P<app>[a-z_]+?)_(?P<model>[a-z]+)_(changelist|add|change|delete|history)$")


def _admin_route_is_a_model_page(route: str, name: str) -> bool:
    labels = {(model._meta.app_label, model._meta.model_name) for model in admin.site._registry}
    match = _MODEL_PAGE.match(name)
    if match and (match["app"], match["model"]) in labels:
        return True
    parts = route.split("/")  # admin/<app>/<model>/<path:object_id>/: a redirect to the change page
    return len(parts) == 5 and (parts[1], parts[2]) in labels and parts[3] == "<path:object_id>"


def test_every_admin_route_is_classified():
    """An admin page that is not a registered model's own page must be added to ADMIN_EXTRA."""
    missing = [
        f"{route} ({name})"
        for route, name in resolver_routes()
        if route.startswith("admin/") and name not in ADMIN_EXTRA and not _admin_route_is_a_model_page(route, name)
    ]
    assert not missing, f"admin pages the jurisdiction matrix does not exercise: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(ADMIN_EXTRA))
def test_admin_pages(world, name, role):
    for req in ADMIN_EXTRA[name](world):
        client = _client(world, role, req)
        before = _state(world.other)
        response = _do(client, req)
        where = f"{req.method} {req.path} as {role}"
        assert response.status_code < 500, where
        if role == Role.NATIONAL_ADMIN:
            continue
        if name != "admin:logout":  # logging out is audited: the caller's own act
            assert _state(world.other) == before, f"{where}: something was written"
        _assert_no_markers(_body(response, req), hidden_markers(world, role), where, req)
        if any(i in req.path for i in world.other.ids()):
            ghost = _swap(req, world.other.ids())
            assert response.status_code == _do(_client(world, role, ghost), ghost).status_code, where


# --- Admin writes ------------------------------------------------------------------------------------
# Every registered admin page, written to by a provincial user who was given every Django model
# permission (so that only the register's own rules stand in the way): its add form and the change
# form of an own-province record (with a new row in each inline that names a record), each naming the
# other province's places and records; the other province's record changed, deleted and bulk-deleted.
# Nothing may be written anywhere, and the answer is a form error, 403 or 404 (or a redirect away
# from a record that is not there), never a 500.
WRITERS = [Role.SUPERVISOR, Role.REGISTRAR, Role.PLACEMENT_OFFICER, Role.SOCIAL_WORKER]


def _other_values(world) -> dict:
    """For a form field choosing a row of this model: the other province's row to name."""
    other = world.other
    commune = other.carer.commune
    village = m.Village.objects.filter(commune=commune).first()
    return {
        m.Province: other.code,
        m.District: commune.district_id,
        m.Commune: commune.code,
        m.Village: village.code,
        m.Carer: str(other.carers[1].pk),
        m.Child: str(other.waiting_child.pk),
        m.Institution: str(other.institution.pk),
        m.SiblingGroup: str(other.sibling_group.pk),
        m.Placement: str(other.placement.pk),
        m.User: str(other.users[Role.SOCIAL_WORKER].pk),
    }


def _own_pk(world, model):
    """A record of this table to open as the own province's (national data: its first row)."""
    if model._meta.pk.get_internal_type() == "UUIDField":
        return model.objects.filter(pk__in=world.own.extra).values_list("pk", flat=True).first()
    if model is m.User:
        return world.own.users[Role.SUPERVISOR].pk
    if model is m.CarerStatusChange:
        return m.CarerStatusChange.objects.filter(carer__in=world.own.carers).first().pk
    return model.objects.order_by("pk").values_list("pk", flat=True).first()


def _placeholder(bound):
    """A plausible value for a field of a new row (so that only the named record can be refused)."""
    field = bound.field
    choices = [value for value, _label in getattr(field, "choices", []) if value not in ("", None)]
    if choices and not isinstance(field, ModelChoiceField):
        return str(choices[0])
    if isinstance(field, forms.DateField):
        return timezone.localdate().isoformat()
    if isinstance(field, forms.IntegerField):
        return "1"
    if isinstance(field, forms.BooleanField):
        return None
    if isinstance(field, forms.JSONField):
        return "[]"
    return "x"


def _put(data: dict, name: str, value) -> None:
    if value is None or value is False:
        data.pop(name, None)
    elif value is True:
        data[name] = "on"
    elif isinstance(value, list | tuple):
        data[name] = [str(v) for v in value]
    else:
        data[name] = str(value)


def _rendered_value(bound):
    value = bound.value()
    if isinstance(bound.field, forms.JSONField) and not isinstance(value, str):
        return json.dumps(value)
    if isinstance(bound.field, forms.SplitDateTimeField):
        return None
    return value


def _swapped(bound, others):
    """The other province's row for a field choosing a place or a record; None for other fields."""
    field = bound.field
    if not isinstance(field, ModelChoiceField):
        return None
    value = others.get(field.queryset.model)
    if value is None:
        return None
    return [value] if isinstance(field, ModelMultipleChoiceField) else value


def _write_body(page, others) -> tuple[dict, bool]:
    """The POST body of a rendered add or change page, with every place and record field naming the
    other province's, and a new row in each inline that chooses a record. Also whether anything
    was swapped (else the body resubmits the page unchanged)."""
    data, swapped = {}, False
    for bound in page.context["adminform"].form:
        other = _swapped(bound, others)
        swapped |= other is not None
        _put(data, bound.html_name, other if other is not None else _rendered_value(bound))
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for form in formset.forms:
            for bound in form:
                _put(data, bound.html_name, _rendered_value(bound))
        for bound in formset.management_form:
            _put(data, bound.html_name, bound.value())
        empty = formset.empty_form
        if not any(_swapped(bound, others) is not None for bound in empty):
            continue
        row = formset.total_form_count()
        for bound in empty:
            if bound.name in ("id", "DELETE") or bound.field.disabled or bound.field.widget.is_hidden:
                continue
            other = _swapped(bound, others)
            _put(
                data,
                bound.html_name.replace("__prefix__", str(row)),
                other if other is not None else _placeholder(bound),
            )
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(row + 1)
        swapped = True
    return data, swapped


def _everything() -> list:
    """Every row an admin page could write: each registered model's (a count for the big tables), the
    accounts' roles and provinces, and the audit trail's writes."""
    rows = []
    for model in sorted(admin.site._registry, key=lambda model: model._meta.label):
        queryset = model.objects.all()
        if model is m.AuditEntry:
            queryset = queryset.exclude(action="read")
        count = queryset.count()
        if count > 300:
            rows.append((model._meta.label, count))
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in ("updated_at", "last_login")]
        rows.append((model._meta.label, sorted(map(repr, queryset.values_list(*fields)))))
    for through in (m.User.provinces.through, m.User.groups.through, m.User.user_permissions.through):
        rows.append(sorted(map(repr, through.objects.values_list())))
    for model in WATCHED:
        if model is not m.AuditEntry:  # its writes are above; reads of the own records may happen
            rows.append((model.__name__, model.objects.count()))
    return rows


def _difference(before: list, after: list) -> list:
    out = []
    for old, new in zip(before, after, strict=True):
        if old != new and isinstance(old, tuple) and isinstance(old[1], list):
            out.append((old[0], sorted(set(old[1]) - set(new[1])), sorted(set(new[1]) - set(old[1]))))
        elif old != new:
            out.append((old, new))
    return out


def _refused(response, where: str, *, form: bool) -> None:
    assert response.status_code < 500, where
    assert response.status_code in (200, 302, 403, 404), f"{where}: {response.status_code}"
    if response.status_code == 200 and form:  # (a list offering no such action just shows again)
        text = response.content.decode()
        assert "errornote" in text or 'class="errorlist' in text, f"{where}: 200 without an error shown"


@pytest.mark.django_db
@pytest.mark.parametrize("role", WRITERS)
@pytest.mark.parametrize("model", _admin_models(), ids=lambda model: model._meta.label_lower)
def test_admin_writes(world, model, role):
    from django.contrib.auth.models import Permission

    meta = model._meta
    base = f"/admin/{meta.app_label}/{meta.model_name}/"
    user = world.own.users[role]
    user.user_permissions.set(Permission.objects.all())
    national = Client()
    national.force_login(world.admin)
    client = Client()
    client.force_login(user)
    others = _other_values(world)
    hidden = hidden_markers(world, role)

    own_pk = _own_pk(world, model)
    bodies = []
    add_page = national.get(f"{base}add/")
    if add_page.status_code == 200:
        bodies.append((f"{base}add/", _write_body(add_page, others)[0]))
    change_page = national.get(f"{base}{own_pk}/change/") if own_pk is not None else None
    if change_page is not None and change_page.status_code == 200 and "adminform" in change_page.context:
        body, _swapped_any = _write_body(change_page, others)
        bodies.append((f"{base}{own_pk}/change/", body))
        if add_page.status_code == 200:
            # The add form filled with an own record's values (so that only the places can be refused).
            filled = {k: v for k, v in body.items() if "-" not in k}
            filled.update({k: v for k, v in _write_body(add_page, others)[0].items() if "-" in k})
            bodies.append((f"{base}add/", filled))
    other_pk = _other_pk(world, model)
    if other_pk is not None and bodies:
        bodies.append((f"{base}{other_pk}/change/", bodies[-1][1]))
    if other_pk is not None:
        bodies.append((f"{base}{other_pk}/delete/", {"post": "yes"}))
        bodies.append((base, {"action": "delete_selected", "_selected_action": [str(other_pk)], "post": "yes"}))
    if not bodies:  # nothing the national administrator could open: still, an add must be refused
        bodies.append((f"{base}add/", {}))

    for path, body in bodies:
        where = f"POST {path} as {role} with every permission"
        before = _everything()
        response = client.post(path, body)
        _refused(response, where, form=path != base)
        after = _everything()
        assert after == before, f"{where}: something was written: {_difference(before, after)}"
        _assert_no_markers(_body(response, Req("POST", path, body, api=False)), hidden, where, Req("POST", path, body))
        if other_pk is not None and str(other_pk) in path:
            ghost = client.post(path.replace(str(other_pk), nowhere()), body)
            assert response.status_code == ghost.status_code, f"{where}: {response.status_code} vs {ghost.status_code}"
