"""When two records may be the same person registered twice (issue 14; API.md, "Names and duplicates").

Pure Python: given the facts of a record and of another, which reasons say they may be one person.
Every door that creates a family or a child (API, pages, import, admin) asks this through the
duplicate check (register.services.duplicates), and the finder of pairs already registered
(`find_duplicates`, nightly) asks the same function, so a pair flagged afterwards is one that
would have been flagged on the way in.

- Families: the same phone, the same national ID, or a close name (register.rules.names) of the
  primary carer with the same date of birth. A phone is shared within a household more often than
  a name and a birth date are shared by strangers: each is only a *possible* duplicate, confirmed
  by a person with a reason.
- Children: the same id in a partner system (Primero, OSCaR: the same system's id), or a close name
  with the same date of birth and home commune (the birth date alone meets too many children with
  common names across the country).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from register.rules.names import names_close


class Reason(StrEnum):
    SAME_PHONE = "same_phone"
    SAME_NATIONAL_ID = "same_national_id"
    SIMILAR_NAME_SAME_BIRTH_DATE = "similar_name_same_birth_date"
    SAME_EXTERNAL_ID = "same_external_id"
    SIMILAR_NAME_SAME_BIRTH_DATE_AND_COMMUNE = "similar_name_same_birth_date_and_commune"


CARER_REASONS = (Reason.SAME_PHONE, Reason.SAME_NATIONAL_ID, Reason.SIMILAR_NAME_SAME_BIRTH_DATE)
CHILD_REASONS = (Reason.SAME_EXTERNAL_ID, Reason.SIMILAR_NAME_SAME_BIRTH_DATE_AND_COMMUNE)


def national_id_key(value: str | None) -> str:
    """A national ID as compared: spaces and hyphens typed between its groups ignored, case folded."""
    return "".join(ch for ch in (value or "") if ch not in " -").upper()


def external_id_key(value) -> str:
    return value.strip() if isinstance(value, str) else ""


@dataclass(frozen=True)
class PersonFacts:
    """What the rule reads of a record. `names` is (given, family, given_latin, family_latin)."""

    names: tuple[str, str, str, str]
    date_of_birth: datetime.date | None
    # Families
    phone: str = ""
    national_id: str = ""
    # Children
    external_ids: Mapping[str, str] = field(default_factory=dict)
    home_commune: str = ""


def carer_duplicate_reasons(new: PersonFacts, other: PersonFacts) -> list[str]:
    """Why family `other` may be the family `new` again (empty: it is not a possible duplicate)."""
    reasons = []
    if new.phone and new.phone == other.phone:
        reasons.append(Reason.SAME_PHONE.value)
    nid = national_id_key(new.national_id)
    if nid and nid == national_id_key(other.national_id):
        reasons.append(Reason.SAME_NATIONAL_ID.value)
    if new.date_of_birth and new.date_of_birth == other.date_of_birth and names_close(new.names, other.names):
        reasons.append(Reason.SIMILAR_NAME_SAME_BIRTH_DATE.value)
    return reasons


def child_duplicate_reasons(new: PersonFacts, other: PersonFacts) -> list[str]:
    """Why child `other` may be the child `new` again (empty: it is not a possible duplicate)."""
    reasons = []
    if shared_external_ids(new.external_ids, other.external_ids):
        reasons.append(Reason.SAME_EXTERNAL_ID.value)
    if (
        new.date_of_birth
        and new.date_of_birth == other.date_of_birth
        and new.home_commune
        and new.home_commune == other.home_commune
        and names_close(new.names, other.names)
    ):
        reasons.append(Reason.SIMILAR_NAME_SAME_BIRTH_DATE_AND_COMMUNE.value)
    return reasons


def shared_external_ids(a: Mapping[str, str], b: Mapping[str, str]) -> list[str]:
    """The partner systems in which both records carry the same id."""
    b = b or {}
    return [k for k, v in (a or {}).items() if external_id_key(v) and external_id_key(v) == external_id_key(b.get(k))]


def duplicate_reasons(kind: str, new: PersonFacts, other: PersonFacts) -> list[str]:
    return carer_duplicate_reasons(new, other) if kind == "carer" else child_duplicate_reasons(new, other)
