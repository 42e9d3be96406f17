"""reports: a compiled report says whether it is preliminary (submitted figures included, never
shown to viewers); a scheduled job's run is recorded once per due time, however many
schedulers run it

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

job_runs = sa.table("job_run", sa.column("id", sa.Integer), sa.column("job_id", sa.String),
                    sa.column("scheduled_for", sa.DateTime))


def upgrade() -> None:
    with op.batch_alter_table("compiled_report") as batch_op:
        batch_op.add_column(sa.Column("preliminary", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    _delete_repeated_runs()
    with op.batch_alter_table("job_run") as batch_op:
        batch_op.create_unique_constraint("uq_job_run_job_id_scheduled_for",
                                          ["job_id", "scheduled_for"])


def _delete_repeated_runs() -> None:
    """Keep the first record of each job's due time (two schedulers recorded it twice)."""
    first = (sa.select(sa.func.min(job_runs.c.id))
             .where(job_runs.c.scheduled_for.is_not(None))
             .group_by(job_runs.c.job_id, job_runs.c.scheduled_for))
    op.get_bind().execute(job_runs.delete().where(job_runs.c.scheduled_for.is_not(None),
                                                  job_runs.c.id.not_in(first)))


def downgrade() -> None:
    with op.batch_alter_table("job_run") as batch_op:
        batch_op.drop_constraint("uq_job_run_job_id_scheduled_for", type_="unique")
    with op.batch_alter_table("compiled_report") as batch_op:
        batch_op.drop_column("preliminary")
