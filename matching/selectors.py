"""Reads of the matching app, scoped to the caller's provinces."""

import contextlib
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from matching.models import BatchPlan, MatchOutreach, MatchRun
from register.models import Carer, Placement
from register.scoping import scope_to_user
from register.selectors.children import child_list


def match_runs(*, user):
    # With the calls made from each run (newest first): the run is the officer's worklist.
    calls = Prefetch("outreach", queryset=MatchOutreach.objects.select_related("by").order_by("-at", "-id"))
    return scope_to_user(MatchRun.objects.select_related("policy", "requested_by").prefetch_related(calls), user)


def latest_outreach(run: MatchRun) -> dict[str, MatchOutreach]:
    """Each family's latest call in the run (from the prefetched calls, newest first)."""
    latest: dict[str, MatchOutreach] = {}
    for call in run.outreach.all():
        latest.setdefault(str(call.carer_id), call)
    return latest


def placements_from_run(*, user, run: MatchRun):
    """Placements made from this run (they keep its id and the family's rank in it), in scope."""
    return scope_to_user(Placement.objects.filter(match_id=run.pk), user).order_by("created_at")


def batch_plans(*, user):
    return scope_to_user(BatchPlan.objects.select_related("policy"), user)


def visible_ids(*, user, carers: Iterable[str] = (), children: Iterable[str] = ()) -> set[str]:
    """Which of these carers' and children's ids the user may see. A run or plan filed under the
    user's province may still name another province's records (a national administrator's run ranks
    every province's families): whoever reads it sees only their own provinces' records in it."""
    carers, children = {str(i) for i in carers}, {str(i) for i in children}
    found = set()
    if carers:
        found |= {
            str(pk) for pk in scope_to_user(Carer.objects.filter(pk__in=carers), user).values_list("pk", flat=True)
        }
    if children:
        found |= {str(pk) for pk in child_list(user=user).filter(pk__in=children).values_list("pk", flat=True)}
    return found


def match_rank_for_placement(*, actor, match_id, carer_id, child_ids) -> int | None:
    """The family's rank in match run `match_id`, for a placement made from it (None: the run did not
    rank this family). The run must be one `actor` may read, and must have been asked for at least
    one of these children; otherwise a ValidationError on `match`. The placement service calls this
    through the hook matching/apps.py installs (the register does not import matching)."""
    run = None
    with contextlib.suppress(ValueError, ValidationError):  # not a UUID: as a run that does not exist
        run = match_runs(user=actor).filter(pk=match_id).first()
    if run is None:
        raise ValidationError({"match": [_("No match run with id %(id)s was found.") % {"id": match_id}]})
    if not {str(c) for c in run.children} & {str(c) for c in child_ids}:
        raise ValidationError({"match": [_("This match run was not made for any of the children named.")]})
    return next((c.get("rank") for c in run.candidates if c.get("carer") == str(carer_id)), None)
