"""framework languages: texts of the framework in other languages, an entity's template
language, a strategy's report languages

Revision ID: 0017
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0008"
branch_labels = None
depends_on = None

TRANSLATED = ("strategy", "principle", "objective", "dimension", "category", "entity", "indicator")


def upgrade() -> None:
    for table in TRANSLATED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("translations", sa.JSON(), nullable=True))
    with op.batch_alter_table("strategy", schema=None) as batch_op:
        batch_op.add_column(sa.Column("report_languages", sa.JSON(), nullable=True))
    with op.batch_alter_table("entity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("template_language", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("entity", schema=None) as batch_op:
        batch_op.drop_column("template_language")
    with op.batch_alter_table("strategy", schema=None) as batch_op:
        batch_op.drop_column("report_languages")
    for table in reversed(TRANSLATED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("translations")
