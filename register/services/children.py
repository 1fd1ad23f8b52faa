"""Writing institutions, children (with their kin and the families excluded for them) and sibling
groups. Each service checks the caller's jurisdiction itself, writes in one transaction and records
what changed in the audit trail in that same transaction.

Rule errors on a field are raised as Django ValidationErrors keyed by the API's field name, so the
API answers 400 {"field": ["message"]}; a refused status change is a DomainError (invalid_transition).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from register.audit import TIMESTAMPS, audit_created, audit_write, audited_update, snapshot
from register.errors import DomainError
from register.inputs.dates import date_bounds, date_range_message
from register.inputs.names import LATIN_NAME_FIELDS, name_errors
from register.inputs.people import ADULT_AGE
from register.models import (
    AuditEntry,
    Carer,
    CarerExclusion,
    Child,
    Commune,
    Institution,
    KinLink,
    PlacementChild,
    SiblingGroup,
)
from register.rules.ages import age_on
from register.scoping import scope_to_user, user_may_act_in
from register.selectors.children import child_list, institution_list
from register.services.duplicates import (
    PossibleDuplicate,
    duplicates_guard,
    duplicates_notify_elsewhere,
    duplicates_record_confirmed,
)
from register.services.history import child_events_record
from register.services.names import child_search_keys_write
from register.services.references import reference_next

# Fields a child's record takes from the caller as they are (relations and lists are handled apart).
CHILD_PLAIN_FIELDS = (
    "given_name",
    "family_name",
    "given_name_latin",
    "family_name_latin",
    "sex",
    "date_of_birth",
    "languages",
    "religion",
    "ethnicity",
    "needs",
    "care_type_needed",
    "external_ids",
)
INSTITUTION_FIELDS = ("name", "kind", "status", "inspection_score")
CHILD_NAME_FIELDS = ("given_name", "family_name", *LATIN_NAME_FIELDS)
EXTERNAL_ID_KEYS = ("primero", "oscar")

S = Child.Status
# Status changes a person may make by hand. Moves into and out of `placed` belong to the placement
# service (it creates and ends placements), so they are never made here.
STATUS_MOVES_BY_HAND = {
    S.IN_RESIDENTIAL_CARE: {S.AWAITING_PLACEMENT},
    S.AWAITING_PLACEMENT: {S.IN_RESIDENTIAL_CARE},
}
# Leaving the register's care: allowed from any status while the child is in no active placement.
EXIT_STATUSES = {S.EXITED, S.AGED_OUT, S.REUNIFIED, S.ADOPTED}


# --- Where a child is ------------------------------------------------------------------------------


def child_province_code(child: Child) -> str:
    """The province that holds a child's record: where the child is now.

    1. While the child is in an active placement, the carer's province (the placement's province).
       The placement service sets `Child.province` itself when it places a child; this rule only
       keeps it when the record is edited later, even if the old institution is still recorded.
    2. Else the institution's province, while the child lives in an institution.
    3. Else the province of the home commune (the family of origin).
    """
    if child.pk and not child._state.adding:
        placed_in = (
            PlacementChild.objects.filter(child_id=child.pk, active=True)
            .values_list("placement__province_id", flat=True)
            .first()
        )
        if placed_in:
            return placed_in
    if child.institution_id:
        return child.institution.province_id
    return child.home_commune.province_id


def child_in_active_placement(child: Child) -> bool:
    return PlacementChild.objects.filter(child_id=child.pk, active=True).exists()


# --- Institutions ----------------------------------------------------------------------------------


def institution_create(*, actor, data: Mapping[str, Any]) -> Institution:
    """Record an institution in one of the caller's provinces (the province follows the commune)."""
    commune: Commune = data["commune"]
    _require_province(actor, commune.province_id, field="commune")
    _raise_if(_name_errors(data))
    institution = Institution(commune=commune, province_id=commune.province_id)
    for field in INSTITUTION_FIELDS:
        if field in data:
            setattr(institution, field, data[field])
    with transaction.atomic():
        institution.full_clean()
        institution.save()
        audit_created(actor=actor, instance=institution, ignore=TIMESTAMPS)
    return institution


