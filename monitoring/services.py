"""Recording an institution's closure decision: one transaction, audited; the institution is moved
to `closing` through the register's own service (its audit entry and rules)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from monitoring.models import ClosureChild, InstitutionClosure
from register.audit import audit_created
from register.errors import ConflictError
from register.models import Child, Institution, StatusEvent
from register.services.children import institution_update


def closure_record(
    *, actor, institution: Institution, decided_on: datetime.date, target_date: datetime.date, reason: str
) -> InstitutionClosure:
    """Record the decision to close `institution` (one of the actor's, checked by the caller): it
    becomes `closing`, and the children it held on `decided_on` (waiting or in residential care
    that day, by the dated history) are kept with their status that day. A second decision for the
    same institution is refused (409)."""
    errors = {}
    if not reason.strip():
        errors["reason"] = [_("Say why the institution closes.")]
    if target_date < decided_on:
        errors["target_date"] = [_("The target date cannot be before the decision.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        institution = Institution.objects.select_for_update().get(pk=institution.pk)
        if InstitutionClosure.objects.filter(institution=institution).exists():
            raise ConflictError(_("A closure was already recorded for this institution."), code="conflict")
        closure = InstitutionClosure.objects.create(
            institution=institution,
            decided_on=decided_on,
            target_date=target_date,
            reason=reason.strip(),
            province_id=institution.province_id,
            decided_by=actor if getattr(actor, "pk", None) else None,
        )
        children = _children_on(institution, decided_on)
        ClosureChild.objects.bulk_create(
            ClosureChild(closure=closure, child_id=pk, status_at_decision=status) for pk, status in children.items()
        )
        audit_created(actor=actor, instance=closure, extra={"children": [None, sorted(str(pk) for pk in children)]})
        if institution.status != Institution.Status.CLOSING:
            institution_update(actor=actor, institution=institution, data={"status": Institution.Status.CLOSING})
    return closure


def _children_on(institution: Institution, day: datetime.date) -> dict:
    """The institution's children waiting or in residential care on `day`: their status that day by
    the dated history (today's status for a child with no history at all)."""
    children = dict(Child.objects.filter(institution=institution).values_list("pk", "status"))
    then, known = {}, set()
    events = StatusEvent.objects.filter(kind=StatusEvent.Kind.CHILD, subject_id__in=list(children))
    for pk, on, status in events.order_by("on", "recorded_at", "id").values_list("subject_id", "on", "to_status"):
        known.add(pk)
        if on <= day:
            then[pk] = status
    out = {}
    for pk, status in children.items():
        status_then = then.get(pk) if pk in known else status
        if status_then in Child.PLACEABLE:
            out[pk] = status_then
    return out
