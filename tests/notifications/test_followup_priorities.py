"""The follow-up queue's priorities are named (notifications.selectors.Priority): their numbers
order the queue, their codes are API.md's."""

from notifications.selectors import PRIORITIES, Priority


def test_the_priorities_are_in_the_queue_order_with_the_api_codes():
    assert list(Priority) == sorted(Priority)
    assert PRIORITIES == ["urgent", "escalated", "overdue", "due_today", "due_this_week"]
    assert Priority.URGENT_OUTCOME < Priority.ESCALATED < Priority.OVERDUE < Priority.DUE_TODAY < Priority.DUE_THIS_WEEK


def test_a_code_names_its_priority_and_back():
    for priority in Priority:
        assert Priority.from_code(priority.code) is priority
    assert Priority.from_code("due_today") is Priority.DUE_TODAY
