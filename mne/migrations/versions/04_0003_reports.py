"""reports: archive of compiled reports, scheduler claims and runs, notifications, entity e-mail

Revision ID: 0003
Revises: 0006
Create Date: 2026-11-23 16:39:32.735249
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('apscheduler_jobs',
    sa.Column('id', sa.Unicode(length=191), nullable=False),
    sa.Column('next_run_time', sa.Float(precision=25), nullable=True),
    sa.Column('job_state', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apscheduler_jobs'))
    )
    with op.batch_alter_table('apscheduler_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apscheduler_jobs_next_run_time'), ['next_run_time'], unique=False)

    op.create_table('job_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.String(length=100), nullable=False),
    sa.Column('scheduled_for', sa.DateTime(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.Enum('running', 'succeeded', 'failed', name='runoutcome', native_enum=False, length=24), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('outputs', sa.JSON(), nullable=False),
    sa.Column('worker', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run'))
    )
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_run_job_id'), ['job_id'], unique=False)

    op.create_table('compiled_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('strategy_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('progress', 'gaps', name='reportkind', native_enum=False, length=24), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('compiled_at', sa.DateTime(), nullable=False),
    sa.Column('compiled_by', sa.String(length=200), nullable=False),
    sa.Column('returns_used', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['strategy_id'], ['strategy.id'], name=op.f('fk_compiled_report_strategy_id_strategy'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compiled_report')),
    sa.UniqueConstraint('strategy_id', 'kind', 'period', 'version', name=op.f('uq_compiled_report_strategy_id'))
    )
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('strategy_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('send_error', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_notification_entity_id_entity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['strategy_id'], ['strategy.id'], name=op.f('fk_notification_strategy_id_strategy'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('strategy_id', 'entity_id', 'period', 'recipient', 'day', name=op.f('uq_notification_strategy_id'))
    )
    op.create_table('report_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('strategy_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('progress', 'gaps', name='reportkind', native_enum=False, length=24), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('state', sa.Enum('claimed', 'done', 'failed', name='claimstate', native_enum=False, length=24), nullable=False),
    sa.Column('claimed_by', sa.String(length=200), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['compiled_report.id'], name=op.f('fk_report_claim_report_id_compiled_report'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['strategy_id'], ['strategy.id'], name=op.f('fk_report_claim_strategy_id_strategy'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_claim')),
    sa.UniqueConstraint('strategy_id', 'kind', 'period', name=op.f('uq_report_claim_strategy_id'))
    )
    op.create_table('report_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('format', sa.Enum('xlsx', 'html', 'json', name='reportformat', native_enum=False, length=24), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['compiled_report.id'], name=op.f('fk_report_file_report_id_compiled_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_file')),
    sa.UniqueConstraint('report_id', 'format', name=op.f('uq_report_file_report_id'))
    )
    with op.batch_alter_table('entity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=False, server_default=''))



def downgrade() -> None:
    with op.batch_alter_table('entity', schema=None) as batch_op:
        batch_op.drop_column('email')

    op.drop_table('report_file')
    op.drop_table('report_claim')
    op.drop_table('notification')
    op.drop_table('compiled_report')
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_run_job_id'))

    op.drop_table('job_run')
    with op.batch_alter_table('apscheduler_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apscheduler_jobs_next_run_time'))

    op.drop_table('apscheduler_jobs')
