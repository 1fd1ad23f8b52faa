"""Names in both scripts on the pages (issue 14): shown as written with the romanised form beside
it, entered in both, and found by the pages' search boxes in either script."""

import pytest
from django.urls import reverse

from tests.factories import CarerFactory, ChildFactory
from web.forms.carers import HouseholdMemberForm, PersonStepForm

pytestmark = pytest.mark.django_db


def khmer_carer(**kwargs):
    return CarerFactory(
        given_name="ចាន់ណា", family_name="ស៊ុន", given_name_latin="Channa", family_name_latin="Sun", **kwargs
    )


def test_the_carer_pages_show_both_scripts(client, registrar):
    carer = khmer_carer()
    detail = client.get(reverse("web:carer_detail", args=[carer.pk])).content.decode()
    assert "ចាន់ណា ស៊ុន" in detail
    assert '<span class="romanised muted" lang="km-Latn">(Channa Sun)</span>' in detail
    listed = client.get(reverse("web:carer_list")).content.decode()
    assert "ចាន់ណា ស៊ុន" in listed and "(Channa Sun)" in listed


def test_a_latin_only_name_is_shown_once(client, registrar):
    carer = CarerFactory(given_name="Sophea", family_name="Chan", given_name_latin="Sophea", family_name_latin="Chan")
    detail = client.get(reverse("web:carer_detail", args=[carer.pk])).content.decode()
    assert "Sophea Chan" in detail and "(Sophea Chan)" not in detail


def test_the_search_boxes_find_either_script(client, registrar):
    carer = khmer_carer()
    other = CarerFactory(given_name="សុភា", family_name="ហេង", household_name="Heng")
    for text in ("ចាន់ណា", "chana", "Sun Channa", "\u179f\u17bb\u17ca\u1793"):
        body = client.get(reverse("web:carer_list"), {"search": text}).content.decode()
        assert carer.reference in body and other.reference not in body, text


def test_the_child_pages_show_and_find_both_scripts(page_for):
    officer = page_for()
    child = ChildFactory(given_name="សុខា", family_name="ជា", given_name_latin="Sokha", family_name_latin="Chea")
    detail = officer.get(reverse("web:child_detail", args=[child.pk])).content.decode()
    assert "សុខា ជា" in detail and "(Sokha Chea)" in detail
    body = officer.get(reverse("web:child_list"), {"search": "Chia"}).content.decode()
    assert child.reference in body


def test_the_forms_check_each_script():
    base = {"household_name": "Sun", "given_name": "ចាន់ណា", "family_name": "ស៊ុន", "sex": "female"}
    form = PersonStepForm(data={**base, "given_name_latin": "ចាន់ណា"})
    form.is_valid()
    assert "given_name_latin" in form.errors and "given_name" not in form.errors
    member = HouseholdMemberForm(data={"given_name": "Dara\x07", "family_name": "Sun", "family_name_latin": "Sun"})
    member.is_valid()
    assert "given_name" in member.errors and "family_name_latin" not in member.errors
