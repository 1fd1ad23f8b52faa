"""The home page ("/") and "Today": every role that may read the indicators is sent to the reform
page, which opens with "Today"; a social worker's home is "Today" of their own work. Each number is a
link to the list it counts, for a reader who may open that list, and that list shows as many records
as the number says. The placement list offers the end reason the reform page's links filter by."""

import re
from html import unescape

import pytest
from django.urls import reverse

from register.models import Carer, Child
from register.roles import Role
from register.services.placements import placement_end
from register.services.visits import visit_complete
from tests.factories import CarerFactory, ChildFactory, InstitutionFactory, commune, make_user
from tests.register.placements_factories import days, place, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def register_02_12():
    """Province 02: families (one whose review is overdue, one at enquiry), waiting children of both
    kinds, a placement 40 days old (two visits overdue, one of them past escalation), a placement
    with an urgent outcome not acknowledged. Province 12: a family and a child waiting."""
    CarerFactory.create_batch(2)
    CarerFactory(approved_on=today() - days(400))  # review overdue: no free place to offer
    CarerFactory(status=Carer.Status.ENQUIRY, approved_on=None)
    CarerFactory(commune=commune("120101"))
    ChildFactory.create_batch(2)
    ChildFactory(status=Child.Status.AWAITING_PLACEMENT, institution=None)
    ChildFactory(status=Child.Status.PLACED)
    ChildFactory(institution=InstitutionFactory(commune=commune("120101")))
    worker = make_user(Role.SOCIAL_WORKER)
    place(social_worker=worker, start_date=today() - days(40))
    urgent = place(social_worker=worker, start_date=today() - days(10)).visits.get(sequence=1)
    visit_complete(actor=worker, visit=urgent, visited_on=today(), outcome="urgent")
    return worker


def links(html: str) -> list[tuple[str, str, int]]:
    """The "Today" section's links: (where: the figure's test id or the province cell's, url, number)."""
    section = html[html.index('data-testid="today"') : html.index("</section>", html.index('data-testid="today"'))]
    found = re.findall(
        r'data-testid="today-([\w-]+)"[^>]*>\s*(?:<span class="num">)?<a href="([^"]+)"[^>]*>(\d+)</a>', section
    )
    return [(where, unescape(url), int(n)) for where, url, n in found]


def listed(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


@pytest.mark.parametrize("role", [Role.REGISTRAR, Role.PLACEMENT_OFFICER, Role.SUPERVISOR, Role.NATIONAL_ADMIN])
def test_every_role_that_reads_the_indicators_is_sent_to_the_reform_page(page_for, role):
    page = page_for(role)
    response = page.get(reverse("web:dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("web:reform")
    html = page.get(reverse("web:reform")).content.decode()
    assert 'data-testid="today"' in html
    # The menu offers the reform page, not a second item that leads to it.
    assert 'href="/"' not in html.split('aria-label="Main menu"', 1)[1]


def test_a_social_worker_has_today_of_their_own_work_with_links(client, register_02_12):
    worker = register_02_12
    client.force_login(worker)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    menu = html.split('aria-label="Main menu"', 1)[1]
    assert '<a href="/" aria-current="page">Today</a>' in menu and 'href="/reform/"' not in menu
    found = {where: (url, n) for where, url, n in links(html)}
    assert set(found) == {
        "families_with_places", "children_waiting", "active_placements", "visits_overdue", "urgent_unacknowledged",
    }  # fmt: skip
    assert found["active_placements"] == ("/placements/?status=active&province=02", 2)
    assert found["visits_overdue"] == ("/follow-up/?days_overdue_min=1&province=02", 2)
    assert found["urgent_unacknowledged"] == ("/follow-up/?priority=urgent&province=02", 1)
    assert found["children_waiting"][1] == 0  # the children they follow are placed
    for where, (url, number) in found.items():
        assert listed(client, url) == number, where


def test_each_number_leads_to_a_list_of_as_many_records(page_for, register_02_12):
    page = page_for(Role.SUPERVISOR, ("02", "12"))
    html = page.get("/", follow=True).content.decode()
    found = links(html)
    where = {w for w, _url, _n in found}
    # The totals over both provinces, and each province's row, every figure a link.
    assert {"children_waiting", "02-children_waiting", "12-children_waiting", "visits_overdue"} <= where
    assert len(found) == 15
    numbers = {w: (url, n) for w, url, n in found}
    assert numbers["children_waiting"] == ("/children/?status=in_residential_care&status=awaiting_placement", 4)
    assert numbers["02-children_waiting"][1] == 3
    assert numbers["12-children_waiting"] == (
        "/children/?status=in_residential_care&status=awaiting_placement&province=12",
        1,
    )
    assert numbers["visits_overdue"] == ("/follow-up/?days_overdue_min=1", 2)  # the escalated one too
    # Two in 02, one in 12, the two placed families (a place left each); not the overdue review.
    assert numbers["families_with_places"][1] == 5
    for w, url, number in found:
        assert listed(page, url) == number, f"{w}: {url}"


def test_the_list_the_children_waiting_link_opens_shows_both_statuses_chosen(page_for, register_02_12):
    page = page_for(Role.PLACEMENT_OFFICER)
    html = page.get("/children/?status=in_residential_care&status=awaiting_placement&province=02").content.decode()
    for status in Child.PLACEABLE:
        assert re.search(rf'<input type="checkbox" name="status" value="{status}"[^>]* checked', html), status
    assert not re.search(r'<input type="checkbox" name="status" value="placed"[^>]* checked', html)


@pytest.mark.parametrize(
    ("role", "linked"),
    [
        (Role.REGISTRAR, {"families_with_places"}),
        (Role.PLACEMENT_OFFICER, {"families_with_places", "children_waiting", "active_placements"}),
    ],
)
def test_no_link_to_a_list_the_reader_may_not_open(page_for, register_02_12, role, linked):
    html = page_for(role).get("/", follow=True).content.decode()
    assert {w for w, _url, _n in links(html)} == linked
    section = html[html.index('data-testid="today"') :]
    for figure in {"families_with_places", "children_waiting", "active_placements", "visits_overdue"} - linked:
        assert re.search(rf'data-testid="today-{figure}">\s*<span class="num">\d+</span>', section), figure


def test_the_placement_list_offers_the_end_reason_and_applies_it(page_for):
    page = page_for(Role.SUPERVISOR)
    officer = make_user(Role.PLACEMENT_OFFICER)
    broke, reunified, _active = (place(start_date=today() - days(40)) for _ in range(3))
    placement_end(actor=officer, placement=broke, end_date=today(), reason="breakdown")
    placement_end(actor=officer, placement=reunified, end_date=today(), reason="reunified")

    response = page.get("/placements/?status=ended&end_reason=breakdown&province=02")
    html = response.content.decode()
    assert [p.pk for p in response.context["page"]] == [broke.pk]
    control = html[html.index('name="end_reason"') : html.index("</select>", html.index('name="end_reason"'))]
    assert '<option value="breakdown" selected>placement breakdown</option>' in control
    assert '<option value="reunified">' in control
    assert 'for="id_end_reason">End reason</label>' in html
    assert listed(page, "/placements/?end_reason=reunified") == 1
    assert listed(page, "/placements/?status=ended") == 2
