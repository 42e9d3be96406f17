"""returns: a revision replaced by a later imported one is `superseded`

The state column is a non-native enum (VARCHAR(24), no CHECK constraint), so the new code
needs no change of schema; this migration marks the revisions earlier databases left
"submitted" or "returned" although a later revision was imported after them. Downgrading makes
them "submitted" again (the state they had before).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SUPERSEDED, REJECTED = "superseded", "rejected"

returns = sa.table("return", *(sa.column(name) for name in (
    "id", "strategy_id", "entity_id", "period", "revision", "state")))


def upgrade() -> None:
    later = returns.alias("later")
    replaced = sa.exists().where(
        later.c.strategy_id == returns.c.strategy_id, later.c.entity_id == returns.c.entity_id,
        later.c.period == returns.c.period, later.c.revision > returns.c.revision,
        later.c.state != REJECTED)
    op.get_bind().execute(returns.update()
                          .where(returns.c.state.not_in((REJECTED, SUPERSEDED)), replaced)
                          .values(state=SUPERSEDED))


def downgrade() -> None:
    op.get_bind().execute(returns.update().where(returns.c.state == SUPERSEDED)
                          .values(state="submitted"))
