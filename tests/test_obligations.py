"""What an entity owes for a period, by when, and where its return stands: one rule, and every
page, template, report and reminder that shows it agrees with it."""

from __future__ import annotations

import datetime as dt
import random
import re
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import select

from importers.return_form import build_form
from indicators.data_quality import expected_returns
from indicators.model import (
    Entity,
    Indicator,
    Kind,
    Objective,
    Principle,
    Return,
    ReturnState,
    Strategy,
    Upload,
)
from indicators.obligations import (
    Calendar,
    Obligation,
    ReturnStatus,
    debtors,
    indicators_due,
    obligations,
    owes,
    standing,
    strategy_obligations,
)
from indicators.periods import Frequency, parse_period
from indicators.progress import Thresholds
from mne.config import load_settings
from mne.database import Database
from reports.archive import ReportSettings, compile_report
from reports.gaps import return_statuses
from reports.model import Notification
from reports.notify import Reminders, periods_to_remind, send_reminders
from tests.helpers import empty_database, write_config

QUARTERLY = Calendar("quarterly", 30)
AS_OF = dt.date(2026, 11, 23)
_ids = count(1)


def _entity(code: str, parent: Entity | None = None) -> Entity:
    return Entity(id=next(_ids), code=code, name=code, parent=parent)


def _indicator(code: str, frequency: str = "quarterly", reporters=(), responsible=None,
               archived: bool = False) -> Indicator:
    return Indicator(id=next(_ids), code=code, frequency=Frequency(frequency),
                     reporters=list(reporters), responsible_entity=responsible,
                     responsible_entity_id=responsible.id if responsible else None,
                     archived=archived)


def _codes(found: list[Obligation]) -> dict[str, list[str]]:
    return {item.entity.code: [indicator.code for indicator in item.indicators]
            for item in found}


# ---------------------------------------------------------------- who owes what, and when


def test_an_indicator_is_owed_by_its_reporters_not_by_its_responsible_entity():
    ministry, police, customs = _entity("MOI"), _entity("POL"), _entity("CUS")
    seizures = _indicator("S1", reporters=[police, customs], responsible=ministry)
    assert debtors(seizures) == [police, customs]
    assert owes(seizures, police) and not owes(seizures, ministry)


def test_an_indicator_without_reporters_is_owed_by_its_responsible_entity():
    ministry, police = _entity("MOI"), _entity("POL")
    plan = _indicator("P1", responsible=ministry)
    assert owes(plan, ministry) and not owes(plan, police)
    assert debtors(_indicator("P2")) == []   # nobody named: nobody owes it


def test_only_the_entity_named_owes_neither_the_one_above_nor_those_below():
    ministry = _entity("MOI")
    police = _entity("POL", parent=ministry)
    border = _entity("BOR", parent=police)
    arrests = _indicator("A1", reporters=[police])
    assert [owes(arrests, entity) for entity in (ministry, police, border)] == [
        False, True, False]


def test_a_quarterly_calendar_asks_each_indicator_by_its_frequency():
    police = _entity("POL")
    indicators = [_indicator(code, frequency, reporters=[police]) for code, frequency in
                  (("M", "monthly"), ("Q", "quarterly"), ("S", "semiannual"), ("Y", "annual"))]
    asked = {quarter: [item.code for item in indicators_due(indicators, police,
                                                            parse_period(quarter))]
             for quarter in ("2026Q1", "2026Q2", "2026Q3", "2026Q4")}
    assert asked == {"2026Q1": ["M", "Q"], "2026Q2": ["M", "Q", "S"],
                     "2026Q3": ["M", "Q"], "2026Q4": ["M", "Q", "S", "Y"]}
    assert [item.code for item in indicators_due(indicators, police, parse_period("2026"))] \
        == ["M", "Q", "S", "Y"]   # an annual return carries every indicator


def test_archived_indicators_are_owed_by_no_one():
    police = _entity("POL")
    kept, archived = _indicator("K", reporters=[police]), _indicator("X", reporters=[police],
                                                                      archived=True)
    assert _codes(obligations([kept, archived], parse_period("2026Q3"), QUARTERLY)) == {
        "POL": ["K"]}


