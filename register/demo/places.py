"""Where things are: the gazetteer read once, distances, points, and where institutions and families are."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass

from register.inputs.places import LATITUDE_RANGE, LONGITUDE_RANGE
from register.models import Commune, District, Province, Village

# MoSVY's mapping of residential care: most institutions are in these five provinces (share of them here).
INSTITUTION_PROVINCES = {"12": 0.40, "17": 0.25, "02": 0.15, "08": 0.10, "18": 0.10}
INSTITUTION_SHARE = 0.87
# Carers are spread over every province, by number of communes, with more where the institutions are.
CARER_WEIGHT_IN_INSTITUTION_PROVINCES = 3.0


@dataclass
class Gazetteer:
    """The gazetteer read once, so that no row costs a query."""

    province_point: dict[str, tuple[float, float]]
    communes_by_province: dict[str, list[tuple[str, str, float | None, float | None]]]
    district_point: dict[str, tuple[float | None, float | None]]
    villages_by_commune: dict[str, list[str]]
    commune_name: dict[str, str]
    nearby: dict[str, list[str]]

    @classmethod
    def load(cls) -> Gazetteer:
        province_point = {
            code: (clat if clat is not None else lat, clon if clon is not None else lon)
            for code, lat, lon, clat, clon in Province.objects.order_by("code").values_list(
                "code", "lat", "lon", "centroid_lat", "centroid_lon"
            )
        }
        district_point = {c: (lat, lon) for c, lat, lon in District.objects.values_list("code", "lat", "lon")}
        communes_by_province: dict[str, list] = defaultdict(list)
        commune_name = {}
        for code, district, province, lat, lon, name in Commune.objects.order_by("code").values_list(
            "code", "district_id", "province_id", "lat", "lon", "name_en"
        ):
            communes_by_province[province].append((code, district, lat, lon))
            commune_name[code] = name
        villages_by_commune: dict[str, list[str]] = defaultdict(list)
        for code, commune in Village.objects.order_by("code").values_list("code", "commune_id"):
            villages_by_commune[commune].append(code)
        nearby = {
            code: sorted((p for p in province_point if p != code), key=lambda p: km(province_point[p], point))[:4]
            for code, point in province_point.items()
        }
        return cls(
            province_point, dict(communes_by_province), district_point, villages_by_commune, commune_name, nearby
        )

    def point(self, commune, rng: random.Random) -> tuple[float, float]:
        """A point near the commune's centre (or its district's, or its province's), inside Cambodia."""
        code, district, lat, lon = commune
        if lat is None or lon is None:
            lat, lon = self.district_point.get(district, (None, None))
        if lat is None or lon is None:
            lat, lon = self.province_point[code[:2]]
        # Kept inside the bounds the register accepts (register.inputs.places).
        lat = min(max(lat + rng.uniform(-0.02, 0.02), LATITUDE_RANGE[0] + 0.01), LATITUDE_RANGE[1] - 0.01)
        lon = min(max(lon + rng.uniform(-0.02, 0.02), LONGITUDE_RANGE[0] + 0.01), LONGITUDE_RANGE[1] - 0.01)
        return round(lat, 6), round(lon, 6)


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = a, b
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6371 * math.hypot(x, math.radians(lat2 - lat1))
