"""The one place that turns register rows into the core's inputs. Rows are loaded with `values_list`
(never model instances in bulk), encoded as NumPy arrays and bit masks, and kept in memory while the
register has not changed, so ranking a child against 100,000 families does not reload them."""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import asdict

import numpy as np
from django.db.models import Count, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from matching.core import CarerArrays, Unit, Weights
from matching.core.types import Child as CoreChild
from register.models import (
    Carer,
    CarerExclusion,
    CarerTraining,
    Child,
    Commune,
    KinLink,
    Placement,
    Province,
    SafeguardingConcern,
    TrainingModule,
)
from register.rules.ages import age_on
from register.rules.eligibility import review_in_date
from register.rules.vacancies import children_in_care_by_carer, free_places
from register.selectors.eligibility import VOCAB, index_of, mask
from register.selectors.stamps import change_stamp

PLACEABLE = Child.PLACEABLE


def weights_of(policy) -> Weights:
    return Weights.from_mapping({**policy.weights, "distance_scale_km": policy.distance_scale_km})


# --- Places -------------------------------------------------------------------------------------
_points: dict[str, tuple[float, float]] | None = None


def commune_points() -> dict[str, tuple[float, float]]:
    """Best known point of every commune: its own, else its district's, else its province's polygon
    centroid (the gazetteer's province points are sometimes offshore). Loaded once: reference data."""
    global _points
    if _points is None:
        provinces = {
            code: (clat if clat is not None else lat, clon if clon is not None else lon)
            for code, lat, lon, clat, clon in Province.objects.values_list(
                "code", "lat", "lon", "centroid_lat", "centroid_lon"
            )
        }
        points = {}
        for code, lat, lon, dlat, dlon, prov in Commune.objects.values_list(
            "code", "lat", "lon", "district__lat", "district__lon", "province_id"
        ):
            if lat is not None and lon is not None:
                points[code] = (lat, lon)
            elif dlat is not None and dlon is not None:
                points[code] = (dlat, dlon)
            else:
                points[code] = provinces[prov]
        _points = points
    return _points


# --- Families -----------------------------------------------------------------------------------
_cache: dict[str, tuple[tuple, CarerArrays, np.ndarray]] = {}
_cache_lock = threading.Lock()


def register_version() -> tuple:
    """Changes whenever anything the cached arrays hold changes: a family edited, a placement made
    or ended, a concern raised or closed, a training recorded (and the date, since reviews fall
    overdue with it). Each part is the newest value of an indexed column, so this costs about a
    millisecond even with 100,000 families. (Rows are never deleted by the services; kin and
    exclusions are read per request, not cached.)"""
    return change_stamp(
        (Carer, "updated_at"),
        (Placement, "updated_at"),
        (SafeguardingConcern, "updated_at"),
        (CarerTraining, "updated_at"),
    )


def _canonical(text: str) -> str:
    """A UUID read as text, in its hyphenated form (PostgreSQL gives that; SQLite gives 32 hex digits)."""
    return text if len(text) == 36 else str(uuid.UUID(text))


