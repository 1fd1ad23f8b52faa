# Each module registers the admin pages of one area of the register.
from . import carers, children, imports, placements, reference  # noqa: F401
