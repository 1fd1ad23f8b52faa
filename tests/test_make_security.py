"""`make security` reruns the security checks of issue 13: the tests marked `security`
(tests/conftest.py), the jurisdiction matrix, the API fuzzing and `manage.py check --deploy`. The
Makefile's target must keep naming each part, each part must carry the marker, and a failure must
fail the target."""

import re
from fnmatch import fnmatch
from pathlib import Path

import pytest

from tests.conftest import SECURITY_TESTS, is_security_test

ROOT = Path(__file__).resolve().parents[1]
PARTS = {
    "the jurisdiction matrix": "tests/security/test_jurisdiction_matrix.py",
    "the API fuzzing": "tests/test_api_fuzz.py",
    "manage.py check --deploy": "tests/test_deploy_check.py",
}


def security_target() -> str:
    """The security target's recipe, its variables expanded as Make would (simple := assignments)."""
    text = (ROOT / "Makefile").read_text()
    variables = dict(re.findall(r"^([A-Z_]+)\s*:?=\s*(.*)$", text, flags=re.MULTILINE))
    match = re.search(r"^security:.*\n((?:\t.*\n)+)", text, flags=re.MULTILINE)
    assert match, "the Makefile has no security target"
    recipe = match.group(1)
    return re.sub(r"\$\((\w+)\)", lambda m: variables.get(m.group(1), m.group(0)), recipe)


def test_the_security_target_runs_the_marked_tests_and_fails_when_they_fail():
    recipe = security_target()
    runs = [line.strip() for line in recipe.splitlines() if "pytest" in line and not line.strip().startswith("@echo")]
    assert len(runs) == 1, recipe
    (run,) = runs
    assert "-m security" in run
    # Make stops with an error when a recipe line fails, unless told to ignore it.
    assert not run.startswith("-") and "|| true" not in run and "; true" not in run


@pytest.mark.parametrize("part", PARTS)
def test_the_security_target_names_each_part_and_the_part_is_marked(part):
    path = PARTS[part]
    folder = str(Path(path).parent) if path.startswith("tests/security/") else path
    assert folder in security_target(), f"`make security` lost {part} ({folder})"
    assert is_security_test(ROOT / path), f"{path} is not in tests/conftest.py's SECURITY_TESTS"


def test_every_listed_security_test_exists():
    """A renamed file would silently leave the list: every pattern still matches a test file."""
    files = [p.relative_to(ROOT).as_posix() for p in (ROOT / "tests").rglob("test_*.py")]
    missing = [pattern for pattern in SECURITY_TESTS if not any(fnmatch(f, pattern) for f in files)]
    assert missing == []


def test_the_marker_is_registered():
    text = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^\s*"security: ', text, flags=re.MULTILINE)
