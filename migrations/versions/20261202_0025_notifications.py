"""notifications: the customer's language and opt-outs, the notification log (one per subject,
kind, step and channel) and the templates admins saved

Revision ID: 0025
Revises: 0023
Create Date: 2026-12-02 16:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.repositories.base

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DateTime = app.repositories.base.UtcDateTime


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="zh-CN")
        )
        batch_op.add_column(
            sa.Column("email_opt_out", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("sms_opt_out", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=2000), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("message_subject", sa.Text(), nullable=True),
        sa.Column("message_body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("skip_reason", sa.String(length=32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", DateTime(timezone=True), nullable=True),
        sa.Column("provider_answer", sa.Text(), nullable=True),
        sa.Column("sent_at", DateTime(timezone=True), nullable=True),
        sa.Column("outbox_event_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint(
            "subject_type",
            "subject_id",
            "kind",
            "step",
            "channel",
            name="notification_once",
        ),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_notifications_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notifications_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            "ix_notifications_status_next_attempt_at", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index("ix_notifications_created_at_id", ["created_at", "id"], unique=False)
    op.create_table(
        "notification_templates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_templates")),
        sa.UniqueConstraint(
            "kind",
            "channel",
            "language",
            name="notification_template_key",
        ),
    )


def downgrade() -> None:
    op.drop_table("notification_templates")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_created_at_id")
        batch_op.drop_index("ix_notifications_status_next_attempt_at")
        batch_op.drop_index(batch_op.f("ix_notifications_order_id"))
        batch_op.drop_index(batch_op.f("ix_notifications_customer_id"))
        batch_op.drop_index(batch_op.f("ix_notifications_kind"))
    op.drop_table("notifications")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("sms_opt_out")
        batch_op.drop_column("email_opt_out")
        batch_op.drop_column("language")
