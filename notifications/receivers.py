"""What notifications does when the register says something happened (register.signals).
Connected in NotificationsConfig.ready(), which imports this module in every process (web and
worker alike), and with it the tasks."""

from django.dispatch import receiver

from notifications.tasks import dispatch, possible_duplicate
from register.signals import possible_duplicate_elsewhere, visit_completed_urgent


@receiver(visit_completed_urgent, dispatch_uid="notifications.sweep_on_urgent_visit")
def sweep_on_urgent_visit(sender, visit_id, **kwargs) -> None:
    # The register sends this after its commit, so the pass finds the completed visit. The dispatch pass
    # derives the urgent reminder itself (get-or-create) and starts its delivery: a duplicate or lost
    # message costs nothing (the pass also runs every few seconds).
    dispatch.delay()


@receiver(possible_duplicate_elsewhere, dispatch_uid="notifications.possible_duplicate")
def notify_possible_duplicate(sender, kind, record_ids, **kwargs) -> None:
    # Queued at once, not after a commit: the registration that met the match is refused and rolled
    # back, and the notice must outlive it. The task writes in its own transaction.
    possible_duplicate.delay(kind, list(record_ids))
