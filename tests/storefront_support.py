"""Shared by the storefront adapter tests: recorded answers from tests/fixtures/storefronts,
and a MockTransport handler that answers by route and keeps every request."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from graphql import NonNullTypeNode, OperationDefinitionNode, VariableNode, parse, visit
from graphql.language import Visitor

FIXTURES = Path(__file__).parent / "fixtures" / "storefronts"
OPERATION = re.compile(r"^\s*(query|mutation)\s+(\w+)\s*(?:\([^)]*\))?\s*\{\s*(\w+)", re.S)

Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class _Used(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_variable(self, node: VariableNode, *_: Any) -> None:
        self.names.add(node.name.value)


def check_document(query: str, variables: dict[str, Any]) -> None:
    """The document parses (graphql-core), is one named operation, uses every variable it
    declares and declares every one it uses, and ``variables`` gives each required one and
    nothing undeclared. (Shopify's schema itself is not at hand: field names are checked
    against the reference pages by reading, not here.)"""
    document = parse(query)
    (operation,) = document.definitions
    assert isinstance(operation, OperationDefinitionNode) and operation.name
    declared = {d.variable.name.value: d for d in operation.variable_definitions or ()}
    used = _Used()
    for selection in operation.selection_set.selections:
        visit(selection, used)
    assert used.names == set(declared), (used.names, set(declared))
    required = {n for n, d in declared.items() if isinstance(d.type, NonNullTypeNode)}
    assert required <= set(variables) <= set(declared), (set(variables), set(declared))
    assert all(variables[n] is not None for n in required)


def graphql_call(request: httpx.Request) -> tuple[str, str, str, dict[str, Any]]:
    """(``query``/``mutation``, operation name, root field, variables) of a GraphQL request,
    whose document is checked by :func:`check_document`."""
    body = json.loads(request.content)
    assert set(body) == {"query", "variables"}
    check_document(body["query"], body["variables"])
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
