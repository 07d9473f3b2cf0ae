"""own fleet: vehicles at their depots; warehouses' time zone and routing settings (depots)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-03 13:43:39.939268
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import app.repositories.base

revision: str = "0031"
down_revision: str | Sequence[str] | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vehicles",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("depot_warehouse_id", sa.Uuid(), nullable=False),
        sa.Column("plate", sa.String(length=32), nullable=True),
        sa.Column("capacity_kg", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("capacity_m3", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("shift_start", sa.Time(), nullable=False),
        sa.Column("shift_end", sa.Time(), nullable=False),
        sa.Column("max_route_minutes", sa.Integer(), nullable=True),
        sa.Column("fixed_cost", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("cost_per_km", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("cost_per_hour", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "goods_classes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("driver_name", sa.String(length=200), nullable=True),
        sa.Column("driver_phone", sa.String(length=50), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.repositories.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.repositories.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "capacity_kg > 0 AND capacity_m3 > 0", name=op.f("ck_vehicles_capacity_positive")
        ),
        sa.CheckConstraint(
            "fixed_cost >= 0 AND cost_per_km >= 0 AND cost_per_hour >= 0",
            name=op.f("ck_vehicles_costs_not_negative"),
        ),
        sa.CheckConstraint(
            "max_route_minutes IS NULL OR max_route_minutes > 0",
            name=op.f("ck_vehicles_max_route_positive"),
        ),
        sa.CheckConstraint("shift_end > shift_start", name=op.f("ck_vehicles_shift_within_day")),
        sa.ForeignKeyConstraint(
            ["depot_warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_vehicles_depot_warehouse_id_warehouses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vehicles")),
        sa.UniqueConstraint("code", name=op.f("uq_vehicles_code")),
    )
    with op.batch_alter_table("vehicles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vehicles_active"), ["active"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_vehicles_depot_warehouse_id"), ["depot_warehouse_id"], unique=False
        )

    with op.batch_alter_table("warehouses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("time_zone", sa.String(length=64), server_default="UTC", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "routing",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("warehouses", schema=None) as batch_op:
        batch_op.drop_column("routing")
        batch_op.drop_column("time_zone")

    with op.batch_alter_table("vehicles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vehicles_depot_warehouse_id"))
        batch_op.drop_index(batch_op.f("ix_vehicles_active"))

    op.drop_table("vehicles")
