"""Errors that services raise when a business rule says no. They know nothing of HTTP beyond the
status the API should answer with; `register.api.errors.exception_handler` renders them as
{"detail": "sentence", "code": "machine_code", ...extra}."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ErrorCode(models.TextChoices):
    """Every machine code a rule of the register refuses with (API.md), with a short title a person
    reads. The API's schema lists them, the pages label refusals with them, and the README's table
    is held to them (tests/test_error_codes.py); a service raising a code not listed here fails
    that test."""

    # Placing a child (API.md, Placements; the eligibility rules in register/rules/eligibility.py)
    CARER_NOT_APPROVED = "carer_not_approved", _("Family not approved")
    APPROVAL_REVIEW_OVERDUE = "approval_review_overdue", _("Yearly review overdue")
    SAFEGUARDING_CONCERN = "safeguarding_concern", _("Open safeguarding concern")
    EXCLUDED_FOR_CHILD = "excluded_for_child", _("Family excluded for the child")
    CARER_FULL = "carer_full", _("No free place")
    CHILD_ALREADY_PLACED = "child_already_placed", _("Child already placed")
    CHILD_NOT_PLACEABLE = "child_not_placeable", _("Child not waiting for a family")
    SIBLING_GROUP_SPLIT = "sibling_group_split", _("Siblings separated without a reason")
    AGE_OUT_OF_RANGE = "age_out_of_range", _("Child's age outside the family's terms")
    SEX_NOT_ACCEPTED = "sex_not_accepted", _("Child's sex not accepted by the family")
    SIBLING_GROUP_TOO_LARGE = "sibling_group_too_large", _("Sibling group larger than the family takes")
    NEED_NOT_SUPPORTED = "need_not_supported", _("A need the family cannot support")
    CARE_TYPE_NOT_OFFERED = "care_type_not_offered", _("Care type not offered by the family")
    # Lifecycles and records
    INVALID_TRANSITION = "invalid_transition", _("Not possible from the record's present status")
    APPROVAL_REQUIREMENTS_MISSING = "approval_requirements_missing", _("Approval requirements missing")
    CHILDREN_OUTSIDE_JURISDICTION = "children_outside_jurisdiction", _("Children outside your provinces")
    TRAINING_MODULE_IN_USE = "training_module_in_use", _("Training module in use")
    NATIONAL_ONLY = "national_only", _("National administrators only")
    IMPORT_NOT_READY = "import_not_ready", _("Import not ready")
    # Duplicates (issue 14): the same person registered twice
    POSSIBLE_DUPLICATE = "possible_duplicate", _("Possibly registered already")
    # Follow-up visits (a record from a phone that arrives late is kept beside the visit)
    VISIT_ALREADY_COMPLETED = "visit_already_completed", _("Visit already completed")
    PLACEMENT_ENDED = "placement_ended", _("Placement ended")
    VISIT_ALREADY_ACKNOWLEDGED = "visit_already_acknowledged", _("Urgent outcome already acknowledged")
    # Matching and batch plans
    NO_CHILDREN = "no_children", _("No child to match")
    NOT_FOUND = "not_found", _("Not found")
    PLAN_NOT_READY = "plan_not_ready", _("Plan not ready")
    NO_SUCH_PROPOSAL = "no_such_proposal", _("No such proposal")
    PROPOSAL_CONFIRMED = "proposal_confirmed", _("Proposal confirmed already")
    CARER_NOT_FOUND = "carer_not_found", _("Family no longer on the register")
    # Logging in
    INVALID_CREDENTIALS = "invalid_credentials", _("Wrong username or password")
    ACCOUNT_LOCKED = "account_locked", _("Account locked")
    TWO_FACTOR_REQUIRED = "two_factor_required", _("Two-factor code needed")
    TWO_FACTOR_INVALID = "two_factor_invalid", _("Two-factor code wrong")
    TWO_FACTOR_SETUP_REQUIRED = "two_factor_setup_required", _("Two-factor set-up needed")
    # The generic refusals of the classes below
    DOMAIN_ERROR = "domain_error", _("Rule of the register")
    CONFLICT = "conflict", _("Conflict with the register's present state")


class DomainError(Exception):
    status_code = 400
    default_code = "domain_error"
    default_detail = _("The request breaks a rule of the register.")

    def __init__(self, detail=None, code: str | None = None, *, status_code: int | None = None, **extra):
        self.detail = detail or self.default_detail
        self.code = code or self.default_code
        if status_code is not None:
            self.status_code = status_code
        self.extra = extra
        super().__init__(str(self.detail))


class ConflictError(DomainError):
    """The request is valid but collides with the current state (the last place was just taken)."""

    status_code = 409
    default_code = "conflict"
