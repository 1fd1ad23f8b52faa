"""Officers racing for the same places, on PostgreSQL: real concurrent transactions, one database
connection per thread, all released at once by a barrier. SQLite serialises every writer, so these
only mean something on PostgreSQL (skipped elsewhere)."""

import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from register.errors import ConflictError
from register.models import Child, Commune, District, Placement, PlacementChild, Province, Village, Visit, VisitPolicy
from register.reference_data import load_gazetteer
from register.roles import Role
from register.services.placements import placement_create
from tests.factories import CarerFactory, ChildFactory, InstitutionFactory, make_user
from tests.register.placements_factories import today

ROUNDS = 5  # each race is run several times over: a race won by luck once must not pass


@pytest.fixture
def reference_data(real_stack, transactional_db):
    """Committed rows (each thread must see the others'), on the reference data migrations load.
    A transactional test empties every table after it, so an earlier one may have removed them;
    loading them again is much faster than a serialized rollback of the whole gazetteer."""
    if not Province.objects.exists():
        load_gazetteer(Province, District, Commune, Village)
    for role in Role.values:
        Group.objects.get_or_create(name=role)
    if not VisitPolicy.objects.exists():
        VisitPolicy.objects.create(offsets_days=[7, 30, 60, 90], repeat_every_days=90, horizon_days=730)


def run_at_once(calls):
    """Run each call in its own thread and database connection, all starting at the same moment.
    Returns what each returned or raised, in order."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=30)
            outcomes[i] = call()
        except Exception as error:
            outcomes[i] = error
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a placement never finished: deadlock?"
    return outcomes


def placing(officer, carer, children, **kwargs):
    return lambda: placement_create(
        actor=officer, carer=carer, children=children, start_date=today(), care_type="long_term", **kwargs
    )


def test_eight_officers_racing_for_two_places_exactly_two_win(reference_data):
    officer = make_user(Role.PLACEMENT_OFFICER)
    for _ in range(ROUNDS):
        race_for_two_places(officer)


def race_for_two_places(officer):
    carer = CarerFactory(max_children=2)
    institution = InstitutionFactory()
    children = [ChildFactory(institution=institution) for _ in range(8)]

    outcomes = run_at_once([placing(officer, carer, [child]) for child in children])

    won = [o for o in outcomes if isinstance(o, Placement)]
    lost = [o for o in outcomes if not isinstance(o, Placement)]
    assert len(won) == 2, outcomes
    assert len(lost) == 6
    assert all(isinstance(o, ConflictError) and o.code == "carer_full" for o in lost), lost
    assert all(o.extra["vacancies"] == 0 for o in lost)
    assert PlacementChild.objects.filter(placement__carer=carer, active=True).count() == 2
    assert Child.objects.filter(pk__in=[c.pk for c in children], status=Child.Status.PLACED).count() == 2
    assert set(Visit.objects.filter(placement__carer=carer).values_list("placement_id", flat=True)) == {
        p.pk for p in won
    }


def test_two_officers_placing_the_same_child_with_two_families_exactly_one_wins(reference_data):
    first, second = make_user(Role.PLACEMENT_OFFICER), make_user(Role.SUPERVISOR)
    for _ in range(ROUNDS):
        race_for_one_child(first, second)


def race_for_one_child(first, second):
    child = ChildFactory()
    families = [CarerFactory(max_children=3), CarerFactory(max_children=3)]

    outcomes = run_at_once([placing(first, families[0], [child]), placing(second, families[1], [child])])

    won = [o for o in outcomes if isinstance(o, Placement)]
    lost = [o for o in outcomes if not isinstance(o, Placement)]
    assert len(won) == 1, outcomes
    assert len(lost) == 1 and isinstance(lost[0], ConflictError), lost
    assert lost[0].code == "child_already_placed"
    assert lost[0].extra["children"] == [str(child.pk)]
    assert PlacementChild.objects.filter(child=child, active=True).count() == 1
    assert Placement.objects.filter(memberships__child=child).count() == 1


def test_families_with_several_children_each_never_exceed_capacity(reference_data):
    """Mixed requests (1, 2 and 3 children) for a family with 3 places: never more than 3 placed."""
    officer = make_user(Role.PLACEMENT_OFFICER)
    carer = CarerFactory(max_children=3)
    institution = InstitutionFactory()
    groups = [[ChildFactory(institution=institution) for _ in range(n)] for n in (1, 2, 3, 1, 2, 3)]

    outcomes = run_at_once([placing(officer, carer, group) for group in groups])

    placed = PlacementChild.objects.filter(placement__carer=carer, active=True).count()
    assert 1 <= placed <= 3
    won = [o for o in outcomes if isinstance(o, Placement)]
    assert sum(p.memberships.count() for p in won) == placed
    assert all(o.code == "carer_full" for o in outcomes if isinstance(o, ConflictError))
    assert all(isinstance(o, Placement | ConflictError) for o in outcomes), outcomes
