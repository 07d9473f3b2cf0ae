"""Travel matrices: OSRM's table service against httpx.MockTransport (the request, the
assembled matrix, unreachable pairs, every kind of failure, block-by-block tables beyond
max_table_size), the great-circle estimate, and the factory choosing between them."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from app.adapters.routing.matrix import (
    UNREACHABLE,
    GreatCircleMatrix,
    RoutingUnavailable,
    travel_matrix_provider,
)
from app.adapters.routing.osrm import OsrmMatrix
from app.domain.routing.geo import EARTH_RADIUS_M, great_circle_m

Handler = Callable[[httpx.Request], Any]

# The three Berlin points of the table service's example request, as (latitude, longitude).
BERLIN = [(52.517037, 13.388860), (52.529407, 13.397634), (52.523219, 13.428555)]
# Its example response, from the OSRM HTTP API documentation (table service, "Example
# Response": http://project-osrm.org/docs/v5.24.0/api/#table-service, the same text as
# docs/http.md of Project-OSRM/osrm-backend); hints shortened.
WAYPOINTS = [
    {"location": [13.3888, 52.517033], "hint": "PAMAgEVJAoAUAAAAIAAA", "name": "Friedrichstraße"},
    {"location": [13.397631, 52.529432], "hint": "WIQBgL6mAoAEAAAABgAA", "name": "Torstraße"},
    {
        "location": [13.428554, 52.523239],
        "hint": "7UcAgP___38fAAAAUQAA",
        "name": "Platz der Vereinten Nationen",
    },
]
OSRM_TABLE = {
    "sources": WAYPOINTS,
    "durations": [[0, 192.6, 382.8], [199, 0, 283.9], [344.7, 222.3, 0]],
    "destinations": WAYPOINTS,
    "code": "Ok",
    "distances": [[0, 1886.89, 3791.3], [1824, 0, 2838.09], [3275.36, 2361.73, 0]],
    "fallback_speed_cells": [[0, 1], [1, 0]],
}


def osrm(handler: Handler, base_url: str = "http://osrm.test", **kwargs: Any) -> OsrmMatrix:
    return OsrmMatrix(httpx.AsyncClient(transport=httpx.MockTransport(handler)), base_url, **kwargs)


def answer(body: Any, status: int = 200) -> Handler:
    return lambda request: httpx.Response(status, json=body)


def raises(exc: Exception) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


# --- OSRM: the request and the matrix ------------------------------------------------------


async def test_one_table_request_in_longitude_latitude_order() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=OSRM_TABLE)

    matrix = await osrm(handler).matrix(BERLIN)

    [request] = seen
    assert request.method == "GET"
    assert request.url.host == "osrm.test"
    assert request.url.raw_path.decode() == (
        "/table/v1/driving/13.388860,52.517037;13.397634,52.529407;13.428555,52.523219"
        "?annotations=duration,distance"
    )
    assert dict(request.url.params) == {"annotations": "duration,distance"}
    # Metres rounded to the nearest, seconds rounded up.
    assert matrix.distance == [[0, 1887, 3791], [1824, 0, 2838], [3275, 2362, 0]]
    assert matrix.duration == [[0, 193, 383], [199, 0, 284], [345, 223, 0]]


async def test_the_base_url_may_have_a_path_and_a_trailing_slash() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=OSRM_TABLE)

    await osrm(handler, "https://maps.example.cn/osrm/").matrix(BERLIN)
    assert str(seen[0].url).startswith("https://maps.example.cn/osrm/table/v1/driving/13.3888")


async def test_no_route_is_unreachable_both_ways_of_measuring() -> None:
    body = {
        "code": "Ok",
        "durations": [[0, None, 60.2], [None, 0, 30], [55, 31.5, 0]],
        "distances": [[0, None, 800.4], [None, 0, 400], [790, None, 0]],
    }
    matrix = await osrm(answer(body)).matrix(BERLIN)
    assert matrix.duration == [[0, UNREACHABLE, 61], [UNREACHABLE, 0, 30], [55, UNREACHABLE, 0]]
    assert matrix.distance == [[0, UNREACHABLE, 800], [UNREACHABLE, 0, 400], [790, UNREACHABLE, 0]]


async def test_the_diagonal_is_zero_whatever_osrm_says() -> None:
    body = {**OSRM_TABLE, "durations": [[1.5, 1, 1], [1, 2, 1], [1, 1, None]]}
    matrix = await osrm(answer(body)).matrix(BERLIN)
    assert [matrix.duration[i][i] for i in range(3)] == [0, 0, 0]
    assert [matrix.distance[i][i] for i in range(3)] == [0, 0, 0]


@pytest.mark.parametrize("points", [[], [(31.2304, 121.4737)]])
async def test_no_request_for_fewer_than_two_points(points: list[tuple[float, float]]) -> None:
    matrix = await osrm(raises(AssertionError("no request expected"))).matrix(points)
    assert matrix.distance == matrix.duration == [[0] * len(points) for _ in points]


@pytest.mark.parametrize("point", [(91.0, 0.0), (0.0, -180.5), (math.nan, 1.0)])
async def test_a_point_that_is_not_a_coordinate_is_refused(point: tuple[float, float]) -> None:
    with pytest.raises(ValueError):
        await osrm(answer(OSRM_TABLE)).matrix([BERLIN[0], point])


# --- OSRM: failures ------------------------------------------------------------------------


async def sleeps(request: httpx.Request) -> httpx.Response:
    await asyncio.sleep(5)
    return httpx.Response(200, json=OSRM_TABLE)


@pytest.mark.parametrize(
    ("handler", "status", "code"),
    [
        (raises(httpx.ReadTimeout("slow")), None, None),
        (raises(httpx.ConnectError("refused")), None, None),
        (lambda r: httpx.Response(502, text="Bad Gateway"), 502, None),
        (lambda r: httpx.Response(503), 503, None),
        (
            answer(
                {"code": "InvalidQuery", "message": "Query string malformed close to position 28"},
                400,
            ),
            400,
            "InvalidQuery",
        ),
        (answer({"code": "TooBig", "message": "Too many table coordinates"}, 400), 400, "TooBig"),
        (answer({"code": "NoTable", "message": "No table found"}), 200, "NoTable"),
        (lambda r: httpx.Response(200, content=b'{"code": "Ok", "durations": [['), 200, None),
        (answer([[0, 1], [1, 0]]), 200, None),
        (answer({"durations": OSRM_TABLE["durations"]}), 200, None),
        (answer({"code": "Ok", "durations": OSRM_TABLE["durations"]}), 200, None),
        (answer({**OSRM_TABLE, "distances": [[0, 1, 2], [1, 0, 2]]}), 200, None),
        (answer({**OSRM_TABLE, "distances": [[0, 1, 2], [1, 0], [2, 1, 0]]}), 200, None),
        (answer({**OSRM_TABLE, "durations": [[0, "192.6", 1], [1, 0, 1], [1, 1, 0]]}), 200, None),
        (answer({**OSRM_TABLE, "durations": [[0, -1, 1], [1, 0, 1], [1, 1, 0]]}), 200, None),
        (answer({**OSRM_TABLE, "durations": [[0, True, 1], [1, 0, 1], [1, 1, 0]]}), 200, None),
        (answer({**OSRM_TABLE, "durations": "none"}), 200, None),
    ],
)
async def test_failures_are_routing_unavailable_with_the_upstream_status(
    handler: Handler, status: int | None, code: str | None
) -> None:
    with pytest.raises(RoutingUnavailable) as failed:
        await osrm(handler).matrix(BERLIN)
    assert (failed.value.status, failed.value.code) == (status, code)


async def test_the_error_message_carries_osrms_code_and_message() -> None:
    body = {"code": "InvalidQuery", "message": "Query string malformed close to position 28"}
    with pytest.raises(RoutingUnavailable, match="400: InvalidQuery: Query string malformed"):
        await osrm(answer(body, 400)).matrix(BERLIN)
    with pytest.raises(RoutingUnavailable, match="502: Bad Gateway"):
        await osrm(lambda r: httpx.Response(502, text="Bad Gateway")).matrix(BERLIN)


async def test_a_request_slower_than_the_timeout_is_unavailable() -> None:
    with pytest.raises(RoutingUnavailable) as failed:
        await osrm(sleeps, timeout_seconds=0.01).matrix(BERLIN)
    assert failed.value.status is None


# --- OSRM: beyond max_table_size, block by block ------------------------------------------


def truth(i: int, j: int) -> tuple[float, float]:
    """A made-up, asymmetric (seconds, metres) from point i to point j."""
    return (0.0, 0.0) if i == j else (100 * i + j + 0.3, 1000 * i + 10 * j + 0.4)


def fake_osrm(
    points: list[tuple[float, float]], max_table_size: int, seen: list[httpx.Request]
) -> Handler:
    """Answers tables of ``truth`` like osrm-routed with that --max-table-size: sources and
    destinations index the request's coordinates, and more cells than its square are TooBig."""
    index = {f"{lon:.6f},{lat:.6f}": n for n, (lat, lon) in enumerate(points)}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        coordinates = [index[c] for c in request.url.path.rsplit("/", 1)[1].split(";")]
        params = request.url.params
        sources = [int(k) for k in params["sources"].split(";")] if "sources" in params else None
        targets = params.get("destinations")
        destinations = [int(k) for k in targets.split(";")] if targets else None
        rows = [coordinates[k] for k in sources] if sources else coordinates
        columns = [coordinates[k] for k in destinations] if destinations else coordinates
        if len(rows) * len(columns) > max_table_size**2:
            return httpx.Response(400, json={"code": "TooBig", "message": "Too many"})
        return httpx.Response(
            200,
            json={
                "code": "Ok",
                "durations": [[truth(i, j)[0] for j in columns] for i in rows],
                "distances": [[truth(i, j)[1] for j in columns] for i in rows],
            },
        )

    return handler


