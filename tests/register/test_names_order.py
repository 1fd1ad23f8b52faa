"""Names sorted in Khmer order (issue 14): the `khmer` collation gives ICU's Khmer order on the
database the tests run on (PostgreSQL's ICU collation, or SQLite's, registered from PyICU)."""

import icu
import pytest

from register.collation import ICU_LOCALE, khmer_order
from register.models import Institution
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

NAMES = ["សុខា", "ចំរើន", "ចាន់ណា", "គឹម", "ស៊ុន", "អ៊ុក", "ឯម", "ដារ៉ា", "ចាន់ណារី", "ស្រី", "ឫទ្ធី", "Sokha", "channa"]


def test_the_database_sorts_names_as_icus_khmer_rules():
    for name in NAMES:
        InstitutionFactory(name=name)
    stored = list(Institution.objects.order_by(khmer_order("name"), "id").values_list("name", flat=True))
    collator = icu.Collator.createInstance(icu.Locale(ICU_LOCALE))
    assert stored == sorted(NAMES, key=collator.getSortKey)
    # Not the code points' order: Khmer names first (the km rules), Latin ones whatever their case.
    assert stored[-2:] == ["channa", "Sokha"] and sorted(NAMES)[:2] == ["Sokha", "channa"]
    assert stored != sorted(NAMES)
