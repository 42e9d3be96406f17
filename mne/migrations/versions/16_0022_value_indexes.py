"""value return and nature indexes: a return's values found without reading every value
(which returns a report's figures came from, a revision's values), and the rare values of a
nature (figures not collected because of a crisis)

Revision ID: 0022
Revises: 0019
"""

from alembic import op

revision = "0022"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_data_value_return", "data_value", ["return_id", "period_end", "indicator_id"])
    op.create_index("ix_data_value_nature", "data_value", ["nature"])


def downgrade() -> None:
    op.drop_index("ix_data_value_nature", table_name="data_value")
    op.drop_index("ix_data_value_return", table_name="data_value")
