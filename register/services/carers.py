"""Writing the register of foster families: registration, edits, the lifecycle and approval, and
the checks, trainings and safeguarding concerns approval rests on.

Every function runs in one transaction and writes its audit entry in it. Rule errors are raised as
`DomainError` (rendered {"detail", "code", ...}) or as Django `ValidationError` keyed by the API's
field names (rendered {"field": ["message"]}); the caller has already checked the shapes.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from register.audit import audit_created, audit_deleted, audited_update
from register.errors import DomainError
from register.inputs.carers import MATCHED_FIELDS, carer_consistency_errors
from register.inputs.dates import date_errors
from register.inputs.names import LATIN_NAME_FIELDS, name_errors
from register.models import (
    Carer,
    CarerCheck,
    CarerStatusChange,
    CarerTraining,
    HouseholdMember,
    SafeguardingConcern,
    TrainingModule,
)
from register.rules.approval import carer_approval_missing
from register.scoping import user_may_act_in
from register.services.duplicates import (
    PossibleDuplicate,
    duplicates_guard,
    duplicates_notify_elsewhere,
    duplicates_record_confirmed,
)
from register.services.history import carer_event_record
from register.services.names import carer_search_keys_write
from register.services.references import reference_next

S = Carer.Status

# The lifecycle of API.md: enquiry → assessment → training → approved ⇄ on_hold; any → deregistered
# (final). Approval happens once requirements are met; the yearly review is `carer_review`.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.ENQUIRY: frozenset({S.ASSESSMENT, S.DEREGISTERED}),
    S.ASSESSMENT: frozenset({S.TRAINING, S.DEREGISTERED}),
    S.TRAINING: frozenset({S.APPROVED, S.DEREGISTERED}),
    S.APPROVED: frozenset({S.ON_HOLD, S.DEREGISTERED}),
    S.ON_HOLD: frozenset({S.APPROVED, S.DEREGISTERED}),
    S.DEREGISTERED: frozenset(),
}
# Moves into these statuses need the `carers.approve` capability; the others `carers.write`.
APPROVAL_STATUSES = frozenset({S.APPROVED, S.ON_HOLD, S.DEREGISTERED})

# The fields a registrar edits (the input serializer's, flattened), in the order forms and the import
# template show them; everything else is derived.
EDITABLE_FIELDS = (
    "household_name",
    "given_name",
    "family_name",
    "given_name_latin",
    "family_name_latin",
    "sex",
    "date_of_birth",
    "national_id",
    "phone",
    "commune",
    "village",
    "address",
    "lat",
    "lon",
    *MATCHED_FIELDS,
)
MEMBER_FIELDS = (
    "given_name",
    "family_name",
    "given_name_latin",
    "family_name_latin",
    "sex",
    "date_of_birth",
    "relationship",
)
# The plausible range of each date a person types (register/inputs/dates.py), and the names.
CARER_DATES = {"date_of_birth": "adult_birth"}
CARER_NAMES = ("household_name", "given_name", "family_name", *LATIN_NAME_FIELDS)
MEMBER_DATES = {"date_of_birth": "person_birth"}
MEMBER_NAMES = ("given_name", "family_name", *LATIN_NAME_FIELDS)
RECORD_LATEST = {"expires_on": "expiry", "closed_on": "past_event"}


def carer_status_capability(status: str) -> str:
    """The capability a move into `status` needs (register.roles)."""
    return "carers.approve" if status in APPROVAL_STATUSES else "carers.write"


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def carer_create(*, actor, data: dict, duplicate_reviewed: str = "") -> Carer:
    """Register a family at enquiry. `data` is CarerInputSerializer's validated data (flattened
    primary carer and location, `household_members` a list of dicts). The commune must lie in one
    of the actor's provinces; the reference is the province's next FC number. A family that may be
    on the register already (register.services.duplicates) is refused as possible_duplicate unless
    `duplicate_reviewed` says why it is another; that reason is kept in the audit trail."""
    data = dict(data)
    members = data.pop("household_members", None) or []
    _check_fields(data, members)
    commune = data.get("commune")
    if commune is None:
        raise ValidationError({"commune": [_("This field is required.")]})
    _check_in_jurisdiction(actor, commune)
    errors = carer_consistency_errors(values=data)
    if errors:
        raise ValidationError(errors)

    try:
        with transaction.atomic():
            carer = Carer(
                **data,
                district_id=commune.district_id,
                province_id=commune.province_id,
                status=S.ENQUIRY,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
            carer.full_clean(exclude=["reference"], validate_unique=False)
            check = duplicates_guard(actor=actor, kind="carer", values=data, reviewed=duplicate_reviewed)
            carer.reference = reference_next(prefix="FC", province_code=commune.province_id)
            carer.save()
            _members_replace(carer, members)
            carer_search_keys_write(carers=[carer])
            carer_event_record(carer=carer, from_status="")
            reviewed = duplicates_record_confirmed(
                actor=actor, kind="carer", record=carer, check=check, reviewed=duplicate_reviewed
            )
            audit_created(
                actor=actor,
                instance=carer,
                extra={"household_members": [None, _members_snapshot(carer)], **reviewed},
            )
    except PossibleDuplicate as refusal:
        duplicates_notify_elsewhere(kind="carer", check=refusal.check)
        raise
    return carer


def carer_update(*, actor, carer: Carer, data: dict) -> Carer:
    """Change a family's details (a partial update). Moving it to another commune moves its district
    and province, which must stay in the actor's provinces. `household_members`, when given,
    replaces the whole household."""
    data = dict(data)
    members = data.pop("household_members", None)
    _check_fields(data, members)
    with transaction.atomic():
        carer = Carer.objects.select_for_update().get(pk=carer.pk)
        members_before = _members_snapshot(carer) if members is not None else None
        with audited_update(actor=actor, instance=carer, when_changed=True, ignore=("updated_at",)) as change:
            for field, value in data.items():
                setattr(carer, field, value)
            if "commune" in data:
                commune = data["commune"]
                if commune is None:
                    raise ValidationError({"commune": [_("This field may not be null.")]})
                # The province is not an editable field: until set below, it is still the old one.
                if commune.province_id != carer.province_id:
                    _check_in_jurisdiction(actor, commune)
                    # Counted in its new province from today on.
                    carer_event_record(carer=carer, from_status=carer.status, move_to=commune.province_id)
                carer.district_id, carer.province_id = commune.district_id, commune.province_id
            errors = carer_consistency_errors(
                values={f: getattr(carer, f) for f in ("commune", "village", "age_min", "age_max")}
            )
            if errors:
                raise ValidationError(errors)
            carer.full_clean(exclude=["reference"], validate_unique=False)
            carer.save()
            carer_search_keys_write(carers=[carer])
            if members is not None:
                _members_replace(carer, members)
                members_after = _members_snapshot(carer)
                if members_after != members_before:
                    change["household_members"] = [members_before, members_after]
    return carer


def carer_set_status(*, actor, carer: Carer, status: str, reason: str = "") -> Carer:
    """Move a family along its lifecycle. A move the lifecycle does not allow raises
    `invalid_transition`; approval needs every requirement (`approval_requirements_missing`) and
    sets approved_on to today and review_due a year later. The row is locked for the change, so
    two people acting at once see each other's result. The caller checks the capability
    (`carer_status_capability`)."""
    with transaction.atomic():
        carer = Carer.objects.select_for_update().get(pk=carer.pk)
        current = carer.status
        if status not in TRANSITIONS.get(current, ()):
            raise DomainError(
                _("A family cannot move from %(from)s to %(to)s.") % {"from": _stage(current), "to": _stage(status)},
                code="invalid_transition",
                **{"from": current, "to": status},
            )
        with _status_change_audited(actor=actor, carer=carer, reason=reason):
            carer.status = status
            if status == S.APPROVED:
                _require_approval(carer)
                carer.approved_on = timezone.localdate()
                carer.review_due = add_years(carer.approved_on, 1)
            carer.save()
    return carer


def carer_review(*, actor, carer: Carer, reason: str = "") -> Carer:
    """The yearly review of an approved family: re-checks every approval requirement and, when all
    are met, renews the approval from today (approved_on today, review_due a year later)."""
    with transaction.atomic():
        carer = Carer.objects.select_for_update().get(pk=carer.pk)
        if carer.status != S.APPROVED:
            raise DomainError(
                _("Only an approved family can be reviewed; this one is %(status)s.")
                % {"status": carer.get_status_display()},
                code="carer_not_approved",
                status=carer.status,
            )
        with _status_change_audited(actor=actor, carer=carer, reason=reason):
            _require_approval(carer)
            carer.approved_on = timezone.localdate()
            carer.review_due = add_years(carer.approved_on, 1)
            carer.save()
    return carer


# --- Checks, trainings, concerns ----------------------------------------------------------------


def carer_check_create(*, actor, carer: Carer, data: dict) -> CarerCheck:
    """Record a check (home assessment, police clearance, health check, reference)."""
    return _record_create(
        actor=actor, carer=carer, model=CarerCheck, data=data, earliest="checked_on", latest="expires_on"
    )


def carer_training_record(
    *, actor, carer: Carer, module: TrainingModule, completed_on: datetime.date
) -> tuple[CarerTraining, bool]:
    """Record that the family completed a training module. A family has one record per module: a
    second one updates its date. Returns (training, created)."""
    _check_dates({"completed_on": completed_on}, earliest="completed_on")
    with transaction.atomic():
        training, created = CarerTraining.objects.select_for_update().get_or_create(
            carer=carer, module=module, defaults={"completed_on": completed_on, "recorded_by": _user(actor)}
        )
        if created:
            _audit_record_created(actor, training, carer)
        elif training.completed_on != completed_on:
            with audited_update(actor=actor, instance=training, province=carer.province_id):
                training.completed_on = completed_on
                training.recorded_by = _user(actor)
                training.save(update_fields=["completed_on", "recorded_by"])
    return training, created


def carer_check_update(*, actor, check: CarerCheck, data: dict) -> CarerCheck:
    """Correct a recorded check (its kind, result, dates or notes); the family stays the same."""
    return _record_update(actor=actor, record=check, data=data, earliest="checked_on", latest="expires_on")


def carer_training_update(*, actor, training: CarerTraining, data: dict) -> CarerTraining:
    """Correct a training record (its module or completion date); a family has one record per module."""
    with transaction.atomic():
        training = CarerTraining.objects.select_for_update().select_related("carer").get(pk=training.pk)
        province = training.carer.province_id
        with audited_update(
            actor=actor, instance=training, province=province, when_changed=True, ignore=("updated_at",)
        ) as change:
            for field, value in data.items():
                setattr(training, field, value)
            _check_record_dates(training, earliest="completed_on")
            taken = CarerTraining.objects.filter(carer_id=training.carer_id, module_id=training.module_id)
            if taken.exclude(pk=training.pk).exists():
                raise ValidationError({"module": [_("The family already has a record of this training module.")]})
            if change.so_far():
                training.full_clean(exclude=["carer", "recorded_by"], validate_unique=False)
                training.save()
    return training


def household_member_create(*, actor, carer: Carer, data: dict) -> HouseholdMember:
    """Add one person to a family's household (the API replaces the household through carer_update)."""
    with transaction.atomic():
        _raise_if_any(_member_errors(data))
        member = HouseholdMember(carer=carer, **{f: data[f] for f in MEMBER_FIELDS if f in data})
        member.full_clean(exclude=["carer"])
        member.save()
        _audit_record_created(actor, member, carer)
    return member


