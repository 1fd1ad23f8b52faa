"""(being written)"""

from django.http import Http404
from django.urls import path


def _todo(request):
    raise Http404


urlpatterns: list = []
urlpatterns.append(path("match/", _todo, name="match_workbench"))
urlpatterns.append(path("batch-plans/", _todo, name="batch_plan_list"))
