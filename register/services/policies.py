"""Writing versioned policies (the visit policy here; the matching and reminder policies of the
other apps share the rule): a policy is never edited in place. Saving one adds a new version, the
newest is in force, and old versions stay as they were, since runs and schedules recorded which one
they used. Policies are national: only a national administrator adds a version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from register.audit import audit_created
from register.errors import DomainError


def policy_version_create(
    *, actor, model: type[models.Model], data: Mapping[str, Any], replaces: models.Model | None = None
) -> models.Model:
    """Add a version of the policy `model` with the values `data` (its editable fields). `replaces`,
    the version it was made from, is recorded in the audit entry."""
    if not (getattr(actor, "is_active", False) and getattr(actor, "is_national", False)):
        raise DomainError(_("Only a national administrator may do this."), code="national_only", status_code=403)
    editable = {f.name for f in model._meta.concrete_fields if f.editable and not f.primary_key}
    unknown = set(data) - editable
    if unknown:
        raise ValueError(f"Not editable policy fields: {sorted(unknown)}")
    with transaction.atomic():
        policy = model(**data)
        if "created_by" in editable:
            policy.created_by = actor
        policy.full_clean()
        policy.save()
        extra = {"replaces": [replaces.pk, policy.pk]} if replaces is not None else None
        audit_created(actor=actor, instance=policy, extra=extra)
    return policy
