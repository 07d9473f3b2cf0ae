"""make-to-order: production requests and the order lines they serve; products' supply
method, production lead time and warehouse

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03 09:41:23.694544
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.repositories.base

revision: str = "0030"
down_revision: str | Sequence[str] | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "production_requests",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("warehouse_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("quantity_completed", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("quantity_scrapped", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("expected_finish_date", sa.Date(), nullable=True),
        sa.Column("over_production_reason", sa.String(length=500), nullable=True),
        sa.Column("scrap_reason", sa.String(length=500), nullable=True),
        sa.Column("cancel_reason", sa.String(length=500), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("delayed_at", app.repositories.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("released_at", app.repositories.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", app.repositories.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.repositories.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", app.repositories.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_production_requests_quantity_positive")),
        sa.CheckConstraint(
            "quantity_completed >= 0 AND quantity_scrapped >= 0",
            name=op.f("ck_production_requests_quantities_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_production_requests_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_production_requests_warehouse_id_warehouses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_production_requests")),
        sa.UniqueConstraint("number", name=op.f("uq_production_requests_number")),
    )
    with op.batch_alter_table("production_requests", schema=None) as batch_op:
        batch_op.create_index("ix_production_requests_created", ["created_at", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_production_requests_due_date"), ["due_date"], unique=False
        )
        batch_op.create_index("ix_production_requests_open", ["product_id", "status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_production_requests_product_id"), ["product_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_production_requests_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_production_requests_warehouse_id"), ["warehouse_id"], unique=False
        )

    op.create_table(
        "production_links",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("order_line_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_production_links_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_production_links_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_production_links_order_line_id_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["production_requests.id"],
            name=op.f("fk_production_links_request_id_production_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_production_links")),
    )
    with op.batch_alter_table("production_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_production_links_order_id"), ["order_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_production_links_order_line_id"), ["order_line_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_production_links_request_id"), ["request_id"], unique=False
        )

    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("supply_method", sa.String(length=16), nullable=False, server_default="buy")
        )
        batch_op.add_column(
            sa.Column("production_lead_days", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("production_warehouse_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_products_production_warehouse_id_warehouses"),
            "warehouses",
            ["production_warehouse_id"],
            ["id"],
        )

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE IF NOT EXISTS production_request_number_seq")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE IF EXISTS production_request_number_seq")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_products_production_warehouse_id_warehouses"), type_="foreignkey"
        )
        batch_op.drop_column("production_warehouse_id")
        batch_op.drop_column("production_lead_days")
        batch_op.drop_column("supply_method")

    with op.batch_alter_table("production_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_production_links_request_id"))
        batch_op.drop_index(batch_op.f("ix_production_links_order_line_id"))
        batch_op.drop_index(batch_op.f("ix_production_links_order_id"))

    op.drop_table("production_links")
    with op.batch_alter_table("production_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_production_requests_warehouse_id"))
        batch_op.drop_index(batch_op.f("ix_production_requests_status"))
        batch_op.drop_index(batch_op.f("ix_production_requests_product_id"))
        batch_op.drop_index("ix_production_requests_open")
        batch_op.drop_index(batch_op.f("ix_production_requests_due_date"))
        batch_op.drop_index("ix_production_requests_created")

    op.drop_table("production_requests")
