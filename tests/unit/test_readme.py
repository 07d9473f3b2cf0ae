"""The README stays true: it documents every setting, every `lading` command, every
alert rule and every notification kind."""

from __future__ import annotations

from pathlib import Path

from app.cli import build_parser
from app.domain.alerts import Rule
from app.domain.notifications.kinds import NotificationKind
from app.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    missing = [n for n in Settings.model_fields if f"`LADING_{n.upper()}`" not in README]
    assert missing == []


def test_every_command_is_documented() -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    missing = [name for name in commands if f"`lading {name}" not in README]
    assert missing == []


def test_the_two_commands_are_there() -> None:
    assert "make run" in README and "make test" in README


def test_every_alert_rule_is_documented() -> None:
    missing = [r.value for r in Rule if f"| `{r.value}` |" not in README]
    assert missing == []


def test_every_notification_kind_is_documented() -> None:
    missing = [k.value for k in NotificationKind if f"| `{k.value}` |" not in README]
    assert missing == []
