"""Reads of the matching app, scoped to the caller's provinces."""

from collections.abc import Iterable

from matching.models import BatchPlan, MatchRun
from register.models import Carer
from register.scoping import scope_to_user
from register.selectors.children import child_list


def match_runs(*, user):
    return scope_to_user(MatchRun.objects.select_related("policy", "requested_by"), user)


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