def test_each_entity_owes_what_is_due_of_its_own_indicators_by_a_due_date():
    police, courts, statistics = _entity("POL"), _entity("CRT"), _entity("STAT")
    indicators = [_indicator("V1", reporters=[police, courts]),
                  _indicator("V2", reporters=[police]),
                  _indicator("A1", "annual", responsible=statistics)]
    third = obligations(indicators, parse_period("2026Q3"), QUARTERLY)
    assert _codes(third) == {"CRT": ["V1"], "POL": ["V1", "V2"]}
    assert {item.due_date for item in third} == {dt.date(2026, 10, 30)}
    fourth = obligations(indicators, parse_period("2026Q4"), Calendar("quarterly", 45))
    assert _codes(fourth) == {"CRT": ["V1"], "POL": ["V1", "V2"], "STAT": ["A1"]}
    assert fourth[0].due_date == dt.date(2027, 2, 14)   # 45 days after 31 December


@pytest.mark.parametrize(("day", "calendar", "ended"), [
    (dt.date(2026, 11, 23), QUARTERLY, "2026Q3"),
    (dt.date(2026, 10, 1), QUARTERLY, "2026Q3"),
    (dt.date(2026, 9, 30), QUARTERLY, "2026Q2"),
    (dt.date(2026, 1, 15), QUARTERLY, "2025Q4"),
    (dt.date(2026, 11, 23), Calendar("monthly", 10), "2026M10"),
    (dt.date(2026, 11, 23), Calendar("semiannual", 30), "2026S1"),
    (dt.date(2026, 11, 23), Calendar("annual", 60), "2025"),
])
def test_the_period_just_ended_is_the_last_whole_one_before_today(day, calendar, ended):
    assert calendar.period_just_ended(day).code == ended


# ---------------------------------------------------------------- where a return stands


def _owed(period: str = "2026Q3") -> Obligation:
    police = _entity("POL")
    return Obligation(police, parse_period(period), (_indicator("V1", reporters=[police]),),
                      QUARTERLY.due_date(parse_period(period)))


def _sent(revision: int, state: ReturnState, day: dt.date) -> Return:
    return Return(revision=revision, state=state,
                  uploaded_at=dt.datetime.combine(day, dt.time(9)))


@pytest.mark.parametrize(("as_of", "status", "days_late"), [
    (dt.date(2026, 9, 30), ReturnStatus.NOT_DUE, None),    # the quarter is not over
    (dt.date(2026, 10, 1), ReturnStatus.DUE, None),
    (dt.date(2026, 10, 30), ReturnStatus.DUE, None),       # the due date itself
    (dt.date(2026, 10, 31), ReturnStatus.LATE, 1),
    (dt.date(2026, 11, 23), ReturnStatus.LATE, 24),
])
def test_a_return_not_received_is_not_due_then_due_then_late(as_of, status, days_late):
    found = standing(_owed(), [], as_of)
    assert (found.status, found.days_late, found.on_time) == (status, days_late, False)
    assert not found.status.received


@pytest.mark.parametrize(("state", "status"), [
    (ReturnState.SUBMITTED, ReturnStatus.SUBMITTED),
    (ReturnState.RETURNED, ReturnStatus.SENT_BACK),
    (ReturnState.APPROVED, ReturnStatus.APPROVED),
])
def test_a_received_return_stands_where_its_newest_revision_is(state, status):
    found = standing(_owed(), [_sent(1, ReturnState.SUBMITTED, dt.date(2026, 10, 12)),
                               _sent(2, state, dt.date(2026, 11, 2))], AS_OF)
    assert found.status is status and found.status.received
    assert found.on_time and found.days_late is None   # its first upload came in time


def test_a_rejected_upload_is_not_a_return():
    found = standing(_owed(), [_sent(1, ReturnState.REJECTED, dt.date(2026, 10, 2))], AS_OF)
    assert found.status is ReturnStatus.LATE and found.received_at is None


def test_a_return_counts_from_its_first_acceptable_upload():
    late = standing(_owed(), [_sent(1, ReturnState.REJECTED, dt.date(2026, 10, 20)),
                              _sent(2, ReturnState.APPROVED, dt.date(2026, 11, 9))], AS_OF)
    assert late.status is ReturnStatus.APPROVED and late.days_late == 10 and not late.on_time
    on_the_day = standing(_owed(), [_sent(1, ReturnState.SUBMITTED, dt.date(2026, 10, 30))],
                          AS_OF)
    assert on_the_day.on_time


