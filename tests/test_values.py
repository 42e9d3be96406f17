"""Data values: one current value per key, and every earlier value kept in history."""

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from indicators.framework import ensure_default_scale, upsert
from indicators.model import (
    DataValue,
    DataValueHistory,
    Entity,
    Indicator,
    Kind,
    Nature,
    Objective,
    Principle,
    Strategy,
    Unit,
)
from indicators.values import ValueKey, history_of, record_value, write_values


@pytest.fixture
def indicator_and_entity(session):
    strategy = upsert(session, Strategy, {"code": "T"}, title="Test strategy", area="Testland",
                      start_year=2024, end_year=2028)
    principle = upsert(session, Principle, {"strategy_id": strategy.id, "code": "PURSUE"},
                       name="Pursue")
    objective = upsert(session, Objective, {"principle_id": principle.id, "code": "PU1"},
                       title="Dismantle groups")
    indicator = upsert(session, Indicator, {"strategy_id": strategy.id, "code": "PU1.1"},
                       objective_id=objective.id, name="Persons prosecuted",
                       kind=Kind.QUANTITATIVE, unit=Unit.COUNT, direction="increase",
                       frequency="quarterly", aggregation="sum")
    entity = upsert(session, Entity, {"code": "PROS"}, name="Prosecution")
    ensure_default_scale(session)
    session.commit()
    return indicator, entity


def test_a_new_value_is_stored_once(session, indicator_and_entity):
    indicator, entity = indicator_and_entity
    key = ValueKey.of(indicator.id, entity.id, "2026q3", {"sex": "female"})
    changes = record_value(session, key, value=12)
    session.commit()
    assert changes.added == [key]
    stored = session.scalars(select(DataValue)).one()
    assert (stored.period, stored.disaggregation, stored.value) == ("2026Q3", "sex=female", 12.0)
    assert stored.period_end.isoformat() == "2026-09-30"


def test_a_changed_value_keeps_the_earlier_one_in_history(session, indicator_and_entity):
    indicator, entity = indicator_and_entity
    key = ValueKey.of(indicator.id, entity.id, "2026Q3")
    record_value(session, key, value=40, comment="first count")
    session.commit()
    changes = record_value(session, key, value=42, nature=Nature.PROVISIONAL)
    session.commit()
    assert changes.changed == [key]
    current = session.scalars(select(DataValue)).one()
    assert (current.value, current.nature) == (42.0, Nature.PROVISIONAL)
    earlier = history_of(session, key)
    assert [(row.value, row.comment, row.data_value_id) for row in earlier] == [
        (40.0, "first count", current.id)
    ]


def test_writing_the_same_value_again_changes_nothing(session, indicator_and_entity):
    indicator, entity = indicator_and_entity
    key = ValueKey.of(indicator.id, entity.id, "2026Q3")
    record_value(session, key, value=7)
    session.commit()
    changes = record_value(session, key, value=7.0)
    session.commit()
    assert changes.unchanged == [key] and not changes.touched
    assert session.scalar(select(func.count()).select_from(DataValueHistory)) == 0


def test_breakdown_written_in_another_order_is_the_same_value(session, indicator_and_entity):
    indicator, entity = indicator_and_entity
    write_values(session, [
        (ValueKey.of(indicator.id, entity.id, "2026Q3", "sex=female;age=18+"), {"value": 5}),
        (ValueKey.of(indicator.id, entity.id, "2026Q3", {"age": "18+", "sex": "female"}),
         {"value": 6}),
    ])
    session.commit()
    assert session.scalar(select(func.count()).select_from(DataValue)) == 1
    assert session.scalar(select(DataValue.value)) == 6.0


def test_database_refuses_a_second_current_value_for_one_key(session, indicator_and_entity):
    indicator, entity = indicator_and_entity
    record_value(session, ValueKey.of(indicator.id, entity.id, "2026Q3"), value=1)
    session.commit()
    session.add(DataValue(indicator_id=indicator.id, entity_id=entity.id, period="2026Q3",
                          period_end=dt.date(2026, 9, 30),
                          disaggregation="", value=2))
    with pytest.raises(IntegrityError):
        session.commit()


def test_qualitative_answer_keeps_level_narrative_and_evidence(session, indicator_and_entity):
    indicator, entity = indicator_and_entity
    key = ValueKey.of(indicator.id, entity.id, "2026")
    record_value(session, key, level=2, narrative="Draft adopted by cabinet",
                 evidence="Cabinet decision 14/2026")
    session.commit()
    stored = session.scalars(select(DataValue)).one()
    assert (stored.level, stored.value, stored.evidence) == (2, None, "Cabinet decision 14/2026")
