"""A synthetic demo register on the real gazetteer: Cambodian names, no real people.

`seed_register()` writes institutions, carers at every stage of their lifecycle (with household, checks,
training, concerns and status history), children (sibling groups, kin, exclusions) and placements with
their follow-up visits, in one transaction. Rows are built in memory as plain dicts and written in batches
(COPY on PostgreSQL, bulk_create elsewhere), with the gazetteer read once and no query per row, so 100,000
carers and 50,000 children take a minute or two. The same seed on the same day gives the same register (ids
included, on an empty database).

It writes the models directly, not through the services: seeding is not anyone's action. One audit entry
summarises the whole seed instead.
"""

from __future__ import annotations

import datetime
import json
import math
import random
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.utils import timezone

from register.models import (
    AuditEntry,
    Carer,
    CarerCheck,
    CarerExclusion,
    CarerStatusChange,
    CarerTraining,
    Child,
    Commune,
    District,
    HouseholdMember,
    Institution,
    KinLink,
    Placement,
    PlacementChild,
    Province,
    ReferenceSequence,
    SafeguardingConcern,
    SiblingGroup,
    TrainingModule,
    User,
    Village,
    Visit,
    VisitPolicy,
)
from register.roles import Role
from register.visit_schedule import visit_due_dates

BATCH = 2000

# --- Names (written in Latin letters; common names, never real people's records) ---------------------------

KHMER_FAMILY = [
    "Chan", "Sok", "Kim", "Ly", "Heng", "Keo", "Sam", "Chea", "Meas", "Nhem", "Pich", "Prak", "Seng", "Touch",
    "Vong", "Yim", "Ouk", "Mao", "Long", "Srey", "Sao", "Hem", "Chhay", "Khiev", "Lim", "Noun", "Oeur", "Phan",
    "Rath", "Sim", "Tep", "Un", "Chhun", "Huot", "Kong", "Mom", "Nget", "Pen", "Soeun", "Thach",
]  # fmt: skip
KHMER_FEMALE = [
    "Sreymom", "Sophea", "Channary", "Bopha", "Dalin", "Kanha", "Leakhena", "Malis", "Rachana", "Sokunthea",
    "Thida", "Vanna", "Chenda", "Kunthea", "Nary", "Pisey", "Sreyleak", "Sreypov", "Sokhom", "Chanthy", "Davy",
    "Lida", "Mealea", "Phalla", "Sreyneang", "Raksmey", "Sotheary", "Vicheka", "Sokleap", "Theary",
]  # fmt: skip
KHMER_MALE = [
    "Dara", "Sokha", "Vuthy", "Rithy", "Piseth", "Sovann", "Chanthou", "Bunthoeun", "Kosal", "Narith", "Samnang",
    "Visal", "Sambath", "Vannak", "Sophal", "Rotha", "Sovannarith", "Chantha", "Makara", "Pheakdey", "Ratanak",
    "Sothy", "Veasna", "Bunna", "Chamroeun", "Kimhong", "Mony", "Panha", "Seyha", "Virak",
]  # fmt: skip
CHAM_FAMILY = ["Math", "Sos", "Sen", "Tay", "Yusos", "Mat", "Ly", "Kob", "Sles", "Him"]
CHAM_FEMALE = ["Fatimah", "Aisah", "Mariam", "Halimah", "Saleha", "Rokiah", "Zainab", "Safiyah", "Khadijah"]
CHAM_MALE = ["Ahmad", "Ismail", "Yusof", "Musa", "Osman", "Saleh", "Rohim", "Idris", "Harun", "Sulaiman"]
VIETNAMESE_FAMILY = ["Nguyen", "Tran", "Le", "Pham", "Vo", "Huynh", "Phan", "Dang"]
VIETNAMESE_FEMALE = ["Lan", "Mai", "Hoa", "Thu", "Hanh", "Linh", "Ngoc", "Huong"]
VIETNAMESE_MALE = ["Minh", "Hung", "Tuan", "Long", "Hai", "Nam", "Thanh", "Duc"]

# --- Where things are -------------------------------------------------------------------------------------

# MoSVY's mapping of residential care: most institutions are in these five provinces (share of them here).
INSTITUTION_PROVINCES = {"12": 0.40, "17": 0.25, "02": 0.15, "08": 0.10, "18": 0.10}
INSTITUTION_SHARE = 0.87
# Carers are spread over every province, by number of communes, with more where the institutions are.
CARER_WEIGHT_IN_INSTITUTION_PROVINCES = 3.0
# Minorities by province: share of households (the rest are Khmer).
CHAM_SHARE = {"03": 0.20, "25": 0.25, "07": 0.10, "04": 0.08, "12": 0.03}
INDIGENOUS_SHARE = {"16": 0.55, "11": 0.50, "19": 0.12, "13": 0.08}
INDIGENOUS_LANGUAGES = {"16": ["krr", "tpu", "jra"], "11": ["cmo"], "19": ["krr"], "13": ["kdt"]}
VIETNAMESE_SHARE = {"08": 0.05, "04": 0.05, "12": 0.04, "20": 0.03, "15": 0.03}
CHINESE_SHARE = {"12": 0.04, "18": 0.02}