def load_all_carers() -> tuple[CarerArrays, np.ndarray]:
    """Every family of the register as core arrays, with each family's province code alongside."""
    today = timezone.localdate()
    points = commune_points()
    # Ids and JSON lists come as text: decoding 100,000 UUIDs and 400,000 JSON lists one by one
    # is most of the load time, and the lists repeat (a handful of distinct values each).
    as_text = {
        name: Cast(name, TextField()) for name in ("id", "sexes_accepted", "care_types", "needs_supported", "languages")
    }
    rows = list(
        # A family merged into another (a duplicate, issue 14) is not a family: it is not even counted.
        Carer.objects.filter(merged_into__isnull=True)
        .order_by()
        .annotate(**{f"{name}_text": expr for name, expr in as_text.items()})
        .values_list(
            "id_text",
            "status",
            "review_due",
            "max_children",
            "age_min",
            "age_max",
            "sexes_accepted_text",
            "max_sibling_group",
            "care_types_text",
            "needs_supported_text",
            "lat",
            "lon",
            "commune_id",
            "languages_text",
            "religion",
            "ethnicity",
            "province_id",
        )
    )
    n = len(rows)
    ids = np.array([_canonical(r[0]) for r in rows], dtype="U36") if n else np.zeros(0, dtype="U36")
    pos = {cid: i for i, cid in enumerate(ids.tolist())}

    active = np.zeros(n, dtype=np.int64)
    for carer_id, count in children_in_care_by_carer().annotate(
        carer_text=Cast("placement__carer_id", TextField())
    ).values_list("carer_text", "n"):
        if (i := pos.get(_canonical(carer_id))) is not None:
            active[i] = count
    concern = np.zeros(n, dtype=bool)
    for carer_id in (
        SafeguardingConcern.objects.filter(status="open")
        .order_by()
        .annotate(carer_text=Cast("carer_id", TextField()))
        .values_list("carer_text", flat=True)
    ):
        if (i := pos.get(_canonical(carer_id))) is not None:
            concern[i] = True
    module_needs = {
        code: mask("need", needs) for code, needs in TrainingModule.objects.values_list("code", "supports_needs")
    }
    trained = np.zeros(n, dtype=np.int64)
    for carer_id, module in (
        CarerTraining.objects.order_by()
        .annotate(carer_text=Cast("carer_id", TextField()))
        .values_list("carer_text", "module_id")
    ):
        if (i := pos.get(_canonical(carer_id))) is not None:
            trained[i] |= module_needs.get(module, 0)
    past = np.zeros(n, dtype=np.int64)
    broke = np.zeros(n, dtype=np.int64)
    for carer_id, total, breakdowns in (
        Placement.objects.filter(status=Placement.Status.ENDED)
        .order_by()
        .values("carer_id")
        .annotate(
            n=Count("id"),
            b=Count("id", filter=Q(end_reason=Placement.EndReason.BREAKDOWN)),
            carer_text=Cast("carer_id", TextField()),
        )
        .values_list("carer_text", "n", "b")
    ):
        if (i := pos.get(_canonical(carer_id))) is not None:
            past[i], broke[i] = total, breakdowns

    memo: dict = {}

    def masks(i: int, kind: str) -> np.ndarray:
        # Families share a handful of distinct lists: encode each distinct list once.
        out = np.empty(n, dtype=np.int64)
        for k, r in enumerate(rows):
            key = (kind, r[i])
            value = memo.get(key)
            if value is None:
                value = memo[key] = mask(kind, json.loads(r[i]) if r[i] else [])
            out[k] = value
        return out

    def col(i, dtype):
        return np.array([r[i] for r in rows], dtype=dtype) if n else np.zeros(0, dtype=dtype)

    lat = np.array([r[10] if r[10] is not None else points[r[12]][0] for r in rows], dtype=float)
    lon = np.array([r[11] if r[11] is not None else points[r[12]][1] for r in rows], dtype=float)
    status = col(1, "U15")
    arrays = CarerArrays(
        ids=ids,
        approved=status == Carer.Status.APPROVED,
        review_ok=np.array([review_in_date(r[2], today) for r in rows], dtype=bool),
        vacancies=free_places(col(3, np.int64), active),
        age_min=col(4, np.int64),
        age_max=col(5, np.int64),
        sexes=masks(6, "sex"),
        max_sibling_group=col(7, np.int64),
        care_types=masks(8, "care_type"),
        needs_supported=masks(9, "need"),
        open_concern=concern,
        lat=lat,
        lon=lon,
        languages=masks(13, "language"),
        religion=np.array([index_of("religion", r[14]) for r in rows], dtype=np.int64),
        ethnicity=np.array([index_of("ethnicity", r[15]) for r in rows], dtype=np.int64),
        trained_needs=trained,
        past_placements=past,
        breakdowns=broke,
        vocab=VOCAB,
    )
    return arrays, col(16, "U2")


def carers_for(user) -> CarerArrays:
    """The families in the user's jurisdiction, from the cache while the register is unchanged."""
    return carers_with_provinces(user)[0]


