"""Every admin page opens, and versioned policies are never edited in place."""

import json

import pytest
from django.contrib import admin

from matching.models import MatchingPolicy
from notifications.models import ReminderPolicy
from register.roles import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def national(client):
    user = make_user(Role.NATIONAL_ADMIN, is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_every_changelist_and_add_page_opens(national):
    for model in admin.site._registry:
        meta = model._meta
        response = national.get(f"/admin/{meta.app_label}/{meta.model_name}/")
        assert response.status_code == 200, meta.label
        add = national.get(f"/admin/{meta.app_label}/{meta.model_name}/add/")
        assert add.status_code in (200, 403), meta.label  # 403 where records come only from services


def test_changing_the_matching_policy_adds_a_version(national):
    current = MatchingPolicy.current()
    weights = {**current.weights, "kinship": 5.0}
    response = national.post(
        f"/admin/matching/matchingpolicy/{current.pk}/change/",
        {
            "weights": json.dumps(weights),
            "distance_scale_km": 30,
            "max_candidates": 100,
            "plan_k_start": 8,
            "plan_time_limit_s": 8,
            "notes": "more weight on kin",
        },
    )
    assert response.status_code == 302, response.content[:500]
    newest = MatchingPolicy.current()
    assert newest.pk != current.pk and newest.weights["kinship"] == 5.0
    current.refresh_from_db()
    assert current.weights["kinship"] == 4.0, "the old version is kept as it was"


def test_matching_policy_weights_are_validated(national):
    current = MatchingPolicy.current()
    response = national.post(
        f"/admin/matching/matchingpolicy/{current.pk}/change/",
        {
            "weights": json.dumps({"kinship": -1}),
            "distance_scale_km": 30,
            "max_candidates": 100,
            "plan_k_start": 8,
            "plan_time_limit_s": 8,
        },
    )
    assert response.status_code == 200 and MatchingPolicy.objects.count() == 1


def test_changing_the_reminder_policy_adds_a_version(national):
    current = ReminderPolicy.current()
    response = national.post(
        f"/admin/notifications/reminderpolicy/{current.pk}/change/",
        {
            "due_soon_days_before": 2,
            "overdue_days_after": 1,
            "escalate_days_after": 5,
            "review_due_days_before": 30,
            "max_attempts": 5,
            "backoff_seconds": 60,
            "lease_seconds": 120,
        },
    )
    assert response.status_code == 302
    assert ReminderPolicy.current().escalate_days_after == 5 and ReminderPolicy.objects.count() == 2
