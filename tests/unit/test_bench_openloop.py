"""bench/openloop against a loopback server that drops every connection at its second request,
as uvicorn drops a keep-alive connection idle too long: each such request is sent once more on
a new connection and answered; the latency counts from its intended start."""

from __future__ import annotations

import argparse
import asyncio

from bench.openloop import run


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    served = 0
    while True:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:  # the client is done
            writer.close()
            return
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        await reader.readexactly(length)
        if served == 1:
            writer.close()
            return
        served += 1
        writer.write(b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n{}")
        await writer.drain()


async def test_open_loop_resends_a_request_its_connection_lost_and_counts_every_answer() -> None:
    server = await asyncio.start_server(_serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    args = argparse.Namespace(
        url=f"http://127.0.0.1:{port}",
        kind="reference",
        key="",
        rate=40.0,
        seconds=0.5,
        connections=2,
        drain=5.0,
        products=10,
        customers=5,
        hot=False,
        salt="t",
        seed=1,
    )
    try:
        result = await run(args)
    finally:
        server.close()
    assert result["requests"] == 20
    assert result["statuses"] == {"201": 20}
    assert result["created"] == 20 and result["errors"] == 0
    assert result["resent_after_keepalive_close"] >= 1
    assert result["p50_ms"] <= result["p99_ms"]
