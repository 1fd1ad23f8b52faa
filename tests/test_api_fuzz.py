"""The API fuzzed against its own OpenAPI schema (schemathesis), once per role.

Every operation of `/api/v1/schema/` is called in-process through the WSGI app, with a real knox
token of each of the five roles, on a small demo register (seed_demo) in the roles' provinces, so that
requests reach real records and not only 404s: path ids are drawn from the records of the register
(or generated, both). Examples, coverage (boundary and invalid values of every parameter) and fuzzing
phases run, positive and negative data, with every check schemathesis has. Each role's run is one
test, each operation a subtest; then each role's stateful workflows (calls linked by the ids they
return) are one more test.

`FUZZ_EXAMPLES` (default 6) sets the examples per operation and generation mode; `FUZZ_SEED` lets a
deeper local run explore (`make fuzz`): without it the run is derandomized, the same cases every time.
"""

import datetime
import os

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test
from knox.models import AuthToken
from rest_framework.test import APIClient

from matching import services as matching
from matching.models import BatchPlan, MatchRun
from notifications.models import Kind, Notification, Reminder
from register import models as m
from register.models import User
from register.roles import Role
from register.services.placements import placement_create
from tests.factories import CarerFactory, ChildFactory, InstitutionFactory, make_user
from tests.register.carers_factories import ConcernFactory, meet_requirements, unapproved_carer
from tests.register.placements_factories import place, siblings

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
STATEFUL_EXAMPLES = int(os.environ.get("FUZZ_STATEFUL_EXAMPLES", "10"))
SEED = os.environ.get("FUZZ_SEED")  # unset: derandomized, the same cases on every run
# The coverage phase (every parameter's boundary and invalid values, deterministic) is most of the
# run's time: by default it runs as the national administrator, who reaches every operation and so
# every validation path; `FUZZ_COVERAGE_ROLES=all` runs it for each role.
_coverage_roles = os.environ.get("FUZZ_COVERAGE_ROLES", Role.NATIONAL_ADMIN)

# The demo accounts of seed_demo: registrar 02; officer 02 and 12; worker 02; supervisor 02 and 12; admin all.
ROLE_USERS = {
    Role.REGISTRAR: "registrar",
    Role.PLACEMENT_OFFICER: "officer",
    Role.SOCIAL_WORKER: "worker",
    Role.SUPERVISOR: "supervisor",
    Role.NATIONAL_ADMIN: "admin",
}
COVERAGE_ROLES = set(ROLE_USERS) if _coverage_roles == "all" else set(_coverage_roles.split(","))

# Operations whose requests name other records of the register (a commune code of the gazetteer, a
# family, a child, an institution, a social worker's username) or follow rules across fields and
# records (an approval's requirements, a closing date after the raising date, a placement that fits
# the family's terms). JSON Schema cannot say "exists in the gazetteer" or "is a family of your
# provinces", so a request valid by the schema may still be refused with a 400 naming the field:
# for these operations only, `positive_data_acceptance` also accepts a 400 (the response must still
# match the documented 400 shape). Every other operation must accept every schema-valid request.
REFERENCING_OPERATIONS = [
    "auth_token_create",  # the username and password must belong to someone
    "batch_matches_create",
    "batch_matches_confirm_create",
    "carers_create",
    "carers_partial_update",
    "carers_checks_create",
    "carers_concerns_create",
    "carers_concerns_partial_update",
    "carers_trainings_create",
    "carers_status_create",
    "carers_review_create",
    "carers_import",  # the file must be a CSV or XLSX whose rows are families
    "children_create",
    "children_partial_update",
    "institutions_create",
    "institutions_update",
    "institutions_partial_update",
    "matches_create",
    "placements_create",
    "placements_end_create",
    "sibling_groups_create",
    "sibling_groups_partial_update",
    "visits_complete_create",
    "visits_acknowledge_create",  # only an urgent outcome, not yet acknowledged, of an active placement
    "duplicates_resolve_create",  # `keep` must be one of the pair's two records, the pair still open
    "matches_outreach_create",  # the family must be one the run ranked and the caller may see
    "matching_policies_preview_create",  # the weights must not all be 0, the components must exist
    "institutions_closure_create",  # one decision per institution, a target date after it
    # A period (`from` before `to`, at most 60 months, from 2000) and a province of the caller's.
    "indicators_retrieve",
    "indicators_export_retrieve",
    "capacity_gaps_retrieve",
    "matching_outcomes_retrieve",
    # The big lists page with `?cursor=`, an opaque token that only the API's own `next` and
    # `previous` links hold: any other string is refused with a 400 naming `cursor`.
    "carers_list",
    "children_list",
    "placements_list",
    "visits_list",
]


