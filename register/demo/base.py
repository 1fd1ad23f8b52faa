"""What every stage of the demo seed shares: the random generators, the register as it stands, counts."""

from __future__ import annotations

import datetime
import math
import random
import uuid
from collections import Counter, defaultdict

from register.demo.draw import weighted
from register.demo.facts import CarerInfo
from register.demo.names import search_key_rows
from register.demo.places import CARER_WEIGHT_IN_INSTITUTION_PROVINCES, INSTITUTION_PROVINCES, Gazetteer
from register.demo.writer import Writer
from register.models import Carer, Child, ReferenceSequence, TrainingModule, User, VisitPolicy
from register.roles import Role


class SeedError(Exception):
    """The register cannot be seeded (for example, the gazetteer is not loaded)."""


class SeederBase:
    """The state the stages share; each stage (institutions, carers, children, placements) is a subclass
    adding its own steps, and `seed.Seeder` runs them in order."""

    def __init__(self, *, seed: int, today: datetime.date):
        self.rng = random.Random(seed)
        # The dates of the status history (register.models.StatusEvent), apart from the main draws.
        self.history_rng = random.Random(f"history:{seed}")
        self.today = today
        self.writer = Writer()
        self._calls: dict[str, int] = {}
        self.kin: list[dict] = []
        self.exclusions: list[dict] = []
        self.counts: Counter[str] = Counter()
        self.gaz = Gazetteer.load()
        if not self.gaz.communes_by_province:
            raise SeedError("The gazetteer is empty: run `manage.py migrate` first.")
        # Ids come from their own generator, so that a second seed on the same database gets new ones.
        existing = Carer.objects.count(), Child.objects.count()
        self.id_rng = random.Random(f"ids:{seed}:{existing}")
        self.modules = list(
            TrainingModule.objects.order_by("code").values_list("code", "supports_needs", "required_for_approval")
        )
        self.required_modules = [code for code, _, required in self.modules if required]
        self.optional_modules = [(code, needs) for code, needs, required in self.modules if not required]
        self.policy = VisitPolicy.current()
        self.phones = set(Carer.objects.values_list("phone", flat=True))
        self.sequences = {
            (s.prefix, s.province_id): s
            for s in ReferenceSequence.objects.select_for_update().filter(prefix__in=["FC", "CH"])
        }
        self.last_number: dict[tuple[str, str], int] = {k: s.last for k, s in self.sequences.items()}
        self.social_workers: dict[str, list[int]] = defaultdict(list)
        for user_id, province in (
            User.provinces.through.objects.filter(user__groups__name=Role.SOCIAL_WORKER, user__is_active=True)
            .order_by("province_id", "user_id")
            .values_list("user_id", "province_id")
        ):
            self.social_workers[province].append(user_id)
        self.carers: list[CarerInfo] = []
        self.carers_by_province: dict[str, list[CarerInfo]] = defaultdict(list)
        self.carer_by_id: dict[uuid.UUID, CarerInfo] = {}
        self.province_codes = sorted(self.gaz.communes_by_province)
        # Carers (and children not in an institution) are spread over every province by its number of
        # communes, with more where the institutions are.
        self.province_weights = [
            len(self.gaz.communes_by_province[c])
            * (CARER_WEIGHT_IN_INSTITUTION_PROVINCES if c in INSTITUTION_PROVINCES else 1)
            for c in self.province_codes
        ]

    # --- helpers -------------------------------------------------------------------------------------------

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.id_rng.getrandbits(128), version=4)

    def _every(self, key: str, rate: float) -> bool:
        """True for an evenly spread `rate` share of the calls with this key, so that rare things (open
        concerns, overdue visits) exist even in a small register."""
        n = self._calls[key] = self._calls.get(key, 0) + 1
        return math.floor(n * rate + 0.5) > math.floor((n - 1) * rate + 0.5)

    def _days_ago(self, low: int, high: int) -> datetime.date:
        return self.today - datetime.timedelta(days=self.rng.randint(low, high))

    def _reference(self, prefix: str, province: str) -> str:
        number = self.last_number.get((prefix, province), 0) + 1
        self.last_number[(prefix, province)] = number
        return f"{prefix}-{province}-{number:06d}"

    def _weighted(self, pairs):
        return weighted(self.rng, pairs)

    def _bulk(self, model, rows: list[dict], key: str) -> None:
        self.writer.write(model, rows)
        if keys := search_key_rows(model, rows):  # carers' and children's search keys beside them
            self.writer.write(*keys)
        self.counts[key] += len(rows)
        rows.clear()

    def _save_sequences(self) -> None:
        new, changed = [], []
        for (prefix, province), last in sorted(self.last_number.items()):
            seq = self.sequences.get((prefix, province))
            if seq is None:
                new.append(ReferenceSequence(prefix=prefix, province_id=province, last=last))
            elif seq.last != last:
                seq.last = last
                changed.append(seq)
        ReferenceSequence.objects.bulk_create(new)
        ReferenceSequence.objects.bulk_update(changed, ["last"])
