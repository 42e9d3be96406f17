"""Reported cases and estimated incidence: an indicator of reported cases paired with an
estimate of the same phenomenon from another source (a survey, a modelled estimate, a published
statistic), the share of it that is reported, and how the pair's progress reads with that gap in
view. The one home of that reading for the indicator page, the progress report and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from indicators.errors import Invalid
from indicators.evaluation import fully_reported
from indicators.i18n import _
from indicators.model import Indicator, PairedEstimate
from indicators.periods import Period, parse_period
from indicators.vocabulary import EstimateSource, written_number

STEADY = 0.02
"""A change of the reported share smaller than this (two points) reads as steady."""


@dataclass(frozen=True)
class PairedPeriod:
    """A period with its reported value, the estimate (None where the estimate has none) and
    the share of the estimate that is reported."""

    period: Period
    reported: float | None
    estimate: float | None

    @property
    def share(self) -> float | None:
        if self.reported is None or not self.estimate:
            return None
        return self.reported / self.estimate


@dataclass(frozen=True)
class PairReading:
    """An indicator beside its paired estimate: where the estimate comes from, both series by
    period, and the sentence that reads the pair's progress with the gap in view."""

    estimate_code: str
    estimate_name: str
    source: EstimateSource
    citation: str
    periods: list[PairedPeriod]

    @property
    def compared(self) -> list[PairedPeriod]:
        """The periods with both a reported value and an estimate."""
        return [period for period in self.periods if period.share is not None]

    @property
    def estimate_points(self) -> list[tuple[Period, float]]:
        return [(period.period, period.estimate) for period in self.periods
                if period.estimate is not None]

    def in_words(self) -> str:
        """The share reported in the latest period with both figures and what its movement
        says about the reported series' progress."""
        compared = self.compared
        if not compared:
            return _("The estimate (%(source)s) has no period in common with the reported "
                     "figures yet.", source=self.source.label)
        first, latest = compared[0], compared[-1]
        said = _("In %(period)s, %(reported)s reported against %(estimate)s estimated "
                 "(%(source)s): about %(share)s of the phenomenon is reported.",
                 period=latest.period.code, reported=written_number(latest.reported),
                 estimate=written_number(latest.estimate), source=self.source.label,
                 share=f"{latest.share:.0%}")
        return f"{said} {_reading(first, latest)}".strip()


def _reading(first: PairedPeriod, latest: PairedPeriod) -> str:
    if first is latest:
        return ""
    shares = {"first": f"{first.share:.0%}", "latest": f"{latest.share:.0%}",
              "since": first.period.code}
    movement = latest.share - first.share
    if movement > STEADY:
        return _("The reported share rose from %(first)s in %(since)s to %(latest)s: part of the "
                 "change in the reported figures reflects more reporting and identification, "
                 "not a change in the phenomenon.", **shares)
    if movement < -STEADY:
        return _("The reported share fell from %(first)s in %(since)s to %(latest)s: the "
                 "reported figures understate the phenomenon more than before, so a fall in "
                 "them is no sign that it receded.", **shares)
    return _("The reported share held near %(latest)s since %(since)s: the reported figures "
             "move with the estimate.", **shares)


def pairing_of(session: Session, indicator: Indicator) -> PairedEstimate | None:
    """The estimate paired with `indicator`, if any."""
    return session.scalars(select(PairedEstimate)
                           .where(PairedEstimate.indicator_id == indicator.id)).one_or_none()


def reading_of(pairing: PairedEstimate, reported: list[Any],
               estimated: list[Any]) -> PairReading:
    """A pairing read from the total rows (`national_totals`) of the indicator and of the
    estimate; the periods some entities did not report are left out, as their totals
    understate the reported figures."""
    ours = {row.period: float(row.value) for row in fully_reported(reported)}
    theirs = {row.period: float(row.value) for row in estimated}
    periods = sorted(set(ours) | set(theirs), key=parse_period)
    estimate = pairing.estimate
    return PairReading(
        estimate.code, estimate.name, pairing.source, pairing.citation,
        [PairedPeriod(parse_period(period), ours.get(period), theirs.get(period))
         for period in periods])


def write_pairing(session: Session, indicator: Indicator, estimate: Indicator,
                  source: EstimateSource | str, citation: str = "") -> PairedEstimate:
    """`indicator` paired with the series of `estimate` (replacing any earlier pairing)."""
    if estimate.id == indicator.id:
        raise Invalid(_("An indicator cannot be paired with itself."))
    row = pairing_of(session, indicator) or PairedEstimate(indicator_id=indicator.id)
    row.estimate_id, row.source, row.citation = estimate.id, EstimateSource(source), citation
    session.add(row)
    session.flush()
    return row
