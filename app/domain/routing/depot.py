"""A depot's settings for delivery planning: its time zone and its routing document.

``warehouses.time_zone`` is an IANA name (``Asia/Shanghai``); plan dates and every clock time
of the depot's routes, shifts, traffic periods and its customers' delivery windows are local
times there. ``warehouses.routing`` is stored as a JSON document (numbers that are decimals as
decimal text, the shape ``app.domain.routing.traffic`` reads)::

    {"average_speed_kmh": "35", "road_factor": "1.3", "service_minutes": 5,
     "service_minutes_per_package": "1",
     "traffic": [{"start": "07:00", "end": "09:30", "speed_factor": "0.6"}]}

A null document means the defaults below, with no traffic periods. Traffic periods lie within
one day (``start`` < ``end``) and do not overlap; between them traffic flows at
``average_speed_kmh``, and within one at that speed times its ``speed_factor``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIME_ZONE = "UTC"
DEFAULT_AVERAGE_SPEED_KMH = Decimal("35")
DEFAULT_ROAD_FACTOR = Decimal("1.3")
DEFAULT_SERVICE_MINUTES = 5
DEFAULT_SERVICE_MINUTES_PER_PACKAGE = Decimal("1")
MAX_TRAFFIC_PERIODS = 24
# The rule name of a traffic period that overlaps an earlier one.
NO_OVERLAP = "no_overlap"
MACHINE_ZONES = frozenset({"localtime"})


@lru_cache(maxsize=512)
def is_time_zone(name: str) -> bool:
    """Whether ``name`` is a time zone of the IANA database (the ``tzdata`` package provides
    it where the system has none). ``localtime`` is the machine's own zone, not a name."""
    if name in MACHINE_ZONES:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def overlapping_periods(spans: Sequence[tuple[int, int]]) -> list[int]:
    """The indexes of the periods (``(start, end)``, seconds from midnight) that overlap one
    starting earlier — each overlap names the later of the two. Touching periods (one ends
    when the next starts) do not overlap."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], i))
    later: list[int] = []
    reach = -1
    for index in order:
        start, end = spans[index]
        if start < reach:
            later.append(index)
        reach = max(reach, end)
    return sorted(later)
