"""Distances on the Earth's surface."""

from __future__ import annotations

import math

# The mean radius (IUGG: (2a + b) / 3 of WGS 84), which the haversine formula assumes the
# Earth to be a sphere of; the spherical model is off by up to about 0.5 % from the
# ellipsoid, far below what the road factor guesses.
EARTH_RADIUS_M = 6_371_008.8


def great_circle_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Metres along the great circle between two points given in degrees (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    # Rounding can push h a hair above 1 for antipodal points.
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))
