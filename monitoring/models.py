"""A closure decision for an institution, and the children it was taken for."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class InstitutionClosure(models.Model):
    """The decision to close an institution: when, by when, why. Its children at the decision are
    kept (ClosureChild), so the closure page follows each one whatever happens next."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    institution = models.OneToOneField("register.Institution", on_delete=models.PROTECT, related_name="closure")
    decided_on = models.DateField(_("decided on"))
    target_date = models.DateField(_("target date"))
    reason = models.TextField(_("reason"))
    # The institution's province: scoping filters on it.
    province = models.ForeignKey("register.Province", on_delete=models.PROTECT, related_name="+", editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("institution closure")
        verbose_name_plural = _("institution closures")

    def __str__(self) -> str:
        return f"{self.institution_id} {self.decided_on}"


class ClosureChild(models.Model):
    closure = models.ForeignKey(InstitutionClosure, on_delete=models.CASCADE, related_name="children")
    child = models.ForeignKey("register.Child", on_delete=models.PROTECT, related_name="+")
    status_at_decision = models.CharField(_("status at the decision"), max_length=25)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["closure", "child"], name="closure_child_once")]

    def __str__(self) -> str:
        return f"{self.closure_id} / {self.child_id}"