@pytest.mark.parametrize("size", [3, 4, 5])
async def test_more_points_than_max_table_size_are_asked_block_by_block(size: int) -> None:
    points = [(31.0 + n / 100, 121.0 + n / 100) for n in range(size)]
    seen: list[httpx.Request] = []
    matrix = await osrm(fake_osrm(points, 2, seen), max_table_size=2).matrix(points)

    assert matrix.duration == [
        [math.ceil(truth(i, j)[0]) for j in range(size)] for i in range(size)
    ]
    assert matrix.distance == [[round(truth(i, j)[1]) for j in range(size)] for i in range(size)]
    blocks = math.ceil(size / 2)
    assert len(seen) == blocks**2
    for request in seen:
        assert request.method == "GET"
        assert request.url.params["annotations"] == "duration,distance"
        assert "sources" in request.url.params and "destinations" in request.url.params
        assert len(request.url.params["sources"].split(";")) <= 2
        assert len(request.url.params["destinations"].split(";")) <= 2


async def test_two_blocks_are_asked_as_sources_then_destinations() -> None:
    points = [(31.0 + n / 100, 121.0 + n / 100) for n in range(3)]
    seen: list[httpx.Request] = []
    await osrm(fake_osrm(points, 2, seen), max_table_size=2).matrix(points)
    queries = [request.url.raw_path.decode().split("/table/v1/driving/")[1] for request in seen]
    assert queries == [
        "121.000000,31.000000;121.010000,31.010000"
        "?annotations=duration,distance&sources=0;1&destinations=0;1",
        "121.000000,31.000000;121.010000,31.010000;121.020000,31.020000"
        "?annotations=duration,distance&sources=0;1&destinations=2",
        "121.020000,31.020000;121.000000,31.000000;121.010000,31.010000"
        "?annotations=duration,distance&sources=0&destinations=1;2",
        "121.020000,31.020000?annotations=duration,distance&sources=0&destinations=0",
    ]


