import pytest

from register.models import Commune, District, Province, Village


@pytest.mark.django_db
def test_migrate_loads_the_whole_gazetteer():
    assert Province.objects.count() == 25
    assert District.objects.count() == 210
    assert Commune.objects.count() == 1652
    assert Village.objects.count() == 14578


@pytest.mark.django_db
def test_known_names_in_both_scripts():
    pp = Province.objects.get(code="12")
    assert (pp.name_en, pp.name_km) == ("Phnom Penh", "ភ្នំពេញ")
    assert Province.objects.get(code="02").name_km == "បាត់ដំបង"
    assert Province.objects.get(code="25").name_en == "Tboung Khmum"
    assert District.objects.get(code="0102").name_en == "Mongkol Borey"
    assert Commune.objects.get(code="010201").name_km == "បន្ទាយនាង"
    assert Village.objects.get(code="01020101").name_en == "Ou Thum"


@pytest.mark.django_db
def test_village_without_latin_name_falls_back_to_khmer():
    village = Village.objects.get(code="02010508")
    assert village.name_en == village.name_km == "ប៉ៃឡាំ"


@pytest.mark.django_db
def test_province_polygon_centroids_are_loaded_for_distances():
    sihanouk = Province.objects.get(code="18")
    assert sihanouk.centroid_lat is not None and sihanouk.centroid_lon is not None
    assert Province.objects.filter(centroid_lat__isnull=True).count() == 0


def test_provinces_endpoint_lists_25_without_login(api, db):
    response = api.get("/api/v1/provinces/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 25 and len(body["results"]) == 25
    assert body["results"][1] == {
        "code": "02",
        "name_en": "Battambang",
        "name_km": "បាត់ដំបង",
        "lat": pytest.approx(12.9256791),
        "lon": pytest.approx(103.2317136),
    }


def test_districts_filter_by_province(api, db):
    body = api.get("/api/v1/districts/", {"province": "12", "page_size": 200}).json()
    assert body["count"] == 14
    assert all(d["province"] == "12" for d in body["results"])


def test_communes_filter_by_district(api, db):
    body = api.get("/api/v1/communes/", {"district": "0102"}).json()
    assert body["count"] > 0
    assert {c["district"] for c in body["results"]} == {"0102"}
    assert {c["province"] for c in body["results"]} == {"01"}


def test_gazetteer_search_matches_khmer_and_latin(api, db):
    assert api.get("/api/v1/provinces/", {"search": "Siem"}).json()["results"][0]["code"] == "17"
    assert api.get("/api/v1/provinces/", {"search": "បាត់ដំបង"}).json()["results"][0]["code"] == "02"


def test_page_size_is_capped_at_200(api, db):
    body = api.get("/api/v1/communes/", {"page_size": 5000}).json()
    assert len(body["results"]) == 200 and body["next"]


def test_unknown_province_answers_404(api, db):
    assert api.get("/api/v1/provinces/99/").status_code == 404
