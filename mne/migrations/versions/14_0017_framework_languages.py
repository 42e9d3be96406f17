"""framework languages: texts of the framework in other languages, an entity's template
language, a strategy's report languages; the language of a kept report and of a scheduler's
claim (part of the claim's key)

Revision ID: 0017
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0020"
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
    with op.batch_alter_table("compiled_report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=16), server_default="",
                                      nullable=False))
    with op.batch_alter_table("report_claim", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=16), server_default="",
                                      nullable=False))
        batch_op.drop_constraint("uq_report_claim_strategy_id", type_="unique")
        batch_op.create_unique_constraint("uq_report_claim_strategy_id",
                                          ["strategy_id", "kind", "period", "language"])


def downgrade() -> None:
    with op.batch_alter_table("report_claim", schema=None) as batch_op:
        batch_op.drop_constraint("uq_report_claim_strategy_id", type_="unique")
        batch_op.create_unique_constraint("uq_report_claim_strategy_id",
                                          ["strategy_id", "kind", "period"])
        batch_op.drop_column("language")
    with op.batch_alter_table("compiled_report", schema=None) as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("entity", schema=None) as batch_op:
        batch_op.drop_column("template_language")
    with op.batch_alter_table("strategy", schema=None) as batch_op:
        batch_op.drop_column("report_languages")
    for table in reversed(TRANSLATED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("translations")