def institution_update(*, actor, institution: Institution, data: Mapping[str, Any]) -> Institution:
    """Change an institution. Moving it to a commune of another province is allowed only into one of
    the caller's provinces; its children (those not placed with a family) move with it."""
    with transaction.atomic():
        _raise_if(_name_errors(data))
        institution = Institution.objects.select_for_update().get(pk=institution.pk)
        province_before = institution.province_id
        with audited_update(actor=actor, instance=institution, when_changed=True, ignore=TIMESTAMPS) as change:
            for field in INSTITUTION_FIELDS:
                if field in data:
                    setattr(institution, field, data[field])
            if "commune" in data:
                commune: Commune = data["commune"]
                _require_province(actor, commune.province_id, field="commune")
                institution.commune = commune
                institution.province_id = commune.province_id
            if not change.so_far():
                return institution
            institution.full_clean()
            institution.save()
        if institution.province_id != province_before:
            _move_children_with_institution(actor, institution)
    return institution


def _move_children_with_institution(actor, institution: Institution) -> None:
    placed = PlacementChild.objects.filter(active=True).values("child_id")
    for child in Child.objects.filter(institution=institution).exclude(pk__in=placed).select_for_update():
        old = child.province_id
        child.province_id = institution.province_id
        child.save(update_fields=["province", "updated_at"])
        child_events_record(changes=[(child, child.status, old)])
        audit_write(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=child,
            changes={"province_id": [old, child.province_id]},
        )


# --- Children --------------------------------------------------------------------------------------


def child_initial_status(*, institution_id) -> str:
    """A new child is in residential care when recorded with an institution, else awaiting placement."""
    return S.IN_RESIDENTIAL_CARE if institution_id else S.AWAITING_PLACEMENT


def child_create(*, actor, data: Mapping[str, Any], duplicate_reviewed: str = "") -> Child:
    """Record a child. Status: `in_residential_care` when an institution is given, else
    `awaiting_placement`. The record belongs to the institution's province, else to the home
    commune's; either must be one of the caller's provinces. A child who may be on the register
    already (register.services.duplicates) is refused as possible_duplicate unless
    `duplicate_reviewed` says why this is another child; the reason is kept in the audit trail."""
    errors: dict[str, list[str]] = {}
    institution = _visible_institution(actor, data.get("institution"), errors)
    home_commune: Commune = data["home_commune"]
    _check_date_of_birth(data.get("date_of_birth"), errors)
    _check_names(data, CHILD_NAME_FIELDS, errors)
    _check_external_ids(data.get("external_ids", {}), errors)
    kin, exclusions = _resolve_relations(actor, data.get("kin", []), data.get("excluded_carers", []), errors)
    province = institution.province_id if institution else home_commune.province_id
    if institution is None and "institution" not in errors and not user_may_act_in(actor, province):
        errors.setdefault("home_commune", []).append(_outside_provinces_message())
    _raise_if(errors)

    child = Child(
        institution=institution,
        home_commune=home_commune,
        school_commune=data.get("school_commune"),
        province_id=province,
        status=child_initial_status(institution_id=institution.pk if institution else None),
        created_by=_user_or_none(actor),
    )
    for field in CHILD_PLAIN_FIELDS:
        if field in data:
            setattr(child, field, data[field])
    try:
        with transaction.atomic():
            child.reference = reference_next(prefix="CH", province_code=province)
            child.full_clean()
            check = duplicates_guard(actor=actor, kind="child", values=data, reviewed=duplicate_reviewed)
            child.save()
            child_search_keys_write(children=[child])
            child_events_record(changes=[(child, "", None)])
            KinLink.objects.bulk_create(KinLink(child=child, carer_id=c, relationship=r) for c, r in kin.items())
            CarerExclusion.objects.bulk_create(
                CarerExclusion(child=child, carer_id=c, reason=reason, created_by=_user_or_none(actor))
                for c, reason in exclusions.items()
            )
            reviewed = duplicates_record_confirmed(
                actor=actor, kind="child", record=child, check=check, reviewed=duplicate_reviewed
            )
            audit_created(actor=actor, instance=child, state=_child_state, ignore=TIMESTAMPS, extra=reviewed)
    except PossibleDuplicate as refusal:
        duplicates_notify_elsewhere(kind="child", check=refusal.check)
        raise
    return child


