"""A TCP relay in front of PostgreSQL that counts what one order costs on the wire.

The in-process capture points its engine at the relay. The relay reads the client's side of the
PostgreSQL protocol (startup, then typed messages) and counts:

- round trips: each time the client speaks after the server did (a batch the client sends
  without waiting, such as asyncpg's Bind/Execute/Sync, is one);
- messages by type: ``Q`` simple queries (asyncpg sends BEGIN, COMMIT and ROLLBACK that way),
  ``P`` Parse (a statement prepared: a miss of the driver's statement cache), ``E`` Execute;
- transactions: simple queries starting with BEGIN, and how they ended.
"""

from __future__ import annotations

import asyncio
import struct
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class WireCount:
    round_trips: int = 0
    messages: Counter[str] = field(default_factory=Counter)
    simple: Counter[str] = field(default_factory=Counter)

    def reset(self) -> None:
        self.round_trips = 0
        self.messages.clear()
        self.simple.clear()

    def report(self) -> dict[str, object]:
        return {
            "round_trips": self.round_trips,
            "executes": self.messages["E"],
            "parses": self.messages["P"],
            "simple_queries": dict(self.simple),
            "transactions": self.simple["BEGIN"],
            "commits": self.simple["COMMIT"],
            "rollbacks": self.simple["ROLLBACK"],
        }


class _ClientStream:
    """Splits the client's bytes into protocol messages."""

    def __init__(self, count: WireCount) -> None:
        self.count = count
        self.buf = bytearray()
        self.started = False

    def feed(self, data: bytes) -> None:
        self.buf += data
        while True:
            if not self.started:  # untyped: SSLRequest / GSSENCRequest / StartupMessage
                if len(self.buf) < 8:
                    return
                length, code = struct.unpack("!II", self.buf[:8])
                if len(self.buf) < length:
                    return
                del self.buf[:length]
                self.started = code not in (80877103, 80877104)
                continue
            if len(self.buf) < 5:
                return
            kind = chr(self.buf[0])
            (length,) = struct.unpack("!I", self.buf[1:5])
            if len(self.buf) < 1 + length:
                return
            body = bytes(self.buf[5 : 1 + length])
            del self.buf[: 1 + length]
            self.count.messages[kind] += 1
            if kind == "Q":
                words = body.rstrip(b"\0").decode(errors="replace").strip().split()
                self.count.simple[(words[0].rstrip(";") if words else "").upper()] += 1


class Relay:
    """``async with Relay(port) as relay:`` listens on ``relay.port`` and forwards to PostgreSQL."""

    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.count = WireCount()
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> Relay:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        stream = _ClientStream(self.count)
        last = ["server"]

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter, side: str) -> None:
            try:
                while data := await src.read(65536):
                    if side == "client":
                        if last[0] == "server":
                            self.count.round_trips += 1
                        stream.feed(data)
                    last[0] = side
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                dst.close()

        tasks = [
            asyncio.create_task(pump(reader, up_writer, "client")),
            asyncio.create_task(pump(up_reader, writer, "server")),
        ]
        self._tasks.update(tasks)
        await asyncio.gather(*tasks, return_exceptions=True)
