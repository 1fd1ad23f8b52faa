"""Monitoring the reform on the bench register: the indicators for 24 months nationally (target
p95 <= 500 ms) and the capacity gaps of the province with the most children waiting (target <= 3 s),
through the in-process HTTP stack (session authentication, middleware, JSON), like the pages."""

import statistics
import time

from django.contrib.auth.models import Group
from django.db.models import Count
from django.test import Client, override_settings
from django.utils import timezone

from bench.setup import table
from matching import adapter
from monitoring.indicators import month_add, month_of, month_text
from register.models import Child, User
from register.roles import Role


def _user(name: str, role: str, provinces: list[str]) -> User:
    user, _ = User.objects.get_or_create(username=name)
    user.groups.set([Group.objects.get(name=role)])
    user.provinces.set(provinces)
    return user


def _timed(client: Client, url: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:300]
    return times


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


@override_settings(MONITORING_CACHE_SECONDS=600)  # as in production (the test settings turn it off)
def run(requests: int = 20) -> None:
    last = month_of(timezone.localdate())
    first = month_add(last, -23)
    national = Client()
    national.force_login(_user("bench-national", Role.NATIONAL_ADMIN, []))
    url = f"/api/v1/indicators/?from={month_text(first)}&to={month_text(last)}"
    cold = _timed(national, url, 1)[0]
    warm = _timed(national, url, requests)
    body = national.get(url).json()

    waiting = Child.objects.filter(status__in=Child.PLACEABLE).order_by().values("province_id").annotate(n=Count("id"))
    largest = max(waiting, key=lambda r: r["n"])
    officer = Client()
    officer.force_login(_user("bench-officer", Role.PLACEMENT_OFFICER, [largest["province_id"]]))
    adapter.forget_cache()
    gaps_cold = _timed(officer, "/api/v1/capacity-gaps/", 1)[0]
    gaps_warm = _timed(officer, "/api/v1/capacity-gaps/", 5)
    gaps = officer.get("/api/v1/capacity-gaps/").json()

    table(
        "Monitoring (ms)",
        ["request", "first", "p50", "p95", "target", "met"],
        [
            ["indicators, 24 months, national", f"{cold:.0f}", f"{statistics.median(warm):.0f}",
             f"{p95(warm):.0f}", "p95 <= 500", "yes" if p95(warm) <= 500 else "NO"],
            [f"capacity gaps, province {largest['province_id']} ({largest['n']:,} waiting)", f"{gaps_cold:.0f}",
             f"{statistics.median(gaps_warm):.0f}", f"{p95(gaps_warm):.0f}", "<= 3000",
             "yes" if max(gaps_cold, p95(gaps_warm)) <= 3000 else "NO"],
        ],
    )  # fmt: skip
    print(
        f"capacity gaps: {gaps['children_waiting']:,} waiting, {gaps['with_an_eligible_family']:,} with an "
        f"eligible family, {gaps['without']:,} without, {len(gaps['gaps'])} profiles"
    )
    rows = []
    for indicator in body["indicators"]:
        national_points = [p for p in indicator["series"] if p["province"] is None][-3:]
        rows.append([indicator["code"], *(str(p["value"]) for p in national_points)])
    table("National indicators, last three months", ["code", *(p["month"] for p in national_points)], rows)
