"""Closed-loop load with ``wrk`` (Debian package ``wrk``) and a generated Lua script.

N connections post orders as fast as they are answered, for a fixed time. Every request is
built in Lua: a unique ``Idempotency-Key`` (run salt, thread id, request counter), random SKUs
and customer (``math.random``), the API key header and the JSON body. ``response()`` counts the
answers by status, keeps one error body per thread, and ``done()`` prints one JSON line with
the counts and wrk's latency percentiles (from the actual send, which is right for a closed
loop; the open-loop figure comes from ``bench/openloop.py``). wrk's CPU is the rusage of its
process (``bench/procstat.py``).
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.procstat import run_measured


@dataclass(frozen=True)
class Target:
    """What to post: Lading's storefront order or the reference app's core order."""

    kind: str  # "lading" | "reference"
    base: str  # http://127.0.0.1:PORT
    key: str = ""
    products: int = 10_000
    customers: int = 1_000
    hot: bool = False
    salt: str = "run"


LUA_COMMON = r"""
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  math.randomseed(id * 7919 + os.time())
  counter = 0
  statuses = {}
  sample = nil
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status >= 300 and sample == nil then sample = string.sub(body or "", 1, 300) end
end
local function esc(s)
  return (string.gsub(s, '[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end))
end
function done(summary, latency, requests)
  local merged, samples = {}, {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses") or {}) do
      merged[tostring(k)] = (merged[tostring(k)] or 0) + v
    end
    local s = t:get("sample")
    if s then table.insert(samples, '"' .. esc(s) .. '"') end
  end
  local st = {}
  for k, v in pairs(merged) do table.insert(st, string.format('"%s":%d', k, v)) end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"statuses":{%s},"error_samples":[%s],' ..
    '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
    '"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%d}\n',
    summary.requests, summary.duration, table.concat(st, ","), table.concat(samples, ","),
    e.connect, e.read, e.write, e.timeout,
    math.floor(latency:percentile(50)), math.floor(latency:percentile(95)),
    math.floor(latency:percentile(99)), math.floor(latency.max), math.floor(latency.mean)))
end
"""

LUA_LADING = r"""
local function pick3(n)
  local a = math.random(0, n - 1)
  local b repeat b = math.random(0, n - 1) until b ~= a
  local c repeat c = math.random(0, n - 1) until c ~= a and c ~= b
  return a, b, c
end
function request()
  counter = counter + 1
  local ref = string.format("@SALT@-%d-%d", id, counter)
  local a, b, c = pick3(@POOL@)
  local body = string.format(
    '{"channel":"storefront","external_ref":"%s","customer":{"code":"BC%05d"},"submit":true,' ..
    '"lines":[{"sku":"BP%05d","quantity":"1"},{"sku":"BP%05d","quantity":"1"},' ..
    '{"sku":"BP%05d","quantity":"1"}],' ..
    '"payment":{"status":"paid","reference":"%s","amount":"100000"}}',
    ref, math.random(0, @CUSTOMERS@ - 1), a, b, c, ref)
  return wrk.format("POST", "/api/v1/orders", {
    ["Content-Type"] = "application/json", ["X-API-Key"] = "@KEY@", ["Idempotency-Key"] = ref,
  }, body)
end
"""

LUA_REFERENCE = r"""
local function line()
  return string.format(
    '{"product_id":%d,"warehouse_id":%d,"qty":%d,"unit_price":"9.99"}',
    math.random(1, 10000), math.random(1, 2), math.random(1, 5))
end
function request()
  counter = counter + 1
  local body = string.format('{"customer_id":%d,"lines":[%s,%s,%s]}',
    math.random(1, 100000), line(), line(), line())
  return wrk.format("POST", "/orders/core", {["Content-Type"] = "application/json"}, body)
end
"""


def lua_script(target: Target) -> str:
    if target.kind == "reference":
        return LUA_COMMON + LUA_REFERENCE
    pool = 10 if target.hot else target.products
    if pool < 3:
        raise ValueError("an order takes 3 distinct products: need at least 3")
    # Every invocation its own keys: a key seen before with another body is a 409.
    salt = f"{target.salt}{secrets.token_hex(4)}"
    return LUA_COMMON + (
        LUA_LADING.replace("@SALT@", salt)
        .replace("@POOL@", str(pool))
        .replace("@CUSTOMERS@", str(target.customers))
        .replace("@KEY@", target.key)
    )


def wrk_binary() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit(
            "wrk is not installed: `apt-get install -y wrk` (make bench and .ci/run do it)"
        )
    return path


def closed_loop(target: Target, connections: int, seconds: float) -> dict[str, Any]:
    """Run wrk for ``seconds`` with ``connections`` (2 threads); return counts, orders/s,
    percentiles in ms and wrk's own CPU seconds."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua_script(target))
    try:
        code, out, err, cpu = run_measured(
            [
                wrk_binary(),
                "-t",
                str(min(2, connections)),
                "-c",
                str(connections),
                "-d",
                f"{max(1, round(seconds))}s",
                "--timeout",
                "30s",
                "-s",
                f.name,
                target.base,
            ],
            timeout=seconds + 60,
        )
    finally:
        Path(f.name).unlink()
    line = next((x for x in out.splitlines() if x.startswith("WRKJSON ")), None)
    if code != 0 or line is None:
        raise RuntimeError(f"wrk failed ({code}): {err.strip()[-500:] or out[-500:]}")
    raw = json.loads(line[len("WRKJSON ") :])
    return summarise(raw, cpu)


def summarise(raw: dict[str, Any], cpu: float) -> dict[str, Any]:
    wall = raw["duration_us"] / 1e6
    ok = sum(n for code, n in raw["statuses"].items() if code.startswith("2"))
    socket_errors = sum(raw["socket_errors"].values())
    return {
        "generator": "wrk (closed loop)",
        "requests": raw["requests"],
        "created": ok,
        "errors": raw["requests"] - ok + socket_errors,
        "non_2xx": raw["requests"] - ok,
        "socket_errors": raw["socket_errors"],
        "statuses": raw["statuses"],
        "error_samples": raw["error_samples"][:3],
        "seconds": round(wall, 2),
        "orders_per_second": round(ok / wall, 1) if wall else 0.0,
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "max_ms": round(raw["max_us"] / 1000, 1),
        "loadgen_cpu_seconds": round(cpu, 3),
        "loadgen_cpu_ms_per_order": round(cpu * 1000 / max(ok, 1), 3),
        "loadgen_cpu_pct_of_core": round(100 * cpu / wall, 2) if wall else None,
    }
