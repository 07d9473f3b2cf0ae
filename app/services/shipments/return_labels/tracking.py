"""A carrier's tracking events for a return label: the return's tracking status follows them
by event time, never backwards (the same rule as shipments'). A ``delivered`` status only
shows: the warehouse receives the return when it inspects the goods."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from app.adapters.carriers.base import TrackingEvent
from app.domain.events import ReturnTrackingUpdated
from app.domain.tracking import Observed, TrackingStatus, same_carrier_shipment, take_events
from app.repositories.base import jsonable
from app.repositories.returns import Return
from app.services.shipments.return_labels.views import audit_image, load_view
from app.services.unit_of_work import UnitOfWork


def _observed(event: TrackingEvent) -> Observed:
    return Observed(TrackingStatus(event.status), event.occurred_at.astimezone(UTC))


def _current(ret: Return) -> Observed | None:
    if ret.tracking_status is None or ret.tracking_status_at is None:
        return None
    return Observed(TrackingStatus(ret.tracking_status), ret.tracking_status_at.astimezone(UTC))


async def apply_return_events(
    uow: UnitOfWork,
    returns: Sequence[Return],
    events: Sequence[TrackingEvent],
    *,
    source: str,
    actor: str,
    now: datetime,
) -> bool:
    """Move each return's tracking status by its own events (its tracking number and carrier
    shipment); record ``return.tracking_updated`` when it changed. The caller holds the
    returns' locks and commits. Whether any event was about one of them."""
    matched = False
    for ret in returns:
        mine = [
            e
            for e in events
            if e.tracking_number == ret.tracking_number
            and same_carrier_shipment(e.carrier_shipment_id, ret.carrier_shipment_id)
        ]
        matched = matched or bool(mine)
        change = take_events(_current(ret), [], [_observed(e) for e in mine])
        if not change.changed or change.after is None:
            continue
        before = audit_image(await load_view(uow, ret))
        ret.tracking_status = change.after.status.value
        ret.tracking_status_at = change.after.at
        ret.updated_at = now
        ret.updated_by = actor
        await uow.flush()
        after = audit_image(await load_view(uow, ret))
        uow.record(
            ReturnTrackingUpdated(
                actor=actor,
                entity_id=ret.id,
                before=before,
                after=jsonable({**after, "source": source}),
                payload={
                    **after,
                    "return_id": str(ret.id),
                    "previous_status": before["tracking_status"],
                },
            )
        )
    return matched