INSTITUTION_NAMES = [
    "Angkor", "Mekong", "Lotus", "Hope", "New Life", "Sunrise", "Bright Future", "Little Stars", "Tonle Sap",
    "Rainbow", "Green Rice", "Peace", "Golden Palm", "Morning Light", "Safe Haven",
    "Friends", "Harvest", "Blue Lotus", "Kapok Tree",
]  # fmt: skip
INSTITUTION_KINDS = [
    # kind, weight, name patterns
    (Institution.Kind.RESIDENTIAL_CARE, 70, ["{n} Children's Centre", "{n} Orphanage", "{n} Children's Home"]),
    (Institution.Kind.TRANSIT_HOME, 10, ["{n} Transit Home"]),
    (Institution.Kind.GROUP_HOME, 8, ["{n} Group Home"]),
    (Institution.Kind.PAGODA, 7, ["Wat {c} Pagoda Children's Shelter"]),
    (Institution.Kind.BOARDING_SCHOOL, 5, ["{n} Boarding School"]),
]

# --- Register content ----------------------------------------------------------------------------------------

# Lifecycle stage of a carer: (status, share); approved ones include ~5% of all whose review is overdue.
STAGES = [
    (Carer.Status.ENQUIRY, 0.10),
    (Carer.Status.ASSESSMENT, 0.10),
    (Carer.Status.TRAINING, 0.10),
    (Carer.Status.APPROVED, 0.60),
    (Carer.Status.ON_HOLD, 0.05),
    (Carer.Status.DEREGISTERED, 0.05),
]
REVIEW_OVERDUE_SHARE_OF_APPROVED = 0.05 / 0.60
ACTIVE_PLACEMENT_SHARE = 0.15  # of approved carers
ENDED_PLACEMENT_SHARE = 0.03  # of approved carers
AGE_TERMS = [(0, 17), (0, 5), (0, 10), (3, 12), (5, 17), (6, 14), (10, 17), (2, 15)]
REFERENCE_SOURCES = ["village chief", "commune council member", "neighbour", "pagoda committee member", "teacher"]
CONCERNS = [
    "A neighbour reported that a child was left alone at home overnight.",
    "The child's teacher reported repeated unexplained absences from school.",
    "A child said an adult in the household uses physical punishment.",
    "A visit found the home without safe drinking water and very little food.",
    "An adult household member was reported drinking heavily in front of the children.",
]
ON_HOLD_REASONS = [
    "The family is moving house; no new placements until the new home is assessed.",
    "The primary carer is in hospital for several weeks.",
    "A safeguarding concern is being looked into.",
]
DEREGISTERED_REASONS = [
    "The family withdrew: the primary carer took work in Thailand.",
    "The family withdrew after the assessment.",
    "A check was failed.",
    "The family moved out of the province and did not re-apply.",
]
EXCLUSION_REASONS = [
    "A long-standing dispute between this family and the child's family.",
    "The child told the social worker they are afraid of a member of this household.",
    "This household is close to the person the child was protected from.",
]
KIN_RELATIONSHIPS = [
    (KinLink.Relationship.GRANDPARENT, 40),
    (KinLink.Relationship.AUNT_UNCLE, 35),
    (KinLink.Relationship.ADULT_SIBLING, 10),
    (KinLink.Relationship.OTHER_RELATIVE, 10),
    (KinLink.Relationship.FAMILY_FRIEND, 5),
]
NEEDS_OF_CHILDREN = [
    ("physical_disability", 15),
    ("intellectual_disability", 15),
    ("sensory_impairment", 8),
    ("chronic_illness", 12),
    ("hiv_care", 10),
    ("mental_health", 12),
    ("behavioural_support", 20),
]
# Mobile prefixes and subscriber number lengths that libphonenumber accepts for Cambodia (+855).
MOBILE_PREFIXES = [
    ("12", 6), ("12", 7), ("10", 6), ("11", 6), ("15", 6), ("16", 6), ("17", 6), ("61", 6), ("69", 6),
    ("70", 6), ("77", 6), ("78", 6), ("85", 6), ("89", 6), ("92", 6), ("93", 6), ("95", 6), ("96", 7),
    ("97", 7), ("98", 6), ("99", 6),
]  # fmt: skip
VISIT_NOTES = {
    "settled": "The child is settled and going to school.",
    "concerns": "Some worries about the child's sleep and appetite; visit again soon.",
    "urgent": "The child asked to leave; the supervisor was told the same day.",
}
# Children's ages in institutions: fewer babies and toddlers than school-age children.
CHILD_AGES = [(age, 1 if age < 3 else 2 if age < 6 else 4) for age in range(18)]
LAT_RANGE = (9.5, 15.0)
LON_RANGE = (102.0, 108.0)


class SeedError(Exception):
    """The register cannot be seeded (for example, the gazetteer is not loaded)."""


@dataclass
class SeedResult:
    counts: dict[str, int]
    seconds: float


@dataclass(slots=True)
class _CarerInfo:
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
    placed: bool = False


@dataclass(slots=True)
class _ChildInfo:
    id: uuid.UUID
    province: str  # where the child is now
    home_province: str
    sex: str
    age: int
    born: datetime.date
    needs: frozenset[str]
    care_type: str
    kin: list[uuid.UUID] = field(default_factory=list)


