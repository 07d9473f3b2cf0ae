"""OSRM's table service as the travel matrix (HTTP API v5,
http://project-osrm.org/docs/v5.24.0/api/#table-service).

One request per block of the matrix::

    GET {base}/table/v1/driving/{lon},{lat};{lon},{lat};...?annotations=duration,distance
        [&sources=0;1&destinations=2;3]

(OSRM wants longitude first). It answers ``{"code": "Ok", "durations": [[...]],
"distances": [[...]], "sources": [...], "destinations": [...]}``: seconds and metres as
floats, row ``i`` from the i-th source to each destination, ``null`` where no route was
found (:data:`~app.adapters.routing.matrix.UNREACHABLE` here). An error is ``{"code":
"InvalidQuery", "message": "..."}``, usually with HTTP 400.

OSRM refuses a table of more than ``--max-table-size`` (default 100) squared cells
(``TooBig``), so more than ``max_table_size`` points are asked for block by block: each pair
of blocks of at most that many points is one request over the coordinates of both blocks,
the first as ``sources``, the second as ``destinations``.

Computing ``distances`` needs an OSRM built with CH, or a release whose MLD does them
(older MLD routers answer ``NotImplemented``)."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from typing import Any

import httpx

from app.adapters.routing.matrix import UNREACHABLE, RoutingUnavailable, checked_points
from app.domain.routing.model import Matrix

DEFAULT_MAX_TABLE_SIZE = 100  # osrm-routed --max-table-size
RAW_ERROR_CHARS = 500  # of an error answer that is not OSRM's error JSON

Table = list[list[float | None]]


class OsrmMatrix:
    """:class:`~app.adapters.routing.matrix.TravelMatrixProvider` over an OSRM server at
    ``base_url`` (e.g. ``http://osrm:5000``), through the caller's ``client``.
    ``timeout_seconds`` bounds each request (None: the client's own timeouts)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        *,
        profile: str = "driving",
        max_table_size: int = DEFAULT_MAX_TABLE_SIZE,
        timeout_seconds: float | None = None,
    ) -> None:
        if max_table_size < 1:
            raise ValueError("max_table_size is at least 1")
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.profile = profile
        self.max_table_size = max_table_size
        self.timeout_seconds = timeout_seconds

    async def matrix(self, points: Sequence[tuple[float, float]]) -> Matrix:
        located = checked_points(points)
        size = len(located)
        distance = [[0] * size for _ in range(size)]
        duration = [[0] * size for _ in range(size)]
        if size > 1:
            for rows, columns in self._blocks(size):
                await self._fill(located, rows, columns, distance, duration)
        return Matrix(distance=distance, duration=duration)

    def _blocks(self, size: int) -> list[tuple[range, range | None]]:
        """``(rows, columns)`` of each request; ``columns`` None: one table of ``rows``."""
        if size <= self.max_table_size:
            return [(range(size), None)]
        step = self.max_table_size
        blocks = [range(s, min(s + step, size)) for s in range(0, size, step)]
        return [(rows, columns) for rows in blocks for columns in blocks]

    async def _fill(
        self,
        located: list[tuple[float, float]],
        rows: range,
        columns: range | None,
        distance: list[list[int]],
        duration: list[list[int]],
    ) -> None:
        """Asks for the block from ``rows`` to ``columns`` (None: the whole table of
        ``rows``) and writes it into ``distance`` and ``duration``."""
        query: dict[str, str] = {}
        if columns is None:
            columns, asked = rows, list(rows)
        else:
            same = rows == columns
            asked = list(rows) if same else [*rows, *columns]
            first = 0 if same else len(rows)
            query["sources"] = _indices(range(len(rows)))
            query["destinations"] = _indices(range(first, first + len(columns)))
        shape = (len(rows), len(columns))
        durations, distances = await self._table([located[k] for k in asked], query, shape)
        for a, i in enumerate(rows):
            for b, j in enumerate(columns):
                seconds, metres = durations[a][b], distances[a][b]
                if i == j:
                    continue  # the diagonal stays 0
                if seconds is None or metres is None:
                    duration[i][j] = distance[i][j] = UNREACHABLE
                else:
                    duration[i][j] = min(UNREACHABLE, math.ceil(seconds))
                    distance[i][j] = min(UNREACHABLE, math.floor(metres + 0.5))

    async def _table(
        self, located: list[tuple[float, float]], query: dict[str, str], shape: tuple[int, int]
    ) -> tuple[Table, Table]:
        """The durations and distances of one request, each ``shape`` rows × columns."""
        coordinates = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in located)
        # Built by hand: OSRM's ',' and ';' stay readable instead of percent-encoded.
        params = "&".join(
            f"{k}={v}" for k, v in {"annotations": "duration,distance", **query}.items()
        )
        url = f"{self.base_url}/table/v1/{self.profile}/{coordinates}?{params}"
        try:
            async with asyncio.timeout(self.timeout_seconds):  # None: no deadline of its own
                response = await self.client.get(url)
        except (httpx.HTTPError, TimeoutError) as exc:
            raise RoutingUnavailable(f"OSRM table failed: {type(exc).__name__}: {exc}") from exc
        status = response.status_code
        body = _json(response)
        code = body.get("code") if isinstance(body, dict) else None
        if not 200 <= status < 300 or (code is not None and code != "Ok"):
            raise _refusal(response, body)
        if not isinstance(body, dict) or code != "Ok":
            raise RoutingUnavailable("OSRM's answer is not a table", status=status)
        return (
            _table_of(body, "durations", shape, status),
            _table_of(body, "distances", shape, status),
        )


def _indices(indices: range) -> str:
    return ";".join(map(str, indices))


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:  # also UnicodeDecodeError
        return None


def _refusal(response: httpx.Response, body: Any) -> RoutingUnavailable:
    code = body.get("code") if isinstance(body, dict) else None
    message = body.get("message") if isinstance(body, dict) else None
    if isinstance(code, str) and code:
        detail = f"{code}: {message}" if isinstance(message, str) and message else code
    else:
        code, detail = None, response.text[:RAW_ERROR_CHARS] or response.reason_phrase
    return RoutingUnavailable(
        f"OSRM answered {response.status_code}: {detail}", status=response.status_code, code=code
    )


def _table_of(body: dict[str, Any], key: str, shape: tuple[int, int], status: int) -> Table:
    """``body[key]`` once it is a table of ``shape`` holding metres or seconds, or nulls."""
    rows = body.get(key)
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise RoutingUnavailable(f"OSRM's answer has no {key} table", status=status)
    if len(rows) != shape[0] or any(len(row) != shape[1] for row in rows):
        raise RoutingUnavailable(f"OSRM's {key} are not {shape[0]} × {shape[1]}", status=status)
    for row in rows:
        for value in row:
            if value is None:
                continue
            number = not isinstance(value, bool) and isinstance(value, int | float)
            if not (number and math.isfinite(value) and value >= 0):
                raise RoutingUnavailable(f"OSRM's {key} hold {value!r}", status=status)
    return rows
