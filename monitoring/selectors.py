"""The care-reform indicators, month by month, per province and nationally, computed from the dated
history (register.models.StatusEvent) and the dated records (placements' start and end dates, visits'
due and completion dates), never from today's statuses: a past month keeps its figures.

Counts at the end of a month are running sums of the history's moves (+1 into a status and
province, -1 out of it), so each indicator costs one or two grouped queries whatever the number of
months; medians and distances are taken in Python over the month's cases only.

A national register's 24 months still take a second or two to compute, and every figure depends only
on what `history_version` stamps: each indicator's table is kept in the cache under that stamp, so
the same figures are computed again only after the register changed (or the day did)."""

from __future__ import annotations

import datetime
import hashlib
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, F, Min, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth

from matching.adapter import commune_points
from matching.core.geo import haversine_km
from monitoring.indicators import (
    BY_CODE,
    INDICATORS,
    Indicator,
    Month,
    month_add,
    month_first_day,
    month_last_day,
    month_of,
    month_text,
    months_between,
)
from register.models import Carer, Child, Placement, PlacementChild, Province, StatusEvent, Visit
from register.rules.visits import today
from register.selectors.stamps import change_stamp

K = StatusEvent.Kind
CHILD = Child.Status
ON_TIME_DAYS = 7  # a visit completed within a week of its due date counts as on time
BREAKDOWN_DAY = 90


@dataclass
class Point:
    month: Month
    province: str | None  # None: the whole country
    value: float | int | None
    numerator: int | None = None
    denominator: int | None = None
    cases: int | None = None  # how many cases a median is taken over


@dataclass
class Scope:
    """Which provinces the figures are for, and whether national figures are added."""

    provinces: list[str]
    national: bool
    everywhere: bool  # the provinces are every province: no filter needed

    def filter(self, queryset, field: str):
        return queryset if self.everywhere else queryset.filter(**{f"{field}__in": self.provinces})


def indicators_scope(*, user, province: str | None) -> Scope | None:
    """The provinces a user's figures cover: the one asked for if it is theirs (None if it is not:
    the caller answers as for a code that does not exist), else all of theirs. National
    administrators also get national figures when no province is asked for."""
    if user.is_national:
        visible = sorted(Province.objects.values_list("code", flat=True))
    else:
        visible = sorted(user.province_codes)
    if province is not None:
        if province not in visible:
            return None
        return Scope(provinces=[province], national=False, everywhere=False)
    return Scope(provinces=visible, national=user.is_national, everywhere=user.is_national)


def indicators_compute(*, scope: Scope, first: Month, last: Month, codes: Iterable[str] | None = None):
    """[(indicator, [Point])] for the months first..last, each month with a point per province of the
    scope (and a national one first when the scope has it)."""
    months = months_between(first, last)
    wanted = [BY_CODE[c] for c in codes] if codes is not None else list(INDICATORS)
    computed: dict[str, dict] = {}
    version = history_version()
    for indicator in wanted:
        computed[indicator.code] = _cached(indicator.code, scope, months, computed, version)
    out = []
    for indicator in wanted:
        table = computed[indicator.code]
        points = []
        for month in months:
            keys = ([None] if scope.national else []) + scope.provinces
            for province in keys:
                points.append(_point(indicator, month, province, table))
        out.append((indicator, points))
    return out


def history_version() -> tuple:
    """Changes whenever a figure could: a status changed (a new history row), a placement, visit,
    child or family written (their `updated_at`, which the services set on every write), or the day
    (visits fall late, current months move on). Each part is the newest value of an indexed column:
    about a millisecond on a national register."""
    return change_stamp(
        (StatusEvent, "id"),
        (Placement, "updated_at"),
        (Visit, "updated_at"),
        (Child, "updated_at"),
        (Carer, "updated_at"),
    )


