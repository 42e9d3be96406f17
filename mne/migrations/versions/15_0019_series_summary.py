"""series summary: the national series of every indicator kept current, per period, breakdown
and scope of figures, filled from the values already stored

Revision ID: 0019
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "0019"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "series_summary",
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("disaggregation", sa.String(length=200), nullable=False),
        sa.Column("approved_only", sa.Boolean(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("entities", sa.Integer(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("sex_reporters", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["indicator_id"], ["indicator.id"], ondelete="CASCADE",
                                name="fk_series_summary_indicator_id_indicator"),
        sa.PrimaryKeyConstraint("indicator_id", "period", "disaggregation", "approved_only",
                                name="pk_series_summary"),
    )
    _fill()


def _fill() -> None:
    """Compute the summary of the values already stored, by the application's own rule."""
    from indicators.aggregates import rebuild

    session = Session(bind=op.get_bind())
    rebuild(session)
    session.flush()


def downgrade() -> None:
    op.drop_table("series_summary")
