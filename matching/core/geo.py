"""Great-circle distances, vectorised."""

import numpy as np

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Distance in km from one point to many; NaN where either point is unknown."""
    lat2 = np.radians(lats)
    return haversine_rad_km(lat, lon, lat2, np.radians(lons), np.cos(lat2))


def haversine_rad_km(lat: float, lon: float, lat2: np.ndarray, lon2: np.ndarray, cos_lat2: np.ndarray) -> np.ndarray:
    """`haversine_km` to points given in radians with their latitudes' cosines (computed once for many
    calls, e.g. cached with the families' arrays); the same operations, so the same results."""
    lat1, lon1 = np.radians(lat), np.radians(lon)
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * cos_lat2 * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
