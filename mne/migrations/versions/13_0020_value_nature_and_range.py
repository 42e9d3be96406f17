"""value nature and range: a value's nature replaces its flag; low, high and "at least"

Every stored flag becomes the nature of the same name (`FLAG_TO_NATURE`), in the current values
and in their history, so that no value loses what it said about itself.

Revision ID: 0020
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0021"
branch_labels = None
depends_on = None

TABLES = ("data_value", "data_value_history")
FLAG_TO_NATURE = {"none": "none", "estimated": "estimated", "provisional": "provisional",
                  "suppressed": "suppressed", "not_applicable": "not_applicable",
                  "not_available": "not_available"}
"""Each flag the application ever stored, and the nature it becomes."""


def _copy(table: str, source: str, target: str, mapping: dict[str, str]) -> None:
    """Set `target` from `source` by `mapping`; a stored word outside it is kept as it is."""
    rows = sa.table(table, sa.column(source, sa.String), sa.column(target, sa.String))
    cases = sa.case(*((rows.c[source] == old, new) for old, new in mapping.items()),
                    else_=rows.c[source])
    op.execute(rows.update().values({target: cases}))


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("nature", sa.String(length=24), nullable=False,
                                          server_default="none"))
            batch_op.add_column(sa.Column("low", sa.Float(), nullable=True))
            batch_op.add_column(sa.Column("high", sa.Float(), nullable=True))
            batch_op.add_column(sa.Column("at_least", sa.Boolean(), nullable=False,
                                          server_default=sa.false()))
        _copy(table, "flag", "nature", FLAG_TO_NATURE)
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("flag")


def downgrade() -> None:
    back = {nature: flag for flag, nature in FLAG_TO_NATURE.items()}
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("flag", sa.String(length=24), nullable=False,
                                          server_default="none"))
        _copy(table, "nature", "flag", back)
        with op.batch_alter_table(table) as batch_op:
            for column in ("at_least", "high", "low", "nature"):
                batch_op.drop_column(column)
