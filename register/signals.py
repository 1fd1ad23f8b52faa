"""Hooks the register offers to the apps that build on it. The register sends them and knows
nothing of who listens (it imports neither notifications nor matching); a listener connects in its
app's ready().

Business rules never live in a receiver: a hook only tells another app that something it may act
on has happened, after the transaction that did it committed.
"""

from django.dispatch import Signal

# A visit was recorded with an urgent outcome (sent after commit). Arguments: `visit_id`.
# notifications runs its sweep at once, so the supervisors hear now, not at the next minute's pass.
visit_completed_urgent = Signal()

# A record being created matched records outside the user's provinces (issue 14). Sent at once, even
# though the creation is refused and rolled back: national administrators must hear of it.
# Arguments: `kind` ("carer" or "child"), `record_ids` (the matched records, never shown to the user).
possible_duplicate_elsewhere = Signal()
