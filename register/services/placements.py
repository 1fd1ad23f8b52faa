"""Placing children with a foster family, and ending a placement.

Places are scarce and two officers may reach for the last one at the same moment, so
`placement_create` locks the carer row and the children's rows (in id order, always carer first)
and re-checks every rule under those locks; the partial unique index
`one_active_placement_per_child` backs the most important rule in the database itself.
"""

from __future__ import annotations

import datetime
import functools
import uuid
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from register.audit import audit_created, audited_update
from register.choices import CareType
from register.errors import ConflictError, DomainError
from register.models import (
    Carer,
    Child,
    Placement,
    PlacementChild,
    User,
    Visit,
)
from register.roles import Role
from register.rules import eligibility
from register.rules.visits import today
from register.selectors.eligibility import children_facts, family_facts, relations
from register.selectors.placements import children_in_active_placements
from register.services.history import child_events_record, placement_event_record
from register.services.visits import visits_schedule

# How far ahead a placement may be recorded: a planned move, not a wish list.
MAX_DAYS_AHEAD = 30
PLACEABLE = Child.PLACEABLE
SOCIAL_WORKER_ROLES = (Role.SOCIAL_WORKER, Role.SUPERVISOR)
# What a child's status becomes when their placement ends, by reason.
STATUS_AFTER_END = {
    Placement.EndReason.REUNIFIED: Child.Status.REUNIFIED,
    Placement.EndReason.ADOPTED: Child.Status.ADOPTED,
    Placement.EndReason.AGED_OUT: Child.Status.AGED_OUT,
    Placement.EndReason.BREAKDOWN: Child.Status.AWAITING_PLACEMENT,
    Placement.EndReason.MOVED: Child.Status.AWAITING_PLACEMENT,
    Placement.EndReason.OTHER: Child.Status.AWAITING_PLACEMENT,
}


def _pk(obj):
    return getattr(obj, "pk", obj)


def _child_ids(children: Iterable) -> list[uuid.UUID]:
    """Children given as rows or ids (UUIDs or their text), each once, in the order given."""
    ids = []
    for child in children:
        try:
            ids.append(uuid.UUID(str(_pk(child))))
        except ValueError:
            raise ValidationError({"children": [_("“%(value)s” is not a child's id.") % {"value": child}]}) from None
    return list(dict.fromkeys(ids))


def _ids(values: Iterable) -> list[str]:
    return [str(v) for v in values]


def social_worker_resolve(*, social_worker: User | str | None, province_code: str) -> User | None:
    """The social worker named for a placement: an active social worker or supervisor of the
    placement's province, given as a user or a username."""
    if social_worker in (None, ""):
        return None
    username = getattr(social_worker, "username", social_worker)
    user = User.objects.filter(username=username, is_active=True).prefetch_related("groups", "provinces").first()
    if user is None:
        raise ValidationError({"social_worker": [_("No active staff user is called “%(name)s”.") % {"name": username}]})
    if user.role not in SOCIAL_WORKER_ROLES or province_code not in user.province_codes:
        raise ValidationError(
            {
                "social_worker": [
                    _("“%(name)s” is not a social worker or supervisor of province %(province)s.")
                    % {"name": username, "province": province_code}
                ]
            }
        )
    return user


# Matching (which the register does not import) tells this service how to read a match run: the
# family's rank in it, or a ValidationError on `match` when the caller cannot read the run or it
# ranked none of these children. Set at start-up by matching/apps.py.
MatchRankReader = Callable[..., "int | None"]
_match_rank_reader: MatchRankReader | None = None


def match_rank_reader_set(reader: MatchRankReader | None) -> None:
    global _match_rank_reader
    _match_rank_reader = reader


def _match_rank(*, actor, match_id, carer_id, child_ids: list[uuid.UUID]) -> int | None:
    if match_id in (None, ""):
        return None
    if _match_rank_reader is None:
        raise ValidationError({"match": [_("Match runs cannot be read here.")]})
    return _match_rank_reader(actor=actor, match_id=match_id, carer_id=carer_id, child_ids=child_ids)


