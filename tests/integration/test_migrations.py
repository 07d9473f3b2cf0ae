"""Alembic owns the schema: upgrade an empty database to head, no drift between models and
migrations (``alembic check``), and a full downgrade/upgrade round trip, on both engines."""

from __future__ import annotations

from alembic import command

from app import migrate


def test_upgrade_check_and_round_trip(empty_database: str) -> None:
    config = migrate.alembic_config(empty_database)
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")
    command.check(config)  # raises when the models and the migrations disagree
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    command.check(config)


def test_head_is_a_single_revision() -> None:
    assert len(migrate.head_revisions()) == 1
