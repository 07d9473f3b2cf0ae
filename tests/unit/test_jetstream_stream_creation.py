"""Creating a JetStream stream survives the server's store-folder race (10049) once, and
nothing else is retried."""

from __future__ import annotations

from typing import Any

import pytest
from nats.js.errors import ServerError

from app.adapters.eventbus.jetstream import STORE_CREATION_FAILED, NatsEventBus


class FakeJetStream:
    def __init__(self, *failures: int) -> None:
        self.failures = list(failures)
        self.calls: list[dict[str, Any]] = []

    async def add_stream(self, **config: Any) -> None:
        self.calls.append(config)
        if self.failures:
            raise ServerError(code=500, err_code=self.failures.pop(0))


async def test_a_store_creation_race_is_tried_once_more() -> None:
    js = FakeJetStream(STORE_CREATION_FAILED)
    await NatsEventBus._add_stream(js, "LT", ["lt.>"])  # type: ignore[arg-type]
    assert js.calls == [{"name": "LT", "subjects": ["lt.>"]}] * 2


async def test_other_server_errors_are_not_retried() -> None:
    js = FakeJetStream(10058)
    with pytest.raises(ServerError):
        await NatsEventBus._add_stream(js, "LT", ["lt.>"])  # type: ignore[arg-type]
    assert len(js.calls) == 1


async def test_the_race_twice_is_an_error() -> None:
    js = FakeJetStream(STORE_CREATION_FAILED, STORE_CREATION_FAILED)
    with pytest.raises(ServerError):
        await NatsEventBus._add_stream(js, "LT", ["lt.>"])  # type: ignore[arg-type]
