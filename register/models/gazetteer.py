"""Cambodia's administrative divisions, keyed by their NCDD codes (read-only reference data)."""

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Division(models.Model):
    """Fields every level shares. Codes are zero-padded strings: never integers."""

    name_en = models.CharField(_("name (English)"), max_length=100)
    name_km = models.CharField(_("name (Khmer)"), max_length=100)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        """The name in the active language."""
        return self.name_km if translation.get_language() == "km" else self.name_en


class Province(Division):
    code = models.CharField(_("code"), max_length=2, primary_key=True)
    # Area-weighted centroid of the province polygon: better than the geocoded point for distances.
    centroid_lat = models.FloatField(null=True, blank=True)
    centroid_lon = models.FloatField(null=True, blank=True)

    class Meta(Division.Meta):
        verbose_name = _("province")
        verbose_name_plural = _("provinces")


class District(Division):
    code = models.CharField(_("code"), max_length=4, primary_key=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="districts")

    class Meta(Division.Meta):
        verbose_name = _("district")
        verbose_name_plural = _("districts")


class Commune(Division):
    code = models.CharField(_("code"), max_length=6, primary_key=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="communes")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="communes")

    class Meta(Division.Meta):
        verbose_name = _("commune")
        verbose_name_plural = _("communes")


class Village(Division):
    code = models.CharField(_("code"), max_length=8, primary_key=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="villages")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="villages")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="villages")

    class Meta(Division.Meta):
        verbose_name = _("village")
        verbose_name_plural = _("villages")