def child_update(*, actor, child: Child, data: Mapping[str, Any]) -> Child:
    """Change a child's record. `kin` and `excluded_carers`, when given, replace the lists. `status`
    may change only between `in_residential_care` and `awaiting_placement`, or to `exited`,
    `aged_out`, `reunified` or `adopted` while the child is in no active placement; anything else is
    refused as invalid_transition (placements change the status through the placement service)."""
    errors: dict[str, list[str]] = {}
    if "date_of_birth" in data:
        _check_date_of_birth(data["date_of_birth"], errors)
    _check_names(data, CHILD_NAME_FIELDS, errors)
    if "external_ids" in data:
        _check_external_ids(data["external_ids"], errors)
    institution = _visible_institution(actor, data["institution"], errors) if "institution" in data else None
    kin, exclusions = _resolve_relations(actor, data.get("kin"), data.get("excluded_carers"), errors)
    _raise_if(errors)

    with transaction.atomic():
        # The lock orders this change after a placement being made for the child at the same moment.
        child = Child.objects.select_for_update().get(pk=child.pk)
        before = (child, child.status, child.province_id)
        audited = audited_update(actor=actor, instance=child, state=_child_state, when_changed=True, ignore=TIMESTAMPS)
        with audited as change:
            for field in CHILD_PLAIN_FIELDS:
                if field in data:
                    setattr(child, field, data[field])
            for field in ("home_commune", "school_commune"):
                if field in data:
                    setattr(child, field, data[field])
            if "institution" in data:
                child.institution = institution
            if "status" in data and data["status"] != child.status:
                _check_status_change(child, data["status"])
                child.status = data["status"]

            province = child_province_code(child)
            if province != child.province_id:
                if not user_may_act_in(actor, province):
                    field = "institution" if child.institution_id else "home_commune"
                    raise ValidationError({field: [_outside_provinces_message()]})
                child.province_id = province

            if kin is not None:
                _replace_links(KinLink, child, kin, actor, field="relationship")
            if exclusions is not None:
                _replace_links(
                    CarerExclusion, child, exclusions, actor, field="reason", created_by=_user_or_none(actor)
                )
            if not change.so_far():
                return child
            child.full_clean()
            child.save()
            child_search_keys_write(children=[child])
            child_events_record(changes=[before])
    return child


def _status(status: str) -> str:
    """A child's status as a person reads it (its label), never its code."""
    return str(dict(Child.Status.choices).get(status, status))


def _check_status_change(child: Child, new: str) -> None:
    allowed = new in STATUS_MOVES_BY_HAND.get(child.status, set()) or new in EXIT_STATUSES
    if not allowed or child_in_active_placement(child):
        raise DomainError(
            _(
                "A child's status cannot change from %(from)s to %(to)s here. Placements change it: "
                "record or end the placement instead."
            )
            % {"from": _status(child.status), "to": _status(new)},
            code="invalid_transition",
            **{"from": child.status, "to": new},
        )


def _check_date_of_birth(value: datetime.date | None, errors: dict) -> None:
    if value is None:
        return
    today = timezone.localdate()
    if value > today:
        errors.setdefault("date_of_birth", []).append(_("The date of birth cannot be in the future."))
    elif value < date_bounds("child_birth")[0]:
        # Year 1, 1890...: a slip of the keyboard; the range allowed is named.
        errors.setdefault("date_of_birth", []).append(date_range_message("child_birth"))
    elif age_on(value, today) >= ADULT_AGE:
        errors.setdefault("date_of_birth", []).append(
            _("The register is for children: this date of birth makes the child %(age)d or older.") % {"age": ADULT_AGE}
        )


def _check_names(data: Mapping[str, Any], fields: Iterable[str], errors: dict) -> None:
    for field, messages in name_errors(data, fields).items():
        errors.setdefault(field, []).extend(messages)


def _check_external_ids(value: Mapping | None, errors: dict) -> None:
    if value is None:
        errors.setdefault("external_ids", []).append(_('Expected an object, for example {"primero": "..."}.'))
        return
    for key, item in value.items():
        if key not in EXTERNAL_ID_KEYS:
            errors.setdefault("external_ids", []).append(
                _("%(key)s is not a known partner system; use primero or oscar.") % {"key": key}
            )
        elif not isinstance(item, str) or not item.strip() or len(item) > 64:
            errors.setdefault("external_ids", []).append(
                _("The %(key)s id must be text of 1 to 64 characters.") % {"key": key}
            )


def _visible_institution(actor, value, errors: dict) -> Institution | None:
    if value is None:
        return None
    pk = getattr(value, "pk", value)
    institution = institution_list(user=actor).filter(pk=pk).first() if _is_uuid(pk) else None
    if institution is None:
        errors.setdefault("institution", []).append(_("No institution with this id in your provinces."))
    return institution


