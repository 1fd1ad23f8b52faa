"""The pages of duplicates (issue 14): the registrar's form shows the possible duplicates beside it
and registers with a reason; supervisors list pairs, compare the two records and resolve them."""

import pytest
from django.urls import reverse

from register import models as m
from register.roles import Role
from tests.factories import CarerFactory, ChildFactory
from tests.web.test_carer_pages import HOUSEHOLD, OFFER, PERSON, PLACE, step

pytestmark = pytest.mark.django_db


def register_through_the_form(client, person, **last):
    url = reverse("web:carer_create")
    client.get(url)
    for data in (person, PLACE, HOUSEHOLD):
        step(client, url, data)
    return step(client, url, {**OFFER, **last}, action="save")


def test_the_form_shows_the_candidates_and_registers_with_a_reason(client, registrar):
    existing = CarerFactory(phone="+85512444555", reference="FC-02-000042")
    other_province = CarerFactory(
        national_id="777111", reference="FC-12-000009", commune_id="120101", district_id="1201", province_id="12"
    )
    page = register_through_the_form(client, {**PERSON, "national_id": "777111"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="possible-duplicates"' in html and "FC-02-000042" in html
    assert reverse("web:carer_detail", args=[existing.pk]) in html and "the same phone" in html
    assert 'data-testid="duplicate-elsewhere"' in html  # said to exist, never which
    assert "FC-12-000009" not in html and str(other_province.pk) not in html
    assert m.Carer.objects.count() == 2

    saved = step(
        client, reverse("web:carer_create"), {**OFFER, "duplicate_reviewed": "Her brother's phone."}, action="save"
    )
    assert saved.status_code == 302
    carer = m.Carer.objects.exclude(pk__in=[existing.pk, other_province.pk]).get()
    entry = m.AuditEntry.objects.get(action="create", object_id=str(carer.pk))
    assert entry.changes["duplicate_reviewed"] == [None, "Her brother's phone."]
    assert m.DuplicatePair.objects.filter(status="open").count() == 2


def test_a_family_with_no_match_is_registered_at_once(client, registrar):
    assert register_through_the_form(client, PERSON).status_code == 302


def pair_of(a, b):
    a, b = sorted((a.pk, b.pk), key=str)
    return m.DuplicatePair.objects.create(kind="carer", carer_a_id=a, carer_b_id=b, reasons=["same_phone"])


def test_a_supervisor_lists_compares_and_merges(page_for):
    kept = CarerFactory(reference="FC-02-000001", phone="+85512000001")
    other = CarerFactory(reference="FC-02-000002", phone="+85512000002")
    pair = pair_of(kept, other)
    supervisor = page_for(Role.SUPERVISOR)
    listed = supervisor.get(reverse("web:duplicate_list")).content.decode()
    assert "FC-02-000001 ~ FC-02-000002" in listed and "the same phone" in listed
    detail = supervisor.get(reverse("web:duplicate_detail", args=[pair.pk])).content.decode()
    assert "+85512000001" in detail and "+85512000002" in detail and 'data-testid="duplicate-resolve"' in detail
    url = reverse("web:duplicate_resolve", args=[pair.pk])
    refused = supervisor.post(url, {"decision": "merge", "reason": "Same card."})
    assert refused.status_code == 400 and "Say which of the two records to keep." in refused.content.decode()
    done = supervisor.post(url, {"decision": "merge", "keep": str(kept.pk), "reason": "Same card."})
    assert done.status_code == 302
    other.refresh_from_db()
    assert other.merged_into == kept
    assert supervisor.get(reverse("web:carer_detail", args=[other.pk]))["Location"] == reverse(
        "web:carer_detail", args=[kept.pk]
    )
    assert "FC-02-000001 ~" not in supervisor.get(reverse("web:duplicate_list")).content.decode()  # no longer open


def test_registrars_are_not_offered_the_page(page_for):
    registrar = page_for(Role.REGISTRAR)
    assert registrar.get(reverse("web:duplicate_list")).status_code == 403
    home = reverse("web:dashboard")
    assert reverse("web:duplicate_list") not in registrar.get(home, follow=True).content.decode()
    assert reverse("web:duplicate_list") in page_for(Role.SUPERVISOR).get(home, follow=True).content.decode()


def test_a_national_admins_notice_leads_to_the_possible_duplicates(page_for):
    from notifications.models import Kind, Notification, Reminder
    from notifications.services import possible_duplicate_reminders_create

    admin = page_for(Role.NATIONAL_ADMIN, ())
    child = ChildFactory(reference="CH-02-000005")
    assert possible_duplicate_reminders_create(kind="child", record_ids=[str(child.pk)]) == 1
    reminder = Reminder.objects.get(kind=Kind.POSSIBLE_DUPLICATE)
    Notification.objects.create(reminder=reminder, recipient=admin.user, kind=reminder.kind, channel="inbox")
    page = admin.get(reverse("web:notifications")).content.decode()
    assert "CH-02-000005" in page and reverse("web:duplicate_list") in page and "Dara" not in page
