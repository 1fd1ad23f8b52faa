"""HTTP side of monitoring (API.md, "Monitoring the reform"): the indicators."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import renderers, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.capacity import capacity_gaps
from monitoring.closures import closure_of, closure_report, institution_for_closure
from monitoring.exports import indicators_xlsx
from monitoring.indicators import answers_text, month_text
from monitoring.inputs import PeriodForm
from monitoring.selectors import indicators_compute, indicators_scope
from monitoring.services import closure_record
from register.api.permissions import HasCapability
from register.api.renderers import JSONRenderer

# The shapes the form accepts (an empty value is the same as leaving the parameter out).
MONTH = r"^([0-9]{4}-(0[1-9]|1[0-2]))?$"
PROVINCE = r"^([0-9]{2})?$"
PROVINCE_PARAMETER = OpenApiParameter(
    "province", str, pattern=PROVINCE, description="a province code of yours (default: all of yours)"
)
PERIOD_PARAMETERS = [
    OpenApiParameter("from", str, pattern=MONTH, description="first month, YYYY-MM (default: 11 months before `to`)"),
    OpenApiParameter("to", str, pattern=MONTH, description="last month, YYYY-MM (default: this month)"),
    PROVINCE_PARAMETER,
]


def period_of(request):
    """(first, last, scope) from the query, or a 400 naming the parameter."""
    form = PeriodForm(request.query_params)
    if not form.is_valid():
        raise ValidationError(form.errors_by_parameter())
    scope = indicators_scope(user=request.user, province=form.cleaned_data["province"])
    if scope is None:  # another province's code answers as a code that does not exist
        raise ValidationError({"province": [_("No province with this code in your provinces.")]})
    return form.cleaned_data["first"], form.cleaned_data["last"], scope


def indicators_payload(first, last, scope) -> dict:
    indicators = []
    for indicator, points in indicators_compute(scope=scope, first=first, last=last):
        series = []
        for p in points:
            item = {"month": month_text(p.month), "province": p.province, "value": p.value}
            if p.denominator is not None:
                item["numerator"], item["denominator"] = p.numerator, p.denominator
            if p.cases is not None:
                item["cases"] = p.cases
            series.append(item)
        indicators.append(
            {
                "code": indicator.code,
                "label": str(indicator.label),
                "definition": str(indicator.definition),
                "unit": indicator.unit,
                "answers": answers_text(indicator),
                "series": series,
            }
        )
    return {"from": month_text(first), "to": month_text(last), "indicators": indicators}


class XLSXRenderer(renderers.BaseRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        # An error ({"detail"} or a field's) is answered as JSON whatever the format asked for.
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return JSONRenderer().render(data)


class IndicatorsExportView(APIView):
    permission_classes = [HasCapability.for_("indicators.read")]
    renderer_classes = [XLSXRenderer]

    @extend_schema(
        parameters=[*PERIOD_PARAMETERS, OpenApiParameter("format", str, enum=["xlsx"])],
        responses={(200, XLSXRenderer.media_type): bytes},
        description="The indicators as a workbook: one sheet per indicator and one of definitions.",
    )
    def get(self, request):
        first, last, scope = period_of(request)
        content = indicators_xlsx(indicators_compute(scope=scope, first=first, last=last))
        name = f"indicators-{month_text(first)}-{month_text(last)}.xlsx"
        return Response(content, headers={"Content-Disposition": f'attachment; filename="{name}"'})


class IndicatorsView(APIView):
    permission_classes = [HasCapability.for_("indicators.read")]

    @extend_schema(
        parameters=PERIOD_PARAMETERS,
        responses=inline_serializer(
            "Indicators",
            {
                "from": serializers.CharField(),
                "to": serializers.CharField(),
                "indicators": serializers.ListField(child=serializers.DictField()),
            },
        ),
        description=(
            "Care-reform indicators by month, per province of the caller (and national figures for national "
            "administrators), computed from the dated history: a past month keeps its values. Rates and ratios "
            "carry their numerator and denominator, medians the number of cases."
        ),
    )
    def get(self, request):
        return Response(indicators_payload(*period_of(request)))


def gaps_payload(gaps) -> dict:
    return {
        "children_waiting": gaps.children_waiting,
        "with_an_eligible_family": gaps.with_an_eligible_family,
        "without": gaps.without,
        "gaps": [
            {
                "profile": g.profile,
                "children": g.children,
                "exclusion_reasons": dict(g.exclusion_reasons.most_common()),
                "provinces": dict(g.provinces.most_common()),
            }
            for g in gaps.gaps
        ],
    }


class CapacityGapsView(APIView):
    permission_classes = [HasCapability.for_("capacity.read")]

    @extend_schema(
        parameters=[PROVINCE_PARAMETER],
        responses=inline_serializer(
            "CapacityGaps",
            {
                "children_waiting": serializers.IntegerField(),
                "with_an_eligible_family": serializers.IntegerField(),
                "without": serializers.IntegerField(),
                "gaps": serializers.ListField(child=serializers.DictField()),
            },
        ),
        description=(
            "For the children waiting in the caller's provinces, how many have at least one eligible family of "
            "their province; for the others, their profiles (age band, sex, needs, sibling group size), largest "
            "first, with the rules that keep the nearest families out (for how many children each) and the "
            "provinces where they wait."
        ),
    )
    def get(self, request):
        province = request.query_params.get("province") or None
        scope = indicators_scope(user=request.user, province=province)
        if scope is None:
            raise ValidationError({"province": [_("No province with this code in your provinces.")]})
        return Response(gaps_payload(capacity_gaps(user=request.user, provinces=scope.provinces)))


class ClosureInput(serializers.Serializer):
    decided_on = serializers.DateField()
    target_date = serializers.DateField()
    reason = serializers.CharField(max_length=2000)


class ClosureView(APIView):
    """An institution's closure: the decision (POST), and where each of its children went (GET)."""

    permission_classes = [HasCapability.for_("closures.write")]

    @extend_schema(responses=inline_serializer("Closure", {"decided_on": serializers.DateField()}))
    def get(self, request, id):
        institution = institution_for_closure(user=request.user, id=id)
        closure = closure_of(institution=institution)
        if closure is None:
            raise NotFound(_("No closure was recorded for this institution."))
        return Response(closure_report(user=request.user, closure=closure))

    @extend_schema(
        request=ClosureInput, responses=inline_serializer("ClosureCreated", {"decided_on": serializers.DateField()})
    )
    def post(self, request, id):
        institution = institution_for_closure(user=request.user, id=id)
        data = ClosureInput(data=request.data)
        data.is_valid(raise_exception=True)
        closure = closure_record(actor=request.user, institution=institution, **data.validated_data)
        return Response(closure_report(user=request.user, closure=closure), status=201)


urlpatterns = [
    path("institutions/<uuid:id>/closure/", ClosureView.as_view(), name="institution-closure"),
    path("indicators/", IndicatorsView.as_view(), name="indicators"),
    path("indicators/export/", IndicatorsExportView.as_view(), name="indicators-export"),
    path("capacity-gaps/", CapacityGapsView.as_view(), name="capacity-gaps"),
]
