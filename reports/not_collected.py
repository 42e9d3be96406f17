"""The gap report's list of figures a crisis prevented: each value stated "not collected
because of the crisis", by indicator and entity. The gap stays listed, with its reason, though
the entity is not late for it (`indicators.not_collected`) and it is never counted as zero."""

from __future__ import annotations

import pandas as pd

from indicators.disaggregation import TOTAL
from indicators.i18n import _
from indicators.model import Indicator
from indicators.vocabulary import Nature
from reports.compilation import Column, Section


def not_collected(values: pd.DataFrame, by_code: dict[str, Indicator]) -> Section:
    """`values` (indicator_id, entity, period, disaggregation, nature) of the period: one row
    per total stated not collected because of the crisis."""
    names = {indicator.id: indicator for indicator in by_code.values()}
    found = values[(values["nature"] == Nature.NOT_COLLECTED_CRISIS)
                   & (values["disaggregation"] == TOTAL)
                   & values["indicator_id"].isin(names.keys())]
    rows = [{"indicator": names[row.indicator_id].code, "name": names[row.indicator_id].name,
             "entity": row.entity, "period": row.period,
             "reason": Nature.NOT_COLLECTED_CRISIS.label}
            for row in found.sort_values(["indicator_id", "entity", "period"])
            .itertuples(index=False)]
    columns = [Column("indicator", _("Indicator")), Column("name", _("Name")),
               Column("entity", _("Entity")), Column("period", _("Period")),
               Column("reason", _("Reason"))]
    return Section("not_collected", _("Figures not collected because of the crisis"), columns,
                   rows, note=_("Gaps a crisis caused: the entities are not late for them, and "
                                "they are not counted as zero."), sheet=_("Crisis gaps"))
