"""The one place that turns register rows into the core's inputs. Rows are loaded with `values_list`
(never model instances in bulk), encoded as NumPy arrays and bit masks, and kept in memory while the
register has not changed, so ranking a child against 100,000 families does not reload them."""

from __future__ import annotations

import dataclasses
import datetime
import json
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field

import numpy as np
from django.db.models import Count, Max, Q, TextField
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
# The families are kept in memory and brought up to date on each request by reading again only the
# families touched since the last look (see "Keeping the families current" in
# docs/developing/matching.md). Every refresh builds new CarerArrays and swaps them in: arrays a
# request may be reading are never written to.

# A family is read again when a row about it has an updated_at at or after the newest value seen at
# the last look less this overlap: a transaction that stamped its rows up to this long before it
# committed is still seen (commits out of order, and the clocks of the application servers).
OVERLAP = datetime.timedelta(seconds=10)
# While the newest change is younger than the overlap, the families touched in the overlap are read
# again at most this often even when the change stamp did not move (a late commit of an older stamp).
SETTLE_RECHECK_SECONDS = 1.0
# Everything is loaded again at least this often (what no stamp shows: a training or concern deleted
# as recorded by mistake, a family deleted outside the services, a clock far off).
FULL_RELOAD_SECONDS = 15 * 60
# More touched families than this share of the register (and at least REFRESH_MIN) load everything.
REFRESH_SHARE = 0.05
REFRESH_MIN = 500
# Province subsets kept per version of the arrays (one per distinct set of provinces asked).
SUBSETS_KEPT = 32

_ROW_FIELDS = tuple(name for name in CarerArrays.__dataclass_fields__ if name != "vocab")


@dataclass(frozen=True, eq=False)
class _Block:
    """Families as the core's arrays, with what the cache needs beside them (province, review date)."""

    arrays: CarerArrays
    provinces: np.ndarray  # U2
    review_due: np.ndarray  # object: date or None


@dataclass(eq=False)
class _Families:
    """The cached families and what they were read at. Never changed once published, but for
    `subsets` (filled under the cache lock)."""

    version: tuple  # register_version() read before the rows
    marks: tuple  # newest updated_at of carers, placements, concerns, trainings, read before the rows
    module_needs: dict  # training module → needs mask, as used for `trained_needs`
    day: datetime.date
    block: _Block
    pos: dict[str, int]  # family id → index in the arrays
    loaded_at: float  # monotonic time of the last full load
    checked_at: float  # monotonic time of the last look at the register
    how: str  # "full", "refresh" (some families read again) or "unchanged"
    touched: int = 0  # families read again by the refresh that made it
    subsets: dict = field(default_factory=dict)  # province set → (arrays, provinces) of its families
    # province set → (indices of its families, the arrays they index, the subset taken): kept while
    # no family's province or place changes
    keeps: dict = field(default_factory=dict)


_cache: dict[str, _Families] = {}
_cache_lock = threading.Lock()  # guards _cache and the subsets
_refresh_lock = threading.Lock()  # one refresh at a time in a process; readers keep the old arrays


# The tables whose newest updated_at the change stamp holds, in its order.
_STAMPED = (Carer, Placement, SafeguardingConcern, CarerTraining)


def register_version() -> tuple:
    """Changes whenever anything the cached arrays hold changes: a family edited, a placement made
    or ended, a concern raised or closed, a training recorded (and the date, since reviews fall
    overdue with it). Each part is the newest value of an indexed column, so this costs about a
    millisecond even with 100,000 families. (Kin and exclusions are read per request, not cached.
    A concern or training deleted as recorded by mistake moves no stamp: FULL_RELOAD_SECONDS
    bounds how long the arrays may miss it.)"""
    return change_stamp(*((model, "updated_at") for model in _STAMPED))


def _marks() -> tuple:
    """The newest updated_at of each stamped table, as datetimes (None for an empty table)."""
    return tuple(model.objects.order_by().aggregate(m=Max("updated_at"))["m"] for model in _STAMPED)


def _module_needs() -> dict:
    return {code: mask("need", needs) for code, needs in TrainingModule.objects.values_list("code", "supports_needs")}