async def test_up_to_max_table_size_points_are_one_request_without_sources() -> None:
    points = [(31.0 + n / 100, 121.0 + n / 100) for n in range(4)]
    seen: list[httpx.Request] = []
    await osrm(fake_osrm(points, 4, seen), max_table_size=4).matrix(points)
    assert len(seen) == 1
    assert "sources" not in seen[0].url.params


def test_max_table_size_is_at_least_one() -> None:
    with pytest.raises(ValueError):
        osrm(answer(OSRM_TABLE), max_table_size=0)


# --- Great circle --------------------------------------------------------------------------


def test_one_degree_along_a_meridian_is_the_radius_times_its_radians() -> None:
    assert great_circle_m(30.0, 121.0, 31.0, 121.0) == pytest.approx(
        EARTH_RADIUS_M * math.pi / 180, abs=1e-6
    )
    assert great_circle_m(0, 0, 0, 180) == pytest.approx(math.pi * EARTH_RADIUS_M)
    assert great_circle_m(0, 0, -90, 0) == pytest.approx(math.pi / 2 * EARTH_RADIUS_M)


def test_paris_to_london_is_about_343_5_km() -> None:
    # The distance commonly published for these two city centres on a sphere of radius
    # 6371 km is 343.5-343.6 km; 1 km of tolerance covers that rounding and the choice of
    # centre coordinates (a swapped latitude/longitude or degrees taken as radians is off by
    # hundreds of km).
    paris, london = (48.8566, 2.3522), (51.5074, -0.1278)
    assert great_circle_m(*paris, *london) == pytest.approx(343_500, abs=1000)


