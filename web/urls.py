"""The pages' addresses. Each area's view module keeps its own `urlpatterns`; they are joined here
under the `web` namespace (`{% url 'web:carer_list' %}`)."""

from django.urls import path

from web.views import (
    account,
    auth,
    carers,
    children,
    dashboard,
    duplicates,
    followup,
    imports,
    matching,
    monitoring,
    notifications,
    offline,
    two_factor,
    visits,
)

app_name = "web"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    *two_factor.urlpatterns,
    *account.urlpatterns,
    *carers.urlpatterns,
    *imports.urlpatterns,
    *children.urlpatterns,
    *duplicates.urlpatterns,
    *matching.urlpatterns,
    *followup.urlpatterns,
    *visits.urlpatterns,
    *notifications.urlpatterns,
    *monitoring.urlpatterns,
    *offline.urlpatterns,
]
