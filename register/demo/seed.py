"""`seed_register()`: the stages in order, in one transaction, and one audit entry for the whole seed."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from register.demo.carers import STAGES, CarerStage
from register.demo.children import ChildStage
from register.demo.institutions import InstitutionStage
from register.demo.placements import PlacementStage
from register.models import AuditEntry


@dataclass
class SeedResult:
    counts: dict[str, int]
    seconds: float


class Seeder(InstitutionStage, CarerStage, ChildStage, PlacementStage):
    """The stages, in the order their rows depend on each other."""

    def run(self, *, n_carers: int, n_children: int, n_institutions: int) -> dict[str, int]:
        institutions = self._institutions(n_institutions)
        self._carers(n_carers)
        children = self._children(n_children, institutions)
        self._placements_and_children(children)
        self._save_sequences()
        order = [
            "institutions", "carers", *(f"  {s}" for s, _ in STAGES), "  review overdue", "household members",
            "checks", "trainings", "safeguarding concerns", "  open", "status changes", "children",
            "  in_residential_care", "  awaiting_placement", "  placed", "  reunified", "sibling groups",
            "kin links", "exclusions", "placements", "  active", "  ended", "visits", "  completed", "  missed",
            "  open (overdue)", "  open (upcoming)", "  cancelled", "status events",
        ]  # fmt: skip
        return {k: self.counts[k] for k in order}


def seed_register(
    *, carers: int = 300, children: int = 200, institutions: int = 12, seed: int = 1, today=None
) -> SeedResult:
    """Write a synthetic register of the given sizes, in one transaction. Returns what was created."""
    started = time.perf_counter()
    with transaction.atomic():
        counts = Seeder(seed=seed, today=today or timezone.localdate()).run(
            n_carers=carers, n_children=children, n_institutions=institutions
        )
        AuditEntry.objects.create(
            actor=None,
            actor_username="seed_demo",
            action=AuditEntry.Action.CREATE,
            model="seed_demo",
            object_id="",
            object_repr=f"demo register, seed {seed}",
            changes={"seed": seed, **counts},
        )
    return SeedResult(counts=counts, seconds=time.perf_counter() - started)
