"""Shared by the storefront adapter tests: recorded answers from tests/fixtures/storefronts,
and a MockTransport handler that answers by route and keeps every request."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

FIXTURES = Path(__file__).parent / "fixtures" / "storefronts"
OPERATION = re.compile(r"^\s*(query|mutation)\s+(\w+)\s*(?:\([^)]*\))?\s*\{\s*(\w+)", re.S)

Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def graphql_call(request: httpx.Request) -> tuple[str, str, str, dict[str, Any]]:
    """(``query``/``mutation``, operation name, root field, variables) of a GraphQL request."""
    body = json.loads(request.content)
    match = OPERATION.match(body["query"])
    assert match, body["query"]
    return match.group(1), match.group(2), match.group(3), body["variables"]


class Recorder:
    """Answers each request with the answer registered for its key (``route(request)``);
    several answers for one key are used in turn, the last one repeated."""

    def __init__(self, route: Callable[[httpx.Request], str]) -> None:
        self.route = route
        self.answers: dict[str, list[Answer]] = {}
        self.requests: list[httpx.Request] = []

    def on(self, key: str, *answers: Answer) -> Recorder:
        self.answers[key] = list(answers)
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = self.route(request)
        queue = self.answers.get(key)
        assert queue, f"unexpected request {key}"
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        return answer(request) if callable(answer) else answer

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self))

    @property
    def keys(self) -> list[str]:
        return [self.route(r) for r in self.requests]


def ok(name: str, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=fixture(name))
