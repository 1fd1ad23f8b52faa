import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Institution(models.Model):
    class Kind(models.TextChoices):
        RESIDENTIAL_CARE = "residential_care", _("residential care institution")
        TRANSIT_HOME = "transit_home", _("transit home")
        GROUP_HOME = "group_home", _("group home")
        PAGODA = "pagoda", _("pagoda")
        BOARDING_SCHOOL = "boarding_school", _("boarding school")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSING = "closing", _("closing")
        CLOSED = "closed", _("closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    commune = models.ForeignKey("register.Commune", on_delete=models.PROTECT, related_name="+")
    province = models.ForeignKey("register.Province", on_delete=models.PROTECT, related_name="+", editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    inspection_score = models.PositiveSmallIntegerField(
        _("inspection score"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        indexes = [models.Index(fields=["province", "status"])]

    def __str__(self) -> str:
        return self.name
