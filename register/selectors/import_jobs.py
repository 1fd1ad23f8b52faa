"""Reading import jobs: a job holds a file of personal data, so only the registrar who uploaded it
(or a national administrator) sees it; anyone else gets 404, as for a job that does not exist."""

from __future__ import annotations

from django.db.models import QuerySet

from register.models import CarerImportJob
from register.selectors.carers import _get


def carer_import_job_list(*, user) -> QuerySet[CarerImportJob]:
    if user is None or not user.is_authenticated or not user.is_active:
        return CarerImportJob.objects.none()
    queryset = CarerImportJob.objects.defer("content").order_by("-created_at")
    return queryset if user.is_national else queryset.filter(created_by=user)


def carer_import_job_get(*, user, id) -> CarerImportJob:
    return _get(carer_import_job_list(user=user), id)
