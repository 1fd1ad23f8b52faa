"""Children leaving residential care, their kin among the carers, and sibling groups."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.fields.json import KeyTextTransform
from django.utils.translation import gettext_lazy as _

from register.choices import CareType, Ethnicity, Religion, Sex
from register.models.fields import CodeListField


class SiblingGroup(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    keep_together = models.BooleanField(_("keep together"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("sibling group")
        verbose_name_plural = _("sibling groups")

    def __str__(self) -> str:
        return str(self.id)


class Child(models.Model):
    class Status(models.TextChoices):
        IN_RESIDENTIAL_CARE = "in_residential_care", _("in residential care")
        AWAITING_PLACEMENT = "awaiting_placement", _("awaiting placement")
        PLACED = "placed", _("placed")
        REUNIFIED = "reunified", _("reunified")
        ADOPTED = "adopted", _("adopted")
        AGED_OUT = "aged_out", _("aged out")
        EXITED = "exited", _("exited")

    # Children waiting for a family: the only ones a match, a plan or a placement may take.
    PLACEABLE = (Status.IN_RESIDENTIAL_CARE, Status.AWAITING_PLACEMENT)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    # The name as written (usually Khmer script), and romanised as on the birth certificate.
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    given_name_latin = models.CharField(_("given name (Latin letters)"), max_length=100, blank=True)
    family_name_latin = models.CharField(_("family name (Latin letters)"), max_length=100, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    date_of_birth = models.DateField(_("date of birth"))
    institution = models.ForeignKey(
        "register.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    home_commune = models.ForeignKey("register.Commune", on_delete=models.PROTECT, related_name="+")
    school_commune = models.ForeignKey(
        "register.Commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    languages = CodeListField(_("languages"), default=list)
    religion = models.CharField(_("religion"), max_length=20, choices=Religion.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, choices=Ethnicity.choices)
    needs = CodeListField(_("needs"), default=list, blank=True)
    care_type_needed = models.CharField(_("care type needed"), max_length=20, choices=CareType.choices)
    sibling_group = models.ForeignKey(
        SiblingGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    status = models.CharField(
        _("status"), max_length=25, choices=Status.choices, default=Status.IN_RESIDENTIAL_CARE, db_index=True
    )
    external_ids = models.JSONField(_("external ids"), default=dict, blank=True)
    # Where the child is now: the institution's province, or the current carer's (set by services).
    province = models.ForeignKey("register.Province", on_delete=models.PROTECT, related_name="+", editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)  # monitoring's history_version
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when this record was merged into another (the same child recorded twice): it then leaves
    # every list and match, and its id answers with the record kept (issue 14).
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        ordering = ["reference"]
        verbose_name = _("child")
        verbose_name_plural = _("children")
        indexes = [
            models.Index(fields=["province", "status"]),
            # A province's children in the list's order (by reference), for pages at any depth.
            models.Index(fields=["province", "reference"], name="child_province_ref"),
            # The duplicate check's "close name, same date of birth and home commune".
            models.Index(fields=["date_of_birth", "home_commune"], name="child_birth_commune"),
            # The duplicate check's "same Primero or OSCaR id".
            models.Index(KeyTextTransform("primero", "external_ids"), name="child_primero_id"),
            models.Index(KeyTextTransform("oscar", "external_ids"), name="child_oscar_id"),
        ]

    def __str__(self) -> str:
        return self.reference


class KinLink(models.Model):
    class Relationship(models.TextChoices):
        GRANDPARENT = "grandparent", _("grandparent")
        AUNT_UNCLE = "aunt_uncle", _("aunt or uncle")
        ADULT_SIBLING = "adult_sibling", _("adult brother or sister")
        OTHER_RELATIVE = "other_relative", _("other relative")
        FAMILY_FRIEND = "family_friend", _("family friend")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="kin")
    carer = models.ForeignKey("register.Carer", on_delete=models.CASCADE, related_name="kin_of")
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)

    class Meta:
        verbose_name = _("kin")
        verbose_name_plural = _("kin")
        constraints = [models.UniqueConstraint(fields=["child", "carer"], name="one_kin_link_per_pair")]

    def __str__(self) -> str:
        return f"{self.child_id} ~ {self.carer_id} ({self.relationship})"


class CarerExclusion(models.Model):
    """A family that must not be considered for this child, with the recorded reason."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="excluded_carers")
    carer = models.ForeignKey("register.Carer", on_delete=models.CASCADE, related_name="excluded_for")
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("excluded family")
        verbose_name_plural = _("excluded families")
        constraints = [models.UniqueConstraint(fields=["child", "carer"], name="one_exclusion_per_pair")]

    def __str__(self) -> str:
        return f"{self.child_id} ✕ {self.carer_id}"