# schemathesis' default for the check, plus 400.
REFERENCING_ACCEPTED = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]


def fuzz_config(token: str, *, coverage: bool) -> schemathesis.Config:
    # No NUL characters in generated strings: Django's form fields and DRF's serializer fields refuse
    # them in every string (PostgreSQL text cannot hold one) with a 400 naming the field, which no
    # JSON Schema short of a pattern on every string could promise.
    generation = {"mode": "all", "max-examples": EXAMPLES, "allow-x00": False}
    if SEED is None:
        generation["deterministic"] = True
    return schemathesis.Config.from_dict(
        {
            **({"seed": int(SEED)} if SEED is not None else {}),
            # Every check schemathesis has, with its default expected statuses. Some are on but have
            # nothing to judge here, by their nature:
            # - max_response_time needs a limit, and a time limit on a shared 2-core CI machine would
            #   fail at random: speed is `make bench`'s business;
            # - object_level_authorization compares identities configured as peers, each owning its
            #   records; here who reads what is by province and role, and colleagues rightly read the
            #   same family (tests/security/test_jurisdiction_matrix.py holds every route to it);
            # - missing_required_header: no operation has a required header parameter (the token is
            #   a security scheme, which ignored_auth checks: without it, 401);
            # - use_after_free and ensure_resource_availability need sequences of calls: they run in
            #   the stateful test below.
            "checks": {"enabled": True},
            "generation": generation,
            "phases": {"examples": {"enabled": True}, "coverage": {"enabled": coverage}, "fuzzing": {"enabled": True}},
            "auth": {"openapi": {"knoxApiToken": {"api_key": f"Token {token}"}}},
            "operations": [
                {
                    "include-operation-id": REFERENCING_OPERATIONS,
                    "checks": {"positive_data_acceptance": {"expected-statuses": REFERENCING_ACCEPTED}},
                }
            ],
        }
    )


def register_records() -> dict[str, list]:
    """A small demo register with its accounts (seed_demo), and in Battambang (02), every role's
    province, a scene of every kind of record: families at each stage with checks, trainings and a
    concern, an institution, children waiting (two of them siblings), a placement followed by the
    demo social worker with its visits, a match run, a finished batch plan and a notification for
    each account."""
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", carers=40, children=30, institutions=3, seed=3, stdout=quiet)
    officer = User.objects.get(username="officer")
    families = [meet_requirements(CarerFactory(max_children=3)) for _ in range(3)]
    unapproved_carer(status=m.Carer.Status.ENQUIRY)
    meet_requirements(unapproved_carer())
    ConcernFactory(carer=families[2])
    institution = InstitutionFactory()
    waiting = [ChildFactory(institution=institution, status=m.Child.Status.IN_RESIDENTIAL_CARE) for _ in range(3)]
    siblings(2)  # in an institution of their own, in 02
    placement = placement_create(
        actor=officer,
        carer=families[0],
        children=[ChildFactory(institution=institution)],
        start_date=timezone.localdate() - datetime.timedelta(days=45),
        care_type="long_term",
        social_worker="worker",
    )
    run = matching.match_run_create(actor=officer, child=waiting[0], limit=5)
    plan = matching.batch_plan_create(actor=officer, children=waiting)  # runs at once: tasks are eager here
    visit = placement.visits.order_by("due_date").first()
    now = timezone.now()
    reminder = Reminder.objects.create(
        kind=Kind.VISIT_DUE, visit=visit, province_id="02", due_at=now, next_attempt_at=now
    )
    for username in ROLE_USERS.values():
        Notification.objects.create(
            reminder=reminder, recipient=User.objects.get(username=username), kind=Kind.VISIT_DUE, channel="inbox"
        )

    def ids(queryset, field="id"):
        return [str(v) for v in queryset.order_by(field).values_list(field, flat=True)[:12]]

    concerns = m.SafeguardingConcern.objects.order_by("id")[:12]
    return {
        "carers": ids(m.Carer.objects.filter(province_id="02")) + ids(m.Carer.objects.exclude(province_id="02"))[:2],
        "children": ids(m.Child.objects.filter(province_id="02")) + ids(m.Child.objects.exclude(province_id="02"))[:2],
        "institutions": ids(m.Institution.objects.all()),
        "placements": [str(placement.pk), *ids(m.Placement.objects.exclude(pk=placement.pk))[:4]],
        "visits": ids(placement.visits) + ids(m.Visit.objects.exclude(placement=placement))[:3],
        "sibling-groups": ids(m.SiblingGroup.objects.all()),
        "matches": [str(run.pk), *ids(MatchRun.objects)[:1]],
        "batch-matches": [str(plan.pk), *ids(BatchPlan.objects)[:1]],
        "notifications": ids(Notification.objects),
        "concerns": [{"carer_id": str(c.carer_id), "id": str(c.pk)} for c in concerns],
        "provinces": ["02", "12"],
        "districts": ["0201", "1201"],
        "communes": ["020101", "120101"],
        "villages": ids(m.Village.objects.filter(commune_id="020101"), "code")[:3],
        "training-modules": ["core", "infant_care"],
    }


