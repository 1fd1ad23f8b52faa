"""The reform, month by month: the headline indicators with their trend as server-drawn SVG charts,
each beside a table of the same figures; the provinces compared on one scale; a schematic map of
the provinces ranked. Every figure links to the list behind it when the reader may open that list.
The figures are the API's (monitoring.selectors), from the dated history."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from matching.explanations import EXCLUSION_LABELS
from monitoring.capacity import capacity_gaps
from monitoring.closures import closure_of, closure_report, institution_for_closure
from monitoring.indicators import BY_CODE, answers_text, month_text
from monitoring.inputs import PeriodForm
from monitoring.selectors import Scope, indicators_compute
from register.models import Province
from web.access import capability_required, list_link
from web.charts import line_chart, nice_top, province_map
from web.views.dashboard import today_context

# The headline indicators, each with the list behind its number: (url name, capability, query).
HEADLINES = {
    "children_in_residential_care": ("web:child_list", "children.read", {"status": "in_residential_care"}),
    "children_in_family_care": ("web:child_list", "children.read", {"status": "placed"}),
    "children_moved_to_family_care": ("web:placement_list", "placements.read", {"status": "active"}),
    "residential_to_family_ratio": None,
    "carers_approved_active": ("web:carer_list", "carers.read", {"status": "approved"}),
    "placements_breakdown_90d_rate": (
        "web:placement_list",
        "placements.read",
        {"status": "ended", "end_reason": "breakdown"},
    ),
    "visits_on_time_rate": ("web:followup_queue", "followup.read", {"priority": "overdue"}),
}
COMPARED = "children_in_residential_care"  # the provinces compared, and the map's circles
RANKED = "residential_to_family_ratio"


def formatted(unit: str, value) -> str:
    if value is None:
        return "-"
    if unit == "rate":
        return f"{value * 100:.0f}%"
    if unit == "ratio":
        return f"{value:.2f}"
    if unit == "km":
        return f"{value:.1f}"
    return f"{value:,.0f}" if isinstance(value, (int, float)) else str(value)


def list_url(user, code: str, province: str | None) -> str | None:
    """The list behind a figure, for a reader who may open it (None otherwise)."""
    target = HEADLINES.get(code)
    if not target:
        return None
    name, capability, query = target
    return list_link(user, name, capability, query.items(), province)


def _page_scope(user, province: str | None) -> Scope | None:
    """The API's scope, and for anyone with several provinces a total of them all (the "None" row)."""
    codes = sorted(Province.objects.values_list("code", flat=True)) if user.is_national else sorted(user.province_codes)
    if province:
        return Scope(provinces=[province], national=False, everywhere=False) if province in codes else None
    return Scope(provinces=codes, national=len(codes) > 1, everywhere=user.is_national)


def _visible_provinces(user) -> list[Province]:
    provinces = Province.objects.order_by("code")
    return list(provinces if user.is_national else provinces.filter(code__in=user.province_codes))