def _resolve_relations(
    actor, kin: Iterable[Mapping] | None, exclusions: Iterable[Mapping] | None, errors: dict
) -> tuple[dict[uuid.UUID, str] | None, dict[uuid.UUID, str] | None]:
    """Check that every carer named as kin or excluded is on the register of the caller's provinces,
    named once, and not both kin and excluded. Returns {carer_id: relationship} and
    {carer_id: reason}, or None for a list that was not given."""
    kin = None if kin is None else list(kin)
    exclusions = None if exclusions is None else list(exclusions)
    named = [_as_uuid(item.get("carer")) for item in (kin or []) + (exclusions or [])]
    visible = set(
        scope_to_user(Carer.objects.all(), actor).filter(pk__in=[c for c in named if c]).values_list("pk", flat=True)
    )

    # The value asked for, by its label (never the code's name for it, API.md).
    labels = {"relationship": _("relationship"), "reason": _("reason")}

    def collect(items, field, value_key, choices=None):
        if items is None:
            return None
        result: dict[uuid.UUID, str] = {}
        for item in items:
            carer = _as_uuid(item.get("carer"))
            if carer is None or carer not in visible:
                errors.setdefault(field, []).append(
                    _("No family with id %(id)s on the register of your provinces.") % {"id": item.get("carer")}
                )
            elif carer in result:
                errors.setdefault(field, []).append(_("Family %(id)s is listed twice.") % {"id": carer})
            else:
                value = str(item.get(value_key) or "").strip()
                if not value or (choices is not None and value not in choices):
                    errors.setdefault(field, []).append(
                        _("Give a valid %(what)s for family %(id)s.") % {"what": labels[value_key], "id": carer}
                    )
                result[carer] = value
        return result

    kin_map = collect(kin, "kin", "relationship", KinLink.Relationship.values)
    exclusion_map = collect(exclusions, "excluded_carers", "reason")
    if kin_map and exclusion_map:
        for carer in kin_map.keys() & exclusion_map.keys():
            errors.setdefault("excluded_carers", []).append(
                _("Family %(id)s is recorded as kin of this child; it cannot also be excluded.") % {"id": carer}
            )
    return kin_map, exclusion_map


def _replace_links(
    model: type[KinLink | CarerExclusion], child: Child, values: dict[uuid.UUID, str], actor, *, field: str, **create
) -> None:
    """Make the child's kin links or exclusions (`model`, one per family, each with a `field` value)
    say `values`; `create` holds the other fields of a new one."""
    current = {link.carer_id: link for link in model.objects.filter(child=child)}
    # Families in another province are not the actor's to see, so not theirs to drop either.
    mine = scope_to_user(Carer.objects.all(), actor).values("pk")
    model.objects.filter(child=child, carer__in=mine).exclude(carer_id__in=values.keys()).delete()
    for carer, value in values.items():
        link = current.get(carer)
        if link is None:
            model.objects.create(child=child, carer_id=carer, **{field: value}, **create)
        elif getattr(link, field) != value:
            setattr(link, field, value)
            link.save(update_fields=[field])


def _child_state(child: Child) -> dict[str, Any]:
    """A child's record for the audit trail: its fields, kin and exclusions (read fresh)."""
    state = snapshot(child)
    if child.pk and not child._state.adding:
        state["kin"] = [
            {"carer": str(c), "relationship": r}
            for c, r in KinLink.objects.filter(child_id=child.pk)
            .order_by("carer_id")
            .values_list("carer_id", "relationship")
        ]
        state["excluded_carers"] = [
            {"carer": str(c), "reason": r}
            for c, r in CarerExclusion.objects.filter(child_id=child.pk)
            .order_by("carer_id")
            .values_list("carer_id", "reason")
        ]
    return state


# --- Sibling groups --------------------------------------------------------------------------------


def sibling_group_create(*, actor, children: Iterable, keep_together: bool = True) -> SiblingGroup:
    """Group two or more children the caller may see, none of them in another group yet."""
    with transaction.atomic():
        members = _sibling_members(actor, children, group=None)
        group = SiblingGroup.objects.create(keep_together=keep_together, created_by=_user_or_none(actor))
        _set_group(actor, members, group)
        audit_write(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            instance=group,
            province=members[0].province_id,
            changes={"children": [None, _ids(members)], "keep_together": [None, keep_together]},
        )
    return group


