"""The dashboard's snapshot: per province the user may see, the register's headline numbers.

Each figure comes from the same scoped selector as its list (carers, children, placements,
visits), grouped by province in one query each, so the snapshot costs six queries whatever the
size of the register, and a social worker's figures count only their own placements and visits."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.utils import translation

from register.models import Carer, Child, Placement, Province
from register.rules.visits import OVERDUE, status_q, today, unacknowledged_urgent_q
from register.selectors.carers import carer_list, review_overdue_q
from register.selectors.children import child_list
from register.selectors.placements import placements_visible_to
from register.selectors.visits import visits_visible_to


@dataclass
class ProvinceSnapshot:
    code: str
    name_en: str
    name_km: str
    carers_by_status: dict[str, int] = field(default_factory=dict)
    families_with_places: int = 0
    free_places: int = 0
    children_waiting: int = 0
    active_placements: int = 0
    visits_overdue: int = 0
    urgent_unacknowledged: int = 0  # urgent outcomes no supervisor has acknowledged yet

    @property
    def name(self) -> str:
        return self.name_km if translation.get_language() == "km" else self.name_en

    @property
    def carers_total(self) -> int:
        return sum(self.carers_by_status.values())


def dashboard_snapshot(*, user, on: datetime.date | None = None) -> list[ProvinceSnapshot]:
    """One row per province the user works in (national administrators: every province with any
    record), ordered by province code."""
    on = on or today()
    rows: dict[str, ProvinceSnapshot] = {}

    def row(code: str) -> ProvinceSnapshot:
        return rows.setdefault(code, ProvinceSnapshot(code=code, name_en="", name_km=""))

    if not user.is_national:
        for code in sorted(user.province_codes):
            row(code)

    carers = carer_list(user=user).order_by()
    for r in carers.values("province_id", "status").annotate(n=Count("id")):
        row(r["province_id"]).carers_by_status[r["status"]] = r["n"]
    # Families a child could go to today: approved, review not overdue, a free place.
    available = (
        carers.filter(status=Carer.Status.APPROVED, vacancies__gt=0)
        .exclude(review_overdue_q(on))
        .values("province_id")
        .annotate(n=Count("id"), places=Sum("vacancies"))
    )
    for r in available:
        row(r["province_id"]).families_with_places = r["n"]
        row(r["province_id"]).free_places = r["places"] or 0

    waiting = child_list(user=user).filter(status__in=Child.PLACEABLE).order_by()
    for r in waiting.values("province_id").annotate(n=Count("id")):
        row(r["province_id"]).children_waiting = r["n"]

    placements = placements_visible_to(user).filter(status=Placement.Status.ACTIVE).order_by()
    for r in placements.values("province_id").annotate(n=Count("id")):
        row(r["province_id"]).active_placements = r["n"]

    overdue = visits_visible_to(user).filter(status_q(OVERDUE, on)).order_by()
    for r in overdue.values("placement__province_id").annotate(n=Count("id")):
        row(r["placement__province_id"]).visits_overdue = r["n"]

    urgent = visits_visible_to(user).filter(unacknowledged_urgent_q()).order_by()
    for r in urgent.values("placement__province_id").annotate(n=Count("id")):
        row(r["placement__province_id"]).urgent_unacknowledged = r["n"]

    names = Province.objects.filter(code__in=rows).values_list("code", "name_en", "name_km")
    for code, name_en, name_km in names:
        rows[code].name_en, rows[code].name_km = name_en, name_km
    return [rows[code] for code in sorted(rows)]
