"""Issue 13, finding 3: login throttling could be bypassed. A new X-Forwarded-For on each request gave
the API's token endpoint a new address every time, and /login/ and /admin/login/ had no throttle per
address at all, so a password could be sprayed over any number of usernames. Now every way in is
throttled per address (the client's, as our own proxies report it) and per username."""

import uuid

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.test import Client, RequestFactory

from register import throttling
from register.client_ip import client_ip
from register.roles import Role
from tests.factories import PASSWORD, make_user
from tests.two_factor_support import code_for, with_authenticator

pytestmark = pytest.mark.django_db

PER_ADDRESS = 20
PER_USERNAME = 10
TOKEN = "/api/v1/auth/token/"
WRONG = "not the password"


@pytest.fixture(autouse=True)
def throttle(settings, monkeypatch):
    """The production defaults, and counters of this test only (a key prefix of its own, so that
    nothing leaks between tests, whatever cache runs them: locmem or a shared Redis)."""
    settings.LOGIN_THROTTLE_RATE_PER_ADDRESS = f"{PER_ADDRESS}/minute"
    settings.LOGIN_THROTTLE_RATE_PER_USERNAME = f"{PER_USERNAME}/minute"
    monkeypatch.setattr(throttling, "KEY_PREFIX", f"login-throttle-test-{uuid.uuid4().hex}")


def spoofed(i: int) -> dict:
    """A request from the same peer, claiming another address each time."""
    return {"HTTP_X_FORWARDED_FOR": f"198.51.100.{i}"}


def api_login(client, username, password=WRONG, **extra):
    return client.post(TOKEN, {"username": username, "password": password}, content_type="application/json", **extra)


