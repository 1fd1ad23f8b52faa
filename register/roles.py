"""The five staff roles and what each may do. Roles are Django groups of the same name.

Every permission check in the API and the pages asks one of the capability sets below, so that
"who may do what" (API.md's table) lives in this one file.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REGISTRAR = "registrar", _("Registrar")
    PLACEMENT_OFFICER = "placement_officer", _("Placement officer")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    SUPERVISOR = "supervisor", _("Supervisor")
    NATIONAL_ADMIN = "national_admin", _("National administrator")


R = Role
# Capability -> roles that have it (inside their provinces; national_admin everywhere).
CAPABILITIES: dict[str, frozenset[str]] = {
    "carers.read": frozenset(Role.values),
    "carers.write": frozenset({R.REGISTRAR, R.SUPERVISOR, R.NATIONAL_ADMIN}),
    "carers.approve": frozenset({R.REGISTRAR, R.SUPERVISOR, R.NATIONAL_ADMIN}),
    "children.read": frozenset({R.PLACEMENT_OFFICER, R.SUPERVISOR, R.SOCIAL_WORKER, R.NATIONAL_ADMIN}),
    "children.write": frozenset({R.PLACEMENT_OFFICER, R.SUPERVISOR, R.NATIONAL_ADMIN}),
    "institutions.read": frozenset(Role.values),
    "institutions.write": frozenset({R.PLACEMENT_OFFICER, R.SUPERVISOR, R.NATIONAL_ADMIN}),
    "matches.run": frozenset({R.PLACEMENT_OFFICER, R.SUPERVISOR, R.NATIONAL_ADMIN}),
    "placements.read": frozenset({R.PLACEMENT_OFFICER, R.SUPERVISOR, R.SOCIAL_WORKER, R.NATIONAL_ADMIN}),
    "placements.write": frozenset({R.PLACEMENT_OFFICER, R.SUPERVISOR, R.NATIONAL_ADMIN}),
    "visits.read": frozenset({R.PLACEMENT_OFFICER, R.SUPERVISOR, R.SOCIAL_WORKER, R.NATIONAL_ADMIN}),
    "visits.complete": frozenset({R.SOCIAL_WORKER, R.SUPERVISOR, R.NATIONAL_ADMIN}),
    "followup.read": frozenset({R.SUPERVISOR, R.SOCIAL_WORKER, R.NATIONAL_ADMIN}),
    "visits.acknowledge": frozenset({R.SUPERVISOR, R.NATIONAL_ADMIN}),
    "audit.read": frozenset({R.NATIONAL_ADMIN}),
    # Matching policies are national: drafting one and previewing its effect on recent runs.
    "policies.write": frozenset({R.NATIONAL_ADMIN}),
    # Monitoring the reform (issue 17): the indicators, where families are missing, closures.
    "indicators.read": frozenset({R.REGISTRAR, R.PLACEMENT_OFFICER, R.SUPERVISOR, R.NATIONAL_ADMIN}),
    "capacity.read": frozenset({R.PLACEMENT_OFFICER, R.SUPERVISOR, R.NATIONAL_ADMIN}),
    "closures.write": frozenset({R.PLACEMENT_OFFICER, R.SUPERVISOR, R.NATIONAL_ADMIN}),
    # Possible duplicates: reviewing and merging them (supervisors for pairs inside their provinces).
    "duplicates.resolve": frozenset({R.SUPERVISOR, R.NATIONAL_ADMIN}),
}

# Roles that see only what is assigned to them (their own placements and visits) inside a province.
OWN_RECORDS_ONLY = frozenset({R.SOCIAL_WORKER})


def role_has(role: str | None, capability: str) -> bool:
    return role is not None and role in CAPABILITIES[capability]
