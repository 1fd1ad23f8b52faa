"""Ranking one child against 1,000 / 10,000 / 100,000 families: the core alone, the API end to end
(in-process HTTP stack: middleware, token authentication, serialisers, database), and a
straightforward per-family ORM loop doing the same filtering and scoring, measured in the same run."""

import math
import statistics
import time

from django.contrib.auth.models import Group
from django.db.models import Count
from django.test import Client
from knox.models import AuthToken

from bench.setup import table
from matching import adapter
from matching.core import rank
from matching.models import MatchingPolicy
from register.models import Carer, CarerExclusion, Child, KinLink, PlacementChild, User
from register.roles import Role
from register.rules.ages import age_on
from register.scoping import scope_to_user

SIZES = [1_000, 10_000, 100_000]


def province_sets(targets: list[int]) -> dict[int, list[str]]:
    """For each target, provinces whose families add up to about that many (the whole country for
    the largest)."""
    counts = dict(Carer.objects.order_by().values_list("province_id").annotate(n=Count("id")))
    total = sum(counts.values())
    chosen = {}
    for target in targets:
        if target >= total:
            chosen[target] = sorted(counts)
            continue
        picked, running = [], 0
        for code, n in sorted(counts.items(), key=lambda kv: kv[1]):
            if running + n <= target * 1.15:
                picked.append(code)
                running += n
        chosen[target] = sorted(picked)
    return chosen


def bench_user(name: str, provinces: list[str], national: bool = False) -> User:
    user, _ = User.objects.get_or_create(username=name)
    role = Role.NATIONAL_ADMIN if national else Role.PLACEMENT_OFFICER
    user.groups.set([Group.objects.get(name=role)])
    user.provinces.set([] if national else provinces)
    for attr in ("role", "province_codes"):
        user.__dict__.pop(attr, None)
    return user


def placeable_children(user, n: int) -> list[Child]:
    return list(
        scope_to_user(Child.objects.filter(status__in=adapter.PLACEABLE), user)
        .select_related("sibling_group")
        .order_by("reference")[:n]
    )


def orm_loop_rank(child: Child, user) -> list:
    """The obvious way: visit every family, ask the database about each one."""
    today = adapter.timezone.localdate()
    age = age_on(child.date_of_birth, today)
    home = adapter.commune_points()[child.home_commune_id]
    results = []
    for carer in scope_to_user(Carer.objects.all(), user):
        if carer.status != Carer.Status.APPROVED or carer.review_due is None or carer.review_due < today:
            continue
        active = PlacementChild.objects.filter(placement__carer=carer, active=True).count()
        if carer.max_children - active < 1 or not (carer.age_min <= age <= carer.age_max):
            continue
        if child.sex not in carer.sexes_accepted or any(n not in carer.needs_supported for n in child.needs):
            continue
        kin = KinLink.objects.filter(child=child, carer=carer).exists()
        if child.care_type_needed not in carer.care_types and not (kin and child.care_type_needed == "kinship"):
            continue
        if (
            carer.concerns.filter(status="open").exists()
            or CarerExclusion.objects.filter(child=child, carer=carer).exists()
        ):
            continue
        lat, lon = (carer.lat, carer.lon) if carer.lat is not None else (carer.commune.lat, carer.commune.lon)
        lat, lon = (lat, lon) if lat is not None else home
        d = (
            6371
            * 2
            * math.asin(
                math.sqrt(
                    math.sin(math.radians(lat - home[0]) / 2) ** 2
                    + math.cos(math.radians(home[0]))
                    * math.cos(math.radians(lat))
                    * math.sin(math.radians(lon - home[1]) / 2) ** 2
                )
            )
        )
        trained = {m for t in carer.trainings.select_related("module") for m in t.module.supports_needs}
        score = (
            4 * kin
            + 3 * math.exp(-d / 40)
            + 1.5 * (child.languages[0] in carer.languages)
            + (carer.religion == child.religion)
            + (carer.ethnicity == child.ethnicity)
            + 1.5 * (all(n in trained for n in child.needs))
        ) / 12
        results.append((-score, d, str(carer.pk)))
    results.sort()
    return results


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = math.floor(k), math.ceil(k)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def run(*, requests: int = 50) -> None:
    sets = province_sets(SIZES)
    policy = MatchingPolicy.current()
    weights = adapter.weights_of(policy)
    rows = []
    for size in SIZES:
        user = bench_user(f"bench-{size}", sets[size], national=size == SIZES[-1])
        adapter.forget_cache()
        started = time.perf_counter()
        carers = adapter.carers_for(user)
        load_s = time.perf_counter() - started
        children = placeable_children(user, requests + 1)
        if not children:
            print(f"no placeable child in the provinces of the {size:,} set; skipped")
            continue
        unit = adapter.unit_for(adapter.siblings_to_match(children[0]))
        core = []
        for _ in range(20):
            t = time.perf_counter()
            rank(unit, carers, weights)
            core.append(time.perf_counter() - t)

        client = Client()
        token = AuthToken.objects.create(user)[1]
        headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
        client.post(
            "/api/v1/matches/", {"child": str(children[0].pk), "limit": 20}, content_type="application/json", **headers
        )  # warm: the families are cached after this
        api = []
        for i in range(requests):
            child = children[(i + 1) % len(children)]
            t = time.perf_counter()
            response = client.post(
                "/api/v1/matches/", {"child": str(child.pk), "limit": 20}, content_type="application/json", **headers
            )
            api.append(time.perf_counter() - t)
            assert response.status_code == 201, response.content[:300]

        t = time.perf_counter()
        orm = orm_loop_rank(children[0], user)
        orm_s = time.perf_counter() - t
        p50, p95 = percentile(api, 0.5) * 1000, percentile(api, 0.95) * 1000
        rows.append(
            [
                f"{len(carers):,}",
                f"{load_s * 1000:.0f}",
                f"{statistics.median(core) * 1000:.1f}",
                f"{p50:.1f}",
                f"{p95:.1f}",
                f"{orm_s * 1000:,.0f}",
                f"{orm_s * 1000 / p95:,.0f}x",
                f"{len(orm):,}",
            ]
        )
    table(
        "Ranking one child (ms). cold load = first request after a change; API over warm requests",
        ["families", "cold load", "core", "API p50", "API p95", "ORM loop", "ORM / API p95", "eligible"],
        rows,
    )