def _canonical(text: str) -> str:
    """A UUID read as text, in its hyphenated form (PostgreSQL gives that; SQLite gives 32 hex digits)."""
    return text if len(text) == 36 else str(uuid.UUID(text))


def _review_ok(review_due: np.ndarray, today: datetime.date) -> np.ndarray:
    return np.fromiter((review_in_date(d, today) for d in review_due), dtype=bool, count=len(review_due))


def _load(ids: list[str] | None = None, module_needs: dict | None = None, today: datetime.date | None = None) -> _Block:
    """Families as core arrays: every family of the register (`ids` None), or those of `ids` that
    are still families (a family merged into another is left out). The one encoding of register
    rows into arrays: the full load and the refresh both use it."""
    today = today or timezone.localdate()
    points = commune_points()
    if module_needs is None:
        module_needs = _module_needs()

    def of(queryset, carer_field: str):
        return queryset if ids is None else queryset.filter(**{f"{carer_field}__in": ids})

    # Ids and JSON lists come as text: decoding 100,000 UUIDs and 400,000 JSON lists one by one
    # is most of the load time, and the lists repeat (a handful of distinct values each).
    as_text = {
        name: Cast(name, TextField()) for name in ("id", "sexes_accepted", "care_types", "needs_supported", "languages")
    }
    rows = list(
        # A family merged into another (a duplicate, issue 14) is not a family: it is not even counted.
        of(Carer.objects.filter(merged_into__isnull=True), "pk")
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
    ids_array = np.array([_canonical(r[0]) for r in rows], dtype="U36") if n else np.zeros(0, dtype="U36")
    pos = {cid: i for i, cid in enumerate(ids_array.tolist())}

    active = np.zeros(n, dtype=np.int64)
    for carer_id, count in (
        of(children_in_care_by_carer(), "placement__carer_id")
        .annotate(carer_text=Cast("placement__carer_id", TextField()))
        .values_list("carer_text", "n")
    ):
        if (i := pos.get(_canonical(carer_id))) is not None:
            active[i] = count
    concern = np.zeros(n, dtype=bool)
    for carer_id in (
        of(SafeguardingConcern.objects.filter(status="open"), "carer_id")
        .order_by()
        .annotate(carer_text=Cast("carer_id", TextField()))
        .values_list("carer_text", flat=True)
    ):
        if (i := pos.get(_canonical(carer_id))) is not None:
            concern[i] = True
    trained = np.zeros(n, dtype=np.int64)
    for carer_id, module in (
        of(CarerTraining.objects.all(), "carer_id")
        .order_by()
        .annotate(carer_text=Cast("carer_id", TextField()))
        .values_list("carer_text", "module_id")
    ):
        if (i := pos.get(_canonical(carer_id))) is not None:
            trained[i] |= module_needs.get(module, 0)
    past = np.zeros(n, dtype=np.int64)
    broke = np.zeros(n, dtype=np.int64)
    for carer_id, total, breakdowns in (
        of(Placement.objects.filter(status=Placement.Status.ENDED), "carer_id")
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
    review_due = np.empty(n, dtype=object)
    review_due[:] = [r[2] for r in rows]
    arrays = CarerArrays(
        ids=ids_array,
        approved=status == Carer.Status.APPROVED,
        review_ok=_review_ok(review_due, today),
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
    return _Block(arrays=arrays, provinces=col(16, "U2"), review_due=review_due)


def load_all_carers() -> tuple[CarerArrays, np.ndarray]:
    """Every family of the register as core arrays, with each family's province code alongside."""
    block = _load()
    return block.arrays, block.provinces


def _full_load(version: tuple) -> _Families:
    marks, module_needs = _marks(), _module_needs()  # before the rows: a change made meanwhile is read again
    block = _load(module_needs=module_needs)
    now = time.monotonic()
    return _Families(
        version=version,
        marks=marks,
        module_needs=module_needs,
        day=timezone.localdate(),
        block=block,
        pos={cid: i for i, cid in enumerate(block.arrays.ids.tolist())},
        loaded_at=now,
        checked_at=now,
        how="full",
        touched=len(block.arrays),
    )


def _touched_since(entry: _Families, version: tuple, limit: int) -> tuple[set[str], tuple] | None:
    """Ids of the families a row changed about at or after each mark of `entry` less the overlap
    (a family merged into another touches that one too), looking only at the tables whose stamp
    moved or whose newest change is still within the overlap; and the new marks (the newest
    updated_at of the rows read: one query a table for both). None when more than `limit` rows."""
    touched: set[str] = set()
    marks = list(entry.marks)
    recent = timezone.now() - OVERLAP
    for k, model in enumerate(_STAMPED):
        old = entry.marks[k]
        if entry.version[k] == version[k] and (old is None or old < recent):
            continue  # nothing written to this table since, nor recently enough to still be settling
        rows = model.objects.order_by()
        if old is not None:
            rows = rows.filter(updated_at__gte=old - OVERLAP)
        if model is Carer:
            found = list(rows.values_list("pk", "merged_into_id", "updated_at")[: limit + 1])
            touched.update(str(v) for pk, merged_into, _ in found for v in (pk, merged_into) if v is not None)
        else:
            found = list(rows.values_list("carer_id", "updated_at")[: limit + 1])
            touched.update(str(row[0]) for row in found)
        if len(found) > limit or len(touched) > limit:
            return None
        marks[k] = max([row[-1] for row in found] + ([old] if old is not None else []), default=None)
    return touched, tuple(marks)


# What the core derives once per CarerArrays (cached properties, matching/core/types.py) from which
# fields: a new CarerArrays whose fields are the very same arrays takes them over instead of computing
# them again (sorting 100,000 ids after every family edited). A name not listed is computed again.
_DERIVED_FROM = {
    "id_order": ("ids",),
    "sorted_ids": ("ids",),
    "id_rank": ("ids",),
    "lat_rad": ("lat",),
    "lon_rad": ("lon",),
    "cos_lat": ("lat",),
}


def _carry_derived(old: CarerArrays, new: CarerArrays) -> None:
    """Give `new` (not yet published) what `old` derived from fields the two share."""
    cached = vars(old)
    for name, fields in _DERIVED_FROM.items():
        if name in cached and all(getattr(old, f) is getattr(new, f) for f in fields):
            vars(new)[name] = cached[name]


def _splice(entry: _Families, block: _Block, touched: set[str]) -> tuple[_Block, dict[str, int]]:
    """The cached families with the touched ones replaced by their rows in `block`, those gone
    dropped and new ones appended: new arrays wherever something differs (an array whose values
    are all the same is shared with the old families: it is never written to)."""
    old = entry.block
    fresh = {cid: i for i, cid in enumerate(block.arrays.ids.tolist())}
    at_old, at_new, appended = [], [], []
    for cid, i in fresh.items():
        j = entry.pos.get(cid)
        if j is None:
            appended.append(i)
        else:
            at_old.append(j)
            at_new.append(i)
    dropped = sorted(entry.pos[cid] for cid in touched if cid not in fresh and cid in entry.pos)

    def spliced(before: np.ndarray, rows: np.ndarray) -> np.ndarray:
        after = before
        if at_old:
            values = rows[at_new]
            if not np.array_equal(before[at_old], values, equal_nan=before.dtype.kind == "f"):
                after = before.copy()
                after[at_old] = values
        if dropped:
            after = np.delete(after, dropped)
        if appended:
            after = np.concatenate([after, rows[appended]])
        return after

    columns = {name: spliced(getattr(old.arrays, name), getattr(block.arrays, name)) for name in _ROW_FIELDS}
    if all(columns[name] is getattr(old.arrays, name) for name in _ROW_FIELDS):
        arrays = old.arrays
    else:
        arrays = CarerArrays(**columns, vocab=old.arrays.vocab)
        _carry_derived(old.arrays, arrays)
    result = _Block(
        arrays=arrays,
        provinces=spliced(old.provinces, block.provinces),
        review_due=spliced(old.review_due, block.review_due),
    )
    if dropped:
        pos = {cid: i for i, cid in enumerate(arrays.ids.tolist())}
    elif appended:
        pos = dict(entry.pos)
        start = len(old.arrays)
        pos.update((cid, start + k) for k, cid in enumerate(block.arrays.ids[appended].tolist()))
    else:
        pos = entry.pos
    return result, pos


def _refreshed(entry: _Families | None, version: tuple) -> _Families:
    """The families as the register has them now: read again only those touched since `entry`
    was made, or all of them (no entry, too many touched, a training module's needs changed, or the
    last full load older than FULL_RELOAD_SECONDS)."""
    now = time.monotonic()
    if entry is None or now - entry.loaded_at > FULL_RELOAD_SECONDS:
        return _full_load(version)
    module_needs = _module_needs()
    if module_needs != entry.module_needs:
        return _full_load(version)
    limit = max(REFRESH_MIN, int(REFRESH_SHARE * len(entry.block.arrays)))
    found = _touched_since(entry, version, limit)
    if found is None:
        return _full_load(version)
    touched, marks = found
    block = entry.block
    pos = entry.pos
    today = timezone.localdate()
    if touched:
        block, pos = _splice(entry, _load(sorted(touched), module_needs, today), touched)
    if today != entry.day:  # reviews fall overdue with the date
        review_ok = _review_ok(block.review_due, today)
        if not np.array_equal(review_ok, block.arrays.review_ok):
            arrays = dataclasses.replace(block.arrays, review_ok=review_ok)
            _carry_derived(block.arrays, arrays)
            block = _Block(arrays=arrays, provinces=block.provinces, review_due=block.review_due)
    same = block.arrays is entry.block.arrays and block.provinces is entry.block.provinces
    return _Families(
        version=version,
        marks=marks,
        module_needs=module_needs,
        day=today,
        block=block,
        pos=pos,
        loaded_at=entry.loaded_at,
        checked_at=now,
        how="unchanged" if same else "refresh",
        touched=len(touched),
        subsets=entry.subsets if same else {},
        keeps=entry.keeps if block.provinces is entry.block.provinces else {},
    )


def _settling(entry: _Families) -> bool:
    """Whether the newest change is recent enough that an older one may still commit (and the
    last look is a little while ago)."""
    newest = max((m for m in entry.marks if m is not None), default=None)
    return (
        newest is not None
        and newest > timezone.now() - OVERLAP
        and time.monotonic() - entry.checked_at >= SETTLE_RECHECK_SECONDS
    )


def current_families() -> _Families:
    """The cached families, brought up to date first if the register changed since they were read."""
    version = register_version()
    with _cache_lock:
        entry = _cache.get("all")
    if entry is not None and entry.version == version and not _settling(entry):
        return entry
    seen = entry
    with _refresh_lock:
        with _cache_lock:
            entry = _cache.get("all")
        if entry is not seen:  # another thread refreshed meanwhile: is it recent enough?
            version = register_version()
        if entry is None or entry.version != version or _settling(entry):
            entry = _refreshed(entry, version)
            with _cache_lock:
                _cache["all"] = entry
    return entry


def carers_for(user) -> CarerArrays:
    """The families in the user's jurisdiction, from the cache while the register is unchanged."""
    return carers_with_provinces(user)[0]


def carers_with_provinces(user) -> tuple[CarerArrays, np.ndarray]:
    """`carers_for`, with each family's province code alongside (for figures by province)."""
    entry = current_families()
    arrays, provinces = entry.block.arrays, entry.block.provinces
    if user.is_national:
        return arrays, provinces
    key = frozenset(user.province_codes)
    with _cache_lock:
        subset = entry.subsets.get(key)
    if subset is None:
        with _cache_lock:
            known = entry.keeps.get(key)
        if known is None:
            keep = np.flatnonzero(np.isin(provinces, sorted(key)))
            taken = arrays.take(keep)
        else:
            # The same families in the same order as when `keep` was computed: a column the arrays
            # share with those it was taken from is the subset's column then (and what the core
            # derived from it), the others are taken again.
            keep, source, before = known
            taken = CarerArrays(
                **{
                    name: getattr(before, name)
                    if getattr(source, name) is getattr(arrays, name)
                    else getattr(arrays, name)[keep]
                    for name in _ROW_FIELDS
                },
                vocab=arrays.vocab,
            )
            _carry_derived(before, taken)
        subset = (taken, provinces[keep])
        with _cache_lock:
            for kept in (entry.subsets, entry.keeps):
                if key not in kept and len(kept) >= SUBSETS_KEPT:
                    kept.pop(next(iter(kept)))
            entry.subsets[key] = subset
            entry.keeps[key] = (keep, arrays, taken)
    return subset


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
