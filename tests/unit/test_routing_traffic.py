"""A depot's traffic profile and routing settings: the factor in force at a time, trips
crossing period boundaries, FIFO travel, the slowest traffic of an interval, the defaults and
what a routing document may not say."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.routing.model import DAY
from app.domain.routing.traffic import RoutingSettings, TrafficPeriod, TrafficProfile

H = 3600
RUSH = {
    "traffic": [
        {"start": "07:00", "end": "09:30", "speed_factor": "0.6"},
        {"start": "17:00", "end": "19:00", "speed_factor": "0.5"},
    ]
}


def rush() -> TrafficProfile:
    return TrafficProfile.from_document(RUSH)


# --- The factor in force -------------------------------------------------------------------


def test_the_document_gives_periods_in_seconds_from_midnight() -> None:
    assert rush().periods == (
        TrafficPeriod(7 * H, 9 * H + 1800, 0.6),
        TrafficPeriod(17 * H, 19 * H, 0.5),
    )


@pytest.mark.parametrize(
    ("t", "factor"),
    [
        (0, 1.0),
        (7 * H - 1, 1.0),
        (7 * H, 0.6),  # a period includes its start
        (9 * H + 1799, 0.6),
        (9 * H + 1800, 1.0),  # and excludes its end
        (18 * H, 0.5),
        (DAY - 1, 1.0),
        (DAY + 8 * H, 0.6),  # the profile repeats every day
        (3 * DAY + 18 * H, 0.5),
    ],
)
def test_the_factor_at_a_time(t: int, factor: float) -> None:
    assert rush().factor_at(t) == factor


def test_without_traffic_the_factor_is_one_all_day() -> None:
    profile = TrafficProfile.from_document({})
    assert profile.periods == ()
    assert {profile.factor_at(t) for t in range(0, DAY, 900)} == {1.0}
    assert profile.travel_time(1234, 8 * H) == 1234


def test_a_period_may_run_over_midnight() -> None:
    profile = TrafficProfile.from_document(
        {"traffic": [{"start": "22:00", "end": "02:00", "speed_factor": 1.2}]}
    )
    assert profile.periods == (TrafficPeriod(0, 2 * H, 1.2), TrafficPeriod(22 * H, DAY, 1.2))
    assert [profile.factor_at(t * H) for t in (21, 22, 23, 0, 1, 2)] == [1, 1.2, 1.2, 1.2, 1.2, 1]


def test_a_period_may_end_at_24_00() -> None:
    profile = TrafficProfile.from_document(
        {"traffic": [{"start": "20:00", "end": "24:00", "speed_factor": "0.9"}]}
    )
    assert profile.periods == (TrafficPeriod(20 * H, DAY, 0.9),)
    assert (profile.factor_at(DAY - 1), profile.factor_at(DAY)) == (0.9, 1.0)


# --- Travel time ---------------------------------------------------------------------------


def test_a_trip_inside_one_period_takes_free_flow_over_the_factor() -> None:
    assert rush().travel_time(600, 11 * H) == 600
    assert rush().travel_time(600, 8 * H) == 1000  # 60 % of free-flow speed


def test_a_trip_into_rush_hour_slows_down_at_the_boundary() -> None:
    # 300 s of free flow before 07:00, the other 300 s at 0.6: 500 s.
    assert rush().travel_time(600, 7 * H - 300) == 300 + 500


def test_a_trip_out_of_rush_hour_speeds_up_at_the_boundary() -> None:
    # 30 s at 0.6 cover 18 s of free flow, the other 42 s go at free-flow speed.
    assert rush().travel_time(60, 9 * H + 1800 - 30) == 30 + 42


def test_a_trip_crosses_midnight_into_the_next_day() -> None:
    profile = TrafficProfile((TrafficPeriod(0, 3600, 0.5),))
    assert profile.travel_time(600, DAY - 300) == 300 + 600


def test_travel_time_is_rounded_up_to_whole_seconds() -> None:
    profile = TrafficProfile((TrafficPeriod(0, DAY, 0.7),))
    assert profile.travel_time(10, 0) == math.ceil(10 / 0.7) == 15
    assert profile.travel_time(7, 0) == 10  # exactly 7 / 0.7, not 10.000000000000002


def test_a_very_long_trip_skips_whole_days() -> None:
    profile = rush()
    per_day = DAY - 9000 + 5400 - 7200 + 3600  # free-flow seconds one day of it carries
    assert profile.travel_time(int(3 * per_day), 0) == 3 * DAY
    assert profile.travel_time(10**9, 0) > 10**9


def test_no_travel_takes_no_time() -> None:
    assert rush().travel_time(0, 8 * H) == 0
    with pytest.raises(ValueError):
        rush().travel_time(-1, 8 * H)


factors = st.integers(min_value=5, max_value=300).map(lambda n: n / 100)


@st.composite
def profiles(draw: st.DrawFn) -> TrafficProfile:
    bounds = draw(st.lists(st.integers(0, DAY), min_size=0, max_size=8, unique=True))
    bounds.sort()
    pairs = list(zip(bounds[::2], bounds[1::2], strict=False))
    return TrafficProfile(tuple(TrafficPeriod(a, b, draw(factors)) for a, b in pairs))


@given(
    profiles(),
    st.integers(0, 4 * DAY),
    st.integers(0, 3 * DAY),
    st.integers(0, 2 * DAY),
)
def test_leaving_later_never_arrives_earlier(
    profile: TrafficProfile, free_flow: int, depart: int, later: int
) -> None:
    first = depart + profile.travel_time(free_flow, depart)
    second = depart + later + profile.travel_time(free_flow, depart + later)
    assert first <= second


@given(profiles(), st.integers(0, 2 * DAY), st.integers(0, 2 * DAY))
def test_a_trip_is_no_faster_than_its_fastest_and_no_slower_than_its_slowest_traffic(
    profile: TrafficProfile, free_flow: int, depart: int
) -> None:
    took = profile.travel_time(free_flow, depart)
    met = profile.slowest(depart, depart + max(took, 1))
    fastest = max(p.speed_factor for p in profile.periods) if profile.periods else 1.0
    assert math.floor(free_flow / max(fastest, 1.0)) <= took <= math.ceil(free_flow / met) + 1


# --- The slowest traffic of an interval ----------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "slowest"),
    [
        (10 * H, 16 * H, 1.0),
        (6 * H, 8 * H, 0.6),
        (8 * H, 18 * H, 0.5),
        (6 * H, 7 * H, 1.0),  # ends as rush hour begins: not met
        (6 * H, 7 * H + 1, 0.6),
        (9 * H + 1800, 17 * H, 1.0),
        (20 * H, DAY + 8 * H, 0.6),  # overnight into the next morning
        (8 * H, 8 * H, 0.6),  # an instant
        (12 * H, 12 * H + DAY, 0.5),  # a whole day meets everything
    ],
)
def test_the_slowest_factor_of_an_interval(start: int, end: int, slowest: float) -> None:
    assert rush().slowest(start, end) == slowest


def test_the_duration_factor_is_one_over_the_slowest_and_never_below_one() -> None:
    assert rush().duration_factor(6 * H, 14 * H) == pytest.approx(1 / 0.6)
    assert rush().duration_factor(10 * H, 16 * H) == 1.0
    night = TrafficProfile((TrafficPeriod(0, DAY, 1.25),))
    assert night.slowest(0, H) == 1.25
    assert night.duration_factor(0, H) == 1.0


def test_an_interval_may_not_end_before_it_starts() -> None:
    with pytest.raises(ValueError):
        rush().slowest(9 * H, 8 * H)


# --- Routing settings ----------------------------------------------------------------------


@pytest.mark.parametrize("doc", [None, {}, {"road_factor": None, "traffic": None}])
def test_the_defaults(doc: dict[str, object] | None) -> None:
    settings = RoutingSettings.from_document(doc)
    assert settings == RoutingSettings(
        average_speed_kmh=35.0,
        road_factor=1.3,
        service_s=300,
        service_per_package_s=60,
        profile=TrafficProfile(),
    )
    assert settings.service_seconds(0) == 300
    assert settings.service_seconds(4) == 540


def test_a_full_document() -> None:
    settings = RoutingSettings.from_document(
        {
            "average_speed_kmh": "28.5",
            "road_factor": "1.45",
            "service_minutes": 3,
            "service_minutes_per_package": "0.5",
            **RUSH,
            "note": "unknown keys are ignored",
        }
    )
    assert (settings.average_speed_kmh, settings.road_factor) == (28.5, 1.45)
    assert (settings.service_s, settings.service_per_package_s) == (180, 30)
    assert settings.service_seconds(3) == 270
    assert settings.profile == rush()


@pytest.mark.parametrize(
    "doc",
    [
        {"average_speed_kmh": "0"},
        {"average_speed_kmh": "fast"},
        {"average_speed_kmh": True},
        {"road_factor": "0.9"},
        {"road_factor": "NaN"},
        {"service_minutes": -1},
        {"traffic": {"start": "07:00"}},
        {"traffic": ["07:00-09:00"]},
        {"traffic": [{"start": "7:00", "end": "09:00", "speed_factor": "0.6"}]},
        {"traffic": [{"start": "07:00", "end": "24:30", "speed_factor": "0.6"}]},
        {"traffic": [{"start": "24:00", "end": "01:00", "speed_factor": "0.6"}]},
        {"traffic": [{"start": "07:00", "end": "07:00", "speed_factor": "0.6"}]},
        {"traffic": [{"start": "07:00", "end": "09:00", "speed_factor": "0"}]},
        {"traffic": [{"start": "07:00", "end": "09:00"}]},
        {
            "traffic": [
                {"start": "07:00", "end": "09:00", "speed_factor": "0.6"},
                {"start": "08:30", "end": "10:00", "speed_factor": "0.8"},
            ]
        },
    ],
)
def test_a_document_that_is_not_valid_is_refused(doc: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        RoutingSettings.from_document(doc)


def test_a_stop_has_no_negative_packages() -> None:
    with pytest.raises(ValueError):
        RoutingSettings().service_seconds(-1)
