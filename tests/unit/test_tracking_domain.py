"""Tracking rules: a shipment's status is its latest event by event time (ties by progress),
final statuses stay, repeated events are ignored, and alerting events are reported once."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import assume, given
from hypothesis import strategies as st

from app.domain.tracking import (
    ALERTING,
    FINAL,
    PROGRESS,
    Observed,
    TrackingStatus,
    fold,
    later,
    take_events,
)

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
S = TrackingStatus


def at(status: TrackingStatus, minutes: int) -> Observed:
    return Observed(status, T0 + timedelta(minutes=minutes))


def test_every_status_has_a_progress_and_the_final_and_alerting_sets() -> None:
    assert set(PROGRESS) == set(TrackingStatus)
    assert {S.DELIVERED, S.RETURNED_TO_SENDER} == FINAL
    assert {S.DELIVERY_FAILED, S.RETURNED_TO_SENDER, S.EXCEPTION} == ALERTING


def test_later_is_by_event_time_then_progress() -> None:
    current = at(S.IN_TRANSIT, 10)
    assert later(None, at(S.LABEL_CREATED, 0))
    assert later(current, at(S.PICKED_UP, 11))  # later in time wins even if less far along
    assert not later(current, at(S.OUT_FOR_DELIVERY, 9))  # an older event arriving late
    assert later(current, at(S.OUT_FOR_DELIVERY, 10))  # same moment: further along wins
    assert not later(current, at(S.PICKED_UP, 10))
    assert not later(current, at(S.IN_TRANSIT, 10))  # the same event again


def test_final_statuses_are_never_left() -> None:
    for final in FINAL:
        current = at(final, 10)
        assert not later(current, at(S.IN_TRANSIT, 60))
        assert not later(current, at(S.EXCEPTION, 60))
    assert fold(at(S.DELIVERED, 10), [at(S.OUT_FOR_DELIVERY, 20)]) == at(S.DELIVERED, 10)


def test_a_final_event_arriving_late_still_ends_tracking() -> None:
    """The carrier delivered at 10 and scanned again at 20; the scans arrive the other way
    round: the shipment is delivered (at 10), as if they had arrived in order."""
    scanned, delivered = at(S.EXCEPTION, 20), at(S.DELIVERED, 10)
    assert fold(None, [scanned, delivered]) == delivered
    assert fold(fold(None, [scanned]), [delivered]) == delivered
    assert fold(fold(None, [delivered]), [scanned]) == delivered
    returned = at(S.RETURNED_TO_SENDER, 5)
    assert fold(delivered, [returned]) == delivered  # one final never replaces another


def test_out_of_order_arrival_folds_to_the_latest_event() -> None:
    transit, picked = at(S.IN_TRANSIT, 20), at(S.PICKED_UP, 10)
    assert fold(None, [transit, picked]) == transit
    assert fold(fold(None, [transit]), [picked]) == transit
    assert fold(None, []) is None


def test_times_in_other_offsets_compare_as_instants() -> None:
    shanghai = timezone(timedelta(hours=8))
    early = Observed(S.OUT_FOR_DELIVERY, datetime(2026, 11, 23, 15, 0, tzinfo=shanghai))
    assert fold(at(S.IN_TRANSIT, 0), [early]) == at(S.IN_TRANSIT, 0)  # 07:00 UTC < 08:00 UTC


def test_take_events_ignores_what_is_stored_and_repeats() -> None:
    stored = [at(S.LABEL_CREATED, 0), at(S.PICKED_UP, 10)]
    current = at(S.PICKED_UP, 10)
    change = take_events(
        current,
        stored,
        [at(S.PICKED_UP, 10), at(S.IN_TRANSIT, 20), at(S.IN_TRANSIT, 20), at(S.LABEL_CREATED, 0)],
    )
    assert change.new == (at(S.IN_TRANSIT, 20),)
    assert change.before == current and change.after == at(S.IN_TRANSIT, 20)
    assert change.changed and not change.delivered and change.alerts == ()

    again = take_events(change.after, [*stored, *change.new], [at(S.IN_TRANSIT, 20)])
    assert again.new == () and not again.changed


def test_an_older_event_joins_the_timeline_without_moving_the_status() -> None:
    change = take_events(at(S.IN_TRANSIT, 20), [at(S.IN_TRANSIT, 20)], [at(S.PICKED_UP, 10)])
    assert change.new == (at(S.PICKED_UP, 10),)
    assert not change.changed and change.after == at(S.IN_TRANSIT, 20)


def test_new_alerting_events_are_alerts_even_when_they_do_not_become_the_status() -> None:
    failed, final = at(S.DELIVERY_FAILED, 30), at(S.DELIVERED, 40)
    change = take_events(at(S.OUT_FOR_DELIVERY, 20), [], [final, failed, at(S.EXCEPTION, 5)])
    assert change.alerts == (at(S.EXCEPTION, 5), failed)
    assert change.after == final and change.delivered
    assert take_events(change.after, change.new, [failed]).alerts == ()


statuses = st.sampled_from(list(TrackingStatus))
events = st.lists(
    st.builds(at, statuses, st.integers(min_value=0, max_value=30)), min_size=0, max_size=12
)


@given(events, st.randoms(use_true_random=False), st.integers(min_value=0, max_value=12))
def test_arrival_order_and_batching_do_not_matter(
    observed: list[Observed], rng: random.Random, split: int
) -> None:
    """Whatever order events arrive in, and however they are batched, the status ends the
    same: the first final event by time, or else the latest event (ties by progress). (Two
    different final events for one parcel are contradictory; the first to arrive stays.)"""
    assume(len({e for e in observed if e.status in FINAL}) <= 1)
    shuffled = list(observed)
    rng.shuffle(shuffled)
    first = take_events(None, [], shuffled[:split])
    second = take_events(first.after, first.new, shuffled[split:])
    assert second.after == fold(None, observed)
    assert set(first.new) | set(second.new) == set(observed)
    assert len(first.new) + len(second.new) == len(set(observed))


@given(events)
def test_the_status_never_moves_backwards(observed: list[Observed]) -> None:
    """One event at a time: a final status stays; otherwise the status only moves to a later
    (or further along) event, or to a final one."""
    current: Observed | None = None
    for event in observed:
        following = fold(current, [event])
        assert following is not None
        if current is not None and current.status in FINAL:
            assert following == current
        elif current is not None and following.status not in FINAL:
            assert following.key() >= current.key()
        current = following


def test_equally_far_along_at_one_moment_the_alerting_status_wins_in_any_order() -> None:
    transit, exception = at(S.IN_TRANSIT, 0), at(S.EXCEPTION, 0)
    assert fold(None, [transit, exception]) == exception
    assert fold(None, [exception, transit]) == exception


def test_an_event_counts_for_the_label_only_when_of_its_carrier_shipment() -> None:
    from app.domain.tracking import same_carrier_shipment

    assert same_carrier_shipment("shp_1", "shp_1")
    assert not same_carrier_shipment("shp_2", "shp_1")
    assert not same_carrier_shipment("", "shp_1")  # a tracker of no shipment (insurance)
    assert same_carrier_shipment(None, "shp_1")  # the carrier does not say
    assert same_carrier_shipment("shp_1", None)  # a label bought before the id was kept
