"""The import page: upload a spreadsheet, a dry run listing each row's errors, then the real import
as a background job (run eagerly here) whose progress the page polls until it is done."""

import pytest
from django.urls import reverse

from register.models import AuditEntry, Carer, CarerImportJob
from register.roles import Role
from register.services.imports import carer_import
from tests.factories import CarerFactory, make_user
from tests.register.imports_factories import csv_bytes, import_row, upload, xlsx_bytes

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def check(client, content, name="families.csv"):
    return client.post(reverse("web:carer_import"), {"file": upload(content, name)})


def test_the_page_offers_the_templates_and_a_social_worker_gets_403(client, registrar):
    body = client.get(reverse("web:carer_import")).content.decode()
    assert 'data-testid="import-template-xlsx"' in body and 'data-testid="import-dry-run"' in body
    response = client.get(reverse("web:carer_import_template", args=["csv"]))
    assert response.status_code == 200 and b"household_name" in response.content
    assert client.get(reverse("web:carer_import_template", args=["pdf"])).status_code == 404
    client.force_login(make_user(Role.SOCIAL_WORKER))
    assert client.get(reverse("web:carer_import")).status_code == 403


def test_the_dry_run_lists_row_errors_and_writes_nothing(client, registrar):
    content = csv_bytes([import_row(), import_row(phone="12"), import_row(age_min="15", age_max="3")])
    response = check(client, content)
    assert response.status_code == 302
    job = CarerImportJob.objects.get()
    assert (job.rows, job.valid, job.status) == (3, 1, "checked")
    assert job.content == b""  # a file with errors is not kept
    body = client.get(response["Location"]).content.decode()
    assert body.count('data-testid="import-error-row"') == 2
    assert "<td>3</td>" in body and "<code>phone</code>" in body and "<code>age_max</code>" in body
    assert 'data-testid="import-run"' not in body
    assert not Carer.objects.exists()


def test_an_unreadable_file_is_refused_beside_the_field(client, registrar):
    response = check(client, b"%PDF-1.4 not a table", "families.pdf")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_file_error"' in body and ".pdf" in body
    assert not CarerImportJob.objects.exists()


def test_the_real_import_runs_as_a_job_and_reaches_done(client, registrar, django_capture_on_commit_callbacks):
    content = xlsx_bytes([import_row(), import_row(), import_row()])
    job_url = check(client, content, "families.xlsx")["Location"]
    body = client.get(job_url).content.decode()
    assert 'data-testid="import-run"' in body and "3" in body
    job = CarerImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("web:carer_import_run", args=[job.pk]), **HTMX)
    assert response.status_code == 200
    job.refresh_from_db()
    assert job.status == "done" and job.progress == 1.0 and job.created == 3
    assert job.content == b""  # the file is dropped once imported
    assert Carer.objects.count() == 3
    assert AuditEntry.objects.filter(model="register.CarerImport", actor=registrar).count() == 1
    # The poll now shows the outcome and stops polling.
    body = client.get(reverse("web:carer_import_progress", args=[job.pk]), **HTMX).content.decode()
    assert 'data-status="done"' in body and "every 1s" not in body
    assert 'value="100"' in body
    for carer in Carer.objects.all():
        assert carer.reference in body and reverse("web:carer_detail", args=[carer.pk]) in body
    # Starting it again imports nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("web:carer_import_run", args=[job.pk]))
    assert Carer.objects.count() == 3


def test_a_queued_job_is_polled_with_a_progress_bar(client, registrar, django_capture_on_commit_callbacks):
    job_url = check(client, csv_bytes([import_row()]))["Location"]
    job = CarerImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=False):  # no worker yet
        response = client.post(reverse("web:carer_import_run", args=[job.pk]))
    assert response.status_code == 302
    body = client.get(job_url).content.decode()
    assert 'data-status="queued"' in body and 'hx-trigger="every 1s"' in body
    assert '<progress max="100" value="0" data-testid="import-progress">' in body


def test_a_failed_import_shows_its_errors(client, registrar, django_capture_on_commit_callbacks):
    row = import_row()
    check(client, csv_bytes([row]))
    job = CarerImportJob.objects.get()
    # Between the check and the import, someone registers the same phone.
    CarerFactory(phone=row["phone"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("web:carer_import_run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "failed"
    body = client.get(reverse("web:carer_import_job", args=[job.pk])).content.decode()
    assert 'data-testid="import-failed"' in body and "Possibly registered already" in body
    assert Carer.objects.count() == 1


def test_a_job_is_seen_only_by_its_creator_or_a_national_admin(client, registrar):
    check(client, csv_bytes([import_row()]))
    job = CarerImportJob.objects.get()
    colleague = make_user(Role.REGISTRAR, ("02",))
    client.force_login(colleague)
    assert client.get(reverse("web:carer_import_job", args=[job.pk])).status_code == 404
    assert client.post(reverse("web:carer_import_run", args=[job.pk])).status_code == 404
    assert client.get(reverse("web:carer_import_progress", args=[job.pk])).status_code == 404
    assert job.filename not in client.get(reverse("web:carer_import")).content.decode()
    client.force_login(make_user(Role.NATIONAL_ADMIN))
    assert client.get(reverse("web:carer_import_job", args=[job.pk])).status_code == 200


def test_the_import_reports_its_progress_up_to_the_end(registrar):
    seen = []
    content = csv_bytes([import_row() for _ in range(4)])
    result = carer_import(
        actor=registrar, file=upload(content), filename="families.csv", dry_run=False, progress=seen.append
    )
    assert result.created == 4
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert any(0 < value < 0.25 for value in seen)  # checking the rows comes first


def test_a_job_whose_task_was_lost_is_queued_again(registrar, django_capture_on_commit_callbacks):
    import datetime

    from django.utils import timezone

    from register.services.import_jobs import carer_import_job_check, carer_import_jobs_requeue_stale

    job = carer_import_job_check(actor=registrar, file=upload(csv_bytes([import_row()])), filename="f.csv")
    CarerImportJob.objects.filter(pk=job.pk).update(
        status="queued", created_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    assert carer_import_jobs_requeue_stale() == 1  # run eagerly here
    job.refresh_from_db()
    assert job.status == "done" and Carer.objects.count() == 1


def test_the_job_page_shows_the_first_errors_and_how_many_more(client, registrar):
    rows = [import_row(phone="12") for _ in range(3)]
    check(client, csv_bytes(rows))
    job = CarerImportJob.objects.get()
    job.errors = job.errors * 300
    job.save()
    body = client.get(reverse("web:carer_import_job", args=[job.pk])).content.decode()
    assert body.count('data-testid="import-error-row"') == 500
    assert 'data-testid="import-errors-more"' in body


def test_uploading_a_file_is_audited_at_once_with_its_name_and_rows(client, registrar):
    # Issue 13, finding 7: the upload itself is on the trail, not only a run of the import.
    response = check(client, csv_bytes([import_row(), import_row(phone="12")]), name="battambang.csv")
    assert response.status_code == 302
    job = CarerImportJob.objects.get()
    entry = AuditEntry.objects.get(model="register.CarerImportJob", object_id=str(job.pk))
    assert entry.action == "create" and entry.actor == registrar
    assert entry.changes == {
        "filename": [None, "battambang.csv"],
        "rows": [None, 2],
        "valid": [None, 1],
        "errors": [None, 1],
    }
