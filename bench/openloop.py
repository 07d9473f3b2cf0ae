"""Open-loop load at a constant arrival rate, for the latency figure (``wrk`` is closed-loop and
Debian has no ``wrk2``).

    python -m bench.openloop --url http://127.0.0.1:PORT --kind lading --key K --rate 20

Request k is due at ``t0 + k / rate`` whatever happened before. Every request is built before
the clock starts (unique ``Idempotency-Key``, random SKUs and customer, as the wrk script does),
sent on a free keep-alive connection of a fixed pool (uvloop, one ``asyncio.Protocol`` per
connection, responses parsed by Content-Length only), or queued until one is free. Latency is
measured from the request's *intended* start, so time spent waiting for a connection or behind
a slow answer counts (no coordinated omission). Prints one JSON object; the CPU of the process
is measured by the caller (rusage at exit).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections import deque
from typing import Any
from urllib.parse import urlsplit


def lading_body(rng: random.Random, ref: str, products: int, customers: int, hot: bool) -> str:
    chosen = rng.sample(range(10 if hot else products), 3)
    lines = ",".join(f'{{"sku":"BP{p:05d}","quantity":"1"}}' for p in chosen)
    return (
        f'{{"channel":"storefront","external_ref":"{ref}",'
        f'"customer":{{"code":"BC{rng.randrange(customers):05d}"}},"submit":true,'
        f'"lines":[{lines}],"payment":{{"status":"paid","reference":"{ref}","amount":"100000"}}}}'
    )


def reference_body(rng: random.Random) -> str:
    lines = ",".join(
        f'{{"product_id":{rng.randint(1, 10000)},"warehouse_id":{rng.randint(1, 2)},'
        f'"qty":{rng.randint(1, 5)},"unit_price":"9.99"}}'
        for _ in range(3)
    )
    return f'{{"customer_id":{rng.randint(1, 100000)},"lines":[{lines}]}}'


def build_requests(args: argparse.Namespace, count: int) -> list[bytes]:
    rng = random.Random(args.seed)
    host = urlsplit(args.url).netloc
    out = []
    for k in range(count):
        if args.kind == "reference":
            path, extra, body = "/orders/core", "", reference_body(rng)
        else:
            ref = f"{args.salt}-ol-{k}"
            body = lading_body(rng, ref, args.products, args.customers, args.hot)
            path, extra = "/api/v1/orders", f"X-API-Key: {args.key}\r\nIdempotency-Key: {ref}\r\n"
        data = body.encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"{extra}Content-Length: {len(data)}\r\n\r\n"
        )
        out.append(head.encode() + data)
    return out


class Connection(asyncio.Protocol):
    def __init__(self, run: Run) -> None:
        self.run = run
        self.buf = bytearray()
        self.need = -1
        self.status = 0
        self.intended = 0.0
        self.request = b""
        self.retried = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def send(self, request: bytes, intended: float, retried: bool = False) -> None:
        self.intended = intended
        self.request = request
        self.retried = retried
        assert self.transport is not None
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            if self.need < 0:
                end = self.buf.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = bytes(self.buf[:end]).lower()
                self.status = int(head[9:12])
                at = head.find(b"\r\ncontent-length:")
                stop = head.find(b"\r\n", at + 2)
                length = int(head[at + 17 : stop if stop > 0 else None]) if at >= 0 else 0
                self.need = end + 4 + length
            if len(self.buf) < self.need:
                return
            del self.buf[: self.need]
            self.need = -1
            self.run.completed(self, self.status)

    def connection_lost(self, exc: Exception | None) -> None:
        self.run.lost(self)


class Run:
    def __init__(self, requests: list[bytes]) -> None:
        self.requests = requests
        self.next = 0
        self.idle: list[Connection] = []
        self.busy: set[Connection] = set()
        self.waiting: deque[float] = deque()
        self.latencies: list[float] = []
        self.statuses: dict[str, int] = {}
        self.loop = asyncio.get_running_loop()
        self.finished = asyncio.Event()
        self.address: tuple[str, int] = ("127.0.0.1", 80)
        self.resent = 0
        self.pending: set[asyncio.Task[None]] = set()

    async def _resend(self, request: bytes, intended: float) -> None:
        try:
            _, conn = await self.loop.create_connection(lambda: Connection(self), *self.address)
        except OSError:
            self.statuses["connection_lost"] = self.statuses.get("connection_lost", 0) + 1
            return
        self.busy.add(conn)
        conn.send(request, intended, retried=True)

    def dispatch(self, intended: float) -> None:
        if self.idle:
            conn = self.idle.pop()
            self.busy.add(conn)
            conn.send(self.requests[self.next], intended)
            self.next += 1
        else:
            self.waiting.append(intended)

    def completed(self, conn: Connection, status: int) -> None:
        self.latencies.append(self.loop.time() - conn.intended)
        self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
        self.busy.discard(conn)
        self.idle.append(conn)
        if self.waiting:
            self.dispatch(self.waiting.popleft())
        elif not self.busy and not self.pending and self.next >= len(self.requests):
            self.finished.set()

    def lost(self, conn: Connection) -> None:
        if conn in self.busy:
            self.busy.discard(conn)
            if not conn.buf and not conn.retried:
                # The server closed a keep-alive connection as the request went out (uvicorn
                # drops one idle for 5 s): send it again on a new one, from the same intended
                # start, as an HTTP client does; a second loss is an error.
                self.resent += 1
                task = self.loop.create_task(self._resend(conn.request, conn.intended))
                self.pending.add(task)
                task.add_done_callback(self.pending.discard)
                return
            self.statuses["connection_lost"] = self.statuses.get("connection_lost", 0) + 1
        if conn in self.idle:
            self.idle.remove(conn)
        if not self.busy and not self.idle and not self.pending:
            self.finished.set()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    total = max(1, round(args.rate * args.seconds))
    run = Run(build_requests(args, total))
    parts = urlsplit(args.url)
    run.address = (parts.hostname or "127.0.0.1", parts.port or 80)
    for _ in range(args.connections):
        _, conn = await run.loop.create_connection(lambda: Connection(run), *run.address)
        run.idle.append(conn)
    cpu0 = time.process_time()
    t0 = run.loop.time() + 0.05
    for k in range(total):
        due = t0 + k / args.rate
        if (wait := due - run.loop.time()) > 0:
            await asyncio.sleep(wait)
        run.dispatch(due)
    wall_sent = run.loop.time() - t0
    try:
        await asyncio.wait_for(run.finished.wait(), timeout=args.drain)
    except TimeoutError:
        run.statuses["unanswered"] = len(run.busy) + len(run.waiting)
    lat = sorted(run.latencies)

    def pct(p: float) -> float | None:
        return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 1) if lat else None

    ok = sum(n for code, n in run.statuses.items() if code.startswith("2"))
    return {
        "generator": "bench.openloop (open loop, constant rate)",
        "offered_rate": args.rate,
        "requests": total,
        "created": ok,
        "errors": total - ok,
        "statuses": run.statuses,
        "resent_after_keepalive_close": run.resent,
        "seconds": round(wall_sent, 2),
        "achieved_rate": round(len(lat) / max(wall_sent, 1e-9), 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": round(lat[-1] * 1000, 1) if lat else None,
        "cpu_seconds_while_sending": round(time.process_time() - cpu0, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--kind", choices=["lading", "reference"], default="lading")
    parser.add_argument("--key", default="")
    parser.add_argument("--rate", type=float, required=True, help="requests per second")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--drain", type=float, default=30, help="seconds to wait for answers")
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=1_000)
    parser.add_argument("--hot", action="store_true")
    parser.add_argument("--salt", default="run")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    import uvloop

    print(json.dumps(uvloop.run(run(args))))


def open_loop(target: Any, rate: float, seconds: float, connections: int) -> dict[str, Any]:
    """Run this generator in its own process against a ``bench.wrk.Target``; adds its CPU
    (rusage at exit, start-up and request building included) per answered order."""
    import secrets
    import sys
    from pathlib import Path

    from bench.procstat import run_measured

    argv = [sys.executable, "-m", "bench.openloop", "--url", target.base, "--kind", target.kind]
    argv += ["--key", target.key, "--rate", f"{rate:.3f}", "--seconds", str(seconds)]
    argv += ["--connections", str(connections), "--products", str(target.products)]
    salt = f"{target.salt}{secrets.token_hex(4)}"  # every invocation its own keys
    argv += ["--customers", str(target.customers), "--salt", salt]
    code, out, err, cpu = run_measured(
        argv + (["--hot"] if target.hot else []),
        seconds + 90,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if code != 0:
        raise RuntimeError(f"bench.openloop failed ({code}): {err.strip()[-500:]}")
    result: dict[str, Any] = json.loads(out)
    # Per order: the CPU spent while the load ran (from t0 to the last answer); the process's
    # start-up and the building of its requests happen before the server is loaded.
    created = max(result["created"], 1)
    result["loadgen_cpu_total_seconds"] = round(cpu, 3)
    result["loadgen_cpu_ms_per_order"] = round(
        result["cpu_seconds_while_sending"] * 1000 / created, 3
    )
    result["loadgen_cpu_pct_of_core"] = round(
        100 * result["cpu_seconds_while_sending"] / max(result["seconds"], 1e-9), 2
    )
    return result


if __name__ == "__main__":
    main()