@capability_required("indicators.read")
def reform(request):
    """The national snapshot, the home of every role but social workers ("/" leads here): "Today"
    first, then the reform month by month."""
    form = PeriodForm(request.GET)
    valid = form.is_valid()
    today = today_context(request.user)
    if not today["provinces"] and not request.user.is_national:
        # No province yet: nothing to count ("Today" says so).
        return render(request, "web/monitoring/reform.html", {"form": form, "today": today})
    scope = _page_scope(request.user, form.cleaned_data.get("province")) if valid else None
    if scope is None:
        if valid:
            form.add_error("province", _("No province with this code in your provinces."))
        context = {"form": form, "province_choices": _visible_provinces(request.user), "today": today}
        return render(request, "web/monitoring/reform.html", context, status=400)
    first, last = form.cleaned_data["first"], form.cleaned_data["last"]
    computed = dict(
        indicators_compute(scope=scope, first=first, last=last, codes=[*HEADLINES, "children_in_residential_care"])
    )
    by_code = {indicator.code: points for indicator, points in computed.items()}
    months = sorted({p.month for p in by_code[COMPARED]})
    labels = [month_text(m) for m in months]
    headline_key = None if scope.national else scope.provinces[0]
    names = {p.code: p for p in Province.objects.filter(code__in=scope.provinces)}

    def cells(code, province):
        return [p for p in by_code[code] if p.province == province]

    headlines = []
    for code in HEADLINES:
        indicator = BY_CODE[code]
        points = cells(code, headline_key)
        fmt = lambda v, unit=indicator.unit: formatted(unit, v)  # noqa: E731
        headlines.append(
            {
                "indicator": indicator,
                "answers": answers_text(indicator),
                "latest": points[-1],
                "latest_text": fmt(points[-1].value),
                "url": list_url(request.user, code, headline_key),
                "chart": line_chart(
                    [p.value for p in points],
                    labels=labels,
                    top=1.0 if indicator.unit == "rate" else None,
                    fmt=fmt,
                ),
                "rows": [
                    {"month": month_text(p.month), "value": fmt(p.value), "num": p.numerator, "den": p.denominator}
                    for p in points
                ],
                "fractions": indicator.unit in ("rate", "ratio"),
            }
        )

    compared = []
    if len(scope.provinces) > 1:
        series = {code: cells(COMPARED, code) for code in scope.provinces}
        top = nice_top(max((p.value or 0 for pts in series.values() for p in pts), default=0))
        for code in scope.provinces:
            points = series[code]
            compared.append(
                {
                    "code": code,
                    "name": names[code].name if code in names else code,
                    "chart": line_chart([p.value for p in points], labels=labels, top=top, fmt=str),
                    "latest": points[-1].value,
                    "url": list_url(request.user, COMPARED, code),
                }
            )
        compared.sort(key=lambda r: -(r["latest"] or 0))

    ranking = []
    if len(scope.provinces) > 1:
        last_ratio = {p.province: p for p in by_code[RANKED] if p.month == months[-1]}
        for code in scope.provinces:
            province = names.get(code)
            point = last_ratio.get(code)
            residential = next(p for p in cells(COMPARED, code) if p.month == months[-1]).value
            ranking.append(
                {
                    "code": code,
                    "name": province.name if province else code,
                    "lat": (province.centroid_lat or province.lat) if province else None,
                    "lon": (province.centroid_lon or province.lon) if province else None,
                    "value": residential,
                    "ratio": formatted("ratio", point.value if point else None),
                    "text": f"{code} {province.name if province else ''}: {residential}",
                    "url": list_url(request.user, COMPARED, code) or "",
                }
            )
        ranking.sort(key=lambda r: -(r["value"] or 0))

    context = {
        "today": today,
        "form": form,
        "first": month_text(first),
        "last": month_text(last),
        "scope_label": _("The whole country")
        if request.user.is_national and scope.national
        else (_("All your provinces") if scope.national else f"{scope.provinces[0]} {names[scope.provinces[0]].name}"),
        "headlines": headlines,
        "compared": compared,
        "compared_indicator": BY_CODE[COMPARED],
        "ranking": ranking,
        "map": province_map(ranking) if ranking else [],
        "province_choices": _visible_provinces(request.user),
    }
    return render(request, "web/monitoring/reform.html", context)


@capability_required("capacity.read")
def capacity_gaps_page(request):
    """Where families are missing: the API's capacity gaps, in words, province by province."""
    visible = _visible_provinces(request.user)
    codes = [p.code for p in visible]
    province = request.GET.get("province") or None
    if province is not None and province not in codes:
        context = {"error": _("No province with this code in your provinces."), "province_choices": visible}
        return render(request, "web/monitoring/capacity_gaps.html", context, status=400)
    gaps = capacity_gaps(user=request.user, provinces=[province] if province else codes)
    names = {p.code: p.name for p in visible}
    rows = [
        {
            "gap": g,
            "reasons": [(EXCLUSION_LABELS.get(code, code), n) for code, n in g.exclusion_reasons.most_common()],
            "provinces": [(code, names.get(code, code), n) for code, n in g.provinces.most_common()],
        }
        for g in gaps.gaps
    ]
    context = {"gaps": gaps, "rows": rows, "province_choices": visible, "province": province}
    return render(request, "web/monitoring/capacity_gaps.html", context)


@capability_required("closures.write")
def closure_page(request, id):
    """An institution's closure: its children at the decision, where each went, each placement's
    follow-up, the days left, the batch plans behind it."""
    institution = institution_for_closure(user=request.user, id=id)
    closure = closure_of(institution=institution)
    report = closure_report(user=request.user, closure=closure) if closure else None
    context = {"institution": institution, "closure": closure, "report": report}
    return render(request, "web/monitoring/closure.html", context)


urlpatterns = [
    path("institutions/<uuid:id>/closure/", closure_page, name="institution_closure"),
    path("reform/", reform, name="reform"),
    path("capacity-gaps/", capacity_gaps_page, name="capacity_gaps"),
]
