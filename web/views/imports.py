"""Importing families from a spreadsheet: upload, a dry run listing every row's errors, then the
real import as a background job whose progress the page polls (htmx, every second).

The job belongs to the registrar who uploaded it (its file holds personal data): anyone else gets
404. The import itself is register.services.imports.carer_import, all or nothing, audited."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from register.errors import DomainError
from register.selectors.import_jobs import carer_import_job_get, carer_import_job_list
from register.services import import_jobs as jobs
from register.services.imports import (
    COLUMNS,
    REQUIRED_COLUMNS,
    TEMPLATE_FORMATS,
    ImportFileError,
    carer_import_template,
)
from web.access import capability_required
from web.forms.imports import ImportUploadForm

CARERS_SHOWN = 200  # families linked on the outcome; the list page has them all
ERRORS_SHOWN = 500  # a page of thousands of errors helps no one: the first ones, and how many more


@capability_required("carers.write")
def carer_import(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = jobs.carer_import_job_check(actor=request.user, file=upload, filename=upload.name)
        except ImportFileError as exc:
            form.add_error("file", exc.message)
        else:
            url = reverse("web:carer_import_job", args=[job.pk])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    context = {
        "form": form,
        "jobs": carer_import_job_list(user=request.user).select_related("created_by")[:10],
        "columns": COLUMNS,
        "required": REQUIRED_COLUMNS,
    }
    return render(request, "web/imports/upload.html", context)


@require_GET
@capability_required("carers.write")
def carer_import_template_download(request, format):
    if format not in TEMPLATE_FORMATS:
        raise Http404
    content, content_type, filename = carer_import_template(format=format)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@capability_required("carers.write")
def carer_import_job(request, id):
    job = carer_import_job_get(user=request.user, id=id)
    return render(request, "web/imports/job.html", _job_context(job))


@require_POST
@capability_required("carers.write")
def carer_import_run(request, id):
    job = carer_import_job_get(user=request.user, id=id)
    error = ""
    try:
        job = jobs.carer_import_job_start(actor=request.user, job=job)
    except DomainError as exc:
        error = str(exc.detail)
    if request.htmx:
        job = carer_import_job_get(user=request.user, id=id)
        return render(request, "web/imports/_progress.html", _job_context(job) | {"run_error": error})
    return redirect("web:carer_import_job", id=job.pk)


@require_GET
@capability_required("carers.write")
def carer_import_progress(request, id):
    """The job's progress, polled by htmx every second while it is queued or running; once it
    has finished the answer no longer asks to be polled, and shows the outcome."""
    job = carer_import_job_get(user=request.user, id=id)
    return render(request, "web/imports/_progress.html", _job_context(job))


def _job_context(job) -> dict:
    return {
        "job": job,
        "percent": round(job.progress * 100),
        "carers_shown": job.carers[:CARERS_SHOWN],
        "carers_more": max(len(job.carers) - CARERS_SHOWN, 0),
        "errors_shown": job.errors[:ERRORS_SHOWN],
        "errors_more": max(len(job.errors) - ERRORS_SHOWN, 0),
    }


urlpatterns = [
    path("carers/import/", carer_import, name="carer_import"),
    path(
        "carers/import/template.<str:format>",
        carer_import_template_download,
        name="carer_import_template",
    ),
    path("carers/import/<uuid:id>/", carer_import_job, name="carer_import_job"),
    path("carers/import/<uuid:id>/run/", carer_import_run, name="carer_import_run"),
    path("carers/import/<uuid:id>/progress/", carer_import_progress, name="carer_import_progress"),
]