@dataclass
class _Gazetteer:
    province_point: dict[str, tuple[float, float]]
    communes_by_province: dict[str, list[tuple[str, str, float | None, float | None]]]
    district_point: dict[str, tuple[float | None, float | None]]
    villages_by_commune: dict[str, list[str]]
    commune_name: dict[str, str]
    nearby: dict[str, list[str]]

    @classmethod
    def load(cls) -> _Gazetteer:
        province_point = {
            code: (clat if clat is not None else lat, clon if clon is not None else lon)
            for code, lat, lon, clat, clon in Province.objects.order_by("code").values_list(
                "code", "lat", "lon", "centroid_lat", "centroid_lon"
            )
        }
        district_point = {c: (lat, lon) for c, lat, lon in District.objects.values_list("code", "lat", "lon")}
        communes_by_province: dict[str, list] = defaultdict(list)
        commune_name = {}
        for code, district, province, lat, lon, name in Commune.objects.order_by("code").values_list(
            "code", "district_id", "province_id", "lat", "lon", "name_en"
        ):
            communes_by_province[province].append((code, district, lat, lon))
            commune_name[code] = name
        villages_by_commune: dict[str, list[str]] = defaultdict(list)
        for code, commune in Village.objects.order_by("code").values_list("code", "commune_id"):
            villages_by_commune[commune].append(code)
        nearby = {
            code: sorted((p for p in province_point if p != code), key=lambda p: _km(province_point[p], point))[:4]
            for code, point in province_point.items()
        }
        return cls(
            province_point, dict(communes_by_province), district_point, villages_by_commune, commune_name, nearby
        )


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = a, b
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6371 * math.hypot(x, math.radians(lat2 - lat1))


