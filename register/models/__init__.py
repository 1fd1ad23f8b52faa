from .audit import AuditEntry
from .carers import (
    Carer,
    CarerCheck,
    CarerStatusChange,
    CarerTraining,
    HouseholdMember,
    ReferenceSequence,
    SafeguardingConcern,
)
from .children import CarerExclusion, Child, KinLink, SiblingGroup
from .duplicates import DuplicatePair
from .gazetteer import Commune, District, Province, Village
from .history import StatusEvent
from .imports import CarerImportJob
from .institutions import Institution
from .names import CarerSearchKey, ChildSearchKey
from .placements import Placement, PlacementChild, Visit
from .reference import TrainingModule, VisitPolicy
from .sessions import ApiTokenUse, UserSession
from .users import User

__all__ = [
    "ApiTokenUse",
    "AuditEntry",
    "Carer",
    "CarerCheck",
    "CarerExclusion",
    "CarerImportJob",
    "CarerSearchKey",
    "CarerStatusChange",
    "CarerTraining",
    "Child",
    "ChildSearchKey",
    "Commune",
    "District",
    "DuplicatePair",
    "HouseholdMember",
    "Institution",
    "KinLink",
    "Placement",
    "PlacementChild",
    "Province",
    "ReferenceSequence",
    "SafeguardingConcern",
    "SiblingGroup",
    "StatusEvent",
    "TrainingModule",
    "User",
    "UserSession",
    "Village",
    "Visit",
    "VisitPolicy",
]
