from django.urls import include, path
from rest_framework.routers import SimpleRouter

from notifications import api

router = SimpleRouter()
api.register_routes(router)

urlpatterns = [*api.urlpatterns, path("", include(router.urls))]
