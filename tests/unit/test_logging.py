from __future__ import annotations

import json
import logging

from app.observability import JsonFormatter, _request_id


def test_log_lines_are_json_with_request_id_and_fields() -> None:
    token = _request_id.set("req-42")
    try:
        record = logging.LogRecord("app.x", logging.INFO, __file__, 1, "order.approved", None, None)
        record.order_id = "o-1"
        line = JsonFormatter().format(record)
    finally:
        _request_id.reset(token)
    payload = json.loads(line)
    assert payload["event"] == "order.approved"
    assert payload["request_id"] == "req-42"
    assert payload["order_id"] == "o-1"
    assert payload["level"] == "info" and payload["logger"] == "app.x"
