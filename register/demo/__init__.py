"""A synthetic demo register on the real gazetteer: Cambodian names, no real people.

`seed_register()` writes institutions, carers at every stage of their lifecycle (with household, checks,
training, concerns and status history), children (sibling groups, kin, exclusions) and placements with
their follow-up visits, in one transaction. Rows are built in memory as plain dicts and written in batches
(COPY on PostgreSQL, bulk_create elsewhere), with the gazetteer read once and no query per row, so 100,000
carers and 50,000 children take a minute or two. The same seed on the same day gives the same register (ids
included, on an empty database).

It writes the models directly, not through the services: seeding is not anyone's action. One audit entry
summarises the whole seed instead. Where the data must satisfy a rule (what approval asks, when a review
is due), it takes the rule from where the register keeps it.

Where things are:
    seed.py          seed_register() and the order of the stages
    base.py          what the stages share: random generators, reference numbers, counts
    names.py         names, and the minorities, religions and languages by province
    places.py        the gazetteer read once; where institutions and families are
    institutions.py  the institutions
    carers.py        the families at every stage, with household, checks, training, concerns, history
    children.py      the children, sibling groups, kin and exclusions
    placements.py    who is placed with whom, the placements and their visits
    facts.py         what the stages tell each other of the families and children they made
    writer.py        rows written in bulk (COPY or bulk_create)
    draw.py          random draws the stages share
"""

from register.demo.base import SeedError
from register.demo.places import INSTITUTION_PROVINCES
from register.demo.seed import SeedResult, seed_register

__all__ = ["INSTITUTION_PROVINCES", "SeedError", "SeedResult", "seed_register"]
