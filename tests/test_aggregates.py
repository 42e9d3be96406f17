"""The national series kept current (`indicators/aggregates.py`) equal, at every moment, what
the direct computation from every value gives: after a return is imported, after a revision
replaces it, after a review decision changes which figures are approved, after published
statistics are imported, after populations change the weights of a rate and after an
indicator's unit changes."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select

from importers.return_form import build_form
from importers.returns import receive_return
from importers.statistics import import_statistics, load_mapping
from importers.template import write_template
from indicators import aggregates
from indicators.evaluation import Scope, direct_series, direct_sex_reporters
from indicators.framework import ensure_dimensions, write_entity, write_indicator
from indicators.model import Indicator, Return, Unit
from indicators.periods import parse_period
from indicators.return_review import approve
from mne.config import load_settings
from tests.helpers import ROOT
from tests.return_workbooks import fill
from tests.test_import_stats_portal import RATE, row, write_csv

PERIOD = "2026Q3"
KEY = ["indicator_id", "period", "disaggregation"]


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(KEY).reset_index(drop=True).astype({"value": float,
                                                                 "entities": int})


def assert_summary_is_the_direct_computation(db) -> None:
    """Every indicator's series and sex reporters, over all figures and approved only."""
    with db.sessions() as session:
        indicators = list(session.scalars(select(Indicator)))
        for approved_only in (False, True):
            scope = Scope(approved_only=approved_only)
            kept = _sorted(aggregates.national_series(session, indicators, scope, False))
            direct = _sorted(direct_series(session, indicators, scope))
            assert not direct.empty
            pd.testing.assert_frame_equal(kept, direct, check_dtype=False)
            assert aggregates.sex_reporters(session, indicators, scope) == \
                direct_sex_reporters(session, indicators, scope)


def test_series_kept_current_equal_the_direct_computation_after_every_kind_of_write(
        db, small_strategy, tmp_path):
    with db.sessions() as session:
        template = write_template(session, build_form(session, "AG", parse_period(PERIOD)))
    storage = tmp_path / "storage"
    first = receive_return(db.sessions, storage, fill(template), "first.xlsx", "coordinator")
    assert first.return_id is not None
    assert_summary_is_the_direct_computation(db)

    revised = fill(template, {("C1", ""): 104, ("C1", "sex=male"): 59, ("P1", ""): 47})
    second = receive_return(db.sessions, storage, revised, "second.xlsx", "coordinator")
    assert second.revision == 2
    assert_summary_is_the_direct_computation(db)

    with db.transaction() as session:
        approve(session, session.get(Return, second.return_id), "reviewer")
    with db.sessions() as session:
        approved = aggregates.national_series(session, session.scalars(select(Indicator))
                                              .all(), Scope(approved_only=True), False)
    assert PERIOD in set(approved["period"])  # the decision brought the return's figures in
    assert_summary_is_the_direct_computation(db)

    with db.transaction() as session:
        ensure_dimensions(session, load_settings(ROOT / "config.toml").dimensions)
        import_statistics(session, write_csv(tmp_path / "homicide.csv", [
            row(value="35"), row(year="2020", value="30"), row(sex="Female", value="20"),
            row(unit=RATE, value="27.5"), row(unit=RATE, value="10", iso="TUR",
                                              country="Türkiye")]),
            load_mapping("unodc"), create_missing=True)
    assert_summary_is_the_direct_computation(db)

    with db.transaction() as session:  # the rate is now weighted by population
        write_entity(session, "MEX", populations={2021: 128_000_000})
        write_entity(session, "TUR", populations={2021: 85_000_000})
    assert_summary_is_the_direct_computation(db)
    with db.sessions() as session:
        rate = session.scalars(select(Indicator).where(Indicator.unit == Unit.RATE_PER_100K)).one()
        kept = aggregates.national_series(session, [rate], Scope(), False)
    assert kept["value"].tolist() == [pytest.approx((27.5 * 128 + 10 * 85) / 213)]

    with db.transaction() as session:  # the rate read as a count: summed, not weighted
        rate = session.get(Indicator, rate.id)
        write_indicator(session, rate.strategy, rate.code, unit="count")
    assert_summary_is_the_direct_computation(db)
