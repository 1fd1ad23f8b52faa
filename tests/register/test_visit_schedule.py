import datetime

from hypothesis import given
from hypothesis import strategies as st

from register.visit_schedule import visit_due_dates

D = datetime.date


def test_default_cadence_is_7_30_60_90_then_every_90_days():
    start = D(2026, 1, 1)
    dates = visit_due_dates(start, offsets_days=[7, 30, 60, 90], repeat_every_days=90, until=D(2027, 1, 1))
    assert [(d - start).days for d in dates] == [7, 30, 60, 90, 180, 270, 360]


def test_nothing_after_until():
    start = D(2026, 1, 1)
    assert visit_due_dates(start, offsets_days=[7, 30], repeat_every_days=90, until=D(2026, 1, 20)) == [D(2026, 1, 8)]


@given(
    st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 1, 1)),
    st.lists(st.integers(1, 400), min_size=1, max_size=6),
    st.integers(7, 365),
    st.integers(0, 2000),
)
def test_dates_are_increasing_unique_and_within_the_horizon(start, offsets, every, horizon):
    until = start + datetime.timedelta(days=horizon)
    dates = visit_due_dates(start, offsets_days=offsets, repeat_every_days=every, until=until)
    assert dates == sorted(set(dates))
    assert all(start < d <= until for d in dates)
