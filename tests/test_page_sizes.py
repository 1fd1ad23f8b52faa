"""Issue 13, resource limits: no list answers more than 200 rows a page, whatever `?page_size=` asks
for: every list of the API (the register's, matching's, notifications' and the follow-up queue) and
every list page. Each list is asked for a million rows and the page it cuts is measured."""

import pytest
from django.core.paginator import Paginator
from django.urls import NoReverseMatch, get_resolver, reverse

from register.roles import Role
from tests.factories import CarerFactory, make_user

pytestmark = pytest.mark.django_db

MAX = 200
HUGE = {"page_size": "1000000"}
PAGES = ["web:carer_list", "web:child_list", "web:followup_queue", "web:placement_list", "web:notifications"]


def api_lists() -> list[str]:
    """Every list route of the API (DRF routers name them `<basename>-list`; a family's checks,
    trainings and concerns under one family), and the queue."""
    names = [n for n in get_resolver().reverse_dict if isinstance(n, str) and n.endswith("-list")]
    carer = CarerFactory()
    urls = set()
    for name in names:
        try:
            urls.add(reverse(name))
        except NoReverseMatch:
            urls.add(reverse(name, kwargs={"carer_id": carer.pk}))
    urls = sorted(urls)
    assert "/api/v1/carers/" in urls and "/api/v1/notifications/" in urls  # the walk found the routers
    return [*urls, reverse("follow-up-queue")]


@pytest.fixture
def page_sizes(monkeypatch):
    """The page size of every Django Paginator made (DRF's numbered pages and the pages' lists)."""
    sizes = []
    original = Paginator.__init__

    def spy(self, object_list, per_page, *args, **kwargs):
        sizes.append(int(per_page))
        original(self, object_list, per_page, *args, **kwargs)

    monkeypatch.setattr(Paginator, "__init__", spy)
    return sizes


def test_every_api_list_cuts_pages_of_at_most_200(client, page_sizes):
    admin = make_user(Role.NATIONAL_ADMIN)
    client.force_login(admin)
    for url in api_lists():
        page_sizes.clear()
        response = client.get(url, HUGE)
        assert response.status_code == 200, (url, response.content[:300])
        assert page_sizes and max(page_sizes) <= MAX, (url, page_sizes)
        assert len(response.json()["results"]) <= MAX


@pytest.mark.parametrize("name", PAGES)
def test_every_list_page_cuts_pages_of_at_most_200(client, page_sizes, name):
    client.force_login(make_user(Role.SUPERVISOR))
    response = client.get(reverse(name), HUGE)
    assert response.status_code == 200, response.content[:300]
    assert page_sizes and max(page_sizes) <= MAX, page_sizes


def test_a_cursor_page_is_bounded_too(client_for):
    api = client_for(Role.REGISTRAR)
    response = api.get("/api/v1/carers/", {**HUGE, "cursor": ""})
    assert response.status_code == 200
    from register.api.pagination import KeysetPagination

    assert KeysetPagination.max_page_size <= MAX
