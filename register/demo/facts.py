"""What the stages tell each other of the families and children they made: small slotted records
rather than model instances, as a large seed makes 100,000 of them."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field


@dataclass(slots=True)
class CarerInfo:
    """What later stages (kin, placements) need to know of a carer, without keeping model instances."""

    id: uuid.UUID
    province: str
    status: str
    first_approved: datetime.date | None
    eligible: bool  # approved, review not overdue, no open concern
    max_children: int
    max_sibling_group: int
    age_min: int
    age_max: int
    sexes: tuple[str, ...]
    care_types: tuple[str, ...]
    needs: frozenset[str]
    review_due: datetime.date | None = None
    open_concern: bool = False
    placed: bool = False  # holds an active placement (the demo gives a family one at most)


@dataclass(slots=True)
class ChildInfo:
    """What placement needs to know of a child, beside the row that is written."""

    id: uuid.UUID
    province: str  # where the child is now
    home_province: str
    sex: str
    age: int
    born: datetime.date
    needs: frozenset[str]
    care_type: str
    kin: list[uuid.UUID] = field(default_factory=list)