def _cached(code: str, scope: Scope, months: list[Month], done: dict, version: tuple) -> dict:
    """The indicator's table, from the cache when it was computed for the same register (version).
    The cache's lifetime bounds how long a write that committed out of order (an older `updated_at`
    than the newest already seen) could go unnoticed."""
    seconds = settings.MONITORING_CACHE_SECONDS
    if not seconds:
        return _COMPUTE[code](scope, months, done)
    where = "all" if scope.everywhere else ",".join(scope.provinces)
    stamp = hashlib.sha256(repr(version).encode()).hexdigest()[:16]
    key = f"indicators:{code}:{where}:{int(scope.national)}:{month_text(months[0])}:{month_text(months[-1])}:{stamp}"
    table = cache.get(key)
    if table is None:
        table = _COMPUTE[code](scope, months, done)
        cache.set(key, table, seconds)
    return table


def _point(indicator: Indicator, month: Month, province, table) -> Point:
    cell = table.get((province, month))
    if indicator.unit == "count":
        return Point(month, province, int(cell or 0))
    if indicator.unit in ("rate", "ratio"):
        num, den = cell or (0, 0)
        value = round(num / den, 4 if indicator.unit == "rate" else 3) if den else None
        return Point(month, province, value, numerator=num, denominator=den)
    values = cell or []
    value = None
    if values:
        value = round(statistics.median(values), 1)
    return Point(month, province, value, cases=len(values))


# --- building blocks -------------------------------------------------------------------------------


def _by_month(queryset, day_field: str, province_field: str, **extra) -> list[dict]:
    """Grouped counts by (province, month of `day_field`), with any `extra` aggregates after them."""
    return list(
        queryset.order_by()
        .annotate(m=TruncMonth(day_field))
        .values(province_field, "m")
        .annotate(n=Count("id"), **extra)
        .values_list(province_field, "m", "n", *extra)
    )


def _add(table: dict, scope: Scope, province, month: Month, n) -> None:
    """Add n to the province's cell and, for national scopes, to the country's."""
    table[(province, month)] = table.get((province, month), 0) + n
    if scope.national:
        table[(None, month)] = table.get((None, month), 0) + n


def _stock(scope: Scope, months: list[Month], kind: str, statuses: tuple[str, ...]) -> dict:
    """How many records of `kind` were in one of `statuses` at the end of each month, by province:
    the running sum of the moves into and out of them up to that day."""
    last_day = month_last_day(months[-1])
    events = StatusEvent.objects.filter(kind=kind, on__lte=last_day)
    moves: dict = defaultdict(int)  # (province, month) -> net moves
    into = scope.filter(events.filter(to_status__in=statuses), "to_province_id")
    for province, m, n in _by_month(into, "on", "to_province_id"):
        moves[province, month_of(m)] += n
    out_of = scope.filter(events.filter(from_status__in=statuses), "from_province_id")
    for province, m, n in _by_month(out_of, "on", "from_province_id"):
        moves[province, month_of(m)] -= n
    table: dict = {}
    running: dict = defaultdict(int)
    first = months[0]
    for (province, month), n in moves.items():
        if month < first:
            running[province] += n
    for month in months:
        for province in scope.provinces:
            running[province] += moves.get((province, month), 0)
            _add(table, scope, province, month, running[province])
    return table


def _flow(scope: Scope, months: list[Month], queryset, day_field: str, province_field: str) -> dict:
    """How many rows of `queryset` fall in each month (by `day_field`), by province."""
    start, end = month_first_day(months[0]), month_last_day(months[-1])
    rows = scope.filter(queryset.filter(**{f"{day_field}__range": (start, end)}), province_field)
    table: dict = {}
    for province, m, n in _by_month(rows, day_field, province_field):
        _add(table, scope, province, month_of(m), n)
    return table


def _collect(scope: Scope, rows: Iterable[tuple[str, Month, float]]) -> dict:
    """Values by (province, month), and by (None, month) for national scopes, for medians."""
    table: dict = defaultdict(list)
    for province, month, value in rows:
        table[province, month].append(value)
        if scope.national:
            table[None, month].append(value)
    return table


def _ratio(scope: Scope, rows: Iterable[tuple[str, Month, bool]]) -> dict:
    """(numerator, denominator) by cell from (province, month, counted in the numerator) cases."""
    table: dict = {}
    for province, month, hit in rows:
        for key in [(province, month)] + ([(None, month)] if scope.national else []):
            num, den = table.get(key, (0, 0))
            table[key] = (num + bool(hit), den + 1)
    return table


# --- the indicators ----------------------------------------------------------------------------------


