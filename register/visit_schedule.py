"""When a placement's follow-up visits fall due: a pure function of the start date and the policy."""

import datetime


def visit_due_dates(
    start: datetime.date, *, offsets_days: list[int], repeat_every_days: int, until: datetime.date
) -> list[datetime.date]:
    """Visits due `offsets_days` after `start` (e.g. 7, 30, 60, 90), then every `repeat_every_days`
    after the last offset (180, 270, ...), up to and including `until`."""
    offsets = sorted(set(offsets_days))
    dates = [start + datetime.timedelta(days=d) for d in offsets]
    last = offsets[-1] if offsets else 0
    while True:
        last += repeat_every_days
        due = start + datetime.timedelta(days=last)
        if due > until:
            break
        dates.append(due)
    return [d for d in dates if d <= until]
