"""The demonstration strategy: realistic enough that every report has something true to show."""

from sqlalchemy import func, inspect, select

from importers.demo import DEMO_ACTOR, LATEST_QUARTER
from importers.returns import receive_return
from indicators.audit import AuditEvent
from indicators.caveats import caveats_of
from indicators.evaluation import Scope
from indicators.model import (
    Crisis,
    DataValue,
    Entity,
    Indicator,
    Kind,
    Nature,
    Objective,
    PairedEstimate,
    Principle,
    Return,
    ReturnState,
    SeriesBreak,
    Unit,
    UploadOutcome,
)
from indicators.obligations import is_due
from indicators.periods import parse_period
from indicators.return_review import approve
from indicators.storage import read_stored
from mne.database import current_revision, head_revision
from tests.return_workbooks import fill_cells


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
    estimates = set(session.scalars(select(PairedEstimate.estimate_id)))
    assert all(indicator.baseline_value is not None and indicator.targets
               for indicator in indicators if indicator.id not in estimates)
    codes = set(session.scalars(select(Entity.code)))
    assert {"NCO", "POL", "PROS", "FIU", "VSS", "CUS"} <= codes


def test_demo_has_eight_quarters_with_gaps_and_flags(demo, session):
    periods = set(session.scalars(select(DataValue.period)))
    assert periods == {"2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2",
                       "2026Q3"}
    flags = set(session.scalars(select(DataValue.nature)))
    assert {Nature.PROVISIONAL, Nature.SUPPRESSED} <= flags
    suppressed = session.scalars(select(DataValue).where(
        DataValue.nature == Nature.SUPPRESSED)).all()
    assert all(value.value is None for value in suppressed)
    assert session.scalar(select(func.count()).select_from(Return)) < 8 * len(
        set(session.scalars(select(Return.entity_id))))
    estimates = select(PairedEstimate.estimate_id)  # published by an entity, not returned
    assert all(value.return_id for value in session.scalars(
        select(DataValue).where(DataValue.indicator_id.not_in(estimates)).limit(200)))


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
    again = load_demo(db.sessions, settings.storage_folder, settings.dimensions)
    assert not again.wrote_anything and again.values_written == 0
    assert _row_counts(db) == before


def test_init_and_demo_from_the_command_line(run_mne, db):
    assert "database ready at revision" in run_mne("init").stdout
    first = run_mne("demo").stdout
    counts = _row_counts(db)
    second = run_mne("demo").stdout
    assert "returns received through the upload pipeline" in first
    assert "already loaded: nothing written" in second
    assert _row_counts(db) == counts
    assert current_revision(db.engine) == head_revision()


def test_demo_values_are_there_only_when_their_frequency_makes_them_due(demo, session):
    rows = session.execute(select(Indicator, DataValue.period).join(DataValue)).all()
    assert rows
    assert all(is_due(indicator, parse_period(period)) for indicator, period in rows)
    annual = {period for indicator, period in rows if indicator.code == "PV1.1"}
    assert annual == {"2024Q4", "2025Q4"}


def test_a_percentage_by_sex_shows_no_unknown_share_larger_than_the_others(demo, session):
    by_slot: dict[tuple, dict[str, float]] = {}
    for value in session.scalars(
            select(DataValue).join(Indicator)
            .where(Indicator.unit.in_([Unit.PERCENT, Unit.RATE_PER_100K]),
                   DataValue.disaggregation.like("sex=%"), DataValue.value.is_not(None))):
        slot = (value.indicator_id, value.entity_id, value.period)
        by_slot.setdefault(slot, {})[value.disaggregation] = value.value
    assert by_slot
    for shares in by_slot.values():
        assert shares["sex=unknown"] <= min(shares["sex=female"], shares["sex=male"])


def test_every_demo_value_came_in_a_received_workbook_with_its_sheet_and_cell(
        demo, session, settings):
    published = select(PairedEstimate.estimate_id)  # an estimate is published, not returned
    values = session.scalars(select(DataValue).where(
        DataValue.indicator_id.not_in(published))).all()
    assert values and all(value.return_id and value.source_sheet and value.source_cell
                          for value in values)
    returns = session.scalars(select(Return)).all()
    assert len(returns) == demo.returns_received and not demo.refused
    for return_ in returns:
        upload = return_.upload
        assert upload.outcome is UploadOutcome.SUBMITTED and upload.uploaded_by == DEMO_ACTOR
        assert upload.return_id == return_.id
        assert read_stored(settings.storage_folder, upload.file_path)[:2] == b"PK"
    states = {(return_.period == LATEST_QUARTER, return_.state) for return_ in returns}
    assert states == {(True, ReturnState.SUBMITTED), (False, ReturnState.APPROVED)}


