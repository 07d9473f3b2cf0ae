"""The process's read cache: entries live ``seconds``, a write in the process drops its entity
type, nothing is kept for 0 seconds, and what was not found is never kept."""

from __future__ import annotations

from app.repositories.read_cache import MISSING, ReadCache


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_entry_lives_its_seconds_and_no_longer() -> None:
    clock = Clock()
    cache = ReadCache(5, clock)
    cache.put("settings", "review", "policy-1")
    clock.now += 4.9
    assert cache.get("settings", "review") == "policy-1"
    clock.now += 0.2
    assert cache.get("settings", "review") is MISSING


def test_invalidating_an_entity_type_drops_only_its_entries() -> None:
    cache = ReadCache(5, Clock())
    cache.put("settings", "review", "policy")
    cache.put("warehouse", "active", ("SH",))
    cache.invalidate(["settings"])
    assert cache.get("settings", "review") is MISSING
    assert cache.get("warehouse", "active") == ("SH",)


def test_zero_seconds_keeps_nothing_and_none_is_never_kept() -> None:
    assert ReadCache(0).get("x", "y") is MISSING
    off = ReadCache(0)
    off.put("api_key", "digest", "someone")
    assert off.get("api_key", "digest") is MISSING
    on = ReadCache(5)
    on.put("api_key", "unknown", None)
    assert on.get("api_key", "unknown") is MISSING