def household_member_update(*, actor, member: HouseholdMember, data: dict) -> HouseholdMember:
    with transaction.atomic():
        member = HouseholdMember.objects.select_for_update().select_related("carer").get(pk=member.pk)
        with audited_update(actor=actor, instance=member, province=member.carer.province_id, when_changed=True):
            for field in MEMBER_FIELDS:
                if field in data:
                    setattr(member, field, data[field])
            _raise_if_any(_member_errors(data))
            member.full_clean(exclude=["carer"])
            member.save()
    return member


def carer_record_delete(*, actor, record: CarerCheck | CarerTraining | SafeguardingConcern | HouseholdMember) -> None:
    """Delete a record under a family (a check, training, concern or household member recorded by
    mistake), filed in the audit trail under the family's province with the values it had."""
    with transaction.atomic():
        record = type(record).objects.select_for_update().select_related("carer").get(pk=record.pk)
        audit_deleted(actor=actor, instance=record, province=record.carer.province_id)
        record.delete()
        # A deleted row leaves no newer `updated_at` behind: the family's own stamp moves instead, so
        # that what is read by its stamps (matching's families, the indicators) sees the deletion.
        Carer.objects.filter(pk=record.carer_id).update(updated_at=timezone.now())


def carer_concern_create(*, actor, carer: Carer, data: dict) -> SafeguardingConcern:
    """Record a safeguarding concern. An open one keeps the family out of every match."""
    data = dict(data)
    if data.get("status") == SafeguardingConcern.Status.CLOSED:
        data.setdefault("closed_on", None)
        data["closed_on"] = data["closed_on"] or timezone.localdate()
    else:
        data["closed_on"] = None
    return _record_create(
        actor=actor, carer=carer, model=SafeguardingConcern, data=data, earliest="raised_on", latest="closed_on"
    )


