"""evaluation: a covering index on data values for aggregation by indicator and period

Revision ID: 0006
Revises: 0002
"""

from alembic import op

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = ["indicator_id", "period", "period_end", "disaggregation", "entity_id", "value",
           "level"]


def upgrade() -> None:
    op.create_index("ix_data_value_series", "data_value", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_data_value_series", table_name="data_value")