def _figures(session, entity: str, period: str) -> dict[tuple[str, str], tuple]:
    return {(code, value.disaggregation): (value.value, value.nature, value.level, value.return_id)
            for value, code in session.execute(
                select(DataValue, Indicator.code).join(Indicator)
                .join(Entity, DataValue.entity_id == Entity.id)
                .where(Entity.code == entity, DataValue.period == period))}


def test_demo_again_keeps_every_figure_of_a_coordinators_approved_revision(
        demo, db, settings, run_mne):
    with db.sessions() as session:
        first = session.scalars(select(Return).join(Entity).where(
            Entity.code == "POL", Return.period == LATEST_QUARTER)).one()
        sent = read_stored(settings.storage_folder, first.upload.file_path)
        before = _figures(session, "POL", LATEST_QUARTER)
    corrected = fill_cells(sent, {("PU1.5", ""): (335, None), ("PU1.1", ""): (3, None),
                                  ("PU1.5", "sex=unknown"): (None, "not available")})
    result = receive_return(db.sessions, settings.storage_folder, corrected, "POL.xlsx",
                            "coordinator@example.org")
    assert result.outcome is UploadOutcome.SUBMITTED, result.message
    with db.transaction() as session:
        approve(session, session.get(Return, result.return_id), "evaluator@example.org")
    with db.sessions() as session:
        revised = _figures(session, "POL", LATEST_QUARTER)
    assert revised["PU1.5", ""][0] == 335 and revised["PU1.1", ""][0] == 3
    assert revised["PU1.5", "sex=unknown"][0] is None
    assert before["PU1.5", "sex=unknown"][0] is not None

    assert "already loaded: nothing written" in run_mne("demo").stdout

    with db.sessions() as session:
        assert _figures(session, "POL", LATEST_QUARTER) == revised
        written = session.execute(select(AuditEvent.action, AuditEvent.subject_id)
                                  .where(AuditEvent.actor == DEMO_ACTOR)).all()
    actions = {action for action, _subject in written}
    assert {"demo.framework", "demo.loaded", "return.submitted", "return.approved"} <= actions
    assert any(action.startswith("value.") for action in actions)
    assert ("return.submitted", f"POL {LATEST_QUARTER} r1") in written
    assert [subject for action, subject in written if action == "demo.loaded"] == ["MRD-NSOC"]


def test_demo_shows_a_crisis_a_series_break_and_a_paired_estimate(demo, session):
    crisis = session.scalars(select(Crisis)).one()
    assert (crisis.start_period, crisis.end_period) == ("2025Q3", "2026Q1")
    assert [entity.code for entity in crisis.entities] == ["POL", "VSS"]
    broken = session.scalars(select(SeriesBreak)).one()
    assert (broken.indicator.code, broken.period) == ("PU4.1", "2025Q3")
    pairing = session.scalars(select(PairedEstimate)).one()
    assert pairing.indicator.code == "PR1.1"
    reading = caveats_of(session, pairing.indicator, Scope()).pair
    assert reading.compared and all(2 <= 1 / period.share <= 4 for period in reading.compared)


def test_demo_pr11_has_ranges_alleged_figures_and_the_crisis_gaps_of_victim_support(demo, session):
    indicator = session.scalars(select(Indicator).where(Indicator.code == "PR1.1")).one()
    totals = session.execute(
        select(Entity.code, DataValue.period, DataValue.value, DataValue.nature, DataValue.low,
               DataValue.high)
        .join(Entity, DataValue.entity_id == Entity.id)
        .where(DataValue.indicator_id == indicator.id, DataValue.disaggregation == "")).all()
    crisis = {(entity, period) for entity, period, value, nature, _low, _high in totals
              if nature is Nature.NOT_COLLECTED_CRISIS and value is None}
    assert crisis == {("VSS", "2025Q3"), ("VSS", "2025Q4")}
    ranged = [row for row in totals if row.low is not None]
    assert len(ranged) >= 3 and all(row.low <= row.value <= row.high for row in ranged)
    assert any(row.nature is Nature.ALLEGED for row in totals)
