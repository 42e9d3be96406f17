"""The demonstration strategy: realistic enough that every report has something true to show."""

from sqlalchemy import func, inspect, select

from indicators.model import (
    DataValue,
    Entity,
    Flag,
    Indicator,
    Kind,
    Objective,
    Principle,
    Return,
    Unit,
)
from mne.database import current_revision, head_revision


def _row_counts(db) -> dict[str, int]:
    tables = [name for name in inspect(db.engine).get_table_names()]
    with db.engine.connect() as connection:
        return {
            name: connection.exec_driver_sql(f'SELECT count(*) FROM "{name}"').scalar()
            for name in tables
        }


def test_demo_has_four_principles_and_a_full_framework(demo, session):
    principles = session.scalars(select(Principle).order_by(Principle.position)).all()
    assert [principle.name for principle in principles] == ["Prevent", "Pursue", "Protect",
                                                            "Promote"]
    assert session.scalar(select(func.count()).select_from(Objective)) >= 12
    indicators = session.scalars(select(Indicator)).all()
    assert len(indicators) >= 32
    assert sum(indicator.kind is Kind.QUALITATIVE for indicator in indicators) >= 8
    by_sex = [indicator for indicator in indicators
              if indicator.sex_required and indicator.unit is Unit.COUNT]
    assert len(by_sex) >= 12
    assert any("age" in [d.code for d in indicator.dimensions] for indicator in by_sex)
    assert any(indicator.unit is Unit.RATE_PER_100K for indicator in indicators)
    assert any(indicator.direction == "decrease" for indicator in indicators)
    assert all(indicator.baseline_value is not None and indicator.targets
               for indicator in indicators)
    codes = set(session.scalars(select(Entity.code)))
    assert {"NCO", "POL", "PROS", "FIU", "VSS", "CUS"} <= codes


def test_demo_has_eight_quarters_with_gaps_and_flags(demo, session):
    periods = set(session.scalars(select(DataValue.period)))
    assert periods == {"2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2",
                       "2026Q3"}
    flags = set(session.scalars(select(DataValue.flag)))
    assert {Flag.PROVISIONAL, Flag.SUPPRESSED} <= flags
    suppressed = session.scalars(select(DataValue).where(DataValue.flag == Flag.SUPPRESSED)).all()
    assert all(value.value is None for value in suppressed)
    assert session.scalar(select(func.count()).select_from(Return)) < 8 * len(
        set(session.scalars(select(Return.entity_id))))
    assert all(value.return_id for value in session.scalars(select(DataValue).limit(200)))


def test_some_sex_disaggregated_values_miss_their_breakdown(demo, session):
    totals = set(session.execute(
        select(DataValue.indicator_id, DataValue.entity_id, DataValue.period)
        .join(Indicator).where(Indicator.sex_required, DataValue.disaggregation == "")).all())
    broken_down = set(session.execute(
        select(DataValue.indicator_id, DataValue.entity_id, DataValue.period)
        .where(DataValue.disaggregation.like("sex=%"))).all())
    assert totals - broken_down


def test_demo_twice_leaves_every_row_count_as_it_was(db, settings, demo):
    from importers.demo import load_demo

    before = _row_counts(db)
    with db.transaction() as session:
        again = load_demo(session, settings.dimensions)
    assert again["values_written"] == 0
    assert _row_counts(db) == before


def test_init_and_demo_from_the_command_line(run_mne, db):
    assert "database ready at revision" in run_mne("init").stdout
    first = run_mne("demo").stdout
    counts = _row_counts(db)
    second = run_mne("demo").stdout
    assert "(0 written now)" in second and "(0 written now)" not in first
    assert _row_counts(db) == counts
    assert current_revision(db.engine) == head_revision()