def sibling_group_update(
    *, actor, group: SiblingGroup, children: Iterable | None = None, keep_together: bool | None = None
) -> SiblingGroup:
    """Change whether a group is kept together, or its children (the list replaces the old one; a
    child taken out must be one the caller may see)."""
    with transaction.atomic():
        group = SiblingGroup.objects.select_for_update().get(pk=group.pk)
        current = list(Child.objects.select_for_update().filter(sibling_group=group).order_by("pk"))
        changes: dict[str, list] = {}
        if children is not None:
            members = _sibling_members(actor, children, group=group)
            kept = {m.pk for m in members}
            removed = [c for c in current if c.pk not in kept]
            visible = set(child_list(user=actor).filter(pk__in=[c.pk for c in removed]).values_list("pk", flat=True))
            # Children the actor may not see are not listed to them: they stay in the group.
            hidden = [c for c in removed if c.pk not in visible]
            removed = [c for c in removed if c.pk in visible]
            members, kept = [*members, *hidden], kept | {c.pk for c in hidden}
            _set_group(actor, removed, None)
            _set_group(actor, members, group)
            if {c.pk for c in current} != kept:
                changes["children"] = [_ids(current), _ids(members)]
        if keep_together is not None and keep_together != group.keep_together:
            changes["keep_together"] = [group.keep_together, keep_together]
            group.keep_together = keep_together
            group.save(update_fields=["keep_together"])
        if changes:
            province = next((c.province_id for c in current), "")
            audit_write(
                actor=actor, action=AuditEntry.Action.UPDATE, instance=group, changes=changes, province=province
            )
    return group


def sibling_group_delete(*, actor, group: SiblingGroup) -> None:
    """Dissolve a group: its children stay on the register, in no group. Every child of the group must
    be one the caller may see."""
    with transaction.atomic():
        group = SiblingGroup.objects.select_for_update().get(pk=group.pk)
        members = list(Child.objects.select_for_update().filter(sibling_group=group).order_by("pk"))
        visible = set(child_list(user=actor).filter(pk__in=[c.pk for c in members]).values_list("pk", flat=True))
        if any(c.pk not in visible for c in members):
            raise DomainError(
                _("This group has children outside your jurisdiction; ask a colleague there to dissolve it."),
                code="children_outside_jurisdiction",
            )
        _set_group(actor, members, None)
        audit_write(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            instance=group,
            province=next((c.province_id for c in members), ""),
            changes={"children": [_ids(members), None], "keep_together": [group.keep_together, None]},
        )
        group.delete()


def _sibling_members(actor, children: Iterable, *, group: SiblingGroup | None) -> list[Child]:
    """The children for a group, locked in id order: at least two, each visible to the caller and in
    no other group."""
    raw = list(children)
    ids = list(dict.fromkeys(_as_uuid(getattr(c, "pk", c)) for c in raw))
    errors: list[str] = []
    if None in ids:
        errors.append(_("Each child must be given by its id."))
        ids = [i for i in ids if i is not None]
    if len(ids) < 2:
        errors.append(_("A sibling group needs at least two different children."))
    visible = set(child_list(user=actor).filter(pk__in=ids).values_list("pk", flat=True))
    errors += [_("No child with id %(id)s in your jurisdiction.") % {"id": i} for i in ids if i not in visible]
    if errors:
        raise ValidationError({"children": errors})
    members = list(Child.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    taken = [c for c in members if c.sibling_group_id is not None and (group is None or c.sibling_group_id != group.pk)]
    if taken:
        raise ValidationError(
            {
                "children": [
                    _("%(ref)s is already in another sibling group: take them out of it first.") % {"ref": c.reference}
                    for c in taken
                ]
            }
        )
    return members


def _set_group(actor, children: list[Child], group: SiblingGroup | None) -> None:
    now = timezone.now()
    for child in children:
        old = child.sibling_group_id
        new = group.pk if group else None
        if old == new:
            continue
        Child.objects.filter(pk=child.pk).update(sibling_group_id=new, updated_at=now)
        child.sibling_group_id = new
        audit_write(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=child,
            changes={"sibling_group_id": [str(old) if old else None, str(new) if new else None]},
        )


# --- Helpers ---------------------------------------------------------------------------------------


def _require_province(actor, province_code: str, *, field: str) -> None:
    if not user_may_act_in(actor, province_code):
        raise ValidationError({field: [_outside_provinces_message()]})


def _outside_provinces_message() -> str:
    return _("This place is outside your provinces.")


def _name_errors(data: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    _check_names(data, ("name",), errors)
    return errors


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _ids(children: Iterable[Child]) -> list[str]:
    return sorted(str(c.pk) for c in children)


def _is_uuid(value) -> bool:
    return _as_uuid(value) is not None


def _as_uuid(value) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def _user_or_none(actor):
    return actor if getattr(actor, "pk", None) else None
