"""The catalogue of error codes (register.errors.ErrorCode) is the one list of the register's refusals:
every code a service raises is in it, every eligibility rule's refusal is in it, the API schema and the
API guide's table (docs/api/errors.md) list it."""

import ast
import pathlib

from register.errors import ErrorCode
from register.rules import eligibility

ROOT = pathlib.Path(__file__).resolve().parent.parent
CODE_DIRS = ("register", "matching", "notifications", "web")


def raised_codes() -> dict[str, list[str]]:
    """code -> where a DomainError or ConflictError is raised with it, read from the source."""
    found: dict[str, list[str]] = {}
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name not in ("DomainError", "ConflictError"):
                    continue
                for keyword in node.keywords:
                    if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                        found.setdefault(keyword.value.value, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_code_a_service_raises_is_in_the_catalogue():
    codes = raised_codes()
    assert "invalid_transition" in codes  # the scan reads the source
    missing = {code: where for code, where in codes.items() if code not in ErrorCode.values}
    assert not missing, f"add these to register.errors.ErrorCode: {missing}"


def test_every_eligibility_refusal_is_in_the_catalogue():
    assert {rule.refusal for rule in eligibility.RULES} <= set(ErrorCode.values)


def test_the_api_schema_lists_the_catalogue(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    description = schema["components"]["schemas"]["Error"]["properties"]["code"]["description"]
    assert all(f"`{code}`" in description for code in ErrorCode.values)


def test_the_api_guide_lists_the_catalogue():
    table = (ROOT / "docs" / "api" / "errors.md").read_text()
    missing = [code for code in ErrorCode.values if f"`{code}`" not in table]
    assert not missing, f"docs/api/errors.md's table of error codes lacks {missing}"
