"""table-rate carriers take no webhooks

A carrier's ``webhooks`` flag may now be true only when its adapter takes webhooks; table-rate
carriers were created with the old default (true) although their webhook route answers 404.
Data only: no schema change.

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-01 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    carriers = sa.table("carriers", sa.column("adapter_kind", sa.String), sa.column("webhooks"))
    op.execute(
        carriers.update().where(carriers.c.adapter_kind == "table_rate").values(webhooks=sa.false())
    )


def downgrade() -> None:
    # Which table-rate carriers said true before cannot be known; false is right for all.
    pass
