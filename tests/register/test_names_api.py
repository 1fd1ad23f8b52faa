"""Names in both scripts through the API (issue 14): the romanised names beside the names as written,
checked at the door; search finds a person by any name in either script after normalisation, and by
close romanised names, on the carer and the child lists."""

import pytest

from register.models import CarerSearchKey, ChildSearchKey
from register.roles import Role
from tests.factories import CarerFactory, ChildFactory
from tests.register.carers_factories import carer_payload
from tests.register.children_factories import child_payload

CARERS = "/api/v1/carers/"
CHILDREN = "/api/v1/children/"

# ស៊ុន (Sun) typed with the vowel before the shifter: looks the same, another byte order.
SUN_TYPED = "\u179f\u17ca\u17bb\u1793"
SUN_OTHER_ORDER = "\u179f\u17bb\u17ca\u1793"


def references(response):
    assert response.status_code == 200, response.content
    return sorted(row["reference"] for row in response.json()["results"])


def khmer_carer(**names):
    primary = {
        "given_name": "ចាន់ណា",
        "family_name": SUN_TYPED,
        "given_name_latin": "Channa",
        "family_name_latin": "Sun",
        "sex": "female",
        "date_of_birth": "1981-03-04",
    }
    primary.update(names)
    return carer_payload(household_name="គ្រួសារ ស៊ុន", primary_carer=primary, phone="+85512777111")


def test_a_carer_is_registered_and_shown_in_both_scripts(client_for):
    api = client_for(Role.REGISTRAR)
    response = api.post(CARERS, khmer_carer(), format="json")
    assert response.status_code == 201, response.content
    primary = response.json()["primary_carer"]
    assert (primary["given_name"], primary["family_name"]) == ("ចាន់ណា", SUN_TYPED)
    assert (primary["given_name_latin"], primary["family_name_latin"]) == ("Channa", "Sun")
    listed = api.get(CARERS, {"search": "Channa"}).json()["results"][0]["primary_carer"]
    assert listed["given_name_latin"] == "Channa"


def test_household_members_keep_their_romanised_names(client_for):
    api = client_for(Role.REGISTRAR)
    body = khmer_carer()
    body["household_members"] = [
        {
            "given_name": "ដារ៉ា",
            "family_name": "ស៊ុន",
            "given_name_latin": "Dara",
            "family_name_latin": "Sun",
            "sex": "male",
            "date_of_birth": "1979-01-02",
            "relationship": "spouse",
        }
    ]
    response = api.post(CARERS, body, format="json")
    assert response.status_code == 201, response.content
    member = response.json()["household_members"][0]
    assert (member["given_name"], member["given_name_latin"]) == ("ដារ៉ា", "Dara")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("given_name_latin", "ចាន់ណា"),  # Khmer in the romanised field
        ("given_name_latin", "Channa2"),
        ("given_name", "Sok\tha"),  # a control character
        ("family_name", "Sun 12"),  # digits are no name
        ("family_name_latin", "x" * 101),
    ],
)
def test_a_bad_name_is_a_400_naming_the_field(client_for, field, value):
    api = client_for(Role.REGISTRAR)
    response = api.post(CARERS, khmer_carer(**{field: value}), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["primary_carer"]
    assert not CarerSearchKey.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        "Channa",
        "chana",  # one n: a close romanisation
        "CHANNA SUN",
        "Sun Channa",  # family name first
        "Son",  # a close romanisation of Sun
        "ចាន់ណា",
        SUN_OTHER_ORDER,  # typed in the other order
        "ចាន់\u200bណា",  # a zero-width space inside
        SUN_TYPED + "ចាន់ណា",  # family and given names typed together
        "ចាន់",  # the start of a word, as people type
        "Chan",
        "គ្រួសារ",  # the household name
        "012 777 111",
        "+855 12 777 111",
    ],
)
@pytest.mark.parametrize("few", [5000, 0], ids=["by ids", "by sub-query"])
def test_search_finds_a_carer_by_any_name_in_either_script(client_for, query, few, monkeypatch):
    # A word found in few records is looked up by their ids; in many, by a sub-query: the same answer.
    monkeypatch.setattr("register.selectors.names.FEW", few)
    api = client_for(Role.REGISTRAR)
    wanted = api.post(CARERS, khmer_carer(), format="json").json()["reference"]
    CarerFactory(given_name="Sophal", family_name="Heng", household_name="Heng family")
    assert references(api.get(CARERS, {"search": query})) == [wanted]


