"""(being written)"""

from django.http import Http404
from django.urls import path


def _todo(request):
    raise Http404


urlpatterns: list = []
urlpatterns.append(path("visits/", _todo, name="my_visits"))
