"""Name search on the bench register (issue 14): `GET /api/v1/carers/?search=` and
`/api/v1/children/?search=` as people type, over every family (target p95 <= 150 ms), for each kind
of query: a Khmer name, family and given names typed together, the first letters of a romanised
name, a romanised name spelt another way (Chana for Channa, Chia for Chea), the phone's digits and
the reference. Each word is looked up by prefix or phonetic key in the indexed search keys; the
table shows the plan's scans of the key table too, so a sequential scan would show."""

import random
import statistics
import time

from django.db import connection
from django.test import Client
from knox.models import AuthToken

from bench.matching import bench_user
from bench.setup import table
from register.models import Carer, Child
from register.rules.names import canonical
from register.selectors.names import carers_named

TARGET_MS = 150
PAGE_SIZE = 50


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _respell(latin: str, rng: random.Random) -> str:
    """Another romanisation of the same name, as officers write it (Channa/Chana, Chea/Chia, Sokha/Sokhar)."""
    for old, new in (("nn", "n"), ("ea", "ia"), ("ou", "u"), ("v", "w"), ("ey", "ei")):
        if old in latin.lower():
            return latin.lower().replace(old, new, 1)
    return latin + ("r" if latin[-1:] in "aeiou" else "h")


def _queries(rows: list[dict], rng: random.Random) -> dict[str, list[str]]:
    with_latin = [r for r in rows if r["given_name_latin"]]
    return {
        "Khmer given name": [r["given_name"] for r in rows],
        "Khmer family + given, no space": [r["family_name"] + r["given_name"] for r in rows],
        "romanised, first 3 letters": [r["given_name_latin"][:3] for r in with_latin],
        "romanised, another spelling + family": [
            f"{_respell(r['given_name_latin'], rng)} {r['family_name_latin']}" for r in with_latin
        ],
        "phone, as typed (0xx xxx xxx)": ["0" + r["phone"][4:6] + " " + r["phone"][6:] for r in rows if "phone" in r],
        "reference": [r["reference"] for r in rows],
    }


def _plan_scans(text: str) -> str:
    """The scans PostgreSQL plans on the key table for one search (Index/Bitmap/Seq)."""
    sql, params = carers_named(Carer.objects.all(), text).values("id")[:PAGE_SIZE].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(r[0] for r in cursor.fetchall())
    scans = sorted({line.strip().split(" on ")[0].lstrip("-> ") for line in plan.splitlines() if "searchkey" in line})
    return ", ".join(scans) or "-"


def _measure(client, headers, url: str, queries: list[str]) -> tuple[list[float], int]:
    client.get(url, {"search": queries[0], "page_size": PAGE_SIZE}, **headers)  # warm
    times, found = [], 0
    for q in queries:
        t = time.perf_counter()
        response = client.get(url, {"search": q, "page_size": PAGE_SIZE}, **headers)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, response.content[:300]
        found += bool(response.json()["results"])
    return times, found


def run(*, requests: int = 100) -> None:
    rng = random.Random(14)
    user = bench_user("bench-names", [], national=True)
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Token {AuthToken.objects.create(user)[1]}"}
    fields = ("given_name", "family_name", "given_name_latin", "family_name_latin", "reference")
    carers = list(Carer.objects.order_by("?").values(*fields, "phone")[:requests])
    children = list(Child.objects.order_by("?").values(*fields)[:requests])
    rows = []
    for label, url, sample in (("families", "/api/v1/carers/", carers), ("children", "/api/v1/children/", children)):
        for kind, queries in _queries(sample, rng).items():
            if not queries:
                continue
            times, found = _measure(client, headers, url, queries)
            high = p95(times)
            scans = _plan_scans(queries[0]) if label == "families" else ""
            rows.append(
                [
                    f"{label}: {kind}",
                    f"{statistics.median(times):.1f}",
                    f"{high:.1f}",
                    TARGET_MS,
                    "yes" if high <= TARGET_MS else "NO",
                    f"{found}/{len(queries)}",
                    scans,
                ]
            )
    table(
        f"Name search through the API over {Carer.objects.count():,} families and {Child.objects.count():,} "
        f"children ({requests} queries each, pages of {PAGE_SIZE}; example: {canonical(carers[0]['given_name'])})",
        ["query", "p50 ms", "p95 ms", "target p95 ms", "ok", "found", "key table scans (families)"],
        rows,
    )
