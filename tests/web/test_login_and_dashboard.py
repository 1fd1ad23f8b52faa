"""The pages' front door: logging in (and being told of a lockout), the role-aware menu, the
language switch, and "Today", the register's figures per province (the social worker's home, the top
of the reform page where "/" leads every other role; its links: tests/web/test_today.py)."""

import datetime
import os
import re

import pytest
from django.test import Client
from django.urls import reverse

from register.models import AuditEntry, Carer, Child
from register.roles import Role
from tests.factories import PASSWORD, CarerFactory, ChildFactory, InstitutionFactory, commune, make_user
from tests.register.placements_factories import days, place, today

pytestmark = pytest.mark.django_db


def login(client, username, password=PASSWORD, **extra):
    return client.post(reverse("web:login"), {"username": username, "password": password}, **extra)


def test_pages_ask_for_a_login_first(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_a_good_login_opens_the_home_and_is_audited(client):
    user = make_user(Role.REGISTRAR)
    response = login(client, user.username)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/", follow=True).status_code == 200
    assert AuditEntry.objects.filter(actor=user, action=AuditEntry.Action.LOGIN).count() == 1


def test_a_wrong_password_says_so_beside_the_form(client):
    user = make_user(Role.REGISTRAR)
    response = login(client, user.username, "not the password")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_repeated_failures_lock_the_account_and_the_page_says_so(client, settings):
    user = make_user(Role.REGISTRAR)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, user.username, "wrong")
    response = login(client, user.username, "wrong")
    assert response.status_code == 200
    assert "This account is locked" in response.content.decode()
    # The right password does not get in while the lock lasts.
    response = login(client, user.username)
    assert "This account is locked" in response.content.decode()
    assert "/login/" in client.get("/")["Location"]  # not logged in


def test_the_admin_login_gets_the_lockout_page(client, settings):
    user = make_user(Role.REGISTRAR)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/admin/login/", {"username": user.username, "password": "wrong"})
    assert response.status_code == 403
    assert "Account locked" in response.content.decode()


def test_the_login_page_speaks_khmer_when_asked(client):
    response = client.get(reverse("web:login"), HTTP_ACCEPT_LANGUAGE="km")
    assert response["Content-Language"] == "km"
    assert 'lang="km"' in response.content.decode()


def test_the_language_switch_remembers_the_choice(client):
    user = make_user(Role.REGISTRAR)
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "km", "next": "/"})
    response = client.get("/", follow=True)
    assert response["Content-Language"] == "km"
    assert 'lang="km"' in response.content.decode()


def test_logout_needs_a_post_and_ends_the_session(client):
    user = make_user(Role.REGISTRAR)
    client.force_login(user)
    assert client.post(reverse("web:logout")).status_code == 302
    assert "/login/" in client.get("/")["Location"]
    assert AuditEntry.objects.filter(actor=user, action=AuditEntry.Action.LOGOUT).exists()


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (Role.REGISTRAR, ["web:carer_list", "web:carer_import"], ["web:child_list", "web:match_workbench"]),
        (
            Role.PLACEMENT_OFFICER,
            ["web:child_list", "web:match_workbench", "web:batch_plan_list"],
            ["web:carer_import"],
        ),
        (Role.SOCIAL_WORKER, ["web:my_visits", "web:notifications"], ["web:carer_import", "web:followup_queue"]),
        (Role.SUPERVISOR, ["web:followup_queue", "web:carer_list", "web:child_list"], ["web:my_visits"]),
        (Role.NATIONAL_ADMIN, ["web:followup_queue", "web:carer_import", "web:match_workbench"], []),
    ],
)
def test_the_menu_offers_each_role_its_pages_only(client, role, shown, hidden):
    client.force_login(make_user(role))
    html = client.get("/", follow=True).content.decode()
    for name in shown:
        assert f'href="{reverse(name)}"' in html, name
    for name in hidden:
        assert f'href="{reverse(name)}"' not in html, name


def today_of(client) -> dict:
    """The "Today" figures of the user's home (the reform page for those who may read indicators)."""
    return client.get("/", follow=True).context["today"]


def test_today_counts_each_province_of_the_user_and_nothing_else(client):
    user = make_user(Role.SUPERVISOR, ("02", "12"))
    CarerFactory.create_batch(2)  # approved, in 02, two free places each
    CarerFactory(status=Carer.Status.ENQUIRY, approved_on=None)
    CarerFactory(commune=commune("120101"))  # 12 Phnom Penh
    CarerFactory(commune=commune("170101"))  # 17 Siem Reap: not the user's
    ChildFactory.create_batch(3)
    ChildFactory(institution=InstitutionFactory(commune=commune("170101")))
    place(start_date=today() - days(40))  # one more carer and child in 02, visit at day 7 and 30 overdue
    client.force_login(user)

    provinces = {p.code: p for p in today_of(client)["provinces"]}

    assert sorted(provinces) == ["02", "12"]
    p02 = provinces["02"]
    assert p02.carers_by_status == {"approved": 3, "enquiry": 1}
    assert p02.families_with_places == 3  # the placed family still has one place of two
    assert p02.free_places == 5
    assert p02.children_waiting == 3
    assert p02.active_placements == 1
    assert p02.visits_overdue == 2
    assert provinces["12"].carers_by_status == {"approved": 1}


