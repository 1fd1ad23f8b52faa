from django.urls import include, path
from rest_framework.routers import SimpleRouter

from register.api import auth, carers, children, duplicates, placements, reference

router = SimpleRouter()
router.register("provinces", reference.ProvinceViewSet, basename="province")
router.register("districts", reference.DistrictViewSet, basename="district")
router.register("communes", reference.CommuneViewSet, basename="commune")
router.register("villages", reference.VillageViewSet, basename="village")
# Each area module adds its own routes (and extra paths) here.
for area in (carers, children, placements, duplicates):
    area.register_routes(router)

urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="auth-token"),
    path("auth/logout/", auth.LogoutView.as_view(), name="auth-logout"),
    path("me/", auth.MeView.as_view(), name="me"),
    *carers.extra_urls,
    *children.extra_urls,
    *placements.extra_urls,
    path("", include(router.urls)),
]
