"""Reads of the matching app, scoped to the caller's provinces."""

from matching.models import BatchPlan, MatchRun
from register.scoping import scope_to_user


def match_runs(*, user):
    return scope_to_user(MatchRun.objects.select_related("policy", "requested_by"), user)


def batch_plans(*, user):
    return scope_to_user(BatchPlan.objects.select_related("policy"), user)
