"""The progress report's account of what its statuses rest on: the indicators whose latest
figure comes, in part, from estimated, modelled or alleged values (`Nature.uncertain`)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from indicators.evaluation import IndicatorProgress, Scope
from indicators.i18n import _
from indicators.model import Indicator
from indicators.nature import certainties
from reports.compilation import STATUS, TEXT, Column, Section


def uncertain_statuses(session: Session, indicators: list[Indicator],
                       rows: list[IndicatorProgress], scope: Scope) -> Section:
    """One row per indicator whose status rests on estimated, modelled or alleged figures:
    its status, its latest period and the natures of those figures in words."""
    ids = {indicator.code: indicator.id for indicator in indicators}
    latest = tuple(sorted({row.latest_period for row in rows if row.latest_period}))
    certainty_at = certainties(session, indicators, replace(scope, periods=latest))
    found = []
    for row in rows:
        certainty = certainty_at.get((ids.get(row.code), row.latest_period))
        if certainty is not None and certainty.uncertain:
            found.append({"code": row.code, "name": row.name, "status": row.status,
                          "latest_period": row.latest_period,
                          "natures": ", ".join(nature.label for nature in certainty.uncertain)})
    columns = [Column("code", _("Code")), Column("name", _("Indicator")),
               Column("status", _("Status"), STATUS), Column("latest_period", _("Latest period")),
               Column("natures", _("Resting on"), TEXT)]
    return Section("uncertain", _("Statuses resting on estimated or alleged figures"), columns,
                   found, note=_("The latest figure of these indicators comes, in part, from "
                                 "values stated as estimated, modelled or alleged; read their "
                                 "status with that in mind."), sheet=_("Uncertain figures"))