def placement_create(
    *,
    actor,
    carer: Carer,
    children: list,
    start_date: datetime.date,
    care_type: str,
    match_id=None,
    social_worker: User | str | None = None,
    split_reason: str = "",
    override_reason: str = "",
) -> Placement:
    """Place `children` (Child rows or ids) with `carer`, in one transaction: checks every rule under
    the carer's and the children's row locks, creates the placement, moves the children, and writes
    their visit schedule from the visit policy in force.

    The family must pass every eligibility rule (register/rules/eligibility.py), the same rules
    matching ranks by. A fit rule (age, sex, sibling group size, needs, care type) may be set aside
    with an `override_reason`, which the placement keeps in `overrides`; the others never."""
    child_ids = _child_ids(children)
    if not child_ids:
        raise ValidationError({"children": [_("Name at least one child to place.")]})
    if care_type not in CareType.values:
        raise ValidationError({"care_type": [_("“%(value)s” is not a care type.") % {"value": care_type}]})
    now = today()
    if start_date > now + datetime.timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError(
            {"start_date": [_("The start date can be at most %(days)d days from today.") % {"days": MAX_DAYS_AHEAD}]}
        )
    split_reason = (split_reason or "").strip()
    override_reason = (override_reason or "").strip()
    match_rank = _match_rank(actor=actor, match_id=match_id, carer_id=_pk(carer), child_ids=child_ids)

    with transaction.atomic():
        # Locks: the carer first, then the children in id order, the same order every time.
        carer = Carer.objects.select_for_update().get(pk=_pk(carer))
        worker = social_worker_resolve(social_worker=social_worker, province_code=carer.province_id)
        locked = list(Child.objects.select_for_update().filter(pk__in=child_ids).order_by("pk"))
        if len(locked) != len(child_ids):
            unknown = sorted(set(_ids(child_ids)) - set(_ids(c.pk for c in locked)))
            raise ValidationError({"children": [_("No child with id %(ids)s.") % {"ids": ", ".join(unknown)}]})
        fails, free = _failing_rules(carer=carer, children=locked, care_type=care_type, start_date=start_date, now=now)
        # The family's own standing first, then the children's, then what lies between them.
        refuse = functools.partial(
            _refuse, carer=carer, children=locked, care_type=care_type, failing=fails, free=free
        )
        refuse(first=[code for code in FAMILY_STANDING if code in fails])
        _check_children(children=locked, start_date=start_date, split_reason=split_reason)
        refuse(first=[code for code in fails if not eligibility.BY_REFUSAL[code].overridable])
        overridden = [code for code in fails if eligibility.BY_REFUSAL[code].overridable]
        if not override_reason:
            refuse(first=overridden)

        placement = Placement.objects.create(
            carer=carer,
            start_date=start_date,
            care_type=care_type,
            match_id=match_id,
            match_rank=match_rank,
            social_worker=worker,
            split_reason=split_reason,
            overrides=[
                {
                    "code": code,
                    "reason": override_reason,
                    "by": getattr(actor, "username", "") or "system",
                    "at": timezone.now().isoformat(),
                }
                for code in overridden
            ],
            province_id=carer.province_id,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        try:
            with transaction.atomic():
                PlacementChild.objects.bulk_create(
                    [PlacementChild(placement=placement, child=child, active=True) for child in locked]
                )
        except IntegrityError:
            # Someone placed one of them without taking our locks: the database said no.
            placed = children_in_active_placements(child_ids=child_ids) or child_ids
            raise _already_placed(placed) from None
        audit_created(actor=actor, instance=placement, extra={"children": [None, _ids(c.pk for c in locked)]})
        placement_event_record(placement=placement, from_status="")
        moves = []
        for child in locked:
            moves.append((child, child.status, child.province_id))
            with audited_update(actor=actor, instance=child):
                child.status = Child.Status.PLACED
                child.province_id = carer.province_id
                child.save(update_fields=["status", "province", "updated_at"])
        child_events_record(changes=moves, on=start_date)
        visits_schedule(actor=actor, placement=placement, on=now)
    return placement


# Refused before anything about the children is looked at, as they concern the family alone.
FAMILY_STANDING = ("carer_not_approved", "approval_review_overdue", "safeguarding_concern")


def _failing_rules(
    *, carer: Carer, children: list[Child], care_type: str, start_date: datetime.date, now: datetime.date
) -> tuple[list[str], int]:
    """The refusal codes of the eligibility rules this family fails for these children, in the rules'
    order, and the family's free places (as the rules read them). The children's ages are taken on
    the start date: the family's terms are about the child who arrives."""
    family = family_facts(carer=carer, today=now)
    failing = eligibility.failing(
        family,
        children_facts(children=children, care_type=care_type, on=start_date),
        relations(carer_ids=[carer.pk], child_ids=[c.pk for c in children]),
    )[0]
    codes = [rule.refusal for rule, fails in zip(eligibility.RULES, failing, strict=True) if fails]
    return codes, int(family.vacancies[0])


def _refuse(
    *, carer: Carer, children: list[Child], care_type: str, failing: list[str], free: int, first: list[str]
) -> None:
    """Refuse under the first of the rules `first` (none: nothing to refuse). The error lists in
    `codes` every eligibility rule the family fails for these children, so a person sees them all at
    once; a fit rule's error says it may be overridden."""
    if not first:
        return
    code = first[0]
    rule = eligibility.BY_REFUSAL[code]
    extra: dict = {"codes": failing}
    if rule.overridable:
        extra["overridable"] = True
    if code == "carer_full":
        extra["vacancies"] = free
    error = ConflictError if rule.conflict else DomainError
    message = refusal_message(code, carer=carer, children=children, care_type=care_type, free=free)
    raise error(message, code=code, **extra)


def refusal_message(code: str, *, carer: Carer, children: list[Child], care_type: str, free: int) -> str:
    """The sentence a person reads when a placement is refused under rule `code`."""
    if code == "carer_not_approved":
        return _("This family is not approved (its status is %(status)s): it cannot receive a child.") % {
            "status": carer.get_status_display()
        }
    if code == "approval_review_overdue":
        if carer.review_due is None:
            return _("This family has no yearly review date: review it before placing a child.")
        return _("This family's yearly review was due on %(date)s: review it before placing a child.") % {
            "date": carer.review_due.isoformat()
        }
    if code == "safeguarding_concern":
        return _("This family has an open safeguarding concern: no child can be placed with it until it is closed.")
    if code == "excluded_for_child":
        return _("This family is recorded as excluded for a child named (a risk to the child): it cannot receive them.")
    if code == "carer_full":
        return _("This family has %(free)d free place(s) for %(asked)d child(ren).") % {
            "free": free,
            "asked": len(children),
        }
    if code == "care_type_not_offered" and care_type == CareType.KINSHIP:
        return _(
            "Kinship care needs the family to be recorded as kin of every child placed, or to offer kinship "
            "care. Give a reason to place anyway."
        )
    if code == "care_type_not_offered":
        return _("This family does not offer %(care_type)s. Give a reason to place anyway.") % {
            "care_type": CareType(care_type).label
        }
    messages = {
        "age_out_of_range": _(
            "A child named is outside the ages this family accepts (%(low)d to %(high)d years). "
            "Give a reason to place anyway."
        )
        % {"low": carer.age_min, "high": carer.age_max},
        "sex_not_accepted": _("This family does not accept the sex of a child named. Give a reason to place anyway."),
        "sibling_group_too_large": _(
            "This family accepts sibling groups of at most %(most)d; %(asked)d children are named. "
            "Give a reason to place anyway."
        )
        % {"most": carer.max_sibling_group, "asked": len(children)},
        "need_not_supported": _(
            "This family cannot support every need of the children named. Give a reason to place anyway."
        ),
    }
    return messages[code]


def _already_placed(child_ids) -> ConflictError:
    return ConflictError(
        _("A child named is already in an active placement: end that placement first."),
        code="child_already_placed",
        children=_ids(child_ids),
    )


def _check_children(*, children: list[Child], start_date: datetime.date, split_reason: str) -> None:
    ids = {c.pk for c in children}
    placed = set(children_in_active_placements(child_ids=ids))
    placed |= {c.pk for c in children if c.status == Child.Status.PLACED}
    if placed:
        raise _already_placed(sorted(placed, key=str))
    unplaceable = [c for c in children if c.status not in PLACEABLE]
    if unplaceable:
        raise DomainError(
            _("Only a child in residential care or awaiting placement can be placed; %(refs)s cannot.")
            % {"refs": ", ".join(c.reference for c in unplaceable)},
            code="child_not_placeable",
            children=_ids(c.pk for c in unplaceable),
        )
    born_after = [c for c in children if c.date_of_birth > start_date]
    if born_after:
        raise ValidationError({"start_date": [_("The start date is before the birth of a child named.")]})
    groups = {c.sibling_group_id for c in children if c.sibling_group_id}
    if groups and not split_reason:
        missing = list(
            Child.objects.filter(sibling_group_id__in=groups, sibling_group__keep_together=True, status__in=PLACEABLE)
            .exclude(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if missing:
            raise DomainError(
                # The field by its label, as a person reads it (API.md: no field name in a sentence).
                _(
                    "Siblings to be kept together would be separated: place them together, or record why "
                    "they are separated (%(field)s)."
                )
                % {"field": Placement._meta.get_field("split_reason").verbose_name},
                code="sibling_group_split",
                missing=_ids(missing),
            )


def placement_end(*, actor, placement: Placement, end_date: datetime.date, reason: str) -> Placement:
    """End an active placement: its children leave it (their status follows the reason), visits
    due after the end are cancelled and open visits due by then are marked missed."""
    if reason not in Placement.EndReason.values:
        raise ValidationError({"reason": [_("“%(value)s” is not a reason to end a placement.") % {"value": reason}]})
    with transaction.atomic():
        placement = Placement.objects.select_for_update().get(pk=placement.pk)
        if placement.status != Placement.Status.ACTIVE:
            raise DomainError(_("This placement has ended already."), code="invalid_transition")
        if end_date > today():
            raise ValidationError({"end_date": [_("The end date cannot be in the future.")]})
        if end_date < placement.start_date:
            raise ValidationError(
                {
                    "end_date": [
                        _("The end date cannot be before the start date (%(start)s).")
                        % {"start": placement.start_date.isoformat()}
                    ]
                }
            )
        with audited_update(actor=actor, instance=placement):
            placement.status = Placement.Status.ENDED
            placement.end_date = end_date
            placement.end_reason = reason
            placement.save(update_fields=["status", "end_date", "end_reason", "updated_at"])
        placement_event_record(placement=placement, from_status=Placement.Status.ACTIVE)

        memberships = list(placement.memberships.select_for_update().filter(active=True))
        PlacementChild.objects.filter(pk__in=[m.pk for m in memberships]).update(active=False)

        for visit in placement.visits.select_for_update().filter(state=Visit.State.OPEN).order_by("sequence"):
            with audited_update(actor=actor, instance=visit, province=placement.province_id):
                visit.state = Visit.State.CANCELLED if visit.due_date > end_date else Visit.State.MISSED
                visit.save(update_fields=["state", "updated_at"])

        new_status = STATUS_AFTER_END[reason]
        children = (
            Child.objects.select_for_update(of=("self",))
            .select_related("institution", "home_commune")
            .filter(pk__in=[m.child_id for m in memberships])
            .order_by("pk")
        )
        moves = []
        for child in children:
            moves.append((child, child.status, child.province_id))
            with audited_update(actor=actor, instance=child):
                child.status = new_status
                child.province_id = _province_after_placement(child, reason)
                child.save(update_fields=["status", "province", "updated_at"])
        child_events_record(changes=moves, on=end_date)
    return placement


def _province_after_placement(child: Child, reason: str) -> str:
    """Where the child is once the placement ends: home with their family when reunified; otherwise
    the province of their institution, or else of their home commune."""
    if reason != Placement.EndReason.REUNIFIED and child.institution_id:
        return child.institution.province_id
    return child.home_commune.province_id


def placement_assign_social_worker(*, actor, placement: Placement, social_worker: User | str | None) -> Placement:
    """Give the placement (and so its visits and reminders) to another social worker."""
    with transaction.atomic():
        placement = Placement.objects.select_for_update().get(pk=placement.pk)
        worker = social_worker_resolve(social_worker=social_worker, province_code=placement.province_id)
        with audited_update(actor=actor, instance=placement):
            placement.social_worker = worker
            placement.save(update_fields=["social_worker", "updated_at"])
    return placement