def test_today_leaves_out_families_whose_review_is_overdue(client):
    CarerFactory(approved_on=datetime.date.today() - datetime.timedelta(days=400))
    client.force_login(make_user(Role.REGISTRAR))
    (p02,) = today_of(client)["provinces"]
    assert p02.carers_by_status == {"approved": 1}
    assert p02.families_with_places == 0


def test_a_social_workers_today_counts_only_their_own_placements(client):
    worker = make_user(Role.SOCIAL_WORKER)
    place(social_worker=worker, start_date=today() - days(10))
    place(start_date=today() - days(10))  # someone else's
    client.force_login(worker)
    (p02,) = today_of(client)["provinces"]
    assert p02.active_placements == 1
    assert p02.visits_overdue == 1
    assert p02.children_waiting == 0  # the children they follow are placed


def test_today_costs_the_same_queries_however_big_the_register(client, django_assert_max_num_queries):
    user = make_user(Role.SOCIAL_WORKER, ("02", "12"))
    client.force_login(user)
    client.get("/")  # warm the session and the user's groups
    CarerFactory.create_batch(3)
    with django_assert_max_num_queries(18) as small:
        client.get("/")
    CarerFactory.create_batch(20, commune=commune("120101"))
    ChildFactory.create_batch(10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/")


def test_a_user_without_provinces_is_told_so(client):
    client.force_login(make_user(Role.REGISTRAR, ()))
    response = client.get("/", follow=True)
    assert response.status_code == 200 and "not assigned to any province" in response.content.decode()
    worker = Client()
    worker.force_login(make_user(Role.SOCIAL_WORKER, ()))
    assert "not assigned to any province" in worker.get("/").content.decode()


def test_a_page_the_role_may_not_open_answers_403_with_a_page(client):
    client.force_login(make_user(Role.SOCIAL_WORKER))
    # Any page behind carers.write: the import page.
    response = client.get(reverse("web:carer_import"))
    assert response.status_code == 403
    assert "Your role does not allow this page" in response.content.decode()


def test_child_waiting_counts_follow_status(client):
    ChildFactory(status=Child.Status.PLACED)
    ChildFactory(status=Child.Status.IN_RESIDENTIAL_CARE)
    client.force_login(make_user(Role.PLACEMENT_OFFICER))
    (p02,) = today_of(client)["provinces"]
    assert p02.children_waiting == 1


def test_the_menu_shows_how_many_notifications_are_unread(client, settings):
    from django.core.management import call_command

    settings.REMINDER_WORKING_HOURS = "00:00-24:00"
    worker = make_user(Role.SOCIAL_WORKER)
    place(social_worker=worker, start_date=today() - days(10))  # the day-7 visit is overdue
    client.force_login(worker)
    assert 'data-testid="menu-unread"' not in client.get("/").content.decode()
    call_command("run_reminder_sweep", stdout=open(os.devnull, "w"))  # noqa: SIM115
    html = client.get("/").content.decode()
    assert '<span class="badge warn" data-testid="menu-unread">1 unread</span>' in html


def test_a_session_ends_at_its_absolute_age_however_active(client, settings):
    import time

    settings.SESSION_ABSOLUTE_AGE = 3600
    client.force_login(make_user(Role.SOCIAL_WORKER))  # whose home is a page, not a redirect
    assert client.get("/").status_code == 200  # the first request notes when the session began
    session = client.session
    session["_login_at"] = int(time.time()) - 3599
    session.save()
    assert client.get("/").status_code == 200
    session = client.session
    session["_login_at"] = int(time.time()) - 3601
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))


def test_pages_carry_a_strict_content_security_policy(client):
    client.force_login(make_user(Role.REGISTRAR))
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"


def test_a_deactivated_users_open_session_stops_at_its_next_request(client):
    user = make_user(Role.SOCIAL_WORKER)
    client.force_login(user)
    assert client.get("/").status_code == 200
    user.is_active = False
    user.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_today_counts_urgent_outcomes_not_acknowledged(client):
    from register.services.visits import visit_acknowledge, visit_complete
    from tests.register.placements_factories import days, place, today

    worker = make_user(Role.SOCIAL_WORKER)
    supervisor = make_user(Role.SUPERVISOR)
    visits = [place(social_worker=worker, start_date=today() - days(10)).visits.get(sequence=1) for _ in range(2)]
    for visit in visits:
        visit_complete(actor=worker, visit=visit, visited_on=today(), outcome="urgent")
    visit_acknowledge(actor=supervisor, visit=visits[0], action="Called the family.")
    client.force_login(supervisor)
    html = client.get("/", follow=True).content.decode()
    figure = re.search(r'data-testid="today-urgent_unacknowledged">\s*<span class="num"><a [^>]*>(\d+)</a>', html)
    assert figure and figure.group(1) == "1"
