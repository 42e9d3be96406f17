"""Which categories of a return's breakdowns hold an unusual share of their total: the
return's counts and the entity's earlier values of them, judged by
`indicators.quality.unusual_shares` as the data-quality page judges stored values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from importers.return_form import PastValue, ReturnForm
from indicators.periods import parse_period
from indicators.quality import unusual_shares

COLUMNS = ["indicator", "entity", "period", "period_end", "disaggregation", "value"]


def return_shares(form: ReturnForm, parts: Iterable[tuple[int, str, float | None]],
                  history: Mapping[tuple[int, str], list[PastValue]]) -> list[dict[str, Any]]:
    """The unusual shares among `parts` ((indicator id, breakdown, value) of the return's
    counts, totals included) against `history` (earlier values by indicator and breakdown)."""
    rows = [(indicator, form.entity.id, form.period.code, form.period.end, key, value)
            for indicator, key, value in parts]
    rows += [(indicator, form.entity.id, past.period, parse_period(past.period).end, key,
              past.value)
             for indicator, key, _value in parts for past in history.get((indicator, key), [])]
    return unusual_shares(pd.DataFrame(rows, columns=COLUMNS), form.period.code)
