"""Reference data administrators maintain: training modules and the visit policy."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from register.models.fields import CodeListField


class TrainingModule(models.Model):
    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_km = models.CharField(_("name (Khmer)"), max_length=120)
    required_for_approval = models.BooleanField(_("required for approval"), default=False)
    # Needs (register.choices.Need values) this training prepares a family for.
    supports_needs = CodeListField(_("needs it prepares for"), default=list, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("training module")
        verbose_name_plural = _("training modules")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_km if translation.get_language() == "km" else self.name_en


class VisitPolicy(models.Model):
    """When follow-up visits fall due after a placement starts. Versioned: a change is a new row,
    and the newest row is the policy in force; placements keep the visits made under the old one."""

    offsets_days = models.JSONField(
        _("first visits (days after the start)"), default=list, help_text=_("For example 7, 30, 60, 90.")
    )
    repeat_every_days = models.PositiveIntegerField(
        _("then every (days)"), validators=[MinValueValidator(7)], default=90
    )
    horizon_days = models.PositiveIntegerField(
        _("schedule visits this far ahead (days)"), validators=[MinValueValidator(90)], default=730
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = ["created_at", "id"]
        verbose_name = _("visit policy")
        verbose_name_plural = _("visit policies")

    def __str__(self) -> str:
        days = ", ".join(str(d) for d in self.offsets_days)
        return f"#{self.pk}: {days}, then every {self.repeat_every_days}"

    @classmethod
    def current(cls) -> "VisitPolicy":
        return cls.objects.latest()
