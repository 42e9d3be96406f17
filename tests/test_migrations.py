"""Schema upgrades keep what the database holds: migration 0007 points every return at the
upload it was read from and moves its diff out of the validation JSON into its own column;
0010 marks the revisions a later imported one replaced as superseded."""

import datetime as dt

import sqlalchemy as sa
from alembic import command

from indicators.model import (
    Aggregation,
    DataValue,
    Direction,
    Entity,
    Frequency,
    Indicator,
    Kind,
    Nature,
    Objective,
    Principle,
    Return,
    ReturnState,
    Strategy,
    Unit,
)
from mne.database import Database, alembic_config, upgrade

RECEIVED = dt.datetime(2026, 10, 12, 9, 30)
DIFF = {"against_revision": None, "added": [{"indicator": "C1", "breakdown": "", "cell":
        "Quantitative!H3", "before": "", "after": "12"}], "changed": [], "removed": []}
FILE = {"file_path": "ab/abc.xlsx", "original_name": "police.xlsx", "size": 2048,
        "uploaded_by": "coordinator@example.org", "uploaded_at": RECEIVED}
returns_0004 = sa.table("return", sa.column("validation", sa.JSON), *(sa.column(name) for name in (
    "id", "strategy_id", "entity_id", "period", "revision", "state", "file_path", "sha256",
    "original_name", "size", "uploaded_by", "uploaded_at")))
uploads_0004 = sa.table("upload", sa.column("validation", sa.JSON), *(sa.column(name) for name in (
    "id", "sha256", "file_path", "original_name", "size", "uploaded_by", "uploaded_at",
    "outcome", "message", "return_id")))
returns_0007 = sa.table("return", sa.column("validation", sa.JSON), *(sa.column(name) for name in (
    "id", "strategy_id", "entity_id", "period", "revision", "state", "upload_id")))


def _returns_at_0004(database: Database) -> None:
    """Three returns as 0004 stored them: one naming its upload in its validation, one found
    by its bytes' sha256, one (the demonstration's) with no upload at all."""
    command.upgrade(alembic_config(database.engine), "0004")
    with database.engine.begin() as connection:
        strategy = connection.execute(sa.insert(Strategy).values(
            code="S", title="Strategy", area="Here", start_year=2026, end_year=2028,
        ).returning(Strategy.id)).scalar_one()
        entity = connection.execute(sa.insert(Entity).values(
            code="POL", name="Police").returning(Entity.id)).scalar_one()
        connection.execute(uploads_0004.insert(), [
            {"id": 1, "sha256": "a" * 64, **FILE, "outcome": "submitted", "message": "",
             "validation": {"problems": []}, "return_id": None},
            {"id": 2, "sha256": "b" * 64, **FILE, "outcome": "rejected", "message": "",
             "validation": {"problems": []}, "return_id": None}])
        common = {"strategy_id": strategy, "entity_id": entity, "period": "2026Q3"}
        connection.execute(returns_0004.insert(), [
            {"id": 1, **common, "revision": 1, "state": "submitted", "sha256": "a" * 64,
             **FILE, "validation": {"problems": [], "diff": DIFF, "upload_id": 1}},
            {"id": 2, **common, "revision": 2, "state": "rejected", "sha256": "b" * 64,
             **FILE, "validation": {"problems": [{"type": "not_a_number"}]}},
            {"id": 3, **common, "period": "2026Q2", "revision": 1, "state": "approved",
             **FILE, "file_path": None, "sha256": None,
             "validation": {"source": "demonstration data"}}])
        connection.execute(uploads_0004.update().where(uploads_0004.c.id == 1)
                           .values(return_id=1))
        if connection.dialect.name == "postgresql":
            for table in ("upload", "return", "strategy", "entity"):
                connection.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), 10)"))


def test_0007_links_returns_to_their_uploads_and_moves_the_diff(empty_database_url):
    database = Database(empty_database_url)
    try:
        _returns_at_0004(database)
        upgrade(database.engine)
        columns = {column["name"] for column in sa.inspect(database.engine).get_columns("return")}
        assert {"upload_id", "diff"} <= columns
        assert not {"file_path", "sha256", "original_name", "size", "uploaded_by",
                    "uploaded_at"} & columns
        with database.sessions() as session:
            first, rejected, demo = (session.get(Return, number) for number in (1, 2, 3))
            assert first.upload_id == 1 and first.diff == DIFF
            assert first.validation == {"problems": []}
            assert (first.sha256, first.original_name, first.uploaded_at) == \
                ("a" * 64, "police.xlsx", RECEIVED)
            assert rejected.upload_id == 2 and rejected.diff is None
            assert rejected.validation == {"problems": [{"type": "not_a_number"}]}
            assert demo.upload.return_id == 3 and demo.upload.outcome == "submitted"
            assert (demo.file_path, demo.uploaded_by, demo.uploaded_at) == \
                ("", "coordinator@example.org", RECEIVED)
        command.downgrade(alembic_config(database.engine), "0004")
        with database.engine.connect() as connection:
            first = connection.execute(sa.select(returns_0004).where(returns_0004.c.id == 1)) \
                .mappings().one()
        assert (first["sha256"], first["original_name"]) == ("a" * 64, "police.xlsx")
        assert first["validation"] == {"problems": [], "diff": DIFF, "upload_id": 1}
    finally:
        database.engine.dispose()


