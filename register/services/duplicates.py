"""Duplicates (issue 14): the check every door that creates a family or a child goes through, the
finder of pairs already registered, and their resolution (not the same, or merged).

The check (`duplicates_guard`), inside the creating service's transaction:
1. takes a lock on each value compared (PostgreSQL advisory locks, in a fixed order), so that two
   registrars typing the same phone at the same moment are served one after the other and the
   second sees the first's family. Not a unique constraint: a duplicate confirmed with a reason is
   allowed (a husband's phone given by his wife's family);
2. looks the record up (register.selectors.duplicates, one indexed query) and, unless the caller
   sent `duplicate_reviewed` with a reason, refuses with 409 possible_duplicate: the candidates in
   the user's provinces named, any outside them only said to exist (`elsewhere`), and then the
   national administrators told (register.signals.possible_duplicate_elsewhere);
3. when a reason was given, the creation goes on; its audit entry keeps the reason and the records
   it was compared with, and each candidate becomes an open DuplicatePair for a supervisor to see.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from register.audit import audit_write, audited_update
from register.errors import ConflictError, DomainError
from register.models import (
    AuditEntry,
    Carer,
    CarerCheck,
    CarerExclusion,
    CarerStatusChange,
    CarerTraining,
    Child,
    DuplicatePair,
    HouseholdMember,
    KinLink,
    Placement,
    PlacementChild,
    SafeguardingConcern,
)
from register.rules.duplicates import (
    PersonFacts,
    duplicate_reasons,
    external_id_key,
    national_id_key,
)
from register.selectors.duplicates import (
    DuplicateCheck,
    carer_facts,
    carer_facts_rows,
    child_facts,
    child_facts_rows,
    duplicate_candidates,
)
from register.services.history import carer_event_record, child_events_record
from register.signals import possible_duplicate_elsewhere

logger = logging.getLogger(__name__)

CARER, CHILD = DuplicatePair.Kind.CARER, DuplicatePair.Kind.CHILD
REVIEW_REASON_MAX = 1000


# --- The check on the way in ------------------------------------------------------------------------

# What each reason says, for the people who read it (the pages, the admin).
REASON_LABELS = {
    "same_phone": gettext_lazy("the same phone"),
    "same_national_id": gettext_lazy("the same national ID"),
    "similar_name_same_birth_date": gettext_lazy("a close name and the same date of birth"),
    "same_external_id": gettext_lazy("the same Primero or OSCaR id"),
    "similar_name_same_birth_date_and_commune": gettext_lazy(
        "a close name, the same date of birth and the same home commune"
    ),
}


def reasons_text(reasons) -> str:
    return ", ".join(str(REASON_LABELS.get(r, r)) for r in reasons)


def possible_duplicate_message(check: DuplicateCheck) -> str:
    """One sentence naming the candidates in the user's provinces, and saying (only) whether one
    exists outside them: for the admin, where the candidates cannot be shown beside the form."""
    parts = [
        _("%(reference)s (%(reasons)s)") % {"reference": c.reference, "reasons": reasons_text(c.reasons)}
        for c in check.candidates
    ]
    if check.elsewhere:
        parts.append(_("a record outside your provinces"))
    return _("Possibly recorded already: %(records)s. If this is another person, say why here.") % {
        "records": "; ".join(parts)
    }


class PossibleDuplicate(ConflictError):
    """409 possible_duplicate, with `check` kept for the pages (which show the candidates)."""

    def __init__(self, check: DuplicateCheck):
        super().__init__(
            _(
                "This record may already be on the register. Check the records listed; if this is "
                "another person, send the same again with duplicate_reviewed giving the reason."
            ),
            code="possible_duplicate",
            candidates=[{"id": str(c.id), "reference": c.reference, "reasons": c.reasons} for c in check.candidates],
            elsewhere=check.elsewhere,
        )
        self.check = check


def facts_of(kind: str, values) -> PersonFacts:
    return carer_facts(values) if kind == CARER else child_facts(values)


def duplicates_check(*, actor, kind: str, values, exclude=None) -> DuplicateCheck:
    """The records a new family (`kind` carer) or child with these values may repeat (no lock)."""
    return duplicate_candidates(kind=kind, facts=facts_of(kind, values), user=actor, exclude=exclude)


def duplicates_guard(*, actor, kind: str, values, reviewed: str = "") -> DuplicateCheck:
    """The check of a record being created, in the creating transaction (see the module's text):
    locks, looks up, and raises PossibleDuplicate unless `reviewed` gives a reason."""
    facts = facts_of(kind, values)
    _lock(kind, facts)
    check = duplicate_candidates(kind=kind, facts=facts, user=actor)
    if check.found and not (reviewed or "").strip():
        raise PossibleDuplicate(check)
    return check


def duplicates_notify_elsewhere(*, kind: str, check: DuplicateCheck) -> None:
    """Tell national administrators that a record outside the user's provinces matched. Sent at once,
    not after a commit: the refusal rolls the creation back, and the notice must survive it."""
    if check.outside:
        possible_duplicate_elsewhere.send(
            sender=DuplicatePair, kind=kind, record_ids=[str(c.id) for c in check.outside]
        )


def duplicates_record_confirmed(*, actor, kind: str, record, check: DuplicateCheck, reviewed: str) -> dict:
    """After a creation confirmed with a reason: each candidate an open pair with the new record (a
    supervisor or national administrator decides), and what the audit entry of the creation keeps."""
    for candidate in check.all:
        _pair_upsert(
            kind, record.pk, candidate.id, candidate.reasons, source=DuplicatePair.Source.CREATION, note=reviewed
        )
    if not check.found:
        return {}
    return {
        "duplicate_reviewed": [None, reviewed.strip()],
        # References, as everywhere in the trail: those outside the user's provinces too (auditors see them).
        "duplicate_candidates": [None, [c.reference for c in check.all]],
    }


def _lock(kind: str, facts: PersonFacts) -> None:
    """Serialise creations that compare the same values (PostgreSQL; SQLite writes one at a time)."""
    if connection.vendor != "postgresql":
        return
    keys = []
    if kind == CARER:
        keys += [f"phone:{facts.phone}"] if facts.phone else []
        keys += [f"nid:{national_id_key(facts.national_id)}"] if facts.national_id else []
        keys += [f"dob:{facts.date_of_birth}"] if facts.date_of_birth else []
    else:
        keys += [f"ext:{k}:{external_id_key(v)}" for k, v in facts.external_ids.items() if external_id_key(v)]
        keys += [f"dobc:{facts.date_of_birth}:{facts.home_commune}"] if facts.date_of_birth else []
    numbers = sorted({_lock_number(f"duplicates:{kind}:{key}") for key in keys})
    if not numbers:
        return
    # One statement, the locks taken in the array's (sorted) order: no two creations wait on each other.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%s::bigint[]) WITH ORDINALITY AS t(k, n)", [numbers]
        )


def _lock_number(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)


# --- Pairs ------------------------------------------------------------------------------------------


def _ordered(a, b) -> tuple:
    return (a, b) if str(a) < str(b) else (b, a)


def _pair_fields(kind: str, a, b) -> dict:
    a, b = _ordered(a, b)
    return {"carer_a_id": a, "carer_b_id": b} if kind == CARER else {"child_a_id": a, "child_b_id": b}


def _pair_upsert(kind: str, a, b, reasons: list[str], *, source: str, note: str = "") -> bool:
    """Record a pair once (whichever way round it was found): a new one is open; one already known
    keeps its status (a pair judged not the same is not reopened) and gains any new reason.
    True when created."""
    pair, created = DuplicatePair.objects.get_or_create(
        kind=kind,
        **_pair_fields(kind, a, b),
        defaults={"reasons": sorted(reasons), "source": source, "registration_note": note.strip()},
    )
    if not created and not set(reasons) <= set(pair.reasons):
        pair.reasons = sorted(set(pair.reasons) | set(reasons))
        pair.save(update_fields=["reasons"])
    return created


@dataclass
class FindResult:
    carers: int = 0  # pairs flagged (open, found now or before)
    children: int = 0
    created: int = 0  # of which new


# Beyond this many records sharing one value (a placeholder phone typed for everyone), the value's
# pairs are not listed one by one: a person must clean those records first.
GROUP_LIMIT = 30


def duplicates_find() -> FindResult:
    """Find the possible duplicates already on the register (`manage.py find_duplicates`, nightly):
    records are grouped by each value the rule compares (blocking), and every pair in a group is put
    to the same rule as the check on the way in. Idempotent: a pair is recorded once, and one judged
    not the same stays so (it only gains a new reason). Returns the number of open pairs and how many
    are new. Reads values, not instances, and writes the new pairs in bulk."""
    result = FindResult()
    for kind, rows, blocks in (
        (CARER, carer_facts_rows(Carer.objects.order_by()), _carer_blocks),
        (CHILD, child_facts_rows(Child.objects.order_by()), _child_blocks),
    ):
        facts = {row["id"]: facts_of(kind, row) for row in rows.iterator(chunk_size=2000)}
        groups: dict[str, list] = defaultdict(list)
        for pk, record in facts.items():
            for key in blocks(record):
                groups[key].append(pk)
        found: dict[tuple, list[str]] = {}
        for ids in groups.values():
            if len(ids) > GROUP_LIMIT:
                logger.warning("duplicates_find: %s records share one %s value; not paired", len(ids), kind)
                continue
            for a, b in itertools.combinations(sorted(ids, key=str), 2):
                if (a, b) not in found:
                    found[(a, b)] = duplicate_reasons(kind, facts[a], facts[b])
        result.created += _pairs_record(kind, {pair: reasons for pair, reasons in found.items() if reasons})
    open_pairs = DuplicatePair.objects.filter(status=DuplicatePair.Status.OPEN)
    result.carers = open_pairs.filter(kind=CARER).count()
    result.children = open_pairs.filter(kind=CHILD).count()
    return result


def _pairs_record(kind: str, found: dict[tuple, list[str]]) -> int:
    """Record the pairs found (smaller id first): the new ones in bulk, a known one only gaining a
    reason. Returns how many are new."""
    a_field, b_field = ("carer_a_id", "carer_b_id") if kind == CARER else ("child_a_id", "child_b_id")
    with transaction.atomic():
        known = {
            (str(p[a_field]), str(p[b_field])): p
            for p in DuplicatePair.objects.filter(kind=kind).values("id", a_field, b_field, "reasons")
        }
        new, grown = [], []
        for (a, b), reasons in found.items():
            pair = known.get((str(a), str(b)))
            if pair is None:
                new.append(DuplicatePair(kind=kind, **{a_field: a, b_field: b}, reasons=sorted(reasons)))
            elif not set(reasons) <= set(pair["reasons"]):
                grown.append(DuplicatePair(id=pair["id"], reasons=sorted(set(pair["reasons"]) | set(reasons))))
        DuplicatePair.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        DuplicatePair.objects.bulk_update(grown, ["reasons"], batch_size=1000)
    return len(new)


def _carer_blocks(facts: PersonFacts) -> Iterable[str]:
    if facts.phone:
        yield f"phone:{facts.phone}"
    if facts.national_id:
        yield f"nid:{national_id_key(facts.national_id)}"
    if facts.date_of_birth:
        yield f"dob:{facts.date_of_birth}"


def _child_blocks(facts: PersonFacts) -> Iterable[str]:
    for key, value in facts.external_ids.items():
        if external_id_key(value):
            yield f"ext:{key}:{external_id_key(value)}"
    if facts.date_of_birth and facts.home_commune:
        yield f"dobc:{facts.date_of_birth}:{facts.home_commune}"


# --- Resolving a pair -------------------------------------------------------------------------------


def duplicate_pair_resolve(*, actor, pair: DuplicatePair, decision: str, keep=None, reason: str = "") -> DuplicatePair:
    """`not_duplicate`: the two are different people (the pair stays closed). `merge`: every link of the
    other record moves to the one kept (`keep`, one of the two), in one transaction, audited; the other
    answers `merged_into` and leaves every list. The caller has scoped the pair to the actor."""
    reason = (reason or "").strip()
    with transaction.atomic():
        pair = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
        if pair.status != DuplicatePair.Status.OPEN:
            raise ConflictError(
                _("This pair was resolved already (%(status)s).") % {"status": pair.get_status_display()},
                code="invalid_transition",
                status=pair.status,
            )
        before = {"status": pair.status}
        if decision == "merge":
            ids = [str(i) for i in pair.record_ids]
            if str(keep) not in ids:
                raise DomainError(_("Keep one of the pair's two records."), code="domain_error", field="keep")
            other = ids[1 - ids.index(str(keep))]
            if pair.kind == CARER:
                carer_merge(actor=actor, keep=keep, other=other, reason=reason)
            else:
                child_merge(actor=actor, keep=keep, other=other, reason=reason)
            pair.status, pair.kept = DuplicatePair.Status.MERGED, keep
        else:
            pair.status = DuplicatePair.Status.NOT_DUPLICATE
        pair.resolved_by = actor if getattr(actor, "pk", None) else None
        pair.resolved_at = timezone.now()
        pair.reason = reason
        pair.save()
        audit_write(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=pair,
            province=_pair_province(pair),
            changes={
                "status": [before["status"], pair.status],
                "reason": [None, reason],
                **({"kept": [None, str(pair.kept)]} if pair.kept else {}),
            },
        )
    return pair


def _pair_province(pair: DuplicatePair) -> str:
    a = pair.carer_a if pair.kind == CARER else pair.child_a
    return a.province_id if a else ""


def carer_merge(*, actor, keep, other, reason: str = "") -> Carer:
    """Move every link of family `other` to family `keep` and mark `other` merged into it (and
    deregistered, so that no list, match or reminder counts it). In the caller's transaction.

    Conflicts: a training both completed keeps the later date; a child both are kin of, or excluded
    for, keeps the kept family's link (an exclusion wins over kinship: a recorded risk is never lost);
    household members the kept family already lists (same names and birth date) are not repeated."""
    # Both rows locked, in id order (as placements lock families), so no placement or edit runs between.
    locked = {str(c.pk): c for c in Carer.objects.select_for_update().filter(pk__in=[keep, other]).order_by("pk")}
    kept, merged = locked.get(str(keep)), locked.get(str(other))
    if kept is None or merged is None or kept.pk == merged.pk:
        raise DomainError(_("Both records must be on the register."), code="domain_error")
    if kept.merged_into_id or merged.merged_into_id:
        raise ConflictError(_("One of the records was merged already."), code="invalid_transition")
    moved: dict[str, int] = {}
    moved["checks"] = CarerCheck.objects.filter(carer=merged).update(carer=kept)
    moved["concerns"] = SafeguardingConcern.objects.filter(carer=merged).update(carer=kept)
    placements = list(Placement.objects.filter(carer=merged).values_list("pk", flat=True))
    moved["placements"] = Placement.objects.filter(pk__in=placements).update(
        carer=kept, province_id=kept.province_id, updated_at=timezone.now()
    )
    # A child in one of those placements is where the family is (Child.province follows the placement).
    Child.objects.filter(memberships__placement__in=placements, memberships__active=True).update(
        province_id=kept.province_id, updated_at=timezone.now()
    )
    # Trainings: one record per module.
    kept_trainings = {t.module_id: t for t in CarerTraining.objects.filter(carer=kept)}
    moved["trainings"] = 0
    for training in CarerTraining.objects.filter(carer=merged):
        mine = kept_trainings.get(training.module_id)
        if mine is None:
            training.carer = kept
            training.save(update_fields=["carer"])
            moved["trainings"] += 1
        else:
            if training.completed_on > mine.completed_on:
                mine.completed_on = training.completed_on
                mine.save(update_fields=["completed_on"])
            training.delete()
    # Household members.
    known = {(m.given_name, m.family_name, m.date_of_birth) for m in HouseholdMember.objects.filter(carer=kept)}
    moved["household_members"] = 0
    for member in HouseholdMember.objects.filter(carer=merged):
        if (member.given_name, member.family_name, member.date_of_birth) in known:
            member.delete()
        else:
            member.carer = kept
            member.save(update_fields=["carer"])
            moved["household_members"] += 1
    # Kin and exclusions: one link per child and family; an exclusion of either family stays.
    excluded_children = set(CarerExclusion.objects.filter(carer=kept).values_list("child_id", flat=True))
    moved["exclusions"] = 0
    for exclusion in CarerExclusion.objects.filter(carer=merged):
        if exclusion.child_id in excluded_children:
            exclusion.delete()
        else:
            exclusion.carer = kept
            exclusion.save(update_fields=["carer"])
            excluded_children.add(exclusion.child_id)
            moved["exclusions"] += 1
    KinLink.objects.filter(carer=kept, child_id__in=excluded_children).delete()
    kin_children = set(KinLink.objects.filter(carer=kept).values_list("child_id", flat=True))
    moved["kin"] = 0
    for link in KinLink.objects.filter(carer=merged):
        if link.child_id in kin_children or link.child_id in excluded_children:
            link.delete()
        else:
            link.carer = kept
            link.save(update_fields=["carer"])
            moved["kin"] += 1

    with audited_update(actor=actor, instance=merged, ignore=("updated_at",)) as change:
        from_status = merged.status
        merged.merged_into = kept
        if from_status != Carer.Status.DEREGISTERED:
            merged.status = Carer.Status.DEREGISTERED
            CarerStatusChange.objects.create(
                carer=merged,
                from_status=from_status,
                to_status=merged.status,
                reason=_("Merged into %(reference)s.") % {"reference": kept.reference},
                changed_by=actor if getattr(actor, "pk", None) else None,
            )
        merged.save()
        if from_status != Carer.Status.DEREGISTERED:  # the dated history counts it out from today
            carer_event_record(carer=merged, from_status=from_status)
        change["moved_to"] = [None, kept.reference]
        change["moved"] = [None, moved]
        if reason:
            change["reason"] = [None, reason]
    audit_write(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=kept,
        changes={"merged_from": [None, merged.reference], "moved": [None, moved]},
    )
    Carer.objects.filter(pk=kept.pk).update(updated_at=timezone.now())  # matching notices the change
    return kept


def child_merge(*, actor, keep, other, reason: str = "") -> Child:
    """Move every link of child `other` to child `keep` and mark `other` merged into it. In the caller's
    transaction. Conflicts: both in an active placement refuses (end one first: a child lives in one
    family); kin and exclusions are joined (an exclusion wins over kinship); a sibling group of the
    other is taken when the kept child has none; partner ids missing on the kept child are copied."""
    locked = {str(c.pk): c for c in Child.objects.select_for_update().filter(pk__in=[keep, other]).order_by("pk")}
    kept, merged = locked.get(str(keep)), locked.get(str(other))
    if kept is None or merged is None or kept.pk == merged.pk:
        raise DomainError(_("Both records must be on the register."), code="domain_error")
    if kept.merged_into_id or merged.merged_into_id:
        raise ConflictError(_("One of the records was merged already."), code="invalid_transition")
    active = PlacementChild.objects.filter(child__in=[kept, merged], active=True)
    if {m.child_id for m in active} == {kept.pk, merged.pk}:
        raise ConflictError(
            _("Both records are in an active placement: end one of the placements before merging."),
            code="child_already_placed",
        )
    moved: dict[str, object] = {}
    # Placements: the memberships move (a placement both were in keeps one membership).
    in_placements = set(PlacementChild.objects.filter(child=kept).values_list("placement_id", flat=True))
    moved["placements"] = 0
    for membership in PlacementChild.objects.filter(child=merged):
        if membership.placement_id in in_placements:
            membership.delete()
        else:
            membership.child = kept
            membership.save(update_fields=["child"])
            moved["placements"] += 1
    excluded = set(CarerExclusion.objects.filter(child=kept).values_list("carer_id", flat=True))
    moved["exclusions"] = 0
    for exclusion in CarerExclusion.objects.filter(child=merged):
        if exclusion.carer_id in excluded:
            exclusion.delete()
        else:
            exclusion.child = kept
            exclusion.save(update_fields=["child"])
            excluded.add(exclusion.carer_id)
            moved["exclusions"] += 1
    KinLink.objects.filter(child=kept, carer_id__in=excluded).delete()
    kin = set(KinLink.objects.filter(child=kept).values_list("carer_id", flat=True))
    moved["kin"] = 0
    for link in KinLink.objects.filter(child=merged):
        if link.carer_id in kin or link.carer_id in excluded:
            link.delete()
        else:
            link.child = kept
            link.save(update_fields=["child"])
            moved["kin"] += 1

    # A child placed through the other record is placed: status and province follow the placement.
    placed = PlacementChild.objects.filter(child=kept, active=True).select_related("placement").first()
    kept_before, merged_before = (kept.status, kept.province_id), (merged.status, merged.province_id)
    with audited_update(actor=actor, instance=kept, ignore=("updated_at",)) as kept_change:
        if merged.sibling_group_id and not kept.sibling_group_id:
            kept.sibling_group_id = merged.sibling_group_id
        kept.external_ids = {**(merged.external_ids or {}), **(kept.external_ids or {})}
        if placed is not None:
            kept.status, kept.province_id = Child.Status.PLACED, placed.placement.province_id
        kept.save()
        kept_change["merged_from"] = [None, merged.reference]
        kept_change["moved"] = [None, moved]
    with audited_update(actor=actor, instance=merged, ignore=("updated_at",)) as change:
        merged.merged_into = kept
        merged.sibling_group = None
        # The other record is the same child counted twice: it leaves the register (as a merged family
        # is deregistered), so that the indicators count the child once, from today.
        if merged.status in (*Child.PLACEABLE, Child.Status.PLACED):
            merged.status = Child.Status.EXITED
        merged.save()
        change["moved_to"] = [None, kept.reference]
        if reason:
            change["reason"] = [None, reason]
    child_events_record(changes=[(kept, *kept_before), (merged, *merged_before)])
    return kept
