"""event stream: outbox positions (assigned when the worker routes an event, in commit order),
the counter they come from, and the progress of positioned consumers (NATS, ...)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 16:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.repositories.base

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stream_counters",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_stream_counters")),
    )
    op.execute("INSERT INTO stream_counters (name, value) VALUES ('outbox', 0)")
    op.create_table(
        "consumer_offsets",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", app.repositories.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_consumer_offsets")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("position", sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_position"), ["position"], unique=True)
    # Events already sent by the one-URL dispatcher count as routed; they get no position
    # (the stream and NATS start from what is routed after the upgrade).
    op.execute("UPDATE outbox SET status = 'routed' WHERE status = 'sent'")


def downgrade() -> None:
    op.execute("UPDATE outbox SET status = 'sent' WHERE status = 'routed'")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_position"))
        batch_op.drop_column("position")
    op.drop_table("consumer_offsets")
    op.drop_table("stream_counters")
