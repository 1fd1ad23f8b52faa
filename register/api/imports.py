"""Importing foster families from a spreadsheet over HTTP (API.md, "Carers").

/api/v1/carers/import/              POST multipart `file` (CSV or XLSX), `dry_run` (default true)
/api/v1/carers/import/template/     GET the template, ?format=xlsx (default) or csv

Routed through `register.api.carers.extra_urls`, ahead of the router, so that `import` is never
read as a carer's id.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from register.api.permissions import HasCapability
from register.services import imports as services

TEMPLATE_PATH = "/api/v1/carers/import/template/"


class DryRunField(serializers.BooleanField):
    """true/false, 1/0, yes/no. Left out of a form, it stays true (DRF would read a missing
    checkbox as false, which here would mean writing); sent empty, it is refused."""

    default_empty_html = serializers.empty

    def get_value(self, dictionary):
        if self.field_name in dictionary and dictionary.get(self.field_name) == "":
            return ""  # DRF would fall back to the default; an empty value is a mistake to report
        return super().get_value(dictionary)


class CarerImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_("The families, one a row, as CSV (UTF-8, comma or semicolon) or XLSX (its first sheet).")
    )
    dry_run = DryRunField(
        default=True,
        help_text=_("Check the file and write nothing (the default). false: register every family, if all are valid."),
    )


class CarerImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text=_("The row as a spreadsheet numbers it: the header is row 1."))
    field = serializers.CharField(help_text=_("The column the error is about (empty for the row as a whole)."))
    message = serializers.CharField()


class CarerImportedSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    id = serializers.UUIDField(source="carer.id")
    reference = serializers.CharField(source="carer.reference")


class CarerImportResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text=_("Families (non-empty rows) in the file."))
    valid = serializers.IntegerField(help_text=_("Rows without any error."))
    created = serializers.IntegerField(help_text=_("Families registered: 0 on a dry run or when any row has an error."))
    dry_run = serializers.BooleanField()
    errors = CarerImportErrorSerializer(many=True)
    carers = CarerImportedSerializer(many=True, help_text=_("The families registered, with their references."))


IMPORT_DESCRIPTION = _(
    "Register foster families from a spreadsheet, one family a row. Download the template (header row and "
    "one example family) from `%(template)s?format=xlsx` or `?format=csv`. Columns: %(columns)s; "
    "required: %(required)s. Lists (languages, sexes_accepted, care_types, needs_supported) are separated "
    "by `;` or `,` in their cell; dates are YYYY-MM-DD (or date cells in XLSX); header names are matched "
    "whatever their case. Each row is checked as `POST /api/v1/carers/` would check it, and for duplicates "
    "(the same phone or national ID earlier in the file or already on the register). "
    "`dry_run` is true unless set to false; nothing is written unless every row is valid, and then every "
    "family is registered in one transaction. Row errors answer 200 with `errors`; a file that cannot be "
    "read (not CSV/XLSX, corrupt, empty, no header, over 5 MB or over 5,000 rows) answers 400 on `file`."
)


class CarerImportView(APIView):
    permission_classes = [HasCapability.for_("carers.write")]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="carers_import",
        tags=["carers"],
        request={"multipart/form-data": CarerImportInputSerializer},
        responses={200: CarerImportResultSerializer},
        description=str(
            IMPORT_DESCRIPTION
            % {
                "template": TEMPLATE_PATH,
                "columns": ", ".join(services.COLUMNS),
                "required": ", ".join(services.REQUIRED_COLUMNS),
            }
        ),
    )
    def post(self, request):
        serializer = CarerImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # An unreadable file is a ValidationError on `file`: the error handler answers 400 naming it.
        result = services.carer_import_upload(
            actor=request.user,
            upload=serializer.validated_data["file"],
            dry_run=serializer.validated_data["dry_run"],
        )
        return Response(CarerImportResultSerializer(result).data)


class IgnoreFormatNegotiation(DefaultContentNegotiation):
    """`?format=` picks the template's file format here, not a DRF renderer."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class TemplateQuerySerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=services.TEMPLATE_FORMATS, default="xlsx")


class CarerImportTemplateView(APIView):
    permission_classes = [HasCapability.for_("carers.write")]
    content_negotiation_class = IgnoreFormatNegotiation

    @extend_schema(
        operation_id="carers_import_template",
        tags=["carers"],
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=list(services.TEMPLATE_FORMATS),
                description=str(_("xlsx (the default) or csv")),
            )
        ],
        responses={
            (200, services.XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
        },
        description=str(
            _(
                "The import template: the header row and one example family (a made-up family in commune "
                "020101), as an attachment. The XLSX has a second sheet listing the values each column allows."
            )
        ),
    )
    def get(self, request):
        query = TemplateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        content, content_type, filename = services.carer_import_template(format=query.validated_data["format"])
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


urlpatterns = [
    path("carers/import/", CarerImportView.as_view(), name="carer-import"),
    path("carers/import/template/", CarerImportTemplateView.as_view(), name="carer-import-template"),
]