def real_path_parameters(records):
    """Path parameters: as generated, or those of a real record (drawn by Hypothesis, so both occur)."""

    def choose(context, path_parameters):
        parts = context.operation.path.strip("/").split("/")
        options = []
        if parts[0] == "carers" and "carer_id" in path_parameters:
            # A concern belongs to its family: the pair goes together.
            concern = "id" in path_parameters
            options = records["concerns"] if concern else [{"carer_id": c} for c in records["carers"]]
        elif parts[0] in records:
            key = "code" if "code" in path_parameters else "id"
            if key in path_parameters:
                options = [{key: v} for v in records[parts[0]]]
        if not options:
            return st.just(path_parameters)
        return st.one_of(st.just(path_parameters), st.sampled_from(options).map(lambda o: {**path_parameters, **o}))

    return choose


@pytest.fixture(autouse=True)
def _nodeid_for_schemathesis(request):
    # schemathesis 4.32 renames the test node per operation through `_nodeid`, which pytest 9 no
    # longer has (it derives `nodeid`); give it one so the per-operation subtests can run.
    request.node._nodeid = request.node.nodeid


@pytest.fixture
def in_process_requests():
    """Requests go straight to the WSGI app, inside the test's transaction. Django closes the
    database connection when a request ends, which would end that transaction (PostgreSQL); its own
    test client stops that the same way for the requests it makes."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=list(ROLE_USERS), ids=str)
def role(request):
    return request.param


@pytest.fixture
def api_schema(db, role, in_process_requests):
    records = register_records()
    user = User.objects.get(username=ROLE_USERS[role])
    _, token = AuthToken.objects.create(user)
    config = fuzz_config(token, coverage=role in COVERAGE_ROLES)
    loaded = schemathesis.openapi.from_wsgi("/api/v1/schema/", WSGIHandler(), config=config)
    choose = real_path_parameters(records)

    @loaded.hook
    def flatmap_path_parameters(context, path_parameters):
        return choose(context, path_parameters)

    loaded.user = user
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_api_answers_as_its_schema_says(case, api_schema):
    if case.path.endswith("/auth/logout/"):
        # Logging out revokes the token it is made with: spend a token of its own, keep the role's.
        _, spare = AuthToken.objects.create(api_schema.user)
        case.headers["Authorization"] = f"Token {spare}"
    case.call_and_validate()


def test_api_workflows_answer_as_its_schema_says(api_schema):
    """The stateful phase: sequences of calls joined by the links schemathesis infers from the schema
    (create a family, then read, change and record checks on it...), with the same checks, including
    those that need a sequence: a deleted record must be gone (use_after_free), a created one must be
    there (ensure_resource_availability)."""
    user = api_schema.user

    class Workflows(api_schema.as_state_machine()):
        def before_call(self, case):
            if case.path.endswith("/auth/logout/"):
                _, spare = AuthToken.objects.create(user)
                case.headers["Authorization"] = f"Token {spare}"

    run_state_machine_as_test(
        Workflows,
        settings=settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=10,
            derandomize=SEED is None,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )


# --- Input no generated case holds (issue 13): NUL in a query parameter, JSON nested too deep --------
# Generated strings carry no NUL (allow-x00 above) and generated bodies stay shallow, so each of the
# schema's operations gets these explicitly: a NUL in each of its query parameters, and for each
# operation taking JSON, a body nested 1,000 levels deep (2 KB; a RecursionError, a 500, before).


def schema_operations() -> list[tuple[str, str, dict]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method != "parameters"
    ]


def nul_cases():
    cases = []
    for path, method, operation in schema_operations():
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        # And one the operation does not declare: a NUL is refused before any parameter is read.
        for name in [*names, "undeclared"]:
            cases.append(pytest.param(path, method, name, id=f"{operation['operationId']}-{name}"))
    return cases


def deep_json_cases():
    return [
        pytest.param(path, method, id=operation["operationId"])
        for path, method, operation in schema_operations()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


def real_path(path: str) -> str:
    """The path with ids of records that exist, in province 02, so that the body is read (a record
    that does not exist answers 404 before)."""
    kind = path.removeprefix("/api/v1/").split("/")[0]
    ids: dict[str, str] = {}
    if kind == "carers":
        concern = ConcernFactory()
        ids = {"carer_id": concern.carer_id, "id": concern.pk if "concerns/{id}" in path else concern.carer_id}
    elif kind == "children":
        ids = {"id": ChildFactory().pk}
    elif kind == "institutions":
        ids = {"id": InstitutionFactory().pk}
    elif kind == "sibling-groups":
        ids = {"id": siblings(2)[0].sibling_group_id}
    elif kind in ("placements", "visits"):
        placement = place()
        ids = {"id": placement.pk if kind == "placements" else placement.visits.order_by("due_date").first().pk}
    elif kind == "batch-matches":
        officer = User.objects.get(username="officer")
        waiting = [ChildFactory(status=m.Child.Status.IN_RESIDENTIAL_CARE) for _ in range(2)]
        ids = {"id": matching.batch_plan_create(actor=officer, children=waiting).pk}
    elif kind == "matches":
        officer = User.objects.get(username="officer")
        ids = {"id": matching.match_run_create(actor=officer, child=ChildFactory(), limit=5).pk}
    elif kind == "duplicates":
        a, b = sorted((CarerFactory().pk, CarerFactory().pk), key=str)
        pair = m.DuplicatePair.objects.create(kind="carer", carer_a_id=a, carer_b_id=b, reasons=["same_phone"])
        ids = {"id": pair.pk}
    return path.format(**{key: str(value) for key, value in ids.items()})


@pytest.fixture
def role_clients(db):
    """A logged-in API client per role (seed_demo's accounts, without its records)."""
    clients = {}
    for role, username in ROLE_USERS.items():
        client = APIClient()
        client.force_authenticate(make_user(role, ("02", "12"), username=username))
        clients[role] = client
    return clients


@pytest.mark.parametrize(("path", "method", "name"), nul_cases())
def test_a_nul_in_any_query_parameter_is_a_400(role_clients, path, method, name):
    none = "00000000-0000-0000-0000-000000000000"  # no record needed: the NUL is refused before routing
    url = path.format(id=none, carer_id=none, code="02")
    response = getattr(role_clients[Role.NATIONAL_ADMIN], method)(f"{url}?{name}=a%00b")
    assert response.status_code == 400, response.content
    assert response.json() == {name: ["Null characters are not allowed."]}


@pytest.mark.parametrize(("path", "method"), deep_json_cases())
def test_a_body_nested_1000_deep_is_a_400_on_every_json_operation(role_clients, path, method):
    url = real_path(path)
    body = "[" * 1000 + "]" * 1000
    statuses = []
    # The first role allowed to call it: the others are refused (403) before the body is read.
    for role in (Role.NATIONAL_ADMIN, Role.SUPERVISOR, Role.PLACEMENT_OFFICER, Role.SOCIAL_WORKER, Role.REGISTRAR):
        response = getattr(role_clients[role], method)(url, body, content_type="application/json")
        statuses.append(response.status_code)
        if response.status_code != 403:
            break
    assert response.status_code == 400, (statuses, response.content)
    assert response.json()["code"] == "parse_error"
