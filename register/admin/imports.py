"""The admin page for importing families from a spreadsheet: an "Import families" button on the
families' list leads to a form (file, dry run) that shows each row's errors or the families
registered, and offers the template in both formats.

The pages hang off the Carer admin registered by register/admin/carers.py: its URLs get the import
paths in front (ahead of `<object_id>/`), and its list gets to know whether to show the button.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from register.models import Carer
from register.roles import role_has
from register.services import imports as services


def may_import(user) -> bool:
    return bool(user.is_active and (user.is_superuser or role_has(getattr(user, "role", None), "carers.write")))


class CarerImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("CSV (UTF-8, comma or semicolon) or Excel .xlsx (its first sheet).")
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file, write nothing"),
        required=False,
        initial=True,
    )


def carer_import_view(request):
    if not may_import(request.user):
        raise PermissionDenied
    result = None
    if request.method == "POST":
        form = CarerImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = services.carer_import_upload(
                    actor=request.user,
                    upload=form.cleaned_data["file"],
                    dry_run=form.cleaned_data["dry_run"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)  # keyed by `file`: shown beside the field
    else:
        form = CarerImportForm()
    context = {
        **admin.site.each_context(request),
        "title": _("Import families"),
        "opts": Carer._meta,
        "form": form,
        "result": result,
        "columns": services.COLUMNS,
        "required_columns": services.REQUIRED_COLUMNS,
        "template_urls": [
            (fmt.upper(), reverse("admin:register_carer_import_template", args=[fmt]))
            for fmt in services.TEMPLATE_FORMATS
        ],
    }
    return TemplateResponse(request, "admin/register/carer/import.html", context)


def carer_import_template_view(request, fmt: str):
    if not may_import(request.user):
        raise PermissionDenied
    if fmt not in services.TEMPLATE_FORMATS:
        raise Http404
    content, content_type, filename = services.carer_import_template(format=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _attach(model_admin: admin.ModelAdmin) -> None:
    get_urls, changelist_view = model_admin.get_urls, model_admin.changelist_view

    def get_import_urls():
        site = model_admin.admin_site
        return [
            path("import/", site.admin_view(carer_import_view), name="register_carer_import"),
            path(
                "import/template.<str:fmt>",
                site.admin_view(carer_import_template_view),
                name="register_carer_import_template",
            ),
            *get_urls(),
        ]

    def changelist_with_import(request, extra_context=None):
        extra = {"can_import_carers": may_import(request.user), **(extra_context or {})}
        return changelist_view(request, extra_context=extra)

    model_admin.get_urls = get_import_urls
    model_admin.changelist_view = changelist_with_import


_attach(admin.site.get_model_admin(Carer))
