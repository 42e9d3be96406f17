"""returns: a return references its upload instead of copying its file columns; its diff
gets its own column instead of living inside the validation JSON

Revision ID: 0007
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None

FILE_COLUMNS = ("file_path", "sha256", "original_name", "size", "uploaded_by", "uploaded_at")
OUTCOMES = {"rejected": "rejected"}  # any other state was submitted when it was received

returns = sa.table(
    "return", sa.column("id", sa.Integer), sa.column("state", sa.String),
    sa.column("upload_id", sa.Integer), sa.column("validation", sa.JSON),
    sa.column("diff", sa.JSON), *(sa.column(name) for name in FILE_COLUMNS))
uploads = sa.table(
    "upload", sa.column("id", sa.Integer), sa.column("return_id", sa.Integer),
    sa.column("outcome", sa.String), sa.column("message", sa.Text),
    sa.column("validation", sa.JSON), *(sa.column(name) for name in FILE_COLUMNS))


def upgrade() -> None:
    with op.batch_alter_table("return") as batch_op:
        batch_op.add_column(sa.Column("upload_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("diff", sa.JSON(), nullable=True))
    connection = op.get_bind()
    for row in connection.execute(sa.select(returns)).mappings().all():
        validation = dict(row["validation"] or {})
        diff = validation.pop("diff", None)
        upload_id = _upload_of(connection, row, validation.pop("upload_id", None), validation)
        connection.execute(returns.update().where(returns.c.id == row["id"]).values(
            upload_id=upload_id, diff=diff, validation=validation))
    with op.batch_alter_table("return") as batch_op:
        batch_op.drop_index("ix_return_sha256")
        for name in FILE_COLUMNS:
            batch_op.drop_column(name)
        batch_op.alter_column("upload_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index("ix_return_upload_id", ["upload_id"])
        batch_op.create_foreign_key("fk_return_upload_id_upload", "upload", ["upload_id"],
                                    ["id"])


def _upload_of(connection, row, recorded: int | None, validation: dict) -> int:
    """The upload a return was read from: the one its validation named, else the one that
    made it with the same bytes, else one with the same bytes; recorded now when none is."""
    known = connection.execute(sa.select(uploads.c.id).where(uploads.c.id == recorded)) \
        .scalar() if recorded is not None else None
    if known is not None:
        return known
    if row["sha256"]:
        same = connection.execute(
            sa.select(uploads.c.id).where(uploads.c.sha256 == row["sha256"])
            .order_by((uploads.c.return_id == row["id"]).desc(), uploads.c.id)).scalar()
        if same is not None:
            return same
    facts = {name: row[name] for name in FILE_COLUMNS}
    facts.update(file_path=row["file_path"] or "", sha256=row["sha256"] or "")
    return connection.execute(uploads.insert().values(
        **facts, outcome=OUTCOMES.get(row["state"], "submitted"), message="",
        validation=validation, return_id=row["id"],
    ).returning(uploads.c.id)).scalar_one()


def downgrade() -> None:
    with op.batch_alter_table("return") as batch_op:
        batch_op.add_column(sa.Column("file_path", sa.String(500), nullable=True))
        batch_op.add_column(sa.Column("sha256", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("original_name", sa.String(300), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("size", sa.BigInteger(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("uploaded_by", sa.String(200), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("uploaded_at", sa.DateTime(), nullable=False,
                                      server_default=sa.func.current_timestamp()))
    connection = op.get_bind()
    joined = sa.select(returns.c.id, returns.c.validation, returns.c.diff, returns.c.upload_id,
                       *(uploads.c[name] for name in FILE_COLUMNS)) \
        .join(uploads, uploads.c.id == returns.c.upload_id)
    for row in connection.execute(joined).mappings().all():
        validation = {**(row["validation"] or {}), "diff": row["diff"],
                      "upload_id": row["upload_id"]}
        connection.execute(returns.update().where(returns.c.id == row["id"]).values(
            validation=validation, **{name: row[name] for name in FILE_COLUMNS}))
    with op.batch_alter_table("return") as batch_op:
        batch_op.drop_constraint("fk_return_upload_id_upload", type_="foreignkey")
        batch_op.drop_index("ix_return_upload_id")
        batch_op.drop_column("diff")
        batch_op.drop_column("upload_id")
        batch_op.create_index("ix_return_sha256", ["sha256"])
