"""The reform page (/reform/): headline figures with their trend as SVG charts beside tables, each
figure a link to the list behind it; provinces compared on one scale; a schematic map ranked."""

import datetime
import re

import pytest

from register.models import StatusEvent
from register.roles import Role
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db
URL = "/reform/?from=2026-01&to=2026-03"


@pytest.fixture
def history():
    """Three children in residential care in 02 from January, one in 12; one of 02 placed in March."""
    D = datetime.date

    def child(province, steps):
        pk = ChildFactory().pk
        before = ("", None)
        for day, status in steps:
            StatusEvent.objects.create(
                kind="child", subject_id=pk, from_status=before[0], to_status=status, from_province_id=before[1],
                to_province_id=province, on=day,
            )  # fmt: skip
            before = (status, province)

    for _ in range(2):
        child("02", [(D(2026, 1, 3), "in_residential_care")])
    child("02", [(D(2026, 1, 3), "in_residential_care"), (D(2026, 3, 9), "placed")])
    child("12", [(D(2026, 1, 3), "in_residential_care")])


def test_a_supervisor_sees_the_headlines_of_their_province_each_linked_to_its_list(page_for, history):
    response = page_for(Role.SUPERVISOR).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    card = _card(html, "children_in_residential_care")
    # The figure at the last month is a link to the children in residential care of the province.
    assert re.search(r'<a href="/children/\?status=in_residential_care&amp;province=02"[^>]*>2</a>', card)
    # A chart and, beside it, a table of the same months for screen readers.
    assert "<svg" in card and 'role="img"' in card
    assert re.findall(r'<th scope="row">(2026-\d\d)</th><td>(\d+)</td>', card) == [
        ("2026-01", "3"), ("2026-02", "3"), ("2026-03", "2"),
    ]  # fmt: skip
    rate = _card(html, "visits_on_time_rate")
    assert 'href="/follow-up/?priority=overdue&amp;province=02"' in rate
    breakdowns = _card(html, "placements_breakdown_90d_rate")
    assert 'href="/placements/?status=ended&amp;end_reason=breakdown&amp;province=02"' in breakdowns
    assert "province-map" not in html  # one province: nothing to compare
    assert 'href="/api/v1/indicators/export/?format=xlsx&amp;from=2026-01&amp;to=2026-03"' in html


def test_a_national_administrator_compares_provinces_on_one_scale_and_ranks_them(page_for, history):
    html = page_for(Role.NATIONAL_ADMIN).get(URL).content.decode()
    compared = html[html.index('data-testid="provinces-compared"') :]
    tops = set(
        re.findall(
            r'text-anchor="end">(\d+)</text>\s*<text class="axis-label" x="[\d.]+" y="[\d.]+" text-anchor="end">0<',
            compared,
        )
    )
    assert len(tops) == 1  # every province's chart has the same top
    ranked = html[html.index('data-testid="provinces-ranked"') :]
    assert "<circle" in ranked and "<table" in ranked
    order = re.findall(r'<th scope="row">(\d\d) ', ranked)
    assert order[:2] == ["02", "12"]  # most children in residential care first


def test_a_registrar_sees_figures_but_no_link_to_lists_they_may_not_open(page_for, history):
    html = page_for(Role.REGISTRAR).get(URL).content.decode()
    card = _card(html, "children_in_residential_care")
    assert "/children/" not in card
    assert 'href="/carers/?status=approved&amp;province=02"' in _card(html, "carers_approved_active")


def test_social_workers_may_not_open_it(page_for):
    assert page_for(Role.SOCIAL_WORKER).get(URL).status_code == 403


def test_a_bad_month_or_another_province_is_refused_in_words(page_for):
    page = page_for(Role.SUPERVISOR)
    assert page.get("/reform/?from=2026-13").status_code == 400
    other = page.get("/reform/?province=12")
    assert other.status_code == 400 and "No province with this code" in other.content.decode()


def test_the_home_and_the_menu_lead_to_it_with_today_on_top(page_for):
    page = page_for(Role.SUPERVISOR)
    response = page.get("/")
    assert response.status_code == 302 and response["Location"] == "/reform/"
    html = page.get("/reform/").content.decode()
    assert '<a href="/reform/" aria-current="page">' in html
    assert html.index('data-testid="today"') < html.index('data-testid="reform-filter"')


def _card(html: str, code: str) -> str:
    start = html.index(f'data-testid="indicator-{code}"')
    return html[start : html.index("</article>", start)]