def page_login(client, path, username, password=WRONG, **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


# --- Spraying one password over 30 usernames from one address --------------------------------


def test_spraying_the_api_token_endpoint_is_throttled_whatever_x_forwarded_for_says():
    client = Client()
    statuses = [api_login(client, f"sprayed-{i}", **spoofed(i)).status_code for i in range(30)]
    assert statuses == [401] * PER_ADDRESS + [429] * (30 - PER_ADDRESS)

    response = api_login(client, "sprayed-x", **spoofed(99))
    body = response.json()
    assert body["code"] == "throttled" and body["detail"]
    assert 1 <= int(response["Retry-After"]) <= 60


def test_a_throttled_address_is_refused_before_the_password_is_checked_and_locks_nobody():
    user = make_user(Role.REGISTRAR)
    client = Client()
    for i in range(PER_ADDRESS):
        api_login(client, f"sprayed-{i}", **spoofed(i))
    # The right password does not get a token from the throttled address ...
    assert api_login(client, user.username, PASSWORD).status_code == 429
    # ... and the refused attempts are not failures that django-axes counts towards a lockout.
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        assert api_login(client, user.username).status_code == 429
    assert not AccessAttempt.objects.filter(username=user.username).exists()


def test_spraying_the_login_page_is_throttled_and_the_page_says_so():
    client = Client()
    statuses = [page_login(client, "/login/", f"sprayed-{i}", **spoofed(i)).status_code for i in range(30)]
    assert statuses == [200] * PER_ADDRESS + [429] * (30 - PER_ADDRESS)

    response = page_login(client, "/login/", "sprayed-x", **spoofed(99))
    html = response.content.decode()
    assert "Too many login attempts" in html
    assert 'name="username"' in html and 'name="password"' in html  # the form is still there
    assert 1 <= int(response["Retry-After"]) <= 60


def test_spraying_the_admin_login_is_throttled_with_a_page_not_an_error():
    client = Client()
    statuses = [page_login(client, "/admin/login/", f"sprayed-{i}", **spoofed(i)).status_code for i in range(30)]
    assert statuses == [200] * PER_ADDRESS + [429] * (30 - PER_ADDRESS)

    response = page_login(client, "/admin/login/?next=/admin/", "sprayed-x", **spoofed(99))
    html = response.content.decode()
    assert "Too many login attempts" in html
    assert 'href="/admin/login/?next=/admin/"' in html  # a way back to the form
    assert 1 <= int(response["Retry-After"]) <= 60


def test_the_three_ways_in_share_one_count_per_address():
    client = Client()
    for i in range(PER_ADDRESS // 2):
        page_login(client, "/login/", f"sprayed-{i}")
        page_login(client, "/admin/login/", f"sprayed-admin-{i}")
    assert api_login(client, "one-more").status_code == 429


def test_another_address_is_not_throttled_by_a_sprayer():
    sprayer = Client(REMOTE_ADDR="192.0.2.10")
    for i in range(PER_ADDRESS + 1):
        api_login(sprayer, f"sprayed-{i}")
    assert api_login(sprayer, "one-more").status_code == 429
    user = make_user(Role.REGISTRAR)
    assert api_login(Client(REMOTE_ADDR="192.0.2.11"), user.username, PASSWORD).status_code == 200


# --- Behind our own proxies -------------------------------------------------------------------


def test_behind_one_proxy_the_right_most_forwarded_address_counts_and_a_spoofed_left_one_does_not(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for i in range(PER_ADDRESS):
        # The proxy appends the address it saw (203.0.113.7); what the client wrote is on its left.
        forwarded = {"HTTP_X_FORWARDED_FOR": f"198.51.100.{i}, 203.0.113.7"}
        assert api_login(proxy, f"sprayed-{i}", **forwarded).status_code == 401
    assert api_login(proxy, "x", HTTP_X_FORWARDED_FOR="198.51.100.250, 203.0.113.7").status_code == 429
    assert page_login(proxy, "/login/", "x", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    # Another client behind the same proxy has its own count.
    assert api_login(proxy, "x", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.8").status_code == 401
    # django-axes records the same address.
    assert AccessAttempt.objects.get(username="x").ip_address == "203.0.113.8"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "10.0.0.2"),  # no proxy of ours: the header is the client's own words
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        (1, " 203.0.113.7 ", "203.0.113.7"),
        (2, "198.51.100.1, 203.0.113.7, 10.0.0.1", "203.0.113.7"),
        (2, "203.0.113.7", "203.0.113.7"),  # fewer entries than proxies: the left-most
        (1, "", "10.0.0.2"),
        (1, "not-an-address", "10.0.0.2"),  # never junk in a cache key or axes' address column
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_believes_only_the_entries_of_the_trusted_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_django_axes_and_drf_resolve_the_address_with_the_same_setting():
    assert django_settings.AXES_CLIENT_IP_CALLABLE == "register.client_ip.client_ip"
    assert django_settings.REST_FRAMEWORK["NUM_PROXIES"] == django_settings.TRUSTED_PROXY_COUNT


def test_an_ipv6_client_cannot_escape_the_count_by_changing_address_inside_its_64():
    client = Client()
    for i in range(PER_ADDRESS):
        api_login(client, f"sprayed-{i}", REMOTE_ADDR=f"2001:db8:1:2::{i + 1:x}")
    assert api_login(client, "x", REMOTE_ADDR="2001:db8:1:2::ffff").status_code == 429
    assert api_login(client, "x", REMOTE_ADDR="2001:db8:1:3::1").status_code == 401


# --- One username from many addresses ---------------------------------------------------------


@pytest.fixture
def no_lockout(settings):
    """django-axes would lock the account after 5 failures: the throttle is tested on its own."""
    settings.AXES_FAILURE_LIMIT = 1000


def test_guessing_one_username_from_many_addresses_is_throttled_on_the_api(no_lockout):
    user = make_user(Role.REGISTRAR)
    statuses = [
        api_login(Client(REMOTE_ADDR=f"192.0.2.{i}"), user.username).status_code for i in range(PER_USERNAME + 5)
    ]
    assert statuses == [401] * PER_USERNAME + [429] * 5
    # Changing the case of the username buys nothing; the right password waits too.
    assert api_login(Client(REMOTE_ADDR="192.0.2.200"), user.username.upper()).status_code == 429
    assert api_login(Client(REMOTE_ADDR="192.0.2.201"), user.username, PASSWORD).status_code == 429


@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_guessing_one_username_from_many_addresses_is_throttled_on_the_pages(no_lockout, path):
    user = make_user(Role.REGISTRAR)
    statuses = [
        page_login(Client(REMOTE_ADDR=f"192.0.2.{i}"), path, user.username).status_code
        for i in range(PER_USERNAME + 2)
    ]
    assert statuses == [200] * PER_USERNAME + [429] * 2


def test_a_number_for_a_username_is_counted_as_that_username(no_lockout):
    # The serializer takes 12345 as "12345"; the throttle, asked before validation, must not miss it.
    for i in range(PER_USERNAME):
        Client(REMOTE_ADDR=f"192.0.2.{i}").post(
            TOKEN, {"username": 12345, "password": "x"}, content_type="application/json"
        )
    assert api_login(Client(REMOTE_ADDR="192.0.2.99"), "12345").status_code == 429


# --- The two-factor code steps ----------------------------------------------------------------


def _wrong(device) -> str:
    return "000000" if code_for(device) != "000000" else "111111"


@pytest.mark.parametrize("step", ["verify", "setup"])
def test_the_two_factor_code_steps_are_throttled(settings, step):
    settings.LOGIN_THROTTLE_RATE_PER_USERNAME = "4/minute"  # the password, then three codes
    user = make_user(Role.REGISTRAR)
    device = with_authenticator(user)
    if step == "setup":
        device.confirmed = False
        device.save()
    client = Client()
    assert page_login(client, "/login/", user.username, PASSWORD).status_code == 302
    path = "/login/code/" if step == "verify" else "/account/two-factor/"
    for _ in range(3):
        device.throttle_reset()  # django-otp's own back-off is another control; not tested here
        assert client.post(path, {"code": _wrong(device)}).status_code == 200
    device.throttle_reset()
    response = client.post(path, {"code": code_for(device, steps_ahead=1)})
    assert response.status_code == 429
    assert "Too many login attempts" in response.content.decode()
    assert 'name="code"' in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed is (step == "verify")  # the right code was not even checked


def test_the_api_token_with_a_code_counts_once_per_request(settings):
    settings.LOGIN_THROTTLE_RATE_PER_USERNAME = "2/minute"
    user = make_user(Role.REGISTRAR)
    device = with_authenticator(user)
    client = Client()
    body = {"username": user.username, "password": PASSWORD, "otp": _wrong(device)}
    for _ in range(2):
        device.throttle_reset()
        assert client.post(TOKEN, body, content_type="application/json").json()["code"] == "two_factor_invalid"
    assert client.post(TOKEN, body, content_type="application/json").status_code == 429
