"""Foster families (carers): the household, its terms of approval, and what approval rests on."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from register.choices import Ethnicity, Religion, Sex
from register.models.fields import CodeListField


class Carer(models.Model):
    class Status(models.TextChoices):
        ENQUIRY = "enquiry", _("enquiry")
        ASSESSMENT = "assessment", _("assessment")
        TRAINING = "training", _("training")
        APPROVED = "approved", _("approved")
        ON_HOLD = "on_hold", _("on hold")
        DEREGISTERED = "deregistered", _("deregistered")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.ENQUIRY)
    household_name = models.CharField(_("household name"), max_length=200)

    # The primary carer: the name as written (usually Khmer script), and romanised as on the ID card.
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    given_name_latin = models.CharField(_("given name (Latin letters)"), max_length=100, blank=True)
    family_name_latin = models.CharField(_("family name (Latin letters)"), max_length=100, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    date_of_birth = models.DateField(_("date of birth"))
    national_id = models.CharField(_("national ID"), max_length=20, blank=True)

    phone = models.CharField(_("phone"), max_length=16, help_text=_("E.164, for example +85512345678"))
    commune = models.ForeignKey("register.Commune", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey("register.Village", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Derived from the commune; stored so that scoping and filters are plain indexed lookups.
    district = models.ForeignKey("register.District", on_delete=models.PROTECT, related_name="+", editable=False)
    province = models.ForeignKey("register.Province", on_delete=models.PROTECT, related_name="+", editable=False)
    address = models.CharField(_("address"), max_length=300, blank=True)
    lat = models.FloatField(
        _("latitude"), null=True, blank=True, validators=[MinValueValidator(9.5), MaxValueValidator(15.0)]
    )
    lon = models.FloatField(
        _("longitude"), null=True, blank=True, validators=[MinValueValidator(102.0), MaxValueValidator(108.0)]
    )

    languages = CodeListField(_("languages"), default=list)
    religion = models.CharField(_("religion"), max_length=20, choices=Religion.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, choices=Ethnicity.choices)

    # Terms of approval.
    max_children = models.PositiveSmallIntegerField(
        _("capacity"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    age_min = models.PositiveSmallIntegerField(_("youngest age accepted"), validators=[MaxValueValidator(17)])
    age_max = models.PositiveSmallIntegerField(_("oldest age accepted"), validators=[MaxValueValidator(17)])
    sexes_accepted = CodeListField(_("sexes accepted"), default=list)
    max_sibling_group = models.PositiveSmallIntegerField(
        _("largest sibling group"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    care_types = CodeListField(_("care types offered"), default=list)
    needs_supported = CodeListField(_("needs supported"), default=list, blank=True)

    approved_on = models.DateField(_("approved on"), null=True, blank=True, editable=False)
    review_due = models.DateField(_("review due"), null=True, blank=True, editable=False, db_index=True)

    created_at = models.DateTimeField(auto_now_add=True)
    # Indexed: matching notices any change to the register's families by its newest value.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when this record was merged into another (the same family registered twice): it then
    # leaves every list and match, and its id answers with the record kept (issue 14).
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        ordering = ["reference"]
        verbose_name = _("foster family")
        verbose_name_plural = _("foster families")
        indexes = [
            # The list's usual filters, in the list's order: a page of one province's families by
            # status is an index range scan, whatever its depth (keyset pages, register/api/pagination.py).
            models.Index(fields=["province", "status", "reference"], name="carer_province_status_ref"),
            # Every list leaves merged records out: a national count (a name search's) reads this
            # narrow index instead of the whole table.
            models.Index(fields=["id"], condition=models.Q(merged_into__isnull=True), name="carer_not_merged"),
            models.Index(fields=["status", "review_due"]),
            models.Index(fields=["phone"]),
            models.Index(fields=["national_id"]),
            # The duplicate check's "close name and same date of birth": candidates by birth date.
            models.Index(fields=["date_of_birth"], name="carer_date_of_birth"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(age_min__lte=F("age_max")), name="carer_age_range_in_order"),
            models.CheckConstraint(condition=Q(max_children__gte=1), name="carer_capacity_positive"),
            models.CheckConstraint(condition=Q(max_sibling_group__gte=1), name="carer_sibling_group_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.household_name}"


class HouseholdMember(models.Model):
    """Everyone else who lives in the home: the composition matters when placing a child."""

    class Relationship(models.TextChoices):
        SPOUSE = "spouse", _("spouse or partner")
        CHILD = "child", _("child")
        PARENT = "parent", _("parent")
        SIBLING = "sibling", _("brother or sister")
        GRANDCHILD = "grandchild", _("grandchild")
        OTHER_RELATIVE = "other_relative", _("other relative")
        NON_RELATIVE = "non_relative", _("not related")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="household_members")
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    given_name_latin = models.CharField(_("given name (Latin letters)"), max_length=100, blank=True)
    family_name_latin = models.CharField(_("family name (Latin letters)"), max_length=100, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    date_of_birth = models.DateField(_("date of birth"))
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)

    class Meta:
        ordering = ["date_of_birth", "id"]
        verbose_name = _("household member")
        verbose_name_plural = _("household members")

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"


class CarerCheck(models.Model):
    class Kind(models.TextChoices):
        HOME_ASSESSMENT = "home_assessment", _("home assessment")
        POLICE_CLEARANCE = "police_clearance", _("police clearance")
        HEALTH_CHECK = "health_check", _("health check")
        # "reference" is also a family's reference number (FC-…): the context keeps them apart in Khmer.
        REFERENCE = "reference", pgettext_lazy("character reference", "reference")

    class Result(models.TextChoices):
        # A check's result, not a failed delivery or a pending reminder: its own words in Khmer.
        PASSED = "passed", pgettext_lazy("check result", "passed")
        FAILED = "failed", pgettext_lazy("check result", "failed")
        PENDING = "pending", pgettext_lazy("check result", "pending")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    checked_on = models.DateField(_("checked on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_on", "-created_at"]
        verbose_name = _("check")
        verbose_name_plural = _("checks")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("checked_on")),
                name="check_expires_after_checked",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_result_display()}"


class CarerTraining(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="trainings")
    module = models.ForeignKey("register.TrainingModule", on_delete=models.PROTECT, related_name="+")
    completed_on = models.DateField(_("completed on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-completed_on"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        constraints = [models.UniqueConstraint(fields=["carer", "module"], name="one_training_record_per_module")]

    def __str__(self) -> str:
        return f"{self.module_id} {self.completed_on}"


class SafeguardingConcern(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="concerns")
    raised_on = models.DateField(_("raised on"))
    summary = models.TextField(_("summary"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-raised_on"]
        verbose_name = _("safeguarding concern")
        verbose_name_plural = _("safeguarding concerns")
        indexes = [models.Index(fields=["carer", "status"])]

    def __str__(self) -> str:
        return f"{self.raised_on} {self.get_status_display()}"


class CarerStatusChange(models.Model):
    """The lifecycle history of a family: every move, who made it and why."""

    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=15, choices=Carer.Status.choices)
    to_status = models.CharField(max_length=15, choices=Carer.Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class ReferenceSequence(models.Model):
    """The last number handed out per prefix and province, for references like FC-02-000123.
    Rows are locked (select_for_update) while a number is taken, so two registrars never share one."""

    prefix = models.CharField(max_length=4)
    province = models.ForeignKey("register.Province", on_delete=models.PROTECT, related_name="+")
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "province"], name="one_sequence_per_prefix")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.province_id}: {self.last}"
