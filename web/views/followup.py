"""(being written)"""

from django.http import Http404
from django.urls import path


def _todo(request):
    raise Http404


urlpatterns: list = []
urlpatterns.append(path("placements/", _todo, name="placement_list"))
urlpatterns.append(path("follow-up/", _todo, name="followup_queue"))
