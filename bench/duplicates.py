"""Duplicates on the bench register (issue 14): the check of one new record against every family
(target p95 <= 50 ms), as carer_create runs it (in its transaction, with its advisory locks), for a
record that matches by phone, one that matches by a close name and birth date only, and one that
matches nothing; the same for children; then the finder over the whole register, and how many pairs
it flags."""

import random
import statistics
import time

from django.db import transaction

from bench.setup import table
from register.models import Carer, Child, DuplicatePair, User
from register.services.duplicates import duplicates_find, duplicates_guard

TARGET_MS = 50


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _timed_check(user, kind: str, values: dict) -> float:
    """One check as the creating service runs it, inside its transaction: locks, look-up, rule. The
    transaction is open before the clock starts, and rolled back after."""
    with transaction.atomic():
        Carer.objects.exists()
        started = time.perf_counter()
        duplicates_guard(actor=user, kind=kind, values=values, reviewed="bench")
        elapsed = (time.perf_counter() - started) * 1000
        transaction.set_rollback(True)
    return elapsed


def _carer_values(row: dict, case: str, n: int) -> dict:
    values = dict(row)
    if case == "no match":
        values.update(phone=f"+85599{n:07d}", national_id="", date_of_birth=row["date_of_birth"].replace(year=1932))
    elif case == "close name + birth date":
        values.update(phone=f"+85599{n:07d}", national_id="")
    return values


def run(requests: int = 200) -> None:
    user = User.objects.filter(is_superuser=True).first() or User(username="bench", is_superuser=True)
    rng = random.Random(14)
    carers = list(
        Carer.objects.order_by("?").values("given_name", "family_name", "date_of_birth", "phone", "national_id")[
            :requests
        ]
    )
    children = list(
        Child.objects.order_by("?").values(
            "given_name", "family_name", "date_of_birth", "home_commune", "external_ids"
        )[:requests]
    )
    rows = []
    for case in ("same phone", "close name + birth date", "no match"):
        times = [_timed_check(user, "carer", _carer_values(row, case, n)) for n, row in enumerate(carers)]
        rows.append(_row(f"family, {case}", times))
    for case in ("close name + birth date + commune", "no match"):
        times = []
        for row in children:
            values = dict(row)
            if case == "no match":
                values["date_of_birth"] = row["date_of_birth"].replace(year=2000)
                values["external_ids"] = {"primero": f"bench-{rng.random()}"}
            times.append(_timed_check(user, "child", values))
        rows.append(_row(f"child, {case}", times))
    total = Carer.objects.count()
    table(
        f"Duplicate check of one new record against {total:,} families ({requests} records each)",
        ["record", "p50 ms", "p95 ms", "target p95 ms", "ok"],
        rows,
    )

    started = time.perf_counter()
    result = duplicates_find()
    seconds = time.perf_counter() - started
    again = time.perf_counter()
    repeat = duplicates_find()
    table(
        "find_duplicates over the whole register",
        ["run", "seconds", "new pairs", "open family pairs", "open child pairs"],
        [
            ["first", f"{seconds:.1f}", result.created, result.carers, result.children],
            [
                "again (idempotent)",
                f"{time.perf_counter() - again:.1f}",
                repeat.created,
                repeat.carers,
                repeat.children,
            ],
        ],
    )
    by_reason: dict[str, int] = {}
    for reasons in DuplicatePair.objects.values_list("reasons", flat=True):
        for reason in reasons:
            by_reason[reason] = by_reason.get(reason, 0) + 1
    table("pairs by reason", ["reason", "pairs"], [[k, v] for k, v in sorted(by_reason.items())])


def _row(label: str, times: list[float]) -> list:
    high = p95(times)
    return [label, f"{statistics.median(times):.1f}", f"{high:.1f}", TARGET_MS, "yes" if high <= TARGET_MS else "NO"]
