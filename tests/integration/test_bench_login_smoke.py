"""The sign-in benchmark still runs, over real HTTP (a few guesses, not a measurement)."""

from __future__ import annotations


def test_login_guessing_benchmark_runs_and_the_throttle_refuses() -> None:
    from bench.login_guessing import run

    unthrottled = run({"login_max_failures": 1000}, threads=2, guesses=4)
    assert unthrottled["statuses"] == {401: 8}
    assert unthrottled["healthz_ms"]
    throttled = run({}, threads=2, guesses=4)  # 5 failures lock the user name
    assert sum(throttled["statuses"].values()) == 8 and throttled["statuses"][429] >= 1
