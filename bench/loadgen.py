"""Load generator for bench/place_orders: C concurrent clients for T seconds, each placing
storefront orders (3 lines, ``submit: true``, API key, Idempotency-Key) as fast as answered.

Runs as its own process (``python -m bench.loadgen``) so that its CPU is measured apart from
the server's; prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import time
import uuid

import httpx


def _body(rng: random.Random, skus: list[str], customers: int, hot: bool) -> dict[str, object]:
    chosen = rng.sample(skus[:10] if hot else skus, 3)
    ref = uuid.uuid4().hex
    return {
        "channel": "storefront",
        "external_ref": ref,
        "customer": {"code": f"BC{rng.randrange(customers):05d}"},
        "submit": True,
        "lines": [{"sku": s, "quantity": "1"} for s in chosen],
        "payment": {"status": "paid", "reference": ref, "amount": "100000"},
    }


async def run(args: argparse.Namespace) -> dict[str, object]:
    skus = [f"BP{i:05d}" for i in range(args.products)]
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    samples: list[str] = []
    deadline = time.perf_counter() + args.seconds
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    async with httpx.AsyncClient(base_url=args.url, limits=limits, timeout=30) as client:

        async def worker(n: int) -> None:
            rng = random.Random(n)
            while time.perf_counter() < deadline:
                body = _body(rng, skus, args.customers, args.hot)
                started = time.perf_counter()
                try:
                    response = await client.post(
                        "/api/v1/orders",
                        json=body,
                        headers={"X-API-Key": args.key, "Idempotency-Key": body["external_ref"]},
                    )
                    code = str(response.status_code)
                    if response.status_code != 201 and len(samples) < 3:
                        samples.append(response.text[:300])
                except httpx.HTTPError as exc:
                    code = type(exc).__name__
                latencies.append(time.perf_counter() - started)
                statuses[code] = statuses.get(code, 0) + 1

        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        wall0 = time.perf_counter()
        await asyncio.gather(*[worker(n) for n in range(args.clients)])
        wall = time.perf_counter() - wall0
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 1)

    ok = statuses.get("201", 0)
    return {
        "requests": len(latencies),
        "created": ok,
        "errors": len(latencies) - ok,
        "statuses": statuses,
        "error_samples": samples,
        "seconds": round(wall, 2),
        "orders_per_second": round(ok / wall, 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "loadgen_cpu_seconds": round(
            (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime), 2
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=1_000)
    parser.add_argument("--hot", action="store_true", help="every order takes the same 10 SKUs")
    print(json.dumps(asyncio.run(run(parser.parse_args()))))


if __name__ == "__main__":
    main()
