"""factory-boy factories shared by every test module."""

import datetime

import factory
from django.contrib.auth.models import Group

from register import models as m
from register.models import Province, User
from register.roles import Role
from register.services.names import carer_search_keys_write, child_search_keys_write

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)


def make_user(role: str = Role.REGISTRAR, provinces=("02",), **kwargs) -> User:
    """A staff user with one role and its provinces (national admins get none: they see all)."""
    user = UserFactory(**kwargs)
    user.groups.set([Group.objects.get(name=role)])
    if role != Role.NATIONAL_ADMIN:
        user.provinces.set(Province.objects.filter(code__in=provinces))
    # Drop cached role/provinces so the object reflects what was just set.
    for attr in ("role", "province_codes"):
        user.__dict__.pop(attr, None)
    return user


# --- The register's records. Factories write rows directly (no services) to set up a scene;
# tests of behaviour go through the services and the API. -----------------------------------


def commune(code: str = "020101") -> m.Commune:
    """A real commune from the gazetteer (default: one in Battambang, province 02)."""
    return m.Commune.objects.get(code=code)


def first_commune_in(province: str) -> m.Commune:
    return m.Commune.objects.filter(province_id=province).order_by("code").first()


class CarerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Carer
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"FC-TS-{n:06d}")
    status = m.Carer.Status.APPROVED
    household_name = factory.Sequence(lambda n: f"Household {n}")
    given_name = "Sophea"
    family_name = "Chan"
    sex = "female"
    # One birth date each (1950 to 1969), so that families made here are not possible duplicates of
    # one another (a close name and the same birth date, issue 14) nor of carer_payload's 1980 family.
    date_of_birth = factory.Sequence(lambda n: datetime.date(1950, 1, 1) + datetime.timedelta(days=n % 7000))
    phone = factory.Sequence(lambda n: f"+85512{n:06d}")
    commune = factory.LazyFunction(lambda: commune("020101"))
    district = factory.LazyAttribute(lambda c: c.commune.district)
    province = factory.LazyAttribute(lambda c: c.commune.province)
    languages = factory.LazyFunction(lambda: ["km"])
    religion = "buddhism"
    ethnicity = "khmer"
    max_children = 2
    age_min = 0
    age_max = 17
    sexes_accepted = factory.LazyFunction(lambda: ["female", "male"])
    max_sibling_group = 3
    care_types = factory.LazyFunction(lambda: ["short_term", "long_term"])
    needs_supported = factory.LazyFunction(list)
    approved_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))
    review_due = factory.LazyAttribute(
        lambda c: c.approved_on + datetime.timedelta(days=365) if c.approved_on else None
    )

    @factory.post_generation
    def search_keys(obj, create, extracted, **kwargs):
        # What the services write with every family (register.services.names), so that search finds it.
        if create:
            carer_search_keys_write(carers=[obj])


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Institution

    name = factory.Sequence(lambda n: f"Children's Centre {n}")
    kind = m.Institution.Kind.RESIDENTIAL_CARE
    commune = factory.LazyFunction(lambda: commune("020101"))
    province = factory.LazyAttribute(lambda i: i.commune.province)


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Child
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"CH-TS-{n:06d}")
    given_name = "Dara"
    family_name = "Sok"
    sex = "male"
    date_of_birth = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=365 * 8))
    institution = factory.SubFactory(InstitutionFactory)
    home_commune = factory.LazyFunction(lambda: commune("020101"))
    languages = factory.LazyFunction(lambda: ["km"])
    religion = "buddhism"
    ethnicity = "khmer"
    care_type_needed = "long_term"
    status = m.Child.Status.AWAITING_PLACEMENT
    province = factory.LazyAttribute(lambda c: c.institution.province if c.institution else c.home_commune.province)

    @factory.post_generation
    def search_keys(obj, create, extracted, **kwargs):
        if create:
            child_search_keys_write(children=[obj])