def _record_create(*, actor, carer: Carer, model: type[CarerCheck | SafeguardingConcern], data, earliest, latest):
    """A family's new check or concern: its dates checked, then validated, saved and audited under the family."""
    _check_dates(data, earliest=earliest, latest=latest)
    with transaction.atomic():
        record = model(carer=carer, recorded_by=_user(actor), **data)
        record.full_clean(exclude=["carer", "recorded_by"])
        record.save()
        _audit_record_created(actor, record, carer)
    return record


def carer_concern_update(*, actor, concern: SafeguardingConcern, data: dict) -> SafeguardingConcern:
    """Change a concern: close it (closed_on defaults to today) or reopen it, or amend it."""

    def settle(concern: SafeguardingConcern) -> None:
        if concern.status == SafeguardingConcern.Status.CLOSED:
            concern.closed_on = concern.closed_on or timezone.localdate()
        else:
            concern.closed_on = None

    return _record_update(
        actor=actor, record=concern, data=data, earliest="raised_on", latest="closed_on", settle=settle
    )


def _record_update(*, actor, record, data: dict, earliest: str, latest: str, settle=None):
    """Write `data` over a family's check or concern: locked, audited under the family's province,
    `settle` (when given) adjusting it, its dates checked as they now stand, then validated and saved."""
    with transaction.atomic():
        record = type(record).objects.select_for_update().select_related("carer").get(pk=record.pk)
        with audited_update(actor=actor, instance=record, province=record.carer.province_id, when_changed=True):
            for field, value in data.items():
                setattr(record, field, value)
            if settle is not None:
                settle(record)
            _check_record_dates(record, earliest=earliest, latest=latest)
            record.full_clean(exclude=["carer", "recorded_by"])
            record.save()
    return record


