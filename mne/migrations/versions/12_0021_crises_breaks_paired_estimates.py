"""crises, series breaks and paired estimates: how far a figure compares

Revision ID: 0021
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0008"
branch_labels = None
depends_on = None


def _kind(name: str, *codes: str) -> sa.Enum:
    return sa.Enum(*codes, name=name, native_enum=False, length=24)


def upgrade() -> None:
    op.create_table(
        "crisis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", _kind("crisiskind", "conflict", "pandemic", "climate_disaster",
                                "economic_downturn", "gang_violence"), nullable=False),
        sa.Column("start_period", sa.String(length=10), nullable=False),
        sa.Column("end_period", sa.String(length=10), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("translations", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crisis")),
    )
    op.create_table(
        "crisis_entity",
        sa.Column("crisis_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["crisis_id"], ["crisis.id"],
                                name=op.f("fk_crisis_entity_crisis_id_crisis"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"],
                                name=op.f("fk_crisis_entity_entity_id_entity")),
        sa.PrimaryKeyConstraint("crisis_id", "entity_id", name=op.f("pk_crisis_entity")),
    )
    op.create_table(
        "series_break",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("kind", _kind("breakkind", "definition", "data_source", "reporting_channel"),
                  nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["indicator_id"], ["indicator.id"],
                                name=op.f("fk_series_break_indicator_id_indicator"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series_break")),
        sa.UniqueConstraint("indicator_id", "period", name=op.f("uq_series_break_indicator_id")),
    )
    op.create_table(
        "paired_estimate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("estimate_id", sa.Integer(), nullable=False),
        sa.Column("source", _kind("estimatesource", "survey", "modelled", "published"),
                  nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["indicator_id"], ["indicator.id"],
                                name=op.f("fk_paired_estimate_indicator_id_indicator"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["estimate_id"], ["indicator.id"],
                                name=op.f("fk_paired_estimate_estimate_id_indicator"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paired_estimate")),
        sa.UniqueConstraint("indicator_id", name=op.f("uq_paired_estimate_indicator_id")),
    )


def downgrade() -> None:
    for table in ("paired_estimate", "series_break", "crisis_entity", "crisis"):
        op.drop_table(table)
