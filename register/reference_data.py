"""Loading the national gazetteer from the CSV files shipped in register/data/gazetteer/.

Called by a data migration (so `migrate` alone makes the API usable) with the historical models,
and by `manage.py load_gazetteer` when NCDD publishes changes: rows are updated or created by code.
"""

import csv
from pathlib import Path

GAZETTEER_DIR = Path(__file__).resolve().parent / "data" / "gazetteer"


def _rows(name: str):
    with open(GAZETTEER_DIR / name, encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _float(value: str) -> float | None:
    return float(value) if value else None


def _place(r: dict, **parents: str) -> dict:
    """The columns a province, district and commune share: its code, its parents' codes, names and point."""
    return {
        "code": r["code"],
        **parents,
        "name_en": r["name_latin"],
        "name_km": r["name_km"],
        "lat": _float(r["lat"]),
        "lon": _float(r["lon"]),
    }


def _sync(model, rows: list[dict]) -> int:
    """Create missing rows and update changed ones, in bulk, keyed by code."""
    existing = set(model.objects.values_list("code", flat=True))
    new = [model(**r) for r in rows if r["code"] not in existing]
    old = [model(**r) for r in rows if r["code"] in existing]
    model.objects.bulk_create(new, batch_size=2000)
    if old:
        fields = [k for k in rows[0] if k != "code"]
        model.objects.bulk_update(old, fields, batch_size=2000)
    return len(rows)


def load_gazetteer(Province, District, Commune, Village) -> dict[str, int]:
    centroids = {r["code"]: r for r in _rows("cambodia_province_polygon_centroids.csv")}
    provinces = [
        {
            **_place(r),
            "centroid_lat": _float(centroids.get(r["code"], {}).get("centroid_lat", "")),
            "centroid_lon": _float(centroids.get(r["code"], {}).get("centroid_lon", "")),
        }
        for r in _rows("cambodia_provinces.csv")
    ]
    districts = [_place(r, province_id=r["province_code"]) for r in _rows("cambodia_districts.csv")]
    communes = [
        _place(r, district_id=r["district_code"], province_id=r["province_code"])
        for r in _rows("cambodia_communes.csv")
    ]
    villages = [
        # One village has no Latin name upstream; fall back to its Khmer name rather than nothing.
        {
            "code": r["code"],
            "commune_id": r["commune_code"],
            "district_id": r["district_code"],
            "province_id": r["province_code"],
            "name_en": r["name_latin"] or r["name_km"],
            "name_km": r["name_km"],
        }
        for r in _rows("cambodia_villages.csv")
    ]
    return {
        "provinces": _sync(Province, provinces),
        "districts": _sync(District, districts),
        "communes": _sync(Commune, communes),
        "villages": _sync(Village, villages),
    }
