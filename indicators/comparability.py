"""Which figures of a series a figure is judged against: those measured the same way, on the
same side of every series break of its indicator (a change of definition, data source or
reporting channel makes the figures before it say nothing of the usual level after it). The
upload checks, the data-quality page and `bench/outliers.py` ask it before `indicators.quality`
judges a value."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from indicators.periods import Period
from indicators.series_breaks import Break, breaks_by_indicator, segment_of


@dataclass(frozen=True)
class Comparability:
    """The series breaks of each indicator (by id)."""

    breaks: Mapping[int, Sequence[Break]]

    @classmethod
    def of(cls, session: Session, indicator_ids: Iterable[int]) -> Comparability:
        """The breaks of the indicators `indicator_ids`."""
        return cls(breaks_by_indicator(session, indicator_ids))

    def compares(self, indicator_id: int, entity: str, period: Period, other: Period) -> bool:
        """Whether the entity's figure of `other` is one to judge its figure of `period`
        against (`entity`: every entity's series breaks alike today)."""
        breaks = self.breaks.get(indicator_id, ())
        return segment_of(period, breaks) == segment_of(other, breaks)