def test_every_status_has_words_and_a_colour():
    labels = {status: status.label for status in ReturnStatus}
    assert labels[ReturnStatus.SENT_BACK] == "sent back"
    assert labels[ReturnStatus.NOT_DUE] == "not yet due"
    assert len(set(labels.values())) == len(ReturnStatus)
    assert all(len(status.colour) == 6 for status in ReturnStatus)


# ---------------------------------------------------------------- every user agrees


def _random_strategy(session, seed: int) -> Strategy:
    """A strategy with a random entity tree, random reporters, responsible entities and
    frequencies, and random returns (some rejected, some from entities owing nothing)."""
    rng = random.Random(seed)
    strategy = Strategy(code=f"R{seed}", title=f"Random {seed}", area="Randomland",
                        start_year=2025, end_year=2028)
    objective = Objective(principle=Principle(strategy=strategy, code="P", name="Pursue"),
                          code="O", title="Objective")
    entities: list[Entity] = []
    for number in range(rng.randint(3, 7)):
        parent = rng.choice([None, *entities])
        entities.append(Entity(code=f"R{seed}E{number}", name=f"Entity {number}",
                               parent=parent))
    session.add_all([strategy, *entities])
    for number in range(rng.randint(4, 10)):
        session.add(Indicator(
            strategy=strategy, objective=objective, code=f"I{number}", name=f"Indicator {number}",
            kind=Kind.QUANTITATIVE, unit="count", direction="increase", aggregation="sum",
            frequency=rng.choice(list(Frequency)),
            reporters=rng.sample(entities, rng.choice([0, 0, 1, 2, 3])),
            responsible_entity=rng.choice([None, *entities]),
            archived=rng.random() < 0.1))
    quarters = [parse_period("2025Q1") + step for step in range(7)]
    for entity in entities:
        for quarter in rng.sample(quarters, rng.randint(0, len(quarters))):
            for revision in range(1, rng.randint(2, 3)):
                session.add(Return(
                    strategy=strategy, entity=entity, period=quarter.code, revision=revision,
                    state=rng.choice([ReturnState.REJECTED, ReturnState.SUBMITTED,
                                      ReturnState.APPROVED, ReturnState.RETURNED]),
                    upload=Upload(sha256="", file_path="", uploaded_at=dt.datetime.combine(
                        quarter.end, dt.time(10))
                        + dt.timedelta(days=rng.randint(1, 70), hours=revision))))
    return strategy


SEEDS = range(1, 7)
STRATEGIES = ["MRD-NSOC", *(f"R{seed}" for seed in SEEDS)]


@pytest.fixture(scope="module")
def world(database_url, _databases, tmp_path_factory):
    """The demonstration and several random strategies in one database, and the reminders
    sent on AS_OF; built once for the module."""
    from importers.demo import load_demo

    database = _databases.setdefault(database_url, Database(database_url))
    empty_database(database)
    settings = load_settings(write_config(tmp_path_factory.mktemp("obligations"), database_url))
    load_demo(database.sessions, settings.storage_folder, settings.dimensions)
    with database.transaction() as session:
        for seed in SEEDS:
            _random_strategy(session, seed)
    send_reminders(database.sessions, Reminders(QUARTERLY, 4), AS_OF, None)
    yield database
    empty_database(database)


@pytest.fixture(scope="module")
def owed(world) -> dict[str, set[tuple[str, str, str]]]:
    """The (entity, period, indicator) every strategy's entities owe, from the obligations, in
    the periods the data-quality page covers and those the reminders look at."""
    with world.sessions() as session:
        return {code: _owed_in(session, code) for code in STRATEGIES}


def _owed_in(session, code: str) -> set[tuple[str, str, str]]:
    strategy = session.scalars(select(Strategy).where(Strategy.code == code)).one()
    return {(item.entity.code, item.period.code, indicator.code)
            for item in strategy_obligations(session, strategy, _periods(session, code),
                                             QUARTERLY)
            for indicator in item.indicators}


def _periods(session, code: str):
    covered = {parse_period(period) for period in
               expected_returns(session, code, QUARTERLY, as_of=AS_OF)["period"]}
    return sorted(covered | set(periods_to_remind(QUARTERLY, AS_OF, 4)))