# --- Helpers ------------------------------------------------------------------------------------


def _check_fields(data: Mapping[str, Any], members: list | None = None) -> None:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable carer fields: {sorted(unknown)}")
    # Every way in (API, pages, import, admin) writes through here: the plausible dates and names.
    errors = {**date_errors(data, CARER_DATES), **name_errors(data, CARER_NAMES)}
    for number, member in enumerate(members or [], start=1):
        for field, messages in _member_errors(member).items():
            errors.setdefault("household_members", []).extend(
                _("Member %(number)d, %(field)s: %(message)s")
                % {"number": number, "field": _label(field), "message": m}
                for m in messages
            )
    if errors:
        raise ValidationError(errors)


def _member_errors(member: Mapping[str, Any]) -> dict[str, list[str]]:
    return {**date_errors(member, MEMBER_DATES), **name_errors(member, MEMBER_NAMES)}


def _stage(status: str) -> str:
    """A family's stage as a person reads it (its label), never its code."""
    return str(dict(Carer.Status.choices).get(status, status))


def _label(field: str) -> str:
    """A field of a family's records by its label (verbose name), as a sentence names it: the
    code's name for it (checked_on, date_of_birth) is never shown to a person (API.md)."""
    for model in (CarerCheck, SafeguardingConcern, CarerTraining, HouseholdMember):
        try:
            return str(model._meta.get_field(field).verbose_name)
        except FieldDoesNotExist:
            continue
    return field


