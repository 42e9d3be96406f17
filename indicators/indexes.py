"""Indexes that let the database aggregate values for the evaluators' view (migration 0006),
find the values of a return and the rare values of a nature (migration 0022).

The series index covers what the progress table reads — indicator, period, breakdown, entity,
value, level — in the order it groups by, so sums, means and counts per indicator and period
are read from the index alone, already grouped. The return index finds a return's values
without reading the others: which returns a report's figures came from, a revision's values.
The nature index finds the few figures stated not collected because of a crisis."""

from __future__ import annotations

from sqlalchemy import Index

from indicators.model import DataValue

SERIES_INDEX = Index(
    "ix_data_value_series",
    DataValue.indicator_id, DataValue.period, DataValue.period_end, DataValue.disaggregation,
    DataValue.entity_id, DataValue.value, DataValue.level,
)

RETURN_INDEX = Index("ix_data_value_return", DataValue.return_id, DataValue.period_end,
                     DataValue.indicator_id)
NATURE_INDEX = Index("ix_data_value_nature", DataValue.nature)