def carers_with_provinces(user) -> tuple[CarerArrays, np.ndarray]:
    """`carers_for`, with each family's province code alongside (for figures by province)."""
    version = register_version()
    with _cache_lock:
        cached = _cache.get("all")
    if cached is None or cached[0] != version:
        arrays, provinces = load_all_carers()
        cached = (version, arrays, provinces)
        with _cache_lock:
            _cache["all"] = cached
    _, arrays, provinces = cached
    if user.is_national:
        return arrays, provinces
    keep = np.flatnonzero(np.isin(provinces, sorted(user.province_codes)))
    return arrays.take(keep), provinces[keep]


def forget_cache() -> None:
    with _cache_lock:
        _cache.clear()


# --- Children -----------------------------------------------------------------------------------
def siblings_to_match(child: Child) -> list[Child]:
    """The child, and every sibling of a keep-together group not yet placed (the child first)."""
    if child.sibling_group_id and child.sibling_group.keep_together:
        others = list(
            Child.objects.filter(sibling_group_id=child.sibling_group_id, status__in=PLACEABLE)
            .exclude(pk=child.pk)
            .exclude(memberships__active=True)
            .order_by("reference")
        )
        return [child, *others]
    return [child]


def unit_for(children: list[Child]) -> Unit:
    """The core's view of children placed together (the first one's needs of care type and culture)."""
    today = timezone.localdate()
    first = children[0]
    points = commune_points()
    ids = [c.pk for c in children]
    kin_sets: dict[str, set] = {}
    for child_id, carer_id in KinLink.objects.filter(child_id__in=ids).values_list("child_id", "carer_id"):
        kin_sets.setdefault(str(carer_id), set()).add(child_id)
    kin = frozenset(cid for cid, kids in kin_sets.items() if len(kids) == len(ids))
    partial = frozenset(kin_sets) - kin
    excluded = frozenset(
        str(c) for c in CarerExclusion.objects.filter(child_id__in=ids).values_list("carer_id", flat=True)
    )
    languages: list[int] = []
    for c in children:
        for lang in c.languages:
            i = index_of("language", lang)
            if i < len(VOCAB["language"]) and i not in languages:
                languages.append(i)
    home = points[first.home_commune_id]
    school = points[first.school_commune_id] if first.school_commune_id else (float("nan"), float("nan"))
    return Unit(
        children=tuple(
            CoreChild(
                id=str(c.pk),
                age=age_on(c.date_of_birth, today),
                sex=index_of("sex", c.sex),
                needs=mask("need", c.needs),
            )
            for c in children
        ),
        care_type=index_of("care_type", first.care_type_needed),
        languages=tuple(languages),
        religion=index_of("religion", first.religion),
        ethnicity=index_of("ethnicity", first.ethnicity),
        home_lat=home[0],
        home_lon=home[1],
        school_lat=school[0],
        school_lon=school[1],
        kin=kin,
        kin_partial=partial,
        excluded=excluded,
    )


def unit_to_json(unit: Unit) -> dict:
    data = asdict(unit)
    for key in ("kin", "kin_partial", "excluded"):
        data[key] = sorted(data[key])
    for key in ("school_lat", "school_lon"):
        if data[key] != data[key]:  # NaN is not JSON
            data[key] = None
    return data


def unit_from_json(data: dict) -> Unit:
    return Unit(
        children=tuple(CoreChild(**c) for c in data["children"]),
        care_type=data["care_type"],
        languages=tuple(data["languages"]),
        religion=data["religion"],
        ethnicity=data["ethnicity"],
        home_lat=data["home_lat"],
        home_lon=data["home_lon"],
        school_lat=data["school_lat"] if data["school_lat"] is not None else float("nan"),
        school_lon=data["school_lon"] if data["school_lon"] is not None else float("nan"),
        kin=frozenset(data["kin"]),
        kin_partial=frozenset(data["kin_partial"]),
        excluded=frozenset(data["excluded"]),
    )
