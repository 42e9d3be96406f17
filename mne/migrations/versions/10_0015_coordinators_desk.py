"""coordinator's desk: notifications one per return, recipient, day and subject, so that a
review decision is kept beside a reminder or another decision of the same day

Revision ID: 0015
Revises: 0010
"""

from alembic import op

revision = "0015"
down_revision = "0011"
branch_labels = None
depends_on = None

NAME = "uq_notification_strategy_id"
BEFORE = ["strategy_id", "entity_id", "period", "recipient", "day"]


def upgrade() -> None:
    with op.batch_alter_table("notification") as batch_op:
        batch_op.drop_constraint(NAME, type_="unique")
        batch_op.create_unique_constraint(NAME, [*BEFORE, "subject"])


def downgrade() -> None:
    with op.batch_alter_table("notification") as batch_op:
        batch_op.drop_constraint(NAME, type_="unique")
        batch_op.create_unique_constraint(NAME, BEFORE)
