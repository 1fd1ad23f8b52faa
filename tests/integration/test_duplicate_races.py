"""Two registrars registering the same phone at the same moment, on PostgreSQL (issue 14): real
concurrent transactions, one connection per thread. The duplicate check's advisory locks serve
them one after the other, so exactly one family is created and the other registrar is told of it."""

import datetime

import pytest

from register.models import Carer
from register.roles import Role
from register.services.carers import carer_create
from register.services.duplicates import PossibleDuplicate
from tests.factories import make_user
from tests.integration.test_placement_races import ROUNDS, reference_data, run_at_once  # noqa: F401


def family(n: int, phone: str) -> dict:
    from register.models import Commune

    return {
        "household_name": f"Race household {n}",
        "given_name": ("Sophea", "Vanna")[n - 1],
        "family_name": "Chan",
        "sex": "female",
        "date_of_birth": datetime.date(1970 + n, 1, 1),
        "phone": phone,
        "commune": Commune.objects.get(code="020101"),
        "languages": ["km"],
        "religion": "buddhism",
        "ethnicity": "khmer",
        "max_children": 2,
        "age_min": 0,
        "age_max": 12,
        "sexes_accepted": ["female", "male"],
        "max_sibling_group": 2,
        "care_types": ["long_term"],
    }


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_registrars_with_the_same_phone_at_once_create_one_family(reference_data, round_):  # noqa: F811
    first, second = make_user(Role.REGISTRAR, ("02",)), make_user(Role.REGISTRAR, ("02",))
    phone = f"+8551277700{round_}"
    outcomes = run_at_once(
        [
            lambda: carer_create(actor=first, data=family(1, phone)),
            lambda: carer_create(actor=second, data=family(2, phone)),
        ]
    )
    created = [o for o in outcomes if isinstance(o, Carer)]
    refused = [o for o in outcomes if isinstance(o, PossibleDuplicate)]
    assert len(created) == 1 and len(refused) == 1, outcomes
    assert refused[0].extra["candidates"][0]["reference"] == created[0].reference
    assert Carer.objects.filter(phone=phone).count() == 1