def _one_year_after(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _row(**values):
    """One row to write: field attnames (`carer_id`, not `carer`) to values."""
    return values


class _Writer:
    """Writes rows of a model in bulk: COPY on PostgreSQL (several times faster than INSERT, which
    matters for 100,000 carers), bulk_create of model instances elsewhere (SQLite for `make run`).
    Fields left out get their defaults; auto_now fields get the time the seed started."""

    def __init__(self):
        self.copy = connection.vendor == "postgresql"
        self.now = timezone.now()
        self._plans: dict[type, tuple[str, list]] = {}

    def write(self, model, rows: list[dict]) -> None:
        if not rows:
            return
        if not self.copy:
            model.objects.bulk_create([model(**r) for r in rows], batch_size=BATCH)
            return
        sql, plan = self._plan(model)
        missing = object()
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for r in rows:
                values = []
                for attname, default, is_json in plan:
                    v = r.get(attname, missing)
                    if v is missing:
                        v = default() if callable(default) else default
                    values.append(json.dumps(v) if is_json else v)
                copy.write_row(values)

    def _plan(self, model) -> tuple[str, list]:
        if model not in self._plans:
            plan, columns = [], []
            for f in model._meta.concrete_fields:
                if f.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField"):
                    continue  # numbered by the database
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                    default = self.now
                else:
                    default = f.default if f.has_default() and callable(f.default) else f.get_default()
                plan.append((f.attname, default, isinstance(f, models.JSONField)))
                columns.append(connection.ops.quote_name(f.column))
            table = connection.ops.quote_name(model._meta.db_table)
            self._plans[model] = (f"COPY {table} ({', '.join(columns)}) FROM STDIN", plan)
        return self._plans[model]


def seed_register(
    *, carers: int = 300, children: int = 200, institutions: int = 12, seed: int = 1, today=None
) -> SeedResult:
    """Write a synthetic register of the given sizes, in one transaction. Returns what was created."""
    started = time.perf_counter()
    with transaction.atomic():
        counts = _Seeder(seed=seed, today=today or timezone.localdate()).run(
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


class _Seeder:
    def __init__(self, *, seed: int, today: datetime.date):
        self.rng = random.Random(seed)
        self.today = today
        self.writer = _Writer()
        self._calls: dict[str, int] = {}
        self.kin: list[dict] = []
        self.exclusions: list[dict] = []
        self.counts: Counter[str] = Counter()
        self.gaz = _Gazetteer.load()
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
        self.carers: list[_CarerInfo] = []
        self.carers_by_province: dict[str, list[_CarerInfo]] = defaultdict(list)
        self.carer_by_id: dict[uuid.UUID, _CarerInfo] = {}
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

    def _phone(self) -> str:
        while True:
            prefix, digits = self.rng.choice(MOBILE_PREFIXES)
            number = f"+855{prefix}{self.rng.randrange(1, 10)}{self.rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def _weighted(self, pairs):
        values, weights = zip(*pairs, strict=True)
        return self.rng.choices(values, weights)[0]

    def _point(self, commune) -> tuple[float, float]:
        code, district, lat, lon = commune
        if lat is None or lon is None:
            lat, lon = self.gaz.district_point.get(district, (None, None))
        if lat is None or lon is None:
            lat, lon = self.gaz.province_point[code[:2]]
        lat = min(max(lat + self.rng.uniform(-0.02, 0.02), LAT_RANGE[0] + 0.01), LAT_RANGE[1] - 0.01)
        lon = min(max(lon + self.rng.uniform(-0.02, 0.02), LON_RANGE[0] + 0.01), LON_RANGE[1] - 0.01)
        return round(lat, 6), round(lon, 6)

    def _culture(self, province: str):
        """(ethnicity, religion, languages, female names, male names, family names) for a household here."""
        r = self.rng.random()
        if r < CHAM_SHARE.get(province, 0):
            return "cham", "islam", ["cjm", "km"], CHAM_FEMALE, CHAM_MALE, CHAM_FAMILY
        r -= CHAM_SHARE.get(province, 0)
        if r < INDIGENOUS_SHARE.get(province, 0):
            religion = self._weighted([("animism", 70), ("christianity", 20), ("buddhism", 10)])
            languages = [self.rng.choice(INDIGENOUS_LANGUAGES[province]), "km"]
            return "indigenous", religion, languages, KHMER_FEMALE, KHMER_MALE, KHMER_FAMILY
        r -= INDIGENOUS_SHARE.get(province, 0)
        if r < VIETNAMESE_SHARE.get(province, 0):
            religion = self._weighted([("buddhism", 70), ("christianity", 25), ("none", 5)])
            return "vietnamese", religion, ["vi", "km"], VIETNAMESE_FEMALE, VIETNAMESE_MALE, VIETNAMESE_FAMILY
        r -= VIETNAMESE_SHARE.get(province, 0)
        if r < CHINESE_SHARE.get(province, 0.005):
            return "chinese", "buddhism", ["km", "zh"], KHMER_FEMALE, KHMER_MALE, KHMER_FAMILY
        religion = self._weighted([("buddhism", 96), ("christianity", 3), ("none", 1)])
        languages = ["km", "en"] if self.rng.random() < 0.08 else ["km"]
        return "khmer", religion, languages, KHMER_FEMALE, KHMER_MALE, KHMER_FAMILY

    def _bulk(self, model, rows: list[dict], key: str) -> None:
        self.writer.write(model, rows)
        self.counts[key] += len(rows)
        rows.clear()

    # --- the stages ----------------------------------------------------------------------------------------

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
            "  open (overdue)", "  open (upcoming)", "  cancelled",
        ]  # fmt: skip
        return {k: self.counts[k] for k in order}

    def _institutions(self, n: int) -> list[tuple[uuid.UUID, str, str, bool]]:
        """(id, province, commune, closing) of each new institution."""
        in_five = round(n * INSTITUTION_SHARE)
        others = [p for p in self.gaz.communes_by_province if p not in INSTITUTION_PROVINCES]
        provinces = [self._weighted(INSTITUTION_PROVINCES.items()) for _ in range(in_five)]
        provinces += [self.rng.choice(others) for _ in range(n - in_five)]
        closing = set(self.rng.sample(range(in_five), min(in_five, max(2, round(n * 0.08))))) if n >= 4 else set()
        rows, result, used = [], [], set()
        for i, province in enumerate(provinces):
            commune = self.rng.choice(self.gaz.communes_by_province[province])
            kind, _, patterns = self._weighted([((k, w, p), w) for k, w, p in INSTITUTION_KINDS])
            name = ""
            for _attempt in range(5):
                name = self.rng.choice(patterns).format(
                    n=self.rng.choice(INSTITUTION_NAMES), c=self.gaz.commune_name[commune[0]]
                )
                if name not in used:
                    break
            if name in used:
                name = f"{name} {self.gaz.commune_name[commune[0]]}"
            used.add(name)
            pk = self._uuid()
            rows.append(
                _row(
                    id=pk,
                    name=name,
                    kind=kind,
                    commune_id=commune[0],
                    province_id=province,
                    status=Institution.Status.CLOSING if i in closing else Institution.Status.OPEN,
                    inspection_score=self.rng.randint(35, 95),
                )
            )
            result.append((pk, province, commune[0], i in closing))
        self._bulk(Institution, rows, "institutions")
        return result

    def _carer_provinces(self, n: int) -> list[str]:
        # Every province gets at least one family when there are enough of them.
        first = self.province_codes[:n]
        return first + self.rng.choices(self.province_codes, self.province_weights, k=max(0, n - len(first)))

    def _carers(self, n: int) -> None:
        buffers: dict[type, list] = defaultdict(list)
        keys = {
            Carer: "carers",
            HouseholdMember: "household members",
            CarerCheck: "checks",
            CarerTraining: "trainings",
            SafeguardingConcern: "safeguarding concerns",
            CarerStatusChange: "status changes",
        }
        for province in self._carer_provinces(n):
            self._carer(province, buffers)
            if len(buffers[Carer]) >= BATCH:
                for model, key in keys.items():  # parents first
                    self._bulk(model, buffers[model], key)
        for model, key in keys.items():
            self._bulk(model, buffers[model], key)

    def _carer(self, province: str, out: dict[type, list]) -> None:
        rng = self.rng
        commune = rng.choice(self.gaz.communes_by_province[province])
        villages = self.gaz.villages_by_commune.get(commune[0])
        village = rng.choice(villages) if villages and rng.random() < 0.7 else None
        lat, lon = self._point(commune) if rng.random() < 0.3 else (None, None)
        ethnicity, religion, languages, female, male, family = self._culture(province)
        sex = "female" if rng.random() < 0.7 else "male"
        given = rng.choice(female if sex == "female" else male)
        family_name = rng.choice(family)
        age = rng.randint(24, 66)
        dob = self.today - datetime.timedelta(days=age * 365 + rng.randint(0, 364))
        pk = self._uuid()

        status = self._weighted(STAGES)
        approved_on = review_due = first_approved = None
        overdue = False
        if status == Carer.Status.APPROVED:
            overdue = rng.random() < REVIEW_OVERDUE_SHARE_OF_APPROVED
            approved_on = self._days_ago(366, 480) if overdue else self._days_ago(1, 360)
        elif status == Carer.Status.ON_HOLD:
            approved_on = self._days_ago(30, 360)
        elif status == Carer.Status.DEREGISTERED and rng.random() < 0.5:
            approved_on = self._days_ago(200, 900)
        if approved_on:
            review_due = _one_year_after(approved_on)
            first_approved = approved_on - datetime.timedelta(days=365 * rng.choice([0, 0, 1, 1, 2, 3]))
        enquiry_on = (
            first_approved - datetime.timedelta(days=rng.randint(90, 240)) if first_approved else self._days_ago(5, 300)
        )

        # Training and the needs the family is prepared for follow from each other.
        trainings: list[tuple[str, datetime.date]] = []
        needs: set[str] = set()
        if first_approved or status == Carer.Status.TRAINING:
            done_by = first_approved or self.today
            if first_approved or rng.random() < 0.4:
                trainings += [
                    (code, done_by - datetime.timedelta(days=rng.randint(7, 80))) for code in self.required_modules
                ]
            for code, supports in self.optional_modules:
                if rng.random() < (0.3 if first_approved else 0.15):
                    trainings.append((code, done_by - datetime.timedelta(days=rng.randint(1, 80))))
                    if supports:
                        k = len(supports) if rng.random() < 0.7 else rng.randint(1, len(supports))
                        needs.update(rng.sample(supports, k))
        age_min, age_max = rng.choice(AGE_TERMS)
        if "infant_care" in needs:
            age_min = 0
        max_children = self._weighted([(1, 30), (2, 40), (3, 20), (4, 10)])
        care_types = [
            t
            for t, p in (("emergency", 0.25), ("short_term", 0.6), ("long_term", 0.8), ("kinship", 0.3))
            if rng.random() < p
        ] or ["long_term"]
        sexes = self._weighted([(["female", "male"], 75), (["female"], 13), (["male"], 12)])
        in_pp = province == "12"
        out[Carer].append(
            _row(
                id=pk,
                reference=self._reference("FC", province),
                status=status,
                household_name=f"{family_name} household",
                given_name=given,
                family_name=family_name,
                sex=sex,
                date_of_birth=dob,
                national_id=f"{rng.randrange(10**8, 10**9)}" if rng.random() < 0.8 else "",
                phone=self._phone(),
                commune_id=commune[0],
                village_id=village,
                district_id=commune[1],
                province_id=province,
                address=f"House {rng.randint(1, 250)}, Street {rng.randint(1, 600)}" if in_pp else "",
                lat=lat,
                lon=lon,
                languages=languages,
                religion=religion,
                ethnicity=ethnicity,
                max_children=max_children,
                age_min=age_min,
                age_max=age_max,
                sexes_accepted=sexes,
                max_sibling_group=rng.randint(1, max_children) if rng.random() < 0.3 else max_children,
                care_types=care_types,
                needs_supported=sorted(needs),
                approved_on=approved_on,
                review_due=review_due,
            )
        )
        self.counts[f"  {status}"] += 1
        self.counts["  review overdue"] += overdue

        # The household.
        spouse_family = family_name
        if rng.random() < 0.75:
            spouse_sex = "male" if sex == "female" else "female"
            spouse_family = rng.choice(family)
            spouse_age = min(max(age + rng.randint(-6, 6), 20), 80)
            out[HouseholdMember].append(
                _row(
                    id=self._uuid(),
                    carer_id=pk,
                    given_name=rng.choice(female if spouse_sex == "female" else male),
                    family_name=spouse_family,
                    sex=spouse_sex,
                    date_of_birth=self.today - datetime.timedelta(days=spouse_age * 365 + rng.randint(0, 364)),
                    relationship=HouseholdMember.Relationship.SPOUSE,
                )
            )
        children_family = family_name if sex == "male" else spouse_family
        for _ in range(self._weighted([(0, 20), (1, 25), (2, 30), (3, 15), (4, 10)])):
            child_sex = rng.choice(["female", "male"])
            child_age = rng.randint(0, max(0, min(age - 18, 30)))
            out[HouseholdMember].append(
                _row(
                    id=self._uuid(),
                    carer_id=pk,
                    given_name=rng.choice(female if child_sex == "female" else male),
                    family_name=children_family,
                    sex=child_sex,
                    date_of_birth=self.today - datetime.timedelta(days=child_age * 365 + rng.randint(0, 364)),
                    relationship=HouseholdMember.Relationship.CHILD,
                )
            )
        if rng.random() < 0.15 and age < 60:
            parent_sex = rng.choice(["female", "male"])
            out[HouseholdMember].append(
                _row(
                    id=self._uuid(),
                    carer_id=pk,
                    given_name=rng.choice(female if parent_sex == "female" else male),
                    family_name=family_name if parent_sex == "male" else rng.choice(family),
                    sex=parent_sex,
                    date_of_birth=self.today - datetime.timedelta(days=(age + rng.randint(20, 30)) * 365),
                    relationship=HouseholdMember.Relationship.PARENT,
                )
            )

        # Checks: all passed before the latest approval; a subset, some pending, at earlier stages.
        checks: list[tuple[str, str, str]] = []  # kind, result, notes
        if approved_on:
            checks = [
                ("home_assessment", "passed", ""),
                ("police_clearance", "passed", ""),
                ("health_check", "passed", ""),
                *[("reference", "passed", f"Reference from a {s}.") for s in rng.sample(REFERENCE_SOURCES, 2)],
            ]
            checked_by = approved_on
        elif status == Carer.Status.TRAINING:
            checks = [
                ("home_assessment", "passed", ""),
                ("police_clearance", "passed", ""),
                ("health_check", "passed", ""),
            ]
            checks += [
                ("reference", "passed", f"Reference from a {s}.")
                for s in rng.sample(REFERENCE_SOURCES, rng.randint(1, 2))
            ]
            checked_by = self.today
        elif status == Carer.Status.ASSESSMENT:
            checks = [("home_assessment", "pending" if rng.random() < 0.6 else "passed", "")]
            if rng.random() < 0.5:
                checks.append(("police_clearance", "pending", ""))
            checked_by = self.today
        elif status == Carer.Status.DEREGISTERED:
            checks = [("home_assessment", "passed", "")]
            if rng.random() < 0.4:
                checks.append(("police_clearance", "failed", ""))
            checked_by = self.today
        for kind, result, notes in checks:
            checked_on = max(checked_by - datetime.timedelta(days=rng.randint(1, 150)), enquiry_on)
            out[CarerCheck].append(
                _row(
                    id=self._uuid(),
                    carer_id=pk,
                    kind=kind,
                    result=result,
                    checked_on=checked_on,
                    expires_on=checked_on + datetime.timedelta(days=3 * 365) if kind == "police_clearance" else None,
                    notes=notes,
                )
            )
        for code, completed_on in trainings:
            out[CarerTraining].append(_row(id=self._uuid(), carer_id=pk, module_id=code, completed_on=completed_on))

        # Safeguarding concerns: a few open ones keep families out of matching.
        open_concern = (status == Carer.Status.APPROVED and self._every("open concern", 0.015)) or (
            status == Carer.Status.ON_HOLD and rng.random() < 0.3
        )
        closed_p = {Carer.Status.APPROVED: 0.02, Carer.Status.DEREGISTERED: 0.2}
        if open_concern or rng.random() < closed_p.get(status, 0):
            raised_on = self._days_ago(3, 60) if open_concern else self._days_ago(61, 500)
            out[SafeguardingConcern].append(
                _row(
                    id=self._uuid(),
                    carer_id=pk,
                    raised_on=raised_on,
                    summary=rng.choice(CONCERNS),
                    status="open" if open_concern else "closed",
                    closed_on=None
                    if open_concern
                    else min(raised_on + datetime.timedelta(days=rng.randint(7, 60)), self.today),
                )
            )
            self.counts["  open"] += open_concern

        # The lifecycle history that led to this status.
        path = {
            Carer.Status.ENQUIRY: [],
            Carer.Status.ASSESSMENT: ["assessment"],
            Carer.Status.TRAINING: ["assessment", "training"],
            Carer.Status.APPROVED: ["assessment", "training", "approved"],
            Carer.Status.ON_HOLD: ["assessment", "training", "approved", "on_hold"],
            Carer.Status.DEREGISTERED: (
                ["assessment", "training", "approved", "deregistered"]
                if approved_on
                else ["assessment", "deregistered"]
            ),
        }[status]
        previous = "enquiry"
        for step in path:
            reason = ""
            if step == "on_hold":
                reason = rng.choice(ON_HOLD_REASONS)
            elif step == "deregistered":
                reason = rng.choice(DEREGISTERED_REASONS)
            out[CarerStatusChange].append(_row(carer_id=pk, from_status=previous, to_status=step, reason=reason))
            previous = step

        info = _CarerInfo(
            id=pk,
            province=province,
            status=status,
            first_approved=first_approved,
            eligible=status == Carer.Status.APPROVED and not overdue and not open_concern,
            max_children=max_children,
            max_sibling_group=out[Carer][-1]["max_sibling_group"],
            age_min=age_min,
            age_max=age_max,
            sexes=tuple(sexes),
            care_types=tuple(care_types),
            needs=frozenset(needs),
        )
        self.carers.append(info)
        self.carers_by_province[province].append(info)
        self.carer_by_id[pk] = info

    # --- children --------------------------------------------------------------------------------------------

    def _children(self, n: int, institutions) -> list[tuple[dict, _ChildInfo, int]]:
        """The children, each with what placement needs to know and the index of its family unit."""
        rng = self.rng
        weights = [(inst, 4 if inst[3] else 1) for inst in institutions]  # closing ones are the large ones
        groups: list[dict] = []
        result: list[tuple[dict, _ChildInfo, int]] = []
        unit = 0
        while len(result) < n:
            size = 1
            if rng.random() < 0.14:
                size = min(self._weighted([(2, 55), (3, 30), (4, 15)]), n - len(result))
            inst = self._weighted(weights) if institutions and rng.random() < 0.92 else None
            if inst:
                province = inst[1]
                home_province = province if rng.random() < 0.6 else rng.choice(self.gaz.nearby[province])
            else:
                province = home_province = self.rng.choices(self.province_codes, self.province_weights)[0]
            home = rng.choice(self.gaz.communes_by_province[home_province])[0]
            ethnicity, religion, languages, female, male, family = self._culture(home_province)
            family_name = rng.choice(family)
            group = None
            if size > 1:
                group = _row(id=self._uuid(), keep_together=rng.random() < 0.85)
                groups.append(group)
            care_type = self._weighted([("long_term", 60), ("short_term", 20), ("emergency", 10), ("kinship", 10)])
            closing = bool(inst and inst[3])
            for _ in range(size):
                sex = rng.choice(["female", "male"])
                age = self._weighted(CHILD_AGES)
                days = age * 365 + rng.randint(0, 364)
                if days < 30:
                    days = 30 + rng.randint(0, 300)
                needs: set[str] = set()
                if age < 2 and rng.random() < 0.6:
                    needs.add("infant_care")
                if rng.random() < 0.2:
                    needs.update(self._weighted(NEEDS_OF_CHILDREN) for _ in range(rng.choice([1, 1, 2])))
                pk = self._uuid()
                if inst:
                    status = "awaiting_placement" if rng.random() < (0.9 if closing else 0.5) else "in_residential_care"
                else:
                    status = "awaiting_placement"
                child = _row(
                    id=pk,
                    reference=self._reference("CH", province),
                    given_name=rng.choice(female if sex == "female" else male),
                    family_name=family_name,
                    sex=sex,
                    date_of_birth=self.today - datetime.timedelta(days=days),
                    institution_id=inst[0] if inst else None,
                    home_commune_id=home,
                    school_commune_id=(inst[2] if inst and rng.random() < 0.6 else home) if age >= 6 else None,
                    languages=languages,
                    religion=religion,
                    ethnicity=ethnicity,
                    needs=sorted(needs),
                    care_type_needed=care_type,
                    sibling_group_id=group["id"] if group else None,
                    status=status,
                    external_ids={"primero": f"PR-{rng.randrange(10**6):06d}"} if rng.random() < 0.3 else {},
                    province_id=province,
                )
                info = _ChildInfo(
                    id=pk,
                    province=province,
                    home_province=home_province,
                    sex=sex,
                    age=days // 365,
                    born=child["date_of_birth"],
                    needs=frozenset(needs),
                    care_type=care_type,
                )
                # keep-together groups move as one unit; the others' children one by one.
                result.append((child, info, unit))
                if not (group and group["keep_together"]):
                    unit += 1
            if group and group["keep_together"]:
                unit += 1
        self._bulk(SiblingGroup, groups, "sibling groups")
        self._kin_and_exclusions(result)
        return result

    def _kin_and_exclusions(self, children) -> None:
        """Kin for ~10% of families (brothers and sisters share theirs), among carers of the home province;
        and a few families excluded for a child, with the reason."""
        rng = self.rng
        kin: list[dict] = []
        approved_by_province = defaultdict(list)
        for c in self.carers:
            if c.status == Carer.Status.APPROVED:
                approved_by_province[c.province].append(c)
        families: dict[uuid.UUID, list[_ChildInfo]] = {}
        for child, info, _ in children:
            families.setdefault(child["sibling_group_id"] or child["id"], []).append(info)
        for members in families.values():
            candidates = self.carers_by_province.get(members[0].home_province)
            if not candidates or rng.random() >= 0.10:
                continue
            approved = approved_by_province[members[0].home_province]
            carer = rng.choice(approved if approved and rng.random() < 0.7 else candidates)
            relationship = self._weighted(KIN_RELATIONSHIPS)
            kinship = rng.random() < 0.6
            for info in members:
                info.kin.append(carer.id)
                if kinship:
                    info.care_type = "kinship"
                kin.append(_row(child_id=info.id, carer_id=carer.id, relationship=relationship))
        # A kinship need without kin is not realistic: ask for long-term care instead.
        for child, info, _ in children:
            if info.care_type == "kinship" and not info.kin:
                info.care_type = "long_term"
            child["care_type_needed"] = info.care_type
        self.kin = kin
        for child, info, _ in children:
            candidates = self.carers_by_province.get(info.province)
            if candidates and rng.random() < 0.02:
                carer = rng.choice(candidates)
                if carer.id not in info.kin:
                    self.exclusions.append(
                        _row(child_id=child["id"], carer_id=carer.id, reason=rng.choice(EXCLUSION_REASONS))
                    )

    # --- placements ------------------------------------------------------------------------------------------

    def _fits(self, carer: _CarerInfo, unit: list[_ChildInfo], *, kin: bool = False) -> bool:
        if len(unit) > carer.max_children or (len(unit) > 1 and len(unit) > carer.max_sibling_group):
            return False
        for c in unit:
            if not carer.age_min <= c.age <= carer.age_max or c.sex not in carer.sexes or not c.needs <= carer.needs:
                return False
            # Kinship care is for kin only; others must offer the care the child needs.
            if not kin and (c.care_type == "kinship" or c.care_type not in carer.care_types):
                return False
        return True

    def _placements_and_children(self, children) -> None:
        rng = self.rng
        units: dict[int, list[int]] = defaultdict(list)  # unit -> indexes into children
        for i, (_, _, unit) in enumerate(children):
            units[unit].append(i)
        # Units not placed yet, by province; a unit taken elsewhere is dropped when next met (lazily).
        pool: dict[str, list[int]] = defaultdict(list)
        for unit, members in units.items():
            pool[children[members[0]][1].province].append(unit)
        taken: set[int] = set()

        def members_of(unit: int) -> list[_ChildInfo]:
            return [children[i][1] for i in units[unit]]

        def find_unit(carer: _CarerInfo) -> int | None:
            """A unit that fits the carer's terms, from its province first, then the nearest ones."""
            for province, tries in ((carer.province, 30), *((p, 8) for p in self.gaz.nearby[carer.province])):
                here = pool.get(province)
                while tries > 0 and here:
                    position = rng.randrange(len(here))
                    unit = here[position]
                    if unit in taken:
                        here[position] = here[-1]
                        here.pop()
                        continue
                    tries -= 1
                    if self._fits(carer, members_of(unit)):
                        here[position] = here[-1]
                        here.pop()
                        taken.add(unit)
                        return unit
            return None

        approved = [c for c in self.carers if c.eligible]
        order = approved[:]
        rng.shuffle(order)
        target_active = round(sum(c.status == Carer.Status.APPROVED for c in self.carers) * ACTIVE_PLACEMENT_SHARE)
        target_ended = round(len(approved) * ENDED_PLACEMENT_SHARE) or (1 if approved else 0)
        plans: list[tuple[_CarerInfo, int, bool, str | None]] = []  # carer, unit, active, end reason

        # A few placements that ended: some children went home, some wait again for a new family.
        veterans = [c for c in order if c.first_approved <= self.today - datetime.timedelta(days=120)]
        for carer in veterans[:target_ended]:
            unit = find_unit(carer)
            if unit is None:
                continue
            reason = self._weighted([("reunified", 50), ("breakdown", 30), ("moved", 20)])
            # Those not reunified wait again, but are not placed again here: dates would overlap.
            plans.append((carer, unit, False, reason))

        # Kinship first: about half the children with an eligible relative live with them.
        active = 0
        for unit in sorted(units):
            members = members_of(unit)
            if unit in taken or not members[0].kin or rng.random() >= 0.5:
                continue
            carer = self.carer_by_id[members[0].kin[0]]
            if carer.eligible and not carer.placed and self._fits(carer, members, kin=True):
                taken.add(unit)
                carer.placed = True
                plans.append((carer, unit, True, None))
                active += 1

        for carer in order:
            if active >= target_active:
                break
            if carer.placed:
                continue
            unit = find_unit(carer)
            if unit is None:
                continue
            carer.placed = True
            plans.append((carer, unit, True, None))
            active += 1

        self._write_placements(children, units, plans)

    def _write_placements(self, children, units, plans) -> None:
        rng = self.rng
        policy = self.policy
        day = datetime.timedelta(days=1)
        placements: list[Placement] = []
        memberships: list[PlacementChild] = []
        visits: list[Visit] = []
        for carer, unit, is_active, end_reason in plans:
            members = [children[i] for i in units[unit]]
            youngest_born = max(info.born for _, info, _ in members)
            earliest = max(self.today - 540 * day, carer.first_approved + day, youngest_born + 14 * day)
            latest = self.today - (day if is_active else 90 * day)
            start = earliest + rng.randint(0, max(0, (latest - earliest).days)) * day
            end = None
            if not is_active:
                end = min(start + rng.randint(30, max(30, (self.today - start).days - 7)) * day, self.today - day)
            kin = any(carer.id in info.kin for _, info, _ in members)
            needed = members[0][1].care_type
            care_type = "kinship" if kin else (needed if needed in carer.care_types else carer.care_types[0])
            workers = self.social_workers.get(carer.province)
            worker = rng.choice(workers) if workers else None
            placement = _row(
                id=self._uuid(),
                carer_id=carer.id,
                start_date=start,
                end_date=end,
                care_type=care_type,
                status=Placement.Status.ACTIVE if is_active else Placement.Status.ENDED,
                end_reason=end_reason or "",
                social_worker_id=worker,
                province_id=carer.province,
            )
            placements.append(placement)
            self.counts["  active" if is_active else "  ended"] += 1
            for child, info, _ in members:
                memberships.append(_row(placement_id=placement["id"], child_id=child["id"], active=is_active))
                if is_active:
                    child["status"] = Child.Status.PLACED
                    child["province_id"] = info.province = carer.province
                elif end_reason == "reunified":
                    child["status"] = Child.Status.REUNIFIED
                    child["province_id"] = info.province = info.home_province
                else:
                    child["status"] = Child.Status.AWAITING_PLACEMENT
            dues = visit_due_dates(
                start,
                offsets_days=policy.offsets_days,
                repeat_every_days=policy.repeat_every_days,
                # As the placement services keep it: the horizon ahead of today while active.
                until=(end or max(start, self.today)) + policy.horizon_days * day,
            )
            recent = [d for d in dues if d < self.today and (end is None or d <= end)][-2:]
            for sequence, due in enumerate(dues, start=1):
                visits.append(
                    self._visit(placement, sequence, due, end, worker, overdue_ok=is_active and due in recent)
                )
        child_rows = [c for c, _, _ in children]
        for child in child_rows:
            self.counts[f"  {child['status']}"] += 1
        self._bulk(Child, child_rows, "children")
        self._bulk(KinLink, self.kin, "kin links")
        self._bulk(CarerExclusion, self.exclusions, "exclusions")
        self._bulk(Placement, placements, "placements")
        self._bulk(PlacementChild, memberships, "children in placements")
        self._bulk(Visit, visits, "visits")

    def _visit(self, placement, sequence, due, end, worker, *, overdue_ok: bool) -> dict:
        """Past visits mostly done (a few of the latest still open: overdue), future ones open, and
        those after a placement ended cancelled."""
        rng = self.rng
        visit = _row(id=self._uuid(), placement_id=placement["id"], sequence=sequence, due_date=due)
        if end is not None and due > end:
            visit["state"] = Visit.State.CANCELLED
            self.counts["  cancelled"] += 1
        elif due >= self.today:
            self.counts["  open (upcoming)"] += 1
        elif overdue_ok and self._every("overdue", 0.15):
            self.counts["  open (overdue)"] += 1
        elif rng.random() < 0.03:
            visit["state"] = Visit.State.MISSED
            self.counts["  missed"] += 1
        else:
            visit["state"] = Visit.State.COMPLETED
            latest = min(self.today, end) if end else self.today
            visit["completed_on"] = min(due + datetime.timedelta(days=rng.randint(-2, 5)), latest)
            visit["outcome"] = outcome = self._weighted([("settled", 85), ("concerns", 12), ("urgent", 3)])
            visit["notes"] = VISIT_NOTES[outcome]
            visit["completed_by_id"] = worker
            self.counts["  completed"] += 1
        return visit

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