def test_0010_marks_revisions_replaced_by_a_later_imported_one_superseded(empty_database_url):
    database = Database(empty_database_url)
    try:
        _returns_at_0004(database)
        command.upgrade(alembic_config(database.engine), "0007")
        with database.engine.begin() as connection:
            connection.execute(returns_0007.insert(), [
                {"id": 4, "strategy_id": 1, "entity_id": 1, "period": "2026Q3", "revision": 3,
                 "state": "approved", "upload_id": 1, "validation": {}}])
        upgrade(database.engine)
        with database.sessions() as session:
            states = {row.id: row.state for row in session.scalars(sa.select(Return))}
        assert states == {1: ReturnState.SUPERSEDED, 2: ReturnState.REJECTED,
                          3: ReturnState.APPROVED, 4: ReturnState.APPROVED}
        command.downgrade(alembic_config(database.engine), "0009")
        with database.engine.connect() as connection:
            assert connection.execute(sa.select(returns_0007.c.state).where(
                returns_0007.c.id == 1)).scalar_one() == "submitted"
    finally:
        database.engine.dispose()


FLAGS_0008 = ("none", "estimated", "provisional", "suppressed", "not_applicable",
              "not_available")


def test_0020_keeps_every_stored_flag_as_the_nature_of_the_value(empty_database_url):
    database = Database(empty_database_url)
    try:
        command.upgrade(alembic_config(database.engine), "0008")
        with database.engine.begin() as connection:
            strategy = connection.execute(sa.insert(Strategy).values(
                code="S", title="S", area="Here", start_year=2026, end_year=2028,
            ).returning(Strategy.id)).scalar_one()
            connection.execute(sa.insert(Entity).values(id=1, code="POL", name="Police"))
            connection.execute(sa.insert(Principle).values(id=1, strategy_id=strategy, code="P",
                                                           name="Prevention", position=1))
            connection.execute(sa.insert(Objective).values(id=1, principle_id=1, code="O1",
                                                           title="O"))
            connection.execute(sa.insert(Indicator).values(
                id=1, strategy_id=strategy, objective_id=1, code="C1", name="Cases",
                kind=Kind.QUANTITATIVE, unit=Unit.COUNT, direction=Direction.INCREASE,
                frequency=Frequency.QUARTERLY, aggregation=Aggregation.SUM))
            values = sa.table("data_value", *(sa.column(name) for name in (
                "id", "indicator_id", "entity_id", "period", "period_end", "disaggregation",
                "value", "narrative", "evidence", "flag", "comment", "source_sheet",
                "source_cell", "created_at", "updated_at")))
            connection.execute(values.insert(), [
                {"id": number, "indicator_id": 1, "entity_id": 1, "period": "2026Q3",
                 "period_end": dt.date(2026, 9, 30), "disaggregation": f"k{number}",
                 "value": None if flag in ("suppressed", "not_available") else 5.0,
                 "narrative": "", "evidence": "", "flag": flag, "comment": "", "source_sheet": "",
                 "source_cell": "", "created_at": RECEIVED, "updated_at": RECEIVED}
                for number, flag in enumerate(FLAGS_0008, start=1)])
        upgrade(database.engine)
        with database.sessions() as session:
            kept = {row.disaggregation: (row.nature, row.value, row.low, row.at_least)
                    for row in session.scalars(sa.select(DataValue))}
        assert kept == {f"k{number}": (Nature(flag), None if flag in ("suppressed",
                                                                       "not_available") else 5.0,
                                       None, False)
                        for number, flag in enumerate(FLAGS_0008, start=1)}
        command.downgrade(alembic_config(database.engine), "0008")
        with database.engine.connect() as connection:
            flags = dict(connection.execute(sa.text(
                "SELECT disaggregation, flag FROM data_value")).all())
        assert flags == {f"k{number}": flag for number, flag in enumerate(FLAGS_0008, start=1)}
    finally:
        database.engine.dispose()
