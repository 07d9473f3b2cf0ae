"""A signed carrier webhook whose text holds a NUL is a malformed body (400), stored nowhere."""

from __future__ import annotations

from tests.integration.test_tracking import (  # noqa: F401 - fixtures
    T0,
    data,
    inbox,
    post,
    shipped,
    timeline,
    webhook,
)
from tests.support import assert_problem


async def test_a_nul_in_a_signed_webhook_is_400_and_changes_nothing(
    client,
    sessionmaker,
    shipped,  # noqa: F811 - the fixture imported above
) -> None:
    delivery = webhook("GJ0001", [("picked_up", T0, "Colle\x00cted")], event_id="whk-nul")
    problem = assert_problem(await post(client, delivery), 400, code="malformed_request")
    assert [e["rule"] for e in problem["errors"]] == ["no_nul"]
    assert await inbox(sessionmaker, "whk-nul") == []
    assert await timeline(sessionmaker, shipped["shipment"]["id"]) == []
