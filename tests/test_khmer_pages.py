"""Every page and error in Khmer: no English word left, one decimal separator, Arabic digits.

The routes, roles and requests are the jurisdiction matrix's (tests/security/test_jurisdiction_matrix.py:
ROUTES walks every route of the URL resolver, so a new page is rendered here too). Each request is sent
in Khmer (the language cookie and Accept-Language: km) by every role, then again with a bad body: an
empty one (every required field missing) and one where every value is "ខុស" (every choice, number,
date and id invalid). The framework's own refusals are added: not signed in, method not allowed,
unsupported media type, malformed JSON, a CSRF failure, a wrong password, a page that does not exist.

What a person reads (HTML text and the attributes read aloud or shown; the API's messages) must hold no
word in Latin letters, once the following are taken out: what people typed or the gazetteer holds
(names, notes, places: the data of the test world), references (FC-…, CH-…), e-mail and web
addresses, text marked as another language (lang="en": the language switch), code (<code>, <kbd>,
<pre>), and the words of ALLOWED below, each with the reason it may stay in Latin letters.
To allow a word: add it to ALLOWED with its reason (a name, a file format, a code a person types);
never to hide an untranslated sentence."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.db import models as dj
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from register import models as m
from tests.security.jurisdiction_world import build_world
from tests.security.test_jurisdiction_matrix import ROLES, ROUTES, WRITES, Req, _client, _do

pytestmark = pytest.mark.django_db

# Words that stay in Latin letters on a Khmer page, and why.
ALLOWED = {
    # File formats and character sets a person chooses or sees in their own software.
    "CSV": "a file format, named so in Excel",
    "XLSX": "a file format (Excel's)",
    "xlsx": "a file name's ending, as typed",
    "csv": "a file name's ending, as typed",
    "xls": "a file name's ending, as typed",
    "UTF": "a character set, as Excel names it (CSV UTF-8)",
    "Excel": "a product's name",
    "zip": "a file format",
    "JSON": "a data format of the API, named so by its users",
    "MB": "unit of file size, written so on every phone and computer",
    # Names of products and standards.
    "GPS": "the positioning system, called so in Khmer",
    "QR": "the code a phone scans, called so in Khmer",
    "SMS": "the message service, called so in Khmer",
    "API": "the programming interface's name (ថូខឹន API)",
    "UUID": "the kind of id the API takes",
    "URL": "a web address's name",
    "FreeOTP": "an authenticator app's name",
    "Aegis": "an authenticator app's name",
    "Google": "an authenticator app's name (Google Authenticator)",
    "Authenticator": "an authenticator app's name (Google Authenticator)",
    # Codes a person types.
    "YYYY": "the date pattern typed in an import file (YYYY-MM-DD)",
    "MM": "the date pattern typed in an import file (YYYY-MM-DD)",
    "DD": "the date pattern typed in an import file (YYYY-MM-DD)",
    "km": "a language code typed in the import file (km;en)",
    "en": "a language code typed in the import file (km;en)",
    "true": "a value typed in the API or the import file",
    "GET": "an HTTP method: the request's own, echoed back by the API",
    "POST": "an HTTP method: the request's own, echoed back by the API",
    "PUT": "an HTTP method: the request's own, echoed back by the API",
    "PATCH": "an HTTP method: the request's own, echoed back by the API",
    "DELETE": "an HTTP method: the request's own, echoed back by the API",
    "false": "a value typed in the API or the import file",
    "UNICEF": "an organisation's name (the monitoring manual's author)",
    "BCN": "Better Care Network, an organisation's name (the monitoring manual's author)",
    "Sokha": "an example of a romanised name, in the help of the Latin-letters name field",
    "A": "the Latin alphabet's first letter (A to Z: what a romanised name may hold)",
    "Z": "the Latin alphabet's last letter (A to Z: what a romanised name may hold)",
    "Primero": "a partner case-management system's name (a child's id there)",
    "OSCaR": "a partner case-management system's name (a child's id there)",
}

# A reference on paper forms (API.md), an e-mail or web address, an id.
REFERENCE = re.compile(r"\b(?:FC|CH)-\d{2}-\d{6}\b")
ADDRESS = re.compile(r"\S+@\S+|https?://\S+|/[\w/.-]*\?\S*|(?<!\w)/[a-z0-9_/.-]+/")
# A code in backticks: a parameter or value a person types in the API (`duplicate_reviewed`).
CODE_SPAN = re.compile(r"`[^`]*`")
# A media type the request sent (text/plain), echoed back by the API.
MEDIA_TYPE = re.compile(r"\b[a-z]+/[a-z0-9.+-]+")
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z\u2019']*")  # with the apostrophes of "family's"
# A number with a decimal part (one or two digits after the separator, so that 5,000 is not one).
DECIMAL = re.compile(r"(?<![\d.,])\d+([.,])\d{1,2}(?![\d.,])")
KHMER_DIGIT = re.compile(r"[០-៩]")
# An ASCII colon or semicolon right after Khmer text: Khmer introduces with ៖ (the glossary).
ASCII_COLON = re.compile(r"[\u1780-\u17dd][:;]")
# Routes whose answer is not for a person to read in Khmer: the OpenAPI schema and its viewer
# (documentation for programmers: field names and codes by design), health check, file downloads.
NOT_READ = {"schema", "api-docs", "healthz"}
BAD = "ខុស"  # a wrong value in Khmer: echoed back by an error, it is no Latin word


# --- The world ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        built.typed = typed_words()
        built.places = sorted(gazetteer_khmer_digits(), key=len, reverse=True)
        yield built
        transaction.set_rollback(True)


def typed_words() -> set[str]:
    """Every Latin word of what people typed or the gazetteer holds: names, notes, places, usernames.
    Fields with choices (codes) and codes of training modules are not data a person typed."""
    words: set[str] = set()
    for model in (
        m.Carer,
        m.HouseholdMember,
        m.Child,
        m.Institution,
        m.User,
        m.Province,
        m.District,
        m.Commune,
        m.Village,
        m.CarerCheck,
        m.SafeguardingConcern,
        m.CarerExclusion,
        m.Placement,
        m.Visit,
        m.CarerStatusChange,
        m.CarerImportJob,
    ):
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, dj.CharField | dj.TextField) and not f.choices and f.name != "code"
        ]
        for row in model.objects.values_list(*fields):
            for value in row:
                words.update(LATIN_WORD.findall(value or ""))
    for ids in m.Child.objects.values_list("external_ids", flat=True):  # a child's ids in partner systems
        for value in (ids or {}).values():
            words.update(LATIN_WORD.findall(str(value)))
    return words


def gazetteer_khmer_digits() -> set[str]:
    """Khmer place names written with Khmer digits in the gazetteer (កន្ទឺ ១): data, not the register's
    own numbers, which are Arabic."""
    names: set[str] = set()
    for model in (m.Province, m.District, m.Commune, m.Village):
        names.update(n for n in model.objects.values_list("name_km", flat=True) if KHMER_DIGIT.search(n or ""))
    # A name of digits alone (a village called ៣) would take every such digit off a page: kept.
    return {n for n in names if re.search(r"[\u1780-\u17d2]", n)}


# --- What a person reads --------------------------------------------------------------------------
class _Text(HTMLParser):
    """The text of a page as a person reads it: text nodes and the attributes shown or read aloud,
    without scripts, styles, code, and text marked as another language."""

    SKIP = {"script", "style", "code", "kbd", "pre", "samp", "template"}
    READ = ("title", "placeholder", "aria-label", "alt")
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[bool] = []  # per open element: is its text skipped?

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skipped = (self.stack and self.stack[-1]) or tag in self.SKIP or attrs.get("lang", "km") != "km"
        if not skipped:
            self.parts += [attrs[a] for a in self.READ if attrs.get(a)]
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.parts.append(attrs["value"])
        if tag not in self.VOID:
            self.stack.append(bool(skipped))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


ENUM_VALUE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
HUMAN_KEYS = {"detail", "message", "messages", "non_field_errors", "reasons", "explanation", "label", "text"}


def _json_texts(data, *, error: bool, under_human: bool = False) -> list[str]:
    """The messages of an API answer: every message of an error answer (its `code` and extra
    facts are codes, API.md), and in other answers only what is said in words."""
    if isinstance(data, dict):
        if error and "detail" in data:
            return _json_texts(data["detail"], error=error, under_human=True)
        out = []
        for key, value in data.items():
            out += _json_texts(value, error=error, under_human=under_human or key in HUMAN_KEYS or error)
        return out
    if isinstance(data, list):
        return [t for item in data for t in _json_texts(item, error=error, under_human=under_human)]
    # A lower_snake_case value is an enumeration (API.md), a code by contract, not words.
    return [data] if isinstance(data, str) and under_human and not ENUM_VALUE.fullmatch(data) else []


def read_text(response) -> str | None:
    """What a person reads in `response`, or None for an answer that is not read (a file)."""
    kind = response.get("Content-Type", "")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if "html" in kind:
        parser = _Text()
        parser.feed(content.decode("utf-8", "replace"))
        return " ".join(parser.parts)
    if "json" in kind:
        return " ".join(_json_texts(json.loads(content or b"null"), error=response.status_code >= 400))
    return None


def latin_words(text: str, typed: set[str]) -> set[str]:
    for pattern in (CODE_SPAN, REFERENCE, ADDRESS, MEDIA_TYPE, UUID):
        text = pattern.sub(" ", text)
    return {
        w for w in LATIN_WORD.findall(text) if w not in ALLOWED and w not in typed and w.strip("'\u2019") not in typed
    }


# --- Requests -------------------------------------------------------------------------------------
def _in_khmer(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "km"
    return client


def _spoiled(data):
    """The same body with every value wrong."""
    if isinstance(data, dict):
        return {k: _spoiled(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_spoiled(v) for v in data[:1]] or [BAD]
    return BAD


def _variants(req: Req) -> list[Req]:
    if req.method == "GET":
        return [req]
    return [req, Req(req.method, req.path, {}, req.api), Req(req.method, req.path, _spoiled(req.data or {}), req.api)]


# Fields of a request where a person types free text (a form shown again repeats it); not codes.
FREE_TEXT = {
    "summary",
    "notes",
    "note",
    "action",
    "reason",
    "household_name",
    "given_name",
    "family_name",
    "name",
    "address",
    "split_reason",
    "override_reason",
}


def _sent_words(data) -> set[str]:
    """The Latin words a person typed in free-text fields (a field named so, or a value with spaces)."""
    if isinstance(data, list):
        return set().union(*(_sent_words(v) for v in data)) if data else set()
    if not isinstance(data, dict):
        return set()
    words: set[str] = set()
    for key, value in data.items():
        if isinstance(value, str) and (key in FREE_TEXT or " " in value.strip()):
            words.update(LATIN_WORD.findall(value))
        else:
            words |= _sent_words(value)
    return words


def _check(world, where: str, response, problems: list, sent=None) -> None:
    if response.status_code >= 500:
        problems.append(f"{where}: {response.status_code}")
        return
    text = read_text(response)
    if text is None:
        return
    for place in world.places:
        text = text.replace(place, " ")
    latin = latin_words(text, world.typed | _sent_words(sent))
    if latin:
        problems.append(f"{where}: Latin words {sorted(latin)}")
    if KHMER_DIGIT.search(text):
        problems.append(f"{where}: Khmer digits (the glossary: Arabic digits only)")
    if ASCII_COLON.search(text):
        problems.append(f"{where}: an ASCII colon after Khmer text ({ASCII_COLON.search(text).group()!r})")
    separators = {match.group(1) for match in DECIMAL.finditer(text)}
    if len(separators) > 1:
        problems.append(f"{where}: two decimal separators {sorted(separators)}")


ALL_ROUTES = {**ROUTES, **WRITES}


@pytest.mark.parametrize("name", sorted(set(ALL_ROUTES) - NOT_READ))
def test_every_page_and_answer_reads_in_khmer(world, name):
    route = ALL_ROUTES[name]
    problems: list[str] = []
    sent: list = []  # what this test typed so far: a page may show it again (a concern's summary)
    for role in ROLES:
        for req in route.build(world, "own", role):
            for variant in _variants(req):
                sent.append(variant.data)
                response = _do(_in_khmer(_client(world, role, variant)), variant)
                where = f"{role} {variant.method} {variant.path} {'(bad body)' if variant is not req else ''}"
                _check(world, where, response, problems, sent=sent)
    assert problems == [], "\n".join(problems)


def _framework_refusals(world):
    """The framework's own refusals, each as a (description, response)."""
    registrar = world.own.users["registrar"]
    api = _in_khmer(APIClient())
    yield "API, not signed in", api.get("/api/v1/carers/")
    api.force_authenticate(registrar)
    yield "API, method not allowed", api.delete("/api/v1/carers/")
    yield "API, unsupported media type", api.post("/api/v1/carers/", "x", content_type="text/plain")
    yield "API, malformed JSON", api.post("/api/v1/carers/", "{", content_type="application/json")
    yield "API, no such record", api.get("/api/v1/carers/00000000-0000-4000-8000-000000000000/")
    # DRF's field errors: blank, null, too long, below and above the bounds, not a list, not a choice.
    yield (
        "API, field errors",
        api.post(
            "/api/v1/carers/",
            {
                "household_name": "",
                "phone": None,
                "address": "x" * 400,
                "age_min": -1,
                "max_children": 99,
                "languages": "km",
                "religion": BAD,
                "primary_carer": {"date_of_birth": "yesterday"},
            },
            format="json",
        ),
    )
    yield "API, wrong token", _in_khmer(APIClient(HTTP_AUTHORIZATION="Token nonsense")).get("/api/v1/me/")
    yield (
        "API, wrong password",
        _in_khmer(APIClient()).post(
            "/api/v1/auth/token/", {"username": registrar.username, "password": "wrong"}, format="json"
        ),
    )
    yield (
        "page, wrong password",
        _in_khmer(Client()).post("/login/", {"username": registrar.username, "password": "wrong"}),
    )
    yield (
        "admin, wrong password",
        _in_khmer(Client()).post("/admin/login/", {"username": registrar.username, "password": "wrong"}),
    )
    yield "page, CSRF failure", _in_khmer(Client(enforce_csrf_checks=True)).post("/login/", {"username": "x"})
    page = _in_khmer(Client())
    page.force_login(registrar)
    yield "page, no such record", page.get("/carers/00000000-0000-4000-8000-000000000000/")
    yield "page, no such address", page.get("/no/such/page/")


def test_the_frameworks_refusals_read_in_khmer(world):
    problems: list[str] = []
    seen = 0
    for where, response in _framework_refusals(world):
        # A refusal; the login pages show the form again with its error (200).
        assert response.status_code >= 400 or "wrong password" in where, where
        _check(world, where, response, problems)
        seen += 1
    assert seen == 13
    assert problems == [], "\n".join(problems)


def test_the_check_finds_english(world):
    """The test can fail: an English sentence, a machine code, Khmer digits or two separators are found."""
    assert latin_words("ការចុះសួរសុខទុក្ខ settled", world.typed) == {"settled"}
    assert latin_words("This field is required.", world.typed) >= {"This", "field", "required"}
    assert latin_words(f"{world.own.carer.reference} {world.own.carer.household_name} CSV", world.typed) == set()
    problems: list = []

    class Page:
        status_code = 200
        streaming = False
        content = "<p>ពិន្ទុ 0.85 និង 0,5 ៣</p><p lang='en'>English</p><code>split_reason</code>".encode()

        def get(self, key, default=""):
            return "text/html; charset=utf-8"

    _check(world, "sample", Page(), problems)
    assert len(problems) == 2
