"""Distances on the map, rounded the way colbot keeps places: never finer than about 1 km."""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0
KEPT_DECIMALS = 2


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points, good enough for a city."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def coarse(latitude: float, longitude: float) -> tuple[float, float]:
    """Rounds a position to about a kilometre, the most colbot ever keeps."""
    return round(latitude, KEPT_DECIMALS), round(longitude, KEPT_DECIMALS)
