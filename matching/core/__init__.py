"""The matching core: pure Python and NumPy, no Django, no settings.

Register rows come in as arrays (`CarerArrays`) and a child or sibling group as a `Unit`; weights come
in as arguments. Out come eligibility with reason codes, scores with their components, a ranking with a
deterministic tie-break, and structured explanations (codes with parameters) that the Django layer turns
into sentences in Khmer or English.
"""

from .contributions import EFFECTS, Contribution, contributions_of, rounded
from .explain import Fact, explain_candidate
from .planner import Plan, PlanUnit, plan_assignments
from .ranking import Ranking, rank
from .types import COMPONENTS, EXCLUSION_CODES, CarerArrays, Unit, Weights

__all__ = [
    "COMPONENTS",
    "EFFECTS",
    "EXCLUSION_CODES",
    "CarerArrays",
    "Contribution",
    "Fact",
    "Plan",
    "PlanUnit",
    "Ranking",
    "Unit",
    "Weights",
    "contributions_of",
    "explain_candidate",
    "plan_assignments",
    "rank",
    "rounded",
]