def _of_strategy(entity: str, code: str) -> bool:
    """Whether the entity belongs to the strategy's world (random ones prefix their codes)."""
    random_world = re.match(r"R\d+E", entity)
    return entity.startswith(f"{code}E") if code.startswith("R") else not random_world


def _pairs(triples) -> set[tuple[str, str]]:
    return {(entity, period) for entity, period, *_ in triples}


@pytest.mark.parametrize("code", STRATEGIES)
def test_the_template_asks_exactly_what_is_owed(world, owed, code):
    with world.sessions() as session:
        entities = [entity for entity in session.scalars(select(Entity.code))
                    if _of_strategy(entity, code)]
        asked = {(entity, period.code, indicator.code)
                 for period in _periods(session, code) for entity in entities
                 for indicator in build_form(session, entity, period, code).indicators}
    assert asked == owed[code]


@pytest.mark.parametrize("code", STRATEGIES)
def test_the_gap_report_and_the_data_quality_page_expect_the_returns_owed(world, owed, code):
    with world.sessions() as session:
        strategy = session.scalars(select(Strategy).where(Strategy.code == code)).one()
        quality = expected_returns(session, code, QUARTERLY, as_of=AS_OF)
        gaps = {(found.obligation.entity.code, found.obligation.period.code): found
                for period in _periods(session, code)
                for found in return_statuses(session, strategy, period, QUARTERLY, AS_OF)}
    assert set(gaps) == _pairs(owed[code])
    rows = {(row.entity, row.period): row for row in quality.itertuples()}
    assert set(rows) == {pair for pair in _pairs(owed[code])
                         if parse_period(pair[1]) in set(map(parse_period, quality["period"]))}
    for pair, row in rows.items():
        assert (row.status, row.received, row.on_time) == (
            gaps[pair].status, gaps[pair].status.received, gaps[pair].on_time), pair


@pytest.mark.parametrize("code", STRATEGIES)
def test_reminders_go_for_exactly_the_late_returns_owed(world, code):
    with world.sessions() as session:
        strategy = session.scalars(select(Strategy).where(Strategy.code == code)).one()
        entities = dict(session.execute(select(Entity.id, Entity.code)).all())
        reminded = {(entities[row.entity_id], row.period) for row in session.scalars(
            select(Notification).where(Notification.strategy_id == strategy.id))}
        late = {(found.obligation.entity.code, found.obligation.period.code)
                for period in periods_to_remind(QUARTERLY, AS_OF, 4)
                for found in return_statuses(session, strategy, period, QUARTERLY, AS_OF)
                if found.status is ReturnStatus.LATE}
    assert reminded == late


def test_the_gap_report_lists_the_returns_owed_that_are_not_in_on_time(world):
    settings = ReportSettings(storage_folder=None, calendar=QUARTERLY,
                              thresholds=Thresholds(on_track=0.9, at_risk=0.6,
                                                    maintain_tolerance=0.05, trend_periods=6))
    with world.sessions() as session:
        report = compile_report(session, "gaps", "MRD-NSOC", "2026Q3", settings, AS_OF)
        quality = expected_returns(session, "MRD-NSOC", QUARTERLY, parse_period("2026Q3"),
                                   AS_OF)
    listed = {(row["entity"], row["period"]) for row in report.section("returns").rows}
    third = quality[(quality["period"] == "2026Q3") & ~quality["on_time"]]
    assert listed == set(zip(third["entity"], third["period"], strict=True))
    assert listed, "the demonstration has a return missing in 2026Q3"


def test_the_rule_has_one_home():
    """No module but indicators/obligations.py defines the calendar, who owes, or the period
    just ended."""
    root = Path(__file__).resolve().parent.parent
    home = root / "indicators" / "obligations.py"
    definition = re.compile(r"^(class Calendar\b|def period_just_ended\b"
                            r"|def reported_by\b|def owes\b|def _expected_entities\b)", re.M)
    found = [path.relative_to(root).as_posix()
             for package in ("indicators", "importers", "reports", "mne")
             for path in (root / package).rglob("*.py")
             if path != home and definition.search(path.read_text(encoding="utf-8"))]
    assert found == []
    assert definition.search(home.read_text(encoding="utf-8"))
