"""The sessions and tokens inventory (issue 13): a user sees where they are signed in (browser sessions
and API tokens) and revokes each; only their own are listed or found; a national administrator signs
an account out everywhere from the admin. Every revocation is audited."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from register.errors import DomainError
from register.models import ApiTokenUse, AuditEntry, UserSession
from register.roles import Role
from register.services import sessions
from register.services.users import user_sign_out_everywhere
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def signed_in(user, **extra) -> Client:
    client = Client(**extra)
    client.force_login(user, backend=BACKEND)
    return client


def works(client: Client) -> bool:
    # The home answers, or sends the user on to the reform page (their home), not to the login.
    response = client.get(reverse("web:dashboard"))
    return response.status_code == 200 or (
        response.status_code == 302 and response["Location"] == reverse("web:reform")
    )


def api_token(user, agent="ExcelImporter/1.0", address="10.1.2.3") -> str:
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": PASSWORD},
        format="json",
        HTTP_USER_AGENT=agent,
        REMOTE_ADDR=address,
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def token_works(token: str) -> bool:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api.get("/api/v1/me/").status_code == 200


@pytest.fixture
def officer():
    return make_user(Role.PLACEMENT_OFFICER)


def test_a_login_is_listed_with_its_device_address_and_times(officer):
    browser = Client(HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR="192.0.2.7")
    response = browser.post(reverse("web:login"), {"username": officer.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    row = UserSession.objects.get(user=officer)
    assert (row.user_agent, row.ip_address) == (FIREFOX, "192.0.2.7")
    page = browser.get(reverse("web:account_sessions"))
    body = page.content.decode()
    assert page.status_code == 200
    assert FIREFOX in body and "192.0.2.7" in body and 'data-testid="session-current"' in body
    # Never the session key (the cookie's value).
    assert browser.cookies["sessionid"].value not in body


def test_tokens_are_listed_without_the_token_and_last_use_is_recorded(officer):
    token = api_token(officer)
    assert token_works(token)
    instance = AuthToken.objects.get(user=officer)
    use = ApiTokenUse.objects.get(token_digest=instance.digest)
    assert (use.user_agent, use.ip_address) == ("ExcelImporter/1.0", "10.1.2.3")
    assert use.last_seen_at is not None
    body = signed_in(officer).get(reverse("web:account_sessions")).content.decode()
    assert "ExcelImporter/1.0" in body and "10.1.2.3" in body
    for secret in (token, instance.digest, instance.token_key):
        assert secret not in body


def test_a_token_made_before_the_inventory_is_listed_and_revocable(officer):
    _instance, token = AuthToken.objects.create(officer)
    ApiTokenUse.objects.all().delete()  # as a token from before this release has no row
    browser = signed_in(officer)
    assert browser.get(reverse("web:account_sessions")).content.decode().count('data-testid="token-row"') == 1
    use = ApiTokenUse.objects.get()
    assert browser.post(reverse("web:account_token_revoke", args=[use.pk])).status_code == 302
    assert not token_works(token)


def test_each_page_lists_only_the_callers_own(officer):
    colleague = make_user(Role.PLACEMENT_OFFICER)
    signed_in(colleague, HTTP_USER_AGENT="ColleagueBrowser/9")
    api_token(colleague, agent="ColleagueScript/2")
    body = signed_in(officer).get(reverse("web:account_sessions")).content.decode()
    assert "ColleagueBrowser" not in body and "ColleagueScript" not in body


def test_revoking_another_session_signs_it_out_and_is_audited(officer):
    phone = signed_in(officer)
    office = signed_in(officer)
    phone_row = UserSession.objects.get(pk=phone.session[sessions.SESSION_ID_KEY])
    response = office.post(reverse("web:account_session_revoke", args=[phone_row.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("web:account_sessions")
    assert not works(phone)
    assert works(office)
    entry = AuditEntry.objects.get(action="delete", model="register.UserSession", object_id=str(phone_row.pk))
    assert entry.actor_id == officer.pk


def test_revoking_the_current_session_logs_out(officer):
    browser = signed_in(officer)
    row_id = browser.session[sessions.SESSION_ID_KEY]
    response = browser.post(reverse("web:account_session_revoke", args=[row_id]))
    assert response.status_code == 302 and response["Location"] == reverse("web:login")
    assert not works(browser)


def test_revoking_a_token_ends_it_and_is_audited(officer):
    token = api_token(officer)
    use = ApiTokenUse.objects.get()
    key = AuthToken.objects.get(user=officer).token_key
    response = signed_in(officer).post(reverse("web:account_token_revoke", args=[use.pk]))
    assert response.status_code == 302
    assert not token_works(token)
    assert not ApiTokenUse.objects.exists()
    entry = AuditEntry.objects.get(action="delete", model="knox.AuthToken", object_id=key)
    assert entry.actor_id == officer.pk


def test_another_users_session_or_token_is_not_found(officer):
    colleague = make_user(Role.PLACEMENT_OFFICER, provinces=("12",))
    their_browser = signed_in(colleague)
    their_token = api_token(colleague)
    their_session = UserSession.objects.get(user=colleague)
    their_use = ApiTokenUse.objects.get()
    browser = signed_in(officer)
    for url in (
        reverse("web:account_session_revoke", args=[their_session.pk]),
        reverse("web:account_token_revoke", args=[their_use.pk]),
        reverse("web:account_session_revoke", args=[uuid.uuid4()]),
        reverse("web:account_token_revoke", args=[uuid.uuid4()]),
    ):
        assert browser.post(url).status_code == 404, url
    assert works(their_browser) and token_works(their_token)
    assert not AuditEntry.objects.filter(action="delete").exists()


def test_revoking_needs_a_post_with_the_csrf_token(officer):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(officer, backend=BACKEND)
    row_id = browser.session[sessions.SESSION_ID_KEY]
    url = reverse("web:account_session_revoke", args=[row_id])
    assert browser.get(url).status_code == 405
    assert browser.post(url).status_code == 403
    assert UserSession.objects.filter(pk=row_id).exists()


def test_a_bad_id_is_not_found_not_an_error(officer):
    browser = signed_in(officer)
    assert browser.post("/account/sessions/not-a-uuid/revoke/").status_code == 404
    assert browser.post("/account/tokens/%00/revoke/").status_code in (400, 404)


def test_the_page_needs_a_login_and_speaks_khmer(officer):
    assert Client().get(reverse("web:account_sessions")).status_code == 302
    browser = signed_in(officer)
    browser.post("/i18n/setlang/", {"language": "km", "next": "/"})
    response = browser.get(reverse("web:account_sessions"))
    assert response.status_code == 200 and response["Content-Language"] == "km"
    assert 'lang="km"' in response.content.decode()


def test_the_account_menu_links_to_the_page(officer):
    body = signed_in(officer).get(reverse("web:dashboard"), follow=True).content.decode()
    assert reverse("web:account_sessions") in body


def test_a_session_from_before_the_inventory_must_log_in_again(officer):
    browser = signed_in(officer)
    session = browser.session
    del session[sessions.SESSION_ID_KEY]
    session.save()
    assert not works(browser)


def test_sessions_that_ended_are_not_listed_and_are_dropped_at_the_next_login(officer, settings):
    browser = signed_in(officer)
    old = UserSession.objects.create(
        user=officer,
        user_agent="Ancient/1",
        created_at=timezone.now() - datetime.timedelta(days=3),
        last_seen_at=timezone.now() - datetime.timedelta(days=3),
    )
    assert "Ancient/1" not in browser.get(reverse("web:account_sessions")).content.decode()
    signed_in(officer)
    assert not UserSession.objects.filter(pk=old.pk).exists()


def test_last_seen_is_written_at_most_once_a_minute(officer):
    browser = signed_in(officer)
    row = UserSession.objects.get(user=officer)
    UserSession.objects.filter(pk=row.pk).update(last_seen_at=timezone.now() - datetime.timedelta(minutes=5))
    assert works(browser)
    first = UserSession.objects.get(pk=row.pk).last_seen_at
    assert timezone.now() - first < datetime.timedelta(minutes=1)
    assert works(browser)
    assert UserSession.objects.get(pk=row.pk).last_seen_at == first


def test_logging_out_removes_the_session_from_the_list(officer):
    browser = signed_in(officer)
    browser.post(reverse("web:logout"))
    assert not UserSession.objects.filter(user=officer).exists()


# --- A national administrator: every session and token of an account --------------------------------


def test_a_national_administrator_signs_an_account_out_everywhere_from_the_admin(officer):
    national = make_user(Role.NATIONAL_ADMIN, is_staff=True, is_superuser=True)
    browsers = [signed_in(officer), signed_in(officer)]
    token = api_token(officer)
    admin = signed_in(national)
    response = admin.post(
        reverse("admin:register_user_changelist"),
        {"action": "sign_out_everywhere", "_selected_action": [officer.pk]},
    )
    assert response.status_code == 302, response.content
    assert not any(map(works, browsers)) and not token_works(token)
    assert admin.get("/admin/").status_code == 200
    entry = AuditEntry.objects.filter(action="logout", object_id=str(officer.pk), actor=national).get()
    assert entry.changes["signed_in_sessions"] == [2, 0] and entry.changes["api_tokens"] == [1, 0]


def test_only_a_national_administrator_may_sign_someone_out_everywhere(officer):
    supervisor = make_user(Role.SUPERVISOR, is_staff=True)
    token = api_token(officer)
    with pytest.raises(DomainError):
        user_sign_out_everywhere(actor=supervisor, user=officer)
    assert token_works(token)
    response = signed_in(supervisor).post(
        reverse("admin:register_user_changelist"),
        {"action": "sign_out_everywhere", "_selected_action": [officer.pk]},
    )
    assert response.status_code == 403
    assert token_works(token)


def test_the_address_is_the_one_the_login_throttle_trusts(officer, settings):
    """Behind one proxy of ours, the address it saw; a forwarded header without one is the client's
    own words and is not recorded."""
    settings.TRUSTED_PROXY_COUNT = 1
    browser = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9")
    browser.post(reverse("web:login"), {"username": officer.username, "password": PASSWORD})
    assert UserSession.objects.get(user=officer).ip_address == "203.0.113.9"
    settings.TRUSTED_PROXY_COUNT = 0
    UserSession.objects.all().delete()
    browser = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    browser.post(reverse("web:login"), {"username": officer.username, "password": PASSWORD})
    assert UserSession.objects.get(user=officer).ip_address == "10.0.0.2"