@pytest.mark.parametrize("query", ["Sophal", "Sokha", "Chhay", "ចាន់ណាសុខ", "013 777 111"])
@pytest.mark.parametrize("few", [5000, 0], ids=["by ids", "by sub-query"])
def test_search_does_not_find_other_names(client_for, query, few, monkeypatch):
    monkeypatch.setattr("register.selectors.names.FEW", few)
    api = client_for(Role.REGISTRAR)
    api.post(CARERS, khmer_carer(given_name="ចាន់ណា", given_name_latin="Channa"), format="json")
    assert references(api.get(CARERS, {"search": query})) == []


def test_a_renamed_carer_is_found_by_the_new_name_only(client_for):
    api = client_for(Role.REGISTRAR)
    created = api.post(CARERS, khmer_carer(), format="json").json()
    body = {"primary_carer": {"given_name": "សុខា", "given_name_latin": "Sokha"}}
    response = api.patch(f"{CARERS}{created['id']}/", body, format="json")
    assert response.status_code == 200, response.content
    assert references(api.get(CARERS, {"search": "Sokhar"})) == [created["reference"]]
    assert references(api.get(CARERS, {"search": "Channa"})) == []


def test_search_stays_inside_the_callers_provinces(client_for):
    far = CarerFactory(given_name="Channa", family_name="Sun")
    far.province_id = "17"
    far.save()
    assert references(client_for(Role.REGISTRAR).get(CARERS, {"search": "Channa"})) == []


def test_children_in_both_scripts_and_found_by_either(client_for):
    api = client_for(Role.PLACEMENT_OFFICER)
    body = child_payload(given_name="សុខា", family_name="ជា", given_name_latin="Sokha", family_name_latin="Chea")
    response = api.post(CHILDREN, body, format="json")
    assert response.status_code == 201, response.content
    child = response.json()
    assert (child["given_name"], child["given_name_latin"], child["family_name_latin"]) == ("សុខា", "Sokha", "Chea")
    ChildFactory(given_name="Sophal", family_name="Heng")
    for query in ("Sokhar Chia", "sokha", "ជា សុខា", "ជាសុខា", child["reference"]):
        assert references(api.get(CHILDREN, {"search": query})) == [child["reference"]], query
    assert references(api.get(CHILDREN, {"search": "Sophea"})) == []
    bad = api.post(CHILDREN, child_payload(given_name_latin="សុខា"), format="json")
    assert bad.status_code == 400 and "given_name_latin" in bad.json()
    assert ChildSearchKey.objects.filter(child_id=child["id"]).exists()


@pytest.mark.parametrize("query", ["Channa Sun", "Sun Channa", "ចាន់ណា " + SUN_TYPED])
def test_a_word_found_in_many_records_is_narrowed_by_one_found_in_few(client_for, query, monkeypatch):
    # "Channa" finds two families, more than FEW; "Sun" one: the search answers their meeting.
    monkeypatch.setattr("register.selectors.names.FEW", 1)
    api = client_for(Role.REGISTRAR)
    wanted = api.post(CARERS, khmer_carer(), format="json").json()["reference"]
    other = khmer_carer(family_name="ហេង", family_name_latin="Heng")
    other.update(phone="+85512777222", household_name="គ្រួសារ ហេង")
    assert api.post(CARERS, other, format="json").status_code == 201
    assert references(api.get(CARERS, {"search": query})) == [wanted]
    assert len(references(api.get(CARERS, {"search": "Channa"}))) == 2
