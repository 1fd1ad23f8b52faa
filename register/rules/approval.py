"""What a foster family needs before it can be approved: the rule, written once.

The approval service refuses with `approval_requirements_missing` listing these codes, the API's
carer detail shows them as `approval_missing`, the family's page draws its checklist from
`approval_requirements()`, and the demo data set gives its families as many references as
`REFERENCES_REQUIRED` asks.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from register.models import Carer, CarerCheck, TrainingModule
from register.rules.eligibility import review_in_date

# The check kinds each needing one passed, unexpired check, in the order approval reports them.
REQUIRED_CHECKS: tuple[str, ...] = (
    CarerCheck.Kind.HOME_ASSESSMENT,
    CarerCheck.Kind.POLICE_CLEARANCE,
    CarerCheck.Kind.HEALTH_CHECK,
)
# How many passed, unexpired references approval rests on, and the code reported while fewer.
REFERENCES_REQUIRED = 2
REFERENCE = CarerCheck.Kind.REFERENCE.value
# The number in words, as the pages say it (and as Khmer translates it): change it with the number.
REFERENCES_LABEL = _("two passed references")


class Requirement(NamedTuple):
    code: str  # as API.md's `approval_missing` names it
    label: Promise | str


def check_counts(check: CarerCheck, *, today: datetime.date) -> bool:
    """A check counts towards approval only if it passed and has not expired."""
    return check.result == CarerCheck.Result.PASSED and (check.expires_on is None or check.expires_on >= today)


def training_code(module_code: str) -> str:
    """The requirement code of a training module: `core` is reported as `core_training`."""
    return f"{module_code}_training"


def required_training_modules() -> list[TrainingModule]:
    """The training modules approval needs, in the order it reports them: the core training first,
    then any other required module in code order."""
    modules = TrainingModule.objects.filter(required_for_approval=True)
    return sorted(modules, key=lambda m: (m.code != "core", m.code))


def approval_requirements() -> list[Requirement]:
    """Every requirement, in the order `carer_approval_missing` reports the missing ones."""
    kinds = dict(CarerCheck.Kind.choices)
    requirements = [Requirement(kind, kinds[kind]) for kind in REQUIRED_CHECKS]
    requirements.append(Requirement(REFERENCE, REFERENCES_LABEL))
    requirements += [
        Requirement(training_code(m.code), _("training: %(module)s") % {"module": m.name})
        for m in required_training_modules()
    ]
    return requirements


def approval_missing(
    *,
    checks: Iterable[CarerCheck],
    trained_modules: Iterable[str],
    required_modules: Iterable[str],
    today: datetime.date,
) -> list[str]:
    """The requirement codes not yet met, given a family's checks, the codes of the modules it has
    completed and the codes of the modules approval needs (in reporting order)."""
    kinds = [c.kind for c in checks if check_counts(c, today=today)]
    missing = [kind for kind in REQUIRED_CHECKS if kind not in kinds]
    if kinds.count(REFERENCE) < REFERENCES_REQUIRED:
        missing.append(REFERENCE)
    done = set(trained_modules)
    missing += [training_code(code) for code in required_modules if code not in done]
    return missing


def carer_approval_missing(*, carer: Carer, today: datetime.date | None = None) -> list[str]:
    """What approval still needs, as API.md's codes: `home_assessment`, `police_clearance`,
    `health_check`, `reference` (fewer than REFERENCES_REQUIRED passed references), then
    `<module>_training` for every training module required for approval (`core_training`).
    Uses the carer's prefetched checks and trainings when present."""
    return approval_missing(
        checks=_related(carer, "checks"),
        trained_modules=[t.module_id for t in _related(carer, "trainings")],
        required_modules=[m.code for m in required_training_modules()],
        today=today or timezone.localdate(),
    )


def _related(carer: Carer, name: str) -> list:
    # A page or list that prefetched the records is not queried again.
    cache = getattr(carer, "_prefetched_objects_cache", {})
    if name in cache:
        return list(cache[name])
    return list(getattr(carer, name).all())


# --- How long an approval holds ------------------------------------------------------------------
# An approval holds until its yearly review date; a family approved without one is overdue. The
# Python rule is `register.rules.eligibility.review_in_date` (free of Django, for matching's core);
# this is the same rule as a query, held equal to it by tests/register/test_review_rule.py.


def review_overdue_q(today: datetime.date | None = None) -> Q:
    """Approved families whose yearly review is overdue (or was never set)."""
    today = today or timezone.localdate()
    return Q(status=Carer.Status.APPROVED) & (Q(review_due__lt=today) | Q(review_due__isnull=True))


def review_overdue(carer: Carer, today: datetime.date) -> bool:
    """`review_overdue_q` for one family."""
    return carer.status == Carer.Status.APPROVED and not review_in_date(carer.review_due, today)