def _check_in_jurisdiction(actor, commune) -> None:
    if not user_may_act_in(actor, commune.province_id):
        raise ValidationError(
            {
                "commune": [
                    _("Commune %(code)s is outside your provinces: you cannot register or move a family there.")
                    % {"code": commune.code}
                ]
            }
        )


def _check_dates(data: Mapping[str, Any], *, earliest: str, latest: str | None = None) -> None:
    """The first date is not in the future; the second, when given, is not before the first; each
    in its plausible range (register/inputs/dates.py)."""
    today = timezone.localdate()
    first = data.get(earliest)
    if first is not None and first > today:
        raise ValidationError({earliest: [_("This date is in the future.")]})
    last = data.get(latest) if latest else None
    if first is not None and last is not None and last < first:
        raise ValidationError({latest: [_("This date must not be before %(field)s.") % {"field": _label(earliest)}]})
    _raise_if_any(date_errors(data, {earliest: "past_event", **({latest: RECORD_LATEST[latest]} if latest else {})}))


def _raise_if_any(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _check_record_dates(record, *, earliest: str, latest: str | None = None) -> None:
    """`_check_dates` on a record's values as they stand after an edit."""
    _check_dates({f: getattr(record, f) for f in (earliest, latest) if f}, earliest=earliest, latest=latest)


def _require_approval(carer: Carer) -> None:
    missing = carer_approval_missing(carer=carer)
    if missing:
        raise DomainError(
            _("The family cannot be approved yet: %(missing)s.") % {"missing": ", ".join(missing)},
            code="approval_requirements_missing",
            missing=missing,
        )


@contextmanager
def _status_change_audited(*, actor, carer: Carer, reason: str):
    """The block moves the family (or renews its approval) and saves it: its status history gains a
    row, and the audit entry names the status even when it stays `approved` (a review)."""
    from_status = carer.status
    with audited_update(actor=actor, instance=carer, ignore=("updated_at",)) as change:
        yield
        CarerStatusChange.objects.create(
            carer=carer, from_status=from_status, to_status=carer.status, reason=reason, changed_by=_user(actor)
        )
        if carer.status != from_status:  # a review renews the approval: no move to count
            carer_event_record(carer=carer, from_status=from_status)
        change["status"] = [from_status, carer.status]
        if reason:
            change["reason"] = [None, reason]


def _members_replace(carer: Carer, members: list[Mapping[str, Any]]) -> None:
    carer.household_members.all().delete()
    HouseholdMember.objects.bulk_create(
        [HouseholdMember(carer=carer, **{f: m.get(f, "") for f in MEMBER_FIELDS}) for m in members]
    )


def _members_snapshot(carer: Carer) -> list[dict[str, Any]]:
    rows = HouseholdMember.objects.filter(carer=carer).order_by("date_of_birth", "given_name", "id")
    return [
        {f: (getattr(m, f).isoformat() if f == "date_of_birth" else getattr(m, f)) for f in MEMBER_FIELDS} for m in rows
    ]


def _audit_record_created(actor, record, carer: Carer) -> None:
    """A new record under a family, filed under the family's province and naming it."""
    audit_created(actor=actor, instance=record, extra={"carer": [None, carer.reference]}, province=carer.province_id)


def _user(actor):
    return actor if getattr(actor, "pk", None) else None