async def test_the_road_factor_and_the_speed_are_applied() -> None:
    # 1° of latitude: 111,195.08 m × 1.3 = 144,553.6 → 144,554 m; at 36 km/h (10 m/s), 14,455.4
    # → 14,456 s.
    matrix = await GreatCircleMatrix(road_factor=1.3, speed_kmh=36).matrix(
        [(30.0, 121.0), (31.0, 121.0)]
    )
    assert matrix.distance == [[0, 144_554], [144_554, 0]]
    assert matrix.duration == [[0, 14_456], [14_456, 0]]


async def test_durations_are_exact_for_decimal_speeds() -> None:
    # 525 m at 35 km/h is 54 s exactly; 525 / (35 / 3.6) in floats is 54.00000000000001.
    along_the_equator = 525 / (EARTH_RADIUS_M * math.pi / 180)
    matrix = await GreatCircleMatrix(road_factor=1.0, speed_kmh=35).matrix(
        [(0.0, 0.0), (0.0, along_the_equator)]
    )
    assert matrix.distance[0][1] == 525
    assert matrix.duration[0][1] == 54


async def test_the_same_place_twice_is_no_travel() -> None:
    matrix = await GreatCircleMatrix(1.3, 35).matrix([(31.2, 121.4), (31.2, 121.4)])
    assert matrix.distance == matrix.duration == [[0, 0], [0, 0]]


async def test_the_great_circle_matrix_is_symmetric_with_a_zero_diagonal() -> None:
    shanghai = [(31.2304, 121.4737), (31.1979, 121.3363), (31.2397, 121.4998), (31.0, 121.2)]
    matrix = await GreatCircleMatrix(road_factor=1.3, speed_kmh=35).matrix(shanghai)
    n = len(shanghai)
    assert all(matrix.distance[i][i] == matrix.duration[i][i] == 0 for i in range(n))
    assert all(
        matrix.distance[i][j] == matrix.distance[j][i] > 0
        and matrix.duration[i][j] == matrix.duration[j][i] > 0
        for i in range(n)
        for j in range(n)
        if i != j
    )


@pytest.mark.parametrize(("road_factor", "speed"), [(0.9, 35.0), (1.3, 0.0), (math.inf, 35.0)])
def test_the_great_circle_needs_a_road_factor_of_at_least_one_and_a_speed(
    road_factor: float, speed: float
) -> None:
    with pytest.raises(ValueError):
        GreatCircleMatrix(road_factor=road_factor, speed_kmh=speed)


# --- The factory ---------------------------------------------------------------------------


def test_without_an_osrm_url_the_estimate_is_used() -> None:
    for url in (None, ""):
        provider = travel_matrix_provider(url, None, road_factor=1.4, speed_kmh=30)
        assert isinstance(provider, GreatCircleMatrix)
        assert (provider.road_factor, provider.speed_kmh) == (1.4, 30)


def test_with_an_osrm_url_osrm_is_used_through_the_given_client() -> None:
    client = httpx.AsyncClient()
    provider = travel_matrix_provider(
        "http://osrm:5000/", client, road_factor=1.3, speed_kmh=35, timeout_seconds=7
    )
    assert isinstance(provider, OsrmMatrix)
    assert (provider.client, provider.base_url, provider.timeout_seconds) == (
        client,
        "http://osrm:5000",
        7,
    )


def test_an_osrm_url_without_a_client_is_a_wiring_mistake() -> None:
    with pytest.raises(ValueError):
        travel_matrix_provider("http://osrm:5000", None, road_factor=1.3, speed_kmh=35)
