from fnmatch import fnmatch
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from matching import adapter
from register.roles import Role
from tests.factories import make_user


@pytest.fixture(autouse=True)
def fresh_matching_families():
    """Each test builds its own register, rolled back after it. Matching keeps the families in memory
    and reads again only the rows changed since (matching/adapter.py), which a rollback does not
    announce: no test may rank another test's families."""
    adapter.forget_cache()
    yield
    adapter.forget_cache()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def client_for(db):
    """client_for(role, provinces=("02",)) -> an APIClient authenticated as a new user of that role."""

    def make(role: str = Role.REGISTRAR, provinces=("02",), **kwargs):
        user = make_user(role, provinces, **kwargs)
        client = APIClient()
        client.force_authenticate(user)
        client.user = user
        return client

    return make


# --- `make security` (`pytest -m security`) -------------------------------------------------------
# The security checks of issue 13, marked `security` by where they are: the one list of them. A test
# file of a security control belongs here (tests/test_make_security.py holds the Makefile to it).
ROOT = Path(__file__).resolve().parents[1]
SECURITY_TESTS = (
    "tests/security/*",  # the jurisdiction matrix, bad input, login throttling, disclosure
    "tests/test_api_fuzz.py",  # the API fuzzing
    "tests/test_deploy_check.py",  # manage.py check --deploy on production settings
    "tests/test_body_limits.py",
    "tests/test_list_limits.py",
    "tests/test_page_sizes.py",
    "tests/test_make_security.py",
    "tests/notifications/test_csv_exports.py",
    "tests/register/test_auth.py",
    "tests/register/test_import_limits.py",
    "tests/register/test_child_*.py",
    "tests/register/test_scoping.py",
    "tests/register/test_two_factor.py",
    "tests/register/test_audit_*.py",
    "tests/web/test_account_*.py",
    "tests/register/test_password_change_revokes.py",
    "tests/register/test_plausible_inputs.py",
    "tests/register/test_carer_import.py",  # what the import says of families outside one's provinces
    "tests/web/test_two_factor_pages.py",
)


def is_security_test(path) -> bool:
    relative = Path(path).resolve().relative_to(ROOT).as_posix()
    return any(fnmatch(relative, pattern) for pattern in SECURITY_TESTS)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if is_security_test(item.path):
            item.add_marker(pytest.mark.security)


def pytest_report_header(config):
    if "security" in (config.getoption("markexpr") or ""):
        return ["security checks (tests/conftest.py SECURITY_TESTS): " + ", ".join(SECURITY_TESTS)]
    return None
