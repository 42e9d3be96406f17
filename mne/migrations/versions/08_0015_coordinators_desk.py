"""coordinator's desk: notifications one per return, recipient, day and subject, so that a
review decision is kept beside a reminder or another decision of the same day; categories
not always known (sex other and unknown, age unknown by default) may be left blank

Revision ID: 0015
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0009"
branch_labels = None
depends_on = None

NAME = "uq_notification_strategy_id"
BEFORE = ["strategy_id", "entity_id", "period", "recipient", "day"]
OPTIONAL = {"sex": ("other", "unknown"), "age": ("unknown",)}  # config.toml's defaults


def upgrade() -> None:
    with op.batch_alter_table("notification") as batch_op:
        batch_op.drop_constraint(NAME, type_="unique")
        batch_op.create_unique_constraint(NAME, [*BEFORE, "subject"])
    with op.batch_alter_table("category") as batch_op:
        batch_op.add_column(sa.Column("optional", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    category = sa.table("category", sa.column("optional"), sa.column("code"),
                        sa.column("dimension_id"))
    dimension = sa.table("dimension", sa.column("id"), sa.column("code"))
    for code, optional in OPTIONAL.items():
        op.execute(category.update().values(optional=True).where(
            category.c.code.in_(optional), category.c.dimension_id.in_(
                sa.select(dimension.c.id).where(dimension.c.code == code))))


def downgrade() -> None:
    with op.batch_alter_table("category") as batch_op:
        batch_op.drop_column("optional")
    with op.batch_alter_table("notification") as batch_op:
        batch_op.drop_constraint(NAME, type_="unique")
        batch_op.create_unique_constraint(NAME, BEFORE)
