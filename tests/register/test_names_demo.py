"""The demo register in Khmer (issue 14): people have Khmer-script names with their romanised forms,
institutions Khmer names, and the search keys are written beside them as the services write them."""

import io

import pytest
from django.core.management import call_command

from register.demo.names import KHMER_FAMILY, KHMER_FEMALE, KHMER_MALE
from register.models import Carer, CarerSearchKey, Child, ChildSearchKey, HouseholdMember, Institution
from register.rules.names import carer_search_keys, child_search_keys, is_khmer
from register.selectors.names import carers_named, children_named

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("seed_demo", "--carers", "120", "--children", "80", stdout=io.StringIO())


def test_the_name_lists_are_khmer_with_latin_beside():
    for name in (*KHMER_FAMILY, *KHMER_FEMALE, *KHMER_MALE):
        assert is_khmer(name) and name.latin.isascii() and name.latin.isalpha(), name
    # One romanisation per Khmer name, and no name twice.
    assert len({n.latin for n in KHMER_FAMILY}) == len(set(KHMER_FAMILY)) == len(KHMER_FAMILY)


def test_demo_people_have_khmer_names_and_romanised_forms(seeded):
    carers = list(Carer.objects.all())
    khmer = [c for c in carers if is_khmer(c.given_name)]
    assert len(khmer) / len(carers) > 0.8
    assert all(c.given_name_latin and c.family_name_latin for c in khmer)
    assert all(c.household_name.startswith("គ្រួសារ ") for c in carers)
    assert HouseholdMember.objects.exclude(given_name_latin="").exists()
    assert Child.objects.exclude(given_name_latin="").count() / Child.objects.count() > 0.8
    assert all(is_khmer(i.name) for i in Institution.objects.all())


def test_demo_search_keys_are_the_services_keys(seeded):
    carer = Carer.objects.filter(given_name_latin__gt="").order_by("reference").first()
    stored = set(CarerSearchKey.objects.filter(carer=carer).values_list("key", flat=True))
    assert stored == carer_search_keys(carer)
    child = Child.objects.order_by("reference").first()
    assert set(ChildSearchKey.objects.filter(child=child).values_list("key", flat=True)) == child_search_keys(child)
    assert carer in carers_named(Carer.objects.all(), f"{carer.family_name} {carer.given_name_latin}")
    assert child in children_named(Child.objects.all(), child.given_name)