def _residential(scope, months, done):
    return _stock(scope, months, K.CHILD, (CHILD.IN_RESIDENTIAL_CARE,))


def _family(scope, months, done):
    return _stock(scope, months, K.CHILD, (CHILD.PLACED,))


def _moved(scope, months, done):
    events = StatusEvent.objects.filter(kind=K.CHILD, from_status=CHILD.IN_RESIDENTIAL_CARE, to_status=CHILD.PLACED)
    return _flow(scope, months, events, "on", "to_province_id")


def _residential_ratio(scope, months, done):
    residential = done.get("children_in_residential_care") or _residential(scope, months, done)
    family = done.get("children_in_family_care") or _family(scope, months, done)
    return {key: (residential.get(key, 0), family.get(key, 0)) for key in set(residential) | set(family)}


def _enquiries(scope, months, done):
    return _flow(scope, months, StatusEvent.objects.filter(kind=K.CARER, from_status=""), "on", "to_province_id")


def _approved(scope, months, done):
    return _stock(scope, months, K.CARER, (Carer.Status.APPROVED,))


def _enquiry_to_approval(scope, months, done):
    start, end = month_first_day(months[0]), month_last_day(months[-1])
    carers = StatusEvent.objects.filter(kind=K.CARER).order_by()
    approvals = carers.filter(to_status=Carer.Status.APPROVED)
    # The period's approvals with no approval before them (an anti-join in the database: tens of
    # thousands of families nationally), each with the day of the family's enquiry.
    earlier = approvals.filter(subject_id=OuterRef("subject_id")).filter(
        Q(on__lt=OuterRef("on"))
        | Q(on=OuterRef("on"), recorded_at__lt=OuterRef("recorded_at"))
        | Q(on=OuterRef("on"), recorded_at=OuterRef("recorded_at"), id__lt=OuterRef("id"))
    )
    enquiry = carers.filter(subject_id=OuterRef("subject_id"), from_status="").order_by("on")
    first = (
        scope.filter(approvals.filter(on__range=(start, end)), "to_province_id")
        .filter(~Exists(earlier))
        .annotate(enquiry=Subquery(enquiry.values("on")[:1]))
        .values_list("to_province_id", "on", "enquiry")
    )
    return _collect(scope, ((p, month_of(on), (on - since).days) for p, on, since in first if since is not None))


def _waiting(scope, months, done):
    start, end = month_first_day(months[0]), month_last_day(months[-1])
    since = (
        StatusEvent.objects.filter(kind=K.CHILD, subject_id=OuterRef("subject_id"), to_status__in=Child.PLACEABLE)
        .order_by()
        .values("subject_id")
        .annotate(first=Min("on"))
        .values("first")
    )
    placed = scope.filter(
        StatusEvent.objects.filter(kind=K.CHILD, to_status=CHILD.PLACED, on__range=(start, end)), "to_province_id"
    ).annotate(since=Subquery(since))
    rows = placed.filter(since__isnull=False).values_list("to_province_id", "on", "since")
    return _collect(scope, ((p, month_of(on), (on - since).days) for p, on, since in rows))


def _breakdowns(scope, months, done):
    day = datetime.timedelta(days=BREAKDOWN_DAY)
    start, end = month_first_day(months[0]) - day, month_last_day(months[-1]) - day
    rows = scope.filter(Placement.objects.filter(start_date__range=(start, end)), "province_id").values_list(
        "province_id", "start_date", "end_date", "end_reason"
    )
    return _ratio(
        scope,
        (
            (p, month_of(s + day), reason == Placement.EndReason.BREAKDOWN and ended is not None and ended < s + day)
            for p, s, ended, reason in rows
        ),
    )


def _siblings(scope, months, done):
    start, end = month_first_day(months[0]), month_last_day(months[-1])
    members = scope.filter(
        PlacementChild.objects.filter(
            placement__start_date__range=(start, end), child__sibling_group__keep_together=True
        ),
        "placement__province_id",
    ).values_list("placement_id", "child__sibling_group_id", "placement__province_id", "placement__start_date")
    members = list(members)
    groups = {g for _, g, _, _ in members}
    sizes = dict(
        Child.objects.filter(sibling_group_id__in=groups)
        .order_by()
        .values("sibling_group_id")
        .annotate(n=Count("id"))
        .values_list("sibling_group_id", "n")
    )
    together: dict = defaultdict(int)
    for placement, group, _, _ in members:
        together[placement, group] += 1
    return _ratio(
        scope,
        ((p, month_of(s), together[placement, group] >= sizes.get(group, 0)) for placement, group, p, s in members),
    )


