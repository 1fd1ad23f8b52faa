"""Writing the training modules (reference data of the carers' approval): national administrators
maintain them; a module some family has completed is kept."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from register.audit import audit_created, audit_deleted, audited_update
from register.errors import DomainError
from register.models import CarerTraining, TrainingModule

TRAINING_MODULE_FIELDS = ("name_en", "name_km", "required_for_approval", "supports_needs")


def training_module_create(*, actor, code: str, data: Mapping[str, Any]) -> TrainingModule:
    _require_national(actor)
    with transaction.atomic():
        module = TrainingModule(code=code, **_fields(data))
        module.full_clean()
        module.save()
        audit_created(actor=actor, instance=module)
    return module


def training_module_update(*, actor, module: TrainingModule, data: Mapping[str, Any]) -> TrainingModule:
    _require_national(actor)
    with transaction.atomic():
        module = TrainingModule.objects.select_for_update().get(pk=module.pk)
        with audited_update(actor=actor, instance=module, when_changed=True):
            for field, value in _fields(data).items():
                setattr(module, field, value)
            module.full_clean()
            module.save()
    return module


def training_module_delete(*, actor, module: TrainingModule) -> None:
    _require_national(actor)
    with transaction.atomic():
        module = TrainingModule.objects.select_for_update().get(pk=module.pk)
        if CarerTraining.objects.filter(module=module).exists():
            raise DomainError(
                _("Families have completed this training module: it is kept."), code="training_module_in_use"
            )
        audit_deleted(actor=actor, instance=module)
        module.delete()


def _fields(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(TRAINING_MODULE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable training module fields: {sorted(unknown)}")
    return dict(data)


def _require_national(actor) -> None:
    if not (getattr(actor, "is_active", False) and getattr(actor, "is_national", False)):
        raise DomainError(_("Only a national administrator may do this."), code="national_only", status_code=403)
