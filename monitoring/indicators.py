"""The care-reform indicators: each one's code, words and unit, in one list (API.md, "Monitoring the
reform"). Definitions follow the UNICEF / Better Care Network "Manual for the Measurement of
Indicators for Children in Formal Care" (2009) where it has one; `answers` names that indicator.
Pure Python: the figures are computed by monitoring.selectors."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Promise
    definition: Promise
    unit: str  # count | rate | ratio | days | km
    answers: Promise | None = None  # the UNICEF/BCN manual's indicator it answers, if any


BCN = _("UNICEF/BCN manual: %(name)s")

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "children_in_residential_care",
        _("Children in residential care"),
        _(
            "Children whose status was “in residential care” on the last day of the month, by the province "
            "they were in."
        ),
        "count",
        _("children in residential care"),
    ),
    Indicator(
        "children_in_family_care",
        _("Children in family care"),
        _("Children in an active placement with a foster or kinship family on the last day of the month."),
        "count",
        _("children in formal family-based care"),
    ),
    Indicator(
        "children_moved_to_family_care",
        _("Children moved from residential care to a family"),
        _("Children who left residential care for a placement with a family during the month."),
        "count",
        _("children leaving residential care"),
    ),
    Indicator(
        "residential_to_family_ratio",
        _("Children in residential care per child in family care"),
        _(
            "Children in residential care divided by children in family care, on the last day of the month "
            "(below 1: more children live in families than in institutions)."
        ),
        "ratio",
        _("ratio of children in residential care to children in family-based care"),
    ),
    Indicator(
        "carers_new_enquiries",
        _("New family enquiries"),
        _("Families registered at enquiry during the month."),
        "count",
    ),
    Indicator(
        "carers_approved_active",
        _("Approved families"),
        _("Families whose status was “approved” on the last day of the month (not on hold, not deregistered)."),
        "count",
    ),
    Indicator(
        "median_days_enquiry_to_approval",
        _("Days from enquiry to approval (median)"),
        _("For families approved for the first time during the month, the median number of days since their enquiry."),
        "days",
    ),
    Indicator(
        "median_days_waiting",
        _("Days waiting for a family (median)"),
        _(
            "For children placed during the month, the median number of days since they were first recorded as "
            "waiting for a family or in residential care."
        ),
        "days",
    ),
    Indicator(
        "placements_breakdown_90d_rate",
        _("Placements broken down within 90 days"),
        _(
            "Of the placements whose 90th day (90 days after the start) fell in the month, the share that had "
            "ended in a breakdown before it."
        ),
        "rate",
    ),
    Indicator(
        "siblings_together_rate",
        _("Siblings placed together"),
        _(
            "Of the children of sibling groups to be kept together placed during the month, the share placed "
            "with all their brothers and sisters."
        ),
        "rate",
    ),
    Indicator(
        "median_km_from_home",
        _("Distance from home (median km)"),
        _(
            "For children placed during the month, the median straight-line distance in km from their home "
            "commune to the family's home."
        ),
        "km",
    ),
    Indicator(
        "visits_on_time_rate",
        _("Follow-up visits on time"),
        _(
            "Of the follow-up visits due during the month (not cancelled), the share completed within 7 days "
            "of their due date (a visit still within its 7 days is counted once done or once they have passed)."
        ),
        "rate",
        _("placements reviewed (children in formal care whose placement was reviewed)"),
    ),
    Indicator(
        "caseload_per_social_worker",
        _("Placements per social worker"),
        _(
            "Active placements on the last day of the month that have a social worker, divided by the number of "
            "social workers following at least one."
        ),
        "ratio",
    ),
)
BY_CODE = {i.code: i for i in INDICATORS}


def answers_text(indicator: Indicator) -> str | None:
    """The manual's indicator in the reader's language, named as the manual's."""
    return str(BCN % {"name": indicator.answers}) if indicator.answers else None


# --- Months --------------------------------------------------------------------------------------

Month = tuple[int, int]  # (year, month)
MAX_MONTHS = 60


def month_parse(text: str) -> Month | None:
    """'2026-11' → (2026, 11); None for anything else."""
    try:
        day = datetime.datetime.strptime(text, "%Y-%m").date()
    except (TypeError, ValueError):
        return None
    if len(text) != 7:
        return None
    return day.year, day.month


def month_text(month: Month) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def month_of(day: datetime.date) -> Month:
    return day.year, day.month


def month_add(month: Month, n: int) -> Month:
    index = month[0] * 12 + month[1] - 1 + n
    return index // 12, index % 12 + 1


def months_between(first: Month, last: Month) -> list[Month]:
    n = (last[0] - first[0]) * 12 + last[1] - first[1]
    return [month_add(first, i) for i in range(n + 1)]


def month_first_day(month: Month) -> datetime.date:
    return datetime.date(month[0], month[1], 1)


def month_last_day(month: Month) -> datetime.date:
    return month_first_day(month_add(month, 1)) - datetime.timedelta(days=1)