def _distance(scope, months, done):
    start, end = month_first_day(months[0]), month_last_day(months[-1])
    rows = list(
        scope.filter(PlacementChild.objects.filter(placement__start_date__range=(start, end)), "placement__province_id")
        .values_list(
            "placement__province_id",
            "placement__start_date",
            "child__home_commune_id",
            "placement__carer__lat",
            "placement__carer__lon",
            "placement__carer__commune_id",
        )
        .order_by()
    )
    if not rows:
        return {}
    points = commune_points()
    nan = (float("nan"), float("nan"))
    home = np.array([points.get(r[2], nan) for r in rows], dtype=float)
    carer = np.array(
        [(r[3], r[4]) if r[3] is not None and r[4] is not None else points.get(r[5], nan) for r in rows], dtype=float
    )
    km = _pairwise_km(home, carer)
    return _collect(scope, ((r[0], month_of(r[1]), float(d)) for r, d in zip(rows, km, strict=True) if not np.isnan(d)))


def _pairwise_km(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle km between a[i] and b[i]: matching's distance, element by element."""
    return haversine_km(a[:, 0], a[:, 1], b[:, 0], b[:, 1])


def _visits(scope, months, done):
    start, end = month_first_day(months[0]), month_last_day(months[-1])
    # A visit is judged once done, or once its week has passed: visits of the current month still
    # within their week are not counted yet (they would count as late before they could be).
    judged = Q(state=Visit.State.COMPLETED) | Q(due_date__lt=today() - datetime.timedelta(days=ON_TIME_DAYS))
    visits = scope.filter(
        Visit.objects.filter(judged, due_date__range=(start, end)).exclude(state=Visit.State.CANCELLED),
        "placement__province_id",
    )
    on_time = Q(state=Visit.State.COMPLETED, completed_on__lte=F("due_date") + datetime.timedelta(days=ON_TIME_DAYS))
    table: dict = {}
    grouped = _by_month(visits, "due_date", "placement__province_id", hits=Count("id", filter=on_time))
    for province, m, n, hits in grouped:
        for key in [(province, month_of(m))] + ([(None, month_of(m))] if scope.national else []):
            num, den = table.get(key, (0, 0))
            table[key] = (num + hits, den + n)
    return table


def _caseload(scope, months, done):
    start, end = month_last_day(months[0]), month_last_day(months[-1])
    rows = scope.filter(
        Placement.objects.filter(social_worker__isnull=False, start_date__lte=end).exclude(end_date__lte=start),
        "province_id",
    ).values_list("province_id", "social_worker_id", "start_date", "end_date")
    placements: dict = defaultdict(int)
    workers: dict = defaultdict(set)
    rows = list(rows)
    for month in months:
        day = month_last_day(month)
        for province, worker, s, e in rows:
            if s <= day and (e is None or e > day):
                for key in [(province, month)] + ([(None, month)] if scope.national else []):
                    placements[key] += 1
                    workers[key].add(worker)
    return {key: (placements[key], len(workers[key])) for key in placements}


_COMPUTE = {
    "children_in_residential_care": _residential,
    "children_in_family_care": _family,
    "children_moved_to_family_care": _moved,
    "residential_to_family_ratio": _residential_ratio,
    "carers_new_enquiries": _enquiries,
    "carers_approved_active": _approved,
    "median_days_enquiry_to_approval": _enquiry_to_approval,
    "median_days_waiting": _waiting,
    "placements_breakdown_90d_rate": _breakdowns,
    "siblings_together_rate": _siblings,
    "median_km_from_home": _distance,
    "visits_on_time_rate": _visits,
    "caseload_per_social_worker": _caseload,
}
assert set(_COMPUTE) == set(BY_CODE), "every indicator has its computation"
__all__ = ["Point", "Scope", "indicators_compute", "indicators_scope", "month_add"]
