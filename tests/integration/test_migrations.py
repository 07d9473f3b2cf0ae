"""Alembic owns the schema: upgrade an empty database to head, no drift between models and
migrations (``alembic check``), and a full downgrade/upgrade round trip, on both engines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command

from app import migrate
from tests.conftest import create_postgres_database, drop_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    url = create_postgres_database("lading_mig")
    try:
        yield url
    finally:
        drop_postgres_database(url)


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
