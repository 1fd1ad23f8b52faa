"""A person's age: completed years on a day. Pure Python, so matching's core can share it.

Who counts as an adult (the register's children are under 18, a primary carer 18 or over) is a field
rule: register/inputs/people.py (ADULT_AGE).
"""

from __future__ import annotations

import datetime


def age_on(born: datetime.date, day: datetime.date) -> int:
    """Completed years on `day` (a child born on 29 February turns a year older on 1 March)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
