"""NATS JetStream (nats-py): publish with ``Nats-Msg-Id``, wait for the PubAck.

JetStream drops a message whose ``Nats-Msg-Id`` it already has within the stream's duplicate
window (https://docs.nats.io/using-nats/developer/develop_jetstream/model_deep_dive#message-deduplication),
so publishing an event again after a crash stores it once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence

import nats
from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError, ServerError

from app.adapters.eventbus.base import EventBusError

log = logging.getLogger(__name__)
# JetStream's "error creating store for stream".
STORE_CREATION_FAILED = 10049


async def _log_error(exc: Exception) -> None:
    log.warning("nats.error", extra={"error": f"{type(exc).__name__}: {exc}"})


class NatsEventBus:
    """One connection, opened on first use; a failed call closes it, so the next one
    connects afresh (the caller retries)."""

    def __init__(self, url: str, *, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self._client: Client | None = None
        self._js: JetStreamContext | None = None

    async def _jetstream(self) -> JetStreamContext:
        if self._js is not None and self._client is not None and self._client.is_connected:
            return self._js
        await self.close()
        try:
            # nats-py retries a refused first connection unless the server is dropped after
            # one retry (max_reconnect_attempts=0 would mean "forever"); the deadline bounds
            # it all.
            async with asyncio.timeout(self.timeout * 2):
                self._client = await nats.connect(
                    self.url,
                    connect_timeout=self.timeout,
                    allow_reconnect=False,
                    max_reconnect_attempts=1,
                    reconnect_time_wait=0.1,
                    error_cb=_log_error,
                )
        except (TimeoutError, NatsError, OSError) as exc:
            raise EventBusError(f"NATS at {self.url} is unreachable: {exc}") from exc
        self._js = self._client.jetstream(timeout=self.timeout)
        return self._js

    async def ensure_stream(self, name: str, subjects: Sequence[str]) -> None:
        js = await self._jetstream()
        try:
            try:
                await js.stream_info(name)
            except NotFoundError:
                await self._add_stream(js, name, subjects)
                log.info("nats.stream_created", extra={"stream": name, "subjects": subjects})
        except (TimeoutError, NatsError) as exc:
            await self.close()
            raise EventBusError(f"JetStream stream {name}: {exc}") from exc

    @staticmethod
    async def _add_stream(js: JetStreamContext, name: str, subjects: Sequence[str]) -> None:
        """Create the stream, once more if the server failed to create its store: it removes
        an account's store folder when its last stream goes, and a creation racing that
        removal fails with 10049 ("could not create storage directory") although a second
        attempt succeeds."""
        try:
            await js.add_stream(name=name, subjects=list(subjects))
        except ServerError as exc:
            if exc.err_code != STORE_CREATION_FAILED:
                raise
            await asyncio.sleep(0.1)
            await js.add_stream(name=name, subjects=list(subjects))

    async def publish(
        self, subject: str, body: bytes, *, msg_id: str, headers: Mapping[str, str]
    ) -> bool:
        js = await self._jetstream()
        try:
            ack = await js.publish(
                subject, body, timeout=self.timeout, headers={**headers, "Nats-Msg-Id": msg_id}
            )
        except (TimeoutError, NatsError) as exc:
            await self.close()
            raise EventBusError(f"publishing {subject}: {type(exc).__name__}: {exc}") from exc
        return not ack.duplicate

    async def close(self) -> None:
        client, self._client, self._js = self._client, None, None
        if client is not None and not client.is_closed:
            try:
                await client.close()
            except (TimeoutError, NatsError, OSError):
                log.warning("nats.close_failed")
