# Each module registers the admin pages of one area of the register.
from . import carers, children, placements, reference  # noqa: F401
