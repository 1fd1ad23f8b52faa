"""Matching policy versions, match runs and batch plans: what was asked, by whom, under which policy,
what the ranking saw and what it answered. Runs are kept unchanged, so an auditor sees later exactly
what the officer saw then."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MatchingPolicy(models.Model):
    """Weights and limits of the ranking. Versioned: a change is a new row (never an edit), and the
    newest row is the policy in force; every run records the version it used."""

    version = models.AutoField(primary_key=True)
    weights = models.JSONField(_("component weights"))
    distance_scale_km = models.FloatField(_("distance scale (km)"), default=40.0)
    max_candidates = models.PositiveSmallIntegerField(_("most families returned"), default=100)
    plan_k_start = models.PositiveSmallIntegerField(_("families kept per unit in plans (start)"), default=8)
    plan_time_limit_s = models.FloatField(_("plan solver time limit (s)"), default=8.0)
    notes = models.TextField(_("why this version"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-version"]
        get_latest_by = "version"
        verbose_name = _("matching policy")
        verbose_name_plural = _("matching policies")

    def __str__(self) -> str:
        return f"v{self.version}"

    @classmethod
    def current(cls) -> "MatchingPolicy":
        return cls.objects.latest()


class MatchRun(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("register.Child", on_delete=models.PROTECT, related_name="match_runs")
    children = models.JSONField(_("children matched together"))  # ids, the asked-for child first
    province = models.ForeignKey("register.Province", on_delete=models.PROTECT, related_name="+")
    policy = models.ForeignKey(MatchingPolicy, on_delete=models.PROTECT, related_name="runs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    limit = models.PositiveSmallIntegerField(default=20)
    # What the ranking saw: the children's profile and the candidate set (size, provinces).
    inputs = models.JSONField(default=dict)
    candidates = models.JSONField(default=list)
    eligible_count = models.PositiveIntegerField(default=0)
    excluded_count = models.PositiveIntegerField(default=0)
    excluded_by_reason = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("match run")
        verbose_name_plural = _("match runs")
        indexes = [models.Index(fields=["province", "created_at"])]

    def __str__(self) -> str:
        return str(self.id)


class BatchPlan(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    institution = models.ForeignKey(
        "register.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    children = models.JSONField(_("children to place"))  # ids
    province = models.ForeignKey("register.Province", on_delete=models.PROTECT, related_name="+")
    policy = models.ForeignKey(MatchingPolicy, on_delete=models.PROTECT, related_name="plans")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0.0)
    proposals = models.JSONField(default=list)
    unassigned = models.JSONField(default=list)
    total_score = models.FloatField(null=True, blank=True)
    greedy_total_score = models.FloatField(null=True, blank=True)
    optimal = models.BooleanField(null=True, blank=True)
    bound = models.FloatField(null=True, blank=True)
    gap = models.FloatField(null=True, blank=True)
    stats = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("batch plan")
        verbose_name_plural = _("batch plans")

    def __str__(self) -> str:
        return str(self.id)


class MatchOutreach(models.Model):
    """A call to a family of a match run, and what came of it: the run is the officer's worklist of
    families to call, best first (caseworker-driven outreach to recommended families places more
    children than waiting for families to answer). Rows are only added, never edited."""

    class Outcome(models.TextChoices):
        CONTACTED = "contacted", _("contacted")
        INTERESTED = "interested", _("interested")
        DECLINED = "declined", _("declined")
        UNREACHABLE = "unreachable", _("unreachable")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run = models.ForeignKey(MatchRun, on_delete=models.PROTECT, related_name="outreach")
    carer = models.ForeignKey("register.Carer", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("call to a family")
        verbose_name_plural = _("calls to families")
        indexes = [models.Index(fields=["run", "-at"])]

    def __str__(self) -> str:
        return f"{self.run_id} {self.carer_id} {self.outcome}"
